"""Backups (`make backup`, `make restore`): a restoration gives back exactly the data of the
backup, on the database the suite runs on (SQLite here, PostgreSQL with pg_dump in CI)."""

import builtins
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from contratville import backups
from projects.imports.service import programmation_import
from projects.models import FundingLine, Operator, OperatorKind, Project
from tests.projects.test_programmation_import import GOOD_ROWS, csv_bytes

ROOT = Path(settings.BASE_DIR)
ENGINE = connection.vendor  # "sqlite" or "postgresql"
# Backing up and restoring go through other connections (pg_dump, pg_restore) or need the
# database outside a transaction (SQLite's backup API): these tests commit for real, and get
# the migrated reference data back before each of them (and after the last: tests/conftest.py).
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fingerprint() -> dict[str, list]:
    """Every row of every table, in primary key order."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list()) for model in apps.get_models()
    }


def only_file(directory: Path) -> Path:
    files = list(directory.iterdir())
    assert len(files) == 1, files
    return files[0]


def build_data():
    """Dossiers with funding lines, operators, status changes, history where it is kept, users."""
    assert programmation_import(content=csv_bytes(GOOD_ROWS), filename="programmation.csv").ok
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][13] = "9 500"  # a re-import changes an amount: more history
    assert programmation_import(content=csv_bytes(rows), filename="programmation.csv").ok
    get_user_model().objects.create_user("agent-sauvegarde", password="un mot de passe assez long")


def change_everything():
    Project.objects.get(reference="D-003").delete()
    line = FundingLine.objects.order_by("pk").first()
    line.amount_granted = 1
    line.save()
    Operator.objects.create(name="Porteur créé après la sauvegarde", kind=OperatorKind.AUTRE)
    get_user_model().objects.filter(username="agent-sauvegarde").delete()


@transactional
def test_a_restore_gives_back_exactly_the_data_of_the_backup(tmp_path):
    build_data()
    saved = fingerprint()
    assert saved["projects.Project"] and saved["projects.FundingLine"] and saved["projects.Operator"]

    call_command("backup_data", output=str(tmp_path / "backups"))
    backup = only_file(tmp_path / "backups")
    assert backup.name.startswith("contratville-")
    assert backup.stat().st_mode & 0o777 == 0o600
    assert backup.parent.stat().st_mode & 0o777 == 0o700

    change_everything()
    changed = fingerprint()
    assert changed != saved

    call_command("restore_data", str(backup), yes=True, output=str(tmp_path / "safety"))
    assert fingerprint() == saved
    # Sequences came back too: new rows get new keys.
    operator = Operator.objects.create(name="Nouveau porteur", kind=OperatorKind.AUTRE)
    assert operator.pk > max(pk for pk, *_ in saved["projects.Operator"])
    operator.delete()

    # What the restoration replaced was saved first, and can be restored in turn.
    call_command("restore_data", str(only_file(tmp_path / "safety")), yes=True, no_safety_backup=True)
    assert fingerprint() == changed


@transactional
@pytest.mark.parametrize("answer", ["non", "", EOFError])
def test_a_restore_not_confirmed_changes_nothing(tmp_path, monkeypatch, answer):
    build_data()
    call_command("backup_data", output=str(tmp_path))
    backup = only_file(tmp_path)
    change_everything()
    changed = fingerprint()

    def ask(prompt):
        assert prompt == "Tapez « oui » pour confirmer : "
        if answer is EOFError:
            raise EOFError
        return answer

    monkeypatch.setattr(builtins, "input", ask)
    with pytest.raises(CommandError, match="^Restauration annulée : rien n'a été modifié.$"):
        call_command("restore_data", str(backup), output=str(tmp_path / "safety"))
    assert fingerprint() == changed
    assert not (tmp_path / "safety").exists()


@transactional
def test_the_backup_is_the_engines_own_format(tmp_path):
    build_data()
    call_command("backup_data", output=str(tmp_path))
    backup = only_file(tmp_path)
    if ENGINE == "postgresql":
        assert backup.suffix == ".dump"
        assert backup.read_bytes().startswith(b"PGDMP")
        listing = subprocess.run(["pg_restore", "--list", str(backup)], capture_output=True, text=True)
        assert listing.returncode == 0
        assert "TABLE DATA public projects_project" in listing.stdout
    else:
        assert backup.suffix == ".sqlite3"
        copy = sqlite3.connect(backup)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("SELECT count(*) FROM projects_project").fetchone() == (3,)
        finally:
            copy.close()


# -- Without a database ------------------------------------------------------------------------


def test_a_missing_file_is_refused():
    with pytest.raises(CommandError, match="^Sauvegarde introuvable : /nulle/part.dump$"):
        call_command("restore_data", "/nulle/part.dump", yes=True)


def test_a_file_that_is_no_backup_is_refused(tmp_path):
    path = tmp_path / "programmation.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS))
    with pytest.raises(CommandError, match="n'est pas une sauvegarde de Contrat de Ville"):
        call_command("restore_data", str(path), yes=True)


def test_a_backup_of_the_other_engine_is_refused(tmp_path):
    path = tmp_path / "autre.bin"
    if ENGINE == "postgresql":
        path.write_bytes(backups.SQLITE_MAGIC + bytes(100))
        expected = (
            "Cette sauvegarde vient d'une base SQLite : elle ne peut être restaurée que dans une base SQLite"
        )
    else:
        path.write_bytes(b"PGDMP" + bytes(100))
        expected = (
            "Cette sauvegarde vient d'une base PostgreSQL : elle ne peut être restaurée que dans une "
            "base PostgreSQL"
        )
    with pytest.raises(CommandError) as info:
        call_command("restore_data", str(path), yes=True)
    assert str(info.value).startswith(expected)


def test_the_postgresql_password_goes_through_the_environment_not_the_command_line(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    db = backups.Database(
        alias="default",
        engine="postgresql",
        name="contratville",
        user="cv",
        password="secret-password",
        host="db.example.org",
        port="5433",
        sslmode="require",
    )
    dump = backups.pg_dump_command(db, Path("backups/x.dump"))
    assert dump == [
        "/usr/bin/pg_dump",
        "--format=custom",
        "--file",
        "backups/x.dump",
        "--no-password",
        "--host",
        "db.example.org",
        "--port",
        "5433",
        "--username",
        "cv",
        "contratville",
    ]
    restore = backups.pg_restore_command(db, Path("backups/x.dump"))
    assert restore[:6] == [
        "/usr/bin/pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
    ]
    assert restore[-3:] == ["--dbname", "contratville", "backups/x.dump"]
    assert all("secret-password" not in argument for argument in dump + restore)
    environment = backups.postgresql_environment(db)
    assert environment["PGPASSWORD"] == "secret-password"
    assert environment["PGSSLMODE"] == "require"


def test_the_database_comes_from_database_url_settings(monkeypatch):
    monkeypatch.setitem(
        settings.DATABASES,
        "default",
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "contratville",
            "USER": "cv",
            "PASSWORD": "p@ss:word",
            "HOST": "127.0.0.1",
            "PORT": 5432,
        },
    )
    db = backups.database()
    assert (db.engine, db.name, db.user, db.password, db.host, db.port) == (
        "postgresql",
        "contratville",
        "cv",
        "p@ss:word",
        "127.0.0.1",
        "5432",
    )
    assert db.label == "PostgreSQL « contratville » (127.0.0.1:5432)"


def test_make_restore_needs_a_file_and_confirms_unless_yes():
    def make(*arguments):
        return subprocess.run(["make", "-n", *arguments], cwd=ROOT, capture_output=True, text=True)

    assert "manage.py backup_data" in make("backup").stdout
    assert (
        'manage.py restore_data "backups/x.dump" --yes'
        in make("restore", "FILE=backups/x.dump", "YES=1").stdout
    )
    asking = make("restore", "FILE=backups/x.dump").stdout
    assert 'manage.py restore_data "backups/x.dump"' in asking and "--yes" not in asking
    missing = subprocess.run(["make", "restore"], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode != 0
    assert "Usage : make restore FILE=backups/… [YES=1]" in missing.stdout


def test_backups_are_not_committed():
    assert "/backups/" in (ROOT / ".gitignore").read_text().splitlines()
