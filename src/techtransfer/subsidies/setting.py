"""``TECHTRANSFER_SUBSIDY_RATES`` — the rates a policy's rules leave to the operator (「一定比例」).

Standard library only: ``config/settings.py`` reads it at start-up, so a malformed value stops the platform with
a message naming the bad entry instead of failing later on a page.

Format: comma-separated ``CODE=RATE`` or ``CODE:REGION=RATE`` entries, e.g.
``tj-institution=0.05,gx-county:450102=0.10,gx-county:450100=0.02``: policy code, optional GB/T 2260 region
(the most specific region containing the beneficiary wins over the policy-wide entry), rate as a fraction
between 0 and 1 (``0.05`` = 5 %). The engine uses these only when the policy's rules document sets no rate for
the case (docs/subsidies.md, "Rates as settings").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

ENV_NAME = "TECHTRANSFER_SUBSIDY_RATES"
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_REGION = re.compile(r"^\d{6}$")
_RATE = re.compile(r"^\d+(\.\d+)?$")

# {policy code: {region code or "" (policy-wide): rate}}
Rates = dict[str, dict[str, Decimal]]


class RateSettingError(ValueError):
    """A malformed ``TECHTRANSFER_SUBSIDY_RATES`` value; the message names the entry."""


def parse_rate(text: str, where: str = "rate") -> Decimal:
    """A rate between 0 and 1 written as a plain decimal (``0.05``); ``RateSettingError`` otherwise."""
    text = (text or "").strip()
    if not _RATE.match(text):
        raise RateSettingError(f"{where}: {text!r} is not a decimal rate such as 0.05")
    try:
        rate = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already ensures a decimal
        raise RateSettingError(f"{where}: {text!r} is not a decimal rate") from None
    if rate > 1:
        raise RateSettingError(f"{where}: {text} is above 1 (a rate is a fraction: 0.05 = 5 %)")
    return rate


def parse_rates(value: str | None) -> Rates:
    """Read the setting; empty or unset gives ``{}``."""
    rates: Rates = {}
    for raw in (value or "").split(","):
        entry = raw.strip()
        if not entry:
            continue
        key, sep, rate_text = entry.partition("=")
        if not sep:
            raise RateSettingError(f"{ENV_NAME}: {entry!r} is not CODE=RATE or CODE:REGION=RATE")
        code, _colon, region = key.strip().partition(":")
        code, region = code.strip(), region.strip()
        if not _CODE.match(code):
            raise RateSettingError(f"{ENV_NAME}: {entry!r}: {code!r} is not a policy code")
        if _colon and not _REGION.match(region):
            raise RateSettingError(f"{ENV_NAME}: {entry!r}: {region!r} is not a six-digit GB/T 2260 region code")
        per_policy = rates.setdefault(code, {})
        if region in per_policy:
            raise RateSettingError(f"{ENV_NAME}: {entry!r}: {code}{':' + region if region else ''} is set twice")
        per_policy[region] = parse_rate(rate_text, f"{ENV_NAME}: {entry!r}")
    return rates
