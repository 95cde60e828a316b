"""Load test: agents and a director working at once (`bench/load/run.sh`, docs/load-test.md).

Each simulated person signs in through the login form (GET the form, POST it with its CSRF
token, as a browser does), then works:

- agents (4 in 5): the dossier list with filters, a dossier's page, a search (the list's text
  search and the porteurs' JSON search), an export (CSV, sometimes XLSX);
- a director (1 in 5): the dashboard, changing year and filters, the bilan page and its JSON.

Every answer is checked: status 200, the expected page (not the login page after a lost
session), the expected content type. Any other answer counts as a failure.

Only run against the local server started by run.sh: the host must be a loopback address.
"""

import random
import re
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

PASSWORD = "contratville-demo"
YEARS = ["2020", "2021"]
PILLARS = ["cohesion_sociale", "cadre_de_vie", "emploi", "pilotage"]
STATUSES = ["depose", "en_instruction", "programme", "refuse", "justifie", "solde"]
FUNDERS = ["anct", "etat_droit_commun", "region", "departement", "caf", "cabbalr", "commune"]
KINDS = ["association", "commune", "bailleur", "etablissement_public"]
WORDS = ["emploi", "jeunes", "sport", "santé", "insertion", "parents", "numérique", "culture", "PV2021"]
PORTEUR_WORDS = ["asso", "ville", "centre", "mission", "club", "bailleur"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DOSSIER_LINK = re.compile(r'href="/projets/(\d+)/"')


@events.init.add_listener
def loopback_only(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise SystemExit(f"Load test refused: {environment.host!r} is not a loopback address.")


class Person(HttpUser):
    abstract = True
    username = ""
    wait_time = between(0.5, 2.0)

    def on_start(self):
        with self.client.get("/connexion/", name="sign in (form)", catch_response=True) as page:
            token = CSRF.search(page.text or "")
            if page.status_code != 200 or not token:
                page.failure(
                    f"login form: status {page.status_code}, CSRF token {'found' if token else 'missing'}"
                )
                raise RuntimeError("no login form")
        with self.client.post(
            "/connexion/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            name="sign in (post)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or answer.headers.get("Location", "").startswith("/connexion/"):
                answer.failure(f"sign-in refused for {self.username}: status {answer.status_code}")
                raise RuntimeError("sign-in refused")

    def page(self, url, name, marker, content_type="text/html"):
        """GET `url`; a failure unless 200, of `content_type`, still signed in, and holding `marker`."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif urlsplit(response.url).path.startswith("/connexion/"):
                response.failure("sent back to the login page")
            elif not response.headers.get("Content-Type", "").startswith(content_type):
                response.failure(f"content type {response.headers.get('Content-Type')}")
            elif marker and marker not in response.content:
                response.failure(f"{marker!r} missing")
            return response


class Agent(Person):
    weight = 4
    username = "agent"
    dossiers: list[str] = []

    def on_start(self):
        super().on_start()
        response = self.page(f"/projets/?annee={random.choice(YEARS)}", "/projets/ (list)", b"<table")
        self.dossiers = DOSSIER_LINK.findall(response.text or "") or ["1"]

    @task(4)
    def list_with_filters(self):
        query = [("annee", random.choice(YEARS))]
        for name, values in (
            ("pilier", PILLARS),
            ("statut", STATUSES),
            ("financeur", FUNDERS),
            ("type_porteur", KINDS),
        ):
            if random.random() < 0.4:
                query.append((name, random.choice(values)))
        if random.random() < 0.3:
            query.append(("page", "2"))
        response = self.page(
            "/projets/?" + "&".join(f"{k}={v}" for k, v in query), "/projets/?filters", b"Dossiers"
        )
        links = DOSSIER_LINK.findall(response.text or "")
        if links:
            self.dossiers = links

    @task(4)
    def dossier_page(self):
        self.page(f"/projets/{random.choice(self.dossiers)}/", "/projets/[id]/", b"Plan de financement")

    @task(2)
    def search(self):
        self.page(f"/projets/?q={random.choice(WORDS)}", "/projets/?q=", b"Dossiers")

    @task(1)
    def operator_search(self):
        self.page(
            f"/porteurs/recherche/?q={random.choice(PORTEUR_WORDS)}",
            "/porteurs/recherche/?q= (JSON)",
            b"",
            content_type="application/json",
        )

    @task(1)
    def export(self):
        year = random.choice(YEARS)
        if random.random() < 0.25:
            self.page(
                f"/projets/export/?format=xlsx&annee={year}",
                "/projets/export/?format=xlsx",
                b"PK",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            self.page(
                f"/projets/export/?format=csv&annee={year}&pilier={random.choice(PILLARS)}",
                "/projets/export/?format=csv",
                b"numero_dossier",
                content_type="text/csv",
            )


class Director(Person):
    weight = 1
    username = "direction"

    @task(4)
    def dashboard(self):
        query = f"annee={random.choice(YEARS)}"
        if random.random() < 0.5:
            query += f"&pilier={random.choice(PILLARS)}"
        if random.random() < 0.3:
            query += f"&financeur={random.choice(FUNDERS)}"
        self.page(f"/tableau-de-bord/?{query}", "/tableau-de-bord/?annee&filters", b"Tableau de bord")

    @task(2)
    def bilan_page(self):
        self.page(f"/bilan/{random.choice(YEARS)}/", "/bilan/[year]/", b"Bilan")

    @task(2)
    def bilan_json(self):
        self.page(
            f"/bilan/{random.choice(YEARS)}.json",
            "/bilan/[year].json",
            b'"year"',
            content_type="application/json",
        )
