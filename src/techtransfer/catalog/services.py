"""Achievement and demand rules: drafting and editing, IP items, TRL self-assessment, expert refinements, the
visibility of protected content, NDA access requests and version history.

The workflow transitions live in ``catalog.workflow``; curated packages in ``catalog.packages``. Who may do what,
and who may read what, is ``catalog.permissions`` (named rules on ``accounts.permissions``), re-exported here for
the pages, the API and the exports; every change is audited.

Protected content. An achievement's ``protected_details`` and a demand's contact fields never leave this module
except through ``achievement_view`` / ``demand_view``, which include them only when ``can_read_protected`` /
``can_read_contact`` allow. Lists, search, exports and the API build on those views.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.audit import services as audit
from techtransfer.catalog import dualuse
from techtransfer.catalog.models import (
    PUBLIC_STATUSES,
    Achievement,
    Demand,
    DemandRefinement,
    IPItem,
    NdaRequest,
    NdaStatus,
    RecordVersion,
    Status,
    TrlAssessment,
)
from techtransfer.catalog.permissions import (  # the visibility rules, used by other modules from here too
    achievements_visible,
    can_read_contact,
    can_read_protected,
    demands_visible,
    is_owner_admin,
    is_platform_reviewer,
    may_refine,
)
from techtransfer.catalog.permissions import protected_readable_ids as protected_readable_ids  # re-exported
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound, from_validation_error
from techtransfer.orgs.models import Organization
from techtransfer.people.models import Person

ACHIEVEMENT_FIELDS = (
    "title",
    "title_en",
    "abstract",
    "abstract_en",
    "keywords",
    "tech_field_id",
    "industry_codes",
    "ipc_codes",
    "trl",
    "transfer_modes",
    "asking_price",
    "price_negotiable",
    "public_funding",
    "dual_use",
    "protected_details",
    "classification",
)
DEMAND_FIELDS = (
    "title",
    "title_en",
    "problem",
    "problem_en",
    "target_indicators",
    "keywords",
    "tech_field_id",
    "budget_min",
    "budget_max",
    "deadline",
    "cooperation_modes",
    "contact_name",
    "contact_phone",
    "contact_email",
    "classification",
)


def _full_clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc)


def _apply(obj, data: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        first = sorted(unknown)[0]
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=first)
    for key, value in data.items():
        setattr(obj, key, value.strip() if isinstance(value, str) else value)


def _require_editable(actor, record) -> None:
    """Only members of the owner organization edit a record (rule ``catalog.edit_record``), and only while it
    is a draft."""
    if not permissions.allowed("catalog.edit_record", actor, record):
        raise Forbidden(_("Only members of the owner organization may edit it."))
    if record.status != Status.DRAFT:
        raise Conflict(_("Only drafts can be edited; a rejected record returns to draft."), field="status")


def _team(person_ids) -> list[Person]:
    if person_ids is None:
        return []
    if not isinstance(person_ids, list | tuple) or not all(isinstance(i, int) for i in person_ids):
        raise DomainError(_("The team is a list of person ids."), field="team")
    people = list(Person.objects.filter(pk__in=set(person_ids)))
    if len(people) != len(set(person_ids)):
        raise DomainError(_("Unknown person in the team."), field="team")
    return people


# --- achievements ------------------------------------------------------------------------------------------------


def create_achievement(actor, owner: Organization, data: dict) -> Achievement:
    """Start an achievement as a draft of ``owner``; its region is the owner's region."""
    permissions.require("catalog.draft_for", actor, owner,
                        message=_("Only members of the organization may add its achievements."))
    data = dict(data)
    team = _team(data.pop("team", None))
    ach = Achievement(owner=owner, region_id=owner.region_id, created_by=actor)
    _apply(ach, data, ACHIEVEMENT_FIELDS)
    _full_clean(ach)
    with transaction.atomic():
        ach.save()
        ach.team.set(team)
        audit.created(actor, ach, "catalog.achievement.create")
    return ach


