"""The matching engine as the platform uses it — 供需智配: one search over achievements, demands, experts, brokers
and organizations; similar records; recommendations for a demand; candidate demands and enterprises for an
achievement. Every hit explains itself.

Rules:
- **Permission-aware.** The engine query itself is limited to what the user may read (public records, records of
  the user's organizations, records inside the user's administered regions), and every hit is checked again
  against the database with ``accounts.permissions.visible`` before it is shown: a record withdrawn a moment ago
  vanishes at once, even before the index has caught up.
- **Public text only.** Documents are built from public fields (``indexing``); snippets are cut from the public
  fields of the record as it is in the database now — an achievement's protected details never appear.
- **Explanations.** Matched terms (highlighted), shared technical field, shared IPC subclass, TRL fit (for a
  demand's cooperation modes), region proximity (same county, city or province).
- **Semantic retrieval is optional.** When ``engine.semantic`` and ``engine.fusion`` are present, an encoder is
  configured (``TECHTRANSFER_EMBEDDING_MODEL``) and the vector index has been built, lexical and semantic
  rankings are fused; otherwise the lexical ranking stands alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.permissions import can_view, principal, visible
from techtransfer.core.errors import DomainError, NotFound

from . import indexing
from .engine import text as textmod
from .indexing import ALL_KINDS, latest_refinement

log = logging.getLogger(__name__)

__all__ = ["ALL_KINDS", "Hit", "SearchPage", "search", "similar", "recommend_for_demand",
           "candidates_for_achievement", "matches_record"]

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


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    url: str
    score: float
    snippet_html: str = ""
    explanation: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    kind_label: str = ""


@dataclass
class SearchPage:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict
    mode: str = "lexical"


# -- filters -------------------------------------------------------------------------------------------------------

def _valid_values() -> dict[str, set[str]]:
    from techtransfer.catalog.models import CooperationMode, Status, TransferMode
    from techtransfer.orgs.models import OrgKind

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
    from techtransfer.regions import services as regions

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
    from techtransfer.accounts.models import Role

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


def _check_kinds(kinds) -> list[str]:
    kinds = list(kinds or ALL_KINDS)
    for k in kinds:
        if k not in ALL_KINDS:
            raise DomainError(_("Unknown kind: %(kind)s") % {"kind": k}, field="kinds")
    return kinds


# -- loading hits back from the database ---------------------------------------------------------------------------

def _load(user, kind: str, pks: list[int]) -> dict[int, object]:
    """The records among ``pks`` that exist and that ``user`` may see now (the database decides)."""
    from techtransfer.catalog.models import Achievement, Demand
    from techtransfer.orgs.models import Organization
    from techtransfer.people.models import BrokerProfile, ExpertProfile, Person

    if not pks:
        return {}
    if kind == "achievement":
        qs = visible(user, Achievement.objects.filter(pk__in=pks)).select_related("owner", "tech_field")
    elif kind == "demand":
        from django.db.models import Prefetch

        from techtransfer.catalog.models import DemandRefinement

        refs = Prefetch("refinements", queryset=DemandRefinement.objects.order_by("-version"),
                        to_attr="_tt_refinements")
        qs = visible(user, Demand.objects.filter(pk__in=pks)).select_related("owner", "tech_field")
        qs = qs.prefetch_related(refs)
    elif kind in ("expert", "broker"):
        model = ExpertProfile if kind == "expert" else BrokerProfile
        people = visible(user, Person.objects.filter(**{f"{kind}__pk__in": pks}))
        qs = model.objects.filter(pk__in=pks, person__in=people).select_related("person__organization")
        qs = qs.prefetch_related("person__fields")
    elif kind == "organization":
        orgs = {o.pk: o for o in visible(user, Organization.objects.filter(pk__in=pks))}
        fields = _org_fields(list(orgs))
        for pk, org in orgs.items():
            org._tt_fields = fields.get(pk, set())
        return orgs
    else:
        return {}
    return {obj.pk: obj for obj in qs}


def _org_fields(org_ids: list[int]) -> dict[int, set[str]]:
    """Technical fields of organizations' public achievements and demands (what they work on)."""
    from techtransfer.catalog.models import Achievement, Demand

    out: dict[int, set[str]] = {}
    for model in (Achievement, Demand):
        rows = (model.objects.filter(model.public_q(), owner_id__in=org_ids, tech_field__isnull=False)
                .values_list("owner_id", "tech_field_id").distinct())
        for owner, field_code in rows:
            out.setdefault(owner, set()).add(field_code)
    return out


