"""Region rules: containment, tier paths and scope filters over GB/T 2260 codes.

GB/T 2260 codes are hierarchical by construction: the first two digits name the province, the next two the
prefecture city, the last two the county. A record's region lies inside a scope region exactly when its code
starts with the scope's significant prefix. County-level units directly under a province (for example the
districts of a municipality, or 429004 仙桃市) keep their province prefix, so the test holds for them too.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Q

DATA_DIR = Path(__file__).resolve().parent / "data"


class RegionError(ValueError):
    pass


def validate_code(code: str) -> str:
    """Return the code if it is six digits, else raise ``RegionError`` with a readable message."""
    if not isinstance(code, str) or len(code) != 6 or not code.isdigit():
        raise RegionError(f"region code must be six digits (GB/T 2260), got {code!r}")
    return code


def tier_of(code: str) -> str:
    validate_code(code)
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def scope_prefix(code: str) -> str:
    """The code prefix shared by a region and everything inside it: '53', '5301' or '530102'."""
    tier = tier_of(code)
    return code[:2] if tier == "province" else code[:4] if tier == "city" else code


def is_within(inner: str, outer: str) -> bool:
    """True when region ``inner`` lies inside (or is) region ``outer``."""
    return validate_code(inner).startswith(scope_prefix(outer))


def scope_q(field: str, code: str) -> Q:
    """A filter for records whose ``field`` (a region code, or a ``…_id`` foreign key to a Region) lies
    inside ``code``. Prefix lookups on a foreign key go through its primary key, which Django resolves on the
    local column without a join."""
    prefix = scope_prefix(code)
    if len(prefix) == 6:
        return Q(**{field: prefix})
    if field.endswith("_id"):
        field = field[:-3] + "__pk"
    return Q(**{f"{field}__startswith": prefix})


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, str, str, str]]:
    with (DATA_DIR / "gbt2260.csv").open(encoding="utf-8") as fh:
        return {r["code"]: (r["name"], r["name_en"], r["tier"], r["parent"]) for r in csv.DictReader(fh)}


def parent_of(code: str) -> str | None:
    row = _table().get(validate_code(code))
    return (row[3] or None) if row else None


def tier_path(code: str) -> list[str]:
    """Codes from the province down to ``code`` (two or three entries; one for a province)."""
    path = []
    current: str | None = validate_code(code)
    while current:
        path.append(current)
        current = parent_of(current)
    return list(reversed(path))


def name_of(code: str, english: bool = False) -> str:
    row = _table().get(code)
    if not row:
        return code
    return row[1] if english and row[1] else row[0]


def exists(code: str) -> bool:
    return code in _table()


def home_province() -> str:
    return settings.PROVINCE_CODE


def in_home_province(code: str) -> bool:
    return is_within(code, settings.PROVINCE_CODE)


def load_table(region_model, country_model) -> tuple[int, int]:
    """Insert or update the shipped division and country tables (used by the data migration and `check`)."""
    rows = _table()
    existing = set(region_model.objects.values_list("code", flat=True))
    new = [
        region_model(code=c, name=n, name_en=e, tier=t, parent_id=p or None)
        for c, (n, e, t, p) in sorted(rows.items())
        if c not in existing
    ]
    # Parents sort before children (shorter significant prefix), so one ordered bulk insert is safe.
    region_model.objects.bulk_create(new, batch_size=1000)
    with (DATA_DIR / "countries.csv").open(encoding="utf-8") as fh:
        countries = list(csv.DictReader(fh))
    have = set(country_model.objects.values_list("alpha2", flat=True))
    country_model.objects.bulk_create(
        [country_model(**c) for c in countries if c["alpha2"] not in have], batch_size=500
    )
    return len(new), len(countries)
