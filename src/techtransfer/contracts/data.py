"""Seed rows of the contract classification tables (loaded by a data migration; administrators may edit them).

Sources:
- categories and subcategories: Civil Code of the PRC (民法典, 2021) book III chapter 20 "技术合同" (technology
  development, transfer, licence, consulting and service contracts; transfer and licence are separate since 2021)
  and 《技术合同认定规则》 (国科发政字〔2001〕253号) for the kinds of consulting and service;
- IP types: the classification of the national technology-market statistics (全国技术市场统计年度报告);
- social-economic objectives: the objective classification used in the technology-market statistics
  (社会经济目标) — *to be checked against the current statistical form*, hence editable data;
- refusal reasons: 《技术合同认定规则》 (cases that are not technology contracts or may not be registered) and
  《技术合同认定登记管理办法》 (written form only).
"""

# (code, name, English name, needs expert re-review when large)
CATEGORIES = [
    ("development", "技术开发", "Technology development", True),
    ("transfer", "技术转让", "Technology transfer", True),
    ("licence", "技术许可", "Technology licence", False),
    ("consulting", "技术咨询", "Technology consulting", False),
    ("service", "技术服务", "Technology service", False),
]

# (code, category code, name, English name)
SUBCATEGORIES = [
    ("dev_commissioned", "development", "委托开发", "Commissioned development"),
    ("dev_cooperative", "development", "合作开发", "Cooperative development"),
    ("tr_patent", "transfer", "专利权转让", "Patent right transfer"),
    ("tr_patent_app", "transfer", "专利申请权转让", "Patent application right transfer"),
    ("tr_secret", "transfer", "技术秘密转让", "Technical secret transfer"),
    ("tr_other", "transfer", "其他技术转让", "Other technology transfer"),
    ("lic_patent", "licence", "专利实施许可", "Patent implementation licence"),
    ("lic_secret", "licence", "技术秘密使用许可", "Technical secret use licence"),
    ("lic_other", "licence", "其他技术许可", "Other technology licence"),
    ("con_feasibility", "consulting", "可行性论证", "Feasibility study"),
    ("con_forecast", "consulting", "技术预测", "Technical forecast"),
    ("con_investigation", "consulting", "专题技术调查", "Special technical investigation"),
    ("con_evaluation", "consulting", "分析评价报告", "Analysis and evaluation report"),
    ("svc_general", "service", "一般技术服务", "Ordinary technical service"),
    ("svc_training", "service", "技术培训", "Technical training"),
    ("svc_intermediary", "service", "技术中介", "Technology intermediary"),
]

IP_TYPES = [
    ("patent", "专利", "Patent"),
    ("software", "计算机软件著作权", "Computer software copyright"),
    ("secret", "技术秘密", "Technical secret"),
    ("ic_layout", "集成电路布图设计", "Integrated circuit layout design"),
    ("plant_variety", "植物新品种", "New plant variety"),
    ("biomed_variety", "生物医药新品种", "New biomedical variety"),
    ("none", "未涉及知识产权", "No intellectual property involved"),
]

OBJECTIVES = [
    ("agriculture", "农林牧渔业发展", "Development of agriculture, forestry, animal husbandry and fishery"),
    ("industry", "促进工业发展", "Promotion of industrial development"),
    ("energy", "能源生产、分配和合理利用", "Production, distribution and rational use of energy"),
    ("infrastructure", "基础设施以及城市和农村规划", "Infrastructure and urban and rural planning"),
    ("environment", "环境保护、生态建设及污染防治", "Environmental protection, ecology and pollution control"),
    ("health", "卫生事业发展", "Health"),
    ("education", "教育事业发展", "Education"),
    ("society", "社会发展和社会服务", "Social development and social services"),
    ("earth_space", "地球和大气层的探索与利用", "Exploration and use of the earth and atmosphere"),
    ("civil_space", "民用空间探测及开发", "Civil space exploration"),
    ("other", "其他民用目标", "Other civil objectives"),
]

# (code, name, English name)
REFUSAL_REASONS = [
    (
        "no_tech_content",
        "无技术内容（如单纯商品或设备买卖、一般建设或加工、无技术问题的常规分析测试）",
        "No technical content (e.g. sale of goods or equipment, ordinary construction, routine testing)",
    ),
    ("not_sellers", "标的技术不属于卖方所有或无权处分", "The subject matter is not the seller's to give"),
    ("illegal_tech", "技术违法或属禁止交易的技术", "Illegal technology"),
    ("unclear_price", "价款、报酬或使用费及支付方式不明确", "Unclear price or payment terms"),
    ("split_contract", "为取得优惠而拆分合同", "A contract split to obtain benefits"),
    ("oral_form", "口头合同（非书面形式）", "Oral contract (not in written form)"),
    ("missing_content", "合同缺少必备内容", "The contract lacks required content"),
]
