"""Export bundles — reporting upwards (a city instance to its province, a province to the national level).

A bundle is the feed's items (records and tombstones, in the exchange format) that changed in a period, plus the
statistics records of the years the period touches, signed with the instance's key like a feed page
(``format.BUNDLE_SCHEMA``). Platform administrators export everything; a region administrator the records of its
regions (and the statistics of those regions and the regions inside them). Tombstones carry no region and are
all included: they name only a withdrawn record's global id.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.core.errors import DomainError
from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.models import FeedEntry
from techtransfer.regions.services import is_within

from . import feed, serialize
from .keys import identity

MAX_DAYS = 3660  # about ten years


def parse_date(value, field: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(
            _("%(field)s: %(value)s is not a date (YYYY-MM-DD).") % {"field": field, "value": value},
            field=field,
            code="bad_date",
            status=400,
        ) from None


def parse_kinds(kinds: Iterable[str] | None) -> list[str]:
    chosen = [k.strip() for k in (kinds or []) if k and k.strip()]
    unknown = [k for k in chosen if k not in fmt.KINDS]
    if unknown:
        raise DomainError(
            _("Unknown kind: %(kinds)s (known: %(known)s)")
            % {"kinds": ", ".join(unknown), "known": ", ".join(fmt.KINDS)},
            field="kinds",
            code="bad_kind",
            status=400,
        )
    return chosen or list(fmt.KINDS)


def regions_of(user) -> list[str] | None:
    """The regions ``user`` may export (None: everything; ``user`` None is the command line, everything)."""
    if user is None:
        return None
    permissions.require(
        "exchange.export_bundle", user, message=_("Export bundles are for platform and region administrators.")
    )
    p = permissions.principal(user)
    return None if p.is_platform_admin else sorted(set(p.regions(Role.REGION_ADMIN)))


def _in_scope(entry: FeedEntry, scope: list[str] | None) -> bool:
    if scope is None or entry.deleted:
        return True
    region = (entry.data or {}).get("region") or {}
    code = region.get("code")
    return bool(code) and any(is_within(code, r) for r in scope)


def export(user, date_from, date_to, kinds=None, base: str = "", progress: Callable[[str], None] | None = None) -> dict:
    """The signed bundle of the period [date_from, date_to] (dates, inclusive) for ``user`` (None: everything)."""
    scope = regions_of(user)
    start, end = parse_date(date_from, "from"), parse_date(date_to, "to")
    if start > end:
        raise DomainError(_("The period's start is after its end."), field="from", code="bad_period", status=400)
    if (end - start).days > MAX_DAYS:
        raise DomainError(_("Export at most ten years at once."), field="to", code="bad_period", status=400)
    chosen = parse_kinds(kinds)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    base = base or serialize.public_base()
    with serialize.instance_cached():
        items = _collect(chosen, scope, start, end, since, until, base, progress)
    doc = {
        "format": fmt.BUNDLE_FORMAT,
        "version": fmt.VERSION,
        "instance": identity().instance_id,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "regions": scope,
        "kinds": chosen,
        "generated_at": serialize.iso(timezone.now()),
        "items": items,
    }
    return signing.sign_document(doc, identity().private_key)


def _collect(kinds, scope, start, end, since, until, base, progress) -> list[dict]:
    items: list[dict] = []
    for kind in kinds:
        qs = FeedEntry.objects.filter(kind=kind).order_by("seq")
        if kind == "statistics":  # the statistics of the years the period touches, whenever they last changed
            years = {str(y) for y in range(start.year, end.year + 1)}
            entries = [
                e for e in qs.filter(deleted=False).iterator(chunk_size=1000) if e.local_id.rpartition("-")[2] in years
            ]
        else:
            entries = qs.filter(changed_at__gte=since, changed_at__lt=until).iterator(chunk_size=1000)
        n = 0
        for entry in entries:
            if _in_scope(entry, scope):
                items.append(feed.item(entry, base))
                n += 1
        if progress:
            progress(f"{kind}: {n}")
    return items