def _candidate_fields(ids) -> dict[str, set[str]]:
    """The technical-field codes of ranked candidates (``kind:pk`` ids), read in one query per kind: an
    achievement's field, a demand's field and its latest refinement's, the fields of an expert's or broker's
    person, the fields an organization's public records are in. Only used to order candidates that the engine's
    visibility filter already let through; nothing here is shown."""
    from techtransfer.catalog.models import Achievement, Demand, DemandRefinement
    from techtransfer.people.models import Person

    pks: dict[str, list[int]] = {}
    for doc_id in ids:
        kind, _sep, pk = str(doc_id).partition(":")
        if pk.isdigit():
            pks.setdefault(kind, []).append(int(pk))
    out: dict[str, set[str]] = {}

    def put(kind: str, pk, code) -> None:
        if code:
            out.setdefault(f"{kind}:{pk}", set()).add(code)

    if pks.get("achievement"):
        for pk, code in Achievement.objects.filter(pk__in=pks["achievement"]).values_list("pk", "tech_field_id"):
            put("achievement", pk, code)
    if pks.get("demand"):
        for pk, code in Demand.objects.filter(pk__in=pks["demand"]).values_list("pk", "tech_field_id"):
            put("demand", pk, code)
        latest: dict[int, str | None] = {}
        for pk, code in (DemandRefinement.objects.filter(demand_id__in=pks["demand"])
                         .order_by("demand_id", "-version").values_list("demand_id", "tech_field_id")):
            latest.setdefault(pk, code)
        for pk, code in latest.items():
            put("demand", pk, code)
    for kind in ("expert", "broker"):
        if pks.get(kind):
            rows = (Person.fields.through.objects.filter(**{f"person__{kind}__pk__in": pks[kind]})
                    .values_list(f"person__{kind}__pk", "techfield_id"))
            for pk, code in rows:
                put(kind, pk, code)
    if pks.get("organization"):
        for pk, codes in _org_fields(pks["organization"]).items():
            for code in codes:
                put("organization", pk, code)
    return out


def _field_rows(ids):
    """Candidates' technical fields as distributions (their codes shared equally; zeros when unknown), for the
    field-aware re-ranking of ``fusion.hybrid``."""
    import numpy as np

    fields = _candidate_fields(ids)
    codes = sorted({code for found in fields.values() for code in found})
    column = {code: i for i, code in enumerate(codes)}
    rows = np.zeros((len(ids), max(len(codes), 1)), dtype=np.float32)
    for i, doc_id in enumerate(ids):
        found = fields.get(str(doc_id))
        if found:
            for code in found:
                rows[i, column[code]] = 1.0 / len(found)
    return rows


def _url(kind: str, obj) -> str:
    if kind == "achievement":
        return reverse("catalog:achievement", args=[obj.pk])
    if kind == "demand":
        return reverse("catalog:demand", args=[obj.pk])
    if kind in ("expert", "broker"):
        return reverse("people:detail", args=[obj.person_id])
    return reverse("orgs:detail", args=[obj.pk])


def _title(kind: str, obj) -> str:
    if kind in ("expert", "broker"):
        p = obj.person
        extra = " · ".join(x for x in (p.title, p.organization.name if p.organization_id else "") if x)
        return f"{p.name}（{extra}）" if extra else p.name
    if kind == "organization":
        return obj.name
    return obj.title


