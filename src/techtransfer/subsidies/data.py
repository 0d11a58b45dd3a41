# ruff: noqa: E501 - the seed clauses are quoted whole
"""The seeds' subsidy policies, shipped as version 1 of each (migration 0002). Each cites its seed clause; the
readings where a seed leaves something open are explained in docs/subsidies.md and are conditions in the data,
so that an administrator changes them by publishing a new version. Rates the seeds leave to implementing rules
("一定比例") ship unset: such a policy answers ``rate_not_set`` until a version sets the rate."""

from __future__ import annotations

# The seed texts give no commencement date here; the shipped versions apply from this date, open-ended.
EFFECTIVE_FROM = "2000-01-01"

YN_DOCUMENT = "Seed 004 (Yunnan), §19"
YN_CLAUSE = ("省财政资金对引进先进技术成果的企业，按照技术交易实际金额的20%、最高不超过200万元给予奖补；"
             "对我省高校、科研院所以及企业将科技成果在省内完成技术交易的，按照技术交易实际金额的20%、最高不超过200万元给予奖补。")

POLICIES = [
    {
        "code": "yn-absorb", "name": "云南省引进先进技术成果奖补", "region": "530000", "department": "云南省财政厅、云南省科学技术厅",
        "legal_document": YN_DOCUMENT, "legal_clause": YN_CLAUSE,
        "rules": {
            "clause": "004 §19: 对引进先进技术成果的企业，按照技术交易实际金额的20%、最高不超过200万元给予奖补",
            "beneficiaries": ["buyer"],
            "conditions": {
                # 企业: an organization of kind enterprise; 引进: the technology comes from outside the province.
                "buyer": {"region_inside": "policy", "kinds": ["enterprise"]},
                "seller": {"region_outside": "policy"},
            },
            "base": "tech_amount",
            "formula": {"kind": "percentage", "rate": "0.20"},
            "caps": {"per_case": "2000000.00"},
        },
    },
    {
        "code": "yn-local", "name": "云南省科技成果省内转化奖补", "region": "530000", "department": "云南省财政厅、云南省科学技术厅",
        "legal_document": YN_DOCUMENT, "legal_clause": YN_CLAUSE,
        "rules": {
            "clause": "004 §19: 对我省高校、科研院所以及企业将科技成果在省内完成技术交易的，按照技术交易实际金额的20%、最高不超过200万元给予奖补",
            "beneficiaries": ["seller"],
            "conditions": {
                "seller": {"region_inside": "policy", "kinds": ["university", "institute", "enterprise"]},
                "buyer": {"region_inside": "policy"},
            },
            "base": "tech_amount",
            "formula": {"kind": "percentage", "rate": "0.20"},
            "caps": {"per_case": "2000000.00"},
        },
    },
    {
        "code": "tj-institution", "name": "天津市技术转移机构及高校院所技术合同补贴", "region": "120000",
        "department": "天津市科学技术局", "legal_document": "Seed 001 (Tianjin), §14",
        "legal_clause": "高等学校、科研机构和技术转移机构按照上年度签订技术交易合同额的一定比例给予补贴",
        "rules": {
            "clause": "001 §14: 按照上年度签订技术交易合同额的一定比例给予补贴",
            "beneficiaries": ["seller", "institution"],
            "conditions": {
                "seller": {"region_inside": "policy"},
                "beneficiary_kinds": ["university", "institute", "tt_service"],
            },
            "base": "last_year_total",
            "formula": {"kind": "percentage", "rate": None},
        },
    },
    {
        "code": "tj-broker", "name": "天津市技术经纪人奖励", "region": "120000", "department": "天津市科学技术局",
        "legal_document": "Seed 001 (Tianjin), §14", "legal_clause": "对作出贡献的技术经纪人给予奖励",
        "rules": {
            "clause": "001 §14: 对作出贡献的技术经纪人给予奖励",
            "beneficiaries": ["broker"],
            "conditions": {"seller": {"region_inside": "policy"}},
            "base": "tech_amount",
            "formula": {"kind": "percentage", "rate": None, "split_among_brokers": True},
        },
    },
    {
        "code": "gx-county", "name": "广西县级以上人民政府承接科技成果转化补助", "region": "450000",
        "department": "广西壮族自治区科学技术厅（县级以上人民政府实施）", "legal_document": "Seed 002 (Guangxi), §4.2",
        "legal_clause": "县级以上人民政府可以对承接科技成果转化的企业，按照技术合同交易额或者技术入股出资额的一定比例给予补助",
        "rules": {
            "clause": "002 §4.2: 按照技术合同交易额或者技术入股出资额的一定比例给予补助",
            "beneficiaries": ["buyer"],
            "conditions": {"buyer": {"region_inside": "policy", "kinds": ["enterprise"]}},
            "base": "equity_or_contract",
            # Each county (or city) sets its own rate: rates_by_region {"450102": "0.05", ...}.
            "formula": {"kind": "percentage", "rate": None, "rates_by_region": {}},
        },
    },
    {
        "code": "tiered-example", "name": "技术合同登记分档奖补（三明市2023年示例）", "region": "350400",
        "department": "三明市科学技术局", "legal_document": "Sanming 2023 (domain facts §5, for the engine's generality)",
        "legal_clause": "技术交易额10万元以下部分按1%、10万元至100万元部分按0.5%、100万元以上部分按0.1%，每家单位每年最高5万元（示例）",
        "rules": {
            "clause": "Sanming 2023: 1 % up to ¥100 k, 0.5 % to ¥1 m, 0.1 % above; at most ¥50 k per unit per year",
            "beneficiaries": ["seller"],
            "conditions": {"seller": {"region_inside": "policy"}},
            "base": "tech_amount",
            "formula": {"kind": "tiered", "tiers": [
                {"up_to": "100000.00", "rate": "0.01"},
                {"up_to": "1000000.00", "rate": "0.005"},
                {"up_to": None, "rate": "0.001"},
            ]},
            "caps": {"per_beneficiary_year": "50000.00"},
        },
    },
]
