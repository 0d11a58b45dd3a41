"""Demo catalogue: 4,000 achievements and 400 demands of the demo province's universities, institutes and
enterprises, built from the CSL scientific-literature records in ``demo/data/csl_dev.jsonl`` (Apache-2.0; see its
SOURCE.md). Titles, abstracts and keywords come from CSL; the discipline decides the technical field. Owners, TRL,
IP numbers (with valid check digits), prices, statuses and dates are synthetic and every record is ``is_demo``.
Written with ``bulk_create``; deterministic (seeded)."""

from __future__ import annotations

import datetime
import json
import math
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from techtransfer.accounts.models import RoleAssignment
from techtransfer.catalog.classified import AccessGrant
from techtransfer.catalog.models import (
    Achievement,
    AchievementPackage,
    Classification,
    Demand,
    IPItem,
    IPKind,
    NdaRequest,
    PackageItem,
    TrlAssessment,
)
from techtransfer.catalog.validators import TRL_LEVELS, patent_check_digit
from techtransfer.orgs.models import Organization, OrgKind, Verification

N_ACHIEVEMENTS = 4000
N_DEMANDS = 400
SEED = 20260503

# CSL discipline → technical field (taxonomy.TechField code). Humanities and social sciences are left out.
DISCIPLINE_FIELDS = {
    "计算机科学与技术": "01", "信息与通信工程": "01", "电子科学与技术": "01", "光学工程": "01", "数学": "01",
    "航空宇航科学与技术": "02", "兵器科学与技术": "02",
    "机械工程": "03", "力学": "03", "控制科学与工程": "03", "纺织科学与工程": "03",
    "基础医学/临床医学": "04", "中医学/中药学": "04", "药学": "04", "口腔医学": "04", "公共卫生与预防医学": "04",
    "生物学/生物科学与工程": "04",
    "材料科学与工程": "05", "化学/化学工程与技术": "05", "冶金工程": "05", "物理学": "05",
    "电气工程": "06", "动力工程及工程热物理": "06", "石油与天然气工程": "06",
    "环境科学与工程": "07", "矿业工程": "07", "地质学/地质资源与地质工程": "07", "大气科学": "07", "海洋科学": "07",
    "地球物理学": "07",
    "核科学与技术": "08",
    "食品科学与工程": "09", "园艺学": "09", "水产": "09", "农业工程": "09", "畜牧学/兽医学": "09",
    "林学/林业工程": "09", "作物学": "09", "农业资源利用": "09", "植物保护": "09",
    "交通运输工程": "10", "船舶与海洋工程": "10",
    "土木工程": "11", "水利工程": "11", "建筑学": "11", "测绘科学与技术": "11",
}
FIELD_IPC = {
    "01": ["G06F 16/00", "H04L 67/00", "G06N 3/08"], "02": ["B64C 27/00", "B64D 47/00"],
    "03": ["B23K 26/00", "G05B 19/418", "B25J 9/16"], "04": ["A61K 36/00", "A61P 35/00", "C12N 15/00"],
    "05": ["C08L 67/00", "C22C 38/00", "C04B 35/00"], "06": ["H01M 10/0525", "H02J 3/38", "F24S 10/00"],
    "07": ["C02F 1/00", "B01D 53/00", "B09B 3/00"], "08": ["G21C 7/00", "G21F 9/00"],
    "09": ["A01G 13/00", "A23B 7/00", "A01N 43/00"], "10": ["B61L 27/00", "B60L 58/00"],
    "11": ["E04B 1/00", "E02D 17/00", "G01C 15/00"],
}
PREFERRED = ("工学", "理学", "农学", "医学")
ACH_STATUSES = [("published", 86), ("in_negotiation", 4), ("transferred", 3), ("closed", 1), ("draft", 3),
                ("submitted", 2), ("org_reviewed", 1)]
DEMAND_STATUSES = [("published", 88), ("in_negotiation", 4), ("draft", 3), ("submitted", 3), ("org_reviewed", 2)]
MODES = ["transfer", "licence_exclusive", "licence_sole", "licence_ordinary", "equity", "joint_development",
         "technical_service"]
