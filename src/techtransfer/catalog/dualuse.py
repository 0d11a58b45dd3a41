"""Controlled dual-use information (军民两用) — the rules: marking, access grants, the view log and declassification
(降解密). Pages, the API, the exports and the daily job call these; who may do what is ``catalog.permissions``.

Levels (``Classification``): public (anyone, once published), restricted (members of units approved for dual-use
information, ``Organization.dual_use_approved``), controlled (named persons only: the owner organization,
administrators and secrecy officers in scope, and holders of an active access grant). Who sees a record at all is
``WorkflowRecord.public_q`` + ``WorkflowRecord.extra_visible_q``, which the permission layer reads for every
channel; this module holds the acts that change it.

- Marking: the owner sets the level when drafting; raising it later is immediate (``raise_level``); lowering it
  only through a declassification an approver decides (``propose_declassification``).
- Access grants: a signed-in user applies for one controlled record (by the reference the owner gave it) or for a
  category (technical field + region) with a purpose; the approvers are notified (secrecy officers of the owning
  organization, else of the region, else the region's administrators); an approver approves until a date or
  rejects with a note; grants lapse after ``valid_until`` (checked at every read) and can be revoked.
- View log: every view of a controlled record (page, API detail, export row) by anyone outside the owner
  organization is one ``ControlledView`` row.
- Declassification: proposed by the owner, decided by an approver, applied on its date (at the decision when
  the date has come, else by the daily job ``apply_due_declassifications``).

Every change is audited. Only information below state secrets (国家秘密) belongs here (docs/catalog.md).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.audit import services as audit
from techtransfer.catalog import signals
from techtransfer.catalog.classified import (
    AccessGrant,
    ControlledView,
    Declassification,
    DeclassificationStatus,
    GrantStatus,
    ViewChannel,
)
from techtransfer.catalog.models import LEVEL_ORDER, Achievement, Classification, Demand
from techtransfer.catalog.permissions import (
    classified_scope_q,
    may_decide_access,
    may_decide_declassification,
    may_mark,
)
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.notifications import services as notifications
from techtransfer.orgs.models import Organization
from techtransfer.regions.services import exists as region_exists
from techtransfer.regions.services import is_within
from techtransfer.taxonomy.models import TechField

KINDS = {"achievement": Achievement, "demand": Demand}
MAX_GRANT_DAYS = 366 * 3


def kind_of(record) -> str:
    return type(record)._meta.model_name


def _record_url(record) -> str:
    return reverse(f"catalog:{kind_of(record)}", args=[record.pk])


def _level(value: str, field: str = "classification") -> str:
    if value not in Classification.values:
        raise DomainError(_("Unknown classification: %s") % value, field=field)
    return value


# --- marking --------------------------------------------------------------------------------------------------


def check_marking_change(record, new_level: str) -> None:
    """Editing a record may raise its level, never lower it (a declassification does that)."""
    _level(new_level)
    old = record.classification
    if LEVEL_ORDER[new_level] < LEVEL_ORDER[old]:
        raise DomainError(
            _("A record's classification is lowered only through a declassification an approver decides."),
            field="classification",
        )


def marking_edit(actor, record, new_level: str | None) -> None:
    """Inside an edit: refuse a lower level; record a higher one in the record's classification history."""
    if new_level is None or new_level == record.classification:
        return
    check_marking_change(record, new_level)
    _history_raise(actor, record, new_level, _("raised by the owner"))


def _history_raise(actor, record, level: str, reason: str) -> Declassification:
    now = timezone.now()
    return Declassification.objects.create(
        **{kind_of(record): record},
        from_level=record.classification,
        to_level=level,
        effective_on=timezone.localdate(),
        reason=reason,
        status=DeclassificationStatus.APPLIED,
        proposed_by=actor,
        decided_by=actor,
        decided_at=now,
        applied_at=now,
    )


def raise_level(actor, record, level: str, reason: str = ""):
    """Raise the record's classification at once (the owner's own act), recorded in its history."""
    if not may_mark(actor, record):
        raise Forbidden(_("Only members of the owner organization may mark the record."))
    level = _level(level)
    if LEVEL_ORDER[level] <= LEVEL_ORDER[record.classification]:
        raise DomainError(_("Choose a higher level; lowering it is a declassification."), field="classification")
    with transaction.atomic():
        row = _history_raise(actor, record, level, (reason or "").strip() or _("raised by the owner"))
        with audit.tracking(actor, record, f"catalog.{kind_of(record)}.classify", reason=row.reason):
            record.classification = level
        signals.announce(record)
    return record


