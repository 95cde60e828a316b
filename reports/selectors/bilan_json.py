"""The bilan in machine-readable form (`/bilan/YEAR.json`, `manage.py bilan YEAR --format json`):
the figures of `figures_of_years`, amounts and percentages as the plain strings of
contratville/formatting.py ("6931463.00", "59.6")."""

from contratville.formatting import plain_amount, plain_percent
from contratville.versioning import Versions, cache_key, remembered
from funding.selectors import set_envelopes

from .evaluation import EvaluationRow, evaluation
from .figures import figures_of_years


def bilan_as_json(year: int, *, versions: Versions | None = None) -> dict:
    """The bilan in the form of docs/contracts.md §4 (amounts and percentages as strings); its
    figures, envelopes and evaluation from the cache when `versions` is given."""
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
        # The envelopes' use and the evaluation, kept in the cache beside the figures (under the
        # versions of the year and the year before, which the evaluation compares with).
        **(
            _envelopes_and_evaluation(year)
            if versions is None
            else remembered(
                cache_key("bilan-json-envelopes-evaluation", year, versions.of(year, year - 1)),
                lambda: _envelopes_and_evaluation(year),
            )
        ),
    }


def _envelopes_and_evaluation(year: int) -> dict:
    return {
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
        "evaluation": evaluation_as_json(year),
    }


def _row(row: EvaluationRow) -> dict:
    return {
        "expected": row.expected,
        "justified": row.justified,
        "justified_percent": plain_percent(row.justified_percent),
        "planned_charges": plain_amount(row.planned_charges),
        "actual_charges": plain_amount(row.actual_charges),
        "realisation_percent": plain_percent(row.realisation_percent),
        "beneficiaries": row.beneficiaries,
        "beneficiaries_qpv": row.beneficiaries_qpv,
        "qpv_percent": plain_percent(row.qpv_percent),
        "women": row.women,
        "men": row.men,
    }


def evaluation_as_json(year: int) -> dict:
    """The `evaluation` key of docs/contracts.md §4: the year's totals, by pilier, by quartier,
    and the year before's totals."""
    data = evaluation(year)
    return {
        **_row(data.total),
        "piliers": [{"code": p.code, "label": p.label, **_row(p)} for p in data.pillars],
        "quartiers": [
            {
                "code": q.code,
                "name": q.label,
                "dossiers": q.expected,
                "beneficiaries": q.beneficiaries,
                "beneficiaries_qpv": q.beneficiaries_qpv,
            }
            for q in data.quartiers
        ],
        "previous_year": _row(data.previous.total) if data.previous else None,
    }
