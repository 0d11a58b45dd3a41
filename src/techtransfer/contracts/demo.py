"""Demo contracts: a few thousand certified technology contracts over three years, sold by the demo province's
organizations, registered at the registration point of the seller's city, with in-province, cross-province and
international buyers. Written with bulk_create; numbers follow ``next_registration_number``'s format."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role, User
from techtransfer.contracts import ledger, services
from techtransfer.contracts.models import (
    ContractEvent,
    ContractParty,
    EventKind,
    ExportControlEdition,
    Flow,
    IPType,
    PartyRole,
    PartyType,
    RegistrationCounter,
    SocioEconomicObjective,
    Status,
    TechContract,
)
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import Organization, OrgKind
from techtransfer.regions.models import Country, Region
from techtransfer.taxonomy.models import TechField

N_CONTRACTS = 3000
SUBCATEGORIES = [
    ("development", "dev_commissioned", 30),
    ("development", "dev_cooperative", 10),
    ("transfer", "tr_patent", 8),
    ("transfer", "tr_secret", 4),
    ("licence", "lic_patent", 5),
    ("consulting", "con_feasibility", 8),
    ("consulting", "con_evaluation", 5),
    ("service", "svc_general", 25),
    ("service", "svc_training", 3),
    ("service", "svc_intermediary", 2),
]
OTHER_PROVINCES = ["110108", "310104", "440305", "510107", "500103", "450103", "520102", "330106"]
COUNTRIES = ["LA", "MM", "VN", "TH", "US", "DE", "SG"]
DEMO_PROVINCE = "530000"  # the demo world (its organizations and accounts) lies in Yunnan, whatever the installation's


def load(progress) -> int:
    rng = random.Random(20260505)
    province = DEMO_PROVINCE[:2]
    orgs = list(
        Organization.objects.filter(region__pk__startswith=province)
        .exclude(kind=OrgKind.REGISTRATION_POINT)
        .filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.NEW_RD])
        .order_by("pk")
    )
    points = list(Organization.objects.filter(kind=OrgKind.REGISTRATION_POINT).order_by("pk"))
    if len(orgs) < 2 or not points:
        progress("contracts: no demo organizations or registration points; skipped")
        return 0
    point_by_city = {}
    for p in points:
        point_by_city.setdefault(p.region_id[:4], p)
    profiles = {p.pk: services.point_profile(p) for p in points}
    other_regions = list(Region.objects.filter(pk__in=OTHER_PROVINCES).values_list("pk", flat=True))
    countries = list(Country.objects.filter(pk__in=COUNTRIES).values_list("pk", flat=True))
    ip_types = list(IPType.objects.values_list("pk", flat=True))
    fields = list(TechField.objects.values_list("pk", flat=True))
    objectives = list(SocioEconomicObjective.objects.values_list("pk", flat=True))
    weights = [w for _c, _s, w in SUBCATEGORIES]
    today = timezone.localdate()
    start = datetime.date(today.year - 2, 1, 1)
    span = (today - start).days
    tz = timezone.get_current_timezone()

    plans = []
    for _i in range(N_CONTRACTS):
        seller = rng.choice(orgs)
        category, subcategory, _w = rng.choices(SUBCATEGORIES, weights)[0]
        amount = Decimal(round(10 ** rng.uniform(4.3, 7.3), -2)).quantize(Decimal("0.01"))
        non_tech = Decimal(0)
        if category == "development" and rng.random() < 0.3:
            non_tech = (amount * Decimal(rng.choice([10, 20, 30])) / 100).quantize(Decimal("0.01"))
        roll = rng.random()
        if roll < 0.7 or not other_regions:
            buyer = rng.choice(orgs)
            buyer_region, buyer_country, flow = buyer.region_id, None, Flow.IN_PROVINCE
        elif roll < 0.92 or not countries:
            buyer, buyer_region, buyer_country, flow = None, rng.choice(other_regions), None, Flow.CROSS_PROVINCE
        else:
            buyer, buyer_region, buyer_country, flow = None, None, rng.choice(countries), Flow.INTERNATIONAL
        registered = start + datetime.timedelta(days=rng.randrange(span + 1))
        plans.append(
            (registered, seller, category, subcategory, amount, non_tech, buyer, buyer_region, buyer_country, flow)
        )
    plans.sort(key=lambda p: p[0])

    counters: dict[tuple[int, int], int] = defaultdict(int)
    contracts = []
    for registered, seller, category, subcategory, amount, non_tech, _buyer, b_region, b_country, flow in plans:
        point = point_by_city.get(seller.region_id[:4], points[0])
        counters[(point.pk, registered.year)] += 1
        number = services.format_number(profiles[point.pk], registered.year, counters[(point.pk, registered.year)])
        accepted = datetime.datetime.combine(
            registered - datetime.timedelta(days=rng.randrange(1, 12)), datetime.time(10), tz
        )
        contracts.append(
            TechContract(
                name=f"{seller.name}技术合同{len(contracts) + 1:05d}",
                status=Status.CERTIFIED,
                category_id=category,
                subcategory_id=subcategory,
                licence_scope="exclusive" if category == "licence" else "",
                signed_on=registered - datetime.timedelta(days=rng.randrange(15, 60)),
                term_start=registered - datetime.timedelta(days=10),
                term_end=registered + datetime.timedelta(days=rng.randrange(90, 900)),
                contract_amount=amount,
                technical_summary="示范数据：技术合同内容摘要。",
                ip_type_id=rng.choice(ip_types) if ip_types else None,
                tech_field_id=rng.choice(fields) if fields else None,
                objective_id=rng.choice(objectives) if objectives else None,
                registration_point=point,
                seller_org=seller,
                seller_region_id=seller.region_id,
                buyer_region_id=b_region,
                buyer_country_id=b_country,
                flow=flow,
                accepted_at=accepted,
                due_on=accepted.date() + datetime.timedelta(days=30),
                decided_at=datetime.datetime.combine(registered, datetime.time(15), tz),
                registered_on=registered,
                registration_number=number,
                tech_amount=amount - non_tech,
                non_tech_amount=non_tech,
                is_demo=True,
            )
        )
    TechContract.objects.bulk_create(contracts, batch_size=500)
    progress(f"contracts: {len(contracts)} certified demo contracts")
    kind_to_type = services.ORG_KIND_TO_PARTY_TYPE
    parties, events = [], []
    for c, plan in zip(contracts, plans, strict=True):
        buyer = plan[6]
        parties.append(
            ContractParty(
                contract=c,
                role=PartyRole.SELLER,
                name=c.seller_org.name,
                credit_code=c.seller_org.credit_code or "",
                region_id=c.seller_region_id,
                party_type=kind_to_type.get(c.seller_org.kind, PartyType.ENTERPRISE),
                organization=c.seller_org,
            )
        )
        parties.append(
            ContractParty(
                contract=c,
                role=PartyRole.BUYER,
                name=buyer.name if buyer else f"示范买方{c.pk}",
                credit_code=(buyer.credit_code or "") if buyer else "",
                region_id=c.buyer_region_id,
                country_id=c.buyer_country_id,
                party_type=kind_to_type.get(buyer.kind, PartyType.ENTERPRISE) if buyer else PartyType.ENTERPRISE,
                organization=buyer,
            )
        )
        events.append(
            ContractEvent(
                contract=c,
                kind=EventKind.CERTIFIED,
                at=c.decided_at,
                effective_on=c.registered_on,
                count_delta=1,
                contract_amount_delta=c.contract_amount,
                tech_amount_delta=c.tech_amount,
            )
        )
    ContractParty.objects.bulk_create(parties, batch_size=1000)
    ContractEvent.objects.bulk_create(events, batch_size=1000)
    for (point_id, year), last in counters.items():
        RegistrationCounter.objects.update_or_create(point_id=point_id, year=year, defaults={"last": last})
    summary_rows = ledger.rebuild()
    progress(f"contracts: ledger summary of {summary_rows} rows")
    return len(contracts) + len(parties) + len(events) + _pending_filings(progress, rng) + _export_control(progress)


def _export_control(progress) -> int:
    """The shipped sample of the export-control catalogue (6 items, source named in the file), so that screenings
    of contracts and trades with foreign buyers have something to match in the demo."""
    if ExportControlEdition.objects.exists():
        return 0
    edition, created, _updated, _gone = exportcontrol.load_catalogue(None, exportcontrol.SAMPLE_FILE.read_bytes())
    progress(f"contracts: export-control catalogue sample ({created} items, {edition.notice})")
    return created


def _pending_filings(progress, rng: random.Random) -> int:
    """Two filings of the demo enterprise at the demo reviewer's point, made through the services like a user
    would: one returned for correction (补正) and one not registered (不予登记) with its reason."""
    member = User.objects.filter(username="ent_member", is_demo=True).first()
    reviewer = User.objects.filter(username="reviewer", is_demo=True).first()
    seller = Organization.objects.filter(pk__in=permissions.principal(member).org_ids()).first() if member else None
    points = permissions.principal(reviewer).org_ids(Role.REVIEWER) if reviewer else set()
    point = Organization.objects.filter(pk__in=points, kind=OrgKind.REGISTRATION_POINT).first()
    buyer = (
        Organization.objects.filter(kind=OrgKind.ENTERPRISE, is_demo=True).exclude(pk=getattr(seller, "pk", None))
        .order_by("pk").first()
    )
    if not (seller and point and buyer):
        progress("contracts: no demo enterprise member or reviewer; pending filings skipped")
        return 0
    today = timezone.localdate()
    field = TechField.objects.filter(active=True).values_list("pk", flat=True).first()

    def filing(name: str, category: str, subcategory: str, amount: str) -> TechContract:
        return services.file_contract(
            member,
            {
                "name": name,
                "category": category,
                "subcategory": subcategory,
                "signed_on": today - datetime.timedelta(days=rng.randrange(5, 20)),
                "term_start": today - datetime.timedelta(days=3),
                "term_end": today + datetime.timedelta(days=365),
                "contract_amount": amount,
                "technical_summary": "示范数据：技术合同内容摘要。",
                "ip_type": "secret",
                "tech_field": field,
                "objective": "industry",
                "registration_point": point.pk,
                "seller": {"organization": seller.pk},
                "buyer": {"organization": buyer.pk},
                "payments": [{"due_on": today + datetime.timedelta(days=60), "amount": amount, "note": "验收后"}],
            },
        )

    try:
        returned = filing("数控机床远程运维技术服务合同", "service", "svc_general", "380000.00")
        services.submit(member, returned)
        services.return_for_correction(
            reviewer,
            returned,
            "合同名称为技术服务，但条款约定交付软件著作权，请核对合同名称与权利义务是否一致，并补充加盖乙方公章的签署页。",
        )
        refused = services.submit(member, filing("工业清洗设备购销合同", "transfer", "tr_other", "1260000.00"))
        services.refuse(reviewer, refused, ["no_tech_content"], note="合同标的为设备买卖，无技术转让内容。")
    except DomainError as exc:
        progress(f"contracts: pending demo filings skipped ({exc.message})")
        return 0
    TechContract.objects.filter(pk__in=[returned.pk, refused.pk]).update(is_demo=True)
    progress("contracts: one filing returned for correction, one not registered")
    return 2
