"""Template filters of the catalog pages."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value, places: int = 0) -> str:
    """An amount in yuan with thousands separators (``1,200,000``); ``—`` when empty."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{amount:,.{int(places)}f}"
