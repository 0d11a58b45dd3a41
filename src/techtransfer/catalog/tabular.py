"""Tabular files of achievements and demands: the columns (docs/catalog.md), reading CSV, XLSX and JSONL rows,
and writing exports and import templates in the same three formats.

Export writes the import columns (plus id, region and owner name), so an export can be edited and imported
again. Protected details and demand contacts are filled only for rows the exporting user may read. The import
itself (conversion, validation, all or nothing) is ``catalog.io``.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from techtransfer.accounts import permissions
from techtransfer.catalog import dualuse
from techtransfer.catalog.classified import ViewChannel
from techtransfer.catalog.models import Achievement, Demand
from techtransfer.catalog.permissions import protected_readable_ids
from techtransfer.catalog.validators import ACHIEVEMENT_RULES, DEMAND_RULES
from techtransfer.core.errors import DomainError
from techtransfer.core.exports import export as table_export
from techtransfer.core.fields import nested_deeper_than, strip_illegal_characters

FORMATS = ("csv", "xlsx", "jsonl")
LIST_SEPARATORS = (";", "；", "|")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, list, int, decimal, bool, date, field, owner, status, patents
    required: bool
    help: object
    example: object = ""
    attr: str = ""  # model attribute when it differs from ``name``
    rule: object = None  # the field's ``core.fields.Rule`` (catalog.validators), shared with the API and forms


ACHIEVEMENT_COLUMNS = (
    Column("title", "text", True, gettext_lazy("Title in Chinese, up to 200 characters"), "高安全锂离子电池正极材料"),
    Column("title_en", "text", False, gettext_lazy("English title"), "High-safety cathode material"),
    Column("abstract", "text", True, gettext_lazy("Public summary in Chinese"), "一种提高热稳定性的正极材料制备方法。"),
    Column("abstract_en", "text", False, gettext_lazy("English summary"), ""),
    Column("keywords", "list", False, gettext_lazy("Keywords separated by ; (a list in JSONL)"),
           ["锂电池", "正极材料"]),
    Column("tech_field", "field", False, gettext_lazy("Technical field code 01–11"), "05", "tech_field_id"),
    Column("industry_codes", "list", False, gettext_lazy("GB/T 4754 industry codes, separated by ;"), ["C3841"]),
    Column("ipc_codes", "list", False, gettext_lazy("IPC codes, separated by ;"), ["H01M 10/0525"]),
    Column("trl", "int", False, gettext_lazy("Technology readiness level 1–9"), 6),
    Column("transfer_modes", "list", False, gettext_lazy("Transfer modes, separated by ;"), ["transfer"]),
    Column("asking_price", "decimal", False, gettext_lazy("Asking price in yuan (empty when negotiable)"),
           "1200000.00"),
    Column("price_negotiable", "bool", False, gettext_lazy("true / false"), False),
    Column("public_funding", "text", False, gettext_lazy("Public funding programme, if any"), ""),
    Column("dual_use", "bool", False, gettext_lazy("true / false"), False),
    Column("protected_details", "text", False, gettext_lazy("Protected details (NDA only)"), ""),
    Column("patents", "patents", False, gettext_lazy("Chinese patent or application numbers, separated by ;"),
           ["ZL201710123456.0"]),
    Column("owner", "owner", False, gettext_lazy("Owner organization id or credit code (or give a default owner)"), ""),
    Column("status", "status", False, gettext_lazy("draft (default) or published"), "draft"),
    Column("classification", "text", False, gettext_lazy("public (default), restricted or controlled"), "public"),
)
DEMAND_COLUMNS = (
    Column("title", "text", True, gettext_lazy("Title in Chinese"), "高原果蔬保鲜技术需求"),
    Column("title_en", "text", False, gettext_lazy("English title"), "Low-cost preservation of highland produce"),
    Column("problem", "text", True, gettext_lazy("The problem, in the enterprise's words"),
           "运输途中损耗高，需要低成本保鲜方案。"),
    Column("problem_en", "text", False, gettext_lazy("English problem statement"), ""),
    Column("target_indicators", "text", False, gettext_lazy("Target indicators"), "损耗率低于 5%"),
    Column("keywords", "list", False, gettext_lazy("Keywords separated by ;"), ["保鲜"]),
    Column("tech_field", "field", False, gettext_lazy("Technical field code 01–11"), "09", "tech_field_id"),
    Column("budget_min", "decimal", False, gettext_lazy("Budget from, yuan"), "100000"),
    Column("budget_max", "decimal", False, gettext_lazy("Budget up to, yuan"), "500000"),
    Column("deadline", "date", False, gettext_lazy("Deadline YYYY-MM-DD"), "2027-06-30"),
    Column("cooperation_modes", "list", False, gettext_lazy("Cooperation modes, separated by ;"), ["commissioned"]),
    Column("contact_name", "text", False, gettext_lazy("Contact person"), "李经理"),
    Column("contact_phone", "text", False, gettext_lazy("Contact phone"), "0871-12345678"),
    Column("contact_email", "text", False, gettext_lazy("Contact email"), ""),
    Column("owner", "owner", False, gettext_lazy("Owner organization id or credit code (or give a default owner)"), ""),
    Column("status", "status", False, gettext_lazy("draft (default) or published"), "draft"),
    Column("classification", "text", False, gettext_lazy("public (default), restricted or controlled"), "public"),
)
ACHIEVEMENT_COLUMNS = tuple(replace(c, rule=ACHIEVEMENT_RULES.get(c.name)) for c in ACHIEVEMENT_COLUMNS)
DEMAND_COLUMNS = tuple(replace(c, rule=DEMAND_RULES.get(c.name)) for c in DEMAND_COLUMNS)
COLUMNS = {Achievement: ACHIEVEMENT_COLUMNS, Demand: DEMAND_COLUMNS}
EXPORT_EXTRA = ("id", "region", "owner_name")


def guess_format(name: str | None) -> str:
    lower = (name or "").lower()
    for fmt in FORMATS:
        if lower.endswith("." + fmt):
            return fmt
    if lower.endswith(".json") or lower.endswith(".ndjson"):
        return "jsonl"
    raise DomainError(_("Give the file format: csv, xlsx or jsonl."), field="format")

# --- reading -----------------------------------------------------------------------------------------------------


class FileError(Exception):
    """The file cannot be read at all (not one of the formats, broken encoding)."""


def _raw(file):
    return getattr(file, "file", file)


def _iter_csv(file) -> Iterator[tuple[int, dict]]:
    text = io.TextIOWrapper(_raw(file), encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        yield 1, {"__header__": header}
        for n, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                yield n, {"__error__": _("The row has more cells than the header.")}
                continue
            yield n, dict(zip(header, row, strict=False))
    except UnicodeDecodeError:
        raise FileError(_("The CSV file is not UTF-8 text."))
    except csv.Error as exc:
        raise FileError(_("The CSV file cannot be read: %s") % exc)
    finally:
        text.detach()


def _iter_xlsx(file) -> Iterator[tuple[int, dict]]:
    try:
        wb = load_workbook(_raw(file), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileError(_("The file is not an Excel workbook (.xlsx): %s") % exc.__class__.__name__)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and not header[-1]:
            header.pop()
        yield 1, {"__header__": header}
        for n, row in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in row):
                continue
            extra = row[len(header):]
            if any(c not in (None, "") for c in extra):
                yield n, {"__error__": _("The row has more cells than the header.")}
                continue
            yield n, {h: v for h, v in zip(header, row, strict=False) if h}
    finally:
        wb.close()


_TOO_DEEP = object()
MAX_JSON_DEPTH = 4  # a row is an object of values and lists of values: deeper nesting is never a column


_CONTAINERS = (dict, list)


def _flat_row(obj) -> bool:
    """Whether ``obj`` is an object of values and lists of plain values (two levels: the common row, checked
    without walking it as ``nested_deeper_than`` does)."""
    if not isinstance(obj, dict):
        return False
    for value in obj.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, _CONTAINERS):
                    return False
        elif isinstance(value, dict):
            return False
    return True


def _iter_jsonl(file, columns) -> Iterator[tuple[int, dict]]:
    yield 0, {"__header__": None}
    raw = _raw(file)
    for n, line in enumerate(raw, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                yield n, {"__error__": _("The line is not UTF-8 text.")}
                continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            yield n, {"__error__": _("The line is not valid JSON: %s") % exc}
            continue
        except RecursionError:  # the decoder recurses once per level: "[[[[…" thousands deep
            obj = _TOO_DEEP
        if obj is _TOO_DEEP or (not _flat_row(obj) and nested_deeper_than(obj, MAX_JSON_DEPTH)):
            yield n, {"__error__": _("The line nests values more than %d levels deep.") % MAX_JSON_DEPTH}
            continue
        if not isinstance(obj, dict):
            yield n, {"__error__": _("Each line must be one JSON object.")}
            continue
        yield n, obj


def read_rows(file, fmt: str, columns) -> Iterator[tuple[int, dict]]:
    """(row number, {column: raw value}); the first item carries the header (``None`` for JSONL)."""
    if fmt == "csv":
        return _iter_csv(file)
    if fmt == "xlsx":
        return _iter_xlsx(file)
    if fmt == "jsonl":
        return _iter_jsonl(file, columns)
    raise DomainError(_("Give the file format: csv, xlsx or jsonl."), field="format")


# --- export and templates ----------------------------------------------------------------------------------------


def _cell(value, fmt: str):
    if isinstance(value, list):
        return [_cell(v, fmt) for v in value] if fmt == "jsonl" else "; ".join(str(v) for v in value)
    if fmt == "jsonl":
        if isinstance(value, str):
            # Rows stored before text inputs refused control characters: keep the line valid UTF-8 and clean.
            return strip_illegal_characters(value)
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
    return value


def export_header(model) -> list[str]:
    return [*EXPORT_EXTRA, *(c.name for c in COLUMNS[model])]


def export_rows(user, model, qs, fmt: str, ip: str | None = None) -> Iterator[list]:
    """Rows of the export, protected content only where ``user`` may read it (checked per chunk of 500); every
    row of a controlled record is logged as a view (``dualuse.log_views``, from ``ip``)."""
    columns = COLUMNS[model]
    qs = qs.select_related("owner").order_by("pk")
    if model is Achievement:
        qs = qs.prefetch_related("ip_items")
    chunk: list = []

    def emit(records):
        ids = [r.pk for r in records]
        dualuse.log_views(user, records, ViewChannel.EXPORT, ip)
        if model is Achievement:
            readable = protected_readable_ids(user, ids)
        else:
            readable = set(permissions.restricted_visible(user, model.objects.filter(pk__in=ids))
                           .values_list("pk", flat=True))
        for r in records:
            show = r.pk in readable
            row = [r.pk, r.region_id, r.owner.name]
            for col in columns:
                if col.name == "owner":
                    value = r.owner_id
                elif col.name == "patents":
                    value = [i.number for i in r.ip_items.all() if i.kind in ("invention", "utility_model", "design")]
                elif col.name in ("protected_details", *Demand.RESTRICTED_FIELDS):
                    value = getattr(r, col.name) if show else ""
                else:
                    value = getattr(r, col.attr or col.name)
                row.append(_cell(value, fmt))
            yield row

    for record in qs.iterator(chunk_size=500):
        chunk.append(record)
        if len(chunk) >= 500:
            yield from emit(chunk)
            chunk = []
    if chunk:
        yield from emit(chunk)


def _jsonl_response(header: list[str], rows, filename: str):
    def stream():
        for row in rows:
            yield json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False) + "\n"

    response = StreamingHttpResponse(stream(), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.jsonl"'
    return response


def export_response(user, model, qs, fmt: str, ip: str | None = None):
    """An HTTP download of ``qs`` (already limited to what ``user`` may see) in csv, xlsx or jsonl."""
    if fmt not in FORMATS:
        raise DomainError(_("Give the file format: csv, xlsx or jsonl."), field="format")
    header = export_header(model)
    name = model._meta.model_name + "s"
    rows = export_rows(user, model, qs, fmt, ip)
    if fmt == "jsonl":
        return _jsonl_response(header, rows, name)
    return table_export(rows, header, fmt, name)


def template_response(model, fmt: str) -> HttpResponse:
    """An empty import file with the columns and one example row."""
    if fmt not in FORMATS:
        raise DomainError(_("Give the file format: csv, xlsx or jsonl."), field="format")
    columns = COLUMNS[model]
    header = [c.name for c in columns]
    example = [_cell(c.example, fmt) for c in columns]
    name = f"{model._meta.model_name}s-template"
    if fmt == "jsonl":
        return _jsonl_response(header, [example], name)
    return table_export([example], header, fmt, name)


def write_response(response, out, progress: Callable[[int], None] | None = None) -> None:
    """Write an export response (streaming or not) to a binary file (the command line). ``progress`` is called
    with 1 per record for streamed formats (one chunk per row after the header)."""
    if getattr(response, "streaming", False):
        for n, chunk in enumerate(response.streaming_content):
            out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            if progress and (n >= 2 or response["Content-Type"].startswith("application/x-ndjson")):
                progress(1)
    else:
        out.write(response.content)
