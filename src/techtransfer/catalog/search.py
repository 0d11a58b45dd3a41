"""The achievements' and demands' search documents, and what they add to their owners' documents (the matching
app reads ``DOCUMENTS`` and ``ADDITIONS``; see ``core.search``).

Public fields only — an achievement's protected details and a demand's contact fields are never read here, so
they can surface neither in ranking nor in snippets:

- achievement: title, keywords, abstract, English title and abstract, IPC and industry codes; filters: field,
  region, TRL, transfer modes, price band, status, owner kind;
- demand: title, keywords, problem, English title and problem, target indicators, the latest standard description
  (refinement); filters: field(s), region, cooperation modes, budget band, status, owner kind;
- organization (added to ``orgs.search``): titles and keywords of its public records, their technical fields.

Drafts are left out (nobody searches for them).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch

from techtransfer.core.search import SearchAddition, SearchDocument

from .models import Achievement, Demand, DemandRefinement

# Price bands (yuan) of an achievement's asking price and a demand's budget: the ``price_band`` filter.
PRICE_BANDS = (
    ("lt_100k", Decimal("100000")),
    ("100k_1m", Decimal("1000000")),
    ("1m_10m", Decimal("10000000")),
    ("gte_10m", None),
)


def price_band(amount: Decimal | None, negotiable: bool = False) -> str:
    if negotiable:
        return "negotiable"
    if amount is None:
        return "unpriced"
    for name, upper in PRICE_BANDS:
        if upper is None or amount < upper:
            return name
    return "gte_10m"


def _ipc_text(codes) -> str:
    # "H01M 10/0525" also yields its subclass "h01m" as a token through the analyser.
    return " ".join(str(c) for c in codes or ())


def achievement_doc(a) -> dict:
    """The public summary of an achievement. Never reads ``protected_details``."""
    body = "\n".join(p for p in (a.abstract, a.title_en, a.abstract_en, _ipc_text(a.ipc_codes),
                                 " ".join(a.industry_codes or ())) if p)
    return {
        "id": f"achievement:{a.pk}", "kind": "achievement", "title": a.title, "keywords": list(a.keywords or ()),
        "body": body, "field": a.tech_field_id or "", "region": a.region_id, "trl": a.trl,
        "modes": list(a.transfer_modes or ()), "price_band": price_band(a.asking_price, a.price_negotiable),
        "status": a.status, "org_kind": a.owner.kind if a.owner_id else "", "owner": a.owner_id,
        "public": a.is_public,
    }


def latest_refinement(demand):
    """The demand's latest standard description (from the prefetched ``_tt_refinements`` when loaded)."""
    cached = getattr(demand, "_tt_refinements", None)
    if cached is not None:
        return cached[0] if cached else None
    return demand.refinements.order_by("-version").first()


def with_refinements(qs):
    """``qs`` of demands with their refinements, newest first, prefetched for ``latest_refinement``."""
    refs = Prefetch("refinements", queryset=DemandRefinement.objects.order_by("-version"), to_attr="_tt_refinements")
    return qs.prefetch_related(refs)


def demand_doc(d) -> dict:
    """The public fields of a demand and its latest standard description. Never reads the contact fields."""
    ref = latest_refinement(d)
    parts = [d.problem, d.title_en, d.problem_en, d.target_indicators]
    fields = [d.tech_field_id] if d.tech_field_id else []
    if ref is not None:
        parts += [ref.title, ref.description, ref.key_indicators, _ipc_text(ref.ipc_codes)]
        if ref.tech_field_id and ref.tech_field_id not in fields:
            fields.append(ref.tech_field_id)
    budget = d.budget_max if d.budget_max is not None else d.budget_min
    return {
        "id": f"demand:{d.pk}", "kind": "demand", "title": d.title, "keywords": list(d.keywords or ()),
        "body": "\n".join(p for p in parts if p), "field": fields, "region": d.region_id,
        "modes": list(d.cooperation_modes or ()), "price_band": price_band(budget), "status": d.status,
        "org_kind": d.owner.kind if d.owner_id else "", "owner": d.owner_id, "public": d.is_public,
    }


def _public_keywords(model):
    return model.objects.filter(model.public_q()).values_list("keywords", flat=True).iterator(2000)


def _owners(model):
    def owners(pks: list[int]) -> dict[str, list[int]]:
        # The owner's document lists what it offers and needs.
        return {"organization": sorted(set(model.objects.filter(pk__in=pks).values_list("owner_id", flat=True)))}

    return owners


def organization_records(org_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Titles and keywords of organizations' public demands and achievements (what they offer and need: the
    industries an enterprise works in; at most 50, newest first) and their technical fields."""
    out: dict[int, tuple[list[str], dict]] = {pk: ([], {}) for pk in org_ids}
    for model in (Demand, Achievement):
        rows = (model.objects.filter(model.public_q(), owner_id__in=org_ids)
                .values_list("owner_id", "title", "keywords", "tech_field_id").order_by("-pk"))
        for owner, title, keywords, field in rows.iterator(2000):
            texts, fields = out[owner]
            if len(texts) < 50:
                texts.append(" ".join([title, *[k for k in keywords or () if isinstance(k, str)]]))
            if field:
                fields.setdefault(field, None)
    return {pk: {"body": t, "field": list(f)} for pk, (t, f) in out.items()}


DOCUMENTS = [
    SearchDocument(
        kind="achievement",
        records=lambda: Achievement.objects.select_related("owner").exclude(status="draft").order_by("pk"),
        build=lambda batch: [achievement_doc(a) for a in batch],
        keywords=lambda: _public_keywords(Achievement),
        dependents=_owners(Achievement),
    ),
    SearchDocument(
        kind="demand",
        records=lambda: with_refinements(Demand.objects.select_related("owner")).exclude(status="draft")
        .order_by("pk"),
        build=lambda batch: [demand_doc(d) for d in batch],
        keywords=lambda: _public_keywords(Demand),
        dependents=_owners(Demand),
        watch=((DemandRefinement, lambda r: [r.demand_id]),),
    ),
]

ADDITIONS = [SearchAddition(kind="organization", add=organization_records)]
