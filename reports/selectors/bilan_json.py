"""The bilan in machine-readable form (`/bilan/YEAR.json`, `manage.py bilan YEAR --format json`):
the figures of `figures_of_years`, amounts and percentages as the plain strings of
contratville/formatting.py ("6931463.00", "59.6")."""

from contratville.formatting import plain_amount, plain_percent
from contratville.versioning import Versions
from funding.selectors import set_envelopes

from .figures import figures_of_years


def bilan_as_json(year: int, *, versions: Versions | None = None) -> dict:
    """The bilan in the form of docs/contracts.md §4 (amounts and percentages as strings); its
    figures from the cache when `versions` is given (`figures_of_years`)."""
    f = figures_of_years([year], versions=versions)[year]
    return {
        "year": f.year,
        "projects_filed": f.projects_filed,
        "projects_programmed": f.projects_programmed,
        "projects_refused": f.projects_refused,
        "projects_supported_anct": f.projects_supported_anct,
        "total": plain_amount(f.total),
        "droit_commun_total": plain_amount(f.droit_commun_total),
        "specific_total": plain_amount(f.specific_total),
        "specific_percent": plain_percent(f.specific_percent),
        "associative_projects": f.associative_projects,
        "piliers": [
            {
                "code": p.code,
                "label": p.label,
                "amount": plain_amount(p.amount),
                "percent": plain_percent(p.percent),
                "droit_commun": plain_amount(p.droit_commun),
                "specifique": plain_amount(p.specifique),
                "associative_projects": p.associative_projects,
                "associative_percent": plain_percent(p.associative_percent),
            }
            for p in f.pillars
        ],
        "priority_themes_percent": plain_percent(f.priority_themes_percent),
        "priority_themes_percent_previous_year": plain_percent(f.priority_themes_percent_previous_year),
        "fcs": {
            "envelope": plain_amount(f.fcs_envelope),
            "projects": f.fcs_projects,
            "granted": plain_amount(f.fcs_granted),
        },
        "fonds_de_concours": {
            "total": plain_amount(f.fonds_de_concours_total),
            "items": [
                {"commune": i.commune, "project": i.project, "amount": plain_amount(i.amount)}
                for i in f.fonds_de_concours
            ],
        },
        "envelopes": [
            {
                "funder": usage.funder_code,
                "label": usage.funder_label,
                "envelope": plain_amount(usage.montant),
                "engaged": plain_amount(usage.engage),
                "remaining": plain_amount(usage.reste),
                "engaged_percent": plain_percent(usage.percent_engaged),
            }
            for usage in set_envelopes(year)
        ],
    }
