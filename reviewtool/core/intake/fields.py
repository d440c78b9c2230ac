"""The columns of the bureau's application summary sheet, with their aliases.

The first alias of each column is the Chinese header the import template
writes; the others are the variants seen in real sheets and English.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewtool.core.tables.types import ColumnSpec

#: Application attributes entered as plain text (form and import alike).
TEXT_ATTRIBUTES: tuple[str, ...] = (
    "title",
    "category",
    "guide_direction",
    "innovation_type",
    "activity_type",
    "partner_units",
    "pi_name",
    "pi_title",
    "pi_phone",
    "pi_email",
    "contact_name",
    "contact_phone",
)

#: Every application attribute an import row may set, in the order changes are listed.
IMPORTED_ATTRIBUTES: tuple[str, ...] = (
    *TEXT_ATTRIBUTES,
    "team_size",
    "start_date",
    "end_date",
    "total_budget",
    "requested_amount",
    "self_funding",
    "abstract",
)


#: Stored text attributes with their column lengths (storage/models: VARCHAR sizes; Text ones a sane cap).
#: PostgreSQL refuses longer text where SQLite would store it, so every entry path checks these.
TEXT_LIMITS = {
    "number": 64,
    "title": 300,
    "category": 100,
    "guide_direction": 200,
    "innovation_type": 64,
    "activity_type": 64,
    "partner_units": 2000,
    "pi_name": 64,
    "pi_title": 64,
    "pi_phone": 32,
    "pi_email": 120,
    "contact_name": 64,
    "contact_phone": 32,
    "abstract": 20000,
    "unit": 200,
    "unit_name": 200,
    "credit_code": 32,
}
#: The national rule some calls apply (a batch check that warns): 项目名称 ≤ 30 汉字, 承担单位 ≤ 20 汉字.
TITLE_RULE_LENGTH = 30
UNIT_RULE_LENGTH = 20


@dataclass(frozen=True)
class Field:
    key: str
    aliases: tuple[str, ...]
    required: bool = False
    kind: str = "text"  # text, money, int, date, period, area, areas, county, unit_type, budget, output
    template: bool = True  # written as a column of the blank template
    width: int = 14
    hint: str = ""  # the instructions sheet's note (Chinese; the template is a Chinese document)

    @property
    def header(self) -> str:
        return self.aliases[0]


FIELDS: tuple[Field, ...] = (
    Field(
        "number",
        ("申报编号", "项目编号", "编号", "受理编号", "Application No.", "Number"),
        width=14,
        hint="由科技局编号；留空时导入自动编号。同一批次内不能重复。",
    ),
    Field(
        "title",
        ("项目名称", "名称", "课题名称", "项目全称", "Project title", "Title"),
        required=True,
        width=40,
        hint="必填。",
    ),
    Field(
        "category",
        ("计划类别", "项目类别", "类别", "计划类型", "Category"),
        width=16,
        hint="从下拉列表选择，或填写其他类别。",
    ),
    Field("guide_direction", ("指南方向", "申报方向", "指南代码", "Guide direction"), width=18),
    Field(
        "area",
        ("所属领域", "重点领域", "领域", "所属重点领域", "领域代码", "Priority area"),
        kind="area",
        width=22,
        hint="填写“十四五”规划领域代码（如 HD-I05）或名称；留空时按标题和摘要给出建议领域（标记为“建议”）。",
    ),
    Field(
        "secondary_areas",
        ("次要领域", "其他领域", "相关领域", "Secondary areas"),
        kind="areas",
        width=18,
        hint="可填多个代码，用逗号或顿号分隔。",
    ),
    Field("innovation_type", ("创新类型", "Innovation type"), width=12),
    Field("activity_type", ("活动类型", "Activity type"), width=12),
    Field(
        "unit",
        (
            "承担单位",
            "申报单位",
            "依托单位",
            "单位名称",
            "项目承担单位",
            "申请单位",
            "项目申报单位",
            "项目依托单位",
            "项目第一承担单位",
            "第一承担单位",
            "Applicant unit",
            "Unit",
        ),
        required=True,
        width=30,
        hint="必填。填写法人单位全称。",
    ),
    Field(
        "unit_type",
        ("单位类型", "单位性质", "Unit type"),
        kind="unit_type",
        width=12,
        hint="企业、高校、科研院所或其他；留空时按单位名称判断。",
    ),
    Field(
        "county",
        ("所在县区", "县区", "所属县区", "所在地区", "县（区）", "所在县", "所属县", "所在县市区", "所在地", "County"),
        kind="county",
        width=18,
        hint="从下拉列表选择海东市县区或工业园区。",
    ),
    Field("credit_code", ("统一社会信用代码", "信用代码", "Credit code"), width=20),
    Field("partner_units", ("合作单位", "参与单位", "协作单位", "合作单位名称", "Partner units"), width=24),
    Field(
        "pi_name",
        ("项目负责人", "负责人", "负责人姓名", "项目负责人姓名", "Project leader", "PI"),
        required=True,
        width=10,
        hint="必填。",
    ),
    Field("pi_title", ("职称", "负责人职称", "项目负责人职称", "职称/职务", "职务", "Title of PI"), width=12),
    Field(
        "pi_phone",
        ("负责人电话", "联系电话", "手机", "负责人手机", "项目负责人电话", "项目负责人手机", "Phone"),
        width=14,
    ),
    Field("pi_email", ("电子邮箱", "邮箱", "负责人邮箱", "项目负责人邮箱", "Email"), width=20),
    Field("contact_name", ("联系人", "项目联系人", "联系人姓名", "Contact"), width=10),
    Field("contact_phone", ("联系人电话", "联系人手机", "Contact phone"), width=14),
    Field("team_size", ("团队人数", "项目组人数", "参与人数", "Team size"), kind="int", width=10),
    Field(
        "period",
        (
            "起止年限",
            "起止时间",
            "实施期限",
            "项目起止时间",
            "执行期",
            "协议执行期",
            "项目执行期",
            "实施年限",
            "Period",
        ),
        kind="period",
        width=20,
        hint="如 2025.01-2026.12 或 2025年1月至2026年12月。",
    ),
    Field("start_date", ("开始时间", "起始年月", "开始年月", "Start"), kind="date", template=False),
    Field("end_date", ("结束时间", "完成时间", "结束年月", "End"), kind="date", template=False),
    Field(
        "total_budget",
        (
            "总预算",
            "总投资",
            "总经费",
            "项目总经费",
            "项目总投资",
            "总预算经费",
            "经费合计",
            "经费总计",
            "Total budget",
        ),
        kind="money",
        width=12,
        hint="万元。",
    ),
    Field(
        "requested_amount",
        (
            "申请经费",
            "申请专项经费",
            "申请财政资金",
            "申请资金",
            "申请科技经费",
            "申请财政科技经费",
            "资助金额",
            "申请资助金额",
            "申请市财政资金",
            "申请市级财政资金",
            "市级财政补助",
            "申请财政补助",
            "财政补助资金",
            "申请市财政科技资金",
            "Requested",
        ),
        required=True,
        kind="money",
        width=12,
        hint="必填，万元，可填 12.5 或 “12.5万元”。",
    ),
    Field(
        "self_funding",
        ("自筹经费", "自筹资金", "单位自筹", "配套经费", "Self-funding"),
        kind="money",
        width=12,
        hint="万元。",
    ),
    Field("budget:设备", ("设备费", "设备购置费", "Equipment"), kind="budget", width=10),
    Field("budget:材料", ("材料费", "Materials"), kind="budget", width=10),
    Field("budget:测试", ("测试化验加工费", "测试化验费", "测试费", "Testing"), kind="budget", width=10),
    Field("budget:燃料动力", ("燃料动力费", "Fuel and power"), kind="budget", width=10, template=False),
    Field("budget:差旅会议", ("差旅会议费", "差旅费", "会议费", "差旅/会议费", "Travel"), kind="budget", width=10),
    Field(
        "budget:国际合作交流",
        ("国际合作与交流费", "国际合作交流费", "International cooperation"),
        kind="budget",
        width=10,
        template=False,
    ),
    Field(
        "budget:出版知识产权",
        (
            "出版/文献/信息传播/知识产权事务费",
            "出版文献信息传播知识产权事务费",
            "知识产权事务费",
            "出版费",
            "Publication",
        ),
        kind="budget",
        width=10,
        template=False,
    ),
    Field("budget:人员", ("人员费", "劳务费", "人员劳务费", "Personnel"), kind="budget", width=10),
    Field("budget:专家咨询", ("专家咨询费", "Expert consultation"), kind="budget", width=10, template=False),
    Field("budget:其他", ("其他费用", "其他支出", "Other costs"), kind="budget", width=10, template=False),
    Field("budget:管理费", ("管理费", "间接费用", "Overheads"), kind="budget", width=10),
    Field("budget:绩效支出", ("绩效支出", "Performance"), kind="budget", width=10, template=False),
    Field("output:发明专利", ("发明专利", "专利", "Patents"), kind="output", width=9),
    Field("output:技术标准", ("技术标准", "标准", "Standards"), kind="output", width=9),
    Field("output:新产品", ("新产品", "新产品新品种新工艺", "New products"), kind="output", width=9),
    Field("output:新品种", ("新品种", "New varieties"), kind="output", width=9),
    Field("output:新工艺", ("新工艺", "New processes"), kind="output", width=9),
    Field("output:论文", ("论文", "发表论文", "Papers"), kind="output", width=9),
    Field("output:技术合同交易额", ("技术合同交易额", "Technology contracts"), kind="output", width=12),
    Field("output:人才培养", ("人才培养", "培养人才", "Training"), kind="output", width=9),
    Field(
        "output:示范推广面积", ("示范推广面积", "推广面积", "示范面积", "Demonstration area"), kind="output", width=12
    ),
    Field(
        "abstract",
        ("主要研究内容", "研究内容", "项目简介", "摘要", "项目摘要", "主要内容", "Abstract"),
        width=50,
        hint="300 字以内，用于建议所属领域。",
    ),
)

FIELDS_BY_KEY = {field.key: field for field in FIELDS}


#: Field kinds several columns may feed, their amounts summed: 差旅费 and 会议费 side by side both feed
#: 差旅会议; 单位自筹 and 配套经费 both feed 自筹经费. A text field found twice keeps its later columns
#: as extra fields instead.
SUMMED_KINDS = ("budget", "money")


def column_specs() -> list[ColumnSpec]:
    """The import's header rules: every field with its aliases; money and budget lines repeatable (summed)."""
    return [ColumnSpec(f.key, f.aliases, required=f.required, repeatable=f.kind in SUMMED_KINDS) for f in FIELDS]


