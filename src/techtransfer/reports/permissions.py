"""Who files and who reviews annual transformation reports — 年度报告填报与审核 (docs/reports.md, "Filing and
review"; 促进科技成果转化法 art. 21): the unit's administrators file, its supervising department's administrators
review, region administrators inside the unit's region read submitted reports, platform administrators all."""

from __future__ import annotations

from techtransfer.accounts import permissions
from techtransfer.reports.services import filing


@permissions.rule("reports.file_report")
def may_file_report(user, report_or_org) -> bool:
    """The reporting unit's organization administrators (and platform administrators)."""
    return filing.may_file(user, report_or_org)


@permissions.rule("reports.review_report")
def may_review_report(user, report) -> bool:
    """The administrators of the report's supervising department (主管部门), and platform administrators."""
    return filing.may_review(user, report)


@permissions.rule("reports.view_report")
def may_view_report(user, report) -> bool:
    """Whoever ``filing.visible_reports`` lets see the report."""
    return filing.visible_reports(user).filter(pk=report.pk).exists()
