"""Who must file an annual transformation report — 报告主体.

促进科技成果转化法 art. 21: research and development institutes and universities set up with state funds
(利用财政资金设立的研究开发机构、高等院校) report to their supervising department. The yearly notices name them as
research institutes and universities registered as public institutions (事业单位法人), and from the 2019 report
year also new-type R&D institutions registered as public institutions (domain.md §9). Read from organization data:
the kind (``university``, ``institute``, ``new_rd``) and the legal form (stated, or the credit code's ``12``:
机构编制 + 事业单位, GB 32100); a private university (民办, 52… credit code) does not file. A unit files through its
supervising department (``Organization.supervisor``), which must be recorded.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from techtransfer.orgs.models import LegalForm, Organization, OrgKind, Verification
from techtransfer.regions.services import scope_q

NEW_RD_FROM_YEAR = 2019
FILING_KINDS = (OrgKind.UNIVERSITY, OrgKind.INSTITUTE)


def kinds_for(year: int) -> tuple[str, ...]:
    return (*FILING_KINDS, OrgKind.NEW_RD) if year >= NEW_RD_FROM_YEAR else FILING_KINDS


def must_file(org: Organization, year: int) -> bool:
    """Whether ``org`` must file a report on ``year``."""
    return org.kind in kinds_for(year) and org.effective_legal_form == LegalForm.PUBLIC_INSTITUTION


def public_institution_q() -> Q:
    """Organizations that are public institutions: stated, or not stated with a 12… credit code."""
    return Q(legal_form=LegalForm.PUBLIC_INSTITUTION) | Q(legal_form="", credit_code__startswith="12")


def obligated_units(year: int, region_code: str | None = None) -> QuerySet[Organization]:
    """Every verified unit that must file on ``year`` (inside ``region_code`` when given), in name order."""
    qs = Organization.objects.filter(
        public_institution_q(), kind__in=kinds_for(year), verification=Verification.VERIFIED
    )
    if region_code:
        qs = qs.filter(scope_q("region_id", region_code))
    return qs.order_by("name", "id")
