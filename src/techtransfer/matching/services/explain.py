"""Explanations of hits: matched terms (highlighted), shared technical field, shared IPC subclass, TRL fit (for a
demand's cooperation modes), region proximity (same county, city or province); and the re-ranking bonus they give
a recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from techtransfer.catalog.search import latest_refinement
from techtransfer.regions.services import name_of
from techtransfer.taxonomy.models import TechField

from ..engine import text as textmod
from .filters import kind_label
from .records import Hit, _load, _notes, _org_fields, _provenance, _title, _url, public_text

# TRL a demand's cooperation modes call for: buying or licensing a technology needs a proven one (GB/T 22900:
# level 6 = prototype verified in a relevant environment), commissioned or joint development can start earlier;
# services and consulting do not depend on the level.
TRL_WANTED = {
    "transfer": (6, 9), "licence": (6, 9), "equity": (5, 9),
    "commissioned": (3, 7), "joint_development": (3, 7),
}


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
    return {f.pk: str(f) for f in TechField.objects.all()}


def _explain(kind: str, obj, tokens: list[str], source: _Source | None,
             field_labels: dict[str, str] | None = None) -> tuple[str, dict, list[str]]:
    text = public_text(kind, obj)
    title = _title(kind, obj)
    terms = textmod.highlighted_terms((title, text), tokens)[:8] if tokens else []
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
    loaded = {kind: _load(user, kind, pks, card=True) for kind, pks in by_kind.items()}
    notes = {kind: _notes(kind, list(objs)) for kind, objs in loaded.items() if objs}
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
                       kind_label=kind_label(kind), provenance=_provenance(kind, obj),
                       note=notes.get(kind, {}).get(obj.pk, "")))
    return out
