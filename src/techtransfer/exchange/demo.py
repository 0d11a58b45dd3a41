"""The exchange part of the demo world: this platform's change feed built from the demo records, and one demo peer
— a neighbouring province's platform (重庆, instance ``cq-demo``) — whose signed feed page is made here with its own
demo key and taken through the real checks and storage of a pull (signature, schema, instance, cursor), so that
the network's records appear in the lists and the search with their provenance. One of the peer's records repeats
a local demo achievement (same title and owner credit code) to show the duplicate link ("also on").

The peer's address does not exist (``.invalid``) and it is disabled, so that the periodic pull leaves it alone;
everything it brought is marked demo data. The records are synthetic, written for the demo.
"""

from __future__ import annotations

from django.utils import timezone

from techtransfer.catalog.models import Achievement
from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.models import FederatedRecord, Peer, PullRun
from techtransfer.exchange.services import feed, pull
from techtransfer.matching import indexing

PEER_ID = "cq-demo"
PEER_NAME = "重庆市科技成果转化网络平台（演示）"

# (local id, kind, title, English title, region, field, owner, text, keywords, patent numbers)
RECORDS = [
    (
        "a101",
        "achievement",
        "汽车铝合金轻量化车身结构设计与一体化压铸技术",
        "Lightweight aluminium car body and integrated die casting",
        "500112",
        "03",
        "重庆演示汽车研究院有限公司",
        "面向新能源汽车的铝合金车身一体化压铸工艺，减重约20%，已完成样车验证。",
        ["一体化压铸", "轻量化", "铝合金"],
        ["ZL202210456789.1"],
    ),
    (
        "a102",
        "achievement",
        "页岩气井压裂返排液处理与回用技术",
        "Treatment and reuse of shale-gas fracturing flowback water",
        "500106",
        "07",
        "重庆演示能源技术研究所",
        "页岩气开发压裂返排液的高效絮凝—膜处理组合工艺，回用率达到90%以上。",
        ["页岩气", "返排液", "膜处理"],
        [],
    ),
    (
        "a103",
        "achievement",
        "柑橘黄龙病快速检测试剂盒",
        "Rapid test kit for citrus Huanglongbing",
        "500108",
        "09",
        "重庆演示农业科学院",
        "基于等温扩增的柑橘黄龙病田间快速检测方法，30分钟出结果。",
        ["柑橘", "黄龙病", "快速检测"],
        [],
    ),
    (
        "a104",
        "achievement",
        "工业机器人高精度减速器设计与制造技术",
        "High-precision reducers for industrial robots",
        "500112",
        "03",
        "重庆演示智能装备有限公司",
        "RV减速器齿形修形与装配工艺，回差不大于1弧分。",
        ["工业机器人", "减速器"],
        ["ZL202110987654.3"],
    ),
    (
        "d201",
        "demand",
        "高镍三元正极材料热稳定性提升",
        "Improving the thermal stability of high-nickel cathodes",
        "500103",
        "06",
        "重庆演示新能源电池有限公司",
        "需提升高镍三元正极材料在高温循环下的结构稳定性，寻求包覆或掺杂方案。",
        ["高镍", "正极材料", "锂电池"],
        [],
    ),
    (
        "d202",
        "demand",
        "火锅底料生产线自动化改造",
        "Automating a hotpot-seasoning production line",
        "500106",
        "03",
        "重庆演示食品有限公司",
        "炒制、包装工序自动化，要求稳定控温并减少人工。",
        ["自动化", "食品加工"],
        [],
    ),
]


def _code(list_name: str, value):
    return {"list": list_name, "code": value} if value else None


def _owner(name: str, credit_code: str | None, n: int) -> dict:
    return {"id": f"{PEER_ID}/organization/o{n}", "name": {"zh-Hans": name, "en": ""}, "credit_code": credit_code}