def public_text(kind: str, obj) -> str:
    """The public text of a record, for snippets and matched terms (never protected or contact fields)."""
    if kind == "achievement":
        return "\n".join(p for p in (obj.abstract, " ".join(obj.keywords or ()), obj.title_en, obj.abstract_en) if p)
    if kind == "demand":
        ref = latest_refinement(obj)
        parts = [obj.problem, obj.target_indicators, " ".join(obj.keywords or ())]
        if ref is not None:
            parts += [ref.title, ref.description, ref.key_indicators]
        return "\n".join(p for p in parts if p)
    if kind in ("expert", "broker"):
        p = obj.person
        parts = [p.expertise, p.bio]
        if kind == "expert":
            parts = [obj.specialties, obj.titles, *parts]
        return "\n".join(x for x in parts if x)
    return obj.description or ""


# -- explanations ----------------------------------------------------------------------------------------------------

@dataclass
class _Source:
    """What a recommendation starts from: the fields, IPC subclasses, region and TRL wish of a record."""

    fields: set[str] = field(default_factory=set)
    ipc: set[str] = field(default_factory=set)
    region: str | None = None
    trl_wanted: tuple[int, int] | None = None
    trl: int | None = None


def _ipc_classes(codes) -> set[str]:
    return {str(c).replace(" ", "")[:4].upper() for c in codes or () if c and len(str(c).strip()) >= 4}


def _fields_of(kind: str, obj) -> set[str]:
    if kind == "achievement":
        return {obj.tech_field_id} if obj.tech_field_id else set()
    if kind == "demand":
        out = {obj.tech_field_id} if obj.tech_field_id else set()
        ref = latest_refinement(obj)
        if ref is not None and ref.tech_field_id:
            out.add(ref.tech_field_id)
        return out
    if kind in ("expert", "broker"):
        return {f.pk for f in obj.person.fields.all()}
    if kind == "organization":
        fields = getattr(obj, "_tt_fields", None)
        return fields if fields is not None else _org_fields([obj.pk]).get(obj.pk, set())
    return set()


def _ipc_of(kind: str, obj) -> set[str]:
    if kind == "achievement":
        return _ipc_classes(obj.ipc_codes)
    if kind == "demand":
        ref = latest_refinement(obj)
        return _ipc_classes(ref.ipc_codes) if ref is not None else set()
    return set()


def _region_of(kind: str, obj) -> str | None:
    if kind in ("expert", "broker"):
        return obj.person.region_id
    return getattr(obj, "region_id", None)


def _trl_wanted(demand) -> tuple[int, int] | None:
    ranges = [TRL_WANTED[m] for m in demand.cooperation_modes or () if m in TRL_WANTED]
    if not ranges:
        return None
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _proximity(a: str | None, b: str | None) -> str | None:
    if not a or not b:
        return None
    if a == b:
        return "county" if not a.endswith("00") else "same"
    if a[:4] == b[:4] and not a.endswith("0000"):
        return "city"
    if a[:2] == b[:2]:
        return "province"
    return None


def _field_labels() -> dict[str, str]:
    from techtransfer.taxonomy.models import TechField

    return {f.pk: str(f) for f in TechField.objects.all()}


