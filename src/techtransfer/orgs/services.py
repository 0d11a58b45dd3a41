"""Organization rules: registration, editing, verification, demonstration level, credit records, listing.

Permissions come from ``accounts.permissions``; every state change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role, RoleAssignment
from techtransfer.audit import services as audit
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound, from_validation_error
from techtransfer.orgs.models import (
    CreditKind,
    CreditRecord,
    DemoLevel,
    LegalForm,
    Organization,
    OrgKind,
    Ownership,
    Verification,
)
from techtransfer.orgs.permissions import administers_region_of
from techtransfer.regions.models import Country
from techtransfer.regions.services import exists, scope_q

EDITABLE_FIELDS = (
    "name",
    "name_en",
    "kind",
    "ownership_id",
    "credit_code",
    "region_id",
    "country_id",
    "address",
    "website",
    "description",
    "description_en",
    "contact_name",
    "contact_phone",
    "contact_email",
    "legal_form",
    "supervisor_id",
)
# A unit that changes these after verification is verified again: they decide who the unit reports to (年度报告).
IDENTITY_FIELDS = ("credit_code", "legal_form", "supervisor_id")


@dataclass
class OrgFilters:
    q: str = ""
    kind: str = ""
    region: str = ""
    verification: str = ""
    demo_level: str = ""
    ownership: str = ""

    def validate(self) -> None:
        if self.kind and self.kind not in OrgKind.values:
            raise DomainError(_("Unknown organization type: %s") % self.kind, field="kind")
        if self.verification and self.verification not in Verification.values:
            raise DomainError(_("Unknown verification status: %s") % self.verification, field="verification")
        if self.demo_level and self.demo_level not in DemoLevel.values:
            raise DomainError(_("Unknown demonstration level: %s") % self.demo_level, field="demo_level")
        if self.region and not exists(self.region):
            raise DomainError(_("Unknown region code: %s") % self.region, field="region")
        if self.ownership and not Ownership.objects.filter(pk=self.ownership).exists():
            raise DomainError(_("Unknown ownership: %s") % self.ownership, field="ownership")


def search(user, filters: OrgFilters):
    """Organizations the user may see, filtered. Visitors see verified organizations only."""
    filters.validate()
    qs = permissions.visible(user, Organization.objects.select_related("region", "ownership", "supervisor"))
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q) | Q(name_en__icontains=filters.q) | Q(credit_code=filters.q.upper())
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region:
        qs = qs.filter(scope_q("region_id", filters.region))
    if filters.verification:
        qs = qs.filter(verification=filters.verification)
    if filters.demo_level:
        qs = qs.filter(demo_level=filters.demo_level)
    if filters.ownership:
        qs = qs.filter(ownership_id=filters.ownership)
    return qs.order_by("name", "id")


def get_visible(user, pk: int) -> Organization:
    org = (
        permissions.visible(user, Organization.objects.select_related("region", "country", "ownership", "supervisor"))
        .filter(pk=pk)
        .first()
    )
    if org is None:
        raise NotFound(_("No such organization, or you may not see it."))
    return org


def _full_clean(org: Organization) -> None:
    try:
        org.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc)


def _apply(org: Organization, data: dict) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    for key, value in data.items():
        setattr(org, key, value.strip() if isinstance(value, str) else value)
    if org.region_id and not exists(org.region_id):
        raise DomainError(_("Unknown region code: %s") % org.region_id, field="region")
    if "country_id" in data:
        # A foreign organization (境外机构) is known by its ISO 3166 country; CN or none is domestic.
        org.country_id = (org.country_id or "").upper() or None
        if org.country_id and not Country.objects.filter(pk=org.country_id).exists():
            raise DomainError(_("Unknown country code: %s") % org.country_id, field="country")
    if "ownership_id" in data:
        org.ownership_id = org.ownership_id or None
        check_ownership(org.ownership_id)
    if "legal_form" in data:
        org.legal_form = org.legal_form or ""
        if org.legal_form not in LegalForm.values:
            raise DomainError(_("Unknown legal form: %s") % org.legal_form, field="legal_form")
    if "supervisor_id" in data:
        org.supervisor_id = org.supervisor_id or None
        check_supervisor(org, org.supervisor_id)


def check_supervisor(org: Organization, supervisor_id: int | None) -> None:
    """A supervising department (主管部门) is another registered organization, and the chain of supervisors never
    comes back to ``org`` (so that a report always goes up)."""
    if supervisor_id is None:
        return
    if org.pk and supervisor_id == org.pk:
        raise DomainError(_("An organization cannot supervise itself."), field="supervisor")
    seen = {org.pk}
    current = Organization.objects.filter(pk=supervisor_id).values_list("pk", "supervisor_id").first()
    if current is None:
        raise DomainError(_("Unknown supervising department: %s") % supervisor_id, field="supervisor")
    while current is not None:
        pk, parent = current
        if pk in seen:
            raise DomainError(_("The supervising departments would form a circle."), field="supervisor")
        seen.add(pk)
        current = Organization.objects.filter(pk=parent).values_list("pk", "supervisor_id").first() if parent else None


def check_ownership(code: str | None) -> None:
    """An ownership is one of the active rows of the ownership table (editable data, ``orgs.data``)."""
    if code and not Ownership.objects.filter(pk=code, active=True).exists():
        raise DomainError(_("Unknown ownership: %s") % code, field="ownership")


def register(actor, data: dict) -> Organization:
    """Register an organization. A signed-in user who registers one becomes its administrator and the
    organization waits for verification; a region administrator registers within its scope only."""
    p = permissions.principal(actor)
    if not p.authenticated:
        raise Forbidden(_("Sign in to register an organization."))
    org = Organization(verification=Verification.PENDING)
    _apply(org, data)
    if p.is_region_admin and not p.in_region_scope(org.region_id):
        raise Forbidden(_("The region is outside your scope."), field="region")
    _full_clean(org)
    with transaction.atomic():
        if org.credit_code and Organization.objects.filter(credit_code=org.credit_code).exists():
            raise Conflict(_("An organization with this credit code is already registered."), field="credit_code")
        org.save()
        audit.created(actor, org, "orgs.register")
        if not p.is_region_admin:
            RoleAssignment.objects.create(user=actor, role=Role.ORG_ADMIN, organization=org)
            permissions.forget(actor)
    return org


def update(actor, org: Organization, data: dict) -> Organization:
    if not permissions.can_change(actor, org):
        raise Forbidden(_("You may not change this organization."))
    p = permissions.principal(actor)
    new_region = data.get("region_id")
    if new_region and p.is_region_admin and not p.in_region_scope(new_region):
        raise Forbidden(_("The new region is outside your scope."), field="region")
    with audit.tracking(actor, org, "orgs.update"):
        _apply(org, data)
        changed_identity = any(f in data for f in IDENTITY_FIELDS)
        if changed_identity and org.verification == Verification.VERIFIED and not p.is_region_admin:
            # A changed identity must be verified again.
            org.verification = Verification.PENDING
            org.verified_at = None
        _full_clean(org)
        if org.credit_code and Organization.objects.filter(credit_code=org.credit_code).exclude(pk=org.pk).exists():
            raise Conflict(_("An organization with this credit code is already registered."), field="credit_code")
    return org


def _require_region_admin(actor, org: Organization) -> None:
    if not administers_region_of(actor, org):
        raise Forbidden(_("Only an administrator of the organization's region may do this."))


def verify(actor, org: Organization, decision: str, reason: str = "") -> Organization:
    """Verify or reject an organization's registration (region administrator within scope)."""
    _require_region_admin(actor, org)
    if decision not in (Verification.VERIFIED, Verification.REJECTED):
        raise DomainError(_("The decision must be verified or rejected."), field="decision")
    if decision == Verification.REJECTED and not reason.strip():
        raise DomainError(_("A rejection needs a reason."), field="reason")
    if org.verification == decision:
        raise Conflict(_("The organization is already in this state."), field="decision")
    with audit.tracking(actor, org, f"orgs.{decision}", reason=reason.strip()):
        org.verification = decision
        org.verified_at = timezone.now() if decision == Verification.VERIFIED else None
    return org


