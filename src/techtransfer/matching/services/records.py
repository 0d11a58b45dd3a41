"""Loading hits back from the database: only records that exist and that the user may see now (the database
has the last word), their links, titles, public text and technical fields."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from techtransfer.accounts.permissions import visible
from techtransfer.catalog.models import Achievement, Demand, DemandRefinement
from techtransfer.catalog.search import latest_refinement, with_refinements
from techtransfer.orgs.models import Organization
from techtransfer.people.models import BrokerProfile, ExpertProfile, Person

from .. import indexing


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
    provenance: str = ""
    note: str = ""


LOCAL_KINDS = ("achievement", "demand", "expert", "broker", "organization")


# -- loading hits back from the database ---------------------------------------------------------------------------

# The columns a result card reads (title, link, snippet text, explanation: field, IPC, region, TRL, modes): hits
# are loaded with these only — not the protected details, English texts' neighbours, prices or owners.
CARD_FIELDS = {
    "achievement": ("id", "title", "title_en", "abstract", "abstract_en", "keywords", "ipc_codes", "tech_field",
                    "region", "trl", "owner", "status"),
    "demand": ("id", "title", "problem", "target_indicators", "keywords", "tech_field", "region",
               "cooperation_modes", "owner", "status"),
}


def _load(user, kind: str, pks: list[int], card: bool = False) -> dict[int, object]:
    """The records among ``pks`` that exist and that ``user`` may see now (the database decides). ``card``: only
    the columns a result card needs (``CARD_FIELDS``; another attribute would be read from the database on use)."""
    if not pks:
        return {}
    if kind == "achievement":
        qs = visible(user, Achievement.objects.filter(pk__in=pks))
        qs = qs.only(*CARD_FIELDS[kind]) if card else qs.select_related("owner", "tech_field")
    elif kind == "demand":
        qs = visible(user, Demand.objects.filter(pk__in=pks))
        qs = with_refinements(qs.only(*CARD_FIELDS[kind]) if card else qs.select_related("owner", "tech_field"))
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
        doc = indexing.search_documents().get(kind)  # a kind another app declares says how its hits load back
        return doc.load(user, pks) if doc is not None and doc.load is not None else {}
    return {obj.pk: obj for obj in qs}


def _declared(kind: str, what: str):
    doc = indexing.search_documents().get(kind)
    return getattr(doc, what, None) if doc is not None else None


def _notes(kind: str, pks: list[int]) -> dict[int, str]:
    """What other apps say about these hits (``core.search.SearchNote``), one line per hit."""
    out: dict[int, list[str]] = {}
    for note in indexing.search_notes().get(kind, ()):
        for pk, text in note.notes(pks).items():
            out.setdefault(pk, []).append(text)
    return {pk: "; ".join(texts) for pk, texts in out.items()}


def _provenance(kind: str, obj) -> str:
    provenance = _declared(kind, "provenance")
    return provenance(obj) if provenance is not None else ""


def _org_fields(org_ids: list[int]) -> dict[int, set[str]]:
    """Technical fields of organizations' public achievements and demands (what they work on)."""
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


_URL_PLACEHOLDER = 987654321987


@functools.lru_cache(maxsize=64)
def _url_pattern(name: str, language: str | None, prefix: str, urlconf, root: str) -> tuple[str, str]:
    # ``reverse`` walks the URL map (~0.1 ms a hit): once per route, language, script prefix and URL map, then a
    # string join.
    head, _sep, tail = reverse(name, urlconf, args=[_URL_PLACEHOLDER]).partition(str(_URL_PLACEHOLDER))
    return head, tail


def _reversed(name: str, pk) -> str:
    head, tail = _url_pattern(name, get_language(), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    return f"{head}{int(pk)}{tail}"


def _url(kind: str, obj) -> str:
    if kind not in LOCAL_KINDS:
        return _declared(kind, "url")(obj)
    if kind == "achievement":
        return _reversed("catalog:achievement", obj.pk)
    if kind == "demand":
        return _reversed("catalog:demand", obj.pk)
    if kind in ("expert", "broker"):
        return _reversed("people:detail", obj.person_id)
    return _reversed("orgs:detail", obj.pk)


def _title(kind: str, obj) -> str:
    if kind not in LOCAL_KINDS:
        return _declared(kind, "title")(obj)
    if kind in ("expert", "broker"):
        p = obj.person
        extra = " · ".join(x for x in (p.title, p.organization.name if p.organization_id else "") if x)
        return f"{p.name}（{extra}）" if extra else p.name
    if kind == "organization":
        return obj.name
    return obj.title


def public_text(kind: str, obj) -> str:
    """The public text of a record, for snippets and matched terms (never protected or contact fields)."""
    if kind not in LOCAL_KINDS:
        text = _declared(kind, "public_text")
        return text(obj) if text is not None else ""
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
