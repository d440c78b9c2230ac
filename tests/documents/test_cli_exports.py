"""``reviewtool-cli export …`` and ``funding …`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pypdf

from reviewtool.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_sheets_blank_anonymous_combined(capsys, scored_db, tmp_path):
    batch = scored_db.info.batch_name
    code, out, err = run(
        capsys, "export", "sheets", "--batch", batch, "--out", str(tmp_path / "s"), "--db", scored_db.url
    )
    assert code == 0, err
    files = out.split()
    assert len(files) == 4 and all(f.endswith(".pdf") for f in files)
    code, out, _ = run(
        capsys,
        "export",
        "sheets",
        "--batch",
        batch,
        "--out",
        str(tmp_path / "c"),
        "--anonymous",
        "--combined",
        "--json",
        "--db",
        scored_db.url,
    )
    data = json.loads(out)
    assert code == 0 and data["documents"] == 12 and len(data["files"]) == 1
    text = "".join(p.extract_text() for p in pypdf.PdfReader(data["files"][0]).pages)
    assert "专家1" in text and "王专家" not in text
    code, out, _ = run(
        capsys, "export", "sheets", "--batch", batch, "--out", str(tmp_path / "b"), "--blank", "--db", scored_db.url
    )
    assert code == 0 and len(out.split()) == 4


def test_export_summary_and_funding(capsys, scored_db, tmp_path):
    batch = scored_db.info.batch_name
    code, out, err = run(
        capsys, "export", "summary", "--batch", batch, "--out", str(tmp_path / "s.pdf"), "--db", scored_db.url
    )
    assert code == 0, err
    assert (tmp_path / "s.pdf").exists()
    code, out, err = run(
        capsys,
        "export",
        "funding",
        "--batch",
        batch,
        "--out",
        str(tmp_path / "f.xlsx"),
        "--json",
        "--db",
        scored_db.url,
    )
    assert code == 0, err
    data = json.loads(out)
    assert [a["number"] for a in data["applications"]] == ["HD2026-001", "HD2026-002", "HD2026-003", "HD2026-004"]
    assert data["applications"][0]["recommended"] == "50.00"
    assert data["line"] == {
        "funded": 3,
        "used": "145.00",
        "remaining": "5.00",
        "cut_rank": 3,
        "cut_score": "76.00",
    }
    assert openpyxl.load_workbook(tmp_path / "f.xlsx")["拟立项项目清单"]["B3"].value == "HD2026-001"
    code, out, err = run(
        capsys, "export", "funding", "--batch", batch, "--out", str(tmp_path / "f.pdf"), "--db", scored_db.url
    )
    assert code == 0, err
    text = "".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "f.pdf").pages)
    assert "拟立项项目清单" in text and "HD2026-003" in text and "HD2026-004" not in text
    assert "立项线" in out or "funding line" in out


def test_bad_output_name_and_unknown_batch_are_one_line_errors(capsys, scored_db, tmp_path):
    code, _out, err = run(
        capsys,
        "export",
        "funding",
        "--batch",
        scored_db.info.batch_name,
        "--out",
        str(tmp_path / "f.docx"),
        "--db",
        scored_db.url,
    )
    assert code == 1 and "f.docx" in err and ".xlsx" in err and len(err.strip().splitlines()) == 1
    code, _out, err = run(
        capsys, "export", "summary", "--batch", "没有这个批次", "--out", str(tmp_path / "x.pdf"), "--db", scored_db.url
    )
    assert code == 1 and "没有这个批次" in err


def test_funding_commands_change_amount_settings_and_quota(capsys, scored_db):
    batch = scored_db.info.batch_name
    db = ("--db", scored_db.url)
    code, out, err = run(
        capsys,
        "funding",
        "amount",
        "--batch",
        batch,
        "--application",
        "HD2026-002",
        "--amount",
        "40",
        "--reason",
        "压减",
        *db,
    )
    assert code == 0, err
    code, out, err = run(
        capsys, "funding", "amount", "--batch", batch, "--application", "HD2026-002", "--amount", "40", *db
    )
    assert code == 2  # --reason is required
    code, out, err = run(capsys, "funding", "settings", "--batch", batch, "--budget", "90", "--rule", "skip", *db)
    assert code == 0, err
    code, out, err = run(capsys, "funding", "quota", "--batch", batch, "--area", "HD-D2", "--max-count", "1", *db)
    assert code == 0, err
    code, out, _ = run(capsys, "funding", "show", "--batch", batch, "--json", *db)
    data = json.loads(out)
    rows = {a["number"]: a for a in data["applications"]}
    assert rows["HD2026-002"]["recommended"] == "40.00" and rows["HD2026-002"]["reason"] == "压减"
    assert rows["HD2026-002"]["decision"] == "over_quota"
    assert data["rule"] == "skip" and data["budget"] == "90.00"
    assert rows["HD2026-003"]["decision"] == "over_budget"  # 50 (001) + 50 > 90, skipped


def _exports(db) -> list:
    from sqlalchemy import select

    from reviewtool.storage.models import AuditEvent

    with db.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "documents.export").order_by(AuditEvent.id)
        ).all()
        return [dict(e.details) for e in events]


def test_cli_exports_leave_an_audit_record_marked_confidential(capsys, scored_db, tmp_path):
    """The CLI records its exports as the GUI's export run does (documents.export, 保密 marked)."""
    batch = scored_db.info.batch_name
    runs = [
        ("matrix", ["export", "matrix", "--out", str(tmp_path / "m.xlsx")], True),
        ("batch", ["export", "batch", "--out", str(tmp_path / "b.xlsx")], True),
        ("funding_xlsx", ["export", "funding", "--out", str(tmp_path / "f.xlsx")], True),
        ("expert", ["export", "sheets", "--out", str(tmp_path / "s")], True),
        ("expert", ["export", "sheets", "--anonymous", "--combined", "--out", str(tmp_path / "a")], False),
        ("panel_docx", ["export", "sheets", "--kind", "panel", "--format", "docx", "--out", str(tmp_path / "p")], True),
    ]
    for what, argv, confidential in runs:
        before = len(_exports(scored_db))
        code, out, err = run(capsys, *argv, "--batch", batch, "--json", "--db", scored_db.url)
        assert code == 0, err
        events = _exports(scored_db)
        assert len(events) == before + 1, what
        event = events[-1]
        assert event["what"] == what and event["confidential"] is confidential, event
        assert event["files"] == [Path(f).name for f in json.loads(out)["files"]]


def test_every_export_json_reports_files_warnings_and_missing_characters(capsys, scored_db, tmp_path):
    batch = scored_db.info.batch_name
    for argv in (
        ["export", "matrix", "--out", str(tmp_path / "m.xlsx")],
        ["export", "batch", "--out", str(tmp_path / "b.xlsx")],
        ["export", "funding", "--out", str(tmp_path / "f.xlsx")],
        ["export", "funding", "--out", str(tmp_path / "f.pdf")],
        ["export", "sheets", "--out", str(tmp_path / "s")],
    ):
        code, out, err = run(capsys, *argv, "--batch", batch, "--json", "--db", scored_db.url)
        assert code == 0, err
        data = json.loads(out)
        assert {"files", "warning", "warnings", "missing_characters"} <= set(data), argv
        assert data["files"] and all(Path(f).exists() for f in data["files"])
        assert isinstance(data["warnings"], list) and isinstance(data["missing_characters"], list)