def _explain(kind: str, obj, tokens: list[str], source: _Source | None,
             field_labels: dict[str, str] | None = None) -> tuple[str, dict, list[str]]:
    from techtransfer.regions.services import name_of

    text = public_text(kind, obj)
    title = _title(kind, obj)
    terms = textmod.highlighted_terms(title + "\n" + text, tokens)[:8]
    snippet = textmod.highlight(text, tokens) if tokens else ""
    explanation: dict = {}
    reasons: list[str] = []
    if terms:
        explanation["matched_terms"] = terms
        reasons.append(_("Matched terms: %(terms)s") % {"terms": "、".join(terms)})
    if source is None:
        return snippet, explanation, reasons
    shared = source.fields & _fields_of(kind, obj)
    if shared:
        explanation["shared_field"] = sorted(shared)
        labels = field_labels if field_labels is not None else _field_labels()
        reasons.append(_("Same technical field: %(field)s") % {"field": "、".join(labels.get(c, c)
                                                                                for c in sorted(shared))})
    ipc = source.ipc & _ipc_of(kind, obj)
    if ipc:
        explanation["shared_ipc"] = sorted(ipc)
        reasons.append(_("Shared IPC class: %(ipc)s") % {"ipc": ", ".join(sorted(ipc))})
    if kind == "achievement" and source.trl_wanted and obj.trl:
        lo, hi = source.trl_wanted
        fits = lo <= obj.trl <= hi
        explanation["trl_fit"] = {"trl": obj.trl, "wanted": [lo, hi], "fits": fits}
        reasons.append((_("TRL %(trl)s fits the cooperation sought (TRL %(lo)s–%(hi)s)") if fits else
                        _("TRL %(trl)s is outside the TRL %(lo)s–%(hi)s the cooperation calls for"))
                       % {"trl": obj.trl, "lo": lo, "hi": hi})
    elif kind == "demand" and source.trl:
        wanted = _trl_wanted(obj)
        if wanted:
            fits = wanted[0] <= source.trl <= wanted[1]
            explanation["trl_fit"] = {"trl": source.trl, "wanted": list(wanted), "fits": fits}
            reasons.append((_("TRL %(trl)s fits the cooperation sought (TRL %(lo)s–%(hi)s)") if fits else
                            _("TRL %(trl)s is outside the TRL %(lo)s–%(hi)s the cooperation calls for"))
                           % {"trl": source.trl, "lo": wanted[0], "hi": wanted[1]})
    region = _region_of(kind, obj)
    near = _proximity(source.region, region)
    if near:
        explanation["region"] = {"code": region, "proximity": near}
        label = {"county": _("Same county: %(name)s"), "same": _("Same region: %(name)s"),
                 "city": _("Same city: %(name)s"), "province": _("Same province: %(name)s")}[near]
        shown = region if near in ("county", "same") else (region[:4] + "00" if near == "city" else region[:2] + "0000")
        reasons.append(label % {"name": name_of(shown)})
    return snippet, explanation, reasons


def _bonus(explanation: dict) -> float:
    """Re-ranking bonus of a recommendation, as a share of the best lexical score: the field and IPC class carry
    what word overlap misses; TRL fit and nearness break ties."""
    bonus = 0.0
    if explanation.get("shared_field"):
        bonus += 0.25
    if explanation.get("shared_ipc"):
        bonus += 0.15
    fit = explanation.get("trl_fit")
    if fit:
        bonus += 0.1 if fit["fits"] else -0.1
    near = (explanation.get("region") or {}).get("proximity")
    bonus += {"county": 0.06, "same": 0.06, "city": 0.04, "province": 0.02}.get(near or "", 0.0)
    return bonus


def _hits(user, ranked: list[tuple[str, float]], tokens: list[str], source: _Source | None = None) -> list[Hit]:
    by_kind: dict[str, list[int]] = {}
    for doc_id, _score in ranked:
        kind, _sep, pk = doc_id.partition(":")
        if pk.isdigit():
            by_kind.setdefault(kind, []).append(int(pk))
    loaded = {kind: _load(user, kind, pks) for kind, pks in by_kind.items()}
    labels = _field_labels() if source is not None and source.fields else {}
    out: list[Hit] = []
    for doc_id, score in ranked:
        kind, _sep, pk = doc_id.partition(":")
        obj = loaded.get(kind, {}).get(int(pk)) if pk.isdigit() else None
        if obj is None:
            continue  # gone, or no longer visible: the database has the last word
        snippet, explanation, reasons = _explain(kind, obj, tokens, source, labels)
        out.append(Hit(kind=kind, id=obj.pk, title=_title(kind, obj), url=_url(kind, obj), score=round(score, 4),
                       snippet_html=snippet, explanation=explanation, reasons=reasons,
                       kind_label=str(KIND_LABELS.get(kind, kind))))
    return out


