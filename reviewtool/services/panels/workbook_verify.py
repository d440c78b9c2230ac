"""The checks a returned scoring workbook passes before any of its values is
read: it is an .xlsx of sane size (no zip bomb), its key is signed by this
database, its batch / panel / expert exist and are the ones expected, every
exported sheet is there and no other, and no locked cell was changed.
``open_verified`` returns the workbook and its key, or raises
``WorkbookError`` naming the file (and the cells or sheet at fault).
"""

from __future__ import annotations

import hmac
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from reviewtool.core.tables.sniff import sniff
from reviewtool.core.tables.types import TableError
from reviewtool.i18n import _
from reviewtool.services.panels.workbook_key import (
    FORMAT,
    KEY_SHEET,
    WorkbookError,
    cell_hash,
    normalise_value,
    read_key,
    sign_payload,
    workbook_secret,
)
from reviewtool.storage.models import Batch, Expert, Panel

#: A returned workbook is a few hundred kilobytes; these refuse a zip bomb before openpyxl unpacks it.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def check_size(path: Path) -> None:
    name = path.name
    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise WorkbookError(_("{file}: cannot be read as a workbook ({error}).").format(file=name, error=exc)) from None
    if size > MAX_FILE_BYTES or unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(
            _("{file}: {size} MB ({unpacked} MB unpacked) is far larger than any scoring workbook; refused.").format(
                file=name, size=size // 2**20, unpacked=unpacked // 2**20
            )
        )


def open_verified(
    session: Session,
    path: Path,
    *,
    expect_batch_id: int | None = None,
    expect_panel_id: int | None = None,
    expect_expert_id: int | None = None,
) -> tuple[Any, dict, Batch, Panel, Expert]:
    """The workbook, its key and its batch, panel and expert, once every file-level check has passed."""
    name = path.name
    try:
        kind = sniff(path)
    except TableError as exc:
        raise WorkbookError(str(exc)) from None
    if kind != "xlsx":
        raise WorkbookError(_("{file}: is not an .xlsx workbook.").format(file=name))
    check_size(path)
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise WorkbookError(_("{file}: cannot be read as a workbook ({error}).").format(file=name, error=exc)) from None
    payload, signature = read_key(wb, name)
    if not isinstance(payload, dict):
        raise WorkbookError(_("{file}: the workbook's key has been altered.").format(file=name))
    secret = workbook_secret(session, create=False)
    if not hmac.compare_digest(sign_payload(secret, payload), signature):
        raise WorkbookError(
            _("{file}: the workbook's key has been altered, or the workbook comes from another database.").format(
                file=name
            )
        )
    if payload.get("format") != FORMAT:
        raise WorkbookError(
            _("{file}: workbook format {found} is not supported.").format(file=name, found=payload.get("format"))
        )
    batch = session.get(Batch, payload["batch"]["id"])
    panel = session.get(Panel, payload["panel"]["id"])
    expert = session.get(Expert, payload["expert"]["id"])
    if batch is None or panel is None or expert is None or panel.batch_id != batch.id:
        raise WorkbookError(_("{file}: its batch, panel or expert no longer exists.").format(file=name))
    stage = payload.get("stage")  # the review stage (absent in workbooks exported before stages)
    if isinstance(stage, dict) and stage.get("id") != panel.stage_id:
        raise WorkbookError(
            _("{file}: is for review stage {found}, which its panel no longer belongs to.").format(
                file=name, found=stage.get("name")
            )
        )
    if expect_batch_id is not None and batch.id != expect_batch_id:
        expected = session.get(Batch, expect_batch_id)
        raise WorkbookError(
            _("{file}: is for batch {found}, not {expected}.").format(
                file=name, found=batch.name, expected=expected.name if expected else expect_batch_id
            )
        )
    if expect_panel_id is not None and panel.id != expect_panel_id:
        raise WorkbookError(_("{file}: is for panel {found}, not this panel.").format(file=name, found=panel.name))
    if expect_expert_id is not None and expert.id != expect_expert_id:
        expected = session.get(Expert, expect_expert_id)
        raise WorkbookError(
            _("{file}: is the workbook of {found}, not of {expected}.").format(
                file=name, found=expert.name, expected=expected.name if expected else expect_expert_id
            )
        )
    # Sheets present, locked cells untouched.
    titles = payload["sheet_titles"]
    missing_sheets = [t for t in titles if t not in wb.sheetnames]
    if missing_sheets:
        raise WorkbookError(
            _("{file}: the sheet “{sheet}” was renamed or deleted.").format(file=name, sheet=missing_sheets[0])
        )
    inputs = {s["title"]: {f"{letter}{row}" for letter in s["columns"] for row in s["rows"]} for s in payload["sheets"]}
    edited: list[str] = []
    for title in titles:
        ws = wb[title]
        expected = payload["cells"].get(title, {})
        seen = set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.coordinate in inputs.get(title, ()):
                    continue
                text = normalise_value(cell.value)
                if text is None:
                    continue
                seen.add(cell.coordinate)
                if expected.get(cell.coordinate) != cell_hash(title, cell.coordinate, text):
                    edited.append(f"{title}!{cell.coordinate}")
        edited += [f"{title}!{coord}" for coord in expected if coord not in seen]
    if edited:
        raise WorkbookError(
            _("{file}: locked cells were changed ({cells}); only the yellow input cells may be edited.").format(
                file=name, cells=", ".join(sorted(edited)[:5]) + (" …" if len(edited) > 5 else "")
            )
        )
    extra = [t for t in wb.sheetnames if t not in titles and t != KEY_SHEET]
    if extra:
        raise WorkbookError(_("{file}: has a sheet “{sheet}” that was not exported.").format(file=name, sheet=extra[0]))

    return wb, payload, batch, panel, expert