#: Header words that make a header mean something else than the field its text names:
#: 所属领域(学科) is a discipline, not the plan's priority area. Such a header is asked about.
AMBIGUOUS_MARKERS: dict[str, tuple[str, ...]] = {
    "area": ("学科", "行业", "技术领域", "专业"),
    "secondary_areas": ("学科", "行业", "技术领域", "专业"),
}

#: What a mapping may name besides a field: ignore the column, or keep it as an extra field.
IGNORE, EXTRA = "__ignore__", "__extra__"
MAPPING_TARGET_WORDS = {
    IGNORE: ("忽略", "不导入", "ignore", "skip"),
    EXTRA: ("保留为附加信息", "附加信息", "附加字段", "extra", "keep"),
}


def resolve_target(text: str) -> str | None:
    """A mapping's FIELD: a field key, the template's Chinese label (or any alias), or ignore/extra."""
    value = text.strip()
    if value in FIELDS_BY_KEY:
        return value
    lowered = value.lower()
    for target, words in MAPPING_TARGET_WORDS.items():
        if lowered in words:
            return target
    from reviewtool.core.tables.text import normalise_header

    wanted = normalise_header(value)
    for field in FIELDS:
        if normalise_header(field.header) == wanted:
            return field.key
    for field in FIELDS:
        if any(normalise_header(alias) == wanted for alias in field.aliases):
            return field.key
    return None