def _record(
    local_id, kind, title, title_en, region, field, owner, text, keywords, patents, now, *, credit_code=None, n=0
) -> dict:
    common = {
        "id": f"{PEER_ID}/{kind}/{local_id}",
        "kind": kind,
        "url": None,
        "title": {"zh-Hans": title, "en": title_en},
        "region": _code("GB/T 2260", region),
        "tech_field": _code("techtransfer-tech-field", field),
        "owner": _owner(owner, credit_code, n),
        "patent_numbers": list(patents),
        "updated_at": now,
    }
    if kind == "achievement":
        return {
            **common,
            "abstract": {"zh-Hans": text, "en": ""},
            "keywords": keywords,
            "industries": [],
            "ipc": [],
            "trl": 6,
            "transfer_modes": [_code("techtransfer-transfer-mode", "licence_ordinary")],
            "asking_price": None,
            "price_negotiable": True,
            "dual_use": False,
            "status": "published",
            "published_at": now,
            "ip_items": [{"kind": "invention", "title": title, "number": p, "granted": True} for p in patents],
        }
    return {
        **common,
        "problem": {"zh-Hans": text, "en": ""},
        "target_indicators": "",
        "keywords": keywords,
        "budget_min": None,
        "budget_max": None,
        "deadline": None,
        "cooperation_modes": [_code("techtransfer-cooperation-mode", "joint_development")],
        "status": "published",
        "published_at": now,
    }


def _page(now: str) -> dict:
    items = []
    rows = list(RECORDS)
    # The same achievement published on both platforms (same title, same owner credit code): linked, not shown twice.
    local = (
        Achievement.objects.filter(Achievement.public_q(), is_demo=True, owner__credit_code__isnull=False)
        .select_related("owner")
        .order_by("pk")
        .first()
    )
    extra = []
    if local is not None:
        extra.append(
            (
                "a199",
                "achievement",
                local.title,
                local.title_en,
                "500112",
                local.tech_field_id or "",
                local.owner.name,
                local.abstract[:200],
                list(local.keywords or ())[:5],
                [],
            )
        )
    for n, row in enumerate(rows + extra, start=1):
        credit = local.owner.credit_code if extra and row is extra[0] else None
        items.append(
            {
                "id": f"{PEER_ID}/{row[1]}/{row[0]}",
                "kind": row[1],
                "seq": str(n),
                "deleted": False,
                "changed_at": now,
                "record": _record(*row, now, credit_code=credit, n=n),
            }
        )
    return {
        "format": fmt.FORMAT,
        "version": fmt.VERSION,
        "instance": PEER_ID,
        "since": "0",
        "next": str(len(items)),
        "has_more": False,
        "generated_at": now,
        "items": items,
    }


def records_of(peer: Peer, kind: str) -> list[int]:
    return list(FederatedRecord.objects.filter(peer=peer, kind=kind).values_list("pk", flat=True))


def load(progress) -> int:
    made = feed.rebuild(progress)
    progress(f"exchange: change feed of {made} records")
    if Peer.objects.filter(instance_id=PEER_ID).exists():
        return made
    private, public = signing.generate_keypair()
    peer = Peer.objects.create(
        name=PEER_NAME,
        base_url="https://cq-demo.invalid",
        instance_id=PEER_ID,
        public_key=public,
        region_id="500000",
        enabled=False,
        is_demo=True,
        last_message="演示对等平台：记录由演示数据加载时生成，不会自动拉取。",
    )
    now = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = signing.sign_document(_page(now), private)
    run = PullRun.objects.create(peer=peer, cursor_from="", cursor_to="")
    pull.check_page(peer, doc, "0")  # the real checks of a pull: signature, schema, instance, cursor
    pull.apply_page(peer, doc, run)
    run.ok, run.finished_at, run.message = True, timezone.now(), "demo"
    run.save()
    Peer.objects.filter(pk=peer.pk).update(last_status="ok", last_pulled_at=run.finished_at)
    FederatedRecord.objects.filter(peer=peer).update(is_demo=True)
    # The pull queued their indexing for after the commit; the demo's index was built before (matching's part), so
    # index them now as well (idempotent) — the demo is searchable before its worker has run.
    for kind, search_kind in pull.SEARCH_KINDS.items():
        indexing.update_records(search_kind, records_of(peer, kind), semantic=False)
    progress(f"exchange: demo peer {PEER_ID} with {run.created} federated records")
    return made + run.created + 1
