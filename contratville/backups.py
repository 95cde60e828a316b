"""Backups of the whole database, and their restoration (`make backup`, `make restore`).

PostgreSQL: `pg_dump --format=custom`, restored by `pg_restore --clean --if-exists` in a single
transaction (all or nothing). SQLite: SQLite's online backup API, a consistent copy of the
database even while the application writes to it, restored the same way.

The connection comes from Django's settings (`DATABASE_URL`); the password goes to the
PostgreSQL tools through `PGPASSWORD`, never on a command line that `ps` would show. A backup
holds personal data: files and folder are readable by their owner only.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

POSTGRESQL_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """The backup or the restoration could not be done; the message is in French."""


@dataclass(frozen=True)
class Database:
    alias: str
    engine: str  # "postgresql" or "sqlite"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    sslmode: str = ""

    @property
    def label(self) -> str:
        if self.engine == "sqlite":
            return f"SQLite {self.name}"
        where = f"{self.host}:{self.port}" if self.host else "socket local"
        return f"PostgreSQL « {self.name} » ({where})"


def database(alias: str = "default") -> Database:
    config = settings.DATABASES[alias]
    engine = config["ENGINE"].rsplit(".", 1)[-1]
    if engine not in ("postgresql", "sqlite3"):
        raise BackupError(f"Moteur de base non pris en charge par la sauvegarde : {config['ENGINE']}.")
    if engine == "sqlite3":
        return Database(alias=alias, engine="sqlite", name=str(config["NAME"]))
    return Database(
        alias=alias,
        engine="postgresql",
        name=config["NAME"],
        user=config.get("USER") or "",
        password=config.get("PASSWORD") or "",
        host=config.get("HOST") or "",
        port=str(config.get("PORT") or ""),
        sslmode=(config.get("OPTIONS") or {}).get("sslmode", ""),
    )


def default_directory() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.BASE_DIR) / "backups")


def _new_path(directory: Path, db: Database) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    stem = Path(db.name).stem if db.engine == "sqlite" else db.name
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem) or "base"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = ".dump" if db.engine == "postgresql" else ".sqlite3"
    path = directory / f"contratville-{stem}-{stamp}{suffix}"
    counter = 1
    while path.exists():
        counter += 1
        path = directory / f"contratville-{stem}-{stamp}-{counter}{suffix}"
    return path


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} est introuvable : installez le paquet postgresql-client.")
    return path


def postgresql_environment(db: Database) -> dict[str, str]:
    env = {**os.environ, "PGPASSWORD": db.password} if db.password else dict(os.environ)
    if db.sslmode:
        env["PGSSLMODE"] = db.sslmode
    return env


def _connection_options(db: Database) -> list[str]:
    options = ["--no-password"]
    if db.host:
        options += ["--host", db.host]
    if db.port:
        options += ["--port", db.port]
    if db.user:
        options += ["--username", db.user]
    return options


def pg_dump_command(db: Database, path: Path) -> list[str]:
    return [_tool("pg_dump"), "--format=custom", "--file", str(path), *_connection_options(db), db.name]


def pg_restore_command(db: Database, path: Path) -> list[str]:
    return [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        *_connection_options(db),
        "--dbname",
        db.name,
        str(path),
    ]


def _run(command: list[str], db: Database, what: str) -> None:
    result = subprocess.run(command, env=postgresql_environment(db), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} a échoué : {result.stderr.strip() or result.stdout.strip()}")


def _sqlite_connection(db: Database) -> sqlite3.Connection:
    """The raw connection Django uses, so that an in-memory database (the tests') works too."""
    connection = connections[db.alias]
    connection.ensure_connection()
    return connection.connection


def backup(directory: Path | None = None, alias: str = "default") -> Path:
    """Write a dated backup of the database into `directory` (backups/ by default); its path."""
    db = database(alias)
    path = _new_path(directory or default_directory(), db)
    try:
        if db.engine == "postgresql":
            _run(pg_dump_command(db, path), db, "pg_dump")
        else:
            target = sqlite3.connect(path)
            try:
                _sqlite_connection(db).backup(target)
            finally:
                target.close()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    path.chmod(0o600)
    return path


def backup_kind(path: Path) -> str:
    with path.open("rb") as file:
        head = file.read(16)
    if head.startswith(POSTGRESQL_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} n'est pas une sauvegarde de Contrat de Ville (ni pg_dump ni SQLite).")


def _check_sqlite_backup(path: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (status,) = source.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"La sauvegarde {path} est illisible : {exc}.") from exc
    if status != "ok":
        raise BackupError(f"La sauvegarde {path} est endommagée : {status}.")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} n'est pas une sauvegarde de Contrat de Ville (aucune table Django).")


def check(path: Path, alias: str = "default") -> Database:
    """Refuse, before anything is touched, a file that is not a backup this database can take."""
    db = database(alias)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Sauvegarde introuvable : {path}")
    kind = backup_kind(path)
    if kind != db.engine:
        source = "PostgreSQL" if kind == "postgresql" else "SQLite"
        raise BackupError(
            f"Cette sauvegarde vient d'une base {source} : elle ne peut être restaurée que dans une base {source} "
            f"(la base configurée est {db.label})."
        )
    if kind == "sqlite":
        _check_sqlite_backup(path)
    return db


def restore(path: Path, alias: str = "default") -> None:
    """Replace the whole database by the backup at `path`. All or nothing."""
    db = check(path, alias)
    if db.engine == "postgresql":
        # pg_restore drops and recreates the tables: Django's own connection must hold nothing.
        connections[alias].close()
        _run(pg_restore_command(db, Path(path)), db, "pg_restore")
    else:
        if connections[alias].in_atomic_block:
            raise BackupError("Restauration impossible au milieu d'une transaction.")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(_sqlite_connection(db))
        finally:
            source.close()
    connections[alias].close()
