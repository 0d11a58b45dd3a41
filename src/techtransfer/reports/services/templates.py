"""The report template as data: its fields, the validation of declared values and the tolerance rule.

A template (``models.ReportTemplate.definition``, layout in ``reports.data``) lists sections of fields, each with a
kind (``count``: a whole number ≥ 0; ``money``: yuan, two places, ≥ 0; ``text``) and a unit, and cross-field
checks (``left <= sum(right)``). ``check`` reads a dict of raw values (from a form, the API or an import) with the
shared parsers of ``core.fields`` and returns the clean values (counts as ``int``, money as a two-place string,
texts trimmed) with every problem found, each naming its field; a draft may be incomplete, a submission may not.

Tolerance (what needs an explanation before submission): a declared figure with a registered counterpart
(``registered`` in the field) differs acceptably when the absolute difference is at most the template's
``tolerance_percent`` of the registered figure, or, for amounts, at most its ``tolerance_amount`` in yuan if that
is larger; counts get no absolute allowance (a missing contract is a difference).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.fields import FieldError, parse_money, parse_text, parse_whole
from techtransfer.reports.models import ReportTemplate

MAX_COUNT = 10**9
KINDS = ("count", "money", "text")


def _english() -> bool:
    return not (get_language() or "zh-hans").lower().startswith("zh")


@dataclass(frozen=True)
class Field:
    key: str
    label_zh: str
    label_en: str
    kind: str
    unit_zh: str
    unit_en: str
    required: bool
    max_length: int
    registered: str | None
    section: str

    @property
    def label(self) -> str:
        return self.label_en if _english() else self.label_zh

    @property
    def unit(self) -> str:
        return self.unit_en if _english() else self.unit_zh

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Section:
    key: str
    title_zh: str
    title_en: str
    fields: tuple[Field, ...]

    @property
    def title(self) -> str:
        return self.title_en if _english() else self.title_zh


@dataclass(frozen=True)
class Check:
    key: str
    left: str
    op: str
    right: tuple[str, ...]
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return self.message_en if _english() else self.message_zh


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


@dataclass(frozen=True)
class Difference:
    """A declared figure beside the registered one."""

    field: Field
    declared: Decimal | None
    registered: Decimal
    allowed: Decimal

    @property
    def delta(self) -> Decimal | None:
        return None if self.declared is None else self.declared - self.registered

    @property
    def needs_explanation(self) -> bool:
        return self.declared is not None and abs(self.declared - self.registered) > self.allowed


def template_for(year: int) -> ReportTemplate:
    """The template of a report year: the newest version whose first year is not after it."""
    template = ReportTemplate.objects.filter(version__lte=year).order_by("-version").first()
    if template is None:
        raise NotFound(_("No report template applies to the year %(year)s.") % {"year": year}, field="year")
    return template


def sections(template: ReportTemplate) -> list[Section]:
    result = []
    for section in template.definition.get("sections", []):
        fields = []
        for f in section.get("fields", []):
            kind = f["kind"]
            if kind not in KINDS:
                raise ValueError(f"template {template.version}: unknown kind {kind!r} of {f['key']}")
            fields.append(
                Field(
                    key=f["key"],
                    label_zh=f["label"],
                    label_en=f.get("label_en") or f["label"],
                    kind=kind,
                    unit_zh=f.get("unit", ""),
                    unit_en=f.get("unit_en") or f.get("unit", ""),
                    required=f.get("required", kind != "text"),
                    max_length=int(f.get("max", 5000)),
                    registered=f.get("registered"),
                    section=section["key"],
                )
            )
        result.append(
            Section(section["key"], section["title"], section.get("title_en") or section["title"], tuple(fields))
        )
    return result


def fields(template: ReportTemplate) -> dict[str, Field]:
    return {f.key: f for s in sections(template) for f in s.fields}


def checks(template: ReportTemplate) -> list[Check]:
    return [
        Check(
            c["key"], c["left"], c.get("op", "<="), tuple(c["right"]), c["message"], c.get("message_en") or c["message"]
        )
        for c in template.definition.get("checks", [])
    ]


def _parse(field: Field, raw):
    if field.kind == "count":
        return parse_whole(raw, low=0, high=MAX_COUNT, required=False)
    if field.kind == "money":
        amount = parse_money(raw, required=False)
        return None if amount is None else f"{amount:.2f}"
    text = parse_text(raw, max_length=field.max_length)
    return text or None


def number(values: dict, key: str) -> Decimal | None:
    """A clean value as a Decimal (None when absent)."""
    value = values.get(key)
    return None if value is None or value == "" else Decimal(str(value))


def check(template: ReportTemplate, raw: dict, *, complete: bool) -> tuple[dict, list[Problem]]:
    """Clean ``raw`` against the template; ``complete`` also requires every required field. Unknown keys are
    problems (a misspelt field never looks saved)."""
    known = fields(template)
    values: dict = {}
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        return {}, [Problem("values", _("The figures must be given as an object of field: value."))]
    for key in raw:
        if key not in known:
            problems.append(Problem(str(key)[:60], _("This report has no field %(key)s.") % {"key": str(key)[:60]}))
    for key, field in known.items():
        if key not in raw:
            continue
        try:
            value = _parse(field, raw[key])
        except FieldError as exc:
            problems.append(Problem(key, f"{field.label}: {exc.message}"))
            continue
        if value is not None:
            values[key] = value
    if complete:
        for key, field in known.items():
            if field.required and key not in values and not any(p.field == key for p in problems):
                problems.append(
                    Problem(
                        key,
                        _("%(label)s: this figure is required (enter 0 if there is none).") % {"label": field.label}
                        if field.numeric
                        else _("%(label)s: this text is required.") % {"label": field.label},
                    )
                )
    for c in checks(template):
        left = number(values, c.left)
        rights = [number(values, k) for k in c.right]
        if left is None or any(r is None for r in rights):
            continue
        if c.op == "<=" and left > sum(rights, Decimal(0)):
            problems.append(Problem(c.left, c.message))
    return values, problems


def require_valid(template: ReportTemplate, raw: dict, *, complete: bool) -> dict:
    """``check``, raising the first problem as a ``DomainError`` naming its field (all problems in ``problems``)."""
    values, problems = check(template, raw, complete=complete)
    if problems:
        error = DomainError(problems[0].message, code="invalid_report", field=problems[0].field)
        error.problems = problems
        raise error
    return values


def allowed_difference(template: ReportTemplate, field: Field, registered: Decimal) -> Decimal:
    share = abs(registered) * template.tolerance_percent / Decimal(100)
    if field.kind == "count":
        return share.to_integral_value(rounding=ROUND_FLOOR)
    return max(share, template.tolerance_amount).quantize(Decimal("0.01"))


def differences(template: ReportTemplate, values: dict, registered: dict) -> list[Difference]:
    """Every field with a registered counterpart, the declared value beside it and the allowed difference."""
    result = []
    for field in fields(template).values():
        if not field.registered or field.registered not in registered:
            continue
        reg = Decimal(str(registered[field.registered]))
        result.append(Difference(field, number(values, field.key), reg, allowed_difference(template, field, reg)))
    return result


def unexplained(template: ReportTemplate, values: dict, registered: dict, explanations: dict) -> list[Difference]:
    """The differences beyond the tolerance that have no explanation yet (a submission needs none left)."""
    return [
        d
        for d in differences(template, values, registered)
        if d.needs_explanation and not (explanations.get(d.field.key) or "").strip()
    ]
