"""Saved searches and subscriptions: a user saves a query and filters; when a record is published that the
query matches, the user gets a notification (once per record, through the notifications app)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from techtransfer.accounts.permissions import can_view
from techtransfer.audit import services as audit
from techtransfer.catalog.models import PUBLIC_STATUSES, Achievement, Demand
from techtransfer.core.errors import DomainError, Forbidden, NotFound
from techtransfer.notifications import services as notifications
from techtransfer.notifications.services import mark_read, notifications_for  # noqa: F401 - the old names

from . import permissions, services
from .models import SavedSearch

KINDS = ("achievement", "demand", "expert", "broker", "organization")
RECORD_KINDS = {"catalog.achievement": "achievement", "catalog.demand": "demand"}


def _clean(name: str, query: str, kinds, filters) -> tuple[str, str, list, dict]:
    name = (name or "").strip()
    query = (query or "").strip()
    if not name:
        raise DomainError(_("Give the saved search a name."), field="name")
    if len(name) > 100:
        raise DomainError(_("The name is longer than 100 characters."), field="name")
    if len(query) > 200:
        raise DomainError(_("The query is longer than 200 characters."), field="query")
    kinds = list(kinds or [])
    for k in kinds:
        if k not in KINDS:
            raise DomainError(_("Unknown kind: %(kind)s") % {"kind": k}, field="kinds")
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise DomainError(_("Filters must be a mapping."), field="filters")
    if not query and not filters:
        raise DomainError(_("Give a query or at least one filter."), field="query")
    filters = {k: v for k, v in filters.items() if v not in (None, "", [])}
    services.clean_filters(filters)  # the engine's own check: a wrong filter is refused when saved, not when matched
    return name, query, kinds, filters


def save_search(user, name: str, query: str = "", kinds=None, filters=None, notify: bool = True) -> SavedSearch:
    if not permissions.allowed("matching.save_search", user):
        raise Forbidden(_("Sign in to save searches."))
    name, query, kinds, filters = _clean(name, query, kinds, filters)
    with transaction.atomic():
        s = SavedSearch.objects.create(user=user, name=name, query=query, kinds=kinds, filters=filters,
                                       notify=notify)
        audit.created(user, s, "matching.saved_search.create")
    return s


def get_own(user, pk) -> SavedSearch:
    s = permissions.own_saved_searches(user).filter(pk=pk).first()
    if s is None:
        raise NotFound(_("No such saved search."))
    return s


def update_search(user, pk, **changes) -> SavedSearch:
    s = get_own(user, pk)
    name, query, kinds, filters = _clean(changes.get("name", s.name), changes.get("query", s.query),
                                         changes.get("kinds", s.kinds), changes.get("filters", s.filters))
    with audit.tracking(user, s, "matching.saved_search.update"):
        s.name, s.query, s.kinds, s.filters = name, query, kinds, filters
        if "notify" in changes:
            s.notify = bool(changes["notify"])
    return s


def delete_search(user, pk) -> None:
    s = get_own(user, pk)
    with transaction.atomic():
        audit.deleted(user, s, "matching.saved_search.delete")
        s.delete()


def _text_of(record) -> str:
    parts = [record.title, getattr(record, "abstract", ""), getattr(record, "problem", ""),
             " ".join(getattr(record, "keywords", None) or [])]
    return " ".join(p for p in parts if p).lower()


def _filters_match(record, filters: dict) -> bool:
    for key, want in filters.items():
        if want in (None, "", []):
            continue
        if key == "field":
            if not str(record.tech_field_id or "").startswith(str(want)):
                return False
        elif key == "region":
            if not str(record.region_id or "").startswith(str(want).rstrip("0") or str(want)):
                return False
        elif key == "trl_min":
            if getattr(record, "trl", None) is None or record.trl < int(want):
                return False
        elif key == "trl_max":
            if getattr(record, "trl", None) is None or record.trl > int(want):
                return False
        elif key == "transfer_mode":
            if want not in (getattr(record, "transfer_modes", None) or []):
                return False
    return True


def _engine_match(saved: SavedSearch, kind: str, record) -> bool | None:
    """Re-run the saved query with the engine for this one record."""
    try:
        return services.matches_record(saved.user, saved.query, kind, record.pk, saved.filters or None)
    except DomainError:  # a filter that is no longer valid (e.g. a region code retired) matches nothing
        return False


def matches(saved: SavedSearch, kind: str, record) -> bool:
    if saved.kinds and kind not in saved.kinds:
        return False
    if not can_view(saved.user, record):
        return False
    if not _filters_match(record, saved.filters or {}):
        return False
    found = _engine_match(saved, kind, record) if saved.query else None
    if found is not None:
        return found
    terms = [t for t in saved.query.lower().split() if t]
    text = _text_of(record)
    return all(t in text for t in terms)


def record_url(kind: str, pk) -> str:
    return f"/matching/{kind}/{pk}/"


def notify_for(record) -> int:
    """Create notifications for every saved search the published ``record`` matches. Returns how many."""
    kind = RECORD_KINDS.get(record._meta.label_lower)
    if kind is None or not record.is_public:
        return 0
    url = record_url(kind, record.pk)
    made = 0
    for saved in SavedSearch.objects.filter(notify=True).select_related("user"):
        if not saved.user.is_active or notifications.already_notified(saved.user, url):
            continue
        if matches(saved, kind, record):
            title = _("New match for “%(search)s”: %(title)s") % {"search": saved.name, "title": record.title}
            made += notifications.notify(saved.user, title, url)
    return made


def notify_changed(kind: str, pks, status=None) -> int:
    """After records of ``kind`` changed (and were indexed): notify saved searches of those now public."""
    if status is not None and status not in PUBLIC_STATUSES:
        return 0
    model = {"achievement": Achievement, "demand": Demand}.get(kind)
    if model is None:
        return 0
    return sum(notify_for(record) for record in model.objects.filter(model.public_q(), pk__in=list(pks)))