# -- the engine -----------------------------------------------------------------------------------------------------

def _lexical(query: str, filters: dict, limit: int, offset: int = 0) -> tuple[int, list[tuple[str, float]]]:
    """Search the live index. An error is retried once on a freshly opened index (a rebuild may have switched
    generations a moment ago); if it persists, the live generation is dropped and rebuilt from the database —
    a damaged index never becomes an error page."""
    for attempt in range(3):
        try:
            return indexing.get_index().search(query, filters, limit=limit, offset=offset)
        except (OSError, RuntimeError, ValueError) as exc:
            if str(exc).startswith("unknown filter") or attempt == 2:
                raise
            log.warning("search index failed (%s); %s", exc, "reopening it" if attempt == 0 else "rebuilding it")
            if attempt == 1:
                indexing.discard_live()
            indexing.reset()
    raise AssertionError("unreachable")


def _semantic_ranking(query: str, filters: dict, depth: int) -> list[tuple[str, float]] | None:
    """``(id, similarity)`` of the nearest documents by meaning that pass ``filters``, or None without a semantic
    path."""
    try:
        from . import vectors
    except ImportError:
        return None
    return vectors.search(query, filters, depth)


def _fuse(query: str, lexical: list[tuple[str, float]], semantic: list[tuple[str, float]]) -> list[tuple[str, float]]:
    lexical_ids = [d for d, _s in lexical]
    semantic_ids = [d for d, _s in semantic]
    try:
        from .engine import fusion
    except ImportError:
        # Without the fusion module: plain reciprocal rank fusion (k = 60).
        scores: dict[str, float] = {}
        for ranking in (lexical_ids, semantic_ids):
            for rank, doc_id in enumerate(ranking, start=1):
                scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (60 + rank)
        return sorted(scores.items(), key=lambda kv: -kv[1])
    from . import vectors

    try:
        config = fusion.DEFAULT.with_(field_weight=fusion.RECORD_FIELD_WEIGHT)
        return fusion.hybrid(lexical_ids, semantic_ids, vectors.query_vector(query), vectors.vectors_of,
                             len(textmod.analyze_query(query)), config, fields_of=_field_rows,
                             lexical_scores=[s for _d, s in lexical], semantic_scores=[s for _d, s in semantic])
    except Exception:  # noqa: BLE001 - an optional module must not take search down
        log.exception("rank fusion failed; using plain reciprocal rank fusion")
        return fusion.rrf([lexical_ids, semantic_ids])


def _ranked(query: str, filters: dict, limit: int, offset: int, mode: str) -> tuple[int, list[tuple[str, float]],
                                                                                     str]:
    """(total, ranked (id, score), mode used)."""
    if mode in ("hybrid", "semantic") and query.strip():
        depth = max(offset + limit, 100)
        semantic = _semantic_ranking(query, filters, depth)
        if semantic is not None:
            total, lex = _lexical(query, filters, depth)
            if mode == "semantic":
                fused = [(d, 1.0 / (i + 1)) for i, (d, _s) in enumerate(semantic)]
            else:
                fused = _fuse(query, lex, semantic)
            return max(total, len(fused)), fused[offset:offset + limit], mode
    total, hits = _lexical(query, filters, limit, offset)
    return total, hits, "lexical"