def update_achievement(actor, ach: Achievement, data: dict) -> Achievement:
    _require_editable(actor, ach)
    data = dict(data)
    team = _team(data.pop("team")) if "team" in data else None
    try:
        with audit.tracking(actor, ach, "catalog.achievement.update"):
            dualuse.marking_edit(actor, ach, data.get("classification"))
            _apply(ach, data, ACHIEVEMENT_FIELDS)
            _full_clean(ach)
            if team is not None:
                old_ids = sorted(ach.team.values_list("pk", flat=True))
                new_ids = sorted(p.pk for p in team)
                if old_ids != new_ids:
                    ach.team.set(team)
                    audit.record(actor, "catalog.achievement.team", ach, {"team": old_ids}, {"team": new_ids})
    except Exception:
        ach.refresh_from_db()  # the caller's object must not keep values that were refused
        raise
    return ach


def add_ip_item(actor, ach: Achievement, data: dict) -> IPItem:
    """Attach an IP item; patent numbers are checked (format, type digit, check digit) and normalized."""
    _require_editable(actor, ach)
    item = IPItem(achievement=ach)
    _apply(item, data, ("kind", "title", "number", "granted", "holder"))
    _full_clean(item)
    if item.number and ach.ip_items.filter(kind=item.kind, number=item.number).exists():
        raise Conflict(_("This IP item is already listed."), field="number")
    with transaction.atomic():
        item.save()
        audit.created(actor, item, "catalog.ip_item.create")
    return item


def remove_ip_item(actor, item: IPItem) -> None:
    _require_editable(actor, item.achievement)
    with transaction.atomic():
        audit.deleted(actor, item, "catalog.ip_item.delete")
        item.delete()


def assess_trl(actor, ach: Achievement, answers: dict) -> TrlAssessment:
    """Record a TRL self-assessment (GB/T 22900) and set the achievement's level to the one it supports.

    The evidence is kept with the assessment; the proposed level is the highest level whose criteria all have
    evidence, counting from level 1 (``validators.proposed_trl``)."""
    _require_editable(actor, ach)
    assessment = TrlAssessment(achievement=ach, answers=answers, assessed_by=actor)
    _full_clean(assessment)
    if assessment.proposed_level is None:
        raise DomainError(_("Give evidence for level 1 at least."), field="answers")
    with transaction.atomic():
        assessment.save()
        audit.created(actor, assessment, "catalog.trl_assessment.create")
        with audit.tracking(actor, ach, "catalog.achievement.trl"):
            ach.trl = assessment.proposed_level
    return assessment


def get_achievement(user, pk: int) -> Achievement:
    ach = achievements_visible(user).filter(pk=pk).first()
    if ach is None:
        raise NotFound(_("No such achievement, or you may not see it."))
    return ach


def public_view(ach: Achievement) -> dict:
    """The public face of an achievement: everything but the protected details. Safe for anyone."""
    return {
        "id": ach.pk,
        "title": ach.title,
        "title_en": ach.title_en,
        "abstract": ach.abstract,
        "abstract_en": ach.abstract_en,
        "keywords": list(ach.keywords or []),
        "tech_field": ach.tech_field_id,
        "industry_codes": list(ach.industry_codes or []),
        "ipc_codes": list(ach.ipc_codes or []),
        "trl": ach.trl,
        "transfer_modes": list(ach.transfer_modes or []),
        "asking_price": ach.asking_price,
        "price_negotiable": ach.price_negotiable,
        "owner": ach.owner_id,
        "owner_name": ach.owner.name,
        "region": ach.region_id,
        "public_funding": ach.public_funding,
        "must_report": ach.must_report,
        "dual_use": ach.dual_use,
        "classification": ach.classification,
        "status": ach.status,
        "published_at": ach.published_at,
        "ip_items": [
            {"kind": i.kind, "title": i.title, "number": i.number, "granted": i.granted} for i in ach.ip_items.all()
        ],
    }


def achievement_view(user, ach: Achievement, protected_ok: bool | None = None) -> dict:
    """``public_view`` plus the protected details when the user may read them (``protected`` says whether they
    were withheld)."""
    if protected_ok is None:
        protected_ok = can_read_protected(user, ach)
    data = public_view(ach)
    data["protected"] = not protected_ok
    if protected_ok:
        data["protected_details"] = ach.protected_details
        data["rejection_reason"] = ach.rejection_reason
    return data


