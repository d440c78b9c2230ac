"""The documentation stays true: docs/cli.md is what click renders today, every
relative link and #anchor in README.md and docs/*.md leads somewhere, and the
README stays a front page."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto: …


def cli_reference():
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "scripts" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prose_lines(path: Path, *, keep_code: bool = False) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, with inline code removed (kept for headings, whose anchors include it)."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line if keep_code else INLINE_CODE.sub("", line)))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    for _number, line in prose_lines(path, keep_code=True):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = counts.get(base, 0)
        counts[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    return [(number, target) for number, line in prose_lines(path) for target in LINK.findall(line)]


def test_the_pages_exist():
    names = {page.name for page in PAGES}
    for name in ("intake.md", "experts.md", "panels.md", "scoring.md", "funding.md", "documents.md"):
        assert name in names, f"the user guide docs/{name} is missing"
    assert {"cli.md", "CONTRIBUTING.md", "benchmarks.md", "scoring-api.md"} <= names


def test_the_readme_is_a_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 250, f"README.md has {len(lines)} lines; move detail into docs/ (keep it under 250)"


def broken_links(page: Path) -> list[str]:
    broken = []
    for number, target in links(page):
        if EXTERNAL.match(target):
            continue
        file_part, _hash, anchor = target.partition("#")
        destination = (page.parent / file_part).resolve() if file_part else page
        where = f"{page.name}:{number}: {target}"
        if not destination.exists():
            broken.append(f"{where} — no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{where} — no heading with the anchor #{anchor}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page: Path):
    assert broken_links(page) == []


def test_the_link_checker_finds_broken_links_and_anchors(tmp_path: Path):
    """Guard against the check above passing because it finds nothing."""
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "shot.png").write_bytes(b"png")
    (tmp_path / "other.md").write_text("# 导入申报汇总表\n\n## Setup: two commands\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n![ok](images/shot.png) [ok](other.md#导入申报汇总表) [ok](other.md#setup-two-commands)\n"
        "[ok](#title) [web](https://example.com/x) `[code](missing.md)`\n\n```\n[fenced](missing.md)\n```\n"
        "[bad](missing.md) ![bad](images/none.png) [bad](other.md#nowhere) [bad](#nothing)\n",
        encoding="utf-8",
    )
    assert [entry.split(": ", 1)[1] for entry in broken_links(page)] == [
        "missing.md — no such file",
        "images/none.png — no such file",
        "other.md#nowhere — no heading with the anchor #nowhere",
        "#nothing — no heading with the anchor #nothing",
    ]
    assert "documentation" in anchors(README)
    assert "reviewtool-cli-backup" in anchors(DOCS / "cli.md")
    assert slug("`reviewtool.core.tables` — the safe table reader (reusable)") == (
        "reviewtoolcoretables--the-safe-table-reader-reusable"
    )


def test_the_cli_reference_is_current():
    module = cli_reference()
    expected = module.render()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, "docs/cli.md is out of date: run `python scripts/cli_reference.py` and commit it"


def test_the_cli_reference_lists_every_command():
    from reviewtool.cli.main import build_cli

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, command in build_cli().commands.items():
        assert f"## reviewtool-cli {name}\n" in text
        for sub in getattr(command, "commands", {}):
            assert f"## reviewtool-cli {name} {sub}\n" in text
    assert "一致地复制" in text  # generated in Chinese, the default language