def set_demonstration_level(actor, org: Organization, level: str, year: int | None) -> Organization:
    """Record the technology transfer demonstration level (国家/省/市级技术转移示范机构) and its year."""
    _require_region_admin(actor, org)
    if level not in DemoLevel.values:
        raise DomainError(_("Unknown demonstration level: %s") % level, field="level")
    if level and (year is None or not 1990 <= year <= timezone.now().year):
        raise DomainError(_("Give the year the level was granted."), field="year")
    with audit.tracking(actor, org, "orgs.demonstration_level"):
        org.demo_level = level
        org.demo_year = year if level else None
        _full_clean(org)
    return org


def add_credit_record(actor, org: Organization, kind: str, occurred_on, summary: str, source: str = ""):
    _require_region_admin(actor, org)
    if kind not in CreditKind.values:
        raise DomainError(_("Unknown credit record kind: %s") % kind, field="kind")
    if not (summary or "").strip():
        raise DomainError(_("A credit record needs a summary."), field="summary")
    if occurred_on > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), field="occurred_on")
    with transaction.atomic():
        rec = CreditRecord.objects.create(
            organization=org,
            kind=kind,
            occurred_on=occurred_on,
            summary=summary.strip(),
            source=source.strip(),
            recorded_by=actor,
        )
        audit.created(actor, rec, "orgs.credit_record")
    return rec


def credit_records(user, org: Organization):
    """All of an organization's credit records (open and closed) for its members and administrators of its region;
    for everyone else only the records the rules make public."""
    if not permissions.can_see_restricted(user, org):
        return public_credit_records(org)
    return org.credit_records.all()


def public_credit_records(org: Organization):
    """The records the rules make public (``public``), shown to every visitor of a verified organization."""
    return org.credit_records.filter(public=True)


def record_by_rule(
    org: Organization,
    *,
    key: str,
    kind: str,
    cause: str,
    summary: str,
    rule: str,
    occurred_on,
    year: int | None = None,
    public: bool = False,
    actor=None,
) -> tuple[CreditRecord, bool]:
    """Make the credit record a rule gives (``cause``), once: the record with ``key`` is found, not added again, when
    the rule runs again (a daily job run twice, a retried task). Returns ``(record, created)``."""
    if kind not in CreditKind.values:
        raise DomainError(_("Unknown credit record kind: %s") % kind, field="kind")
    with transaction.atomic():
        rec, created = CreditRecord.objects.get_or_create(
            key=key,
            defaults={
                "organization": org,
                "kind": kind,
                "cause": cause,
                "summary": summary[:200],
                "source": rule[:200],
                "rule": rule[:300],
                "year": year,
                "occurred_on": occurred_on,
                "public": public,
                "recorded_by": actor,
            },
        )
        if created:
            audit.created(actor, rec, "orgs.credit_record")
    return rec, created


def close_by_rule(key: str, *, on, reason: str, actor=None) -> CreditRecord | None:
    """Close the open record a rule made (its cause was cured); it stays in the history. None when there is none."""
    with transaction.atomic():
        rec = CreditRecord.objects.select_for_update().filter(key=key, closed_on__isnull=True).first()
        if rec is None:
            return None
        with audit.tracking(actor, rec, "orgs.credit_record_closed", reason=reason):
            rec.closed_on = on
            rec.closed_reason = reason[:200]
    return rec
