"""Matching API under /api/v1/matching: cases and transitions, saved searches, notifications, conversion
figures, and (through the engine's services) search, similar records and recommendations."""

from __future__ import annotations

import datetime
from dataclasses import asdict

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from techtransfer.accounts.models import User
from techtransfer.accounts.permissions import can_view
from techtransfer.catalog.models import Achievement, Demand
from techtransfer.core.apidoc import public, raises
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.exports import export
from techtransfer.core.schemas import InputSchema
from techtransfer.notifications import services as notifications
from techtransfer.people.models import ExpertProfile

from . import cases, services, subscriptions
from .models import CaseStatus, MatchCase

router = Router(tags=["matching"])


class NoteOut(Schema):
    id: int
    happened_on: datetime.date
    text: str
    author: str | None


class CaseOut(Schema):
    id: int
    demand: int
    demand_title: str
    achievement: int | None
    expert: int | None
    broker: int | None
    status: str
    status_label: str
    next_follow_up: datetime.date | None
    notes: list[NoteOut]


class CaseIn(InputSchema):
    demand: int
    achievement: int | None = None
    expert: int | None = None
    broker: int | None = None
    note: str = Field("", max_length=5000)


class TransitionIn(InputSchema):
    to: str
    reason: str = Field("", max_length=2000)


class NoteIn(InputSchema):
    text: str = Field(min_length=1, max_length=5000)
    happened_on: datetime.date | None = None
    next_follow_up: datetime.date | None = None


def _case_out(case: MatchCase) -> dict:
    return {
        "id": case.pk, "demand": case.demand_id, "demand_title": case.demand.title,
        "achievement": case.achievement_id, "expert": case.expert_id, "broker": case.broker_id,
        "status": case.status, "status_label": case.get_status_display(), "next_follow_up": case.next_follow_up,
        "notes": [{"id": n.pk, "happened_on": n.happened_on, "text": n.text,
                   "author": str(n.author) if n.author else None} for n in case.notes.all()],
    }


def _case(user, pk) -> MatchCase:
    case = cases.visible_cases(user).select_related("demand").filter(pk=pk).first()
    if case is None:
        raise NotFound(_("No such case."))
    return case


@router.get("/cases", response=list[CaseOut], summary="Cases you may follow (mine, my organization's, my region's)")
def list_cases(request, status: str = ""):
    qs = cases.visible_cases(request.user).select_related("demand").prefetch_related("notes")
    if status:
        qs = qs.filter(status=status)
    return [_case_out(c) for c in qs[:500]]


@router.post("/cases", response={201: CaseOut}, summary="Open a matchmaking case")
@raises(404)  # the demand, achievement, expert or broker named in the body
def create_case(request, payload: CaseIn):
    demand = Demand.objects.filter(pk=payload.demand).first()
    if demand is None or not can_view(request.user, demand):
        raise NotFound(_("No such demand."), field="demand")
    ach = None
    if payload.achievement is not None:
        ach = Achievement.objects.filter(pk=payload.achievement).first()
        if ach is None or not can_view(request.user, ach):
            raise NotFound(_("No such achievement."), field="achievement")
    expert = None
    if payload.expert is not None:
        expert = ExpertProfile.objects.filter(pk=payload.expert).first()
        if expert is None:
            raise NotFound(_("No such expert."), field="expert")
    broker = None
    if payload.broker is not None:
        broker = User.objects.filter(pk=payload.broker, is_active=True).first()
        if broker is None:
            raise NotFound(_("No such broker."), field="broker")
    case = cases.open_case(request.user, demand, achievement=ach, expert=expert, broker=broker, note=payload.note)
    return Reply(201, _case_out(case))


@router.get("/cases/{int:case_id}", response=CaseOut, summary="One case")
def get_case(request, case_id: int):
    return _case_out(_case(request.user, case_id))


@router.post("/cases/{int:case_id}/transition", response=CaseOut, summary="Move a case to its next status")
def transition(request, case_id: int, payload: TransitionIn):
    case = _case(request.user, case_id)
    if payload.to == CaseStatus.CLOSED:
        cases.close(request.user, case, reason=payload.reason)
    elif payload.to in cases.TRANSITIONS:
        cases.TRANSITIONS[payload.to](request.user, case)
    else:
        raise DomainError(_("Unknown status: %(status)s") % {"status": payload.to}, field="to")
    return _case_out(case)


@router.post("/cases/{int:case_id}/notes", response={201: CaseOut}, summary="Add a dated note")
def add_note(request, case_id: int, payload: NoteIn):
    case = _case(request.user, case_id)
    cases.add_note(request.user, case, payload.text, payload.happened_on, payload.next_follow_up)
    return Reply(201, _case_out(case))