def _facets(query: str, filters: dict) -> dict:
    from techtransfer.catalog.models import CooperationMode, Status, TransferMode
    from techtransfer.orgs.models import OrgKind
    from techtransfer.regions.services import name_of
    from techtransfer.taxonomy.models import TechField

    raw = indexing.get_index().facets(query, filters, fields=list(_FACET_SOURCE.values()))
    fields = {f.pk: str(f) for f in TechField.objects.all()}
    labels = {
        "kind": {k: str(v) for k, v in KIND_LABELS.items()},
        "field": fields,
        "transfer_mode": {**{m.value: str(m.label) for m in CooperationMode},
                          **{m.value: str(m.label) for m in TransferMode}},
        "price_band": {k: str(v) for k, v in PRICE_BAND_LABELS.items()},
        "status": {s.value: str(s.label) for s in Status},
        "org_kind": {k.value: str(k.label) for k in OrgKind},
    }
    out: dict = {}
    for name, source in _FACET_SOURCE.items():
        counts = raw.get(source) or {}
        if not counts:
            continue
        values = []
        for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if name == "region":
                label = name_of(value)
            elif name == "trl":
                label = f"TRL {value}"
            else:
                label = labels.get(name, {}).get(value, value)
            values.append({"value": value, "label": label, "count": count})
        if name == "trl":
            values.sort(key=lambda v: int(v["value"]))
        out[name] = {"label": str(FACET_LABELS[name]), "values": values}
    return out


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Values offered by the search form's filters, with their labels."""
    from techtransfer.catalog.models import CooperationMode, Status, TransferMode
    from techtransfer.orgs.models import OrgKind
    from techtransfer.taxonomy.models import TechField

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
    return [(k, str(KIND_LABELS[k])) for k in ALL_KINDS]


def search(user, q: str, kinds=None, filters: dict | None = None, page: int = 1, per_page: int = 20,
           mode: str = "hybrid") -> SearchPage:
    """One search over every kind the user may read. ``filters``: field, region (+ region_tier), trl_min,
    trl_max, transfer_mode, price_band, status, org_kind — applied inside the engine."""
    q = (q or "").strip()[:200]
    kinds = _check_kinds(kinds)
    if mode not in ("lexical", "semantic", "hybrid"):
        raise DomainError(_("Unknown search mode: %(mode)s") % {"mode": mode}, field="mode")
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise DomainError(_("Give the page as a whole number."), field="page")
    if page < 1 or page > MAX_PAGE:
        raise DomainError(_("The page must be between 1 and %(max)s.") % {"max": MAX_PAGE}, field="page")
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    engine_filters = _engine_filters(user, kinds, clean_filters(filters))
    indexing.get_index()  # opens (or rebuilds) the index and loads its domain dictionary before analysing
    tokens = textmod.analyze_query(q)
    if q and not tokens:  # only stop words or punctuation: nothing to look for
        return SearchPage(total=0, page=page, per_page=per_page, hits=[], facets={})
    total, ranked, used = _ranked(q, engine_filters, per_page, (page - 1) * per_page, mode)
    hits = _hits(user, ranked, tokens)
    facets = _facets(q, engine_filters) if total else {}
    return SearchPage(total=total, page=page, per_page=per_page, hits=hits, facets=facets, mode=used)


def matches_record(user, q: str, kind: str, pk: int, filters: dict | None = None) -> bool:
    """Whether the record ``kind``/``pk`` is among the results of ``q`` with ``filters`` for ``user`` (saved
    searches use it to decide whether a newly published record is a new match)."""
    engine_filters = _engine_filters(user, [kind], clean_filters(filters), ids=[f"{kind}:{pk}"])
    total, ranked = _lexical(q or "", engine_filters, 1)
    if not ranked:
        return False
    return bool(_load(user, kind, [pk]))


# -- recommendations ----------------------------------------------------------------------------------------------

def _record_query(kind: str, obj) -> str:
    """The query text that stands for a record: title, keywords, then the start of its public text."""
    title = _title(kind, obj) if kind not in ("expert", "broker") else obj.person.name
    keywords = " ".join(getattr(obj, "keywords", None) or ())
    return "\n".join([title, keywords, public_text(kind, obj)[:400]])


def _source(kind: str, obj) -> _Source:
    src = _Source(fields=_fields_of(kind, obj), ipc=_ipc_of(kind, obj), region=_region_of(kind, obj))
    if kind == "demand":
        src.trl_wanted = _trl_wanted(obj)
    if kind == "achievement":
        src.trl = obj.trl
    return src