#: Haidong's county-level units (DOMAIN.md) and the short forms clerks write.
COUNTIES: tuple[str, ...] = (
    "平安区",
    "乐都区",
    "民和回族土族自治县",
    "互助土族自治县",
    "化隆回族自治县",
    "循化撒拉族自治县",
    "海东工业园区",
    "海东市本级",
)

COUNTY_ALIASES: dict[str, str] = {
    "平安": "平安区",
    "平安县": "平安区",
    "乐都": "乐都区",
    "乐都县": "乐都区",
    "民和": "民和回族土族自治县",
    "民和县": "民和回族土族自治县",
    "互助": "互助土族自治县",
    "互助县": "互助土族自治县",
    "化隆": "化隆回族自治县",
    "化隆县": "化隆回族自治县",
    "循化": "循化撒拉族自治县",
    "循化县": "循化撒拉族自治县",
    "工业园区": "海东工业园区",
    "海东工业园": "海东工业园区",
    "园区": "海东工业园区",
    "市本级": "海东市本级",
    "海东市": "海东市本级",
    "市直": "海东市本级",
}

#: Plan categories (计划类别) offered by the template's drop-down; other text is accepted.
CATEGORIES: tuple[str, ...] = (
    "重点研发与转化计划",
    "科技成果转化专项",
    "农业科技创新",
    "社会发展科技计划",
    "基础研究计划",
    "科技创新平台建设",
    "科技人才专项",
    "科技服务与合作",
)

UNIT_TYPE_WORDS = {
    "enterprise": ("企业", "公司", "有限公司", "合作社", "厂"),
    "university": ("高校", "大学", "学院", "职业技术学院"),
    "institute": ("科研院所", "研究所", "研究院", "研究中心", "院所", "农科院", "推广站", "推广中心"),
    "other": ("其他", "事业单位", "医院", "学校", "政府", "协会", "站"),
}
