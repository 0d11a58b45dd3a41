"""The national layout of the annual transformation report, as template data (seeded by a migration).

Sections follow the yearly MOST/MOF notices (domain.md §9; 促进科技成果转化法 art. 21, 国发〔2016〕16号,
财科教〔2017〕22号): (1) achievements obtained by law — from the 2021 notice also their source in fiscally funded
projects; (2) transformation by transfer, licence and equity investment (作价投资) — contracts, amounts, amounts
received in the year; (3) technology development, consulting and service contracts; (4) distribution of the
income — rewards to the people who made and transformed the achievements, the part to leaders holding office
shown on its own; (5) companies created or invested in with achievements; (6) the unit's technology-transfer
office; (7) measures, typical cases, problems and suggestions.

A field is ``{"key", "label", "label_en", "kind", "unit", "unit_en"}`` with ``kind`` one of ``count`` (a whole
number ≥ 0), ``money`` (yuan, two places, ≥ 0) or ``text``; ``required`` (default true for numbers, false for
texts) and ``max`` (texts: characters) are optional; ``registered`` names the platform figure shown beside it
(``services.prefill``). A check is ``{"key", "left", "op", "right", "message", "message_en"}``: the field
``left`` compared with ``op`` (``<=``) to the sum of the fields ``right``.
"""

from __future__ import annotations

import copy

TEMPLATE_SOURCE = "科技部 财政部 科技成果转化年度报告工作通知（财科教〔2017〕22号及年度通知）"


def _count(key, label, label_en, unit="项", unit_en="items", **extra):
    return {
        "key": key,
        "label": label,
        "label_en": label_en,
        "kind": "count",
        "unit": unit,
        "unit_en": unit_en,
        **extra,
    }


def _money(key, label, label_en, **extra):
    return {"key": key, "label": label, "label_en": label_en, "kind": "money", "unit": "元", "unit_en": "yuan", **extra}


def _text(key, label, label_en, required=False, max_length=5000):
    return {
        "key": key,
        "label": label,
        "label_en": label_en,
        "kind": "text",
        "unit": "",
        "unit_en": "",
        "required": required,
        "max": max_length,
    }


def _contract_trio(prefix, name, name_en):
    return [
        _count(
            f"{prefix}_count",
            f"{name}合同数",
            f"{name_en}: contracts",
            unit="项",
            unit_en="contracts",
            registered=f"{prefix}_count",
        ),
        _money(f"{prefix}_amount", f"{name}合同金额", f"{name_en}: contract amount", registered=f"{prefix}_amount"),
        _money(f"{prefix}_received", f"{name}当年到账金额", f"{name_en}: received in the year"),
    ]


def _received_check(prefix, name, name_en):
    return {
        "key": f"{prefix}_received_le_amount",
        "left": f"{prefix}_received",
        "op": "<=",
        "right": [f"{prefix}_amount"],
        "message": f"{name}当年到账金额不能超过合同金额。",
        "message_en": f"{name_en}: the amount received cannot exceed the contract amount.",
    }


_MODES = (("transfer", "转让", "Transfer"), ("licence", "许可", "Licence"), ("equity", "作价投资", "Equity investment"))
_CONTRACTS = (
    ("development", "技术开发", "Technology development"),
    ("consulting", "技术咨询", "Technology consulting"),
    ("service", "技术服务", "Technology service"),
)

