"""Exchange API: peer platforms and pulls (platform administrators), federated records (public ones to everyone).

- ``GET/POST /exchange/peers``, ``GET/PUT /exchange/peers/{id}``: register, read and change peers (name, address,
  instance id, public key — a well-formed Ed25519 key —, kinds to take, region served, enabled); every change
  audited. Disabling is ``PUT`` with ``enabled: false`` (peers are not deleted: their records keep provenance).
- ``POST /exchange/peers/{id}/pull``: pull now; the run, ``ok`` false with the message when the peer failed.
- ``GET /exchange/peers/{id}/runs``: the peer's pulls, newest first.
- ``GET /exchange/records``, ``GET /exchange/records/{id}``: federated records (not withdrawn; duplicates of a
  local or earlier record left out of the list) with their provenance.
"""

from __future__ import annotations

import datetime

from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from techtransfer.accounts.permissions import require_signed_in
from techtransfer.core.apidoc import public
from techtransfer.core.fields import Text
from techtransfer.core.pagination import paginate
from techtransfer.core.schemas import InputSchema
from techtransfer.exchange.models import FederatedRecord, Peer, PullRun
from techtransfer.exchange.services import peers, records

router = Router(tags=["exchange"])


class ExchangePeerOut(Schema):
    id: int
    name: str
    base_url: str
    instance_id: str
    public_key: str
    kinds: list[str]
    region: str | None
    enabled: bool
    cursor: str
    last_pulled_at: datetime.datetime | None
    last_status: str
    last_message: str


class ExchangePeerIn(InputSchema):
    name: Text(200) = Field(None, description="the platform's name")
    base_url: Text(200) = Field(None, description="its address, e.g. https://market.example.cn")
    instance_id: Text(63) = Field(None, description="its instance id, as in its feed")
    public_key: Text(64) = Field(None, description="its Ed25519 public key (base64 of 32 bytes), checked out of band")
    kinds: list[str] | None = Field(None, description="record kinds to take; empty: all")
    region: Text(6) = Field(None, description="GB/T 2260 code of the region it serves")
    enabled: bool | None = Field(None, description="pulled by the periodic task")


class ExchangePullOut(Schema):
    id: int
    peer: int
    ok: bool
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    pages: int
    created: int
    updated: int
    withdrawn: int
    unchanged: int
    cursor_from: str
    cursor_to: str
    message: str


class ExchangeRecordOut(Schema):
    id: int
    global_id: str
    kind: str
    title: str
    title_en: str
    region: str
    tech_field: str
    owner_name: str
    patent_numbers: list[str]
    source_url: str
    peer: str = Field(description="the peer platform's name (provenance)")
    peer_instance: str
    withdrawn: bool
    received_at: datetime.datetime
    updated_at: datetime.datetime
    record: dict = Field(description="the record as the peer published it (exchange format)")


class ExchangeRecordPage(Schema):
    items: list[ExchangeRecordOut]
    count: int
    page: int
    page_size: int


def peer_out(p: Peer) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "base_url": p.base_url,
        "instance_id": p.instance_id,
        "public_key": p.public_key,
        "kinds": list(p.kinds or []),
        "region": p.region_id,
        "enabled": p.enabled,
        "cursor": p.cursor,
        "last_pulled_at": p.last_pulled_at,
        "last_status": p.last_status,
        "last_message": p.last_message,
    }


def run_out(r: PullRun) -> dict:
    return {
        "id": r.pk,
        "peer": r.peer_id,
        "ok": r.ok,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "pages": r.pages,
        "created": r.created,
        "updated": r.updated,
        "withdrawn": r.withdrawn,
        "unchanged": r.unchanged,
        "cursor_from": r.cursor_from,
        "cursor_to": r.cursor_to,
        "message": r.message,
    }


def record_out(r: FederatedRecord) -> dict:
    return {
        "id": r.pk,
        "global_id": r.global_id,
        "kind": r.kind,
        "title": r.title,
        "title_en": r.title_en,
        "region": r.region_code,
        "tech_field": r.tech_field_code,
        "owner_name": r.owner_name,
        "patent_numbers": list(r.patent_numbers or []),
        "source_url": r.source_url,
        "peer": r.peer.name,
        "peer_instance": r.peer.instance_id,
        "withdrawn": r.withdrawn,
        "received_at": r.created_at,
        "updated_at": r.updated_at,
        "record": r.data if isinstance(r.data, dict) else {},
    }


@router.get("/peers", response=list[ExchangePeerOut], summary="Peer platforms (platform administrators)")
def list_peers(request):
    require_signed_in(request.auth)
    return [peer_out(p) for p in peers.visible_peers(request.auth)]


@router.post("/peers", response={201: ExchangePeerOut}, summary="Register a peer platform")
def create_peer(request, payload: ExchangePeerIn):
    require_signed_in(request.auth)
    return Reply(201, peer_out(peers.register(request.auth, **payload.dict(exclude_unset=True))))


@router.get("/peers/{ref}", response=ExchangePeerOut, summary="A peer platform (by id or instance id)")
def get_peer(request, ref: str):
    require_signed_in(request.auth)
    return peer_out(peers.get_peer(request.auth, ref))


@router.put("/peers/{ref}", response=ExchangePeerOut, summary="Change, disable or enable a peer platform")
def change_peer(request, ref: str, payload: ExchangePeerIn):
    require_signed_in(request.auth)
    peer = peers.get_peer(request.auth, ref)
    return peer_out(peers.change(request.auth, peer, **payload.dict(exclude_unset=True)))


@router.post("/peers/{ref}/pull", response=ExchangePullOut, summary="Pull a peer platform's feed now")
def pull_peer(request, ref: str):
    require_signed_in(request.auth)
    return run_out(peers.pull_now(request.auth, peers.get_peer(request.auth, ref)))


@router.get("/peers/{ref}/runs", response=list[ExchangePullOut], summary="A peer platform's pulls, newest first")
def peer_runs(request, ref: str, page: int = 1, page_size: int = 50):
    require_signed_in(request.auth)
    return [run_out(r) for r in paginate(peers.get_peer(request.auth, ref).runs.all(), page, page_size).items]


@router.get("/records", response=ExchangeRecordPage, summary="Records of peer platforms, with provenance")
@public
def list_records(request, kind: str = "", peer: str = "", region: str = "", page: int = 1, page_size: int = 20):
    qs, _chosen = records.listing(request.auth, kind=kind, peer=peer, region=region)
    sliced = paginate(qs, page, page_size)
    return {
        "items": [record_out(r) for r in sliced.items],
        "count": sliced.count,
        "page": sliced.page,
        "page_size": sliced.page_size,
    }


@router.get("/records/{int:pk}", response=ExchangeRecordOut, summary="One record of a peer platform")
@public
def get_record(request, pk: int):
    return record_out(records.get_record(request.auth, pk))
