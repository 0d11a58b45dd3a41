"""Bulk import and export of achievements and demands — CSV, XLSX and JSONL (column schema: docs/catalog.md).

Import is all or nothing. Every row is read, converted and validated with the same model rules as a form or the
API (the shared field rules of ``catalog.validators`` when converting, then ``clean_fields`` for the fields that
conversion does not already check — ``_implied`` — and ``clean``); valid rows go to the database in batches inside ONE
transaction. When any row is wrong the transaction is rolled back, nothing is written, and the report lists every
problem as (row, column, problem). The file is streamed (csv reader, openpyxl read-only, line by line), so memory
stays flat in the file's size. The ids written are published in the same transaction (``signals.announce_bulk``).

Who may import: the command line (``actor=None``, the operator); through the pages and the API, members and
administrators of the owner organization, region administrators whose scope contains the owner, and platform
administrators. Rows may be imported as ``draft`` (default) or, by the operator and platform reviewers of the
row's region only, straight as ``published`` (migrating an existing catalogue).

The columns, the file readers and the export live in ``catalog.tabular``; this module re-exports the names
other modules use from it, so ``catalog.io`` stays the one face of import and export.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core import validators as django_validators
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db import models as db_models
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.catalog import signals
from techtransfer.catalog.models import Achievement, IPItem, Status
from techtransfer.catalog.tabular import (
    ACHIEVEMENT_COLUMNS,
    COLUMNS,
    DEMAND_COLUMNS,
    EXPORT_EXTRA,
    FORMATS,
    LIST_SEPARATORS,
    Column,
    FileError,
    export_header,
    export_response,
    export_rows,
    guess_format,
    read_rows,
    template_response,
    write_response,
)
from techtransfer.catalog.validators import parse_patent_number
from techtransfer.core.errors import DomainError
from techtransfer.core.fields import MAX_AMOUNT, FieldError, parse_date, parse_money, parse_text, parse_whole
from techtransfer.orgs.models import Organization, Verification
from techtransfer.taxonomy.models import TechField

__all__ = [
    "ACHIEVEMENT_COLUMNS", "BATCH", "COLUMNS", "DEMAND_COLUMNS", "FORMATS", "IMPORT_STATUSES", "LIST_SEPARATORS",
    "SIGNAL_CHUNK", "Column", "ImportReport", "export_header", "export_response", "export_rows", "guess_format",
    "import_file", "read_rows", "template_response", "write_response",
]

BATCH = 1000
SIGNAL_CHUNK = 5000
MAX_REPORTED_ERRORS = 1000
IMPORT_STATUSES = (Status.DRAFT, Status.PUBLISHED)
WHOLE_LIMIT = 2**63 - 1

# --- converting one cell -----------------------------------------------------------------------------------------


class CellError(Exception):
    pass


TRUE = {"true", "1", "yes", "y", "是", "t"}
FALSE = {"false", "0", "no", "n", "否", "f", ""}


def _text(value) -> str:
    """A cell as text (numbers in a spreadsheet cell read as text), by the one text rule of ``core.fields``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _parsed(parse_text, str(value), max_length=None)


def _list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [t for t in map(_text, value) if t]
    text = _text(value)
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def _parsed(parser, value, **options):
    """A ``core.fields`` parser for one cell: its ``FieldError`` becomes the cell's problem."""
    try:
        return parser(value, **options)
    except FieldError as exc:
        raise CellError(exc.message)


def _convert(col: Column, value):
    rule = col.rule
    if rule is not None and value.__class__ is str:  # the common cell, as the general path below reads it
        try:
            return rule.parser(value, **rule.options)
        except FieldError as exc:
            raise CellError(exc.message)
    kind = col.kind
    if isinstance(value, float) and value.is_integer() and kind in ("text", "int", "field", "status", "owner"):
        value = int(value)  # spreadsheets store whole numbers as floats
    if col.rule is not None:  # the field's shared rule (catalog.validators): the API and the forms read it so too
        if isinstance(value, list | dict):
            raise CellError(_("Give text, not a list."))
        if kind == "text" and value is not None and not isinstance(value, str):
            value = str(value)  # a number in a spreadsheet cell reads as text
        return _parsed(col.rule, value)
    if kind in ("text", "field", "status"):
        if isinstance(value, list | dict):
            raise CellError(_("Give text, not a list."))
        return _text(value)
    if kind in ("list", "patents"):
        if isinstance(value, dict):
            raise CellError(_("Give a list."))
        return _list(value)
    if kind == "int":
        if value in (None, ""):
            return None
        if isinstance(value, float) and value.is_integer():  # spreadsheets store whole numbers as floats
            value = int(value)
        # The range is the model's to check (its message names the limits), so only the form is read here.
        return _parsed(parse_whole, value, low=-WHOLE_LIMIT, high=WHOLE_LIMIT)
    if kind == "decimal":
        return _parsed(parse_money, value, required=False)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            if value in (0, 1):
                return bool(value)
            raise CellError(_("Give true or false."))
        text = _text(value).lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise CellError(_("Give true or false."))
    if kind == "date":
        return _parsed(parse_date, value)
    if kind == "owner":
        return _text(value)
    raise AssertionError(kind)


