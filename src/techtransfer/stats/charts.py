"""Server-side SVG bar charts for the statistics pages: drawn here, inline in the page, nothing fetched from
elsewhere and no script needed. Each chart has its table beside it on the page, which stays the accessible and
exportable form of the same figures."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW = 22
LABEL_WIDTH = 170
BAR_WIDTH = 300
VALUE_WIDTH = 110
COLORS = ("#0b5cad", "#8250df")


def _fmt(value: Decimal | int) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}"


def bars(items: list[tuple[str, Decimal | int]], title: str, unit: str = "", second: list | None = None) -> SafeString:
    """A horizontal bar chart of (label, value) pairs; ``second`` (same labels) draws a thinner second series
    under each bar, e.g. absorption under output. Negative values (net cancellations) draw as zero-length."""
    if not items:
        return mark_safe("")
    values = [v for _label, v in items] + [v for _label, v in (second or [])]
    top = max([Decimal(v) for v in values] + [Decimal(0)]) or Decimal(1)
    height = ROW * len(items) + 28
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" font-size="12" fill="#5b6b7c">{escape(unit)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 24 + i * ROW
        share = max(Decimal(value), Decimal(0)) / top
        length = int(share * BAR_WIDTH)
        text = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" font-size="12" text-anchor="end" fill="#1d2733">'
            f"<title>{escape(label)}</title>{escape(text)}</text>"
        )
        bar_h = 10 if second else 16
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{bar_h}" fill="{COLORS[0]}">'
            f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
        )
        if second:
            other = second[i][1]
            length2 = int(max(Decimal(other), Decimal(0)) / top * BAR_WIDTH)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 12}" width="{length2}" height="6" fill="{COLORS[1]}">'
                f"<title>{escape(label)}: {_fmt(other)}</title></rect>"
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 14}" font-size="11" fill="#5b6b7c">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)


def progress(share: Decimal | None, title: str) -> SafeString:
    """A single progress bar (share of a target reached, capped at the bar's end)."""
    if share is None:
        return mark_safe("")
    width = 200
    length = int(min(max(share, Decimal(0)), Decimal(1)) * width)
    color = "#1a7f37" if share >= 1 else "#0b5cad"
    return mark_safe(  # noqa: S308
        f'<svg class="progress" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} 12" width="{width}" '
        f'height="12" xmlns="http://www.w3.org/2000/svg"><rect width="{width}" height="12" fill="#eef2f6"/>'
        f'<rect width="{length}" height="12" fill="{color}"/></svg>'
    )