def set_unit_approval(actor, org: Organization, approved: bool, reason: str = "") -> Organization:
    """Approve (or withdraw the approval of) a unit for restricted dual-use information; region administrators."""
    permissions.require(
        "catalog.approve_unit",
        actor,
        org,
        message=_("Only an administrator of the organization's region may approve it."),
    )
    with audit.tracking(actor, org, "orgs.organization.dual_use_approval", reason=(reason or "").strip()):
        org.dual_use_approved = bool(approved)
    return org


# --- who decides --------------------------------------------------------------------------------------------------


def _region_role_users(role: str, region: str) -> list[User]:
    rows = RoleAssignment.objects.filter(role=role, region__isnull=False).values_list("user_id", "region_id")
    ids = sorted({uid for uid, code in rows if is_within(region, code)})
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def approvers(record=None, region: str | None = None) -> list[User]:
    """Who is told of an application or a proposal: the secrecy officers of the owning organization, else those of
    a region containing the record (or the category's region), else the region administrators there."""
    if record is not None:
        ids = RoleAssignment.objects.filter(role=Role.SECRECY_OFFICER, organization_id=record.owner_id).values(
            "user_id"
        )
        found = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
        if found:
            return found
        region = record.region_id
    return _region_role_users(Role.SECRECY_OFFICER, region) or _region_role_users(Role.REGION_ADMIN, region)


# --- access grants -------------------------------------------------------------------------------------------------


def active_q(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status=GrantStatus.APPROVED, valid_until__gte=today) & (
        Q(valid_from__isnull=True) | Q(valid_from__lte=today)
    )


def is_active(grant: AccessGrant, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        grant.status == GrantStatus.APPROVED
        and grant.valid_until is not None
        and grant.valid_until >= today
        and (grant.valid_from is None or grant.valid_from <= today)
    )


def _purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(_("State the purpose of the access."), field="purpose")
    return purpose


def controlled_record(kind: str, pk) -> object:
    """The controlled record an application names (by the reference its owner gave). Anything else — no such
    record, or one that is not controlled — is the same ``NotFound``, so the form reveals nothing."""
    model = KINDS.get(kind)
    if model is None:
        raise DomainError(_("Unknown kind: %s") % kind, field="kind")
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise DomainError(_("Give the record's number."), field="record")
    record = model.objects.filter(pk=pk, classification=Classification.CONTROLLED).first()
    if record is None:
        raise NotFound(_("No controlled record with this reference."))
    return record


def _notify_approvers(grant: AccessGrant, record=None) -> None:
    notifications.notify(
        approvers(record, grant.region_id),
        _("Application for access to controlled information by %(user)s") % {"user": grant.user},
        reverse("catalog:grant", args=[grant.pk]),
    )


def apply_for_record(actor, kind: str, pk, purpose: str) -> AccessGrant:
    """Apply for access to one controlled record."""
    permissions.require_user(actor)
    purpose = _purpose(purpose)
    record = controlled_record(kind, pk)
    if permissions.can_view(actor, record):
        raise Conflict(_("You can already see this record."))
    open_ = AccessGrant.objects.filter(user=actor, **{kind_of(record): record}).filter(
        Q(status=GrantStatus.PENDING) | active_q()
    )
    if open_.exists():
        raise Conflict(_("You already have an open application or an active grant for this record."))
    with transaction.atomic():
        grant = AccessGrant.objects.create(user=actor, purpose=purpose, **{kind_of(record): record})
        audit.created(actor, grant, "catalog.access_grant.apply")
    _notify_approvers(grant, record)
    return grant


def apply_for_category(actor, tech_field: str, region: str, purpose: str) -> AccessGrant:
    """Apply for access to the controlled records of a technical field inside a region."""
    permissions.require_user(actor)
    purpose = _purpose(purpose)
    if not TechField.objects.filter(pk=tech_field).exists():
        raise DomainError(_("Unknown technical field: %s") % tech_field, field="tech_field")
    if not region or not region_exists(region):
        raise DomainError(_("Unknown region code: %s") % region, field="region")
    if AccessGrant.objects.filter(
        user=actor, tech_field_id=tech_field, region_id=region, status=GrantStatus.PENDING
    ).exists():
        raise Conflict(_("You already have an open application for this category."))
    with transaction.atomic():
        grant = AccessGrant.objects.create(user=actor, purpose=purpose, tech_field_id=tech_field, region_id=region)
        audit.created(actor, grant, "catalog.access_grant.apply")
    _notify_approvers(grant)
    return grant