# --- NDA access requests -----------------------------------------------------------------------------------------


def request_nda(actor, ach: Achievement, purpose: str = "") -> NdaRequest:
    """Ask the owner for access to the protected details of a published achievement (保密协议申请)."""
    permissions.require_user(actor)
    if ach.status not in PUBLIC_STATUSES or not permissions.can_view(actor, ach):
        raise NotFound(_("No such achievement, or you may not see it."))
    if can_read_protected(actor, ach):
        raise Conflict(_("You can already read the protected details."))
    req = NdaRequest(achievement=ach, requester=actor, purpose=(purpose or "").strip())
    try:
        with transaction.atomic():
            req.save()
            audit.created(actor, req, "catalog.nda.request")
    except IntegrityError:
        raise Conflict(_("You already have an open request for this achievement."))
    return req


def _decide_nda(actor, req: NdaRequest, source: str, target: str, action: str, reason: str = "") -> NdaRequest:
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = NdaRequest.objects.select_for_update().select_related("achievement").get(pk=req.pk)
        if not is_owner_admin(actor, locked.achievement):
            raise Forbidden(_("Only an administrator of the owner organization decides on access requests."))
        if locked.status != source:
            raise Conflict(_("The request is %(status)s.") % {"status": locked.get_status_display()}, field="status")
        if target in (NdaStatus.REJECTED, NdaStatus.REVOKED) and not reason:
            raise DomainError(_("Give the reason."), field="reason")
        with audit.tracking(actor, locked, action, reason=reason):
            locked.status = target
            locked.decided_by = actor
            locked.decided_at = timezone.now()
            locked.reason = reason
    req.refresh_from_db()
    return req


def approve_nda(actor, req: NdaRequest) -> NdaRequest:
    return _decide_nda(actor, req, NdaStatus.PENDING, NdaStatus.APPROVED, "catalog.nda.approve")


def reject_nda(actor, req: NdaRequest, reason: str) -> NdaRequest:
    return _decide_nda(actor, req, NdaStatus.PENDING, NdaStatus.REJECTED, "catalog.nda.reject", reason)


def revoke_nda(actor, req: NdaRequest, reason: str) -> NdaRequest:
    """Withdraw approved access; the requester loses sight of the protected details at once."""
    return _decide_nda(actor, req, NdaStatus.APPROVED, NdaStatus.REVOKED, "catalog.nda.revoke", reason)


def nda_requests(user, ach: Achievement):
    """The owner organization (and administrators in scope) see all requests; anyone else only their own."""
    qs = ach.nda_requests.select_related("requester")
    if permissions.can_see_restricted(user, ach):
        return qs
    p = permissions.principal(user)
    return qs.filter(requester_id=p.user_id) if p.authenticated else qs.none()


# --- demands -----------------------------------------------------------------------------------------------------


def create_demand(actor, owner: Organization, data: dict) -> Demand:
    """Start a demand as a draft of ``owner``; its region is the owner's region."""
    permissions.require("catalog.draft_for", actor, owner,
                        message=_("Only members of the organization may add its demands."))
    demand = Demand(owner=owner, region_id=owner.region_id, created_by=actor)
    _apply(demand, data, DEMAND_FIELDS)
    _full_clean(demand)
    with transaction.atomic():
        demand.save()
        audit.created(actor, demand, "catalog.demand.create")
    return demand


def update_demand(actor, demand: Demand, data: dict) -> Demand:
    _require_editable(actor, demand)
    try:
        with audit.tracking(actor, demand, "catalog.demand.update"):
            dualuse.marking_edit(actor, demand, data.get("classification"))
            _apply(demand, data, DEMAND_FIELDS)
            _full_clean(demand)
    except Exception:
        demand.refresh_from_db()
        raise
    return demand


def get_demand(user, pk: int) -> Demand:
    demand = demands_visible(user).filter(pk=pk).first()
    if demand is None:
        raise NotFound(_("No such demand, or you may not see it."))
    return demand


