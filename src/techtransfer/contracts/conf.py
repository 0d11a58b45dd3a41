"""Configurable numbers of contract registration, read from Django settings with the rules' defaults.

``CONTRACTS_DECISION_DAYS`` (30) and ``CONTRACTS_DECISION_WORKING_DAYS`` (False): the time limit for deciding
after acceptance — 30 days under 《技术合同认定登记管理办法》; local practice is shorter (Tianjin: 10 working days).
A registration point's ``PointProfile`` may override both.

``CONTRACTS_LARGE_AMOUNT`` (¥10,000,000): contracts of a category flagged ``large_review`` (development and
transfer) whose amount is above it need an expert re-review before certification (Tianjin practice, *check*).

``CONTRACTS_NUMBER_FORMAT`` (``national``; environment ``TECHTRANSFER_REGISTRATION_NUMBER_FORMAT``): the layout of
registration numbers, see ``services.numbering``.

``CONTRACTS_CORRECTION_DAYS`` (15): the default time a filer has to correct a filing returned for correction
(补正), counted in calendar days from the return; the reviewer may set another date.

``CONTRACTS_EIT_EXEMPT_AMOUNT`` (¥5,000,000): the yearly technology-transfer income exempt from enterprise income
tax (企业所得税法实施条例 art. 90); the part above it is taxed at half.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


def decision_days() -> int:
    return int(getattr(settings, "CONTRACTS_DECISION_DAYS", 30))


def decision_working_days() -> bool:
    return bool(getattr(settings, "CONTRACTS_DECISION_WORKING_DAYS", False))


def number_format() -> str:
    return str(getattr(settings, "CONTRACTS_NUMBER_FORMAT", "national"))


def correction_days() -> int:
    return int(getattr(settings, "CONTRACTS_CORRECTION_DAYS", 15))


def large_amount() -> Decimal:
    return Decimal(str(getattr(settings, "CONTRACTS_LARGE_AMOUNT", "10000000")))


def eit_exempt_amount() -> Decimal:
    return Decimal(str(getattr(settings, "CONTRACTS_EIT_EXEMPT_AMOUNT", "5000000")))
