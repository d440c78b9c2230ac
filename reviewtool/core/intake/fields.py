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
        ("承担单位", "申报单位", "单位名称", "项目承担单位", "申请单位", "Applicant unit", "Unit"),
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
        ("所在县区", "县区", "所属县区", "所在地区", "县（区）", "County"),
        kind="county",
        width=18,
        hint="从下拉列表选择海东市县区或工业园区。",
    ),
    Field("credit_code", ("统一社会信用代码", "信用代码", "Credit code"), width=20),
    Field("partner_units", ("合作单位", "Partner units"), width=24),
    Field(
        "pi_name",
        ("项目负责人", "负责人", "负责人姓名", "项目负责人姓名", "Project leader", "PI"),
        required=True,
        width=10,
        hint="必填。",
    ),
    Field("pi_title", ("职称", "负责人职称", "项目负责人职称", "Title of PI"), width=12),
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
        ("起止年限", "起止时间", "实施期限", "项目起止时间", "执行期", "Period"),
        kind="period",
        width=20,
        hint="如 2025.01-2026.12 或 2025年1月至2026年12月。",
    ),
    Field("start_date", ("开始时间", "起始年月", "开始年月", "Start"), kind="date", template=False),
    Field("end_date", ("结束时间", "完成时间", "结束年月", "End"), kind="date", template=False),
    Field(
        "total_budget",
        ("总预算", "总投资", "总经费", "项目总经费", "总预算经费", "经费合计", "经费总计", "Total budget"),
        kind="money",
        width=12,
        hint="万元。",
    ),
    Field(
        "requested_amount",
        ("申请经费", "申请专项经费", "申请财政资金", "申请资金", "申请科技经费", "申请财政科技经费", "Requested"),
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
    Field("budget:测试", ("测试化验加工费", "测试费", "Testing"), kind="budget", width=10),
    Field("budget:差旅会议", ("差旅会议费", "差旅费", "会议费", "差旅/会议费", "Travel"), kind="budget", width=10),
    Field("budget:人员", ("人员费", "劳务费", "人员劳务费", "Personnel"), kind="budget", width=10),
    Field("budget:管理费", ("管理费", "间接费用", "Overheads"), kind="budget", width=10),
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


def column_specs() -> list[ColumnSpec]:
    return [ColumnSpec(f.key, f.aliases, required=f.required) for f in FIELDS]


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
