"""The federated achievements and demands as search documents of their own kinds (``network_achievement``,
``network_demand``), read by the matching app (``core.search``). Withdrawn records and duplicates of a local or
an earlier federated record are not indexed (``update_records`` removes them), so a record is found once. Hits
load back through ``load`` (the database has the last word), link to the federated record's page and say which
peer platform they come from."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from techtransfer.core.search import SearchDocument, SearchNote
from techtransfer.exchange.models import FederatedRecord
from techtransfer.exchange.services import federated

# The record members whose text is searched, besides the title (public members of the exchange format).
TEXT_MEMBERS = ("abstract", "summary", "description", "problem", "target_indicators", "keywords")


def _text(value) -> str:
    if isinstance(value, dict):
        return "\n".join(_text(v) for v in value.values() if v)
    if isinstance(value, list):
        return " ".join(_text(v) for v in value if v)
    return str(value) if isinstance(value, str | int | float) else ""


def public_text(rec: FederatedRecord) -> str:
    data = rec.data if isinstance(rec.data, dict) else {}
    parts = [rec.title_en if rec.title_en != rec.title else ""]
    parts += [_text(data.get(m)) for m in TEXT_MEMBERS]
    return "\n".join(p for p in parts if p)


def _keywords(rec: FederatedRecord) -> list[str]:
    kws = (rec.data or {}).get("keywords") if isinstance(rec.data, dict) else None
    return [k for k in kws if isinstance(k, str)][:50] if isinstance(kws, list) else []


def _doc(kind: str):
    def build(batch) -> list[dict]:
        return [
            {
                "id": f"{kind}:{r.pk}",
                "kind": kind,
                "title": r.title or r.title_en,
                "keywords": _keywords(r),
                "body": public_text(r),
                "field": r.tech_field_code or "",
                "region": r.region_code if federated.region_known(r.region_code) else None,
                "status": "published",
                "public": True,
            }
            for r in batch
        ]

    return build


def _records(exchange_kind: str):
    return lambda: (
        FederatedRecord.objects.filter(federated.shown_q(), kind=exchange_kind).select_related("peer").order_by("pk")
    )


def load(user, pks: list[int]) -> dict:
    return {r.pk: r for r in FederatedRecord.objects.filter(federated.shown_q(), pk__in=pks).select_related("peer")}


def _url(rec: FederatedRecord) -> str:
    return reverse("exchange:record", args=[rec.pk])


DOCUMENTS = [
    SearchDocument(
        kind=kind,
        records=_records(exchange_kind),
        build=_doc(kind),
        load=load,
        url=_url,
        title=lambda r: r.title or r.title_en,
        public_text=public_text,
        provenance=lambda r: r.peer.name,
        label=label,
        keywords=lambda ek=exchange_kind: (
            r.get("keywords") if isinstance(r, dict) else None
            for r in FederatedRecord.objects.filter(federated.shown_q(), kind=ek).values_list("data", flat=True)
        ),
    )
    for kind, exchange_kind, label in (
        ("network_achievement", "achievement", _("Achievement (network)")),
        ("network_demand", "demand", _("Demand (network)")),
    )
]


def also_on(kind: str):
    """``{pk: "also on: <peer>, …"}`` for local records of ``kind`` that peer platforms publish too (their
    federated copies are linked as duplicates and not shown themselves)."""

    def notes(pks: list[int]) -> dict[int, str]:
        peers: dict[int, list[str]] = {}
        rows = (
            FederatedRecord.objects.filter(duplicate_of_kind=kind, duplicate_of_local_id__in=pks, withdrawn=False)
            .values_list("duplicate_of_local_id", "peer__name")
            .order_by("peer__name")
            .distinct()
        )
        for pk, name in rows:
            peers.setdefault(pk, []).append(name)
        return {pk: gettext("also on: %(peers)s") % {"peers": "、".join(names)} for pk, names in peers.items()}

    return notes


NOTES = [
    SearchNote(kind="achievement", notes=also_on("achievement")),
    SearchNote(kind="demand", notes=also_on("demand")),
]
