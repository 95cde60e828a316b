"""Writes of the letters: templates and their versions, a dossier's letter, a séance's batch of
letters, and their sending by e-mail.

- A template's text is checked before it is saved (`merge.validate_text`): an unknown merge
  field is refused with its name, and nothing is saved.
- A batch renders every letter first, then writes them all in one transaction: an error on one
  dossier leaves no batch and no letter.
- Sending: the letters whose porteur has no valid contact e-mail are listed first
  (`batch_recipients`), and a batch sends only the letters the user confirmed. Each e-mail is a
  `LetterSending` (who, when, to whom, the letter and so its template's version), tried up to
  `LETTER_SEND_ATTEMPTS` times with a growing delay; a failure is recorded with its error and
  can be sent again.

The batch functions take a `progress(done, total)` callback and return plain results, so that a
task queue can run them outside the request when the project has one."""

import hashlib
import logging
import smtplib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from comites.models import Seance, dossier_label
from projects.models import Project

from . import documents, merge, selectors
from .models import (
    Applicability,
    Letter,
    LetterBatch,
    LetterSending,
    LetterTemplate,
    LetterTemplateVersion,
    SendingStatus,
)

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    pass


# Templates ---------------------------------------------------------------------------------


def check_version_texts(*, subject: str, body: str) -> dict[str, list[str]]:
    """The French messages of what is wrong in a version's texts, by field."""
    errors = {}
    if subject_errors := merge.check_text(subject, subject=True):
        errors["subject"] = subject_errors
    if body_errors := merge.check_text(body):
        errors["body"] = body_errors
    return errors