def _locked(grant: AccessGrant) -> AccessGrant:
    return (
        AccessGrant.objects.select_for_update(of=("self",))
        .select_related("achievement", "demand", "user")
        .get(pk=grant.pk)
    )


def decide_grant(
    actor, grant: AccessGrant, approve: bool, valid_until: datetime.date | None = None, note: str = ""
) -> AccessGrant:
    """Approve an application until ``valid_until`` (at most three years), or reject it with a note."""
    note = (note or "").strip()
    today = timezone.localdate()
    with transaction.atomic():
        locked = _locked(grant)
        if not may_decide_access(actor, locked):
            raise Forbidden(_("Only a secrecy officer or administrator in scope decides on this application."))
        if locked.status != GrantStatus.PENDING:
            raise Conflict(
                _("The application is %(status)s.") % {"status": locked.get_status_display()}, field="status"
            )
        if approve:
            if valid_until is None:
                raise DomainError(_("Give the last day of the access."), field="valid_until")
            if valid_until < today or (valid_until - today).days > MAX_GRANT_DAYS:
                raise DomainError(_("The access ends between today and three years from now."), field="valid_until")
        elif not note:
            raise DomainError(_("Give the reason of the rejection."), field="note")
        with audit.tracking(
            actor, locked, "catalog.access_grant.approve" if approve else "catalog.access_grant.reject", reason=note
        ):
            locked.status = GrantStatus.APPROVED if approve else GrantStatus.REJECTED
            locked.valid_from = today if approve else None
            locked.valid_until = valid_until if approve else None
            locked.decided_by = actor
            locked.decided_at = timezone.now()
            locked.decision_note = note
    if approve:
        title = _("Your access to controlled information was approved until %(day)s.") % {"day": valid_until}
    else:
        title = _("Your application for access to controlled information was rejected: %(note)s") % {"note": note}
    notifications.notify(locked.user, title, reverse("catalog:my_grants"))
    return locked


def revoke_grant(actor, grant: AccessGrant, note: str) -> AccessGrant:
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked(grant)
        if not may_decide_access(actor, locked):
            raise Forbidden(_("Only a secrecy officer or administrator in scope may revoke this grant."))
        if locked.status != GrantStatus.APPROVED:
            raise Conflict(_("Only an approved grant can be revoked."), field="status")
        if not note:
            raise DomainError(_("Give the reason."), field="note")
        with audit.tracking(actor, locked, "catalog.access_grant.revoke", reason=note):
            locked.status = GrantStatus.REVOKED
            locked.revoked_by = actor
            locked.revoked_at = timezone.now()
            locked.decision_note = note
    notifications.notify(
        locked.user,
        _("Your access to controlled information was revoked: %(note)s") % {"note": note},
        reverse("catalog:my_grants"),
    )
    return locked


def grants_in_scope(user):
    """The applications and grants an approver sees (its organizations' records, its regions)."""
    permissions.require("catalog.review_views", user)
    return AccessGrant.objects.filter(classified_scope_q(user, category=True)).select_related(
        "user", "achievement", "demand", "tech_field", "region", "decided_by"
    )


def get_grant(user, pk: int) -> AccessGrant:
    """A grant its applicant or an approver in scope may read (``NotFound`` otherwise)."""
    p = permissions.principal(user)
    grant = (
        AccessGrant.objects.select_related("user", "achievement", "demand", "tech_field", "region")
        .filter(pk=pk)
        .first()
    )
    if grant is None or not (
        grant.user_id == p.user_id
        or may_decide_access(user, grant)
        or (
            permissions.allowed("catalog.review_views", user)
            and AccessGrant.objects.filter(classified_scope_q(user, category=True), pk=pk).exists()
        )
    ):
        raise NotFound(_("No such application."))
    return grant


def my_grants(user):
    permissions.require_user(user)
    return AccessGrant.objects.filter(user=user).select_related("achievement", "demand", "tech_field", "region")


