"""Figures kept ahead of time, never stale: a cache keyed on the data's versions.

The database renews a year's token (`DataVersion`, key "2024") in the same transaction as any
change to that year's dossiers, funding lines, quartiers, porteurs, settings or fonds de
concours, and the "global" token with any change of the reference data (triggers of migration
reports 0001, and 0002 for the envelopes: docs/architecture.md). A cached value's key names the tokens of every key it was computed from, so a
change gives it a new key and the old value is never read again (it ages out of the cache).

Why it cannot serve a stale figure: the tokens are read *before* the figures are computed.
The figures are then at least as new as the tokens; if a change commits in between, its new
token differs from the one read, and the next request computes again. Tokens are random (never
a counter), so a rolled-back transaction's token is never reused by other data, and two
databases never share one.

Used by the dashboard (each year's figures, the year's credits by area, the page), the bilan
JSON (the same figures) and the dossier list (the count and totals of a filtered set). The cache
is the "figures" alias (settings.CACHES), in each process's memory."""

import hashlib
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.utils.safestring import SafeString, mark_safe

from .models import DataVersion

CACHE_ALIAS = "figures"
# Bump when the shape of a cached value changes (a new field in BilanFigures...), so that a
# process serving both versions (it does not: the cache is in memory) would not mix them.
SCHEMA = "1"
GLOBAL = "global"


@dataclass(frozen=True)
class Versions:
    """The tokens read at one moment: `Versions.read()`."""

    tokens: dict[str, str]

    @classmethod
    def read(cls) -> "Versions":
        return cls(dict(DataVersion.objects.values_list("key", "token")))

    def of(self, *keys: str | int) -> str:
        """The tokens of these keys and of the reference data, as one string."""
        return ".".join(self.tokens.get(str(key), "-") for key in (GLOBAL, *keys))

    def all(self) -> str:
        """A digest of every token: for values that depend on every year (the list of years,
        the history of all years)."""
        text = ";".join(f"{key}={token}" for key, token in sorted(self.tokens.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _cache():
    return caches[CACHE_ALIAS]


def cache_key(kind: str, *parts: Any) -> str:
    raw = "|".join(str(part) for part in parts)
    # Cache keys stay short and free of spaces whatever the scope's values.
    return f"cv:{SCHEMA}:{kind}:{hashlib.sha256(raw.encode()).hexdigest()}"


def remembered(key: str, compute: Callable[[], Any]) -> Any:
    """The value under `key`, computed and kept if absent."""
    cache = _cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value


def remembered_many(keys: dict[Any, str], compute: Callable[[Iterable], dict]) -> dict:
    """`{item: value}` for every item of `keys` ({item: cache key}); the missing ones computed
    together by `compute(items)`, which returns `{item: value}`."""
    cache = _cache()
    found = cache.get_many(list(keys.values()))
    values = {item: found[key] for item, key in keys.items() if key in found}
    missing = [item for item in keys if item not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[item]: computed[item] for item in missing})
        values.update(computed)
    return values


def remembered_html(key: str, render: Callable[[], str]) -> SafeString:
    """A rendered fragment, kept compressed (a national dashboard's HTML is ~1 MB)."""
    cache = _cache()
    packed = cache.get(key)
    if packed is not None:
        return mark_safe(zlib.decompress(packed).decode())
    html = render()
    cache.set(key, zlib.compress(html.encode(), 6))
    return mark_safe(html)


def clear() -> None:
    """Empty this process's cache (tests; never needed for correctness)."""
    _cache().clear()