# --- the import --------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    model: type
    rows: int = 0
    created: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, row: int, column: str | None, problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "column": column, "problem": str(problem)})

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "created": self.created,
            "rows": self.rows,
            "errors": self.errors,
            "errors_truncated": self.error_count > len(self.errors),
        }


class _Rollback(Exception):
    pass


class _Owners:
    """Owner organizations by id or credit code, with the actor's right to import for them, cached per file."""

    def __init__(self, actor, default):
        self.model = Organization
        self.actor = actor
        self.default = default
        self.cache: dict[str, object] = {}
        self.allowed: dict[int, bool] = {}
        self.publish_allowed: dict[str, bool] = {}

    def resolve(self, key: str):
        if not key:
            return self.default
        if key not in self.cache:
            qs = self.model.objects.only("pk", "region_id", "verification", "name")
            org = qs.filter(pk=int(key)).first() if key.isdigit() else qs.filter(credit_code=key.upper()).first()
            self.cache[key] = org
        return self.cache[key]

    def may_import(self, org) -> bool:
        """Rule ``catalog.import_for``, once per organization."""
        if org.pk not in self.allowed:
            self.allowed[org.pk] = permissions.allowed("catalog.import_for", self.actor, org)
        return self.allowed[org.pk]

    def may_publish(self, region: str) -> bool:
        """Rule ``catalog.import_published``, once per region."""
        if region not in self.publish_allowed:
            self.publish_allowed[region] = permissions.allowed("catalog.import_published", self.actor, region)
        return self.publish_allowed[region]


def _publish_problem(model, obj) -> tuple[str, str] | None:
    """The completeness a published row needs (the light form of ``workflow.check_submittable``)."""
    if not obj.tech_field_id:
        return "tech_field", _("Choose the technical field.")
    if model is Achievement:
        if not obj.trl:
            return "trl", _("Give the technology readiness level (TRL 1–9).")
        if not obj.transfer_modes:
            return "transfer_modes", _("Choose at least one transfer mode.")
        if obj.asking_price is None and not obj.price_negotiable:
            return "asking_price", _("Give an asking price or mark the price negotiable.")
    elif not obj.cooperation_modes:
        return "cooperation_modes", _("Choose at least one cooperation mode.")
    return None