@router.get("/conversion", summary="Cases by status and conversion rate, by technical field and region")
def conversion(request, format: str = ""):
    rows = cases.conversion_figures(request.user)
    if format in ("csv", "xlsx"):
        header = [_("Technical field"), _("Region")] + [s.label for s in CaseStatus] + [_("Total"),
                                                                                         _("Conversion rate")]
        data = ([r["field"], r["region"]] + [r[s.value] for s in CaseStatus] + [r["total"], r["conversion_rate"]]
                for r in rows)
        return export(data, [str(h) for h in header], format, "matching-conversion")
    return rows


class SavedSearchIn(InputSchema):
    name: str
    query: str = ""
    kinds: list[str] = []
    filters: dict = {}
    notify: bool = True


class SavedSearchOut(Schema):
    id: int
    name: str
    query: str
    kinds: list[str]
    filters: dict
    notify: bool


@router.get("/saved-searches", response=list[SavedSearchOut], summary="My saved searches")
def list_saved(request):
    return list(request.user.saved_searches.all()) if request.user.is_authenticated else []


@router.post("/saved-searches", response={201: SavedSearchOut}, summary="Save a search")
def create_saved(request, payload: SavedSearchIn):
    return Reply(201, subscriptions.save_search(request.user, **payload.dict()))


@router.put("/saved-searches/{int:pk}", response=SavedSearchOut, summary="Change a saved search")
def update_saved(request, pk: int, payload: SavedSearchIn):
    return subscriptions.update_search(request.user, pk, **payload.dict())


@router.delete("/saved-searches/{int:pk}", response={204: None}, summary="Delete a saved search")
def delete_saved(request, pk: int):
    subscriptions.delete_search(request.user, pk)
    return Reply(204, None)


class NotificationOut(Schema):
    id: int
    title: str
    url: str
    read: bool
    created_at: datetime.datetime


@router.get("/notifications", response=list[NotificationOut], summary="My notifications")
def list_notifications(request, unread: bool = False):
    return list(notifications.notifications_for(request.user, unread_only=unread)[:200])


@router.post("/notifications/read", summary="Mark my notifications (or one) read")
def read_notifications(request, id: int | None = None):
    return {"marked": notifications.mark_read(request.user, id)}


def _hits(hits) -> list[dict]:
    return [asdict(h) for h in hits]


@router.get("/search", summary="Search achievements, demands, experts, brokers and organizations")
@public
def search(request, q: str = "", kinds: str = "", page: int = 1, per_page: int = 20, mode: str = "hybrid",
           source: str = "both"):
    """``source``: ``local`` (this platform's records), ``network`` (records pulled from peer platforms, each hit
    with its ``provenance``) or ``both``."""
    kind_list = services.source_kinds(source, [k for k in kinds.split(",") if k])
    filters = {k: v for k, v in request.GET.items() if k not in ("q", "kinds", "page", "per_page", "mode", "source")}
    res = services.search(request.user, q, kinds=kind_list, filters=filters or None, page=page,
                     per_page=min(max(per_page, 1), 100), mode=mode)
    return {"hits": _hits(res.hits), "total": res.total, "facets": res.facets, "page": res.page,
            "per_page": res.per_page, "mode": res.mode}


@router.get("/similar/{kind}/{int:pk}", summary="Records similar to one record")
@public
def similar(request, kind: str, pk: int, limit: int = 10):
    return _hits(services.similar(request.user, kind, pk, limit=min(max(limit, 1), 50)))


@router.get("/demand/{int:pk}/recommendations", summary="Achievements, experts and brokers for a demand")
@public
def demand_recommendations(request, pk: int, limit: int = 10):
    return _recommendations(request, get_object_or_404(Demand, pk=pk), services.recommend_for_demand, limit)


@router.get("/achievement/{int:pk}/candidates", summary="Demands and enterprises for an achievement")
@public
def achievement_candidates(request, pk: int, limit: int = 10):
    return _recommendations(request, get_object_or_404(Achievement, pk=pk), services.candidates_for_achievement, limit)


def _recommendations(request, record, recommend, limit: int) -> dict:
    """``recommend(user, record, limit)`` as lists of hits; the service answers ``NotFound`` for a record the
    user may not see (the same message this endpoint gave) and keeps the limit within 1..50."""
    return {k: _hits(v) for k, v in recommend(request.user, record, limit=limit).items()}


class BrokerIn(InputSchema):
    broker: int


@router.post("/cases/{int:case_id}/broker", response=CaseOut, summary="Assign the case's broker")
def assign_broker(request, case_id: int, payload: BrokerIn):
    case = _case(request.user, case_id)
    broker = User.objects.filter(pk=payload.broker, is_active=True).first()
    if broker is None:
        raise NotFound(_("No such broker."), field="broker")
    cases.assign_broker(request.user, case, broker)
    return _case_out(case)
