"""A letter as a document: its HTML (the page's preview and the PDF share one template,
`courriers/_letter.html`) and its PDF, laid out by WeasyPrint on A4 in the bilan's typography
(static/css/bilan.css, with courriers-letter.css and courriers-print.css: letterhead, running
header from the second page, "page x / y" footer).

The PDF fetches nothing: the logo is inline (a data URI) and the fetcher refuses every other
scheme, whatever a template's text holds. Stylesheets and fonts are prepared once per process
and shared by every letter, so that a batch of 150 letters lays out letters, not stylesheets."""

import io
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from projects.models import Project
from reports.bilan import html_to_pdf

from . import merge
from .models import LetterTemplateVersion
from .selectors import LetterData, logo_data_uri

PDF_STYLESHEETS = ("css/bilan.css", "css/courriers-letter.css", "css/courriers-print.css")


@dataclass
class RenderedLetter:
    """Everything the letter's template prints."""

    project: Project
    template_name: str
    subject: str
    body: SafeString
    signatory_name: str
    signatory_title: str
    date: date
    recipient_lines: list[str]
    agglomeration_name: str
    agglomeration_address: str
    place: str
    logo: str


def render_letter(
    data: LetterData,
    version: LetterTemplateVersion,
    *,
    subject: str | None = None,
    body: str | None = None,
    today: date | None = None,
) -> RenderedLetter:
    """The letter of one dossier from one version (or from a text being edited: `subject` and
    `body`, for the preview). The texts must have passed `merge.validate_text`."""
    today = today or timezone.localdate()
    values = data.values(version, today=today)
    operator = data.project.operator
    return RenderedLetter(
        project=data.project,
        template_name=version.template.name,
        subject=merge.render_plain(version.subject if subject is None else subject, values),
        body=merge.render_body(version.body if body is None else body, values),
        signatory_name=version.signatory_name,
        signatory_title=version.signatory_title,
        date=today,
        recipient_lines=[operator.name, *operator.postal_address_lines],
        agglomeration_name=settings.AGGLOMERATION_NAME,
        agglomeration_address=getattr(settings, "AGGLOMERATION_ADDRESS", ""),
        place=getattr(settings, "AGGLOMERATION_TOWN", ""),
        logo=logo_data_uri(),
    )


def letter_fragment(letter: RenderedLetter) -> str:
    """The letter as a fragment of a page (the editor's preview)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("courriers/_letter.html", {"letter": letter})


def letter_html(letter: RenderedLetter) -> str:
    """The letter as the standalone document WeasyPrint lays out."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("courriers/letter_pdf.html", {"letter": letter})


class _Resources:
    """WeasyPrint's font configuration and our parsed stylesheets, made once per process."""

    _lock = threading.Lock()
    _value = None

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._value is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                stylesheets = [
                    CSS(string=Path(finders.find(name)).read_text(encoding="utf-8"), font_config=font_config)
                    for name in PDF_STYLESHEETS
                ]
                cls._value = (font_config, stylesheets)
            return cls._value


def url_fetcher():
    """Only data: URIs (the inline logo): a letter's PDF reaches no file and no network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def letter_pdf(letter: RenderedLetter) -> bytes:
    """The letter's PDF: A4, tagged, fonts embedded (reports.bilan.html_to_pdf)."""
    font_config, stylesheets = _Resources.get()
    return html_to_pdf(letter_html(letter), prepared=(font_config, stylesheets), url_fetcher=url_fetcher())


def combined_pdf(pdfs: Iterable[bytes]) -> bytes:
    """Several letters in one PDF, each as it was made (its own pages and page numbers)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_of(files: Iterable[tuple[str, bytes]]) -> bytes:
    """The letters as a ZIP archive, one PDF per dossier (names made unique)."""
    out = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            stem, _, extension = name.rpartition(".")
            unique, number = name, 2
            while unique in seen:
                unique, number = f"{stem}-{number}.{extension}", number + 1
            seen.add(unique)
            archive.writestr(unique, content)
    return out.getvalue()