@transaction.atomic
def template_version_create(
    *,
    template: LetterTemplate,
    subject: str,
    body: str,
    signatory_name: str = "",
    signatory_title: str = "",
    user: AbstractBaseUser | None = None,
) -> LetterTemplateVersion:
    """A new current version of `template`. Refused, with nothing saved, when a text holds an
    unknown merge field (named in the message) or anything but merge fields between braces."""
    errors = check_version_texts(subject=subject, body=body)
    if errors:
        raise ValidationError(errors)
    template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
    last = template.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = LetterTemplateVersion(
        template=template,
        number=last + 1,
        subject=subject.strip(),
        body=body.strip(),
        signatory_name=signatory_name.strip(),
        signatory_title=signatory_title.strip(),
        created_by=user,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def template_create(
    *,
    kind: str,
    name: str,
    applies_to: str,
    subject: str,
    body: str,
    signatory_name: str = "",
    signatory_title: str = "",
    user: AbstractBaseUser | None = None,
) -> LetterTemplate:
    """A new kind of letter with its first version."""
    template = LetterTemplate(kind=kind, name=name, applies_to=applies_to)
    template.full_clean()
    template.save()
    template_version_create(
        template=template,
        subject=subject,
        body=body,
        signatory_name=signatory_name,
        signatory_title=signatory_title,
        user=user,
    )
    return template


# Letters -----------------------------------------------------------------------------------


def status_error(template: LetterTemplate, project: Project) -> str | None:
    """Why this letter does not fit the dossier's status (French), or None when it does."""
    if template.fits(project):
        return None
    wanted = "programmé" if template.applicability == Applicability.PROGRAMMED else "refusé"
    return (
        f"Le dossier {dossier_label(project)} est « {project.get_status_display().lower()} » : "
        f"le modèle « {template.name} » ne s'écrit que pour un dossier {wanted}."
    )


def current_version_or_error(template: LetterTemplate) -> LetterTemplateVersion:
    version = template.current_version()
    if version is None:
        raise ValidationError(f"Le modèle « {template.name} » n'a encore aucun texte enregistré.")
    return version


def render_pdf(
    *, project: Project, template: LetterTemplate, seance: Seance | None = None
) -> tuple[LetterTemplateVersion, documents.RenderedLetter, bytes]:
    """One dossier's letter from the current version of `template`, not recorded (the command's
    and the generation's common part). The dossier must fit the template."""
    project = selectors.letter_projects().get(pk=project.pk)
    if error := status_error(template, project):
        raise ValidationError(error)
    version = current_version_or_error(template)
    (data,) = selectors.letter_data([project], seance=seance)
    rendered = documents.render_letter(data, version)
    return version, rendered, documents.letter_pdf(rendered)


def _letter(*, project, version, rendered, pdf, user, seance=None, batch=None) -> Letter:
    return Letter(
        project=project,
        template_version=version,
        batch=batch,
        seance=seance,
        subject=rendered.subject[:500],
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        created_by=user,
    )


def letter_generate(
    *, project: Project, template: LetterTemplate, user: AbstractBaseUser | None, seance: Seance | None = None
) -> Letter:
    """A dossier's letter, generated and kept (its PDF as made, its version)."""
    version, rendered, pdf = render_pdf(project=project, template=template, seance=seance)
    letter = _letter(project=project, version=version, rendered=rendered, pdf=pdf, user=user, seance=seance)
    letter.save()
    return letter


@dataclass
class BatchPlan:
    """What a séance's batch would hold: each dossier with its template, and the dossiers that
    get no letter (ajourné, or no template chosen for their decision)."""

    items: list[tuple[selectors.SeanceDossier, LetterTemplate]] = field(default_factory=list)
    without_letter: list[selectors.SeanceDossier] = field(default_factory=list)


def batch_plan(
    *, seance: Seance, programmed_template: LetterTemplate | None, refused_template: LetterTemplate | None
) -> BatchPlan:
    plan = BatchPlan()
    templates = {Applicability.PROGRAMMED: programmed_template, Applicability.REFUSED: refused_template}
    for dossier in selectors.seance_dossiers(seance):
        applicability = dossier.letter_applicability
        template = templates.get(applicability) if applicability else None
        if template is None:
            plan.without_letter.append(dossier)
        else:
            plan.items.append((dossier, template))
    return plan


def batch_generate(
    *,
    seance: Seance,
    programmed_template: LetterTemplate | None,
    refused_template: LetterTemplate | None,
    user: AbstractBaseUser | None,
    progress: Progress = _no_progress,
) -> LetterBatch:
    """The letters of a séance's decisions: the programmed dossiers get `programmed_template`
    (a notification or a convention), the refused ones `refused_template`. Every letter is
    rendered before anything is written; then the batch and its letters are written in one
    transaction."""
    for template, applicability in (
        (programmed_template, Applicability.PROGRAMMED),
        (refused_template, Applicability.REFUSED),
    ):
        if template is not None and template.applicability != applicability:
            raise ValidationError(
                f"Le modèle « {template.name} » ne s'écrit pas pour les {applicability.label.lower()}."
            )
    plan = batch_plan(
        seance=seance, programmed_template=programmed_template, refused_template=refused_template
    )
    if not plan.items:
        raise ValidationError(
            "Aucun courrier à générer : la séance n'a décidé d'aucun dossier programmé ou refusé "
            "pour les modèles choisis."
        )
    versions = {t.pk: current_version_or_error(t) for t in {t for _, t in plan.items}}
    data = {
        d.project.pk: d
        for d in selectors.letter_data([item.project for item, _ in plan.items], seance=seance)
    }
    total = len(plan.items)
    progress(0, total)
    letters = []
    today = timezone.localdate()
    for done, (dossier, template) in enumerate(plan.items, start=1):
        version = versions[template.pk]
        rendered = documents.render_letter(data[dossier.project.pk], version, today=today)
        pdf = documents.letter_pdf(rendered)
        letters.append(
            _letter(
                project=dossier.project, version=version, rendered=rendered, pdf=pdf, user=user, seance=seance
            )
        )
        progress(done, total)
    with transaction.atomic():
        batch = LetterBatch.objects.create(
            seance=seance,
            programmed_template=programmed_template,
            refused_template=refused_template,
            created_by=user,
        )
        for letter in letters:
            letter.batch = batch
        Letter.objects.bulk_create(letters, batch_size=50)
    return batch


def batch_zip(batch: LetterBatch) -> bytes:
    letters = batch.letters.select_related("project", "template_version__template").order_by(
        "project__pillar__order", "project__reference", "pk"
    )
    return documents.zip_of(
        (letter.filename, bytes(letter.pdf)) for letter in letters.iterator(chunk_size=20)
    )


def batch_combined_pdf(batch: LetterBatch) -> bytes:
    letters = batch.letters.order_by("project__pillar__order", "project__reference", "pk")
    return documents.combined_pdf(
        bytes(pdf) for pdf in letters.values_list("pdf", flat=True).iterator(chunk_size=20)
    )


# Sending -----------------------------------------------------------------------------------


def recipient_error(letter: Letter) -> str | None:
    """Why the letter cannot be e-mailed (French), or None."""
    operator = letter.project.operator
    if not operator.email:
        return f"Le porteur « {operator.name} » n'a pas de courriel de contact."
    try:
        validate_email(operator.email)
    except ValidationError:
        return f"Le courriel de contact du porteur « {operator.name} » n'est pas valide : {operator.email}."
    return None


@dataclass
class Recipients:
    """A batch's letters before sending: those that can go, those that cannot (no valid
    contact e-mail), those already sent."""

    ready: list[Letter] = field(default_factory=list)
    missing: list[tuple[Letter, str]] = field(default_factory=list)
    already_sent: list[Letter] = field(default_factory=list)


def _is_sent(letter: Letter) -> bool:
    return any(s.status == SendingStatus.SENT for s in letter.sendings.all())


def batch_recipients(batch: LetterBatch) -> Recipients:
    result = Recipients()
    for letter in selectors.batch_letters(batch):
        if _is_sent(letter):
            result.already_sent.append(letter)
        elif error := recipient_error(letter):
            result.missing.append((letter, error))
        else:
            result.ready.append(letter)
    return result


def _message(letter: Letter, recipient: str, connection) -> EmailMessage:
    project = letter.project
    body = render_to_string(
        "courriers/email.txt",
        {
            "letter": letter,
            "project": project,
            "agglomeration_name": settings.AGGLOMERATION_NAME,
        },
    )
    reply_to = getattr(settings, "LETTER_REPLY_TO", "")
    message = EmailMessage(
        subject=letter.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[reply_to] if reply_to else None,
        connection=connection,
    )
    message.attach(letter.filename, bytes(letter.pdf), "application/pdf")
    return message


def _error_text(exc: Exception) -> str:
    """The mail server's answer as a person reads it: « 554 5.7.1 Message refusé »."""
    if isinstance(exc, smtplib.SMTPResponseException):
        message = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return f"Le serveur de messagerie a répondu {exc.smtp_code} {message}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "Le serveur de messagerie a refusé le destinataire : " + ", ".join(
            f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        )
    if isinstance(exc, OSError):
        return f"Serveur de messagerie injoignable ({type(exc).__name__} : {exc})"
    return f"{type(exc).__name__} : {exc}"


