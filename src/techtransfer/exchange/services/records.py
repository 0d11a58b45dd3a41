"""Reading federated records: the public list (filters kind, peer, region; duplicates and withdrawn records left
out), one record (withdrawn ones only for platform administrators) and its members for display."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.exchange import format as fmt
from techtransfer.exchange.models import FederatedRecord, Peer
from techtransfer.exchange.services import federated
from techtransfer.regions import services as regions

# The common members, shown in the provenance box and the heading rather than in the list of members.
COMMON = ("id", "kind", "url", "title", "region", "tech_field", "owner", "patent_numbers", "updated_at")


def listing(user, kind: str = "", peer: str = "", region: str = ""):
    """The records shown (``federated.shown_q``), newest change first, and the filters applied."""
    qs = FederatedRecord.objects.filter(federated.shown_q()).select_related("peer")
    chosen = {}
    if kind:
        if kind not in fmt.KINDS:
            raise DomainError(_("Unknown record kind: %(kinds)s") % {"kinds": kind}, field="kind")
        qs, chosen["kind"] = qs.filter(kind=kind), kind
    if peer:
        if not (str(peer).isascii() and str(peer).isdigit() and len(str(peer)) <= 18):
            raise DomainError(_("No such peer platform."), field="peer")
        qs, chosen["peer"] = qs.filter(peer_id=int(peer)), int(peer)
    if region:
        code = str(region).strip()
        if not regions.exists(code):
            raise DomainError(_("Unknown region code: %(code)s") % {"code": code}, field="region")
        qs, chosen["region"] = qs.filter(regions.scope_q("region_code", code)), code
    return qs.order_by("-updated_at", "-id"), chosen


def listed_kinds() -> list[str]:
    present = set(FederatedRecord.objects.filter(federated.shown_q()).values_list("kind", flat=True).distinct())
    return [k for k in fmt.KINDS if k in present]


def peers_with_records():
    return Peer.objects.filter(records__in=FederatedRecord.objects.filter(federated.shown_q())).distinct()


def get_record(user, pk: int) -> FederatedRecord:
    rec = FederatedRecord.objects.select_related("peer", "duplicate_of").filter(pk=pk).first()
    if rec is None or (rec.withdrawn and not permissions.allowed("exchange.manage_peers", user)):
        raise NotFound(_("No such record."))
    return rec


def _display(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        if set(value) == {"zh-Hans", "en"}:  # a bilingual text
            return " / ".join(str(v) for v in (value["zh-Hans"], value["en"]) if v)
        if set(value) >= {"list", "code"}:
            return f"{value.get('code')} ({value.get('list')})"
        return "; ".join(f"{k}: {_display(v)}" for k, v in value.items() if _display(v))
    if isinstance(value, list):
        return "; ".join(_display(v) for v in value if _display(v))
    return str(value)


def display_fields(rec: FederatedRecord) -> list[tuple[str, str]]:
    """The record's own members (beyond the common ones) as (member, text), in the record's order."""
    data = rec.data if isinstance(rec.data, dict) else {}
    return [(k, _display(v)) for k, v in data.items() if k not in COMMON and _display(v)]


def local_duplicate_url(rec: FederatedRecord) -> str:
    """The page of the local record this one duplicates ("" when none)."""
    if not rec.duplicate_of_local_id:
        return ""
    try:
        return reverse(f"catalog:{rec.duplicate_of_kind}", args=[rec.duplicate_of_local_id])
    except NoReverseMatch:
        return ""
