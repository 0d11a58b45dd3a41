"""Table exports (CSV and Excel) shared by every area. Callers pass rows they already permission-filtered."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from techtransfer.core.errors import DomainError
from techtransfer.core.fields import strip_illegal_characters

FORMATS = ("csv", "xlsx")


class _Echo:
    def write(self, value):
        return value


def _safe_cell(value):
    if isinstance(value, str):
        # Rows stored before text inputs refused control characters may still hold some; XLSX (XML) cannot
        # carry them, so they are dropped on the way out rather than failing the whole export.
        value = strip_illegal_characters(value)
        # Neutralize spreadsheet formulas in user-supplied text (CSV/formula injection).
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return "" if value is None else value


def export(rows: Iterable[Sequence], header: Sequence[str], fmt: str, filename: str):
    if fmt not in FORMATS:
        raise DomainError(_("The format must be one of: %s.") % ", ".join(FORMATS), field="format")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # BOM so Excel opens UTF-8 Chinese text correctly
            yield writer.writerow([_safe_cell(str(h)) for h in header])
            for row in rows:
                yield writer.writerow([_safe_cell(v) for v in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("data")
        ws.append([_safe_cell(str(h)) for h in header])
        for row in rows:
            ws.append([_safe_cell(v) for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
