"""`load_demo`: accounts, the two demonstration years, idempotent."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from contratville import roles
from funding.models import CompteRendu, FondsDeConcours, Payment
from projects.models import FundingLine, Indicator, Operator, ProgrammeYear, Project, Quartier, Status

pytestmark = pytest.mark.django_db


def _load(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _state():
    return (
        list(
            Project.objects.order_by("id").values_list(
                "id", "reference", "title", "status", "description", "is_focus"
            )
        ),
        list(
            FundingLine.objects.order_by("id").values_list(
                "id", "project_id", "amount_requested", "amount_granted"
            )
        ),
        list(Operator.objects.order_by("id").values_list("id", "name", "kind", "siret")),
        list(FondsDeConcours.objects.order_by("id").values_list("commune__name", "project_title", "amount")),
        list(Indicator.objects.order_by("id").values_list("project__reference", "label", "achieved")),
        list(Operator.objects.order_by("id").values_list("id", "rna")),
        list(
            Payment.objects.order_by("id").values_list("funding_line_id", "kind", "state", "planned_amount")
        ),
        list(CompteRendu.objects.order_by("id").values_list("project_id", "beneficiaries", "version")),
    )


def test_the_demonstration_accounts_sign_in_with_their_roles(settings):
    output = _load(settings)
    assert "contratville-demo" in output
    for login, group in [("agent", roles.AGENT), ("direction", roles.DIRECTION), ("comite", roles.COMITE)]:
        user = authenticate(username=login, password="contratville-demo")
        assert user is not None, login
        assert list(user.groups.values_list("name", flat=True)) == [group]
    admin = authenticate(username="admin", password="contratville-demo")
    assert admin.is_superuser and admin.is_staff
    # Only the administrator enters the Django admin; the others need no staff status.
    for login in ("agent", "direction", "comite"):
        user = authenticate(username=login, password="contratville-demo")
        assert (user.is_staff, user.is_superuser) == (False, False), login


def test_a_database_loaded_before_loses_the_old_staff_status_of_agent_and_direction(settings):
    _load(settings)
    User = get_user_model()
    User.objects.filter(username__in=["agent", "direction"]).update(is_staff=True)

    _load(settings)

    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]


def test_loading_twice_changes_nothing(settings):
    _load(settings)
    before = _state()
    output = _load(settings)
    assert "0 créé(s), 0 mis à jour, 143 inchangé(s)" in output
    assert _state() == before


def test_the_seeds_real_dossiers_carry_its_focus_texts_and_the_others_say_they_are_illustrative(settings):
    _load(settings)
    focus = list(Project.objects.filter(year_id=2021, is_focus=True).order_by("focus_order"))
    assert [p.title for p in focus] == [
        "Qualification des Aidants Numériques",
        "Lutte contre les discriminations",
        "Job & Go ! De l'Artois à l'Europe pour l'emploi",
        "Mission d'appui aux équipes des Programmes de Réussite Educative (PRE)",
    ]
    assert [p.operator.name for p in focus] == [
        "Dév And You",
        "CABBALR",
        "Association Léo-Lagrange",
        "CABBALR",
    ]
    assert [p.partner for p in focus] == ["", "Extracité", "", "aZ Etudes et Conseils"]
    assert "42 aidants numériques" in focus[0].focus_results
    assert focus[0].indicators.get().achieved == 42
    illustrative = Project.objects.exclude(pk__in=[p.pk for p in focus])
    assert illustrative.count() == Project.objects.count() - 4
    assert not illustrative.exclude(description__startswith="Dossier illustratif").exists()
    year = ProgrammeYear.objects.get(year=2021)
    assert "Mont-Liébaut" in year.pnru_text
    assert "Franck LAINE" in year.organisation_text
    assert "31 décembre 2023" in year.perspectives_text
    assert sorted(year.priority_themes.values_list("code", flat=True)) == ["1.1", "1.5", "2.1"]


def test_every_fcs_dossier_has_an_axis_and_the_seeds_21_quartiers_are_there(settings):
    _load(settings)
    fcs = Project.objects.filter(
        year_id=2021, funding_lines__funder__code="cabbalr_fcs", funding_lines__amount_granted__gt=0
    ).programmed()
    assert fcs.count() == 22
    assert not fcs.filter(fcs_axis="").exists()
    assert set(fcs.values_list("fcs_axis", flat=True)) == {
        "conseils_citoyens",
        "action_intercommunale",
        "petites_associations",
        "qualification",
        "inclusion_numerique",
    }
    assert Quartier.objects.count() == 21
    assert Quartier.objects.filter(kind="qpv").count() == 16
    assert not Quartier.objects.filter(kind="veille").exclude(name__contains="nom non publié").exists()


def test_the_demonstration_closes_its_year_as_the_workflow_asks(settings):
    """Justified and closed dossiers have a complete compte-rendu; closed ones are paid in full
    (the rules of funding.compte_rendu_services and payment_services); the evaluation of 2021
    adds up their comptes-rendus."""
    from funding.compte_rendu_services import require_compte_rendu
    from funding.payment_services import require_payments_complete
    from reports.selectors import evaluation

    _load(settings)
    closed = list(Project.objects.filter(status__in=(Status.JUSTIFIE, Status.SOLDE)))
    assert closed
    for project in closed:
        require_compte_rendu(project)
        if project.status == Status.SOLDE:
            require_payments_complete(project)
    total = evaluation(2021).total
    reports = CompteRendu.objects.filter(project__year_id=2021)
    assert total.beneficiaries == sum(r.beneficiaries for r in reports) > 0
    assert total.justified == reports.count()
    assert 90 <= total.realisation_percent <= 105
