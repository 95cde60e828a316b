"""Time and memory of the letters (courriers): one letter, then a comité's batch of 150.

    .venv/bin/python bench/letters.py [--dossiers 150]

A throw-away SQLite database is created and migrated; a comité of `--dossiers` dossiers (each
with two or three funders; one in ten refused) is held and its decision applied. Printed:
- one letter (PDF of a notification), the first in the process and then warm (median of 5);
- the batch: every letter of the comité generated and stored (services.batch_generate), then
  the ZIP (one PDF per dossier) and the single PDF of all of them;
- the process's peak resident memory (resource.getrusage), which includes Django and WeasyPrint.
Targets (issue 14): one letter ≤ 1 s, a batch of 150 ≤ 60 s, ≤ 400 MB. Other processes on the
machine lengthen the wall-clock times, not the CPU times, printed beside them.
"""

import argparse
import datetime
import os
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_comite(count: int):
    """A held comité of `count` dossiers, its decision applied."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from comites.models import SeanceKind, SeanceState
    from comites.services import (
        agenda_add_projects,
        scenario_apply,
        scenario_create,
        scenario_opinion_update,
        seance_change_state,
        seance_create,
    )
    from contratville import roles
    from projects.models import Funder, FundingLine, Operator, Pillar, ProgrammeYear, Project, Status, Theme

    direction = get_user_model().objects.create(username="bench-direction")
    direction.groups.add(Group.objects.get(name=roles.DIRECTION))
    ProgrammeYear.objects.get_or_create(year=2021)
    pillar, theme = Pillar.objects.get(code="cohesion_sociale"), Theme.objects.get(code="1.1")
    funders = list(Funder.objects.filter(code__in=["anct", "cabbalr_fcs", "region", "departement"]))
    projects = []
    for number in range(1, count + 1):
        operator = Operator.objects.create(
            name=f"Association de quartier n° {number}",
            kind="association",
            email=f"association-{number}@example.org",
            address_line=f"{number} rue des Écoles",
            postal_code="62400",
            city="Béthune",
            representative_name="Mme Claire Vasseur",
            representative_title="Présidente",
        )
        project = Project.objects.create(
            year_id=2021,
            reference=f"PV2021-{number:03d}",
            title=f"Action de quartier n° {number}",
            operator=operator,
            pillar=pillar,
            theme=theme,
            status=Status.EN_INSTRUCTION,
        )
        for position, funder in enumerate(funders[: 2 + number % 3]):
            FundingLine.objects.create(
                project=project,
                funder=funder,
                nature=funder.default_nature,
                amount_requested=Decimal(1000 + 37 * number + 250 * position)
                + Decimal("0.40") * (number % 2),
                position=position,
            )
        projects.append(project)
    seance = seance_create(year=2021, date=datetime.date(2021, 3, 4), kind=SeanceKind.COMITE_PROGRAMMATION)
    agenda_add_projects(seance=seance, project_ids=[p.pk for p in projects])
    scenario = scenario_create(seance=seance, name="Proposition")
    for project in projects[::10]:
        scenario_opinion_update(
            scenario=scenario, project=project, opinion="defavorable", comment="", version=1
        )
    seance_change_state(seance=seance, state=SeanceState.TENU)
    scenario_apply(scenario=scenario, user=direction)
    return seance, direction, projects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=150, help="dossiers of the comité (150)")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="bench-courriers-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contratville.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    from courriers import services
    from courriers.models import LetterTemplate

    print("Base jetable : migrate + un comité…", flush=True)
    with open(os.devnull, "w") as devnull:
        call_command("migrate", verbosity=0, stdout=devnull)
    seance, user, projects = build_comite(args.dossiers)
    notification = LetterTemplate.objects.get(kind="notification")
    refus = LetterTemplate.objects.get(kind="refus")
    programmed = next(p for p in projects if p.pk != projects[0].pk)

    def timed(function):
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        return result, time.perf_counter() - start, time.process_time() - cpu

    def one_letter():
        _version, _rendered, pdf = services.render_pdf(project=programmed, template=notification)
        assert pdf.startswith(b"%PDF-")

    _, first, first_cpu = timed(one_letter)
    warm = [timed(one_letter)[1:] for _ in range(5)]
    print(
        f"Un courrier (notification, PDF) : 1er du processus {first:.2f} s (CPU {first_cpu:.2f} s) ; "
        f"à chaud, médiane {statistics.median(w for w, _ in warm):.2f} s "
        f"(CPU {statistics.median(c for _, c in warm):.2f} s)"
    )

    batch, wall, cpu = timed(
        lambda: services.batch_generate(
            seance=seance, programmed_template=notification, refused_template=refus, user=user
        )
    )
    count = batch.letters.count()
    print(
        f"Lot de {count} courriers (générés et enregistrés) : {wall:.1f} s (CPU {cpu:.1f} s), "
        f"soit {wall / count:.2f} s par courrier"
    )
    archive, wall, cpu = timed(lambda: services.batch_zip(batch))
    print(
        f"  archive ZIP (un PDF par dossier) : {wall:.1f} s (CPU {cpu:.1f} s), {len(archive) / 2**20:.1f} Mio"
    )
    combined, wall, cpu = timed(lambda: services.batch_combined_pdf(batch))
    print(f"  PDF unique : {wall:.1f} s (CPU {cpu:.1f} s), {len(combined) / 2**20:.1f} Mio")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Pic de mémoire résidente du processus : {rss:.0f} Mio")
    print("Objectifs : un courrier ≤ 1 s ; un lot de 150 ≤ 60 s ; ≤ 400 Mo.")
    workdir.cleanup()


if __name__ == "__main__":
    main()
