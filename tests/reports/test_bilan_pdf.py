"""The PDF bilan /bilan/YEAR.pdf and `manage.py bilan --format pdf|html`: read back with
pdftotext, it holds every figure of the seed, every section with its page in the table of
contents, the running header and "page x / y"; it is A4, its fonts embedded, its metadata set;
charts are vector SVG, or a visible note when no browser can draw them."""

import logging
import re
import subprocess
import zlib
from collections import OrderedDict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from contratville import roles
from reports import bilan, svg
from tests.reports.bilan_support import (
    FCS_AXES,
    FIGURES_2021,
    FOCUS_2021,
    ROWS_2021,
    SECTION_TITLES_2021,
    SENTENCES_2021,
    demo_2021,
    html_text,
    normalise,
    pdf_info,
    pdf_pages,
    pdf_text,
    signed_in_client,
)

# Every test is a database test, also those that only read the module's rendering: so that
# pytest-django runs them with the other database tests, before the transactional (browser)
# tests flush the database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pdf_2021(django_db_setup, django_db_blocker):
    """/bilan/2021.pdf as the comité downloads it, rendered once for the module."""
    with demo_2021(django_db_blocker):
        response = signed_in_client(roles.COMITE).get("/bilan/2021.pdf")
        assert response.status_code == 200
        return response


@pytest.fixture(scope="module")
def text_2021(pdf_2021):
    return pdf_text(pdf_2021.content)


def test_the_pdf_is_served_as_a_pdf_named_after_its_year(pdf_2021):
    assert pdf_2021["Content-Type"] == "application/pdf"
    assert pdf_2021["Content-Disposition"] == 'inline; filename="bilan-contrat-de-ville-2021.pdf"'
    assert pdf_2021.content.startswith(b"%PDF-")


@pytest.mark.parametrize("figure", FIGURES_2021)
def test_the_pdf_holds_every_2021_figure(text_2021, figure):
    assert figure in text_2021


@pytest.mark.parametrize("row", ROWS_2021)
def test_the_pdf_tables_hold_the_seed_rows(text_2021, row):
    assert row in text_2021


@pytest.mark.parametrize("sentence", SENTENCES_2021)
def test_the_pdf_says_what_the_seed_says(text_2021, sentence):
    assert sentence in text_2021


@pytest.mark.parametrize("title", SECTION_TITLES_2021)
def test_the_pdf_holds_every_section_title(text_2021, title):
    assert title in text_2021


def test_the_pdf_names_the_focus_operators_and_the_fcs_axes(pdf_2021, text_2021):
    for expected in FOCUS_2021:
        assert expected in text_2021
    # The axes are printed in two columns: read in the document's order, not line by line.
    in_order = pdf_text(pdf_2021.content, layout=False)
    for axis in FCS_AXES:
        assert axis in in_order


def test_the_pdf_shows_the_fcs_envelope_and_its_use(text_2021):
    # The demonstration's only envelope: the FCS's 92 921 €, all of it granted (the seed).
    assert "Les enveloppes des financeurs" in text_2021
    assert re.search(r"Enveloppe\s+Engagé\s+Reste\s+Taux d'engagement", text_2021)
    assert re.search(r"92 921 €\s+92 921 €\s+0 ?€\s+100 %", text_2021)


def test_the_pdf_holds_the_fonds_de_concours_projects(text_2021):
    for project in (
        "Rénovation de la salle Mancey",
        "Création d'une aire de jeux – terrasses Basly",
        "Création d'une maison de la solidarité",
    ):
        assert project in text_2021


def test_the_table_of_contents_gives_each_section_its_page(pdf_2021):
    pages = pdf_pages(pdf_2021.content)
    toc = pages[1]
    assert toc.startswith("CABBALR · Contrat de Ville · bilan 2021")
    assert "Sommaire" in toc
    for number, section in enumerate(bilan.sections(2021), start=1):
        match = re.search(rf"{number}\. {re.escape(section.title)}[ .]*?(\d+) ", toc)
        assert match, f"{section.title} absent du sommaire"
        page = int(match.group(1))
        # The section's title opens the page the table of contents names.
        assert section.title in pages[page - 1], f"{section.title} pas en page {page}"


def test_every_page_but_the_cover_has_the_running_header_and_page_x_of_y(pdf_2021):
    pages = pdf_pages(pdf_2021.content)
    total = len(pages)
    assert total > 12
    assert "page 1 /" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert page.startswith("CABBALR · Contrat de Ville · bilan 2021")
        assert page.endswith(f"page {number} / {total}")


def test_the_cover_page(pdf_2021):
    cover = pdf_pages(pdf_2021.content)[0]
    assert "Communauté d'Agglomération de Béthune-Bruay, Artois Lys Romane" in cover
    assert "La mise en œuvre du Contrat de Ville en 2021" in cover
    assert "Comité de pilotage du 30 juin 2022" in cover


def test_the_table_header_repeats_on_each_page_of_the_annex(pdf_2021):
    pages = [p for p in pdf_pages(pdf_2021.content) if "Annexe : les dossiers programmés" in p]
    assert len(pages) > 3
    for page in pages[1:]:
        assert "N° Action et porteur Financeurs Total" in page


