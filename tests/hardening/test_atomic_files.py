"""Every file the app writes appears whole or not at all (issue 11):
``services/files.py`` and the writers built on it."""

from __future__ import annotations

import os
import stat

import pytest
from openpyxl import Workbook

from reviewtool.core.errors import UserError
from reviewtool.services import files
from reviewtool.services.exports.xlsx import save_workbook


def umask() -> int:
    value = os.umask(0)
    os.umask(value)
    return value


def test_a_writer_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "清单.xlsx"
    target.write_bytes(b"the old file")
    with pytest.raises(RuntimeError):
        with files.atomic_path(target) as temp:
            temp.write_bytes(b"half of the new")
            raise RuntimeError("killed half-way")
    assert target.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["清单.xlsx"]


def test_a_new_file_gets_ordinary_permissions_and_a_replaced_file_keeps_its_own(tmp_path):
    new = files.write_text(tmp_path / "new.yaml", "a: 1\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask()  # not mkstemp's 0600
    old = tmp_path / "old.yaml"
    old.write_text("x", encoding="utf-8")
    os.chmod(old, 0o640)
    files.write_text(old, "y")
    assert old.read_text(encoding="utf-8") == "y" and stat.S_IMODE(old.stat().st_mode) == 0o640


def test_the_xlsx_saver_never_leaves_half_a_workbook(tmp_path, monkeypatch):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    wb = Workbook()

    def broken_save(self, filename):
        with open(filename, "wb") as handle:
            handle.write(b"PK\x03\x04 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(OSError):
        save_workbook(wb, target)
    assert target.read_bytes() == b"old" and files.stale_temporaries(tmp_path) == []


def test_a_pdf_batch_stopped_during_layout_writes_no_pdf(demo_db, tmp_path):
    from reviewtool.services.documents.export import export_sheets
    from reviewtool.services.progress import Cancelled, CancelToken, Progress
    from reviewtool.storage.models import Batch

    cancel = CancelToken()

    def progress(done, total, message):
        if done == total - 1:  # the combined file is being laid out
            cancel.cancel()

    with demo_db.session() as s:
        batch_id = s.query(Batch.id).first()[0]
        with pytest.raises(Cancelled):
            export_sheets(s, batch_id, tmp_path / "pdf", combined=True, progress=Progress(progress), cancel=cancel)
    assert list((tmp_path / "pdf").iterdir()) == []
    with demo_db.session() as s:
        result = export_sheets(s, batch_id, tmp_path / "pdf", combined=True)
    (pdf,) = result.files
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o666 & ~umask()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_a_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(UserError, match="x.yaml"):
            files.write_text(folder / "x.yaml", "a")
    finally:
        os.chmod(folder, 0o700)


def test_a_folder_in_the_way_is_a_clear_error(tmp_path):
    (tmp_path / "x.yaml").mkdir()
    with pytest.raises(UserError, match="x.yaml"):
        files.write_text(tmp_path / "x.yaml", "a")
