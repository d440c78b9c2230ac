"""Rubric files a hostile or careless user gives the app (issue 11): alias
bombs, deep nesting, huge files, non-finite and absurd numbers, texts too
long for their columns, and formula-like texts in the Excel export."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from reviewtool.core.errors import UserError
from reviewtool.paths import resource_path
from reviewtool.services.scoring import rubrics
from reviewtool.storage.models import Rubric

GENERAL = resource_path("rubrics") / "haidong-general.yaml"


def general() -> dict:
    return yaml.safe_load(GENERAL.read_text(encoding="utf-8"))


def billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text + "code: bomb\nname: bomb\ncriteria: *i\n"


HOSTILE = {
    "billion-laughs.yaml": (billion_laughs(), "别名"),
    "self-alias.yaml": ("code: x\nname: x\ncriteria: &c [*c]\n", "别名"),
    "deep-flow.yaml": ("criteria: " + "[" * 50_000 + "]" * 50_000 + "\n", "64"),
    "deep-block.yaml": ("".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x: 1\n", "64"),
    "huge-int.yaml": ("code: x\nname: x\ntotal_points: " + "9" * 5000 + "\n", "huge-int.yaml"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_refused_quickly_with_the_file_named(db, tmp_path, name):
    text, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with db.session() as s:
        with pytest.raises(UserError) as err:
            rubrics.import_rubric(s, path, actor="t")
        assert name in str(err.value) and expected in str(err.value)
        assert s.scalar(select(func.count(Rubric.id))) == 0


def test_a_file_too_large_is_refused_unread(db, tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.seek(rubrics.MAX_FILE_BYTES + 1)
        handle.write(b"\n")
    with db.session() as s:
        with pytest.raises(UserError, match="big.yaml"):
            rubrics.import_rubric(s, path, actor="t")


def _with(path: tuple, value) -> dict:
    doc = general()
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


BAD_NUMBERS = [
    (("total_points",), ".inf", "total_points"),
    (("total_points",), ".nan", "total_points"),
    (("total_points",), "1e308", "total_points"),
    (("total_points",), "-.inf", "total_points"),
    (("criteria", 0, "max_points"), ".inf", "max_points"),
    (("criteria", 0, "max_points"), "1e15", "max_points"),
    (("criteria", 0, "weight"), "1e308", "weight"),
    (("criteria", 0, "bands", 0, "low"), "-.inf", "C1"),
    (("criteria", 0, "comment_required"), {"below": 1e308}, "below"),
    (("step",), "1e-300", "step"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD_NUMBERS)
def test_non_finite_and_absurd_numbers_are_refused_with_the_field_named(db, tmp_path, path, value, field):
    doc = _with(path, "__VALUE__")
    text = yaml.safe_dump(doc, allow_unicode=True).replace("__VALUE__", value) if isinstance(value, str) else None
    if text is None:
        text = yaml.safe_dump(_with(path, value), allow_unicode=True)
    file = tmp_path / "rubric.yaml"
    file.write_text(text, encoding="utf-8")
    with db.session() as s:
        with pytest.raises(UserError) as err:
            rubrics.import_rubric(s, file, actor="t")
        assert "rubric.yaml" in str(err.value) and field in str(err.value)
        assert s.scalar(select(func.count(Rubric.id))) == 0


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("name",), "名" * 5000, "评分标准名称"),
        (("criteria", 0, "title"), "题" * 10_000, "C1"),
        (("criteria", 0, "group"), "组" * 201, "C1"),
        (("criteria", 0, "bands", 0, "label"), "档" * 33, "C1"),
    ],
)
def test_texts_too_long_for_their_columns_are_refused_on_every_engine(any_db, tmp_path, path, value, field):
    doc = _with(path, value)
    if path[-1] == "label":  # keep the suggested bands pointing at the renamed band
        doc["criteria"][0].pop("suggested_bands", None)
        doc["criteria"][0].pop("comment_required", None)
    file = tmp_path / "long.yaml"
    file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with any_db.session() as s:
        with pytest.raises(UserError) as err:
            rubrics.import_rubric(s, file, actor="t")
        assert field in str(err.value)
        assert s.scalar(select(func.count(Rubric.id))) == 0


FORMULAS = ['=HYPERLINK("http://x.example","点此")', "+1", "-差", "@SUM(A1)", "\t=1+1"]


def test_rubric_excel_export_keeps_formula_like_texts_as_text_and_imports_back(db, tmp_path):
    doc = general()
    doc["name"] = FORMULAS[0]
    doc["criteria"][0]["title"] = FORMULAS[1]
    doc["criteria"][0]["description"] = FORMULAS[2]
    doc["criteria"][0]["bands"][0]["descriptor"] = FORMULAS[3]
    doc["veto_items"][0]["question"] = FORMULAS[4]
    source = tmp_path / "formulas.yaml"
    source.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with db.session() as s:
        saved = rubrics.import_rubric(s, source, actor="t")
        out = rubrics.export_rubric(s, doc["code"], tmp_path / "formulas.xlsx")
    wb = load_workbook(out)
    texts = {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in FORMULAS:
        cell = texts.get(text.strip() if text.startswith("\t") else text) or texts.get(text)
        assert cell is not None, text
        assert cell.data_type == "s" and cell.quotePrefix, text
    # Imported back, it is the same rubric (no new version, nothing lost to a formula).
    spec = rubrics.load_rubric_file(out)
    with db.session() as s:
        again = rubrics.save_rubric(s, spec, actor="t")
    assert again.version_id == saved.version_id and not again.changed


def test_exports_are_written_atomically_with_ordinary_permissions(db, tmp_path):
    import os
    import stat

    with db.session() as s:
        rubrics.install_shipped_rubrics(s, actor="t")
        yaml_out = rubrics.export_rubric(s, "haidong-general", tmp_path / "out" / "r.yaml")
        xlsx_out = rubrics.export_rubric(s, "haidong-general", tmp_path / "out" / "r.xlsx")
    umask = os.umask(0)
    os.umask(umask)
    for path in (yaml_out, xlsx_out):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in Path(tmp_path / "out").iterdir()) == ["r.xlsx", "r.yaml"]  # no temporary left
