"""Seed rows for the classification tables. Source: the technical-field classification used by the national
technology-market statistics (全国技术市场统计年度报告, 技术领域). Administrators may edit the rows."""

TECH_FIELDS = [
    ("01", "电子信息", "Electronic information"),
    ("02", "航空航天", "Aerospace"),
    ("03", "先进制造", "Advanced manufacturing"),
    ("04", "生物、医药和医疗器械", "Biology, medicine and medical devices"),
    ("05", "新材料及其应用", "New materials and their applications"),
    ("06", "新能源与高效节能", "New energy and energy efficiency"),
    ("07", "环境保护与资源综合利用", "Environmental protection and resource utilization"),
    ("08", "核应用", "Nuclear applications"),
    ("09", "农业", "Agriculture"),
    ("10", "现代交通", "Modern transport"),
    ("11", "城市建设与社会发展", "Urban construction and social development"),
]
