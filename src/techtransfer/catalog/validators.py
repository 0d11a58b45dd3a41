"""Format rules for the identifiers an achievement carries: Chinese patent numbers, IPC symbols, industry codes,
and the TRL self-assessment (GB/T 22900).

Each ``validate_*`` returns the normalized value or raises ``django.core.exceptions.ValidationError`` with a
message naming the problem, so model ``clean()``, forms, the API and the importer all agree.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.core.fields import Rule, parse_date, parse_money, parse_text, parse_whole

# --- the field rules every channel shares -------------------------------------------------------------------------
# One ``core.fields.Rule`` per field: the importer (``catalog.io``), the API bodies (``catalog.schemas``) and the
# forms (``catalog.forms``) read each field with it, so a value one channel refuses, every channel refuses, with
# the same message. The model's own checks (patent numbers, codes, price or negotiable) still run after it.

_MONEY_JSON = {"anyOf": [{"type": "string", "format": "decimal"}, {"type": "number"}, {"type": "null"}],
               "description": "Yuan with at most two decimal places; input may also be '¥1,200' or '12万元'."}
TITLE = Rule(parse_text, min_length=2, max_length=200)
SUMMARY = Rule(parse_text, min_length=10, max_length=20000)  # an achievement's abstract, a demand's problem
TRL = Rule(parse_whole, python_type=int, low=1, high=9, required=False,
           json_schema={"type": ["integer", "null"], "minimum": 1, "maximum": 9})
AMOUNT = Rule(parse_money, python_type=Decimal, required=False, json_schema=_MONEY_JSON)
DEADLINE = Rule(parse_date, python_type=datetime.date,
                json_schema={"type": ["string", "null"], "format": "date"})

ACHIEVEMENT_RULES = {
    "title": TITLE,
    "title_en": Rule(parse_text, max_length=300),
    "abstract": SUMMARY,
    "abstract_en": Rule(parse_text, max_length=20000),
    "trl": TRL,
    "asking_price": AMOUNT,
    "public_funding": Rule(parse_text, max_length=200),
    "protected_details": Rule(parse_text, max_length=50000),
}
DEMAND_RULES = {
    "title": TITLE,
    "problem": SUMMARY,
    "title_en": Rule(parse_text, max_length=300),
    "problem_en": Rule(parse_text, max_length=20000),
    "target_indicators": Rule(parse_text, max_length=5000),
    "budget_min": AMOUNT,
    "budget_max": AMOUNT,
    "deadline": DEADLINE,
    "contact_name": Rule(parse_text, max_length=64),
    "contact_phone": Rule(parse_text, max_length=32),
    "contact_email": Rule(parse_text, max_length=254),
}


# --- Chinese patent application and publication numbers -------------------------------------------------------
#
# CNIPA application numbers (专利申请号), since 1 October 2003: 12 digits — year (4), patent type (1), serial (7) —
# then a dot and a check digit. Before that: 8 digits — year (2), type (1), serial (5) — then the check digit.
# The check digit is the sum of the digits times the weights 2,3,4,5,6,7,8,9,2,3,4,5 (in that order), modulo 11;
# a remainder of 10 is written "X". A granted patent (专利号) is the application number prefixed "ZL"; "CN" is
# also used as a prefix. Publication numbers (公开/公告号) are "CN", 7 to 9 digits and a kind code (A, B, C, U, Y, S),
# e.g. CN117151122A.

CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)

# Type digit of the application number: 1 invention, 2 utility model, 3 design, 8 PCT invention entering the
# national phase, 9 PCT utility model entering the national phase.
PATENT_TYPE_DIGITS = {"1": "invention", "2": "utility_model", "3": "design", "8": "invention", "9": "utility_model"}
PUBLICATION_KINDS = {"A": "invention", "B": "invention", "C": "invention", "U": "utility_model", "Y": "utility_model"}
PUBLICATION_KINDS["S"] = "design"

_APPLICATION_RE = re.compile(r"^(?:ZL|CN)?(\d{12}|\d{8})\.?([0-9X])$")
_PUBLICATION_RE = re.compile(r"^CN(\d{7,9})([ABCUYS])\d?$")
_SOFTWARE_RE = re.compile(r"^(\d{4})SR(\d{6,7})$")


def patent_check_digit(digits: str) -> str:
    """The check digit of an 8- or 12-digit application number."""
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise ValueError("an application number has 8 or 12 digits before the check digit")
    total = sum(int(d) * w for d, w in zip(digits, CHECK_WEIGHTS, strict=False))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


@dataclass(frozen=True)
class PatentNumber:
    """A parsed patent number: ``form`` is "application" or "publication"; ``patent_type`` one of invention,
    utility_model, design."""

    normalized: str
    form: str
    patent_type: str


def _compact(value: str) -> str:
    return re.sub(r"[\s\u3000]", "", (value or "")).upper().replace("．", ".")


def parse_patent_number(value: str) -> PatentNumber:
    """Parse a Chinese patent, application or publication number, or raise ``ValidationError``."""
    raw = _compact(value)
    if not raw:
        raise ValidationError(_("Enter a patent number."), code="patent_number")
    pub = _PUBLICATION_RE.match(raw)
    if pub:
        return PatentNumber(raw, "publication", PUBLICATION_KINDS[pub.group(2)])
    app = _APPLICATION_RE.match(raw)
    if not app:
        raise ValidationError(
            _(
                "%(value)s is not a Chinese patent number: use an application number such as "
                "ZL202110123456.7 or a publication number such as CN117151122A."
            )
            % {"value": value},
            code="patent_number",
        )
    digits, check = app.groups()
    if len(digits) == 12:
        year, type_digit = int(digits[:4]), digits[4]
        if not 2003 <= year <= timezone.now().year:
            raise ValidationError(
                _("%(value)s: the 12-digit form starts with the filing year (2003 or later).") % {"value": value},
                code="patent_number",
            )
    else:
        type_digit = digits[2]
    if type_digit not in PATENT_TYPE_DIGITS:
        raise ValidationError(
            _("%(value)s: the patent type digit must be 1, 2, 3, 8 or 9.") % {"value": value}, code="patent_number"
        )
    expected = patent_check_digit(digits)
    if check != expected:
        raise ValidationError(
            _("%(value)s: wrong check digit (expected %(expected)s).") % {"value": value, "expected": expected},
            code="patent_number",
        )
    prefix = "ZL" if raw.startswith("ZL") else "CN" if raw.startswith("CN") else ""
    return PatentNumber(f"{prefix}{digits}.{check}", "application", PATENT_TYPE_DIGITS[type_digit])


def validate_software_registration(value: str) -> str:
    """Computer software copyright registration number (软著登字), e.g. 2021SR0123456."""
    raw = _compact(value)
    m = _SOFTWARE_RE.match(raw)
    if not m or not 1992 <= int(m.group(1)) <= timezone.now().year:
        raise ValidationError(
            _("%(value)s is not a software copyright registration number such as 2021SR0123456.") % {"value": value},
            code="software_registration",
        )
    return raw


# --- IPC symbols (International Patent Classification) -------------------------------------------------------
# Section A–H, two-digit class, subclass letter, then optionally main group (1–4 digits) "/" subgroup (2–6 digits):
# "H01M 10/0525", "A61K31/00", or a bare subclass "G06F". Normalized with one space before the group.

_IPC_RE = re.compile(r"^([A-H])(\d{2})([A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{2,6}))?$")


def validate_ipc(value: str) -> str:
    raw = (value or "").strip().upper()
    m = _IPC_RE.match(raw)
    if not m:
        raise ValidationError(
            _("%(value)s is not an IPC symbol such as H01M 10/0525 or A61K31/00.") % {"value": value},
            code="ipc",
        )
    section, cls, subclass, group, subgroup = m.groups()
    head = f"{section}{cls}{subclass}"
    return f"{head} {int(group)}/{subgroup}" if group else head


# --- Industry codes (GB/T 4754-2017 国民经济行业分类) -------------------------------------------------------------
# A section letter (A–T) alone, or with a 2-, 3- or 4-digit division/group/class code: "C", "C39", "C391", "C3911".

_INDUSTRY_RE = re.compile(r"^[A-T](\d{2,4})?$")


def validate_industry_code(value: str) -> str:
    raw = (value or "").strip().upper()
    if not _INDUSTRY_RE.match(raw):
        raise ValidationError(
            _("%(value)s is not a GB/T 4754 industry code such as C3911.") % {"value": value}, code="industry"
        )
    return raw


def validate_code_list(values, validator, field: str) -> list[str]:
    """Validate and normalize a list of codes, dropping exact duplicates and keeping the order."""
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise ValidationError({field: _("Give a list of codes.")})
    out: list[str] = []
    for v in values:
        if not isinstance(v, str):
            raise ValidationError({field: _("Each code must be text.")})
        try:
            code = validator(v)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages})
        if code not in out:
            out.append(code)
    return out


def validate_keywords(values) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError({"keywords": _("Keywords must be a list of words.")})
    out: list[str] = []
    for v in values:
        word = v.strip()
        if word and word not in out:
            if len(word) > 40:
                raise ValidationError({"keywords": _("A keyword may have at most 40 characters.")})
            out.append(word)
    if len(out) > 20:
        raise ValidationError({"keywords": _("At most 20 keywords.")})
    return out


# --- TRL self-assessment (GB/T 22900-2022 技术就绪水平) ----------------------------------------------------------


@dataclass(frozen=True)
class TrlCriterion:
    key: str
    text: object  # lazy translation


TRL_LEVELS: dict[int, tuple[object, tuple[TrlCriterion, ...]]] = {
    1: (
        gettext_lazy("Basic principles observed and reported"),
        (TrlCriterion("1a", gettext_lazy("Report or paper describing the basic principle")),),
    ),
    2: (
        gettext_lazy("Technology concept and application formulated"),
        (TrlCriterion("2a", gettext_lazy("Description of the technical concept and its intended application")),),
    ),
    3: (
        gettext_lazy("Key functions demonstrated analytically or experimentally (proof of concept)"),
        (TrlCriterion("3a", gettext_lazy("Analysis or experiment proving the key functions")),),
    ),
    4: (
        gettext_lazy("Key functions verified in the laboratory"),
        (
            TrlCriterion("4a", gettext_lazy("Laboratory test report of the key functions")),
            TrlCriterion("4b", gettext_lazy("Principal components or modules integrated in the laboratory")),
        ),
    ),
    5: (
        gettext_lazy("Components verified in a relevant (simulated) environment"),
        (TrlCriterion("5a", gettext_lazy("Test report of the components in a simulated environment")),),
    ),
    6: (
        gettext_lazy("Prototype or pilot verified in a relevant environment"),
        (
            TrlCriterion("6a", gettext_lazy("Prototype, sample or pilot line")),
            TrlCriterion("6b", gettext_lazy("Test report of the prototype or pilot in a relevant environment")),
        ),
    ),
    7: (
        gettext_lazy("Prototype verified in the real operating environment"),
        (TrlCriterion("7a", gettext_lazy("Field test or user trial report in the real environment")),),
    ),
    8: (
        gettext_lazy("Finalized; small-batch or trial production"),
        (
            TrlCriterion("8a", gettext_lazy("Finalized design or product standard")),
            TrlCriterion("8b", gettext_lazy("Record of small-batch or trial production")),
        ),
    ),
    9: (
        gettext_lazy("Proven in use; mass production or market"),
        (TrlCriterion("9a", gettext_lazy("Sales, mass production or long-term operation records")),),
    ),
}

TRL_CRITERIA = {c.key: level for level, (_title, crits) in TRL_LEVELS.items() for c in crits}


def clean_trl_answers(answers) -> dict[str, str]:
    """Validate self-assessment answers ``{criterion key: evidence text}``; blank evidence is dropped."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Answers must map criterion keys to evidence.")})
    out: dict[str, str] = {}
    for key, evidence in answers.items():
        if key not in TRL_CRITERIA:
            raise ValidationError({"answers": _("Unknown TRL criterion: %(key)s") % {"key": key}})
        if evidence is None:
            continue
        if not isinstance(evidence, str):
            raise ValidationError({"answers": _("Evidence for %(key)s must be text.") % {"key": key}})
        text = evidence.strip()
        if len(text) > 2000:
            raise ValidationError({"answers": _("Evidence for %(key)s is too long.") % {"key": key}})
        if text:
            out[key] = text
    return out


def proposed_trl(answers: dict[str, str]) -> int | None:
    """The level the answers support: the highest level whose evidence is all present, counting upwards from
    level 1 — GB/T 22900 levels build on each other, so a missing lower level caps the result. ``None`` when
    not even level 1 is evidenced."""
    level = None
    for n in sorted(TRL_LEVELS):
        _title, criteria = TRL_LEVELS[n]
        if all((answers.get(c.key) or "").strip() for c in criteria):
            level = n
        else:
            break
    return level
