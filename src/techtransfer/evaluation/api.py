"""Evaluation API under /api/v1/evaluation: rounds, their indicators, evaluations (scoped: an institution sees its
own, region administrators those of their region), declarations, computing scores and decisions. Thin: every write
calls one service of ``services.rounds``; errors are ``{code, message, field}``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status as HttpStatus

from techtransfer.accounts.permissions import require_signed_in
from techtransfer.core.apidoc import raises
from techtransfer.core.errors import DomainError
from techtransfer.core.fields import Text
from techtransfer.core.pagination import paginate
from techtransfer.core.schemas import InputSchema
from techtransfer.evaluation import services
from techtransfer.evaluation.models import Evaluation, IndicatorSet
from techtransfer.orgs.models import Organization

router = Router(tags=["evaluation"])

Name = Text(200, null=False)
Reasons = Text(2000, null=False)
Short = Text(20, null=False)


class IndicatorOut(Schema):
    code: str
    label: str
    label_en: str
    source: str
    from_platform: bool
    weight: Decimal
    direction: str


class RoundOut(Schema):
    id: int
    year: int
    region: str
    name: str
    published: bool
    computed_at: datetime.datetime | None
    may_manage: bool
    indicators: list[IndicatorOut]


class RoundIn(InputSchema):
    region: Short = Field(description="GB/T 2260 code of the issuing region")
    year: int
    name: Name = ""


class EvaluationOut(Schema):
    id: int
    round: int
    year: int
    organization: int
    organization_name: str
    region: str
    status: str
    declared: dict
    platform: dict
    breakdown: dict
    flags: list
    score: Decimal | None
    rank: int | None
    decision: str
    level: str
    reasons: str
    decided_at: datetime.datetime | None


class EvaluationPage(Schema):
    items: list[EvaluationOut]
    count: int
    page: int
    pages: int
    page_size: int


class DeclareIn(InputSchema):
    organization: int = Field(description="the institution (orgs.Organization id)")
    values: dict[str, Decimal | int | str] = Field(description="value by indicator code (count, hours or yuan)")


class DecideIn(InputSchema):
    decision: Short = Field(description="recognise, keep, warn or revoke")
    level: Short = Field("", description="national, provincial or municipal (recognise only)")
    reasons: Reasons = ""


def indicator_out(i) -> dict:
    return {
        "code": i.code,
        "label": i.label,
        "label_en": i.label_en,
        "source": i.source,
        "from_platform": i.from_platform,
        "weight": i.weight,
        "direction": i.direction,
    }


def round_out(user, r: IndicatorSet) -> dict:
    return {
        "id": r.pk,
        "year": r.year,
        "region": r.region_id,
        "name": r.name,
        "published": r.published,
        "computed_at": r.computed_at,
        "may_manage": services.may_manage_round(user, r),
        "indicators": [indicator_out(i) for i in r.indicators.all()],
    }


def evaluation_out(e: Evaluation) -> dict:
    return {
        "id": e.pk,
        "round": e.indicator_set_id,
        "year": e.indicator_set.year,
        "organization": e.organization_id,
        "organization_name": e.organization.name,
        "region": e.organization.region_id,
        "status": e.status,
        "declared": e.declared,
        "platform": e.platform,
        "breakdown": e.breakdown,
        "flags": e.flags,
        "score": e.score,
        "rank": e.rank,
        "decision": e.decision,
        "level": e.level,
        "reasons": e.reasons,
        "decided_at": e.decided_at,
    }


@router.get("/rounds", response=list[RoundOut], summary="Evaluation rounds the caller may see")
def list_rounds(request):
    require_signed_in(request.auth)
    return [round_out(request.auth, r) for r in services.visible_rounds(request.auth).prefetch_related("indicators")]


@router.post("/rounds", response={201: RoundOut}, summary="Open a round for a region and year (region administrators)")
def open_round(request, payload: RoundIn):
    require_signed_in(request.auth)
    r = services.open_round(request.auth, payload.region, payload.year, payload.name)
    return HttpStatus(201, round_out(request.auth, r))


@router.get("/rounds/{int:pk}", response=RoundOut, summary="A round with its indicators")
def get_round(request, pk: int):
    require_signed_in(request.auth)
    return round_out(request.auth, services.get_round(request.auth, pk))


@router.get("/rounds/{int:pk}/indicators", response=list[IndicatorOut], summary="A round's indicators")
def list_indicators(request, pk: int):
    require_signed_in(request.auth)
    return [indicator_out(i) for i in services.get_round(request.auth, pk).indicators.all()]


@router.post(
    "/rounds/{int:pk}/compute",
    response=list[EvaluationOut],
    summary="Recompute platform values, scores and ranks (the round's region administrators)",
)
def compute(request, pk: int):
    require_signed_in(request.auth)
    return [evaluation_out(e) for e in services.compute(request.auth, services.get_round(request.auth, pk))]


@router.post(
    "/rounds/{int:pk}/declarations",
    response=EvaluationOut,
    summary="Declare an institution's values for a round (its administrators)",
)
@raises(404)
def declare(request, pk: int, payload: DeclareIn):
    require_signed_in(request.auth)
    round_ = services.get_round(request.auth, pk)
    org = Organization.objects.filter(pk=payload.organization).first() if 0 < payload.organization < 2**63 else None
    if org is None:
        raise DomainError(_("No such organization."), field="organization", status=404, code="not_found")
    values = {k: str(v) for k, v in payload.values.items()}
    ev = services.declare(request.auth, round_, org, values)
    return evaluation_out(services.get_visible(request.auth, ev.pk))


@router.get("/evaluations", response=EvaluationPage, summary="Evaluations the caller may see")
def list_evaluations(
    request, round: int | None = None, organization: int | None = None, page: int = 1, page_size: int = 50
):
    require_signed_in(request.auth)
    qs = services.visible_evaluations(request.auth)
    if round is not None:
        qs = qs.filter(indicator_set_id=round) if 0 < round < 2**63 else qs.none()
    if organization is not None:
        qs = qs.filter(organization_id=organization) if 0 < organization < 2**63 else qs.none()
    sl = paginate(qs.order_by("-indicator_set__year", "rank", "organization__name", "id"), page, page_size)
    return {
        "items": [evaluation_out(e) for e in sl.items],
        "count": sl.count,
        "page": sl.page,
        "pages": sl.pages,
        "page_size": sl.page_size,
    }


@router.get("/evaluations/{int:pk}", response=EvaluationOut, summary="One evaluation")
def get_evaluation(request, pk: int):
    require_signed_in(request.auth)
    return evaluation_out(services.get_visible(request.auth, pk))


@router.post(
    "/evaluations/{int:pk}/decide",
    response=EvaluationOut,
    summary="Decide: recognise at a level, keep, warn or revoke (the round's region administrators)",
)
def decide(request, pk: int, payload: DecideIn):
    require_signed_in(request.auth)
    ev = services.decide(
        request.auth, services.get_visible(request.auth, pk), payload.decision, payload.level, payload.reasons
    )
    return evaluation_out(services.get_visible(request.auth, ev.pk))


class ComplaintsIn(InputSchema):
    value: Decimal | int | str = Field(description="complaints received about the institution in the year")


@router.post(
    "/evaluations/{int:pk}/complaints",
    response=EvaluationOut,
    summary="Enter the complaints received about an institution (the round's region administrators)",
)
def enter_complaints(request, pk: int, payload: ComplaintsIn):
    require_signed_in(request.auth)
    ev = services.enter_complaints(request.auth, services.get_visible(request.auth, pk), str(payload.value))
    return evaluation_out(services.get_visible(request.auth, ev.pk))
