"""The key of an offline scoring workbook (离线评审表) and its verification.

A very hidden sheet holds the *key*: the batch, panel, expert, rubric
versions (with their content hashes), where every input cell is, and a
short hash of every locked cell as exported. The key is signed with
HMAC-SHA256 under a secret kept in this database, so an altered key, or a
workbook from another database, is recognised. Export and import share the
constants and helpers here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from reviewtool.core.enums import Opinion
from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.storage.models import Setting

FORMAT = 1
KEY_SHEET = "_key"
KEY_MARK = "reviewtool-scoring-workbook"
SECRET_SETTING = "workbooks.hmac_secret"
CHUNK = 30000  # characters per key cell (Excel allows 32,767)
YES, NO = "是", "否"


class WorkbookError(UserError):
    """A workbook that cannot be imported; the message names file and cell."""


def workbook_secret(session: Session, *, create: bool, actor: str = "") -> bytes:
    row = session.get(Setting, SECRET_SETTING)
    if row is None:
        if not create:
            raise WorkbookError(_("No scoring workbooks were exported from this database yet."))
        row = Setting(key=SECRET_SETTING, value=secrets.token_hex(32))
        session.add(row)
        audit.record(
            session, actor=actor, action="workbooks.secret", entity_type="setting",
            summary=_("Created the signing key for scoring workbooks"),
        )  # fmt: skip
        session.flush()
    return bytes.fromhex(row.value)


def canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_payload(secret: bytes, payload: dict) -> str:
    return hmac.new(secret, canonical_json(payload), hashlib.sha256).hexdigest()


def normalise_value(value: Any) -> str | None:
    """A cell value as stable text, whichever type openpyxl gives back."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value)).normalize()
        return format(number, "f")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def cell_hash(sheet: str, coord: str, value: str) -> str:
    return hashlib.sha256(f"{sheet}|{coord}|{value}".encode()).hexdigest()[:12]


def opinion_labels() -> list[str]:
    return [o.label() for o in Opinion]


def read_key(wb, name: str) -> tuple[dict, str]:
    if KEY_SHEET not in wb.sheetnames:
        raise WorkbookError(_("{file}: is not a scoring workbook exported by this program (no key).").format(file=name))
    ws = wb[KEY_SHEET]
    if ws.cell(1, 1).value != KEY_MARK:
        raise WorkbookError(_("{file}: the workbook's key has been altered.").format(file=name))
    signature = str(ws.cell(2, 1).value or "")
    chunks = []
    row = 3
    while ws.cell(row, 1).value not in (None, ""):
        chunks.append(str(ws.cell(row, 1).value))
        row += 1
    try:
        payload = json.loads("".join(chunks))
    except ValueError:
        raise WorkbookError(_("{file}: the workbook's key has been altered.").format(file=name)) from None
    return payload, signature
