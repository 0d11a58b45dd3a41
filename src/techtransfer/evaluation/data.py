"""The default indicator set of a new round (editable afterwards in the back office: indicators are data).

Weights add up to 100 for the positive indicators; complaints weigh 10 with "lower is better" (an institution with
no complaints gets the full 10, the one with the most gets 0), which ranks like a penalty of 10 × share.
(code, label, English label, source, weight, direction)
"""

from decimal import Decimal

DEFAULT_INDICATORS = [
    ("contracts", "促成技术合同数", "Contracts brokered", "contracts_brokered", Decimal("20"), "higher"),
    (
        "tech_amount",
        "促成技术交易额",
        "Technology transaction amount brokered",
        "tech_amount_brokered",
        Decimal("25"),
        "higher",
    ),
    (
        "services",
        "技术咨询与服务合同数",
        "Consulting and service contracts",
        "services_delivered",
        Decimal("10"),
        "higher",
    ),
    ("cases_opened", "对接项目数", "Matchmaking cases opened", "cases_opened", Decimal("5"), "higher"),
    ("cases_converted", "对接成交数", "Matchmaking cases converted", "cases_converted", Decimal("10"), "higher"),
    (
        "brokers",
        "持证技术经纪人/经理人",
        "Certified brokers and managers",
        "certified_brokers",
        Decimal("15"),
        "higher",
    ),
    ("training", "培训学时", "Training delivered (hours)", "training_delivered", Decimal("5"), "higher"),
    ("subsidies", "获得奖补资金", "Subsidies received (yuan)", "subsidies_received", Decimal("10"), "higher"),
    ("complaints", "投诉次数", "Complaints", "complaints", Decimal("10"), "lower"),
]
