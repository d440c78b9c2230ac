"""The shipped sample sheet (resources/samples/申报汇总表示例.xlsx) imports cleanly
through ``reviewtool-cli import`` into a fresh database, and is what the script writes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from reviewtool.cli.main import main
from reviewtool.paths import resource_path
from reviewtool.storage.database import Database
from reviewtool.storage.models import Application, Batch

SAMPLE = resource_path("samples", "申报汇总表示例.xlsx")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_sample_workbook.py"
BATCH = "2025年海东市科技计划项目"


def run(capsys, *argv) -> tuple[int, dict, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_the_sample_is_shipped_with_its_sources():
    assert SAMPLE.is_file()
    sources = SAMPLE.with_name("SOURCES.md").read_text(encoding="utf-8")
    assert "http" in sources and "illustrative" in sources


def test_dry_run_then_import_accepts_every_row(capsys, empty_sqlite_url):
    code, preview, err = run(
        capsys, "import", SAMPLE, "--db", empty_sqlite_url, "--batch", BATCH, "--dry-run", "--json"
    )
    assert (code, err) == (0, "")
    assert preview["written"] is False and preview["batch_created"] is True
    assert preview["counts"] == {"create": 12, "update": 0, "unchanged": 0, "reject": 0, "skipped_rows": 2}
    assert preview["errors"] == [] and preview["warnings"] == []
    assert [row["reason"] for row in preview["skipped_rows"]] == ["total", "note"]
    assert preview["unknown_columns"] == ["备注"]

    code, result, err = run(capsys, "import", SAMPLE, "--db", empty_sqlite_url, "--batch", BATCH, "--json")
    assert (code, err) == (0, "")
    assert result["written"] is True and result["counts"]["create"] == 12 and result["errors"] == []

    database = Database(empty_sqlite_url)
    try:
        with database.session() as session:
            batch = session.scalars(select(Batch).where(Batch.name == BATCH)).one()
            applications = session.scalars(select(Application).where(Application.batch_id == batch.id)).all()
            assert batch.year == 2025
            assert sorted(a.number for a in applications) == [f"HD2025-{n:03d}" for n in range(1, 13)]
            by_number = {a.number: a for a in applications}
            first = by_number["HD2025-001"]
            assert first.title == "马铃薯种薯微型化及标准化生产技术研究与示范"
            assert (first.total_budget, first.requested_amount, first.self_funding) == (100, 60, 40)
            assert all(a.requested_amount + a.self_funding == a.total_budget for a in applications)
    finally:
        database.dispose()

    # Importing the same sheet again changes nothing.
    code, again, _err = run(capsys, "import", SAMPLE, "--db", empty_sqlite_url, "--batch", BATCH, "--json")
    assert code == 0 and again["counts"]["unchanged"] == 12 and again["counts"]["create"] == 0


def _cells(path: Path) -> list[tuple]:
    sheet = load_workbook(path).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()] + [
        tuple(sorted(map(str, sheet.merged_cells.ranges)))
    ]


def test_the_committed_sample_is_what_the_script_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample_workbook", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build(tmp_path / "sample.xlsx")
    assert _cells(fresh) == _cells(SAMPLE), "run python scripts/make_sample_workbook.py and commit the sample"
