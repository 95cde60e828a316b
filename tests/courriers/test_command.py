"""`manage.py courrier YEAR NUMERO_DOSSIER --modele … --output F.pdf` (README « Les courriers aux porteurs »)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.smtp_server import pdf_text

pytestmark = pytest.mark.django_db


def test_a_notification_names_the_porteur_the_title_each_funder_and_the_total_in_figures_and_words(
    seance, tmp_path
):
    output = tmp_path / "notification.pdf"

    call_command("courrier", "2021", "PV2021-010", "--modele", "notification", "--output", str(output))

    text = pdf_text(output.read_bytes())
    assert "Association Lire et Grandir" in text
    assert "Ateliers numériques & citoyenneté <Cité>" in text
    assert "État – ANCT crédits politique de la ville 5 000,00 €" in text
    assert "Région Hauts-de-France 2 500,00 €" in text
    assert "Total accordé 7 500,00 €" in text
    assert "7 500,00 € (sept mille cinq cents euros)" in text
    assert "réuni le 4 mars 2021" in text
    assert "page 1 / 1" in text


def test_cents_are_written_in_words_too(seance, tmp_path):
    output = tmp_path / "n.pdf"
    call_command("courrier", "2021", "PV2021-030", "--modele", "convention", "--output", str(output))
    text = pdf_text(output.read_bytes())
    assert "1 234,40 € (mille deux cent trente-quatre euros et quarante centimes)" in text
    assert "Convention attributive de subvention" in text


def test_a_refusal_for_a_refused_dossier(seance, tmp_path):
    output = tmp_path / "refus.pdf"
    call_command("courrier", "2021", "PV2021-020", "--modele", "refus", "--output", str(output))
    text = pdf_text(output.read_bytes())
    assert "n'a pas retenu votre demande" in text and "Fête de quartier" in text


def test_an_unknown_dossier_exits_1_with_a_french_message(seance, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command(
            "courrier", "2021", "PV2021-999", "--modele", "notification", "--output", str(tmp_path / "x.pdf")
        )
    assert str(error.value) == "Aucun dossier n° PV2021-999 en 2021."
    assert error.value.returncode == 1
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(("reference", "kind"), [("PV2021-020", "notification"), ("PV2021-010", "refus")])
def test_a_status_that_does_not_fit_the_letter_exits_1(seance, tmp_path, reference, kind):
    with pytest.raises(CommandError) as error:
        call_command("courrier", "2021", reference, "--modele", kind, "--output", str(tmp_path / "x.pdf"))
    assert "ne s'écrit que pour un dossier" in str(error.value)
    assert error.value.returncode == 1
    assert not (tmp_path / "x.pdf").exists()


def test_an_unknown_kind_exits_1(seance, tmp_path):
    with pytest.raises(CommandError, match="Modèle de courrier inconnu : « arrete »"):
        call_command(
            "courrier", "2021", "PV2021-010", "--modele", "arrete", "--output", str(tmp_path / "x.pdf")
        )