def _recommend(user, query: str, kind: str, source: _Source, limit: int, filters: dict | None = None,
               exclude: list[str] | None = None) -> list[Hit]:
    from techtransfer.catalog.models import PUBLIC_STATUSES

    extra = dict(filters or {})
    if kind in ("achievement", "demand"):
        extra.setdefault("status", [str(s) for s in PUBLIC_STATUSES])
    engine_filters = _engine_filters(user, [kind], extra, exclude=exclude or None)
    indexing.get_index()  # the domain dictionary is loaded with the index: analyse after it
    tokens = textmod.analyze_query(query)
    _total, ranked, _mode = _ranked(query, engine_filters, max(limit * 3, RERANK_DEPTH) if tokens else limit, 0,
                                    "hybrid")
    hits = _hits(user, ranked, tokens, source)
    top = max((h.score for h in hits), default=1.0) or 1.0
    for h in hits:
        h.score = round(h.score / top + _bonus(h.explanation), 4)
    if len(hits) < limit and source.fields:
        # Too few word matches: people and organizations working in the same technical field are candidates
        # too (ranked after the word matches, by nearness).
        seen = [f"{h.kind}:{h.id}" for h in hits] + list(exclude or [])
        more_filters = _engine_filters(user, [kind], {**extra, "field": sorted(source.fields)},
                                       exclude=seen or None)
        _total, more = _lexical("", more_filters, (limit - len(hits)) * 2)
        for h in _hits(user, more, tokens, source):
            h.score = round(_bonus(h.explanation) / 2, 4)
            hits.append(h)
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]


def _limit(limit: int) -> int:
    return min(max(int(limit), 1), 50)


def recommend_for_demand(user, demand, limit: int = 10) -> dict[str, list[Hit]]:
    """Achievements, experts and brokers for a demand (its own words and the latest standard description)."""
    if not can_view(user, demand):
        raise NotFound(_("No such demand."))
    limit = _limit(limit)
    query = _record_query("demand", demand)
    source = _source("demand", demand)
    return {
        "achievements": _recommend(user, query, "achievement", source, limit),
        "experts": _recommend(user, query, "expert", source, limit),
        "brokers": _recommend(user, query, "broker", source, limit),
    }


def candidates_for_achievement(user, ach, limit: int = 10) -> dict[str, list[Hit]]:
    """Demands that an achievement may answer, and enterprises whose demands and industries fit it."""
    if not can_view(user, ach):
        raise NotFound(_("No such achievement."))
    limit = _limit(limit)
    query = _record_query("achievement", ach)
    source = _source("achievement", ach)
    return {
        "demands": _recommend(user, query, "demand", source, limit),
        "organizations": _recommend(user, query, "organization", source, limit, filters={"org_kind": ["enterprise"]},
                                    exclude=[f"organization:{ach.owner_id}"]),
    }


def _get(user, kind: str, pk: int):
    from techtransfer.catalog.models import Achievement, Demand
    from techtransfer.orgs.models import Organization
    from techtransfer.people.models import BrokerProfile, ExpertProfile

    models = {"achievement": Achievement, "demand": Demand, "expert": ExpertProfile, "broker": BrokerProfile,
              "organization": Organization}
    if kind not in models:
        raise DomainError(_("Unknown kind: %(kind)s") % {"kind": kind}, field="kind")
    obj = _load(user, kind, [pk]).get(pk)
    if obj is None:
        raise NotFound(_("No such record."))
    return obj


def similar(user, kind: str, pk: int, limit: int = 10) -> list[Hit]:
    """Records of the same kind that resemble one record (its title, keywords and public text)."""
    obj = _get(user, kind, int(pk))
    limit = _limit(limit)
    return _recommend(user, _record_query(kind, obj), kind, _source(kind, obj), limit, exclude=[f"{kind}:{obj.pk}"])
