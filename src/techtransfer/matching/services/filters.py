"""Search filters and scope: the user's filters checked and turned into engine filters (errors name the filter),
the user's read scope as an engine filter, the labels and choices the search form and facets show."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Role
from techtransfer.accounts.permissions import principal
from techtransfer.catalog.models import CooperationMode, Status, TransferMode
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import OrgKind
from techtransfer.regions import services as regions
from techtransfer.taxonomy.models import TechField

from .. import indexing
from ..indexing import ALL_KINDS

MAX_PER_PAGE = 100
MAX_PAGE = 50
RERANK_DEPTH = 50


FACET_LABELS = {
    "kind": gettext_lazy("Kind"),
    "field": gettext_lazy("Technical field"),
    "region": gettext_lazy("Region"),
    "trl": gettext_lazy("TRL"),
    "transfer_mode": gettext_lazy("Transfer mode"),
    "price_band": gettext_lazy("Price band"),
    "status": gettext_lazy("Status"),
    "org_kind": gettext_lazy("Organization type"),
}
_FACET_SOURCE = {"kind": "kind", "field": "field_code", "region": "region_city", "trl": "trl",
                 "transfer_mode": "modes", "price_band": "price_band", "status": "status", "org_kind": "org_kind"}
KIND_LABELS = {
    "achievement": gettext_lazy("Achievement"),
    "demand": gettext_lazy("Demand"),
    "expert": gettext_lazy("Expert"),
    "broker": gettext_lazy("Broker"),
    "organization": gettext_lazy("Organization"),
}
PRICE_BAND_LABELS = {
    "negotiable": gettext_lazy("Negotiable"),
    "unpriced": gettext_lazy("No price given"),
    "lt_100k": gettext_lazy("Under 100,000 yuan"),
    "100k_1m": gettext_lazy("100,000 – 1 million yuan"),
    "1m_10m": gettext_lazy("1 – 10 million yuan"),
    "gte_10m": gettext_lazy("10 million yuan and more"),
}
REGION_TIERS = ("province", "city", "county")

# TRL a demand's cooperation modes call for: buying or licensing a technology needs a proven one (GB/T 22900:
# level 6 = prototype verified in a relevant environment), commissioned or joint development can start earlier;
# services and consulting do not depend on the level.
TRL_WANTED = {
    "transfer": (6, 9), "licence": (6, 9), "equity": (5, 9),
    "commissioned": (3, 7), "joint_development": (3, 7),
}


# -- filters -------------------------------------------------------------------------------------------------------

def _valid_values() -> dict[str, set[str]]:
    return {
        "transfer_mode": set(TransferMode.values) | set(CooperationMode.values),
        "price_band": set(PRICE_BAND_LABELS),
        "status": set(Status.values),
        "org_kind": set(OrgKind.values),
    }


def _trl(value, name: str) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("The TRL must be a whole number from 1 to 9."), field=name)
    if not 1 <= level <= 9:
        raise DomainError(_("The TRL must be a whole number from 1 to 9."), field=name)
    return level


def clean_filters(filters: dict | None) -> dict:
    """Check the user's filters and turn them into engine filters. Errors name the filter."""
    out: dict = {}
    if not filters:
        return out
    filters = {k: v for k, v in filters.items() if v not in (None, "", [])}
    valid = _valid_values()
    for key, value in filters.items():
        if key == "field":
            value = str(value).strip()
            if not value.isalnum() or len(value) > 16:
                raise DomainError(_("Unknown technical field: %(value)s") % {"value": value}, field="field")
            out["field"] = value
        elif key == "region":
            code = str(value).strip()
            if not regions.exists(code):
                raise DomainError(_("Unknown region code: %(value)s") % {"value": code}, field="region")
            tier = filters.get("region_tier")
            if tier:
                if tier not in REGION_TIERS:
                    raise DomainError(_("The region tier is province, city or county."), field="region_tier")
                path = regions.tier_path(code)
                code = path[min(REGION_TIERS.index(tier), len(path) - 1)]
            out["region"] = code
        elif key == "region_tier":
            if value not in REGION_TIERS:
                raise DomainError(_("The region tier is province, city or county."), field="region_tier")
        elif key in ("trl_min", "trl_max"):
            out[key] = _trl(value, key)
        elif key in valid:
            values = value if isinstance(value, list | tuple) else [value]
            for v in values:
                if str(v) not in valid[key]:
                    raise DomainError(_("Unknown value %(value)s.") % {"value": v}, field=key)
            out["modes" if key == "transfer_mode" else key] = [str(v) for v in values]
        else:
            raise DomainError(_("Unknown filter: %(name)s") % {"name": key}, field=key)
    if out.get("trl_min") and out.get("trl_max") and out["trl_min"] > out["trl_max"]:
        raise DomainError(_("The lowest TRL is above the highest."), field="trl_min")
    return out


