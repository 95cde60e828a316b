"""Data versions (the tokens of the figures' cache)."""

from django.db import models


class DataVersion(models.Model):
    """A random token per programme year (key "2024") and one for the data every year shares
    (key "global": piliers, thématiques, funders, quartiers, communes).

    Database triggers (migration reports 0001) give a key a new token in the same transaction as any
    insert, update, delete or truncate of the data its figures are computed from, whatever
    writes it (forms, import, admin, raw SQL). The dashboard keeps its figures in a cache keyed
    on these tokens (`contratville.versioning`), so a figure computed before a change is never served
    after it. Tokens are random, never counters: a rolled-back transaction cannot hand its token
    to other data."""

    key = models.CharField(max_length=16, primary_key=True)
    token = models.CharField(max_length=36)

    class Meta:
        # Created by reports 0001, which declares the triggers that renew the tokens.
        db_table = "reports_dataversion"
        verbose_name = "version des données"
        verbose_name_plural = "versions des données"

    def __str__(self) -> str:
        return f"{self.key}: {self.token}"
