"""The four roles of docs/contracts.md §2 as Django groups with their permissions.

The groups are (re)built after every `migrate`, so that every database has them and a new
permission reaches its role without a manual step."""

from django.contrib.auth.models import Group, Permission

AGENT = "Chargés de mission"
DIRECTION = "Direction"
COMITE = "Comité de pilotage"
ADMINISTRATEUR = "Administrateurs"

_READ_REFERENCE = [
    "projects.view_pillar",
    "projects.view_theme",
    "projects.view_commune",
    "projects.view_quartier",
    "projects.view_funder",
    "projects.view_programmeyear",
]
_AGENT = [
    *_READ_REFERENCE,
    "projects.view_project",
    "projects.add_project",
    "projects.change_project",
    "projects.view_operator",
    "projects.add_operator",
    "projects.change_operator",
    "projects.view_indicator",
    "projects.add_indicator",
    "projects.change_indicator",
    "projects.delete_indicator",
    "projects.view_statuschange",
    "projects.import_projects",
    "projects.export_projects",
    "projects.view_bilan",
    "projects.view_fundingline",
    "projects.add_fundingline",
    "projects.change_fundingline",
    "projects.delete_fundingline",
    "funding.view_fondsdeconcours",
    "funding.view_envelope",
    # Preparing the comités: séances, their agenda, scenarios.
    "comites.view_seance",
    "comites.add_seance",
    "comites.change_seance",
    "comites.view_agendaitem",
    "comites.add_agendaitem",
    "comites.delete_agendaitem",
    "comites.view_scenario",
    "comites.add_scenario",
    "comites.change_scenario",
    "comites.view_scenarioopinion",
    "comites.change_scenarioopinion",
    "comites.view_scenarioline",
    "comites.change_scenarioline",
    "comites.view_fundingdecision",
    # The dossier's pieces: upload, download, withdraw (documents).
    "documents.view_document",
    "documents.add_document",
    "documents.delete_document",
    "documents.view_checklist",
    # Letters to the porteurs: generated and sent by the agents (courriers).
    "courriers.view_letter",
    "courriers.add_letter",
    "courriers.send_letter",
    "courriers.view_letterbatch",
    "courriers.add_letterbatch",
    "courriers.view_lettersending",
    # Payments of the lines the agglomeration pays: scheduled, recorded, cancelled (funding).
    "funding.view_payment",
    "funding.add_payment",
    "funding.change_payment",
    # The porteurs' comptes-rendus financiers (CERFA 15059) and their indicators (funding).
    "funding.view_compterendu",
    "funding.add_compterendu",
    "funding.change_compterendu",
]
_DIRECTION = [
    *_AGENT,
    "projects.decide_project",
    "projects.delete_project",
    "projects.change_programmeyear",
    "projects.change_bilan_texts",
    "funding.add_fondsdeconcours",
    "funding.change_fondsdeconcours",
    "funding.delete_fondsdeconcours",
    "funding.add_envelope",
    "funding.change_envelope",
    "funding.delete_envelope",
    # The subsidies' open data (SCDL), published by the direction.
    "funding.export_scdl",
    # Only the direction applies a comité's decision.
    "comites.apply_scenario",
    "comites.delete_scenario",
    # The checklists of required pieces, per porteur type and year.
    "documents.change_checklist",
    # Only the direction writes the letters' templates.
    "courriers.view_lettertemplate",
    "courriers.add_lettertemplate",
    "courriers.change_lettertemplate",
    "courriers.view_lettertemplateversion",
    "courriers.add_lettertemplateversion",
]
# The comité reads its séances, their scenarios and documents, and the envelopes; nothing of the
# dossiers' pieces.
_COMITE = [
    *_READ_REFERENCE,
    "projects.view_bilan",
    "funding.view_envelope",
    "comites.view_seance",
    "comites.view_scenario",
    "comites.view_fundingdecision",
]

ROLES: dict[str, list[str]] = {AGENT: _AGENT, DIRECTION: _DIRECTION, COMITE: _COMITE, ADMINISTRATEUR: []}


def is_administrator(user) -> bool:
    """The administrator's role: an active account that is a superuser or in the Administrateurs
    group. Only this role enters the Django admin (contratville/admin_site.py); `is_staff` grants
    nothing. The answer is kept on the user object for the rest of the request."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_contratville_is_administrator", None)
    if cached is None:
        cached = user.groups.filter(name=ADMINISTRATEUR).exists()
        user._contratville_is_administrator = cached
    return cached


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = [
        permission
        for permission in Permission.objects.select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Permissions inconnues : {sorted(missing)}")
    return found


def ensure_roles() -> dict[str, Group]:
    """Create or update the role groups; administrators get every permission."""
    groups = {}
    for name, permission_names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        if name == ADMINISTRATEUR:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(_permissions(permission_names))
        groups[name] = group
    return groups
