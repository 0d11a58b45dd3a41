"""The evaluation part of the demo world: one round of the demo province for last year with its technology
transfer institutions, opened, computed and decided through the services (one institution recognised at the
provincial level, one warned), so that the audit trail, the credit records and the notices are the real ones.
A few service institutions declare their figures (one of them far from the platform's, to show the flag).
Deterministic; does nothing without the demo province administrator."""

from __future__ import annotations

from django.utils import timezone

from techtransfer.accounts.models import User
from techtransfer.evaluation import services
from techtransfer.evaluation.models import Decision, Evaluation, IndicatorSet
from techtransfer.orgs import creditcode
from techtransfer.orgs.models import DemoLevel, Organization, OrgKind, Verification
from techtransfer.regions.services import home_province

MIN_INSTITUTIONS = 3


def _ensure_institutions(region: str) -> int:
    """The demo has about twenty service institutions; a smaller world gets three so that a ranking exists."""
    have = services.candidates(region).count()
    made = 0
    for i in range(have, MIN_INSTITUTIONS):
        Organization.objects.create(
            name=f"演示技术转移服务中心{i + 1}",
            kind=OrgKind.TT_SERVICE,
            region_id=f"{region[:2]}0100",
            credit_code=creditcode.make("9", "1", f"{region[:2]}0100", f"{99990000 + i}"),
            verification=Verification.VERIFIED,
            is_demo=True,
        )
        made += 1
    return made


def load(progress) -> int:
    admin = User.objects.filter(username="province", is_demo=True).first()
    if admin is None:
        progress("evaluation: no demo province administrator; skipped")
        return 0
    region = home_province()
    year = timezone.localdate().year - 1
    if IndicatorSet.objects.filter(region_id=region, year=year).exists():
        return 0
    made = _ensure_institutions(region)
    round_ = services.open_round(admin, region, year, f"{year}年度技术转移机构评价（演示）")
    round_.is_demo = True
    round_.save(update_fields=["is_demo"])
    evaluations = list(Evaluation.objects.filter(indicator_set=round_).select_related("organization"))
    # Declarations by a few institutions (as the platform administrator, for the demo; the flag shows on the last).
    platform = User.objects.filter(username="platform", is_demo=True).first() or admin
    for n, ev in enumerate(evaluations[:4]):
        values = {"training": str(40 + 10 * n), "complaints": str(n % 2)}
        if n == 3:
            values["contracts"] = "999"
        services.declare(platform, round_, ev.organization, values)
    ranked = services.compute(admin, round_)
    unrecognised = [e for e in ranked if not e.organization.demo_level]
    first = unrecognised[0] if unrecognised else ranked[0]
    services.decide(
        admin, first, Decision.RECOGNISE, DemoLevel.PROVINCIAL, "年度评价排名靠前，认定为省级技术转移示范机构。"
    )
    last = next(e for e in reversed(ranked) if e.pk != first.pk)
    services.decide(admin, last, Decision.WARN, "", "年度评价得分靠后，促成技术合同偏少，限期整改。")
    progress(f"evaluation: round {year} with {len(ranked)} institutions, 2 decisions")
    return 1 + len(ranked) + made
