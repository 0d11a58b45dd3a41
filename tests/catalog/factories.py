"""Catalog test data: achievements and demands of the 五华 test organization, at any workflow stage."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from techtransfer.catalog import workflow
from techtransfer.catalog.models import Status

SECRET = "核心配方：磷酸铁锂掺杂比例 0.37%"
CONTACT_PHONE = "0871-99887766"

FULL_EVIDENCE = {
    "1a": "论文 A",
    "2a": "方案说明书",
    "3a": "原理验证实验报告",
    "4a": "实验室测试报告",
    "4b": "模块集成记录",
    "5a": "模拟环境测试报告",
    "6a": "中试样机",
    "6b": "中试验证报告",
}


def achievement_data(**extra) -> dict:
    data = {
        "title": "高安全锂离子电池正极材料",
        "abstract": "一种提高热稳定性的正极材料制备方法。",
        "keywords": ["锂电池", "正极材料"],
        "tech_field_id": "05",
        "ipc_codes": ["H01M 10/0525"],
        "industry_codes": ["C3841"],
        "trl": 6,
        "transfer_modes": ["transfer", "licence_ordinary"],
        "asking_price": Decimal("1200000.00"),
        "protected_details": SECRET,
    }
    data.update(extra)
    return data


def demand_data(**extra) -> dict:
    data = {
        "title": "高原果蔬保鲜技术需求",
        "problem": "运输途中损耗高，需要低成本保鲜方案。",
        "target_indicators": "损耗率低于 5%",
        "tech_field_id": "09",
        "budget_min": Decimal("100000.00"),
        "budget_max": Decimal("500000.00"),
        "deadline": timezone.localdate() + datetime.timedelta(days=90),
        "cooperation_modes": ["commissioned"],
        "contact_name": "李经理",
        "contact_phone": CONTACT_PHONE,
    }
    data.update(extra)
    return data


STAGES = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.ORG_REVIEWED,
    Status.PUBLISHED,
    Status.IN_NEGOTIATION,
    Status.TRANSFERRED,
    Status.CLOSED,
    Status.WITHDRAWN,
]


def advance(world, record, status):
    """Move a draft along the workflow to ``status`` with the proper people."""
    if status == Status.DRAFT:
        return record
    if status == Status.WITHDRAWN:
        return workflow.withdraw(world.org_admin, record, "不再转让")
    workflow.submit(world.member, record)
    if status == Status.SUBMITTED:
        return record
    workflow.approve_by_org(world.org_admin, record)
    if status == Status.ORG_REVIEWED:
        return record
    workflow.publish(world.wuhua_admin, record)
    if status == Status.PUBLISHED:
        return record
    if status == Status.CLOSED:
        return workflow.close(world.org_admin, record, "已自行实施")
    workflow.start_negotiation(world.org_admin, record)
    if status == Status.IN_NEGOTIATION:
        return record
    return workflow.mark_transferred(world.org_admin, record)
