"""Local records → exchange records (``format.record_schema``): what a visitor may see, nothing more.

``records(kind, local_ids)`` answers ``{local id: record or None}``; ``None`` means "not published to a visitor"
(never published, withdrawn, hidden, marked restricted or controlled, deleted): the feed turns it into a tombstone
when it had been published before. Which rows a visitor sees is decided by the models' own visibility rules
(``accounts.permissions.visible(AnonymousUser(), …)``, i.e. ``public_q()``), never restated here, with one
addition for the dual-use marking: the feed is a visitor's view, so records marked restricted or controlled
(``catalog.Classification``) are never in it, nor are market records of such achievements.

A record's ``url`` is kept as a path here (``/catalog/achievements/7/``); the feed makes it absolute with the
instance's public address (``public_base``) when it serves a page, so that the stored representation does not
depend on the host that computed it.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse

from techtransfer.accounts import permissions
from techtransfer.catalog.models import PATENT_KINDS, Achievement, Classification, Demand
from techtransfer.contracts.models import ContractEvent
from techtransfer.orgs.models import Organization
from techtransfer.people.models import Person
from techtransfer.regions import services as regions
from techtransfer.regions.models import Region
from techtransfer.stats import services as stats
from techtransfer.trading.models import Auction, Deal, Listing

from .keys import identity


def public_base() -> str:
    """``TECHTRANSFER_PUBLIC_URL`` (e.g. ``https://market.example.cn``) without a trailing slash, or ``""``."""
    return os.environ.get("TECHTRANSFER_PUBLIC_URL", "").strip().rstrip("/")


def absolute(path: str | None, base: str) -> str | None:
    if not path or not base:
        return None
    return f"{base.rstrip('/')}{path}"


# -- value helpers --------------------------------------------------------------------------------------------------


def iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def text2(zh: str | None, en: str | None = "") -> dict:
    return {"zh-Hans": zh or "", "en": en or ""}


def code(list_name: str, value) -> dict | None:
    return {"list": list_name, "code": str(value)} if value not in (None, "") else None


def codes(list_name: str, values: Iterable) -> list[dict]:
    return [code(list_name, v) for v in values or () if v not in (None, "")]


_local = threading.local()


@contextlib.contextmanager
def instance_cached():
    """Within the block, global ids use the instance id read once (``identity()`` reads the database)."""
    outer = getattr(_local, "instance", None)
    _local.instance = outer or identity().instance_id
    try:
        yield
    finally:
        _local.instance = outer


def global_id(kind: str, local_id) -> str:
    return f"{getattr(_local, 'instance', None) or identity().instance_id}/{kind}/{local_id}"


def org_ref(org: Organization | None) -> dict | None:
    if org is None:
        return None
    return {
        "id": global_id("organization", org.pk),
        "name": text2(org.name, org.name_en),
        "credit_code": org.credit_code or None,
    }


def _path(name: str, pk) -> str:
    return reverse(name, args=[pk])


def _common(kind, local_id, *, url, title, region_id, tech_field_id, owner, patents, updated_at) -> dict:
    return {
        "id": global_id(kind, local_id),
        "kind": kind,
        "url": url,
        "title": title,
        "region": code("GB/T 2260", region_id),
        "tech_field": code("techtransfer-tech-field", tech_field_id),
        "owner": org_ref(owner),
        "patent_numbers": patents,
        "updated_at": iso(updated_at),
    }


def _visitor(qs):
    return permissions.visible(AnonymousUser(), qs)


PUBLIC_MARK = Q(classification=Classification.PUBLIC)


def _patents(achievement: Achievement) -> list[str]:
    return sorted({i.number for i in achievement.ip_items.all() if i.kind in PATENT_KINDS and i.number})


# -- one builder per kind ---------------------------------------------------------------------------------------------


def _achievements(ids):
    qs = _visitor(Achievement.objects.filter(pk__in=ids)).filter(PUBLIC_MARK)
    for a in qs.select_related("owner").prefetch_related("ip_items"):
        yield (
            a.pk,
            {
                **_common(
                    "achievement",
                    a.pk,
                    url=_path("catalog:achievement", a.pk),
                    title=text2(a.title, a.title_en),
                    region_id=a.region_id,
                    tech_field_id=a.tech_field_id,
                    owner=a.owner,
                    patents=_patents(a),
                    updated_at=a.updated_at,
                ),
                "abstract": text2(a.abstract, a.abstract_en),
                "keywords": list(a.keywords or []),
                "industries": codes("GB/T 4754", a.industry_codes),
                "ipc": codes("IPC", a.ipc_codes),
                "trl": a.trl,
                "transfer_modes": codes("techtransfer-transfer-mode", a.transfer_modes),
                "asking_price": money(a.asking_price),
                "price_negotiable": a.price_negotiable,
                "dual_use": a.dual_use,
                "status": a.status,
                "published_at": iso(a.published_at),
                # Technical secrets have no public number (IPItem.clean blanks it); only the kind and title travel.
                "ip_items": [
                    {"kind": i.kind, "title": i.title, "number": i.number, "granted": i.granted}
                    for i in a.ip_items.all()
                ],
            },
        )


def _demands(ids):
    qs = _visitor(Demand.objects.filter(pk__in=ids)).filter(PUBLIC_MARK)
    for d in qs.select_related("owner"):
        yield (
            d.pk,
            {
                **_common(
                    "demand",
                    d.pk,
                    url=_path("catalog:demand", d.pk),
                    title=text2(d.title, d.title_en),
                    region_id=d.region_id,
                    tech_field_id=d.tech_field_id,
                    owner=d.owner,
                    patents=[],
                    updated_at=d.updated_at,
                ),
                "problem": text2(d.problem, d.problem_en),
                "target_indicators": d.target_indicators,
                "keywords": list(d.keywords or []),
                "budget_min": money(d.budget_min),
                "budget_max": money(d.budget_max),
                "deadline": d.deadline.isoformat() if d.deadline else None,
                "cooperation_modes": codes("techtransfer-cooperation-mode", d.cooperation_modes),
                "status": d.status,
                "published_at": iso(d.published_at),
            },
        )


def _organizations(ids):
    for o in _visitor(Organization.objects.filter(pk__in=ids)):
        yield (
            o.pk,
            {
                **_common(
                    "organization",
                    o.pk,
                    url=_path("orgs:detail", o.pk),
                    title=text2(o.name, o.name_en),
                    region_id=o.region_id,
                    tech_field_id=None,
                    owner=None,
                    patents=[],
                    updated_at=o.updated_at,
                ),
                "org_kind": code("techtransfer-org-kind", o.kind),
                "credit_code": code("GB 32100", o.credit_code),
                "country": code("ISO 3166-1", o.country_id),
                "address": o.address,
                "website": o.website,
                "description": o.description,
                "demo_level": o.demo_level or "",
                "demo_year": o.demo_year,
            },
        )


def _people(ids, profile: str):
    qs = _visitor(Person.objects.filter(pk__in=ids)).filter(**{f"{profile}__isnull": False})
    for p in qs.select_related("organization", profile).prefetch_related("fields"):
        fields = sorted(f.pk for f in p.fields.all())
        common = _common(
            profile,
            p.pk,
            url=_path("people:detail", p.pk),
            title=text2(p.name, p.name_en),
            region_id=p.region_id,
            tech_field_id=fields[0] if fields else None,
            owner=None,
            patents=[],
            updated_at=p.updated_at,
        )
        base = {
            **common,
            "organization": org_ref(p.organization),
            "professional_title": p.title,
            "expertise": p.expertise,
            "tech_fields": codes("techtransfer-tech-field", fields),
        }
        if profile == "expert":
            e = p.expert
            yield p.pk, {**base, "titles": e.titles, "specialties": e.specialties, "available": e.available}
        else:
            b = p.broker
            yield (
                p.pk,
                {
                    **base,
                    "broker_kind": b.kind,
                    "level": code("techtransfer-broker-level", b.level),
                    "certificate_no": b.certificate_no,
                    "certified_on": b.certified_on.isoformat() if b.certified_on else None,
                },
            )


def _experts(ids):
    return _people(ids, "expert")


def _brokers(ids):
    return _people(ids, "broker")


def _trade_qs(model, ids):
    # A market record of an achievement a visitor may not see (unpublished, restricted, controlled) is not public.
    visible_achievements = _visitor(Achievement.objects.all()).filter(PUBLIC_MARK).values("pk")
    qs = _visitor(model.objects.filter(pk__in=ids)).filter(achievement__in=visible_achievements)
    return qs.select_related("achievement", "seller").prefetch_related("achievement__ip_items")


def _trade(kind, obj, url) -> dict:
    a = obj.achievement
    return {
        **_common(
            kind,
            obj.pk,
            url=url,
            title=text2(a.title, a.title_en),
            region_id=obj.region_id,
            tech_field_id=a.tech_field_id,
            owner=obj.seller,
            patents=_patents(a),
            updated_at=obj.updated_at,
        ),
        "achievement": {"id": global_id("achievement", a.pk), "title": text2(a.title, a.title_en)},
        "transfer_mode": code("techtransfer-transfer-mode", obj.transfer_mode),
        "status": getattr(obj, "status", "concluded"),
    }


def _listings(ids):
    for x in _trade_qs(Listing, ids):
        yield (
            x.pk,
            {
                **_trade("listing", x, _path("trading:listing", x.pk)),
                "price": money(x.price),
                "terms": x.terms,
                "qualification": x.qualification,
                "deposit": money(x.deposit),
                "starts_at": iso(x.starts_at),
                "ends_at": iso(x.ends_at),
            },
        )


def _auctions(ids):
    for x in _trade_qs(Auction, ids):
        yield (
            x.pk,
            {
                **_trade("auction", x, _path("trading:auction", x.pk)),
                "start_price": money(x.start_price),
                "increment": money(x.increment),
                "current_price": money(x.current_price),
                "bid_count": x.bid_count,
                "deposit": money(x.deposit),
                "starts_at": iso(x.starts_at),
                "ends_at": iso(x.ends_at),
            },
        )


def _deals(ids):
    for x in _trade_qs(Deal, ids).select_related("buyer"):
        yield (
            x.pk,
            {
                **_trade("deal", x, None),
                "buyer": org_ref(x.buyer),
                "price": money(x.price),
                "source": x.source,
                "concluded_at": iso(x.concluded_at),
            },
        )


# -- statistics: aggregate registered contracts per (region, year), read from the statistics services ----------------


def stats_id(region_code: str, year: int) -> str:
    return f"{region_code}-{int(year)}"


def parse_stats_id(local_id: str) -> tuple[str, int] | None:
    code_part, _sep, year = str(local_id).partition("-")
    if len(code_part) != 6 or not code_part.isdigit() or not year.isdigit():
        return None
    return code_part, int(year)


def with_ancestors(region_code: str) -> list[str]:
    """The region and the regions it lies inside (county → city → province), as GB/T 2260 codes."""
    out, current = [], region_code
    while current and current not in out:
        out.append(current)
        try:
            current = regions.parent_of(current)
        except regions.RegionError:
            break
    return out


def stats_ids_of_contract(contract) -> list[str]:
    """The statistics records a contract's events count in: its seller's region and the regions above it, in the
    years of its events."""
    if not contract.seller_region_id:
        return []
    years = (
        ContractEvent.objects.filter(contract=contract)
        .annotate(y=ExtractYear("effective_on"))
        .values_list("y", flat=True)
        .distinct()
    )
    return [stats_id(c, y) for y in years for c in with_ancestors(contract.seller_region_id)]


def all_stats_ids() -> list[str]:
    pairs = (
        ContractEvent.objects.exclude(contract__seller_region__isnull=True)
        .annotate(y=ExtractYear("effective_on"))
        .values_list("contract__seller_region_id", "y")
        .distinct()
    )
    return sorted({stats_id(c, y) for region, y in pairs for c in with_ancestors(region)})


def _last_registered(region_code: str, start: datetime.date, end: datetime.date) -> datetime.datetime | None:
    """When the last registration step counted in these statistics was written (stable while nothing changes)."""
    events = ContractEvent.objects.filter(
        regions.scope_q("contract__seller_region_id", region_code), effective_on__gte=start, effective_on__lte=end
    )
    return events.aggregate(last=Max("at"))["last"]


def _figures(row) -> dict:
    return {
        "count": int(row.count),
        "contract_amount": money(row.contract_amount),
        "tech_amount": money(row.tech_amount),
    }


def _statistics(ids):
    names = {}
    wanted = [p for p in (parse_stats_id(i) for i in ids) if p]
    for r in Region.objects.filter(code__in={c for c, _y in wanted}):
        names[r.code] = r
    for region_code, year in wanted:
        region = names.get(region_code)
        if region is None:
            continue
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        totals = stats.totals(None, start, end, region=region_code)
        categories = stats.table(None, "category", start, end, region=region_code)
        flows = stats.table(None, "flow", start, end, region=region_code)
        if not (totals.count or totals.contract_amount or totals.tech_amount or categories or flows):
            continue  # nothing counted (every contract of the year cancelled): not published
        yield (
            stats_id(region_code, year),
            {
                **_common(
                    "statistics",
                    stats_id(region_code, year),
                    url=None,
                    title=text2(
                        f"{region.name} {year}年技术合同登记统计",
                        f"Registered technology contracts, {region.name_en or region.code}, {year}",
                    ),
                    region_id=region_code,
                    tech_field_id=None,
                    owner=None,
                    patents=[],
                    updated_at=_last_registered(region_code, start, end),
                ),
                "year": year,
                "period": {"from": start.isoformat(), "to": end.isoformat()},
                "side": "output",
                "currency": "CNY",
                "totals": _figures(totals),
                "by_category": [
                    {"category": code("techtransfer-contract-category", r.key), **_figures(r)} for r in categories
                ],
                "by_flow": [{"flow": code("techtransfer-contract-flow", r.key), **_figures(r)} for r in flows],
            },
        )


@dataclass(frozen=True)
class Source:
    build: Callable[[list], Iterable[tuple[object, dict]]]
    all_ids: Callable[[], Iterable]  # every local id a visitor may see now (for a rebuild)
    numeric: bool = True


def _visible_ids(model, extra: Q | None = None) -> Callable[[], Iterable]:
    def ids():
        qs = _visitor(model.objects.all())
        if extra is not None:
            qs = qs.filter(extra)
        return qs.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)

    return ids


SOURCES: dict[str, Source] = {
    "achievement": Source(_achievements, _visible_ids(Achievement, PUBLIC_MARK)),
    "demand": Source(_demands, _visible_ids(Demand, PUBLIC_MARK)),
    "organization": Source(_organizations, _visible_ids(Organization)),
    "expert": Source(_experts, _visible_ids(Person, Q(expert__isnull=False))),
    "broker": Source(_brokers, _visible_ids(Person, Q(broker__isnull=False))),
    "listing": Source(_listings, _visible_ids(Listing)),
    "auction": Source(_auctions, _visible_ids(Auction)),
    "deal": Source(_deals, _visible_ids(Deal)),
    "statistics": Source(_statistics, all_stats_ids, numeric=False),
}


def records(kind: str, local_ids: Iterable) -> dict[str, dict | None]:
    """``{local id (str): exchange record, or None when a visitor may not see it or it is gone}``."""
    source = SOURCES[kind]
    wanted = [str(i) for i in local_ids]
    if source.numeric:
        keys = [int(i) for i in wanted if i.isdigit()]
    else:
        keys = wanted
    out: dict[str, dict | None] = dict.fromkeys(wanted)
    for pk, record in source.build(keys):
        out[str(pk)] = record
    return out
