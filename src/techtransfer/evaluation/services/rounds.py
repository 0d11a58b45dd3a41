"""Evaluation rounds — 技术转移机构年度评价: opening a round, declarations, scores, ranks and decisions.

Rules (issue 14 item 6; docs/evaluation.md):
- A region administrator opens a round for a year with the default indicator set (``data.DEFAULT_INDICATORS``,
  editable data). Candidates are the verified technology-transfer service institutions (``tt_service``) inside the
  region and the universities holding a demonstration level (their technology-transfer office is evaluated; the
  platform has no separate office record); any other university of the region becomes a candidate by declaring.
- Institutions' administrators declare their values while the round is open and not decided for them.
- ``compute`` takes, for each indicator, the platform's value where the indicator has a platform source and the
  declared value otherwise; normalises by the best in the round (``value / max``; ``1 - value / max`` when lower is
  better); score = Σ weight × normalised value; ranks by score (equal scores share a rank). A declared value that
  differs from the platform's by more than ``TOLERANCE`` (10 %) is flagged for the administrator.
- ``decide``: the round's region administrator recognises (at a level: sets the organization's demonstration
  level), keeps, warns or revokes (clears the level and records a credit record, once); warn and revoke need
  reasons. Every change is audited; the institution's administrators are notified.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.audit import services as audit
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.core.fields import in_field, parse_money, parse_text, parse_whole
from techtransfer.evaluation.data import DEFAULT_INDICATORS
from techtransfer.evaluation.models import Decision, Direction, Evaluation, Indicator, IndicatorSet, Source, Status
from techtransfer.evaluation.services.figures import platform_values
from techtransfer.notifications.services import notify
from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import DemoLevel, Organization, OrgKind, Verification
from techtransfer.regions.models import Region
from techtransfer.regions.services import is_within, scope_q, tier_path

TOLERANCE = Decimal("0.10")
FIRST_YEAR = 2000
PLACES = Decimal("0.0001")
REVOKED_RULE = "技术转移示范机构年度评价：评价不合格撤销示范机构称号（国家技术转移示范机构管理办法; 本区域评价通知）"


# --- who may do what (the named rules in ``permissions`` call these) -----------------------------------------------


def may_manage_round(user, round_: IndicatorSet) -> bool:
    """Platform administrators, and region administrators whose scope contains the round's (issuing) region."""
    return permissions.principal(user).in_region_scope(round_.region_id)


def may_decide(user, evaluation: Evaluation) -> bool:
    """The round's managers, when the institution lies inside their scope too."""
    p = permissions.principal(user)
    return may_manage_round(user, evaluation.indicator_set) and p.in_region_scope(evaluation.organization.region_id)


def may_declare(user, org: Organization) -> bool:
    """The institution's administrators (and platform administrators)."""
    p = permissions.principal(user)
    return p.is_platform_admin or org.pk in p.org_ids(Role.ORG_ADMIN)


# --- reading -------------------------------------------------------------------------------------------------------


def visible_rounds(user):
    """Platform administrators all; region administrators the rounds of regions inside their scope or containing it;
    members of an institution or university the rounds of the regions containing its region."""
    p = permissions.principal(user)
    qs = IndicatorSet.objects.select_related("region")
    if p.is_platform_admin:
        return qs
    if not p.authenticated:
        return qs.none()
    q = Q(pk__in=[])
    codes: set[str] = set()
    for code in p.regions(Role.REGION_ADMIN):
        q |= scope_q("region_id", code)
        codes.update(tier_path(code))
    evaluated = Organization.objects.filter(
        pk__in=sorted(p.org_ids()), kind__in=(OrgKind.TT_SERVICE, OrgKind.UNIVERSITY)
    )
    for region in evaluated.values_list("region_id", flat=True):
        codes.update(tier_path(region))
    return qs.filter(q | Q(region_id__in=sorted(codes)))


def get_round(user, pk) -> IndicatorSet:
    round_ = visible_rounds(user).filter(pk=pk).first() if isinstance(pk, int) and 0 < pk < 2**63 else None
    if round_ is None:
        raise NotFound(_("No such evaluation round, or you may not see it."))
    return round_


def visible_evaluations(user):
    """Evaluations are never public: an institution's members see its own, region administrators those of the
    institutions inside their region, platform administrators all."""
    qs = Evaluation.objects.select_related("organization", "organization__region", "indicator_set")
    return permissions.restricted_visible(user, qs)


