"""One pagination rule for pages, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from techtransfer.core.errors import DomainError

# The highest page number a list accepts: far beyond any real list (a million pages of the largest page size),
# and low enough that the row offset it gives always fits the databases' 64-bit integers.
MAX_PAGE = 1_000_000


@dataclass
class PageSlice:
    items: list
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def parse_int(value, name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as a whole number from ``minimum`` to ``maximum`` (``default`` when empty), or a 400
    ``DomainError`` naming the parameter ``name``."""
    if value in (None, ""):
        return default
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(value)  # floats, decimals (a NaN or an infinity among them) are not page numbers
        number = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise DomainError(
            _("%(name)s must be a whole number, not %(value)s.") % {"name": name, "value": repr(value)[:40]},
            field=name,
            code="invalid_number",
        )
    if number < minimum or (maximum is not None and number > maximum):
        if maximum is None:
            message = _("%(name)s must be at least %(minimum)s, not %(number)s.")
        else:
            message = _("%(name)s must be between %(minimum)s and %(maximum)s, not %(number)s.")
        raise DomainError(
            message % {"name": name, "minimum": minimum, "maximum": maximum, "number": str(number)[:40]},
            field=name,
            code="out_of_range",
        )
    return number


def paginate(qs, page=1, page_size=None) -> PageSlice:
    size = parse_int(page_size, "page_size", settings.PAGE_SIZE, 1, settings.MAX_PAGE_SIZE)
    number = parse_int(page, "page", 1, 1, MAX_PAGE)
    count = qs.count()
    start = (number - 1) * size
    return PageSlice(items=list(qs[start : start + size]), count=count, page=number, page_size=size)
