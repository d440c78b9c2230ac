"""The shipped plan taxonomies (resources/plans/*.yaml) and their loader."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from reviewtool import i18n
from reviewtool.core.taxonomy import (
    AREA_KINDS,
    PlanEditionSpec,
    TaxonomyError,
    load_edition,
    parse_edition,
    shipped_edition_files,
    shipped_editions,
)

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
HAIDONG_SEED = "000_1c683158ef9b2301.txt"
QINGHAI_SEED = "001_a88ea1af02db9414.txt"
#: Beside the plan files, for each: the hash of its plan text and its own hash when it was
#: last checked word for word against that text (written by scripts/record_plan_sources.py).
SOURCES_RECORD = "SOURCES.json"
NO_SEEDS = (
    f"plan texts not available at {SEEDS} (this clone does not sit beside ../shared); "
    "the plan files are checked against the hashes in resources/plans/SOURCES.json instead"
)
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=NO_SEEDS)

#: Every title, in file order, copied from the plans by hand.
HAIDONG_TITLES = {
    "HD-D1": "科技促进生态环境保护",
    "HD-I01": "科技助力生态环境保护与修复",
    "HD-I02": "加强水生态修复技术创新与示范",
    "HD-I03": "创新推动生态系统监测评估体系建设",
    "HD-C1-1": "环境信息化监测技术研发与应用",
    "HD-C1-2": "科技支撑湟水规模化林场建设",
    "HD-C1-3": "科技助力生态文明建设",
    "HD-C1-4": "开展水源地科学保护技术攻关",
    "HD-D2": "科技引领绿色农业发展",
    "HD-I04": "农作物高产优质栽培与高效利用技术引进与创新",
    "HD-I05": "特色养殖业高效生产与精深加工技术研发",
    "HD-I06": "智慧农牧业关键技术研究与示范",
    "HD-I07": "科技助力化肥农药减量增效绿色生产",
    "HD-C2-1": "科技支撑特色经济作物种植及示范推广",
    "HD-C2-2": "特色产业基地建设",
    "HD-C2-3": "科技引导富硒产业高质量发展",
    "HD-C2-4": "智慧农业“互联网+”建设",
    "HD-C2-5": "科技助力农牧业科技观测试验站建设",
    "HD-D3": "科技支撑绿色低碳工业壮大",
    "HD-I08": "推动传统制造业关键技术集成创新与示范",
    "HD-I09": "战略新兴产业技术集成创新与推广示范",
    "HD-I10": "科技助力特色轻工产业高质量发展",
    "HD-I11": "打造全链条的科技服务业体系",
    "HD-C3-1": "优化大型多功能模锻压机加工制造技术",
    "HD-C3-2": "科技支撑新能源产业发展",
    "HD-C3-3": "智能管材压机研发与应用",
    "HD-C3-4": "420KA 电解槽双阴极钢棒制造技术创新",
    "HD-C3-5": "科技支撑碳化硅产业技术转型升级",
    "HD-C3-6": "制造业关键技术创新",
    "HD-D4": "科技扶持改善民生福祉",
    "HD-I12": "科技引领高原生态型城市建设",
    "HD-I13": "科技创新推动文旅融合发展",
    "HD-I14": "高原病防治关键技术研究与示范",
    "HD-C4-1": "科技支撑农业园区一二三产融合产业发展",
    "HD-C4-2": "科技支撑医疗产业发展",
    "HD-C4-3": "加强农村信息化技术研发与应用",
    "HD-C4-4": "科技助力绿色建筑发展",
    "HD-K1": "科技创新推进生态环境保护",
    "HD-K2": "科技创新引领产业高质量发展",
    "HD-K3": "科技创新助力高品质生活",
    "HD-S1": "科技支撑服务体系能力建设",
    "HD-S2": "科技支撑加强成果转化力度",
    "HD-S3": "科技支撑创新人才队伍建设",
    "HD-S4": "科技支撑对外合作与交流",
    "HD-S5": "科技支撑区域创新能力提升",
    "HD-T1": "R&D 投入强度",
    "HD-T2": "财政科技投入比重",
    "HD-T3": "科技创新平台",
    "HD-T4": "科技创新型人才",
    "HD-T5": "高新技术企业",
    "HD-T6": "科技型企业",
    "HD-T7": "取得科技成果",
    "HD-T8": "技术合同交易额",
}

QINGHAI_TITLES = {
    "QH-E1": "生态价值转化专项",
    "QH-E1-1": "生态价值评价体系建设及关键技术",
    "QH-E1-2": "生态产品价值转化路径关键技术",
    "QH-E1-3": "青藏高原陆地生态系统碳循环机理研究",
    "QH-E1-4": "基于物质循环的固碳途径关键技术",
    "QH-E2": "国家公园建设专项",
    "QH-E2-1": "国家公园原真性和完整性保护关键技术",
    "QH-E2-2": "国家公园全息展示服务平台建设与示范",
    "QH-E2-3": "重点生态功能区保护、修复与建设关键技术",
    "QH-E2-4": "气候变化影响评估及应对策略研究",
    "QH-T1": "全社会研发经费支出占国内生产总值的比重（R&D/GDP）",
    "QH-T2": "规模以上工业企业中有研发活动企业占比",
    "QH-T3": "企业R&D经费支出占全社会R&D经费支出比重",
    "QH-T4": "每万名就业人员中研发人员数",
    "QH-T5": "技术合同交易额",
    "QH-T6": "每万人口发明专利拥有量",
    "QH-T7": "高新技术企业数量",
    "QH-T8": "国家级创新平台数量",
    "QH-T9": "公民具备科学素质的比例",
}

CODE_PATTERNS = {
    "direction": r"HD-D[1-4]",
    "industry": r"HD-I(0[1-9]|1[0-4])",
    "column_task": r"HD-C[1-4]-[1-6]",
    "key_task": r"HD-K[1-3]",
    "support": r"HD-S[1-5]",
    "special": r"QH-E[12]",
    "special_task": r"QH-E[12]-[1-4]",
    "target": r"(HD-T[1-8]|QH-T[1-9])",
}


@pytest.fixture(scope="module")
def editions() -> dict[str, PlanEditionSpec]:
    return {edition.code: edition for edition in shipped_editions()}


@pytest.fixture(scope="module")
def haidong(editions: dict[str, PlanEditionSpec]) -> PlanEditionSpec:
    return editions["haidong-14"]


@pytest.fixture(scope="module")
def qinghai(editions: dict[str, PlanEditionSpec]) -> PlanEditionSpec:
    return editions["qinghai-14"]


@pytest.fixture
def english():
    """Check message wording in the source language, then restore the language."""
    previous = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(previous)


def codes(edition: PlanEditionSpec, kind: str) -> list[str]:
    return [area.code for area in edition.areas if area.kind == kind]


# --------------------------------------------------------------------------
# Shipped files


def test_shipped_files_and_editions(editions: dict[str, PlanEditionSpec]) -> None:
    assert [path.name for path in shipped_edition_files()] == ["haidong-14.yaml", "qinghai-14.yaml"]
    assert sorted(editions) == ["haidong-14", "qinghai-14"]


def test_files_hold_real_chinese_text() -> None:
    for path in shipped_edition_files():
        text = path.read_text(encoding="utf-8")
        assert "\\u" not in text and "\\x" not in text, path.name
        assert "科技" in text


def test_edition_metadata(haidong: PlanEditionSpec, qinghai: PlanEditionSpec) -> None:
    assert (haidong.title, haidong.issuer, haidong.period) == (
        "海东市“十四五”科技创新发展规划",
        "海东市人民政府",
        "十四五",
    )
    assert haidong.published == date(2022, 4, 19)
    assert haidong.source == HAIDONG_SEED
    assert (qinghai.title, qinghai.issuer, qinghai.period) == (
        "青海省“十四五”科技创新规划",
        "青海省科学技术厅",
        "十四五",
    )
    assert qinghai.published == date(2021, 12, 1)
    assert qinghai.published_text == "2021年12月"
    assert qinghai.source == QINGHAI_SEED


def test_haidong_counts_and_hierarchy(haidong: PlanEditionSpec) -> None:
    assert codes(haidong, "direction") == ["HD-D1", "HD-D2", "HD-D3", "HD-D4"]
    assert len(codes(haidong, "industry")) == 14
    assert len(codes(haidong, "column_task")) == 19
    assert codes(haidong, "key_task") == ["HD-K1", "HD-K2", "HD-K3"]
    assert codes(haidong, "support") == [f"HD-S{n}" for n in range(1, 6)]
    assert codes(haidong, "target") == [f"HD-T{n}" for n in range(1, 9)]
    assert {area.kind for area in haidong.areas} <= set(AREA_KINDS)

    by_code = haidong.by_code()
    expected_direction = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 3, 11: 3, 12: 4, 13: 4, 14: 4}
    for number, direction in expected_direction.items():
        assert by_code[f"HD-I{number:02d}"].parent == f"HD-D{direction}"

    for direction, count in {1: 4, 2: 5, 3: 6, 4: 4}.items():
        tasks = [area for area in haidong.areas if area.code.startswith(f"HD-C{direction}-")]
        assert [area.code for area in tasks] == [f"HD-C{direction}-{n}" for n in range(1, count + 1)]
        assert {area.kind for area in tasks} == {"column_task"}
        assert {area.parent for area in tasks} == {f"HD-D{direction}"}
        column = tasks[0].attributes["column"]
        assert re.fullmatch(rf"专栏 {direction} \S+方向重点任务", column)
        assert all(area.attributes == {"column": column} for area in tasks)
    assert by_code["HD-C1-1"].attributes["column"] == "专栏 1 科技促进生态环境保护方向重点任务"

    for area in haidong.areas:
        if area.kind not in ("industry", "column_task"):
            assert area.parent is None, area.code
    direction_children = [area.code for area in haidong.children("HD-D3")]
    assert direction_children == ["HD-I08", "HD-I09", "HD-I10", "HD-I11"] + [f"HD-C3-{n}" for n in range(1, 7)]


def test_qinghai_counts_and_hierarchy(qinghai: PlanEditionSpec) -> None:
    assert codes(qinghai, "special") == ["QH-E1", "QH-E2"]
    for special in ("QH-E1", "QH-E2"):
        children = qinghai.children(special)
        assert [area.code for area in children] == [f"{special}-{n}" for n in range(1, 5)]
        assert {area.kind for area in children} == {"special_task"}
    assert codes(qinghai, "target") == [f"QH-T{n}" for n in range(1, 10)]
    assert [area.code for area in qinghai.children(None)] == ["QH-E1", "QH-E2"] + codes(qinghai, "target")


def test_codes_follow_their_patterns(editions: dict[str, PlanEditionSpec]) -> None:
    for edition in editions.values():
        for position, area in enumerate(edition.areas):
            assert re.fullmatch(CODE_PATTERNS[area.kind], area.code), area.code
            assert area.position == position
            if area.parent is not None:
                assert edition.by_code()[area.parent].position < area.position


def test_titles_match_the_expected_list(haidong: PlanEditionSpec, qinghai: PlanEditionSpec) -> None:
    assert {area.code: area.title for area in haidong.areas} == HAIDONG_TITLES
    assert [area.code for area in haidong.areas] == list(HAIDONG_TITLES)
    assert {area.code: area.title for area in qinghai.areas} == QINGHAI_TITLES
    assert [area.code for area in qinghai.areas] == list(QINGHAI_TITLES)
    for title in [*HAIDONG_TITLES.values(), *QINGHAI_TITLES.values()]:
        assert not re.match(r"^(\d+\.|（[一二三四五六七八九十]+）|专栏)", title), title
        assert not title.endswith("。"), title
        assert title == title.strip()


def test_descriptions_are_present(editions: dict[str, PlanEditionSpec]) -> None:
    for edition in editions.values():
        for area in edition.areas:
            assert area.description, area.code
            assert "— " not in area.description, area.code
    haidong = editions["haidong-14"].by_code()
    assert haidong["HD-D1"].description.startswith("科技创新要围绕实施黄河流域生态保护")
    assert "国家农业高新技术产业示范区" in haidong["HD-D2"].description
    assert haidong["HD-I09"].description.count("\n") == 1  # item 9 has two paragraphs
    assert "\n1. 绿色有机农业\n" in haidong["HD-K2"].description
    assert "5G、VR虚拟技术" in haidong["HD-K3"].description


def test_haidong_target_attributes(haidong: PlanEditionSpec) -> None:
    by_code = haidong.by_code()
    assert dict(by_code["HD-T1"].attributes) == {
        "group": "科技创新投入",
        "unit": "%",
        "baseline": "0.09",
        "target": "0.15",
        "nature": "预期性",
    }
    assert dict(by_code["HD-T2"].attributes) == {
        "group": "科技创新投入",
        "unit": "%",
        "baseline": "1",
        "target": "1.5",
        "nature": "约束性",
    }
    assert by_code["HD-T4"].attributes["unit"] == "人"
    assert by_code["HD-T7"].attributes["group"] == "创新产出"
    assert by_code["HD-T8"].attributes["baseline"] is None
    assert by_code["HD-T8"].attributes["unit"] == "亿元"
    groups = [by_code[f"HD-T{n}"].attributes["group"] for n in range(1, 9)]
    assert groups == ["科技创新投入"] * 2 + ["科技创新能力"] * 4 + ["创新产出"] * 2
    for n in range(1, 9):
        attributes = by_code[f"HD-T{n}"].attributes
        assert attributes["nature"] in ("约束性", "预期性")
        assert isinstance(attributes["target"], str)


def test_qinghai_target_row(qinghai: PlanEditionSpec) -> None:
    row = qinghai.by_code()["QH-T4"]
    assert row.title == "每万名就业人员中研发人员数"
    assert dict(row.attributes) == {
        "group": None,
        "unit": "人/万人",
        "baseline": "23.66",
        "target": "30",
        "nature": "预期性",
    }
    assert qinghai.by_code()["QH-T1"].attributes["target"] == "1.0"


# --------------------------------------------------------------------------
# Word for word against the plan texts


def normalised_seed(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(NO_SEEDS)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^\s*—\s*\d+\s*—\s*$", "", text)
    return squeeze(text)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_seeds
@pytest.mark.parametrize(("code", "seed"), [("haidong-14", HAIDONG_SEED), ("qinghai-14", QINGHAI_SEED)])
def test_word_for_word_against_the_plan(editions: dict[str, PlanEditionSpec], code: str, seed: str) -> None:
    text = normalised_seed(seed)
    for area in editions[code].areas:
        assert squeeze(area.title) in text, area.code
        if area.kind == "target":
            attributes = area.attributes
            for key in ("unit", "baseline", "target"):
                value = attributes[key]
                assert squeeze(value if value is not None else "——") in text, (area.code, key)
            baseline = attributes["baseline"] if attributes["baseline"] is not None else "——"
            if code == "haidong-14":
                row = f"{area.title}（{attributes['unit']}）{baseline}{attributes['target']}{attributes['nature']}"
            else:
                row = f"{area.title}{attributes['unit']}{baseline}{attributes['target']}"
            assert squeeze(row) in text, area.code
        else:
            assert squeeze(area.description) in text, area.code
        if area.kind == "column_task":
            assert squeeze(area.attributes["column"]) in text
            assert squeeze(f"{area.title}：{area.description}") in text, area.code
        if area.kind == "special_task":
            assert squeeze(f"{area.title}。{area.description}") in text, area.code


# --------------------------------------------------------------------------
# Recorded hashes: the check above, carried to clones without the plan texts


def text_sha256(path: Path) -> str:
    """sha256 of the UTF-8 text with \\n line endings (as scripts/record_plan_sources.py computes it)."""
    return hashlib.sha256(path.read_bytes().decode("utf-8").replace("\r\n", "\n").encode("utf-8")).hexdigest()


def recorded_sources() -> dict[str, dict[str, str]]:
    record = shipped_edition_files()[0].parent / SOURCES_RECORD
    return json.loads(record.read_text(encoding="utf-8"))["plans"]


def test_every_plan_file_is_recorded_with_its_plan_text() -> None:
    record = recorded_sources()
    files = shipped_edition_files()
    assert sorted(record) == [path.name for path in files], "run python scripts/record_plan_sources.py"
    for path in files:
        edition = load_edition(path)
        assert (record[path.name]["edition"], record[path.name]["source"]) == (edition.code, edition.source)


def test_plan_files_are_unchanged_since_they_were_checked_against_the_texts() -> None:
    """Runs everywhere: a plan file edited without checking it again fails in every clone."""
    folder = shipped_edition_files()[0].parent
    changed = [name for name, entry in recorded_sources().items() if text_sha256(folder / name) != entry["plan_sha256"]]
    assert changed == [], (
        f"{changed} changed since they were checked word for word against the plan texts: in a clone beside "
        "../shared run `python scripts/record_plan_sources.py` (it runs the check, then records the new hashes)"
    )


@needs_seeds
def test_plan_texts_are_the_ones_recorded() -> None:
    changed = [
        entry["source"]
        for entry in recorded_sources().values()
        if text_sha256(SEEDS / entry["source"]) != entry["source_sha256"]
    ]
    assert changed == [], f"the plan texts {changed} differ from the ones the plan files were checked against"


def test_the_hash_ignores_windows_line_endings(tmp_path: Path) -> None:
    unix, windows = tmp_path / "unix.yaml", tmp_path / "windows.yaml"
    unix.write_bytes("areas:\n  - 科技\n".encode())
    windows.write_bytes("areas:\r\n  - 科技\r\n".encode())
    assert text_sha256(unix) == text_sha256(windows)


# --------------------------------------------------------------------------
# Validation


def valid_data() -> dict:
    return {
        "edition": {
            "code": "test-1",
            "title": "测试规划",
            "issuer": "测试单位",
            "period": "十四五",
            "published": date(2022, 1, 1),
            "source": None,
        },
        "areas": [
            {"code": "A", "kind": "direction", "title": "方向", "parent": None, "description": "说明"},
            {"code": "A-1", "kind": "industry", "title": "产业", "parent": "A", "description": "说明"},
            {"code": "B", "kind": "target", "title": "指标", "parent": None, "attributes": {"unit": "%"}},
        ],
    }


def write(tmp_path: Path, data: dict, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_valid_data_loads(tmp_path: Path) -> None:
    edition = load_edition(write(tmp_path, valid_data()))
    assert [area.code for area in edition.areas] == ["A", "A-1", "B"]
    assert edition.children("A")[0].title == "产业"
    assert edition.by_code()["B"].description == ""
    assert edition.by_code()["B"].attributes == {"unit": "%"}


def _break_unknown_top_level(data: dict) -> str:
    data["extra"] = 1
    return "extra"


def _break_unknown_edition_key(data: dict) -> str:
    data["edition"]["publisher"] = "x"
    return "publisher"


def _break_unknown_area_key(data: dict) -> str:
    data["areas"][1]["colour"] = "red"
    return "A-1"


def _break_duplicate_code(data: dict) -> str:
    data["areas"][2]["code"] = "A-1"
    return "A-1"


def _break_missing_title(data: dict) -> str:
    del data["areas"][1]["title"]
    return "A-1"


def _break_empty_title(data: dict) -> str:
    data["areas"][1]["title"] = "  "
    return "A-1"


def _break_missing_code(data: dict) -> str:
    del data["areas"][2]["code"]
    return "#3"


def _break_missing_kind(data: dict) -> str:
    del data["areas"][0]["kind"]
    return "A"


def _break_unknown_kind(data: dict) -> str:
    data["areas"][2]["kind"] = "programme"
    return "programme"


def _break_unknown_parent(data: dict) -> str:
    data["areas"][1]["parent"] = "Z"
    return "A-1"


def _break_parent_after_child(data: dict) -> str:
    data["areas"].reverse()
    return "A-1"


def _break_parent_cycle(data: dict) -> str:
    data["areas"][0]["parent"] = "A-1"
    return "A"


def _break_self_parent(data: dict) -> str:
    data["areas"][2]["parent"] = "B"
    return "B"


def _break_description_type(data: dict) -> str:
    data["areas"][0]["description"] = ["说明"]
    return "A"


def _break_missing_edition_code(data: dict) -> str:
    del data["edition"]["code"]
    return "code"


@pytest.mark.parametrize(
    ("breaker", "words"),
    [
        (_break_unknown_top_level, "unknown top-level key"),
        (_break_unknown_edition_key, "unknown key"),
        (_break_unknown_area_key, "unknown key 'colour'"),
        (_break_duplicate_code, "duplicate code"),
        (_break_missing_title, "missing or empty title"),
        (_break_empty_title, "missing or empty title"),
        (_break_missing_code, "missing or empty code"),
        (_break_missing_kind, "missing or empty kind"),
        (_break_unknown_kind, "unknown kind"),
        (_break_unknown_parent, "parent Z does not exist"),
        (_break_parent_after_child, "must be listed before its child"),
        (_break_parent_cycle, "parent cycle"),
        (_break_self_parent, "parent cycle"),
        (_break_description_type, "description must be text"),
        (_break_missing_edition_code, "edition: missing or empty code"),
    ],
)
def test_invalid_data_is_rejected(tmp_path: Path, english: None, breaker, words: str) -> None:
    data = valid_data()
    culprit = breaker(data)
    path = write(tmp_path, data, name="broken-plan.yaml")
    with pytest.raises(TaxonomyError) as caught:
        load_edition(path)
    message = str(caught.value)
    assert "broken-plan.yaml" in message
    assert culprit in message
    assert words in message


def test_parse_edition_names_the_source(english: None) -> None:
    data = valid_data()
    data["areas"][0]["kind"] = "chapter"
    with pytest.raises(TaxonomyError, match=r"^memory\.yaml: area A: unknown kind 'chapter'"):
        parse_edition(data, source_name="memory.yaml")


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path, english: None) -> None:
    path = tmp_path / "bad-syntax.yaml"
    path.write_text(
        "edition:\n  code: x\n  title: 测试\nareas:\n  - code: A\n    kind: [direction\n    title: 方向\n",
        encoding="utf-8",
    )
    with pytest.raises(TaxonomyError) as caught:
        load_edition(path)
    message = str(caught.value)
    assert "bad-syntax.yaml" in message
    assert re.search(r"line \d+", message)
    assert "YAML syntax error" in message


def test_next_plan_edition_loads_without_code_changes(tmp_path: Path) -> None:
    path = tmp_path / "haidong-15.yaml"
    path.write_text(
        """\
edition:
  code: haidong-15
  title: 海东市“十五五”科技创新发展规划
  issuer: 海东市人民政府
  period: 十五五
  published: 2027-03-01
  published_text: 2027年3月
  source: null
areas:
  - code: HD15-D1
    kind: direction
    title: 科技支撑生态文明高地建设
    parent: null
    section: 五（一）
    description: 说明文字。
  - code: HD15-I01
    kind: industry
    title: 高原碳汇监测技术
    parent: HD15-D1
    description: 说明文字。
  - code: HD15-T1
    kind: target
    title: R&D 投入强度
    parent: null
    description: ''
    attributes: {group: 科技创新投入, unit: "%", baseline: "0.15", target: "0.3", nature: 预期性}
""",
        encoding="utf-8",
    )
    edition = load_edition(path)
    assert edition.code == "haidong-15"
    assert edition.period == "十五五"
    assert edition.published == date(2027, 3, 1)
    assert [area.code for area in edition.children("HD15-D1")] == ["HD15-I01"]
    assert edition.by_code()["HD15-T1"].attributes["baseline"] == "0.15"