def get_visible(user, pk) -> Evaluation:
    ev = visible_evaluations(user).filter(pk=pk).first() if isinstance(pk, int) and 0 < pk < 2**63 else None
    if ev is None:
        raise NotFound(_("No such evaluation, or you may not see it."))
    return ev


def history(user, org: Organization):
    """An institution's evaluations, newest year first, as far as ``user`` may see them."""
    return visible_evaluations(user).filter(organization=org).order_by("-indicator_set__year", "-id")


# --- opening a round -----------------------------------------------------------------------------------------------


def candidates(region: str):
    """Verified technology-transfer service institutions inside ``region`` and the universities there holding a
    demonstration level (their technology-transfer office)."""
    inside = Organization.objects.filter(scope_q("region_id", region))
    return inside.filter(
        Q(kind=OrgKind.TT_SERVICE, verification=Verification.VERIFIED)
        | (Q(kind=OrgKind.UNIVERSITY) & ~Q(demo_level=DemoLevel.NONE))
    ).order_by("name", "id")


def open_round(actor, region: str, year, name: str = "", indicators=None) -> IndicatorSet:
    """Open a round of ``region`` for ``year`` (region administrators of the region). Indicators default to
    ``data.DEFAULT_INDICATORS``; every candidate gets its (undeclared) evaluation and its administrators a notice."""
    permissions.require_user(actor)
    region = (region or "").strip()
    if not Region.objects.filter(pk=region).exists():
        raise DomainError(_("Unknown region code: %s") % region[:12], field="region")
    year = in_field(parse_whole, year, "year", low=FIRST_YEAR, high=timezone.localdate().year)
    if not permissions.principal(actor).in_region_scope(region):
        raise Forbidden(_("Only an administrator of the region may open its evaluation round."), field="region")
    name = in_field(parse_text, name, "name", max_length=200) or _(
        "%(year)s evaluation of technology transfer institutions"
    ) % {"year": year}
    rows = indicators if indicators is not None else DEFAULT_INDICATORS
    with transaction.atomic():
        if IndicatorSet.objects.filter(region_id=region, year=year).exists():
            raise Conflict(_("The region already has an evaluation round for this year."), field="year")
        round_ = IndicatorSet.objects.create(region_id=region, year=year, name=name, opened_by=actor)
        audit.created(actor, round_, "evaluation.round.open")
        for i, (code, label, label_en, source, weight, direction) in enumerate(rows):
            Indicator.objects.create(
                indicator_set=round_,
                code=code,
                label=label,
                label_en=label_en,
                source=source,
                weight=weight,
                direction=direction,
                position=i,
            )
        orgs_ = list(candidates(region))
        for org in orgs_:
            ev = Evaluation.objects.create(organization=org, indicator_set=round_, is_demo=org.is_demo)
            audit.created(actor, ev, "evaluation.candidate")
        notify(
            permissions.org_administrators(*(o.pk for o in orgs_)),
            _("The %(name)s is open: declare your institution's figures.") % {"name": name},
            reverse("evaluation:round", args=[round_.pk]),
        )
    return round_


# --- declarations --------------------------------------------------------------------------------------------------


def may_be_candidate(org: Organization, round_: IndicatorSet) -> bool:
    return is_within(org.region_id, round_.region_id) and org.kind in (OrgKind.TT_SERVICE, OrgKind.UNIVERSITY)


