"""The directory listings organizations and people share: a page (API) or an export whose contact fields are
filled only for the records the caller may see restricted fields of, the list pages' handling of a bad
filter, their export link and the detail page. ``people`` builds on this module (it sits above ``orgs`` in the
layer order).

Contacts are restricted fields (``accounts.permissions.restricted_visible``): one query per page or export
decides for all its records, instead of one per record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import Http404
from django.shortcuts import render
from ninja import Schema

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.exports import export
from techtransfer.core.pagination import paginate


class DirectoryPage(Schema):
    """One API page of a directory (the dict ``page`` returns); a subclass narrows ``items`` to its record type,
    which keeps ``items`` first in the body."""

    items: list
    count: int
    page: int
    pages: int
    page_size: int


def restricted_ids(user, qs) -> set[int]:
    """Ids of the records in ``qs`` whose restricted fields (contacts) ``user`` may see."""
    return set(permissions.restricted_visible(user, qs).values_list("pk", flat=True))


def page(user, qs, number: int, size: int, serialize: Callable[..., dict]) -> dict:
    """One API page of ``qs``: ``serialize(user, record, restricted_ok)`` per item, with the page counts."""
    sl = paginate(qs, number, size)
    allowed = restricted_ids(user, qs.model.objects.filter(pk__in=[r.pk for r in sl.items]))
    return {
        "items": [serialize(user, r, r.pk in allowed) for r in sl.items],
        "count": sl.count,
        "page": sl.page,
        "pages": sl.pages,
        "page_size": sl.page_size,
    }


def export_restricted(user, qs, header: list[str], row: Callable[[object, bool], Iterable], fmt: str, name: str):
    """Export ``qs`` as ``fmt``: ``row(record, restricted_ok)`` per record, streamed in chunks of 500."""
    allowed = restricted_ids(user, qs)
    return export((row(r, r.pk in allowed) for r in qs.iterator(chunk_size=500)), header, fmt, name)


def search_or_unfiltered(search: Callable, user, filters, unfiltered):
    """(records, error message or None): a bad filter on a list page shows its message above the unfiltered
    list instead of an error page."""
    try:
        return search(user, filters), None
    except DomainError as exc:
        return search(user, unfiltered), exc.message


def querystring(request) -> str:
    """The list page's query string without its page number, ready for "?{{ querystring }}page=2"."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode() + "&" if params else ""


def export_page(request, make_response: Callable):
    """An export link of a list page: a bad filter gives the 400 error page."""
    try:
        return make_response()
    except DomainError as exc:
        return render(request, "core/error.html", {"status": 400, "message": exc.message}, status=400)


def export_view(request, export_response: Callable, read_filters: Callable):
    """The export link of a list page: ``export_response(user, filters, format)`` with the page's filters
    (``read_filters(request)``) and ``?format=`` (CSV unless asked otherwise); a bad filter is the 400 page."""
    fmt = request.GET.get("format", "csv")
    return export_page(request, lambda: export_response(request.user, read_filters(request), fmt))


def visible_or_404(get_visible: Callable, user, pk: int):
    """A detail page's record; ``NotFound`` (absent or not visible) is the 404 page."""
    try:
        return get_visible(user, pk)
    except NotFound:
        raise Http404


def detail_page(request, get_visible: Callable, pk: int, template: str, name: str, extra: Callable[[object], dict]):
    """A directory record's page: the record (as ``name``), whether the caller may see its restricted fields
    (contacts) and change it, and ``extra(record)``; absent or not visible is the 404 page."""
    record = visible_or_404(get_visible, request.user, pk)
    context = {
        name: record,
        "restricted_ok": permissions.can_see_restricted(request.user, record),
        "can_change": permissions.can_change(request.user, record),
    }
    return render(request, template, {**context, **extra(record)})
