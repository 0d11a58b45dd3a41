"""REST API of controlled dual-use information (军民两用), under ``/api/v1/catalog/classified``: applying for access,
deciding and revoking grants, the view log (JSON pages or a CSV/Excel download), a record's marking (raise,
propose a declassification, history) and the approvers' decisions on declassifications. Rules: ``catalog.dualuse``
and ``catalog.permissions``."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from techtransfer.accounts import permissions
from techtransfer.catalog import dualuse, services
from techtransfer.catalog.classified import AccessGrant, Declassification
from techtransfer.catalog.models import Achievement
from techtransfer.catalog.schemas import Level
from techtransfer.core.apidoc import raises
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.exports import FORMATS
from techtransfer.core.exports import export as table_export
from techtransfer.core.fields import Day, Text
from techtransfer.core.pagination import paginate
from techtransfer.core.schemas import InputSchema

router = Router(tags=["dual-use information"])


class DualUseGrantIn(InputSchema):
    kind: str = Field("", description="achievement or demand (a grant for one record)")
    record: int | None = Field(None, description="the record's id, as its owner gave it")
    tech_field: str = Field("", description="a category grant: technical field code …")
    region: str = Field("", description="… and region code (GB/T 2260)")
    purpose: Text(2000, null=False)


class DualUseGrantOut(Schema):
    id: int
    user: int
    user_name: str
    achievement: int | None
    demand: int | None
    tech_field: str | None
    region: str | None
    purpose: str
    status: str
    active: bool
    valid_from: date | None
    valid_until: date | None
    decision_note: str
    created_at: datetime
    decided_at: datetime | None


class DualUseGrantPage(Schema):
    items: list[DualUseGrantOut]
    count: int
    page: int
    pages: int
    page_size: int


class DualUseDecisionIn(InputSchema):
    valid_until: Day = Field(None, description="approval: the last day of the access")
    note: Text(2000, null=False) = ""


class DualUseViewOut(Schema):
    id: int
    user: int | None
    user_name: str
    achievement: int | None
    demand: int | None
    channel: str
    client_ip: str | None
    grant: int | None
    viewed_at: datetime


class DualUseViewPage(Schema):
    items: list[DualUseViewOut]
    count: int
    page: int
    pages: int
    page_size: int


class DualUseMarkingIn(InputSchema):
    level: Level
    effective_on: Day = Field(None, description="a declassification: the day it takes effect")
    reason: Text(2000, null=False) = ""


class DualUseDeclassificationOut(Schema):
    id: int
    achievement: int | None
    demand: int | None
    from_level: str
    to_level: str
    effective_on: date
    reason: str
    status: str
    proposed_at: datetime
    decided_at: datetime | None
    decision_note: str
    applied_at: datetime | None


def _grant_out(g: AccessGrant) -> dict:
    return {
        "id": g.pk, "user": g.user_id, "user_name": str(g.user), "achievement": g.achievement_id,
        "demand": g.demand_id, "tech_field": g.tech_field_id, "region": g.region_id, "purpose": g.purpose,
        "status": g.status, "active": dualuse.is_active(g), "valid_from": g.valid_from, "valid_until": g.valid_until,
        "decision_note": g.decision_note, "created_at": g.created_at, "decided_at": g.decided_at,
    }


def _decl_out(d: Declassification) -> dict:
    return {
        "id": d.pk, "achievement": d.achievement_id, "demand": d.demand_id, "from_level": d.from_level,
        "to_level": d.to_level, "effective_on": d.effective_on, "reason": d.reason, "status": d.status,
        "proposed_at": d.proposed_at, "decided_at": d.decided_at, "decision_note": d.decision_note,
        "applied_at": d.applied_at,
    }


def _page(qs, page: int, page_size: int, out) -> dict:
    sl = paginate(qs, page, page_size)
    return {"items": [out(x) for x in sl.items], "count": sl.count, "page": sl.page, "pages": sl.pages,
            "page_size": sl.page_size}


def _record(user, kind: str, pk: int):
    if kind not in dualuse.KINDS:
        raise NotFound(_not_found())
    get = services.get_achievement if dualuse.KINDS[kind] is Achievement else services.get_demand
    return get(user, pk)


def _not_found() -> str:
    return _("No such record, or you may not see it.")


@router.post("/grants", response={201: DualUseGrantOut}, summary="Apply for access to controlled information")
@raises(404)
def apply(request, payload: DualUseGrantIn):
    permissions.require_signed_in(request.auth)
    if payload.tech_field or payload.region:
        grant = dualuse.apply_for_category(request.auth, payload.tech_field, payload.region, payload.purpose)
    else:
        grant = dualuse.apply_for_record(request.auth, payload.kind, payload.record, payload.purpose)
    return Status(201, _grant_out(grant))


@router.get("/grants", response=DualUseGrantPage, summary="Applications and grants (mine, or in an approver's scope)")
def list_grants(request, scope: str = "mine", status: str = "", page: int = 1, page_size: int = 20):
    permissions.require_signed_in(request.auth)
    if scope == "mine":
        qs = dualuse.my_grants(request.auth)
    elif scope == "review":
        qs = dualuse.grants_in_scope(request.auth)
    else:
        raise DomainError("scope: mine or review", field="scope")
    if status:
        qs = qs.filter(status=status)
    return _page(qs, page, page_size, _grant_out)


@router.get("/grants/{int:pk}", response=DualUseGrantOut, summary="One application or grant")
def get_grant(request, pk: int):
    permissions.require_signed_in(request.auth)
    return _grant_out(dualuse.get_grant(request.auth, pk))


@router.post("/grants/{int:pk}/{decision}", response=DualUseGrantOut,
             summary="Decide on an application (approve, reject) or revoke a grant")
def decide_grant(request, pk: int, decision: str, payload: DualUseDecisionIn):
    permissions.require_signed_in(request.auth)
    grant = dualuse.get_grant(request.auth, pk)
    if decision == "approve":
        grant = dualuse.decide_grant(request.auth, grant, True, payload.valid_until, payload.note)
    elif decision == "reject":
        grant = dualuse.decide_grant(request.auth, grant, False, note=payload.note)
    elif decision == "revoke":
        grant = dualuse.revoke_grant(request.auth, grant, payload.note)
    else:
        raise NotFound("approve, reject or revoke")
    return _grant_out(grant)


def _views(request, kind, record, user, channel, since, until):
    permissions.require_signed_in(request.auth)
    return dualuse.views_in_scope(request.auth, kind=kind, record=record, user_name=user, channel=channel,
                                  since=since, until=until)


@router.get("/views", response=DualUseViewPage, summary="The log of views of controlled records (approvers)")
def list_views(request, kind: str = "", record: str = "", user: str = "", channel: str = "", since: Day = None,
               until: Day = None, page: int = 1, page_size: int = 50):
    qs = _views(request, kind, record, user, channel, since, until)
    return _page(qs, page, page_size, lambda v: {
        "id": v.pk, "user": v.user_id, "user_name": str(v.user or ""), "achievement": v.achievement_id,
        "demand": v.demand_id, "channel": v.channel, "client_ip": v.client_ip, "grant": v.grant_id,
        "viewed_at": v.viewed_at})


@router.get("/views/export", summary="The view log as CSV or Excel (approvers)")
def export_views(request, format: str = "csv", kind: str = "", record: str = "", user: str = "", channel: str = "",
                 since: Day = None, until: Day = None) -> HttpResponse:
    if format not in FORMATS:
        raise DomainError("format: csv or xlsx", field="format")
    qs = _views(request, kind, record, user, channel, since, until)
    return table_export(dualuse.view_log_rows(qs), dualuse.VIEW_LOG_HEADER, format, "controlled-views")


@router.get("/records/{kind}/{int:pk}/history", response=list[DualUseDeclassificationOut],
            summary="A record's classification history (whoever may see the record)")
def history(request, kind: str, pk: int):
    return [_decl_out(d) for d in dualuse.history(_record(request.auth, kind, pk))]


@router.post("/records/{kind}/{int:pk}/raise", response=DualUseDeclassificationOut,
             summary="Raise a record's classification at once (owner)")
def raise_level(request, kind: str, pk: int, payload: DualUseMarkingIn):
    permissions.require_signed_in(request.auth)
    record = dualuse.raise_level(request.auth, _record(request.auth, kind, pk), payload.level, payload.reason)
    return _decl_out(dualuse.history(record)[0])


@router.post("/records/{kind}/{int:pk}/declassifications", response={201: DualUseDeclassificationOut},
             summary="Propose a declassification (owner)")
def propose(request, kind: str, pk: int, payload: DualUseMarkingIn):
    permissions.require_signed_in(request.auth)
    row = dualuse.propose_declassification(request.auth, _record(request.auth, kind, pk), payload.level,
                                           payload.effective_on, payload.reason)
    return Status(201, _decl_out(row))


@router.get("/declassifications", response=list[DualUseDeclassificationOut],
            summary="Declassifications in an approver's scope")
def list_declassifications(request, status: str = ""):
    permissions.require_signed_in(request.auth)
    return [_decl_out(d) for d in dualuse.declassifications_in_scope(request.auth, status)[:200]]


@router.post("/declassifications/{int:pk}/{decision}", response=DualUseDeclassificationOut,
             summary="Approve or reject a declassification")
def decide_declassification(request, pk: int, decision: str, payload: DualUseDecisionIn):
    permissions.require_signed_in(request.auth)
    row = dualuse.get_declassification(request.auth, pk)
    if decision not in ("approve", "reject"):
        raise NotFound("approve or reject")
    return _decl_out(dualuse.decide_declassification(request.auth, row, decision == "approve", payload.note))
