"""Extract the plan taxonomies in ``resources/plans/*.yaml`` from the plan texts.

The YAML files are the source of truth and are committed; this script only
produced their first version from the PDF-extracted plan texts (the "seeds")
and can re-run to show what changed::

    python scripts/extract_plans.py                 # (re)write the YAML files
    python scripts/extract_plans.py --check         # exit 1 if they differ

The output is deterministic: same seeds, same bytes.

PDF text conventions handled here: every visual line is followed by a blank
line, page breaks add a leading space and a page marker such as "— 6 —".
Lines are joined without a separator (Chinese text), except between two
ASCII letters/digits where a single space is kept.  A paragraph break ("\\n")
is kept where a line ends with "。" and either that line is short (the last
line of a paragraph) or the next line is indented (the first line of one),
and around headings.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = REPO / "resources" / "plans"

HAIDONG_SEED = "000_1c683158ef9b2301.txt"
QINGHAI_SEED = "001_a88ea1af02db9414.txt"

CN_DIGITS = "一二三四五六七八九十"
PAGE_MARKER = re.compile(r"^—\s*\d+\s*—$")
SUB_HEADING = re.compile(rf"^（([{CN_DIGITS}]+)）([^。]+)$")
ITEM_HEADING = re.compile(r"^(\d+)\.\s*([^。]+)$")
COLUMN_HEADING = re.compile(r"^专栏\s*(\d+)\s+(\S.*)$")
TARGET_ROW = re.compile(
    r"^(?:(?P<number>\d+) )?(?P<title>.+?)（(?P<unit>[^（）]+)） "
    r"(?P<baseline>\S+) (?P<target>\S+) (?P<nature>约束性|预期性)$"
)

#: Full text lines are about 52 display columns wide; an indented first line
#: of a paragraph is at most 48, and a last line ending a paragraph is short.
INDENTED_WIDTH = 48
SHORT_WIDTH = 46


class ExtractError(RuntimeError):
    """The seed text does not have the expected structure."""


# --------------------------------------------------------------------------
# Text helpers


def seed_lines(text: str) -> list[str]:
    """Non-empty, stripped lines without page markers."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not PAGE_MARKER.match(line):
            lines.append(line)
    return lines


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def glue(left: str, right: str) -> str:
    """Join two visual lines of one paragraph."""
    if left and right and _is_ascii_word(left[-1]) and _is_ascii_word(right[0]):
        return f"{left} {right}"
    return left + right


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def is_heading(line: str) -> bool:
    return bool(ITEM_HEADING.match(line) or SUB_HEADING.match(line) or COLUMN_HEADING.match(line))


def paragraphs(lines: Sequence[str]) -> list[str]:
    """Join visual lines into paragraphs (see the module docstring)."""
    result: list[str] = []
    current: str | None = None
    previous = ""
    for line in lines:
        if current is None:
            current = line
        elif (
            is_heading(line)
            or is_heading(previous)
            or (
                previous.endswith("。")
                and (display_width(previous) <= SHORT_WIDTH or display_width(line) <= INDENTED_WIDTH)
            )
        ):
            result.append(current)
            current = line
        else:
            current = glue(current, line)
        previous = line
    if current is not None:
        result.append(current)
    return result


def join_text(lines: Sequence[str]) -> str:
    return "\n".join(paragraphs(lines))


def find_line(lines: Sequence[str], text: str, start: int = 0) -> int:
    try:
        return lines.index(text, start)
    except ValueError:
        raise ExtractError(f"line {text!r} not found after line {start}") from None


def headings(lines: Sequence[str], start: int, stop: int, pattern: re.Pattern[str]) -> list[tuple[int, re.Match[str]]]:
    found = []
    for index in range(start, stop):
        match = pattern.match(lines[index])
        if match:
            found.append((index, match))
    return found


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise ExtractError(message)


def area(
    code: str,
    kind: str,
    title: str,
    parent: str | None,
    section: str,
    description: str,
    attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": code,
        "kind": kind,
        "title": title,
        "parent": parent,
        "section": section,
        "description": description,
    }
    if attributes:
        entry["attributes"] = attributes
    return entry


# --------------------------------------------------------------------------
# 海东市“十四五”科技创新发展规划


def split_column_tasks(lines: Sequence[str]) -> list[tuple[str, str]]:
    """专栏 items: each starts on a new line with "title：" after a line ending in 。."""
    tasks: list[str] = []
    for line in lines:
        head = line.split("：", 1)[0]
        starts = "：" in line and "，" not in head and "。" not in head
        if starts and (not tasks or tasks[-1].endswith("。")):
            tasks.append(line)
        else:
            expect(bool(tasks), f"专栏 text before its first task: {line!r}")
            tasks[-1] = glue(tasks[-1], line)
    result = []
    for task in tasks:
        title, description = task.split("：", 1)
        result.append((title.strip(), description.strip()))
    return result


