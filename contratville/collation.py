"""French sort order for text ("eau" < "Élysée" < "Zola"), on PostgreSQL and SQLite alike.

PostgreSQL compares with its ICU collation `fr-x-icu` (present in every database of a server
built with ICU, as Debian's is); SQLite gets an equivalent collation registered on each new
connection. Use `french("operator__name")` in `order_by()`."""

import unicodedata

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate

SQLITE_COLLATION = "fr_ci_ai"
POSTGRESQL_COLLATION = "fr-x-icu"


def sort_key(value: str) -> tuple:
    """Accents and case matter only to break ties, as in a French dictionary."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    base = base.replace("œ", "oe").replace("æ", "ae")
    return (base, value.casefold(), value)


def _sqlite_compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _sqlite_compare)


connection_created.connect(register_sqlite_collation, dispatch_uid="contratville_french_collation")


def french(field: str):
    name = POSTGRESQL_COLLATION if connection.vendor == "postgresql" else SQLITE_COLLATION
    return Collate(F(field), name)
