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

# Grounds for not registering (不予登记): the national guidance (科技部火炬中心, 2021-01-13, on the grounds of
# 《技术合同认定规则》 and 《技术合同认定登记管理办法》) and the Civil Code. (code, name, English name, legal basis)
GUIDANCE = "科技部火炬中心 技术合同认定登记不予登记情形 (2021)"
REFUSAL_REASONS = [
    (
        "no_tech_content",
        "非技术合同或无技术内容（如单纯商品、设备买卖，一般建设、加工，常规分析测试）",
        "Not a technology contract: no technical content (e.g. sale of goods or equipment, routine testing)",
        "《技术合同认定规则》; 民法典 art. 843",
    ),
    (
        "not_sellers",
        "标的技术不属于卖方所有或卖方无权处分",
        "The subject matter is not the seller's to give",
        "《技术合同认定规则》; 民法典 art. 862, 870",
    ),
    (
        "illegal_tech",
        "技术或合同目的违法、属禁止交易的技术",
        "Illegal technology or illegal purpose",
        "民法典 art. 153; 《技术合同认定规则》",
    ),
    (
        "monopoly_clauses",
        "含有非法垄断技术、妨碍技术进步等不合理限制条款",
        "Clauses that illegally monopolise technology or hinder technical progress",
        f"民法典 art. 850, 864; {GUIDANCE} (6)",
    ),
    (
        "approval_missing",
        "依法需经有关部门审批或许可（如限制出口技术）而未办理",
        "Administrative approval or licence required by law (e.g. restricted-export technology) not obtained",
        f"民法典 art. 502; 《技术进出口管理条例》; {GUIDANCE} (4)",
    ),
    (
        "invalid_contract",
        "无效合同或未生效的合同",
        "Invalid contract, or a contract not yet in effect",
        f"民法典 art. 143-157, 502; {GUIDANCE} (1)",
    ),
    (
        "unclear_price",
        "合同主体、标的、价款、报酬或使用费及支付方式约定不明确",
        "Unclear parties, subject matter, price, remuneration or payment terms",
        f"{GUIDANCE} (3); 民法典 art. 846",
    ),
    (
        "split_contract",
        "为取得优惠拆分合同",
        "A contract split to obtain benefits",
        "《技术合同认定登记管理办法》; 《技术合同认定规则》 (registration to obtain benefits it does not qualify for)",
    ),
    (
        "oral_form",
        "口头合同（非书面形式）",
        "Oral contract (not in written form)",
        "《技术合同认定登记管理办法》 (口头形式不予受理); 民法典 art. 469, 851, 863",
    ),
    (
        "seal_mismatch",
        "印章不齐全或印章、签字与当事人名称不一致",
        "Seals or signatures missing or not matching the parties",
        f"{GUIDANCE} (8)",
    ),
    (
        "name_mismatch_uncorrected",
        "合同名称与权利义务不一致，经要求补正而未补正",
        "Contract name not matching its rights and duties, not corrected when asked",
        f"{GUIDANCE} (5)",
    ),
    (
        "evidence_missing",
        "未出具或所出具的证明文件不符合要求",
        "Required supporting documents missing or not as required",
        f"{GUIDANCE} (7)",
    ),
    (
        "missing_content",
        "合同缺少必备内容",
        "The contract lacks required content",
        "民法典 art. 470, 845",
    ),
    (
        "false_contract",
        "虚构、伪造技术合同或弄虚作假骗取认定登记",
        "A fictitious or forged contract, or false statements to obtain registration",
        "《技术合同认定登记管理办法》 (弄虚作假、骗取技术合同登记); 民法典 art. 146",
    ),
    # An export to a foreign party of a technology the catalogue prohibits (export-control screening).
    (
        "export_prohibited",
        "属于《中国禁止出口限制出口技术目录》禁止出口的技术",
        "Technology prohibited from export by the catalogue of prohibited and restricted export technologies",
        "《技术进出口管理条例》 art. 32; 《中国禁止出口限制出口技术目录》",
    ),
]

# Grounds whose refusal is entered in the seller's credit record (科技信用): registration sought by deceit or to
# obtain benefits the contract does not qualify for. The others are defects a party can correct.
CREDIT_RECORD_REASONS = ("false_contract", "split_contract")

# Special decision time limits by condition, for every point unless a point sets its own:
# (label, category codes, above amount, days, working days, source)
SPECIAL_TIME_LIMITS = [
    (
        "Large development or transfer contract: expert re-review (大额技术开发、转让合同专家复核)",
        ["development", "transfer"],
        "10000000.00",
        30,
        False,
        "天津市南开区科技局 办事指南 技术合同认定登记 (over ¥10 m development/transfer: expert re-review, 30 days); "
        "《技术合同认定登记管理办法》 30-day ceiling",
    ),
]