def _scope(user) -> dict | None:
    """The user's read scope as an engine filter (None: everything, for platform administrators)."""
    p = principal(user)
    if p.is_platform_admin:
        return None
    return {"orgs": sorted(p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)), "regions": p.regions()}


def _engine_filters(user, kinds, filters: dict | None = None, **extra) -> dict:
    out = dict(filters or {})
    out["kind"] = list(kinds)
    scope = _scope(user)
    if scope is not None:
        out["visible_to"] = scope
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


# Which records a search covers (``source``): this platform's own, the peer platforms' (kinds other apps declare,
# e.g. the exchange's federated records), or both.
SOURCES = ("local", "network", "both")
NO_KIND = "none"  # a kind nothing has: the search finds nothing (e.g. demands among the network's experts)


def source_kinds(source: str | None, kinds=None) -> list[str]:
    """The kinds a search covers for ``source`` (``local``, ``network`` or ``both``/empty), narrowed to ``kinds``
    when given (a kind outside the source is left out)."""
    source = (source or "both").strip()
    if source not in SOURCES:
        raise DomainError(_("The source is local, network or both."), field="source")
    if source == "local":
        allowed = list(ALL_KINDS)
    elif source == "network":
        allowed = indexing.other_kinds()
    else:
        allowed = indexing.declared_kinds()
    if kinds:  # narrowed to the kinds asked for; an unknown kind stays for ``_check_kinds`` to name
        allowed = [k for k in kinds if k in allowed or k not in indexing.declared_kinds()]
    return allowed or [NO_KIND]


def kind_label(kind: str) -> str:
    if kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    doc = indexing.search_documents().get(kind)
    return str(doc.label or kind) if doc is not None else kind


def _check_kinds(kinds) -> list[str]:
    known = indexing.declared_kinds()
    kinds = list(kinds or known)
    for k in kinds:
        if k == NO_KIND:
            continue
        if k not in ALL_KINDS and k not in known:
            raise DomainError(_("Unknown kind: %(kind)s") % {"kind": k}, field="kinds")
    return kinds


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Values offered by the search form's filters, with their labels."""
    modes = {m.value: str(m.label) for m in CooperationMode}
    modes.update({m.value: str(m.label) for m in TransferMode})
    return {
        "field": [(f.pk, str(f)) for f in TechField.objects.filter(active=True)],
        "transfer_mode": sorted(modes.items(), key=lambda kv: kv[1]),
        "price_band": [(k, str(v)) for k, v in PRICE_BAND_LABELS.items()],
        "status": [(s.value, str(s.label)) for s in Status if s != Status.DRAFT],
        "org_kind": [(k.value, str(k.label)) for k in OrgKind],
        "region_tier": [("county", _("This county only")), ("city", _("Its whole city")),
                        ("province", _("Its whole province"))],
        "trl": [(str(n), str(n)) for n in range(1, 10)],
    }


def kind_choices() -> list[tuple[str, str]]:
    return [(k, kind_label(k)) for k in indexing.declared_kinds()]