def test_the_pdf_is_a4_with_its_metadata_and_embedded_fonts(pdf_2021):
    info = pdf_info(pdf_2021.content)
    assert info["Title"] == "La mise en œuvre du Contrat de Ville en 2021"
    assert info["Author"] == "Communauté d'Agglomération de Béthune-Bruay, Artois Lys Romane"
    assert "A4" in info["Page size"]
    assert info["Tagged"] == "yes"
    assert b"/Lang (fr)" in _inflated(pdf_2021.content)
    fonts = subprocess.run(["pdffonts", "-"], input=pdf_2021.content, capture_output=True, check=True)
    rows = fonts.stdout.decode().splitlines()[2:]
    assert rows and any("Open-Sans" in row for row in rows)
    for row in rows:
        assert row.split()[-5] == "yes", f"police non incorporée : {row}"


def test_the_charts_are_vector_drawings(pdf_2021):
    # Three SVG charts drawn as vectors: their axis labels and legends are text in the PDF.
    text = pdf_text(pdf_2021.content)
    assert "Crédits spécifiques Droit commun" in text or "Droit commun Crédits spécifiques" in text
    images = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf_2021.content, capture_output=True, check=True
    )
    assert len(images.stdout.decode().splitlines()) == 2  # header lines only: no bitmap
    assert "Graphique non disponible" not in text


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (the catalogue sits in an object stream)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(parts)


# A year with no data -----------------------------------------------------------------------


def test_a_year_with_no_data_gives_a_short_correct_pdf():
    response = signed_in_client(roles.COMITE).get("/bilan/2030.pdf")
    assert response.status_code == 200
    pages = pdf_pages(response.content)
    text = " ".join(pages)
    assert len(pages) <= 5  # cover, contents, and a few pages
    assert "La mise en œuvre du Contrat de Ville en 2030" in text
    for title in SECTION_TITLES_2021:
        assert title.replace("2021", "2030") in text
    assert "Aucun dossier n'a été déposé pour l'année 2030." in text
    assert "Aucun avis enregistré pour cette année." in text
    assert "2 030" not in text


# Without a browser -------------------------------------------------------------------------


@pytest.mark.slow
def test_without_a_browser_the_pdf_keeps_its_tables_and_says_where_a_chart_is_missing(
    monkeypatch, caplog, settings
):
    from tests.factories import FundingLineFactory

    FundingLineFactory()  # a programmed dossier of 2021, so that the pilier charts exist
    monkeypatch.setattr(svg, "_cache", OrderedDict())
    monkeypatch.setattr(svg, "get_renderer", lambda: svg.ChartRenderer("/nulle-part/chromium"))
    with caplog.at_level(logging.WARNING, logger="reports.svg"):
        pdf = bilan.render_pdf(2021)
    text = pdf_text(pdf)
    assert text.count("Graphique non disponible dans ce document") == 3
    assert "Contributions par pilier du Contrat de Ville, programmation 2021" in text
    assert any("Graphique du bilan non dessiné" in r.getMessage() for r in caplog.records)


# Who may download it -----------------------------------------------------------------------


@pytest.mark.parametrize("group, expected", [(roles.COMITE, 200), (roles.AGENT, 200), (None, 403)])
def test_the_pdf_needs_the_view_bilan_permission(group, expected, user_in):
    client = Client()
    client.force_login(user_in(group))
    assert client.get("/bilan/2030.pdf").status_code == expected


def test_anonymous_visitors_get_no_pdf():
    response = Client().get("/bilan/2021.pdf")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


# The command -------------------------------------------------------------------------------


def test_the_command_writes_the_pdf_to_a_file(tmp_path):
    target = tmp_path / "bilan.pdf"
    call_command("bilan", "2030", "--format", "pdf", "--output", str(target), stderr=StringIO())
    assert target.read_bytes().startswith(b"%PDF-")
    assert "La mise en œuvre du Contrat de Ville en 2030" in pdf_text(target.read_bytes())


def test_the_command_prints_the_pdf_bytes_on_a_binary_stdout(capfdbinary):
    call_command("bilan", "2030", "--format", "pdf")
    out = capfdbinary.readouterr().out
    assert out.startswith(b"%PDF-") and out.rstrip().endswith(b"%%EOF")


def test_the_command_refuses_a_pdf_on_a_text_stream():
    with pytest.raises(CommandError, match="--output"):
        call_command("bilan", "2030", "--format", "pdf", stdout=StringIO())


def test_the_command_writes_a_standalone_html_document(tmp_path):
    target = tmp_path / "bilan.html"
    call_command("bilan", "2030", "--format", "html", "--output", str(target), stderr=StringIO())
    content = target.read_text(encoding="utf-8")
    assert content.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in content
    assert "<style>" in content and "@page" in content  # no stylesheet to fetch
    assert "<script" not in content
    text = html_text(content)
    assert "La mise en œuvre du Contrat de Ville en 2030" in text
    assert normalise("Aucun avis enregistré pour cette année.") in text


def test_the_command_prints_html_on_stdout():
    out = StringIO()
    call_command("bilan", "2030", "--format", "html", stdout=out)
    assert "Sommaire" in out.getvalue()
