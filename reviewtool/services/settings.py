"""Data settings shared through the database (bureau name, …).

Window state and per-user preferences live in QSettings on the GUI side;
these are the values every workstation on the same database must agree on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.storage.models import Setting


@dataclass(frozen=True)
class DataSetting:
    key: str
    default: Any
    title: str  # marked with N_, shown with _()


BUREAU_NAME = DataSetting("bureau_name", "海东市科学技术局", N_("Bureau name (printed on documents)"))

ALL_SETTINGS = (BUREAU_NAME,)


def get(session: Session, setting: DataSetting) -> Any:
    row = session.get(Setting, setting.key)
    return setting.default if row is None else row.value


def put(session: Session, setting: DataSetting, value: Any, *, actor: str) -> bool:
    """Store a value; returns whether it changed (and audits the change)."""
    row = session.get(Setting, setting.key)
    old = setting.default if row is None else row.value
    if old == value:
        return False
    if row is None:
        session.add(Setting(key=setting.key, value=value))
    else:
        row.value = value
    audit.record(
        session,
        actor=actor,
        action="setting.change",
        entity_type="setting",
        summary=_("Changed {title}").format(title=_(setting.title)),
        details={"key": setting.key, "old": old, "new": value},
    )
    return True