_2019 = {
    "sections": [
        {
            "key": "achievements",
            "title": "一、依法取得的科技成果",
            "title_en": "1. Achievements obtained by law",
            "fields": [
                _count("patents_granted", "当年授权专利", "Patents granted in the year"),
                _count("invention_patents_granted", "其中：发明专利", "of which invention patents"),
                _count(
                    "other_ip_granted",
                    "其他知识产权（软件著作权、集成电路布图设计、植物新品种等）",
                    "Other IP granted (software copyright, IC layout, plant varieties, …)",
                ),
            ],
        },
        {
            "key": "transformation",
            "title": "二、以转让、许可、作价投资方式转化科技成果",
            "title_en": "2. Transformation by transfer, licence and equity investment",
            "fields": [f for prefix, name, en in _MODES for f in _contract_trio(prefix, name, en)],
        },
        {
            "key": "contracts",
            "title": "三、技术开发、技术咨询、技术服务",
            "title_en": "3. Technology development, consulting and service contracts",
            "fields": [f for prefix, name, en in _CONTRACTS for f in _contract_trio(prefix, name, en)],
        },
        {
            "key": "distribution",
            "title": "四、科技成果转化收入分配",
            "title_en": "4. Distribution of the transformation income",
            "fields": [
                _money("income_total", "科技成果转化净收入", "Net income from transformation"),
                _count("reward_persons", "奖励人次", "Persons rewarded", unit="人次", unit_en="persons"),
                _money("reward_amount", "奖励金额", "Rewards paid"),
                _count(
                    "leader_persons",
                    "其中：担任领导职务人员人次",
                    "of which leaders holding office (persons)",
                    unit="人次",
                    unit_en="persons",
                ),
                _money("leader_amount", "其中：担任领导职务人员奖励金额", "of which rewards to leaders holding office"),
            ],
        },
        {
            "key": "companies",
            "title": "五、以科技成果创设或投资的企业",
            "title_en": "5. Companies created or invested in with achievements",
            "fields": [
                _count("companies_created", "创设企业数", "Companies created", unit="家", unit_en="companies"),
                _count("companies_invested", "投资企业数", "Companies invested in", unit="家", unit_en="companies"),
                _money("equity_held", "持有股权（作价）金额", "Equity held (valued at)"),
            ],
        },
        {
            "key": "office",
            "title": "六、技术转移机构",
            "title_en": "6. Technology-transfer office",
            "fields": [
                _count("office_staff", "专职人员数", "Full-time staff", unit="人", unit_en="persons"),
                _count(
                    "office_brokers",
                    "其中：技术经理人/技术经纪人",
                    "of which technology managers / brokers",
                    unit="人",
                    unit_en="persons",
                    registered="office_brokers",
                ),
                _money("office_budget", "年度工作经费", "Yearly budget"),
            ],
        },
        {
            "key": "narrative",
            "title": "七、主要做法、典型案例、问题与建议",
            "title_en": "7. Measures, typical cases, problems and suggestions",
            "fields": [
                _text("measures", "主要做法与成效", "Measures taken and results", required=True),
                _text("cases", "典型案例", "Typical cases"),
                _text("problems", "存在的问题与建议", "Problems and suggestions"),
            ],
        },
    ],
    "checks": [
        *[_received_check(prefix, name, en) for prefix, name, en in _MODES + _CONTRACTS],
        {
            "key": "invention_le_patents",
            "left": "invention_patents_granted",
            "op": "<=",
            "right": ["patents_granted"],
            "message": "发明专利数不能超过授权专利总数。",
            "message_en": "Invention patents cannot exceed the patents granted.",
        },
        {
            "key": "rewards_le_income",
            "left": "reward_amount",
            "op": "<=",
            "right": ["income_total"],
            "message": "奖励金额不能超过科技成果转化净收入。",
            "message_en": "The rewards cannot exceed the net income from transformation.",
        },
        {
            "key": "leader_amount_le_rewards",
            "left": "leader_amount",
            "op": "<=",
            "right": ["reward_amount"],
            "message": "担任领导职务人员的奖励不能超过奖励总额。",
            "message_en": "Rewards to leaders holding office cannot exceed all rewards.",
        },
        {
            "key": "leader_persons_le_persons",
            "left": "leader_persons",
            "op": "<=",
            "right": ["reward_persons"],
            "message": "担任领导职务人员人次不能超过奖励总人次。",
            "message_en": "Leaders holding office cannot outnumber the persons rewarded.",
        },
        {
            "key": "brokers_le_staff",
            "left": "office_brokers",
            "op": "<=",
            "right": ["office_staff"],
            "message": "技术经理人/经纪人人数不能超过专职人员数。",
            "message_en": "Brokers cannot outnumber the office's full-time staff.",
        },
    ],
}


def _with_fiscal_source(definition: dict) -> dict:
    """The 2021 notice added the achievements' source: those from fiscally funded projects."""
    definition = copy.deepcopy(definition)
    fields = definition["sections"][0]["fields"]
    fields.append(_count("fiscal_funded", "其中：财政资金资助项目形成的成果", "of which from fiscally funded projects"))
    definition["checks"].append(
        {
            "key": "fiscal_le_total",
            "left": "fiscal_funded",
            "op": "<=",
            "right": ["patents_granted", "other_ip_granted"],
            "message": "财政资助项目形成的成果不能超过当年取得的成果总数。",
            "message_en": "Achievements from fiscally funded projects cannot exceed the achievements obtained.",
        }
    )
    return definition


# (first report year, title, definition)
TEMPLATES = [
    (2019, "科技成果转化年度报告（2019年起）", _2019),
    (2021, "科技成果转化年度报告（2021年起，增列成果来源）", _with_fiscal_source(_2019)),
]