def haidong_targets(lines: Sequence[str]) -> list[dict[str, Any]]:
    start = find_line(lines, "“十四五”科技创新发展主要目标")
    header = find_line(lines, "备 注", start)
    stop = find_line(lines, "（四）总体部署", header)
    targets: list[dict[str, Any]] = []
    group: str | None = None
    pending: int | None = None
    for line in lines[header + 1 : stop]:
        match = TARGET_ROW.match(line)
        if re.fullmatch(r"\d+", line):
            pending = int(line)
        elif match:
            number = int(match["number"]) if match["number"] else pending
            pending = None
            expect(number == len(targets) + 1, f"target row {line!r}: expected number {len(targets) + 1}")
            expect(group is not None, f"target row {line!r} without a group")
            baseline = None if match["baseline"] == "——" else match["baseline"]
            title, unit = match["title"].strip(), match["unit"]
            description = (
                f"{group}：{title}（{unit}），“十三五”末 {match['baseline']}，"
                f"“十四五”末 {match['target']}，{match['nature']}"
            )
            targets.append(
                area(
                    f"HD-T{number}",
                    "target",
                    title,
                    None,
                    "二（三）主要目标表",
                    description,
                    {
                        "group": group,
                        "unit": unit,
                        "baseline": baseline,
                        "target": match["target"],
                        "nature": match["nature"],
                    },
                )
            )
        else:
            group = line
    expect(len(targets) == 8, f"expected 8 Haidong targets, found {len(targets)}")
    return targets


def haidong(text: str) -> dict[str, Any]:
    lines = seed_lines(text)
    s3 = find_line(lines, "三、科技创新发展重点任务")
    s4 = find_line(lines, "四、科技创新能力建设", s3)
    s5 = find_line(lines, "五、科技创新促进重点领域产业发展", s4)
    s6 = find_line(lines, "六、科技创新发展保障措施", s5)

    areas: list[dict[str, Any]] = []

    # 五: each direction, then its industries and its 专栏 tasks (tree order).
    directions = headings(lines, s5 + 1, s6, SUB_HEADING)
    expect(len(directions) == 4, f"expected 4 directions in 五, found {len(directions)}")
    industry_count = 0
    for d_number, (d_index, d_match) in enumerate(directions, start=1):
        d_stop = directions[d_number][0] if d_number < len(directions) else s6
        d_code = f"HD-D{d_number}"
        d_section = f"五（{d_match[1]}）"
        items = headings(lines, d_index + 1, d_stop, ITEM_HEADING)
        columns = headings(lines, d_index + 1, d_stop, COLUMN_HEADING)
        expect(bool(items), f"direction {d_code} has no numbered items")
        expect(len(columns) == 1, f"direction {d_code}: expected one 专栏, found {len(columns)}")
        areas.append(
            area(d_code, "direction", d_match[2], None, d_section, join_text(lines[d_index + 1 : items[0][0]]))
        )
        boundaries = sorted([i for i, _ in items] + [i for i, _ in columns] + [d_stop])
        for i_index, i_match in items:
            industry_count += 1
            number = int(i_match[1])
            expect(number == industry_count, f"industry item {number} out of order (expected {industry_count})")
            i_stop = min(b for b in boundaries if b > i_index)
            areas.append(
                area(
                    f"HD-I{number:02d}",
                    "industry",
                    i_match[2].strip(),
                    d_code,
                    f"{d_section}{number}",
                    join_text(lines[i_index + 1 : i_stop]),
                )
            )
        c_index, c_match = columns[0]
        expect(int(c_match[1]) == d_number, f"专栏 {c_match[1]} under direction {d_number}")
        column_title = f"专栏 {c_match[1]} {c_match[2].strip()}"
        c_stop = min(b for b in boundaries if b > c_index)
        for t_number, (title, description) in enumerate(split_column_tasks(lines[c_index + 1 : c_stop]), start=1):
            areas.append(
                area(
                    f"HD-C{d_number}-{t_number}",
                    "column_task",
                    title,
                    d_code,
                    f"{d_section}专栏 {c_match[1]}",
                    description,
                    {"column": column_title},
                )
            )
    expect(industry_count == 14, f"expected 14 industries, found {industry_count}")

    # 三: key tasks; 四: supports.
    key_tasks = headings(lines, s3 + 1, s4, SUB_HEADING)
    expect(len(key_tasks) == 3, f"expected 3 key tasks in 三, found {len(key_tasks)}")
    supports = headings(lines, s4 + 1, s5, SUB_HEADING)
    expect(len(supports) == 5, f"expected 5 supports in 四, found {len(supports)}")
    for prefix, section, kind, found, stop in (
        ("HD-K", "三", "key_task", key_tasks, s4),
        ("HD-S", "四", "support", supports, s5),
    ):
        for number, (index, match) in enumerate(found, start=1):
            end = found[number][0] if number < len(found) else stop
            areas.append(
                area(
                    f"{prefix}{number}",
                    kind,
                    match[2],
                    None,
                    f"{section}（{match[1]}）",
                    join_text(lines[index + 1 : end]),
                )
            )

    areas += haidong_targets(lines)
    return {
        "edition": {
            "code": "haidong-14",
            "title": "海东市“十四五”科技创新发展规划",
            "issuer": "海东市人民政府",
            "period": "十四五",
            "published": date(2022, 4, 19),
            "source": HAIDONG_SEED,
        },
        "areas": areas,
    }


