"""Foundation demo part: a synthetic Yunnan technology market — organizations, people and demo accounts.

Names, addresses, phone numbers and codes are invented from word lists (every record carries ``is_demo``);
only the region codes (GB/T 2260) and the research keywords (CSL, ``data/SOURCE.md``) are real data.
Everything is built with one seeded generator and bulk inserts, so the part is deterministic and fast.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.demo.accounts import DEMO_PASSWORD, DEMO_USERS
from techtransfer.orgs import creditcode
from techtransfer.orgs.models import CreditKind, CreditRecord, DemoLevel, Organization, OrgKind, Verification
from techtransfer.people.models import BrokerKind, BrokerLevel, BrokerProfile, ExpertProfile, Person
from techtransfer.regions.models import Region
from techtransfer.reports import demo as reports_demo
from techtransfer.taxonomy.models import TechField

SEED = 2026
DATA = Path(__file__).with_name("data")

# Prefecture cities of the demo (GB/T 2260), their short names and telephone area codes.
CITIES = {
    "530100": ("昆明", "0871"),
    "530300": ("曲靖", "0874"),
    "530400": ("玉溪", "0877"),
    "530500": ("保山", "0875"),
    "532300": ("楚雄", "0878"),
    "532500": ("红河", "0873"),
    "532800": ("西双版纳", "0691"),
}
COUNTIES_PER_CITY = 4
# Share of organizations per city (the capital dominates, as in the real market).
CITY_WEIGHTS = {"530100": 40, "530300": 12, "530400": 12, "530500": 8, "532300": 8, "532500": 12, "532800": 8}

# How many organizations of each kind (registration points and government departments are per city).
KIND_COUNTS = {
    OrgKind.ENTERPRISE: 165,
    OrgKind.UNIVERSITY: 12,
    OrgKind.INSTITUTE: 16,
    OrgKind.NEW_RD: 10,
    OrgKind.TT_SERVICE: 20,
    OrgKind.INVESTOR: 10,
    OrgKind.FINANCE: 12,
    OrgKind.INCUBATOR: 14,
    OrgKind.ASSOCIATION: 10,
}

BRAND = list("云岭滇峰澜沧金沙碧翠湖星辰瑞和恒通华信嘉禾新元启明博远鼎盛汇智青松霁虹洱晴晨光雨林银杏")
INDUSTRY = [
    ("生物医药", "04"), ("中药材", "04"), ("医疗器械", "04"), ("智能装备", "03"), ("精密机械", "03"),
    ("电子科技", "01"), ("软件", "01"), ("数据科技", "01"), ("新材料", "05"), ("稀贵金属材料", "05"),
    ("光伏能源", "06"), ("储能科技", "06"), ("环保科技", "07"), ("资源循环", "07"), ("高原农业", "09"),
    ("茶业科技", "09"), ("花卉种业", "09"), ("咖啡科技", "09"), ("物流科技", "10"), ("轨道装备", "10"),
    ("建筑科技", "11"), ("文旅数字", "11"), ("航空部件", "02"), ("同位素应用", "08"),
]
ENTERPRISE_FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
UNIVERSITY_NAMES = [
    "云岭理工大学", "滇中农林大学", "澜沧医科大学", "金沙师范学院", "红土地职业技术学院", "高原工程学院",
    "彩云科技大学", "碧鸡中医药大学", "南疆民族大学", "滇西应用技术大学", "玉溪湖职业学院", "星湖信息工程学院",
]
INSTITUTE_TOPICS = [
    "农业科学", "热带作物", "林业科学", "生物资源", "有色金属", "地质矿产", "药用植物", "畜牧兽医",
    "能源科学", "环境科学", "计量测试", "高原气象", "茶叶科学", "花卉科学", "光电技术", "机械设计",
]
SERVICE_WORDS = ["技术转移中心", "科技成果转化服务有限公司", "知识产权运营中心", "技术交易服务有限公司"]
INVESTOR_WORDS = ["创业投资有限公司", "科技成果转化基金管理有限公司", "股权投资管理有限公司"]
FINANCE_WORDS = ["科技支行", "融资担保有限公司", "科技保险服务中心", "小额贷款有限公司"]
INCUBATOR_WORDS = ["科技企业孵化器", "众创空间", "大学科技园", "创新创业园"]
ASSOCIATION_WORDS = ["技术市场协会", "产业技术创新战略联盟", "科技服务业协会", "技术经纪人协会"]
ROADS = ["人民", "北京", "滇池", "环城", "学府", "科创", "东风", "青年", "金碧", "白塔", "春城", "龙泉", "迎宾"]

SURNAMES = list(
    "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
    "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌宇浩凯鹏晨阳欣怡佳琪子涵思远雨萱梓轩")
RESEARCHER_TITLES = ["教授", "副教授", "讲师", "研究员", "副研究员", "助理研究员", "高级工程师", "工程师",
                     "正高级工程师"]
EXPERT_TITLES = ["教授", "研究员", "正高级工程师", "高级工程师", "主任医师", "高级经济师"]
EXPERT_HONOURS = ["云南省技术市场专家库专家", "享受国务院政府特殊津贴", "云南省中青年学术和技术带头人",
                  "省级科技成果评价专家", "国家技术转移人才培养基地讲师", "云岭学者"]
# CSL category → keyword pool; a person's keywords come from the pool matching their field.
CSL_POOLS = {"工学": "engineering", "理学": "engineering", "农学": "agriculture", "医学": "medicine"}
FIELD_POOLS = {"09": "agriculture", "04": "medicine"}


def _credit_kind(kind: str) -> tuple[str, str]:
    """GB 32100 registration authority and category: enterprises at market regulation, public institutions
    at the staffing office, associations at civil affairs."""
    if kind in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.REGISTRATION_POINT):
        return "1", "2"  # 事业单位
    if kind == OrgKind.GOVERNMENT:
        return "1", "1"  # 机关
    if kind == OrgKind.ASSOCIATION:
        return "5", "1"  # 社会团体
    return "9", "1"  # 企业


class _World:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.codes: set[str] = set(Organization.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
        self.names: set[str] = set()
        self.counties: dict[str, list[Region]] = {}
        self.city_regions: dict[str, Region] = {}
        for code in CITIES:
            city = Region.objects.filter(code=code).first()
            if city is None:
                continue
            self.city_regions[code] = city
            kids = list(Region.objects.filter(parent_id=code, active=True).order_by("code"))
            self.counties[code] = kids[:COUNTIES_PER_CITY]

    def credit_code(self, kind: str, region: str) -> str:
        authority, category = _credit_kind(kind)
        charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            if authority == "9":
                body = "MA" + "".join(self.rng.choice(charset) for _ in range(6))
            else:
                body = "".join(self.rng.choice("0123456789") for _ in range(8))
            code = creditcode.make(authority, category, region, body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def unique(self, make) -> str:
        for _ in range(200):
            name = make()
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("demo name lists are too small")  # pragma: no cover

    def person_name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def phone(self, city: str) -> str:
        return f"{CITIES[city][1]}-6{self.rng.randint(0, 9999999):07d}"

    def mobile(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 999999999):09d}"


def _org_name(w: _World, kind: str, city: str, county: Region) -> tuple[str, str]:
    """A synthetic name and the main field code (for enterprises)."""
    rng, short = w.rng, CITIES[city][0]
    county_short = county.name.rstrip("区县市")[:2]
    brand = lambda: rng.choice(BRAND) + rng.choice(BRAND)  # noqa: E731
    field = ""
    if kind == OrgKind.ENTERPRISE:
        industry, field = rng.choice(INDUSTRY)
        return w.unique(lambda: f"{short}{brand()}{industry}{rng.choice(ENTERPRISE_FORMS)}"), field
    if kind == OrgKind.INSTITUTE:
        return w.unique(lambda: f"{short}市{rng.choice(INSTITUTE_TOPICS)}研究所"
                        if rng.random() < 0.5 else f"云南省{brand()}{rng.choice(INSTITUTE_TOPICS)}研究院"), field
    if kind == OrgKind.NEW_RD:
        industry, field = rng.choice(INDUSTRY)
        return w.unique(lambda: f"{short}{brand()}{industry}产业技术研究院"), field
    if kind == OrgKind.TT_SERVICE:
        return w.unique(lambda: f"{short}{brand()}{rng.choice(SERVICE_WORDS)}"), field
    if kind == OrgKind.INVESTOR:
        return w.unique(lambda: f"{short}{brand()}{rng.choice(INVESTOR_WORDS)}"), field
    if kind == OrgKind.FINANCE:
        return w.unique(lambda: f"{brand()}银行{short}{county_short}支行" if rng.random() < 0.4
                        else f"{short}{brand()}{rng.choice(FINANCE_WORDS)}"), field
    if kind == OrgKind.INCUBATOR:
        return w.unique(lambda: f"{short}{county_short}{brand()}{rng.choice(INCUBATOR_WORDS)}"), field
    if kind == OrgKind.ASSOCIATION:
        return w.unique(lambda: f"{short}市{rng.choice(ASSOCIATION_WORDS)}"
                        if rng.random() < 0.6 else f"云南{brand()}{rng.choice(ASSOCIATION_WORDS)}"), field
    raise ValueError(kind)  # pragma: no cover


DESCRIPTIONS = {
    OrgKind.ENTERPRISE: "演示企业，主营{industry}相关产品研发与生产，设有企业技术中心，寻求高校院所技术合作。",
    OrgKind.UNIVERSITY: "演示高校，设有技术转移中心，对外发布科技成果并承接企业委托研发。",
    OrgKind.INSTITUTE: "演示科研院所，从事应用研究与技术开发，面向全省提供成果转化与技术服务。",
    OrgKind.NEW_RD: "演示新型研发机构，围绕{industry}开展中试熟化与产业化服务。",
    OrgKind.TT_SERVICE: "演示技术转移服务机构，提供技术评价、技术经纪、知识产权运营与交易撮合服务。",
    OrgKind.INVESTOR: "演示投资机构，关注早期科技项目与成果转化项目的股权投资。",
    OrgKind.FINANCE: "演示金融机构，提供知识产权质押融资、科技信贷与科技保险服务。",
    OrgKind.INCUBATOR: "演示孵化载体，为科技型中小企业提供场地、创业辅导与投融资对接。",
    OrgKind.ASSOCIATION: "演示行业组织，组织会员单位开展技术交流、标准制定与人才培训。",
    OrgKind.GOVERNMENT: "演示政府部门，负责本行政区域科技成果转化与技术市场管理。",
    OrgKind.REGISTRATION_POINT: "演示技术合同认定登记点，受理本辖区技术合同的认定登记。",
}


# Ownership (orgs.Ownership codes) of the demo organizations: public bodies are state-owned; enterprises and the
# other kinds cycle through a fixed pattern (mostly private), so the demo stays the same without extra random draws.
STATE_KINDS = (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.GOVERNMENT, OrgKind.REGISTRATION_POINT)
OWNERSHIP_PATTERN = ("private", "private", "state", "private", "mixed", "private", "foreign", "private",
                     "collective", "private", "state", "hmt", "private", "mixed", "private", "private")


def _ownership(kind: str, i: int) -> str:
    if kind in STATE_KINDS:
        return "state"
    if kind == OrgKind.NEW_RD:
        return ("state", "mixed", "private")[i % 3]
    return OWNERSHIP_PATTERN[i % len(OWNERSHIP_PATTERN)]


def _make_orgs(w: _World) -> list[Organization]:
    rng = w.rng
    now = timezone.now()
    cities = list(w.counties)
    weights = [CITY_WEIGHTS[c] for c in cities]
    plan: list[tuple[str, str, Region, str, str]] = []  # kind, city, region, name, field

    province = Region.objects.get(code="530000")
    plan.append((OrgKind.GOVERNMENT, "530100", province, w.unique(lambda: "云南省科学技术厅（演示）"), ""))
    plan.append((OrgKind.REGISTRATION_POINT, "530100", province,
                 w.unique(lambda: "云南省技术市场技术合同认定登记中心（演示）"), ""))
    for city in cities:
        short = CITIES[city][0]
        seat = w.counties[city][0]
        city_name = w.city_regions[city].name
        gov_name = w.unique(lambda c=city_name: f"{c}科学技术局（演示）")
        plan.append((OrgKind.GOVERNMENT, city, w.city_regions[city], gov_name, ""))
        plan.append((OrgKind.REGISTRATION_POINT, city, seat,
                     w.unique(lambda s=short: f"{s}市技术合同认定登记点（演示）"), ""))
        for county in w.counties[city][1:3]:
            plan.append((OrgKind.GOVERNMENT, city, county, w.unique(lambda c=county: f"{c.name}科技局（演示）"), ""))

    universities = list(UNIVERSITY_NAMES)
    for kind, count in KIND_COUNTS.items():
        for _ in range(count):
            city = "530100" if kind == OrgKind.UNIVERSITY and rng.random() < 0.6 else rng.choices(cities, weights)[0]
            county = rng.choice(w.counties[city])
            if kind == OrgKind.UNIVERSITY:
                name, field = w.unique(lambda: universities.pop(0)), ""
            else:
                name, field = _org_name(w, kind, city, county)
            plan.append((kind, city, county, name, field))

    orgs = []
    for i, (kind, city, region, name, field) in enumerate(plan, start=1):
        roll = rng.random()
        verification = (Verification.VERIFIED if roll < 0.86 or kind in (OrgKind.GOVERNMENT, OrgKind.REGISTRATION_POINT)
                        else Verification.PENDING if roll < 0.96 else Verification.REJECTED)
        region_name = region.name if region.tier == "county" else w.counties[city][0].name
        industry = next((n for n, f in INDUSTRY if f == field), "科技")
        org = Organization(
            name=name,
            kind=kind,
            ownership_id=_ownership(kind, i),
            credit_code=w.credit_code(kind, region.code),
            region=region,
            address=f"云南省{w.city_regions[city].name}{region_name}{rng.choice(ROADS)}路{rng.randint(1, 999)}号",
            website=f"https://org{i:03d}.example.cn" if rng.random() < 0.5 else "",
            description=DESCRIPTIONS[kind].format(industry=industry),
            contact_name=w.person_name(),
            contact_phone=w.phone(city),
            contact_email=f"contact{i:03d}@example.cn",
            verification=verification,
            verified_at=(now - dt.timedelta(days=rng.randint(10, 700))
                         if verification == Verification.VERIFIED else None),
            is_demo=True,
        )
        org.demo_field = field  # not a model field: used below to pick people's fields
        orgs.append(org)

    # Demonstration levels on some verified technology transfer service institutions (and two universities).
    candidates = [o for o in orgs if o.kind == OrgKind.TT_SERVICE and o.verification == Verification.VERIFIED]
    candidates += [o for o in orgs if o.kind == OrgKind.UNIVERSITY][:2]
    levels = [DemoLevel.NATIONAL] * 2 + [DemoLevel.PROVINCIAL] * 5 + [DemoLevel.MUNICIPAL] * 5
    for org, level in zip(candidates, levels, strict=False):
        org.demo_level, org.demo_year = level, rng.randint(2017, 2025)

    created = Organization.objects.bulk_create(orgs)
    for org, made in zip(orgs, created, strict=True):
        made.demo_field = org.demo_field
    return created


def _make_credit_records(w: _World, orgs: list[Organization]) -> int:
    rng = w.rng
    entries = [
        (CreditKind.COMMENDATION, "获评年度技术转移工作先进单位（演示）", "云南省科学技术厅（演示）"),
        (CreditKind.GOOD, "按期完成技术合同登记与统计报送（演示）", "技术合同认定登记中心（演示）"),
        (CreditKind.WARNING, "技术合同登记材料不全，已限期补正（演示）", "技术合同认定登记中心（演示）"),
        (CreditKind.DISHONEST, "虚报技术交易额，取消当年奖补资格（演示）", "市科学技术局（演示）"),
        (CreditKind.PENALTY, "未按规定公示协议定价结果，责令整改（演示）", "市场监督管理局（演示）"),
    ]
    picked = rng.sample([o for o in orgs if o.kind in (OrgKind.ENTERPRISE, OrgKind.TT_SERVICE, OrgKind.INVESTOR)], 14)
    records = []
    for i, org in enumerate(picked):
        kind, summary, source = entries[i % len(entries)] if i < 5 else rng.choice(entries[:3])
        records.append(CreditRecord(organization=org, kind=kind, summary=summary, source=source,
                                    occurred_on=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 600))))
    CreditRecord.objects.bulk_create(records)
    return len(records)


def _keywords(rng: random.Random) -> dict[str, list[list[str]]]:
    """Keyword lists of the CSL records, by pool (engineering, agriculture, medicine)."""
    pools: dict[str, list[list[str]]] = {}
    with (DATA / "csl_dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            pool = CSL_POOLS.get(row.get("category") or "")
            if row.get("keywords") and pool:
                pools.setdefault(pool, []).append(row["keywords"][:5])
    for keywords in pools.values():
        rng.shuffle(keywords)
    return pools


def _make_people(w: _World, orgs: list[Organization]) -> tuple[list[Person], int]:
    rng = w.rng
    fields = {f.code: f for f in TechField.objects.all()}
    field_codes = sorted(fields)
    pool = _keywords(rng)
    by_kind: dict[str, list[Organization]] = {}
    for org in orgs:
        by_kind.setdefault(org.kind, []).append(org)
    research_orgs = by_kind[OrgKind.UNIVERSITY] * 6 + by_kind[OrgKind.INSTITUTE] * 3 + by_kind[OrgKind.NEW_RD] * 2
    research_orgs += by_kind[OrgKind.ENTERPRISE]
    broker_orgs = by_kind[OrgKind.TT_SERVICE] * 4 + by_kind[OrgKind.UNIVERSITY] + by_kind[OrgKind.INCUBATOR]
    broker_orgs += by_kind[OrgKind.INSTITUTE]
    expert_orgs = by_kind[OrgKind.UNIVERSITY] * 4 + by_kind[OrgKind.INSTITUTE] * 2 + by_kind[OrgKind.ENTERPRISE][:30]

    plan = [("researcher", rng.choice(research_orgs)) for _ in range(360)]
    plan += [("broker", rng.choice(broker_orgs)) for _ in range(140)]
    plan += [("expert", rng.choice(expert_orgs)) for _ in range(100)]

    people, field_sets, extra = [], [], []
    for i, (role, org) in enumerate(plan, start=1):
        field = org.demo_field if org.demo_field and rng.random() < 0.8 else rng.choice(field_codes)
        keywords = rng.choice(pool[FIELD_POOLS.get(field, "engineering")])
        chosen = {field} | ({rng.choice(field_codes)} if rng.random() < 0.3 else set())
        if role == "broker":
            title = rng.choice(["技术经纪人", "技术经理人", "知识产权师", "经济师", "高级经济师"])
        elif role == "expert":
            title = rng.choice(EXPERT_TITLES)
        else:
            title = rng.choice(RESEARCHER_TITLES)
        city_code = org.region.code if org.region.tier == "city" else (org.region.parent_id or org.region.code)
        people.append(Person(
            name=w.person_name(),
            organization=org,
            region=org.region,
            title=title,
            expertise="；".join(keywords),
            bio=f"演示人员，{org.name}{title}，研究方向：{'、'.join(keywords[:3])}。",
            is_researcher=role != "broker",
            email=f"person{i:04d}@example.cn",
            phone=w.mobile() if rng.random() < 0.5 else w.phone(city_code if city_code in CITIES else "530100"),
            is_demo=True,
        ))
        field_sets.append(chosen)
        extra.append(role)
    people = Person.objects.bulk_create(people)

    through = Person.fields.through
    through.objects.bulk_create([
        through(person_id=p.pk, techfield_id=code) for p, codes in zip(people, field_sets, strict=True)
        for code in sorted(codes) if code in fields
    ])
    brokers, experts = [], []
    seq = 0
    for person, role in zip(people, extra, strict=True):
        if role == "broker":
            seq += 1
            level = rng.choices([BrokerLevel.JUNIOR, BrokerLevel.INTERMEDIATE, BrokerLevel.SENIOR], [55, 32, 13])[0]
            certified = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 2400))
            hours = {BrokerLevel.JUNIOR: 48, BrokerLevel.INTERMEDIATE: 96, BrokerLevel.SENIOR: 160}[level]
            brokers.append(BrokerProfile(
                person=person,
                kind=BrokerKind.MANAGER if rng.random() < 0.35 else BrokerKind.BROKER,
                level=level,
                certificate_no=f"YN-DEMO-{certified.year}-{seq:05d}",
                certified_on=certified,
                training_hours=Decimal(hours + rng.randint(0, 80)) + Decimal(rng.choice(("0", "0.5"))),
            ))
        elif role == "expert":
            honours = rng.sample(EXPERT_HONOURS, rng.randint(1, 2))
            experts.append(ExpertProfile(
                person=person,
                titles="，".join([person.title, *honours]),
                specialties=person.expertise,
                available=rng.random() < 0.85,
            ))
    BrokerProfile.objects.bulk_create(brokers)
    ExpertProfile.objects.bulk_create(experts)
    return people, len(people) + len(brokers) + len(experts)


def _make_accounts(orgs: list[Organization], people: list[Person]) -> int:
    """One account per role (``demo/accounts.py``); one Argon2 hash shared by all of them, for speed."""
    password = make_password(DEMO_PASSWORD)
    university = next(o for o in orgs if o.kind == OrgKind.UNIVERSITY and o.verification == Verification.VERIFIED)
    enterprise = next(o for o in orgs if o.kind == OrgKind.ENTERPRISE and o.verification == Verification.VERIFIED
                      and o.region.parent_id == "530100")
    point = next(o for o in orgs if o.kind == OrgKind.REGISTRATION_POINT and o.region.parent_id == "530100")
    # The supervising department that reviews the demo universities' annual reports (the reports part files them).
    org_for = {"university": university, "enterprise": enterprise, "registration_point": point,
               "department": reports_demo.department("edu")}

    users, grants = [], []
    for spec in DEMO_USERS:
        users.append(User(username=spec["username"], display_name=spec["display_name"], password=password,
                          email=f"{spec['username']}@example.cn", is_demo=True,
                          is_staff=spec["role"] in (Role.PLATFORM_ADMIN, Role.REGION_ADMIN),
                          is_superuser=spec["role"] == Role.PLATFORM_ADMIN))
    users = User.objects.bulk_create(users)
    taken: set[int] = set()
    roles = {"broker": set(BrokerProfile.objects.filter(person__in=people).values_list("person_id", flat=True)),
             "expert": set(ExpertProfile.objects.filter(person__in=people).values_list("person_id", flat=True))}
    for user, spec in zip(users, DEMO_USERS, strict=True):
        org = org_for.get(spec.get("org", ""))
        grants.append(RoleAssignment(user=user, role=spec["role"], region_id=spec.get("region"), organization=org))
        link = spec.get("person")
        if link:
            person = next(p for p in people if p.pk not in taken and _matches(p, link, org, roles))
            taken.add(person.pk)
            person.user = user
            person.name = spec["display_name"]
            person.save(update_fields=["user", "name"])
    RoleAssignment.objects.bulk_create(grants)
    return len(users) + len(grants)


def _matches(person: Person, link: str, org: Organization | None, roles: dict[str, set[int]]) -> bool:
    if link in roles:
        return person.pk in roles[link] and person.region.parent_id == "530100"
    return person.is_researcher and org is not None and person.organization_id == org.pk


def load(progress) -> int:
    rng = random.Random(SEED)
    w = _World(rng)
    orgs = _make_orgs(w)
    count = len(orgs) + _make_credit_records(w, orgs)
    progress(f"  {len(orgs)} organizations in {len(w.counties)} cities")
    people, made = _make_people(w, orgs)
    count += made
    progress(f"  {len(people)} people (researchers, brokers, experts)")
    count += _make_accounts(orgs, people)
    return count