def demand_view(user, demand: Demand, contact_ok: bool | None = None) -> dict:
    if contact_ok is None:
        contact_ok = can_read_contact(user, demand)
    data = {
        "id": demand.pk,
        "title": demand.title,
        "title_en": demand.title_en,
        "problem": demand.problem,
        "problem_en": demand.problem_en,
        "target_indicators": demand.target_indicators,
        "keywords": list(demand.keywords or []),
        "tech_field": demand.tech_field_id,
        "budget_min": demand.budget_min,
        "budget_max": demand.budget_max,
        "deadline": demand.deadline,
        "cooperation_modes": list(demand.cooperation_modes or []),
        "owner": demand.owner_id,
        "owner_name": demand.owner.name,
        "region": demand.region_id,
        "classification": demand.classification,
        "status": demand.status,
        "published_at": demand.published_at,
        "restricted": not contact_ok,
    }
    if contact_ok:
        data.update(
            contact_name=demand.contact_name,
            contact_phone=demand.contact_phone,
            contact_email=demand.contact_email,
            rejection_reason=demand.rejection_reason,
        )
    return data


def refine_demand(actor, demand: Demand, data: dict) -> DemandRefinement:
    """Write a new version of the standard description of a demand (专家翻译需求).

    Experts and technology brokers refine published demands; region administrators in scope may also refine
    demands under review. The enterprise's own text is never changed."""
    permissions.require_user(actor)
    reviewer = is_platform_reviewer(actor, demand)
    if not may_refine(actor, demand):
        raise Forbidden(_("Only experts, technology brokers and administrators refine demands."))
    allowed = (Status.SUBMITTED, Status.ORG_REVIEWED, Status.PUBLISHED, Status.IN_NEGOTIATION)
    if not reviewer:
        allowed = (Status.PUBLISHED, Status.IN_NEGOTIATION)
    if demand.status not in allowed:
        raise Conflict(_("This demand cannot be refined in its current state."), field="status")
    ref = DemandRefinement(demand=demand, author=actor, version=0)
    _apply(ref, data, ("title", "description", "key_indicators", "tech_field_id", "ipc_codes"))
    _full_clean(ref)
    with transaction.atomic():
        Demand.objects.select_for_update().filter(pk=demand.pk).first()
        last = demand.refinements.aggregate(n=Max("version"))["n"] or 0
        ref.version = last + 1
        ref.save()
        audit.created(actor, ref, "catalog.demand.refine")
    return ref


def refinements(user, demand: Demand):
    """Refinements are shown with the demand to whoever may see the demand."""
    if not permissions.can_view(user, demand):
        raise NotFound(_("No such demand, or you may not see it."))
    return demand.refinements.select_related("author")


# --- version history ---------------------------------------------------------------------------------------------


def versions(user, record) -> list[RecordVersion]:
    """Version snapshots hold the full record (protected details, contacts), so only those who may read those
    see the history."""
    if isinstance(record, Achievement):
        ok = permissions.can_see_restricted(user, record)
        qs = RecordVersion.objects.filter(achievement=record)
    else:
        ok = can_read_contact(user, record)
        qs = RecordVersion.objects.filter(demand=record)
    if not ok:
        raise Forbidden(_("Only the owner organization and administrators see the version history."))
    return list(qs.order_by("version"))


def mine(user, model=Achievement):
    """Records of the user's organizations ("my submissions")."""
    p = permissions.principal(user)
    ids = p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)
    return model.objects.filter(owner_id__in=sorted(ids)).select_related("owner", "region", "tech_field")


def trl_assessments(user, ach: Achievement):
    """Self-assessments carry evidence that may be confidential: only those who read protected details see them."""
    if not can_read_protected(user, ach):
        raise Forbidden(_("Only the owner organization and administrators see the self-assessments."))
    return ach.trl_assessments.all()


def nda_inbox(user, status: str = ""):
    """NDA requests the user made, plus those on achievements whose owner organization it administers."""
    permissions.require_user(user)
    p = permissions.principal(user)
    cond = Q(requester_id=p.user_id) | Q(achievement__owner_id__in=sorted(p.org_ids(Role.ORG_ADMIN)))
    qs = NdaRequest.objects.filter(cond).select_related("achievement", "requester")
    if status:
        if status not in NdaStatus.values:
            raise DomainError(_("Unknown status: %s") % status, field="status")
        qs = qs.filter(status=status)
    return qs