def import_file(actor, model, file, fmt: str, default_owner=None, progress: Callable[[int], None] | None = None,
                is_demo: bool = False, filename: str = "") -> ImportReport:
    """Import achievements or demands from ``file`` (a binary file object). All rows or none; see the module doc."""
    if fmt not in FORMATS:
        raise DomainError(_("Give the file format: csv, xlsx or jsonl."), field="format")
    if actor is not None and not permissions.principal(actor).authenticated:
        raise DomainError(_("Sign in first."), code="forbidden", status=403)
    if default_owner is not None and actor is not None:
        if not _Owners(actor, None).may_import(default_owner):
            raise DomainError(_("You may not import records for this organization."), field="owner",
                              code="forbidden", status=403)
    columns = {c.name: c for c in COLUMNS[model]}
    report = ImportReport(model=model)
    owners = _Owners(actor, default_owner)
    fields_known = set(TechField.objects.values_list("pk", flat=True))
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    model_fields = [c for c in COLUMNS[model] if c.kind in ("text", "list", "int", "decimal", "bool", "date")]
    # Set by the importer itself (or checked above), so not re-validated per row.
    exclude = {"id", "owner", "region", "tech_field", "created_by", "team", "status", "rejection_reason",
               "submitted_at", "published_at", "is_demo", "created_at", "updated_at"}
    # And the fields whose column's conversion already makes every check of the model field (``_implied``).
    exclude |= _implied(model, columns)
    created_ids: dict[str, array] = {s: array("q") for s in IMPORT_STATUSES}
    batch: list = []
    batch_patents: list[list[IPItem]] = []
    first_record = None

    def flush():
        nonlocal first_record
        if not batch:
            return
        objs = batch
        for obj, pk in zip(objs, _insert_rows(model, objs, now), strict=True):
            obj.pk = pk
        if first_record is None:
            first_record = objs[0]
        items = []
        for obj, patents in zip(objs, batch_patents, strict=True):
            created_ids[obj.status].append(obj.pk)
            for item in patents:
                item.achievement_id = obj.pk
                items.append(item)
        if items:
            _insert_rows(IPItem, items, now)
        report.created += len(objs)
        batch.clear()
        batch_patents.clear()

    try:
        with transaction.atomic():
            rows = read_rows(file, fmt, columns)
            header_seen = False
            for n, raw in rows:
                if "__header__" in raw:
                    header = raw["__header__"]
                    header_seen = True
                    if header is not None:
                        _check_header(report, header, columns)
                        if not report.ok:
                            break
                    continue
                if not header_seen:
                    break
                report.rows += 1
                if progress and report.rows % 500 == 0:
                    progress(500)
                if "__error__" in raw:
                    report.error(n, None, raw["__error__"])
                    continue
                obj, patents = _build_row(report, n, raw, model, columns, model_fields, owners, fields_known,
                                          exclude, created_by, now, is_demo, Verification)
                if obj is None or not report.ok:
                    continue  # keep validating; nothing will be written
                batch.append(obj)
                batch_patents.append(patents)
                if len(batch) >= BATCH:
                    flush()
            if progress and report.rows % 500:
                progress(report.rows % 500)
            if report.rows == 0 and report.ok:
                report.error(1, None, _("The file has no data rows."))
            if not report.ok:
                raise _Rollback
            flush()
            audit.record(
                actor, f"catalog.{model._meta.model_name}.import", first_record, None,
                {"imported": report.created, "file": filename[:200], "format": fmt,
                 "statuses": {s: len(ids) for s, ids in created_ids.items() if ids}},
            )
            for status, ids in created_ids.items():
                for start in range(0, len(ids), SIGNAL_CHUNK):
                    chunk = ids[start:start + SIGNAL_CHUNK]
                    signals.announce_bulk(model, chunk.tolist(), status)
    except _Rollback:
        report.created = 0
    except FileError as exc:
        report.created = 0
        report.error(0, None, exc)
    return report


_PLAIN_TYPES = {"CharField", "TextField", "BooleanField", "PositiveSmallIntegerField", "PositiveIntegerField",
                "IntegerField", "ForeignKey", "EmailField"}


