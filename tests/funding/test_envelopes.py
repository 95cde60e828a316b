"""The funders' envelopes: the model's rules, the writes, `envelope_usage` and the command
`manage.py enveloppes YEAR --format json` (docs/contracts.md §6), on the demonstration and on a
year imported from a file."""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from contratville.models import DataVersion
from funding.envelope_services import envelope_remove, envelope_set
from funding.models import Envelope
from funding.selectors import envelope_usage
from projects.imports.service import programmation_import
from projects.models import Status
from reports.selectors import bilan_as_json
from tests.factories import (
    FundingLineFactory,
    ProgrammeYearFactory,
    ProjectFactory,
    UserFactory,
    funder,
    pillar,
)

pytestmark = pytest.mark.django_db


def enveloppes(year: int) -> list[dict]:
    out = io.StringIO()
    call_command("enveloppes", str(year), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def by_funder(rows: list[dict]) -> dict[str, dict]:
    return {row["financeur"]: row for row in rows}


# The contract on the demonstration and on an imported year --------------------------------


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def test_the_demonstration_keeps_the_seeds_fcs_envelope(demo):
    rows = enveloppes(2021)
    bilan = bilan_as_json(2021)

    fcs = by_funder(rows)["cabbalr_fcs"]
    assert fcs["montant"] == "92921.00"
    assert fcs["engage"] == bilan["fcs"]["granted"]
    assert Decimal(fcs["reste"]) == Decimal("92921.00") - Decimal(bilan["fcs"]["granted"])
    assert bilan["fcs"]["envelope"] == "92921.00"
    assert Envelope.objects.get(funder__code="cabbalr_fcs", year_id=2021, pillar=None).amount == Decimal(
        "92921.00"
    )


def test_the_demonstrations_engaged_amounts_add_up_to_the_bilans_total(demo):
    rows = enveloppes(2021)
    assert sum(Decimal(row["engage"]) for row in rows) == Decimal(bilan_as_json(2021)["total"])
    # Every funder without an envelope: montant and reste are null, never 0.
    anct = by_funder(rows)["anct"]
    assert anct["montant"] is None and anct["reste"] is None
    assert set(anct) == {"financeur", "annee", "montant", "engage", "reste"}
    assert anct["annee"] == 2021


def test_the_list_follows_the_funders_order(demo):
    from projects.models import Funder

    codes = [row["financeur"] for row in enveloppes(2021)]
    order = list(Funder.objects.order_by("order", "code").values_list("code", flat=True))
    assert codes == [code for code in order if code in codes]


IMPORTED = (
    "annee;numero_dossier;intitule;porteur;type_porteur;pilier;thematique;statut;financeur;"
    "montant_demande;montant_accorde\n"
    "2024;E-1;Atelier numérique;Association A;association;cohesion_sociale;1.1;programme;anct;"
    "10 000,00;8 000,50\n"
    "2024;E-1;Atelier numérique;Association A;association;cohesion_sociale;1.1;programme;caf;"
    "2000;1500\n"
    "2024;E-2;Chantier d'insertion;Association B;association;emploi;2.1;programme;anct;5000;4000\n"
    "2024;E-3;Projet refusé;Association C;association;emploi;2.1;refuse;anct;9000;\n"
    "2024;E-4;Projet en instruction;Association D;association;emploi;2.1;en_instruction;anct;7000;\n"
)


def test_an_imported_year_with_an_envelope_set_afterwards():
    result = programmation_import(content=IMPORTED.encode(), filename="2024.csv")
    assert result.ok, [str(e) for e in result.errors]
    envelope_set(funder=funder("anct"), year=2024, amount=Decimal("10000"))

    assert enveloppes(2024) == [
        {
            "financeur": "anct",
            "annee": 2024,
            "montant": "10000.00",
            "engage": "12000.50",
            "reste": "-2000.50",
        },
        {"financeur": "caf", "annee": 2024, "montant": None, "engage": "1500.00", "reste": None},
    ]


def test_a_year_with_nothing_gives_an_empty_list():
    assert enveloppes(2030) == []


def test_an_envelope_without_any_grant_is_listed():
    envelope_set(funder=funder("region"), year=2025, amount=Decimal("50000"))
    assert enveloppes(2025) == [
        {"financeur": "region", "annee": 2025, "montant": "50000.00", "engage": "0.00", "reste": "50000.00"}
    ]


def test_only_programmed_dossiers_engage():
    year = ProgrammeYearFactory(year=2023)
    for status in Status.values:
        FundingLineFactory(
            project=ProjectFactory(year=year, status=status),
            funder=funder("anct"),
            amount_granted=Decimal("100.00"),
        )
    # programmé, justifié and soldé (docs/domain.md §2).
    [usage] = envelope_usage(2023)
    assert usage.engage == Decimal("300.00")


# The envelope by pilier --------------------------------------------------------------------


def test_the_split_by_pilier_is_read_against_the_pilier_s_grants():
    year = ProgrammeYearFactory(year=2023)
    FundingLineFactory(
        project=ProjectFactory(year=year, pillar=pillar("cohesion_sociale")),
        funder=funder("anct"),
        amount_granted=Decimal("700.00"),
    )
    envelope_set(funder=funder("anct"), year=2023, amount=Decimal("1000"))
    envelope_set(funder=funder("anct"), year=2023, amount=Decimal("600"), pillar=pillar("cohesion_sociale"))

    [usage] = envelope_usage(2023)
    parts = {p.code: p for p in usage.pillars}
    assert parts["cohesion_sociale"].montant == Decimal("600.00")
    assert parts["cohesion_sociale"].engage == Decimal("700.00")
    assert parts["cohesion_sociale"].reste == Decimal("-100.00")
    assert parts["emploi"].montant is None and parts["emploi"].reste is None
    assert usage.reste == Decimal("300.00") and not usage.over_committed


def test_a_split_needs_the_whole_envelope_first():
    with pytest.raises(ValidationError) as error:
        envelope_set(funder=funder("anct"), year=2023, amount=Decimal("600"), pillar=pillar("emploi"))
    assert "Fixez d'abord l'enveloppe entière" in str(error.value)
    assert not Envelope.objects.exists()


def test_a_split_above_the_whole_envelope_is_refused():
    envelope_set(funder=funder("anct"), year=2023, amount=Decimal("1000"))
    envelope_set(funder=funder("anct"), year=2023, amount=Decimal("600"), pillar=pillar("emploi"))
    with pytest.raises(ValidationError) as error:
        envelope_set(
            funder=funder("anct"), year=2023, amount=Decimal("400.01"), pillar=pillar("cadre_de_vie")
        )
    assert "dépasserait l'enveloppe" in str(error.value)
    with pytest.raises(ValidationError) as error:
        envelope_set(funder=funder("anct"), year=2023, amount=Decimal("599.99"))
    assert "inférieure à sa répartition" in str(error.value)
    assert Envelope.objects.totals().get().amount == Decimal("1000.00")


def test_removing_the_whole_envelope_removes_its_split():
    whole = envelope_set(funder=funder("anct"), year=2023, amount=Decimal("1000"))
    envelope_set(funder=funder("anct"), year=2023, amount=Decimal("600"), pillar=pillar("emploi"))
    envelope_remove(envelope=whole)
    assert not Envelope.objects.exists()


# Bad input and the database's rules -------------------------------------------------------


def test_a_negative_envelope_is_refused_with_a_french_message():
    with pytest.raises(ValidationError) as error:
        envelope_set(funder=funder("anct"), year=2023, amount=Decimal("-1"))
    assert "doit être positif ou nul" in str(error.value)
    assert not Envelope.objects.exists()


def test_the_database_refuses_a_negative_amount_and_duplicates():
    year = ProgrammeYearFactory(year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.create(funder=funder("anct"), year=year, amount=Decimal("-5"))
    Envelope.objects.create(funder=funder("anct"), year=year, amount=Decimal("5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.create(funder=funder("anct"), year=year, amount=Decimal("6"))
    Envelope.objects.create(funder=funder("anct"), year=year, pillar=pillar("emploi"), amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.create(
            funder=funder("anct"), year=year, pillar=pillar("emploi"), amount=Decimal("2")
        )


def test_setting_the_same_envelope_again_records_nothing():
    user = UserFactory()
    envelope = envelope_set(funder=funder("caf"), year=2023, amount=Decimal("10"), user=user)
    envelope_set(funder=funder("caf"), year=2023, amount=Decimal("10.00"), user=user)
    assert envelope.history.count() == 1
    assert envelope.history.get().history_user == user


# The bilan's FCS envelope ------------------------------------------------------------------


def test_the_bilan_reads_the_fcs_envelope_and_else_the_years_setting():
    ProgrammeYearFactory(year=2023, fcs_envelope=Decimal("5000.00"))
    assert bilan_as_json(2023)["fcs"]["envelope"] == "5000.00"
    envelope_set(funder=funder("cabbalr_fcs"), year=2023, amount=Decimal("7000"))
    assert bilan_as_json(2023)["fcs"]["envelope"] == "7000.00"
    [usage] = envelope_usage(2023)
    assert usage.montant == Decimal("7000.00")


def test_the_years_fcs_setting_counts_as_the_fcs_envelope_for_the_command():
    ProgrammeYearFactory(year=2023, fcs_envelope=Decimal("5000.00"))
    assert enveloppes(2023) == [
        {
            "financeur": "cabbalr_fcs",
            "annee": 2023,
            "montant": "5000.00",
            "engage": "0.00",
            "reste": "5000.00",
        }
    ]


def test_an_envelope_change_renews_its_years_data_version():
    ProgrammeYearFactory(year=2023)
    before = dict(DataVersion.objects.values_list("key", "token"))
    envelope = envelope_set(funder=funder("cabbalr_fcs"), year=2023, amount=Decimal("7000"))
    after_insert = dict(DataVersion.objects.values_list("key", "token"))
    assert after_insert.get("2023") != before.get("2023")
    Envelope.objects.filter(pk=envelope.pk).update(amount=Decimal("8000"))
    after_update = dict(DataVersion.objects.values_list("key", "token"))
    assert after_update["2023"] != after_insert["2023"]
    assert {k: v for k, v in after_update.items() if k != "2023"} == {
        k: v for k, v in before.items() if k != "2023"
    }


# Performance --------------------------------------------------------------------------------


def _dossiers(n: int) -> None:
    year = ProgrammeYearFactory(year=2023)
    for _ in range(n):
        project = ProjectFactory(year=year)
        FundingLineFactory(project=project, funder=funder("anct"))
        FundingLineFactory(project=project, funder=funder("cabbalr_fcs"))


def test_envelope_usage_runs_the_same_queries_at_any_size(django_assert_num_queries):
    envelope_set(funder=funder("anct"), year=2023, amount=Decimal("1000"))
    _dossiers(2)
    with django_assert_num_queries(5):
        envelope_usage(2023)
    _dossiers(20)
    with django_assert_num_queries(5):
        usages = envelope_usage(2023)
    assert {u.funder_code: u.engage for u in usages} == {
        "anct": Decimal("22000.00"),
        "cabbalr_fcs": Decimal("22000.00"),
    }
