"""Writes of the compte-rendu financier (CERFA 15059): its header, its accounts and the dossier's
indicators' achieved values saved together, and the rule that a dossier is `justifie` only with
a complete compte-rendu.

Rules: a compte-rendu is written for a programmed or justified dossier (a `solde` one is closed);
amounts are positive, beneficiaries consistent (QPV, women and men, age bands within the total);
an indicator belongs to the dossier; the compte-rendu's version is checked (an edit never
overwrites another user's silently). Everything in one transaction, in the audit trail."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from projects.models import Indicator, Project, Status

from .models import ACCOUNTS, CHARGE_ACCOUNTS, CompteRendu, CompteRenduLine

EDITABLE = (Status.PROGRAMME, Status.JUSTIFIE)
HEADER_FIELDS = (
    "received_on",
    "held_from",
    "held_to",
    "assessment",
    "beneficiaries",
    "beneficiaries_qpv",
    "women",
    "men",
    *CompteRendu.AGE_FIELDS,
)


class StaleCompteRenduError(ValidationError):
    def __init__(self):
        super().__init__(
            "Ce compte-rendu a été modifié par quelqu'un d'autre entre-temps : rechargez la page, "
            "rien n'a été enregistré.",
            code="stale",
        )


@transaction.atomic
def compte_rendu_save(
    *,
    project: Project,
    user,
    header: dict,
    accounts: dict[str, tuple[Decimal | None, Decimal | None]],
    achieved: dict[int, Decimal | None] | None = None,
    version: int | None,
) -> CompteRendu:
    """Saves the dossier's compte-rendu: `header` (HEADER_FIELDS), `accounts` (account →
    (planned, actual); both empty removes the account), `achieved` (indicator id → achieved
    value). `version` is the compte-rendu's as the form showed it (None for a new one)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(
            "Le dossier est au statut « %(status)s » : le compte-rendu se saisit sur un dossier "
            "programmé ou justifié.",
            params={"status": locked.get_status_display()},
            code="not_editable",
        )
    compte_rendu = CompteRendu.objects.filter(project=locked).first()
    if compte_rendu is None:
        if version is not None:
            raise StaleCompteRenduError()
        compte_rendu = CompteRendu(project=locked)
    elif version != compte_rendu.version:
        raise StaleCompteRenduError()
    else:
        compte_rendu.version += 1
    for name in HEADER_FIELDS:
        if name in header:
            value = header[name]
            setattr(compte_rendu, name, (value or "").strip() if name == "assessment" else value)
    unknown = sorted(set(accounts) - set(ACCOUNTS))
    if unknown:
        raise ValidationError(
            f"Compte inconnu : « {unknown[0]} » (comptes possibles : {', '.join(ACCOUNTS)}).", code="account"
        )
    for account, (planned, actual) in accounts.items():
        for value in (planned, actual):
            if value is not None and value < 0:
                raise ValidationError(
                    {f"{account}": f"{ACCOUNTS[account]} : les montants sont positifs ou nuls."}
                )
    compte_rendu.updated_by = user
    compte_rendu.full_clean(exclude=["project", "updated_by"])
    compte_rendu._history_user = user
    compte_rendu._change_reason = "Compte-rendu financier saisi"
    compte_rendu.save()

    existing = {line.account: line for line in compte_rendu.lines.all()}
    for account, (planned, actual) in accounts.items():
        line = existing.get(account)
        if planned is None and actual is None:
            if line is not None:
                line._history_user = user
                line.delete()
            continue
        if line is None:
            line = CompteRenduLine(compte_rendu=compte_rendu, account=account)
        if (line.planned, line.actual) != (planned, actual) or line.pk is None:
            line.planned, line.actual = planned, actual
            line._history_user = user
            line.save()

    if achieved:
        indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=list(achieved))}
        for indicator_id, value in achieved.items():
            indicator = indicators.get(indicator_id)
            if indicator is None or indicator.project_id != locked.pk:
                raise ValidationError(
                    f"L'indicateur n° {indicator_id} n'appartient pas au dossier {locked.reference}.",
                    code="indicator",
                )
            if value is not None and value < 0:
                raise ValidationError(
                    {f"indicateur-{indicator_id}": "La valeur atteinte est positive ou nulle."}
                )
            if indicator.achieved != value:
                indicator.achieved = value
                indicator._history_user = user
                indicator.save(update_fields=["achieved"])
    return compte_rendu


def require_compte_rendu(project: Project) -> None:
    """The guard of the move to `justifie` (registered by funding.apps): a complete compte-rendu."""
    compte_rendu = CompteRendu.objects.filter(project_id=project.pk).prefetch_related("lines").first()
    if compte_rendu is None or not compte_rendu.is_complete:
        raise ValidationError(
            "Le dossier ne peut être marqué justifié sans son compte-rendu financier complet "
            "(date de réception, bilan qualitatif et charges réalisées).",
            code="compte_rendu_missing",
        )


def due_date(project: Project) -> date:
    """A compte-rendu is due within six months after the end of the action's year."""
    return date(project.year_id + 1, 6, 30)


def account_totals(lines) -> dict[str, Decimal]:
    """Charges and produits, planned and actual, summed from the lines (Decimal; zero when none)."""
    totals = {key: Decimal("0.00") for key in ("charges_planned", "charges_actual", "products_planned",
                                               "products_actual")}  # fmt: skip
    for line in lines:
        side = "charges" if line.account in CHARGE_ACCOUNTS else "products"
        totals[f"{side}_planned"] += line.planned or 0
        totals[f"{side}_actual"] += line.actual or 0
    return totals


def late_compte_rendu_projects(today: date | None = None):
    """Programmed dossiers (not yet justified) whose compte-rendu is due (six months after the
    end of the action's year) and not complete: the follow-up's « comptes-rendus en retard »,
    and the dossier filter `compte_rendu=en_retard`. One query, as a subquery where filtered."""
    today = today or timezone.localdate()
    # Due on 30 June of the year after the action's: past for the years up to `last_due`.
    last_due = today.year - 2 if today <= date(today.year, 6, 30) else today.year - 1
    complete = CompteRendu.objects.filter(project=OuterRef("pk"), received_on__isnull=False).exclude(
        assessment=""
    ).filter(Exists(CompteRenduLine.objects.filter(compte_rendu=OuterRef("pk"), actual__isnull=False,
                                                   account__in=list(CHARGE_ACCOUNTS))))  # fmt: skip
    return Project.objects.filter(status=Status.PROGRAMME, year_id__lte=last_due).exclude(Exists(complete))