def declare(actor, round_: IndicatorSet, org: Organization, values: dict) -> Evaluation:
    """An institution's self-declared values for a round (its administrators), one number per indicator code
    (counts, hours or yuan; not negative). Declaring again replaces the declaration until a decision is made."""
    permissions.require_user(actor)
    if not may_declare(actor, org):
        raise Forbidden(_("Only the institution's administrators may declare its figures."))
    if not round_.published:
        raise Conflict(_("The round is closed for declarations."), field="round")
    if not may_be_candidate(org, round_):
        raise DomainError(
            _("Only technology transfer institutions and universities inside the round's region are evaluated."),
            field="organization",
        )
    if not isinstance(values, dict):
        raise DomainError(_("Give the values by indicator code."), field="values")
    codes = set(round_.indicators.values_list("code", flat=True))
    unknown = sorted(set(values) - codes)
    if unknown:
        raise DomainError(_("Unknown indicator: %s") % str(unknown[0])[:40], field=str(unknown[0])[:40])
    clean = {}
    for code, value in values.items():
        amount = in_field(parse_money, value if not isinstance(value, Decimal) else str(value), code, required=False)
        if amount is not None:
            clean[code] = str(amount)
    with transaction.atomic():
        ev, created = Evaluation.objects.select_for_update().get_or_create(
            organization=org, indicator_set=round_, defaults={"is_demo": org.is_demo}
        )
        if created:
            audit.created(actor, ev, "evaluation.candidate")
        if ev.status == Status.DECIDED:
            raise Conflict(_("The evaluation is decided; the declaration can no longer change."), field="status")
        with audit.tracking(actor, ev, "evaluation.declare"):
            ev.declared = clean
            ev.status = Status.SUBMITTED if ev.status == Status.DRAFT else ev.status
            ev.submitted_at = timezone.now()
            ev.submitted_by = actor
    return ev


def enter_complaints(actor, evaluation: Evaluation, value) -> Evaluation:
    """The complaints the administrators received about an institution (the indicators of source ``complaints``),
    entered by the round's administrators beside or instead of the institution's own figure, until the decision.
    Audited (``evaluation.complaints``)."""
    permissions.require_user(actor)
    if not may_decide(actor, evaluation):
        raise Forbidden(_("Only an administrator of the round's region may enter complaints."))
    count = in_field(parse_money, value if not isinstance(value, Decimal) else str(value), "value")
    codes = list(evaluation.indicator_set.indicators.filter(source=Source.COMPLAINTS).values_list("code", flat=True))
    if not codes:
        raise DomainError(_("The round has no complaints indicator."), field="value")
    with transaction.atomic():
        ev = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if ev.status == Status.DECIDED:
            raise Conflict(_("The evaluation is decided; the declaration can no longer change."), field="status")
        with audit.tracking(actor, ev, "evaluation.complaints"):
            ev.declared = {**ev.declared, **{code: str(count) for code in codes}}
    return ev


# --- scores --------------------------------------------------------------------------------------------------------


def _differs(declared: Decimal, platform: Decimal) -> bool:
    """More than ``TOLERANCE`` away from the platform's value (any declared value above a platform zero)."""
    if platform == 0:
        return declared != 0
    return abs(declared - platform) > TOLERANCE * abs(platform)


def normalise(value: Decimal, best: Decimal, direction: str) -> Decimal:
    """The share of the best in the round: ``value / best``; lower-is-better ``1 - value / best``."""
    share = value / best if best > 0 else Decimal(0)
    return Decimal(1) - share if direction == Direction.LOWER else share


def compute(actor, round_: IndicatorSet) -> list[Evaluation]:
    """Recompute the platform values, scores and ranks of every evaluation of the round (its managers). Decided
    evaluations keep their decision; their figures are refreshed too. Returns the evaluations by rank."""
    if not may_manage_round(actor, round_):
        raise Forbidden(_("Only an administrator of the round's region may compute its scores."))
    indicators = list(round_.indicators.all())
    with transaction.atomic():
        evaluations = list(
            Evaluation.objects.select_for_update().filter(indicator_set=round_).select_related("organization")
        )
        platform: dict[int, dict] = {}
        used: dict[int, dict[str, Decimal]] = {}
        for ev in evaluations:
            figures = platform_values(ev.organization, round_.year)
            platform[ev.pk] = {i.code: figures[i.source] for i in indicators if i.from_platform}
            values = {}
            for i in indicators:
                if i.from_platform:
                    values[i.code] = max(platform[ev.pk][i.code], Decimal(0))
                else:
                    values[i.code] = Decimal(ev.declared.get(i.code) or 0)
            used[ev.pk] = values
        best = {i.code: max((used[ev.pk][i.code] for ev in evaluations), default=Decimal(0)) for i in indicators}
        scores = {}
        for ev in evaluations:
            breakdown, total = {}, Decimal(0)
            for i in indicators:
                share = normalise(used[ev.pk][i.code], best[i.code], i.direction)
                points = i.weight * share
                total += points
                breakdown[i.code] = {
                    "value": str(used[ev.pk][i.code]),
                    "normalised": str(share.quantize(PLACES)),
                    "points": str(points.quantize(PLACES)),
                    "from_platform": i.from_platform,
                }
            flags = []
            for i in indicators:
                if i.from_platform and ev.declared.get(i.code) not in (None, ""):
                    declared = Decimal(ev.declared[i.code])
                    if _differs(declared, platform[ev.pk][i.code]):
                        flags.append(
                            {"code": i.code, "declared": str(declared), "platform": str(platform[ev.pk][i.code])}
                        )
            scores[ev.pk] = total.quantize(PLACES)
            ev._new = {
                "platform": {k: str(v) for k, v in platform[ev.pk].items()},
                "breakdown": breakdown,
                "flags": flags,
                "score": scores[ev.pk],
            }
        ordered = sorted(evaluations, key=lambda e: (-scores[e.pk], e.organization.name, e.pk))
        rank, previous = 0, None
        for position, ev in enumerate(ordered, start=1):
            if scores[ev.pk] != previous:
                rank, previous = position, scores[ev.pk]
            with audit.tracking(actor, ev, "evaluation.compute"):
                for key, value in ev._new.items():
                    setattr(ev, key, value)
                ev.rank = rank
                if ev.status != Status.DECIDED:
                    ev.status = Status.SCORED
        with audit.tracking(actor, round_, "evaluation.round.compute"):
            round_.computed_at = timezone.now()
    return ordered


