"""Plan supervision — 规划实施监测 (issue 14 item 7): each plan target (``stats.Target``, the seeds' targets) with its
progress and where each figure comes from, and a region's brief as a PDF.

Progress is ``stats.services.target_progress`` (one rule for the dashboard and these pages): measured indicators
from the registration ledger (技术合同认定登记), demonstration institutions from the organizations' demonstration
levels (set by the evaluations' decisions), the others from the figure the region reported. Beside each target:
the annual transformation reports accepted in its region and years (``reports.AnnualReport``) and the decided
evaluations. Region administrators see the targets of their regions and of the regions containing them; platform
administrators all.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError, Forbidden, NotFound
from techtransfer.evaluation.models import Decision, Evaluation, Status
from techtransfer.orgs.models import DemoLevel, Organization
from techtransfer.regions.models import Region
from techtransfer.regions.services import name_of, scope_q, tier_path
from techtransfer.reports.models import AnnualReport, ReportStatus
from techtransfer.stats import services as stats
from techtransfer.stats.models import INDICATOR_MEASURES, Indicator, Target

LEDGER = "ledger"
EVALUATIONS = "evaluations"
REPORTED = "reported"
SOURCES = {
    LEDGER: gettext_lazy("Registration ledger (certified technology contracts, 技术合同认定登记)"),
    EVALUATIONS: gettext_lazy("Evaluations (organizations holding a demonstration level, 技术转移示范机构)"),
    REPORTED: gettext_lazy("Figure reported by the region"),
}


def may_supervise(user, region: str | None = None) -> bool:
    return permissions.allowed("evaluation.supervise", user, region)


def visible_targets(user):
    """Targets of the administrator's regions, of the regions inside them and of the regions containing them."""
    p = permissions.principal(user)
    if not p.is_region_admin:
        raise Forbidden(_("Only region and platform administrators follow the plans' targets."))
    qs = Target.objects.all()
    if p.is_platform_admin:
        return qs
    q = Q(pk__in=[])
    for code in p.regions():
        q |= scope_q("region_code", code) | Q(region_code__in=tier_path(code))
    return qs.filter(q)


def source_of(target: Target) -> str:
    if target.indicator in INDICATOR_MEASURES:
        return LEDGER
    if target.indicator == Indicator.DEMO_INSTITUTIONS:
        return EVALUATIONS
    return REPORTED


def accepted_reports(region: str, year_from: int, year_to: int) -> int:
    """Annual transformation reports accepted for units inside ``region`` for the years of the span."""
    return AnnualReport.objects.filter(
        scope_q("region_id", region), status=ReportStatus.ACCEPTED, year__gte=year_from, year__lte=year_to
    ).count()


def demonstration_institutions(region: str, year: int | None = None):
    qs = Organization.objects.filter(scope_q("region_id", region)).exclude(demo_level=DemoLevel.NONE)
    if year is not None:
        qs = qs.filter(demo_year__lte=year)
    return qs.select_related("region").order_by("demo_level", "name", "id")


def decided_evaluations(region: str, year_from: int, year_to: int):
    return Evaluation.objects.filter(
        scope_q("organization__region_id", region),
        status=Status.DECIDED,
        indicator_set__year__gte=year_from,
        indicator_set__year__lte=year_to,
    ).select_related("organization", "indicator_set")


@dataclass
class TargetFigures:
    target: Target
    actual: Decimal | None
    share: Decimal | None
    source: str
    source_label: str
    reports_accepted: int
    demonstration: int
    decisions: dict = field(default_factory=dict)


def figures(user, target: Target) -> TargetFigures:
    progress = stats.target_progress([target], user)[0]
    decided = decided_evaluations(target.region_code, target.year_from, target.year_to)
    decisions = {d: 0 for d in Decision.values}
    for value in decided.values_list("decision", flat=True):
        decisions[value] = decisions.get(value, 0) + 1
    source = source_of(target)
    return TargetFigures(
        target=target,
        actual=progress.actual,
        share=progress.share,
        source=source,
        source_label=str(SOURCES[source]),
        reports_accepted=accepted_reports(target.region_code, target.year_from, target.year_to),
        demonstration=demonstration_institutions(target.region_code, target.year_to).count(),
        decisions=decisions,
    )


def get_target(user, pk: int) -> Target:
    target = visible_targets(user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if target is None:
        raise NotFound(_("No such target, or you may not see it."))
    return target


# --- the PDF brief -------------------------------------------------------------------------------------------------


def _font() -> str:
    font = "STSong-Light"  # Adobe's CID font: Chinese text without embedding a font file (as contracts' certificates)
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    return font


def _num(value) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral() else f"{value:,.2f}"


def brief_pdf(user, region: str) -> bytes:
    """A region's plan-supervision brief (规划实施监测简报): its targets and those of the regions containing it with
    progress and source, the demonstration institutions, the accepted annual reports and the latest evaluation
    round's decisions. Region administrators of the region (or above) and platform administrators only."""
    if not Region.objects.filter(pk=region).exists():
        raise DomainError(_("Unknown region code: %s") % region[:12], field="region")
    if not may_supervise(user, region):
        raise Forbidden(_("Only administrators of the region may download its brief."))
    font = _font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    pdf.setTitle(f"规划实施监测简报 {region}")
    y = height - 70

    def line(text: str, size: int = 10, indent: int = 50, gap: int = 16):
        nonlocal y
        if y < 60:
            pdf.showPage()
            y = height - 60
        pdf.setFont(font, size)
        pdf.drawString(indent, y, text[:90])
        y -= gap

    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, y, f"{name_of(region)}技术转移体系规划实施监测简报")
    y -= 24
    line(f"区域代码 {region} · 生成日期 {timezone.localdate():%Y-%m-%d}", 9, gap=24)

    line("一、规划目标进展", 13, gap=20)
    targets = Target.objects.filter(region_code__in=tier_path(region)).order_by("region_code", "year_to", "indicator")
    progress = stats.target_progress(list(targets), user)
    if not progress:
        line("（本区域尚无规划目标）", indent=60)
    for pr in progress:
        t = pr.target
        share = f"{pr.share * 100:.1f}%" if pr.share is not None else "—"
        span = f"{t.year_from}–{t.year_to}" if t.year_from != t.year_to else str(t.year_to)
        line(
            f"{t.region_code} {span} {t.get_indicator_display()}：目标 {_num(t.value)}，实际 {_num(pr.actual)}，"
            f"完成 {share}",
            indent=60,
        )
        line(f"来源：{SOURCES[source_of(t)]}", 8, indent=72, gap=14)

    demo = list(demonstration_institutions(region))
    line(f"二、技术转移示范机构：{len(demo)} 家", 13, gap=20)
    for level in (DemoLevel.NATIONAL, DemoLevel.PROVINCIAL, DemoLevel.MUNICIPAL):
        names = [o.name for o in demo if o.demo_level == level]
        if names:
            line(f"{level.label}（{len(names)}）：{'、'.join(names)[:70]}", 9, indent=60)

    year = timezone.localdate().year - 1
    line(f"三、科技成果转化年度报告：{year}年度已受理 {accepted_reports(region, year, year)} 份", 13, gap=20)

    decided = decided_evaluations(region, year - 1, year + 1).order_by("-indicator_set__year", "rank")
    line(f"四、技术转移机构年度评价：已作出决定 {decided.count()} 项", 13, gap=20)
    for ev in decided[:30]:
        line(
            f"{ev.indicator_set.year} 第{ev.rank or '—'}名 {ev.organization.name}：{ev.get_decision_display()}"
            f"（得分 {ev.score}）",
            9,
            indent=60,
        )
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