def notify_expired(today: datetime.date | None = None) -> int:
    """The daily job: tell applicants whose grant lapsed yesterday (once: the day after ``valid_until``). Access
    itself ends at read time, whether or not this job runs."""
    today = today or timezone.localdate()
    made = 0
    lapsed = AccessGrant.objects.filter(status=GrantStatus.APPROVED, valid_until=today - datetime.timedelta(days=1))
    for grant in lapsed.select_related("user"):
        made += notifications.notify(
            grant.user, _("Your access to controlled information has expired."), reverse("catalog:my_grants")
        )
    return made


# --- the view log ----------------------------------------------------------------------------------------------------


def client_ip(request) -> str | None:
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def _outsider(user, record) -> bool:
    return record.owner_id not in permissions.principal(user).org_ids()


def log_views(user, records, channel: str, ip: str | None = None) -> int:
    """One ``ControlledView`` per controlled record in ``records`` seen by ``user`` from outside the owner
    organization (with the active grant it was seen through, if any). Returns the rows written."""
    rows = [r for r in records if r.classification == Classification.CONTROLLED and _outsider(user, r)]
    if not rows:
        return 0
    p = permissions.principal(user)
    grants = {}
    if p.authenticated:
        for g in AccessGrant.objects.filter(active_q(), user_id=p.user_id).order_by("pk"):
            key = (
                ("achievement", g.achievement_id)
                if g.achievement_id
                else ("demand", g.demand_id)
                if g.demand_id
                else None
            )
            if key:
                grants.setdefault(key, g)
            else:
                grants.setdefault(("category", g.pk), g)
    out = []
    for r in rows:
        grant = grants.get((kind_of(r), r.pk))
        if grant is None:
            grant = next(
                (
                    g
                    for (k, _pk), g in grants.items()
                    if k == "category" and g.tech_field_id == r.tech_field_id and is_within(r.region_id, g.region_id)
                ),
                None,
            )
        out.append(ControlledView(user_id=p.user_id, grant=grant, channel=channel, client_ip=ip, **{kind_of(r): r}))
    ControlledView.objects.bulk_create(out)
    return len(out)


def log_view(user, record, channel: str = ViewChannel.PAGE, ip: str | None = None) -> int:
    return log_views(user, [record], channel, ip)


