"""`manage.py load_demo`: the demonstration accounts and programme (idempotent).

Loads the 2020 and 2021 programmes from fixtures/demo/ through the import service, then the
years' settings, the bilan's texts, the focus actions and the fonds de concours. Refused when
DEBUG is off: the demonstration accounts share a published password."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Sum
from django.utils.text import slugify

from contratville import roles
from funding.envelope_services import envelope_set
from funding.models import CompteRendu, FondsDeConcours, Payment, PaymentKind, PaymentState
from projects.imports.service import programmation_import
from projects.models import (
    Commune,
    FcsAxis,
    Funder,
    FundingLine,
    Indicator,
    Operator,
    OperatorKind,
    ProgrammeYear,
    Project,
    Quartier,
    QuartierKind,
    Status,
    Theme,
)
from projects.validators import luhn_is_valid

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_PASSWORD = "contratville-demo"
ACCOUNTS = [
    # login, first name, last name, group, is_staff, is_superuser. Only the administrator enters
    # the Django admin (contratville/admin_site.py); the others work in the application's pages.
    ("agent", "Camille", "Agent (démo)", roles.AGENT, False, False),
    ("direction", "Dominique", "Direction (démo)", roles.DIRECTION, False, False),
    ("comite", "Claude", "Comité (démo)", roles.COMITE, False, False),
    ("admin", "Alex", "Administrateur (démo)", roles.ADMINISTRATEUR, True, True),
]
VEILLE_COUNT = 5
# The dossiers that the 2021 bilan names; every other demonstration dossier is invented.
REAL_REFERENCES = {"PV2021-001", "PV2021-002", "PV2021-003", "PV2021-004"}
ILLUSTRATIVE = (
    "Dossier illustratif de démonstration : son intitulé, son porteur et ses montants sont "
    "inventés. Seuls les totaux de l'année reproduisent le bilan publié."
)
REAL = (
    "Action réelle citée dans le bilan 2021 de la CABBALR ; ses montants sont illustratifs, "
    "les totaux de l'année reproduisent le bilan publié."
)
# The porteurs' contact details for the letters: fictitious (streets, people, e-mail addresses at
# example.org), in the agglomeration's towns with their real postal codes.
DEMO_TOWNS = [
    ("Béthune", "62400"),
    ("Bruay-La-Buissière", "62700"),
    ("Auchel", "62260"),
    ("Lillers", "62190"),
    ("Noeux-les-Mines", "62290"),
    ("Divion", "62460"),
    ("Calonne-Ricouart", "62470"),
    ("Marles-les-Mines", "62540"),
    ("Barlin", "62620"),
    ("Houdain", "62150"),
    ("Beuvry", "62660"),
]
DEMO_STREETS = [
    "rue des Tilleuls",
    "avenue de la République",
    "rue Jean Jaurès",
    "place du Marché",
    "rue des Écoles",
    "rue Victor Hugo",
    "boulevard Émile Zola",
    "rue du 8 Mai 1945",
    "rue des Mineurs",
    "allée des Peupliers",
]
# (name, feminine): every person is invented.
DEMO_PEOPLE = [
    ("Mme Claire Vasseur", True),
    ("M. Karim Benali", False),
    ("Mme Nadia Lefebvre", True),
    ("M. Julien Caron", False),
    ("Mme Sophie Delattre", True),
    ("M. Thomas Duhamel", False),
    ("Mme Amina Kaci", True),
    ("M. Pierre Leroy", False),
    ("Mme Isabelle Fontaine", True),
    ("M. Olivier Masson", False),
]
DEMO_TITLES = {
    OperatorKind.ASSOCIATION: ("Président", "Présidente"),
    OperatorKind.COMMUNE: ("Maire", "Maire"),
    OperatorKind.EPCI: ("Président", "Présidente"),
    OperatorKind.BAILLEUR: ("Directeur général", "Directrice générale"),
    OperatorKind.ETABLISSEMENT_PUBLIC: ("Directeur", "Directrice"),
    OperatorKind.ENTREPRISE: ("Gérant", "Gérante"),
}
YEAR_DATE_FIELDS = ["call_opens_on", "call_closes_on", "programming_committee_on", "steering_committee_on"]


class Command(BaseCommand):
    help = "Charge les comptes et la programmation de démonstration (2020 et 2021)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Les données de démonstration sont refusées quand DEBUG est désactivé : "
                "leurs comptes ont un mot de passe public."
            )
        years = json.loads((DEMO_DIR / "annees.json").read_text(encoding="utf-8"))["years"]
        with transaction.atomic():
            self._accounts()
            self._year_dates(years)
            for path in sorted(DEMO_DIR.glob("programmation_*.csv")):
                # Without a user: the operator's import of the command line, every status allowed.
                result = programmation_import(content=path.read_bytes(), filename=path.name)
                if not result.ok:
                    raise CommandError("\n".join(str(issue) for issue in result.errors))
                self.stdout.write(f"{path.name} : {result.summary()}")
            self._veille_quartiers()
            self._operator_contacts()
            self._identifiers()
            self._payments()
            self._comptes_rendus()
            self._fcs_axes()
            self._years(years)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write("Comptes de démonstration (mot de passe : contratville-demo) :")
        for login, _, _, group, *_ in ACCOUNTS:
            self.stdout.write(f"  {login:<10} {group}")

    def _accounts(self):
        groups = roles.ensure_roles()
        User = get_user_model()
        for login, first_name, last_name, group, is_staff, is_superuser in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=login,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "is_staff": is_staff,
                    "is_superuser": is_superuser,
                    "email": f"{login}@example.org",
                },
            )
            # Accounts loaded by an earlier version (agent and direction were staff) are brought up to date.
            flags_changed = (user.is_staff, user.is_superuser) != (is_staff, is_superuser)
            user.is_staff, user.is_superuser = is_staff, is_superuser
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save()
            elif flags_changed:
                user.save(update_fields=["is_staff", "is_superuser"])
            user.groups.add(groups[group])

    def _veille_quartiers(self):
        # The seed counts "21 quartiers concernés dont 16 QPV"; public sources do not name the
        # 5 quartiers de veille, so the demonstration holds placeholders that say so.
        for n in range(1, VEILLE_COUNT + 1):
            Quartier.objects.update_or_create(
                local_code=f"VEILLE-{n}",
                defaults={
                    "kind": QuartierKind.VEILLE,
                    "name": f"Quartier de veille active n° {n} (nom non publié)",
                },
            )

    def _operator_contacts(self):
        """Fictitious postal addresses, representatives and contact e-mails for the porteurs'
        letters; a porteur's own details, once entered, are kept."""
        for index, operator in enumerate(Operator.objects.order_by("name", "pk")):
            town, postal_code = next(
                ((t, c) for t, c in DEMO_TOWNS if operator.name.endswith(t)),
                DEMO_TOWNS[index % len(DEMO_TOWNS)],
            )
            person, feminine = DEMO_PEOPLE[index % len(DEMO_PEOPLE)]
            masculine_title, feminine_title = DEMO_TITLES.get(operator.kind, ("Directeur", "Directrice"))
            wanted = {
                "email": f"{slugify(operator.name)[:50].strip('-') or 'porteur'}@example.org",
                "address_line": f"{index % 40 + 1} {DEMO_STREETS[index % len(DEMO_STREETS)]}",
                "postal_code": postal_code,
                "city": town,
                "representative_name": person,
                "representative_title": feminine_title if feminine else masculine_title,
            }
            missing = {name: value for name, value in wanted.items() if not getattr(operator, name)}
            if missing:
                for name, value in missing.items():
                    setattr(operator, name, value)
                operator.save(update_fields=[*missing, "updated_at"])

    def _identifiers(self):
        """Fictitious identifiers for the open data (SCDL): an RNA number for each association
        without a SIRET, a Luhn-valid SIRET (SIREN 9 9 9…) for any other porteur without one.
        None of them is real; a porteur's own identifiers, once entered, are kept."""
        for index, operator in enumerate(
            Operator.objects.filter(siret="", rna="").order_by("name", "pk"), start=1
        ):
            if operator.kind == OperatorKind.ASSOCIATION:
                operator.rna = f"W62{index:07d}"
                operator.save(update_fields=["rna", "updated_at"])
            elif operator.name != settings.AGGLOMERATION_SHORT_NAME:
                operator.siret = _demo_siret(index)
                operator.save(update_fields=["siret", "updated_at"])

    def _payments(self):
        """The schedule of the agglomeration's lines on the programmed dossiers: an advance of
        60 % a month after the decision and the balance the following spring, both paid for a
        soldé dossier, the advance only otherwise. Written once (a line with payments keeps them)."""
        lines = (
            FundingLine.objects.filter(
                funder__paid_by_agglomeration=True,
                amount_granted__gt=0,
                project__status__in=Status.programmed(),
                project__decision_date__isnull=False,
                payments__isnull=True,
            )
            .select_related("project")
            .order_by("project__year", "project__reference", "position")
        )
        payments = []
        for line in lines:
            decided = line.project.decision_date
            advance = (line.amount_granted * Decimal("0.6")).quantize(Decimal("0.01"))
            advance_on = decided + datetime.timedelta(days=30)
            balance_on = datetime.date(decided.year + 1, 4, 15)
            closed = line.project.status == Status.SOLDE
            payments.append(Payment(funding_line=line, kind=PaymentKind.AVANCE, planned_on=advance_on,
                                    planned_amount=advance, state=PaymentState.VERSE, paid_on=advance_on,
                                    paid_amount=advance))  # fmt: skip
            balance = line.amount_granted - advance
            if balance > 0:
                payments.append(
                    Payment(funding_line=line, kind=PaymentKind.SOLDE, planned_on=balance_on, planned_amount=balance,
                            state=PaymentState.VERSE if closed else PaymentState.PREVU,
                            paid_on=balance_on if closed else None, paid_amount=balance if closed else None)
                )  # fmt: skip
        Payment.objects.bulk_create(payments)

    def _comptes_rendus(self):
        """Illustrative comptes-rendus financiers for the justified and closed dossiers (the
        workflow asks one of them): dates, a short assessment, beneficiaries and the staff and
        purchase charges planned and actual, from each dossier's granted total. Figures are made
        up, the same on every load; a dossier's own compte-rendu, once entered, is kept."""
        projects = (
            Project.objects.filter(status__in=(Status.JUSTIFIE, Status.SOLDE), compte_rendu__isnull=True)
            .annotate(granted=Sum("funding_lines__amount_granted"))
            .order_by("year", "reference")
        )
        for index, project in enumerate(projects):
            total = project.granted or Decimal("0.00")
            beneficiaries = 20 + (index * 37) % 180
            qpv = beneficiaries * (60 + index % 35) // 100
            women = beneficiaries * (45 + index % 20) // 100
            compte_rendu = CompteRendu.objects.create(
                project=project,
                received_on=datetime.date(project.year_id + 1, 4 + index % 3, 1 + index % 27),
                held_from=datetime.date(project.year_id, 1 + index % 3, 4),
                held_to=datetime.date(project.year_id, 10 + index % 3, 28),
                assessment="Compte-rendu de démonstration : action menée comme prévu, public atteint.",
                beneficiaries=beneficiaries,
                beneficiaries_qpv=qpv,
                women=women,
                men=beneficiaries - women,
            )
            staff = (total * Decimal("0.7")).quantize(Decimal("0.01"))
            ratio = Decimal(90 + index % 16) / 100  # realised 90 % to 105 % of the plan
            compte_rendu.lines.create(
                account="64", planned=staff, actual=(staff * ratio).quantize(Decimal("0.01"))
            )
            compte_rendu.lines.create(
                account="60",
                planned=total - staff,
                actual=((total - staff) * ratio).quantize(Decimal("0.01")),
            )
            compte_rendu.lines.create(account="74", planned=total, actual=total)

    def _fcs_axes(self):
        """Spread the demonstration's FCS dossiers over the fund's five axes (illustrative)."""
        axes = FcsAxis.values
        fcs_projects = (
            Project.objects.programmed()
            .filter(funding_lines__funder__code=Funder.CABBALR_FCS, funding_lines__amount_granted__gt=0)
            .exclude(reference__in=REAL_REFERENCES)  # their axis comes with their focus texts
            .distinct()
            .order_by("year_id", "reference")
        )
        for index, project in enumerate(fcs_projects):
            if project.fcs_axis != axes[index % len(axes)]:
                project.fcs_axis = axes[index % len(axes)]
                project.save(update_fields=["fcs_axis"])

    def _year_dates(self, years: list[dict]):
        """The years and their dates before their dossiers: a dossier imported as decided takes
        its year's committee date as its decision date."""
        for spec in years:
            year, _ = ProgrammeYear.objects.get_or_create(year=spec["year"])
            dates = {name: spec.get(name) for name in YEAR_DATE_FIELDS}
            if any(str(getattr(year, name) or "") != str(value or "") for name, value in dates.items()):
                for name, value in dates.items():
                    setattr(year, name, value)
                year.full_clean()
                year.save()

    def _years(self, years: list[dict]):
        for spec in years:
            year, _ = ProgrammeYear.objects.get_or_create(year=spec["year"])
            for name in ProgrammeYear.NARRATIVE_FIELDS:
                setattr(year, name, spec.get(name, ""))
            for name in YEAR_DATE_FIELDS:
                setattr(year, name, spec.get(name))
            envelope = spec.get("fcs_envelope")
            year.fcs_envelope = Decimal(envelope) if envelope is not None else None
            year.full_clean()
            year.save()
            year.priority_themes.set(Theme.objects.filter(code__in=spec["priority_themes"]))
            # The funders' envelopes (the FCS's is the bilan's FCS envelope).
            for item in spec.get("envelopes", []):
                envelope_set(
                    funder=Funder.objects.get(code=item["financeur"]),
                    year=year.year,
                    amount=Decimal(item["montant"]),
                )

            FondsDeConcours.objects.filter(year=year).delete()
            FondsDeConcours.objects.bulk_create(
                FondsDeConcours(
                    year=year,
                    commune=Commune.objects.get(insee_code=item["commune"]),
                    project_title=item["project"],
                    amount=Decimal(item["amount"]),
                    order=order,
                )
                for order, item in enumerate(spec.get("fonds_de_concours", []), start=1)
            )

            projects = Project.objects.filter(year=year)
            projects.exclude(reference__in=REAL_REFERENCES).update(description=ILLUSTRATIVE)
            projects.filter(reference__in=REAL_REFERENCES).update(description=REAL)
            for order, focus in enumerate(spec.get("focus", []), start=1):
                project = projects.get(reference=focus["reference"])
                project.is_focus = True
                project.focus_order = order
                project.partner = focus.get("partner", "")
                if "fcs_axis" in focus:
                    project.fcs_axis = focus["fcs_axis"]
                project.focus_description = focus["description"]
                project.focus_results = focus["results"]
                project.focus_objective = focus["objective"]
                project.expected_results = focus["objective"]
                project.achieved_results = focus["results"]
                project.save()
                project.indicators.all().delete()
                Indicator.objects.bulk_create(
                    Indicator(
                        project=project,
                        label=i["label"],
                        unit=i["unit"],
                        expected=Decimal(i["expected"]),
                        achieved=Decimal(i["achieved"]),
                    )
                    for i in focus.get("indicators", [])
                )


def _demo_siret(index: int) -> str:
    """A fictitious SIRET (SIREN 999 99x xxx) whose Luhn key is right."""
    stem = f"99999{index:04d}0001"
    return next(f"{stem}{last}" for last in range(10) if luhn_is_valid(f"{stem}{last}"))
