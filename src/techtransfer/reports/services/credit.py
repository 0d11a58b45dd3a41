"""Credit standing queries — 信用查询 (issue 14, item 4).

Who sees what (docs/architecture.md, "Roles and scope"; credit records are restricted data of an organization):

- platform administrators, region administrators whose region contains the organization, and the organization's
  own administrators and members see every credit record, open and closed (with cause, rule, year, closing date
  and reason): ``accounts.permissions.can_see_restricted``;
- everybody else (visitors, administrators of another region) sees only the records the rules make public
  (``CreditRecord.public``) of a verified organization; an unverified organization does not exist for them (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.core.errors import NotFound
from techtransfer.orgs.models import CreditRecord, Organization, Verification
from techtransfer.orgs.services import public_credit_records


@dataclass
class Standing:
    organization: Organization
    records: list[CreditRecord]
    full: bool  # every record (True) or the public ones only

    @property
    def open_records(self) -> list[CreditRecord]:
        return [r for r in self.records if r.closed_on is None]

    @property
    def closed_records(self) -> list[CreditRecord]:
        return [r for r in self.records if r.closed_on is not None]


def sees_full_standing(user, org: Organization) -> bool:
    """Every record of ``org``: platform and in-scope region administrators, the organization's admins/members."""
    return permissions.can_see_restricted(user, org)


def standing(user, org_id: int) -> Standing:
    """``org``'s credit standing as ``user`` may see it (see the module's rules); 404 when it may not see it."""
    org = Organization.objects.select_related("region").filter(pk=org_id).first()
    if org is None:
        raise NotFound(_("No such organization, or you may not see it."))
    if sees_full_standing(user, org):
        records = org.credit_records.all()
        full = True
    elif org.verification == Verification.VERIFIED:
        records = public_credit_records(org)
        full = False
    else:
        raise NotFound(_("No such organization, or you may not see it."))
    return Standing(org, list(records.order_by("-occurred_on", "-id")), full)


def _full(user):
    """An expression: whether the viewer sees every record of the row's organization."""
    if permissions.principal(user).is_platform_admin:
        return Value(True)
    q = permissions.manage_q(user, Organization) | permissions.member_q(user, Organization)
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def search(user, q: str = "", only_open: bool = False) -> QuerySet[Organization]:
    """Organizations for the credit query, by name or credit code, annotated with ``full`` (the viewer sees every
    record) and ``open_records`` (open records the viewer may count). A region administrator lists the
    organizations in its scope; others those they may see (verified ones, and their own), counting only the public
    records of the organizations that are not theirs."""
    p = permissions.principal(user)
    base = Organization.objects.select_related("region")
    qs = permissions.manageable(user, base) if p.is_region_admin else permissions.visible(user, base)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(credit_code=q.upper()))
    open_q = Q(credit_records__closed_on__isnull=True)
    qs = qs.annotate(
        full=_full(user),
        open_all=Count("credit_records", filter=open_q, distinct=True),
        open_public=Count("credit_records", filter=open_q & Q(credit_records__public=True), distinct=True),
    ).annotate(open_records=Case(When(full=True, then=F("open_all")), default=F("open_public")))
    if only_open:
        qs = qs.filter(open_records__gt=0)
    return qs.order_by("name", "id")