def _insert_rows(model, objs: list, now) -> list[int]:
    """INSERT the already validated, unsaved ``objs`` and return their new ids, in order.

    The lean form of ``bulk_create`` for large imports: one multi-row ``INSERT … RETURNING id`` per chunk, with
    each column's value prepared by its model field only where the database needs it (JSON, decimals, dates).
    ``auto_now``/``auto_now_add`` columns get ``now``."""
    connection = connections[DEFAULT_DB_ALIAS]  # the object itself, not the per-context proxy
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            prepared_now = f.get_db_prep_save(now, connection)
            getters.append(lambda obj, v=prepared_now: v)
        elif f.get_internal_type() in _PLAIN_TYPES:
            getters.append(lambda obj, a=f.attname: getattr(obj, a))
        else:
            getters.append(lambda obj, f=f: f.get_db_prep_save(getattr(obj, f.attname), connection))
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    if connection.vendor == "postgresql":
        return _copy_rows(connection, model, objs, getters, columns)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    chunk = max(1, min(500, 30000 // len(fields)))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            part = objs[start:start + chunk]
            params = [getter(obj) for obj in part for getter in getters]
            # Only quoted model identifiers and placeholders are formatted in; every value is a parameter.
            sql = (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) "  # noqa: S608
                   f"VALUES {', '.join([row_sql] * len(part))} RETURNING {qn(model._meta.pk.column)}")
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _copy_rows(connection, model, objs: list, getters, columns: str) -> list[int]:
    """PostgreSQL: reserve the ids from the table's sequence, then stream the rows with ``COPY … FROM STDIN``
    (several times faster than multi-row INSERTs for large imports)."""
    qn = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, len(objs)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Only quoted model identifiers are formatted in; the rows travel as COPY data.
        with cursor.cursor.copy(f"COPY {qn(table)} ({qn(pk)}, {columns}) FROM STDIN") as copy:
            for pk_value, obj in zip(ids, objs, strict=True):
                copy.write_row([pk_value, *(getter(obj) for getter in getters)])
    return ids


def _check_header(report: ImportReport, header: list[str], columns: dict) -> None:
    seen = set()
    for name in header:
        if name in seen:
            report.error(1, name, _("The column appears twice."))
        seen.add(name)
        if name not in columns and name not in EXPORT_EXTRA:
            report.error(1, name, _("Unknown column."))
    for col in columns.values():
        if col.required and col.name not in seen:
            report.error(1, col.name, _("The column is missing."))


def _only(validators, *allowed) -> bool:
    return all(isinstance(v, allowed) for v in validators)


def _implied(model, columns: dict) -> set[str]:
    """The model fields that ``clean_fields`` need not check again for an imported row, because the column's
    conversion (``_convert``) cannot let through a value the field's ``clean`` would refuse — a row with a cell the
    conversion refused is never written, and that cell's field is left out of ``clean_fields`` anyway:

    - text read by a ``parse_text`` rule (``catalog.validators``: no control character, at most ``max_length``
      characters) into a text field with no choices, no longer limit and no other validator, blank allowed or
      the rule's ``min_length`` ≥ 1;
    - a whole number read by a ``parse_whole`` rule whose ``low``–``high`` lies inside every minimum and maximum
      of the field (and empty allowed by both);
    - an amount read by ``parse_money`` (at most two decimal places, 0 to ``MAX_AMOUNT``) into a decimal field with
      room for it and no minimum above 0;
    - a list read as a list of text into a JSON field (always valid JSON; blank allowed);
    - true/false into a boolean field without choices or validators.

    Everything else (choices such as the classification, the model's ``clean``: keywords, codes, modes, price or
    negotiable) is still checked row by row. ``tests/catalog/test_catalog_io.py`` compares the errors of both
    ways on bad rows."""
    out: set[str] = set()
    for col in columns.values():
        try:
            f = model._meta.get_field(col.attr.removesuffix("_id") if col.attr else col.name)
        except FieldDoesNotExist:
            continue
        if f.choices or not f.editable:
            continue
        rule = col.rule
        parser = rule.parser if rule is not None else None
        options = rule.options if rule is not None else {}
        ok = False
        if parser is parse_text and isinstance(f, db_models.CharField | db_models.TextField):
            most = options.get("max_length")
            ok = (most is not None and (f.max_length is None or most <= f.max_length)
                  and (f.blank or options.get("min_length", 0) >= 1)
                  and _only(f.validators, django_validators.MaxLengthValidator,
                            django_validators.ProhibitNullCharactersValidator))
        elif parser is parse_whole and isinstance(f, db_models.IntegerField):
            low, high = options["low"], options["high"]
            empty_ok = (f.null and f.blank) or options.get("required", True)
            ok = empty_ok and _only(f.validators, django_validators.MinValueValidator,
                                    django_validators.MaxValueValidator) and all(
                (low >= v.limit_value) if isinstance(v, django_validators.MinValueValidator)
                else (high <= v.limit_value) for v in f.validators)
        elif col.kind == "decimal" and (parser in (None, parse_money)) and isinstance(f, db_models.DecimalField):
            places = -MAX_AMOUNT.as_tuple().exponent
            whole = len(MAX_AMOUNT.as_tuple().digits) - places
            ok = (f.null and f.blank and f.decimal_places >= places and f.max_digits - f.decimal_places >= whole
                  and _only(f.validators, django_validators.DecimalValidator, django_validators.MinValueValidator)
                  and all(v.limit_value <= 0 for v in f.validators
                          if isinstance(v, django_validators.MinValueValidator)))
        elif col.kind == "list" and rule is None and isinstance(f, db_models.JSONField):
            ok = f.blank and not f.validators
        elif col.kind == "bool" and rule is None and isinstance(f, db_models.BooleanField):
            ok = not f.validators
        if ok:
            out.add(f.name)
    return out


_TEMPLATES: dict[type, dict] = {}
_LIST_DEFAULTS: dict[type, tuple[str, ...]] = {}


def _new_instance(model):
    """An unsaved instance with the model's defaults — a copy of a template instead of ``Model.__init__`` per row
    (a fifth of the import's time on large files)."""
    template = _TEMPLATES.get(model)
    if template is None:
        template = _TEMPLATES[model] = {k: v for k, v in model().__dict__.items() if k != "_state"}
        _LIST_DEFAULTS[model] = tuple(k for k, v in template.items() if isinstance(v, list))
    obj = model.__new__(model)
    obj.__dict__.update(template)
    for key in _LIST_DEFAULTS[model]:
        obj.__dict__[key] = []  # a list of its own, not the template's
    obj._state = ModelState()
    return obj


def _build_row(report, n, raw, model, columns, model_fields, owners, fields_known, exclude, created_by, now,
               is_demo, verification):
    """The unsaved record of one row, or ``None`` with the row's problems added to the report."""
    before = report.error_count
    values = {}
    bad: set[str] = set()
    for key, value in raw.items():
        col = columns.get(key)
        if col is None:
            if key not in EXPORT_EXTRA:  # id, region, owner_name of an export: informational, ignored
                report.error(n, key, _("Unknown column."))
            continue
        try:
            values[key] = _convert(col, value)
        except CellError as exc:
            report.error(n, key, exc)
            bad.add(key)
    for col in columns.values():
        if col.required and not values.get(col.name) and col.name not in bad:
            report.error(n, col.name, _("This column is required."))
            bad.add(col.name)
    owner_key = values.get("owner", "")
    owner = None
    try:
        owner = owners.resolve(owner_key)
    except ValueError:
        owner = None
    if owner is None:
        report.error(n, "owner", _("Unknown organization: %s") % owner_key if owner_key
                     else _("Give the owner organization (column owner or a default owner)."))
    elif not owners.may_import(owner):
        report.error(n, "owner", _("You may not import records for this organization."))
    field_code = values.get("tech_field", "")
    if field_code and field_code not in fields_known:
        report.error(n, "tech_field", _("Unknown technical field: %s") % field_code)
    status = values.get("status") or Status.DRAFT
    if status not in IMPORT_STATUSES:
        report.error(n, "status", _("Give draft or published."))
        bad.add("status")
    obj = _new_instance(model)
    obj.owner_id = owner.pk if owner else None
    obj.region_id = owner.region_id if owner else None
    obj.tech_field_id = (field_code or None) if field_code in fields_known else None
    obj.status = status if status in IMPORT_STATUSES else Status.DRAFT
    obj.created_by_id = created_by.pk if created_by is not None else None
    obj.is_demo = is_demo
    for col in model_fields:
        if col.name in values:
            setattr(obj, col.attr or col.name, values[col.name])
    if not getattr(obj, "classification", ""):
        obj.classification = "public"  # an empty cell is the default marking
    skip = exclude | bad | {c.name for c in model_fields if c.name not in values and not c.required}
    for check in (lambda: obj.clean_fields(exclude=skip), obj.clean):
        try:
            check()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                column = None if key == "__all__" else key.removesuffix("_id")
                if column in bad:
                    continue
                bad.add(column)
                for message in messages:
                    report.error(n, column, message)
    patents: list[IPItem] = []
    for number in values.get("patents", []):
        try:
            parsed = parse_patent_number(number)
        except ValidationError as exc:
            report.error(n, "patents", exc.messages[0])
            continue
        item = _new_instance(IPItem)  # as ``IPItem(kind=…, …)``, without ``Model.__init__``
        item.kind, item.number, item.title = parsed.patent_type, parsed.normalized, obj.title[:200]
        item.granted = number.upper().startswith("ZL")
        patents.append(item)
    if status == Status.PUBLISHED and owner is not None:
        problem = _publish_problem(model, obj)
        if owner.verification != verification.VERIFIED:
            problem = ("owner", _("The owner organization must be verified before it submits records."))
        elif not owners.may_publish(owner.region_id):
            problem = ("status", _("Only a platform reviewer whose region covers the record may publish it."))
        if problem:
            report.error(n, *problem)
        obj.submitted_at = obj.published_at = now
    if report.error_count > before:
        return None, []
    return obj, patents