def views_in_scope(
    user,
    *,
    kind: str = "",
    record: str = "",
    user_name: str = "",
    channel: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    """The view log an approver may review, filtered."""
    permissions.require("catalog.review_views", user)
    qs = ControlledView.objects.filter(classified_scope_q(user)).select_related(
        "user", "achievement", "demand", "grant"
    )
    if kind:
        if kind not in KINDS:
            raise DomainError(_("Unknown kind: %s") % kind, field="kind")
        qs = qs.filter(**{f"{kind}__isnull": False})
    if record:
        if not str(record).isdigit():
            raise DomainError(_("Give the record's number."), field="record")
        qs = qs.filter(Q(achievement_id=int(record)) | Q(demand_id=int(record)))
    if user_name:
        qs = qs.filter(user__username__icontains=user_name.strip())
    if channel:
        if channel not in ViewChannel.values:
            raise DomainError(_("Unknown channel: %s") % channel, field="channel")
        qs = qs.filter(channel=channel)
    if since:
        qs = qs.filter(viewed_at__date__gte=since)
    if until:
        qs = qs.filter(viewed_at__date__lte=until)
    return qs


VIEW_LOG_HEADER = ["viewed_at", "user", "kind", "record", "title", "channel", "client_ip", "grant"]


def view_log_rows(qs):
    for v in qs.iterator(chunk_size=500):
        record = v.achievement or v.demand
        yield [
            timezone.localtime(v.viewed_at).strftime("%Y-%m-%d %H:%M:%S"),
            str(v.user or ""),
            kind_of(record) if record else "",
            record.pk if record else "",
            str(record or ""),
            v.channel,
            v.client_ip or "",
            v.grant_id or "",
        ]


# --- declassification -----------------------------------------------------------------------------------------------


def propose_declassification(
    actor, record, to_level: str, effective_on: datetime.date, reason: str
) -> Declassification:
    """The owner proposes a lower level from a date (降解密)."""
    if not may_mark(actor, record):
        raise Forbidden(_("Only members of the owner organization may propose it."))
    to_level = _level(to_level, "to_level")
    if LEVEL_ORDER[to_level] >= LEVEL_ORDER[record.classification]:
        raise DomainError(_("Choose a lower level (raise it directly instead)."), field="to_level")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    if effective_on is None:
        raise DomainError(_("Give the date it takes effect."), field="effective_on")
    if Declassification.objects.filter(
        status__in=(DeclassificationStatus.PROPOSED, DeclassificationStatus.APPROVED), **{kind_of(record): record}
    ).exists():
        raise Conflict(_("A declassification of this record is already under way."))
    with transaction.atomic():
        row = Declassification.objects.create(
            **{kind_of(record): record},
            from_level=record.classification,
            to_level=to_level,
            effective_on=effective_on,
            reason=reason,
            proposed_by=actor,
        )
        audit.created(actor, row, "catalog.declassification.propose")
    notifications.notify(
        approvers(record),
        _("Declassification proposed: %(title)s") % {"title": record},
        reverse("catalog:declassifications"),
    )
    return row


def _apply(actor, row: Declassification) -> None:
    record = row.achievement or row.demand
    with audit.tracking(actor, record, f"catalog.{kind_of(record)}.declassify", reason=row.reason):
        record.classification = row.to_level
    row.status = DeclassificationStatus.APPLIED
    row.applied_at = timezone.now()
    row.save(update_fields=["status", "applied_at"])
    signals.announce(record)


def decide_declassification(actor, row: Declassification, approve: bool, note: str = "") -> Declassification:
    """Approve or reject a proposal; an approved one whose date has come applies at once."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = (
            Declassification.objects.select_for_update(of=("self",))
            .select_related("achievement", "demand")
            .get(pk=row.pk)
        )
        record = locked.achievement or locked.demand
        if not may_decide_declassification(actor, record):
            raise Forbidden(_("Only a secrecy officer or administrator in scope decides on declassifications."))
        if locked.status != DeclassificationStatus.PROPOSED:
            raise Conflict(_("The proposal is %(status)s.") % {"status": locked.get_status_display()}, field="status")
        if not approve and not note:
            raise DomainError(_("Give the reason of the rejection."), field="note")
        with audit.tracking(
            actor,
            locked,
            "catalog.declassification.approve" if approve else "catalog.declassification.reject",
            reason=note,
        ):
            locked.status = DeclassificationStatus.APPROVED if approve else DeclassificationStatus.REJECTED
            locked.decided_by = actor
            locked.decided_at = timezone.now()
            locked.decision_note = note
        if approve and locked.effective_on <= timezone.localdate():
            if record.classification != locked.from_level:
                raise Conflict(_("The record's level changed since the proposal."), field="status")
            _apply(actor, locked)
    notifications.notify(
        locked.proposed_by,
        _("Declassification %(status)s: %(title)s") % {"status": locked.get_status_display(), "title": record},
        _record_url(record),
    )
    return locked


def apply_due_declassifications(today: datetime.date | None = None) -> int:
    """The daily job: apply approved declassifications whose date has come (idempotent)."""
    today = today or timezone.localdate()
    done = 0
    due = Declassification.objects.filter(status=DeclassificationStatus.APPROVED, effective_on__lte=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            row = (
                Declassification.objects.select_for_update(of=("self",))
                .select_related("achievement", "demand")
                .filter(pk=pk, status=DeclassificationStatus.APPROVED)
                .first()
            )
            if row is None:
                continue
            _apply(None, row)
            done += 1
    return done


def declassifications_in_scope(user, status: str = ""):
    permissions.require("catalog.review_views", user)
    qs = Declassification.objects.filter(classified_scope_q(user)).select_related(
        "achievement", "demand", "proposed_by", "decided_by"
    )
    if status:
        if status not in DeclassificationStatus.values:
            raise DomainError(_("Unknown status: %s") % status, field="status")
        qs = qs.filter(status=status)
    return qs


def get_declassification(user, pk: int) -> Declassification:
    row = declassifications_in_scope(user).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No such declassification."))
    return row


def history(record) -> list[Declassification]:
    """The record's classification history, newest first (shown to those who may see the record)."""
    return list(
        Declassification.objects.filter(**{kind_of(record): record}).select_related("proposed_by", "decided_by")
    )


def run_daily(today: datetime.date | None = None) -> dict:
    """The daily job (``techtransfer catalog-declassify``, Huey ``catalog_dual_use_daily``): apply the approved
    declassifications that are due and tell applicants whose access lapsed. Idempotent."""
    today = today or timezone.localdate()
    return {"declassified": apply_due_declassifications(today), "expired_notices": notify_expired(today)}
