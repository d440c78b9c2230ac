"""文件指纹: every PDF carries its fingerprint in the footer and as a QR code,
its issue is in the (hash-chained) audit trail, and ``reviewtool-cli verify``
accepts the file as written and refuses an altered copy or a stranger's file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pypdf
import pytest
from reportlab.platypus import Paragraph

from reviewtool.cli.main import main
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.documents.layout import PageInfo, Styles, build_pdf

FINGERPRINT = re.compile(r"文件指纹\s*([0-9A-F]{4}(?:-[0-9A-F]{4}){3})")


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def verify(capsys, path, db_url) -> tuple[int, dict]:
    code, out = run(capsys, "verify", str(path), "--json", "--db", db_url)
    return code, json.loads(out)


@pytest.fixture
def summary_pdf(capsys, scored_db, tmp_path):
    batch = scored_db.info.batch_name
    out = tmp_path / "汇总表.pdf"
    code, text = run(capsys, "export", "summary", "--batch", batch, "--out", str(out), "--db", scored_db.url)
    assert code == 0, text
    return out


def test_every_page_of_a_sheet_packet_prints_the_fingerprint_of_its_file(capsys, scored_db, tmp_path):
    batch = scored_db.info.batch_name
    code, out = run(capsys, "export", "sheets", "--batch", batch, "--out", str(tmp_path / "s"), "--json",
                    "--db", scored_db.url)  # fmt: skip
    assert code == 0, out
    files = json.loads(out)["files"]
    seen = set()
    for name in files:
        reader = pypdf.PdfReader(name)
        found = {m for page in reader.pages for m in FINGERPRINT.findall(page.extract_text())}
        assert len(found) == 1 and len(reader.pages) >= 1  # one fingerprint, on every page
        assert all(FINGERPRINT.search(page.extract_text()) for page in reader.pages)
        seen |= found
        code, result = verify(capsys, name, scored_db.url)
        assert code == 0 and result["ok"] and result["fingerprint"] in found
        assert result["batch"] == batch and len(result["applications"]) == 1
    assert len(seen) == len(files)  # each file its own


def test_verify_accepts_the_file_as_issued_and_names_what_it_is(capsys, scored_db, summary_pdf):
    code, result = verify(capsys, summary_pdf, scored_db.url)
    assert code == 0 and result["ok"], result
    assert result["document"] == summary_pdf.name and result["batch"] == scored_db.info.batch_name
    assert result["made_at"] and result["made_by"]
    assert len(result["applications"]) == 4
    code, text = run(capsys, "verify", str(summary_pdf), "--db", scored_db.url)
    assert code == 0 and text.startswith("✓") and scored_db.info.batch_name in text


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None, reason="zbar-tools, poppler")
def test_the_qr_code_on_the_printed_page_reads_back_as_the_fingerprint(scored_db, summary_pdf, tmp_path):
    printed = FINGERPRINT.search(pypdf.PdfReader(summary_pdf).pages[0].extract_text()).group(1)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(summary_pdf), str(tmp_path / "p")],
                   check=True)  # fmt: skip
    (page,) = tmp_path.glob("p*.png")
    scan = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True, check=True)
    assert scan.stdout.strip() == f"REVIEWTOOL:{printed}"


def test_an_altered_copy_is_refused_naming_the_document_it_came_from(capsys, scored_db, summary_pdf, tmp_path):
    reader = pypdf.PdfReader(summary_pdf)
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.add_metadata({"/Title": "改过的汇总表"})  # what an editor saving the file does
    edited = tmp_path / "edited.pdf"
    with open(edited, "wb") as handle:
        writer.write(handle)
    code, result = verify(capsys, edited, scored_db.url)
    assert code == 1 and not result["ok"]
    assert result["document"] == summary_pdf.name and "修改" in result["reason"]
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(summary_pdf.read_bytes() + b"\n%one more line\n")
    code, result = verify(capsys, appended, scored_db.url)
    assert code == 1 and not result["ok"] and result["fingerprint"]


def test_a_file_this_database_never_issued_is_refused(capsys, scored_db, tmp_path):
    pdf = tmp_path / "made-elsewhere.pdf"
    fonts = document_fonts(None)
    build_pdf(pdf, [Paragraph("x", Styles(fonts).body)], fonts=fonts, info=PageInfo("专家评审表"),
              fingerprint="0123-4567-89AB-CDEF")  # fmt: skip
    code, result = verify(capsys, pdf, scored_db.url)
    assert code == 1 and not result["ok"] and result["fingerprint"] == "0123-4567-89AB-CDEF"
    plain = tmp_path / "plain.pdf"
    build_pdf(plain, [Paragraph("x", Styles(fonts).body)], fonts=fonts, info=PageInfo("专家评审表"))
    code, result = verify(capsys, plain, scored_db.url)
    assert code == 1 and result["fingerprint"] is None


def test_issued_documents_keep_the_audit_chain_whole(capsys, scored_db, summary_pdf):
    code, out = run(capsys, "audit", "verify", "--json", "--db", scored_db.url)
    assert code == 0 and json.loads(out)["ok"], out
