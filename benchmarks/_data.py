"""Synthetic data shared by the benchmarks: achievements as JSONL (for the importer) and certified contracts with
their ledger events (written with ``bulk_create``).

``write_achievements`` configures Django if the caller has not (set ``TECHTRANSFER_DATA_DIR`` first);
``make_contracts`` needs a configured Django with a migrated database (regions and taxonomy). Used by
``catalog_import.py``, ``stats_dashboard.py`` and ``pages.py``.
"""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSL = ROOT / "src" / "techtransfer" / "demo" / "data" / "csl_dev.jsonl"


def write_achievements(path: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` draft achievements as JSONL by resampling the CSL records of the demo data (title, abstract,
    keywords, field; synthetic TRL, modes, prices and patent numbers with valid check digits). Streamed: one line at
    a time. Configures Django (``techtransfer.cli.setup``) when the caller has not."""
    # Here, not at the top: the catalog's demo module loads Django models, which need a configured Django.
    from django.apps import apps

    if not apps.ready:
        from techtransfer.cli import setup

        setup()
    from techtransfer.catalog.demo import DISCIPLINE_FIELDS, FIELD_IPC, MODES, _patent

    rng = random.Random(seed)
    pool = []
    with CSL.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            field = DISCIPLINE_FIELDS.get(r.get("discipline") or "")
            kws = [k for k in (r.get("keywords") or []) if 1 < len(k) <= 40][:8]
            if field and len(r.get("abstract") or "") >= 40 and kws:
                pool.append((r.get("title") or kws[0] + "技术", r["abstract"][:3000], kws, field))
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            title, abstract, kws, field = pool[rng.randrange(len(pool))]
            negotiable = rng.random() < 0.3
            row = {
                "title": f"{title[:180]}（{i}）",
                "abstract": abstract,
                "keywords": kws,
                "tech_field": field,
                "ipc_codes": [rng.choice(FIELD_IPC[field])],
                "trl": rng.randint(1, 9),
                "transfer_modes": rng.sample(MODES, rng.choice((1, 2))),
                "asking_price": None if negotiable else f"{rng.randint(50, 20000) * 1000}.00",
                "price_negotiable": negotiable,
                "patents": [_patent(rng, rng.randint(2016, 2025), "1")] if rng.random() < 0.5 else [],
                "status": "draft",
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def make_contracts(n: int, seed: int = 1, batch: int = 20_000) -> int:
    """Create ``n`` certified technology contracts with one ledger event each; returns the number made.

    Sellers over the province's (Yunnan, 53xxxx) counties, buyers ≈70 % in the province, ≈22 % in other provinces,
    ≈8 % abroad; six subcategories, every technical field, IP type and objective; registration dates over ~3 years
    from 2024-01-01. The parties are not generated (one seller organization, one registration point), and the
    monthly ledger summary is not rebuilt: call ``contracts.ledger.rebuild()`` after."""
    # Here, not at the top: the models load only after django.setup(), which the caller does.
    from techtransfer.contracts.models import (
        ContractEvent,
        EventKind,
        Flow,
        IPType,
        SocioEconomicObjective,
        Status,
        TechContract,
    )
    from techtransfer.orgs.models import Organization, OrgKind
    from techtransfer.regions.models import Region
    from techtransfer.taxonomy.models import TechField

    rng = random.Random(seed)
    counties = list(Region.objects.filter(pk__startswith="53").exclude(pk__endswith="00").values_list("pk", flat=True))
    others = list(Region.objects.exclude(pk__startswith="53").exclude(pk__endswith="00").values_list("pk", flat=True))
    seller = Organization.objects.create(name="基准卖方", kind=OrgKind.ENTERPRISE, region_id=counties[0])
    point = Organization.objects.create(name="基准登记点", kind=OrgKind.REGISTRATION_POINT, region_id="530100")
    cats = [
        ("development", "dev_commissioned"),
        ("development", "dev_cooperative"),
        ("transfer", "tr_patent"),
        ("licence", "lic_patent"),
        ("consulting", "con_feasibility"),
        ("service", "svc_general"),
    ]
    fields = list(TechField.objects.values_list("pk", flat=True))
    ips = list(IPType.objects.values_list("pk", flat=True))
    objectives = list(SocioEconomicObjective.objects.values_list("pk", flat=True))
    tz = datetime.UTC
    made = 0
    while made < n:
        size = min(batch, n - made)
        rows = []
        for i in range(size):
            cat, sub = rng.choice(cats)
            day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(1000))
            amount = Decimal(rng.randrange(1_000_000, 2_000_000_000)) / 100
            roll = rng.random()
            if roll < 0.7:
                buyer_region, country, flow = rng.choice(counties), None, Flow.IN_PROVINCE
            elif roll < 0.92:
                buyer_region, country, flow = rng.choice(others), None, Flow.CROSS_PROVINCE
            else:
                buyer_region, country, flow = None, "LA", Flow.INTERNATIONAL
            rows.append(
                TechContract(
                    name="c",
                    status=Status.CERTIFIED,
                    category_id=cat,
                    subcategory_id=sub,
                    tech_field_id=rng.choice(fields),
                    ip_type_id=rng.choice(ips),
                    objective_id=rng.choice(objectives),
                    contract_amount=amount,
                    tech_amount=amount,
                    non_tech_amount=Decimal(0),
                    registration_point=point,
                    seller_org=seller,
                    seller_region_id=rng.choice(counties),
                    buyer_region_id=buyer_region,
                    buyer_country_id=country,
                    flow=flow,
                    registered_on=day,
                    registration_number=f"B{made + i:012d}",
                )
            )
        TechContract.objects.bulk_create(rows, batch_size=5000)
        ContractEvent.objects.bulk_create(
            [
                ContractEvent(
                    contract=c,
                    kind=EventKind.CERTIFIED,
                    at=datetime.datetime(2024, 1, 1, tzinfo=tz),
                    effective_on=c.registered_on,
                    count_delta=1,
                    contract_amount_delta=c.contract_amount,
                    tech_amount_delta=c.tech_amount,
                )
                for c in rows
            ],
            batch_size=5000,
        )
        made += size
    return made