def _retry_delays() -> list[float]:
    attempts = max(1, int(getattr(settings, "LETTER_SEND_ATTEMPTS", 3)))
    base = float(getattr(settings, "LETTER_SEND_RETRY_DELAY", 2.0))
    return [base * 2**n for n in range(attempts - 1)]


def letter_send(
    *,
    letter: Letter,
    user: AbstractBaseUser | None,
    connection=None,
    sleep: Callable[[float], None] = time.sleep,
) -> LetterSending:
    """E-mail the letter to its porteur's contact address, with its PDF attached. Tried again
    after a growing delay when the server fails (LETTER_SEND_ATTEMPTS, LETTER_SEND_RETRY_DELAY);
    the sending records every attempt's outcome. A letter without a valid address is refused
    before anything is recorded."""
    letter = (
        Letter.objects.select_related("project__operator", "template_version__template")
        .prefetch_related("sendings")
        .get(pk=letter.pk)
    )
    if error := recipient_error(letter):
        raise ValidationError(error)
    recipient = letter.project.operator.email
    sending = LetterSending.objects.create(letter=letter, recipient=recipient, sent_by=user)
    own_connection = connection is None
    connection = connection or get_connection()
    delays = _retry_delays()
    try:
        for attempt in range(1, len(delays) + 2):
            sending.attempts = attempt
            try:
                _message(letter, recipient, connection).send(fail_silently=False)
            except Exception as exc:  # noqa: BLE001 - any failure of the mail server is recorded
                sending.error = _error_text(exc)[:2000]
                logger.warning(
                    "Envoi du courrier %s à %s, tentative %s : %s", letter.pk, recipient, attempt, exc
                )
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 - a broken connection may fail to close
                    pass
                if attempt <= len(delays):
                    sleep(delays[attempt - 1])
                    continue
                sending.status = SendingStatus.FAILED
            else:
                sending.status, sending.error, sending.sent_at = SendingStatus.SENT, "", timezone.now()
            break
    finally:
        if own_connection:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
        sending.save(update_fields=["status", "attempts", "error", "sent_at"])
    return sending


@dataclass
class SendResult:
    sent: list[LetterSending] = field(default_factory=list)
    failed: list[LetterSending] = field(default_factory=list)
    skipped: list[tuple[Letter, str]] = field(default_factory=list)


def batch_send(
    *,
    batch: LetterBatch,
    letter_ids: Iterable[int],
    user: AbstractBaseUser | None,
    progress: Progress = _no_progress,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Send the batch's letters that the user confirmed (`letter_ids`, from the confirmation
    page that listed the dossiers without e-mail). A letter already sent, or whose porteur lost
    its address since, is skipped and reported; the others share one SMTP connection."""
    confirmed = set(letter_ids)
    recipients = batch_recipients(batch)
    result = SendResult(
        skipped=[(letter, error) for letter, error in recipients.missing if letter.pk in confirmed]
    )
    todo = [letter for letter in recipients.ready if letter.pk in confirmed]
    progress(0, len(todo))
    connection = get_connection()
    try:
        for done, letter in enumerate(todo, start=1):
            sending = letter_send(letter=letter, user=user, connection=connection, sleep=sleep)
            (result.sent if sending.status == SendingStatus.SENT else result.failed).append(sending)
            progress(done, len(todo))
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
    return result