COOP = ["transfer", "licence", "commissioned", "joint_development", "technical_service", "consulting", "equity"]
FUNDING = ["国家自然科学基金", "国家重点研发计划", "云南省重大科技专项", "云南省基础研究计划", "昆明市科技计划"]
TITLE_FORMS = ["{kw}关键技术", "{kw}技术及其应用", "基于{kw}的{kw2}技术", "{kw}成套技术与装备", "{kw}新方法"]
DEMAND_FORMS = ["{kw}技术攻关需求", "寻求{kw}解决方案", "{kw}工艺改进需求", "{kw}相关技术合作需求"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何罗高林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超霞平刚华"
PROTECTED = ("核心工艺参数、配方比例与中试数据（演示数据，仅向签署保密协议的用户展示）："
             "关键温度区间 {a}–{b} ℃，收率 {c}%，详细工艺路线见保密附件。")


def _records() -> list[dict]:
    path = Path(__file__).resolve().parent.parent / "demo" / "data" / "csl_dev.jsonl"
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            field = DISCIPLINE_FIELDS.get(r.get("discipline") or "")
            abstract = (r.get("abstract") or "").strip()
            keywords = [k.strip() for k in (r.get("keywords") or []) if k and 1 < len(k.strip()) <= 40][:8]
            if not field or len(abstract) < 40 or not keywords:
                continue
            out.append({"title": (r.get("title") or "").strip(), "abstract": abstract, "keywords": keywords,
                        "field": field, "preferred": r.get("category") in PREFERRED})
    # Records of the preferred categories first, so that they are all used before the rest is resampled.
    out.sort(key=lambda r: not r["preferred"])
    return out


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _patent(rng: random.Random, year: int, kind_digit: str) -> str:
    digits = f"{year}{kind_digit}{rng.randint(0, 9999999):07d}"
    return f"ZL{digits}.{patent_check_digit(digits)}"


def _price(rng: random.Random) -> Decimal:
    value = math.exp(rng.uniform(math.log(50_000), math.log(20_000_000)))
    return Decimal(int(value / 1000) * 1000)


def _moment(rng: random.Random, now: datetime.datetime, days: int) -> datetime.datetime:
    return now - datetime.timedelta(days=rng.uniform(1, days), hours=rng.uniform(0, 23))


def load(progress) -> int:
    rng = random.Random(SEED)
    records = _records()
    if not records:
        progress("catalog: no CSL records; skipped")
        return 0
    province = getattr(settings, "PROVINCE_CODE", "530000")
    orgs = list(Organization.objects.filter(region__pk__startswith=province[:2]).order_by("pk"))
    verified = [o for o in orgs if o.verification == Verification.VERIFIED]
    research = [o for o in verified if o.kind in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.NEW_RD)]
    enterprises = [o for o in verified if o.kind == OrgKind.ENTERPRISE]
    if not research or not enterprises:
        progress("catalog: no demo organizations; skipped")
        return 0
    demo_orgs = {ra.user.username: ra.organization for ra in RoleAssignment.objects.select_related(
        "user", "organization").filter(user__username__in=["uni_admin", "ent_admin"], organization__isnull=False)}
    uni = demo_orgs.get("uni_admin")
    ent = demo_orgs.get("ent_admin")
    now = timezone.now()

    # --- achievements ------------------------------------------------------------------------------------------
    achievements, ip_plans = [], []
    for i in range(N_ACHIEVEMENTS):
        r = records[i % len(records)]
        kw = r["keywords"]
        title = r["title"]
        if not title or i >= len(records) or len(title) > 60:
            stem = [k.removesuffix("技术").removesuffix("方法") or k for k in kw]
            title = rng.choice(TITLE_FORMS).format(kw=stem[0], kw2=stem[-1] if len(stem) > 1 else "应用")
        if i >= len(records):
            title = f"{title}（{rng.choice(['第二代', '改进型', '集成方案', '示范应用'])}）"
        # Universities and institutes own most achievements; a fifth belong to enterprises.
        owner = rng.choice(research) if rng.random() < 0.8 else rng.choice(enterprises)
        if uni is not None and i % 100 == 0:
            owner = uni
        status = _weighted(rng, ACH_STATUSES)
        trl = min(9, max(1, round(rng.gauss(5, 1.7))))
        negotiable = rng.random() < 0.3
        patents = []
        if rng.random() < 0.65:
            year = rng.randint(2016, 2025)
            patents = [_patent(rng, year, rng.choice("1112")) for _ in range(rng.choice((1, 1, 2, 3)))]
        modes = sorted(set(rng.sample(MODES, rng.choice((1, 1, 2, 3)))), key=MODES.index)
        published = _moment(rng, now, 1000) if status not in ("draft", "submitted", "org_reviewed") else None
        achievements.append(Achievement(
            owner_id=owner.pk, region_id=owner.region_id, tech_field_id=r["field"], status=status,
            title=title[:200], abstract=r["abstract"][:3000], keywords=kw,
            ipc_codes=[rng.choice(FIELD_IPC[r["field"]])] if rng.random() < 0.7 else [],
            trl=trl, transfer_modes=modes, price_negotiable=negotiable,
            asking_price=None if negotiable else _price(rng),
            public_funding=rng.choice(FUNDING) if owner.kind != OrgKind.ENTERPRISE and rng.random() < 0.4 else "",
            dual_use=r["field"] == "02" and rng.random() < 0.5,
            protected_details=PROTECTED.format(a=rng.randint(60, 200), b=rng.randint(210, 600),
                                               c=rng.randint(70, 98)) if rng.random() < 0.08 else "",
            submitted_at=(published - datetime.timedelta(days=rng.randint(3, 30))) if published else
            (_moment(rng, now, 20) if status != "draft" else None),
            published_at=published, is_demo=True,
        ))
        ip_plans.append(patents)
    achievements = Achievement.objects.bulk_create(achievements, batch_size=500)
    items = []
    for ach, patents in zip(achievements, ip_plans, strict=True):
        for n, number in enumerate(patents):
            kind = IPKind.INVENTION if number[6] == "1" else IPKind.UTILITY_MODEL
            items.append(IPItem(achievement_id=ach.pk, kind=kind, title=f"{ach.title[:150]}（专利{n + 1}）",
                                number=number, granted=True, holder=""))
    IPItem.objects.bulk_create(items, batch_size=1000)
    evidence_levels = [(n, [c.key for c in crits]) for n, (_t, crits) in TRL_LEVELS.items()]
    assessments = []
    for ach in achievements[::10]:
        answers = {key: f"自评证据（演示）：TRL {n} 佐证材料" for n, keys in evidence_levels if n <= ach.trl
                   for key in keys}
        assessments.append(TrlAssessment(achievement_id=ach.pk, answers=answers, proposed_level=ach.trl))
    TrlAssessment.objects.bulk_create(assessments, batch_size=500)
    progress(f"  {len(achievements)} achievements, {len(items)} patents")

    # --- demands -----------------------------------------------------------------------------------------------
    demands = []
    for i in range(N_DEMANDS):
        r = records[(i * 7 + 3) % len(records)]
        kw = r["keywords"]
        owner = ent if ent is not None and i % 40 == 0 else rng.choice(enterprises)
        status = _weighted(rng, DEMAND_STATUSES)
        first = r["abstract"].split("。")[0][:200]
        low = _price(rng) if rng.random() < 0.8 else None
        published = _moment(rng, now, 400) if status in ("published", "in_negotiation") else None
        demands.append(Demand(
            owner_id=owner.pk, region_id=owner.region_id, tech_field_id=r["field"], status=status,
            title=rng.choice(DEMAND_FORMS).format(kw=kw[0])[:200],
            problem=f"我公司在“{kw[0]}”方面遇到技术瓶颈，现有工艺难以满足生产需要。参考方向：{first}。"
                    f"希望与高校、科研院所合作，共同解决{kw[-1]}相关问题。",
            target_indicators=f"关键指标较现有水平提升 {rng.randint(10, 50)}%，成本降低 {rng.randint(5, 30)}%。",
            keywords=kw[:5], budget_min=low, budget_max=(low * rng.choice((2, 3, 5))) if low else None,
            deadline=(now + datetime.timedelta(days=rng.randint(30, 400))).date(),
            cooperation_modes=sorted(set(rng.sample(COOP, rng.choice((1, 2)))), key=COOP.index),
            contact_name=rng.choice(SURNAMES) + rng.choice(["经理", "工", "主任"]),
            contact_phone=f"0871-6{rng.randint(1000000, 9999999)}",
            submitted_at=(published - datetime.timedelta(days=rng.randint(2, 20))) if published else None,
            published_at=published, is_demo=True,
        ))
    demands = Demand.objects.bulk_create(demands, batch_size=500)
    progress(f"  {len(demands)} demands")

    # --- NDA requests and packages ----------------------------------------------------------------------------
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["ent_member", "ent_admin",
                                                                                   "uni_admin"])}
    protected = [a for a in achievements if a.protected_details and a.status == "published"]
    ndas = []
    requester = users.get("ent_member")
    if requester is not None:
        for n, ach in enumerate(protected[:6]):
            status = "approved" if n % 3 == 0 else "pending"
            ndas.append(NdaRequest(achievement_id=ach.pk, requester=requester, purpose="评估技术合作的可行性（演示）",
                                   status=status, decided_at=now if status == "approved" else None))
    if uni is not None and requester is not None:
        mine = next((a for a in achievements if a.owner_id == uni.pk and a.status == "published"), None)
        if mine is not None and not mine.protected_details:
            Achievement.objects.filter(pk=mine.pk).update(protected_details=PROTECTED.format(a=80, b=260, c=91))
            ndas.append(NdaRequest(achievement_id=mine.pk, requester=requester, purpose="拟开展联合开发（演示）"))
    NdaRequest.objects.bulk_create(ndas)

    packages = 0
    for field, name in (("09", "高原特色农业"), ("04", "生物医药"), ("06", "绿色能源")):
        chosen = [a for a in achievements if a.tech_field_id == field and a.status == "published"][:12]
        if not chosen:
            continue
        pkg = AchievementPackage.objects.create(
            name=f"{name}重点领域科技成果包（演示）", description=f"{name}领域可转化的重点科技成果。",
            tech_field_id=field, region_id=province, status="published", published_at=now,
        )
        PackageItem.objects.bulk_create(
            [PackageItem(package=pkg, achievement_id=a.pk, position=n + 1) for n, a in enumerate(chosen)]
        )
        packages += 1
    progress(f"  {len(ndas)} NDA requests, {packages} achievement packages")
    marked = _dual_use(achievements, uni, ent, requester)
    return len(achievements) + len(items) + len(assessments) + len(demands) + len(ndas) + packages + marked


def _dual_use(achievements, uni, ent, requester) -> int:
    """Dual-use demo (军民两用): two of the demo university's published achievements marked controlled and two
    restricted (its secrecy officer ``secrecy`` decides on them), the demo enterprise approved for restricted
    information, and one pending application of ``ent_member`` for a controlled achievement."""
    if uni is None:
        return 0
    packaged = set(PackageItem.objects.values_list("achievement_id", flat=True))
    mine = [a for a in achievements if a.owner_id == uni.pk and a.status == "published" and a.pk not in packaged]
    controlled, restricted = mine[:2], mine[2:4]
    Achievement.objects.filter(pk__in=[a.pk for a in controlled]).update(classification=Classification.CONTROLLED,
                                                                         dual_use=True)
    Achievement.objects.filter(pk__in=[a.pk for a in restricted]).update(classification=Classification.RESTRICTED,
                                                                         dual_use=True)
    made = len(controlled) + len(restricted)
    if ent is not None:
        Organization.objects.filter(pk=ent.pk).update(dual_use_approved=True)
    if requester is not None and controlled:
        AccessGrant.objects.create(user=requester, achievement_id=controlled[0].pk,
                                   purpose="评估军民两用技术的民用转化可能（演示）")
        made += 1
    return made