# --------------------------------------------------------------------------
# 青海省“十四五”科技创新规划

QH_STOP = re.compile(rf"^(第.+章|[{CN_DIGITS}]+、|（[{CN_DIGITS}]+）|专栏)")


def qinghai_special(lines: Sequence[str], number: int, heading: str, column: str) -> list[dict[str, Any]]:
    h_index = find_line(lines, heading)
    c_index = find_line(lines, column, h_index)
    expect(c_index == h_index + 2, f"{column!r} should follow the paragraph under {heading!r}")
    title = column.split("：", 1)[1]
    code = f"QH-E{number}"
    section = f"第三章一{heading.rstrip('。')[:3]}"
    result = [area(code, "special", title, None, section, lines[h_index + 1])]
    index = c_index + 1
    while index < len(lines) and not QH_STOP.match(lines[index]):
        task_title, rest = lines[index].split("。", 1)
        result.append(
            area(
                f"{code}-{len(result)}",
                "special_task",
                task_title,
                code,
                f"{section}{column.split('：', 1)[0]}",
                rest.strip(),
            )
        )
        index += 1
    expect(len(result) == 5, f"{code}: expected 4 tasks, found {len(result) - 1}")
    return result


def qinghai_targets(lines: Sequence[str]) -> list[dict[str, Any]]:
    start = find_line(lines, "青海省“十四五”科技创新规划预期指标")
    header = lines[start + 1].split("\t")
    expect(header == ["主要指标", "单位", "2020年", "2025年"], f"unexpected table header {header!r}")
    targets = []
    for line in lines[start + 2 :]:
        cells = line.split("\t")
        if len(cells) != 4:
            break
        title, unit, baseline, target = (cell.strip() for cell in cells)
        targets.append(
            area(
                f"QH-T{len(targets) + 1}",
                "target",
                title,
                None,
                "第二章三 预期指标表",
                f"{title}（{unit}），2020年 {baseline}，2025年 {target}，预期性",
                {"group": None, "unit": unit, "baseline": baseline, "target": target, "nature": "预期性"},
            )
        )
    expect(len(targets) == 9, f"expected 9 Qinghai targets, found {len(targets)}")
    return targets


def qinghai(text: str) -> dict[str, Any]:
    lines = seed_lines(text)
    areas = (
        qinghai_special(lines, 1, "（一）生态价值转化。", "专栏1：生态价值转化专项")
        + qinghai_special(lines, 2, "（二）国家公园建设。", "专栏2：国家公园建设专项")
        + qinghai_targets(lines)
    )
    return {
        "edition": {
            "code": "qinghai-14",
            "title": "青海省“十四五”科技创新规划",
            "issuer": "青海省科学技术厅",
            "period": "十四五",
            "published": date(2021, 12, 1),
            "published_text": "2021年12月",
            "source": QINGHAI_SEED,
        },
        "areas": areas,
    }


# --------------------------------------------------------------------------
# Output


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


HEADER = (
    "# Plan taxonomy: {title}\n"
    "# Source of truth (committed). First generated by scripts/extract_plans.py from\n"
    "# the plan text {source}, then checked by hand; titles are word for word.\n"
)


def render(data: dict[str, Any]) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return HEADER.format(**data["edition"]) + body


def build(seeds: Path) -> dict[str, str]:
    """File name -> YAML text."""
    outputs = {}
    for name, seed, extract in (
        ("haidong-14.yaml", HAIDONG_SEED, haidong),
        ("qinghai-14.yaml", QINGHAI_SEED, qinghai),
    ):
        outputs[name] = render(extract((seeds / seed).read_text(encoding="utf-8")))
    return outputs


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder with the plan texts")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the YAML files")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file differs")
    args = parser.parse_args(list(argv) if argv is not None else None)

    outputs = build(args.seeds)
    differs = False
    for name, text in outputs.items():
        path = args.out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            print(f"{path}: up to date")
            continue
        differs = True
        if args.check:
            print(f"{path}: differs from the extraction")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"{path}: written")
    return 1 if (args.check and differs) else 0


if __name__ == "__main__":
    sys.exit(main())