# --- decisions -----------------------------------------------------------------------------------------------------


def decide(actor, evaluation: Evaluation, decision: str, level: str = "", reasons: str = "") -> Evaluation:
    """The region administrator's decision on a scored evaluation: ``recognise`` at a level (national, provincial,
    municipal: the organization's demonstration level and year become the round's), ``keep``, ``warn`` or
    ``revoke`` (the level is cleared and a credit record ``evaluation.revoked`` is made once). Warn and revoke need
    reasons. Audited; the institution's administrators are notified."""
    permissions.require_user(actor)
    if not may_decide(actor, evaluation):
        raise Forbidden(_("Only an administrator of the round's region may decide."))
    if decision not in Decision.values:
        raise DomainError(_("Unknown decision: %s") % str(decision)[:20], field="decision")
    reasons = in_field(parse_text, reasons, "reasons", max_length=2000)
    level = (level or "").strip()
    if decision == Decision.RECOGNISE:
        if level not in DemoLevel.values or not level:
            raise DomainError(_("Choose the level at which the institution is recognised."), field="level")
    elif level:
        raise DomainError(_("Only a recognition has a level."), field="level")
    if decision in (Decision.WARN, Decision.REVOKE) and not reasons:
        raise DomainError(_("A warning or a revocation needs its reasons."), field="reasons")
    round_ = evaluation.indicator_set
    org = evaluation.organization
    with transaction.atomic():
        ev = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if ev.status == Status.DECIDED:
            raise Conflict(_("The evaluation is already decided."), field="status")
        if ev.status != Status.SCORED:
            raise Conflict(_("Compute the scores before deciding."), field="status")
        if decision == Decision.REVOKE and not org.demo_level:
            raise Conflict(_("The institution holds no demonstration title to revoke."), field="decision")
        if decision == Decision.RECOGNISE:
            orgs.set_demonstration_level(actor, org, level, round_.year)
        elif decision == Decision.REVOKE:
            orgs.set_demonstration_level(actor, org, DemoLevel.NONE, None)
            orgs.record_by_rule(
                org,
                key=f"evaluation.revoked:{org.pk}:{round_.year}",
                kind="warning",
                cause="evaluation.revoked",
                summary=f"技术转移示范机构称号被撤销（{round_.year}年度评价）：{reasons}",
                rule=REVOKED_RULE,
                occurred_on=timezone.localdate(),
                year=round_.year,
                public=True,
                actor=actor,
            )
        with audit.tracking(actor, ev, f"evaluation.{decision}", reason=reasons):
            ev.decision = decision
            ev.level = level
            ev.reasons = reasons
            ev.status = Status.DECIDED
            ev.decided_by = actor
            ev.decided_at = timezone.now()
        notify(
            permissions.org_administrators(org.pk),
            _("%(round)s: decision on %(org)s — %(decision)s")
            % {"round": round_.name, "org": org.name, "decision": Decision(decision).label},
            reverse("evaluation:institution", args=[org.pk]),
        )
    evaluation.refresh_from_db()
    return evaluation
