"""Per-user options and window state, kept in QSettings.

Every option is declared once here with its type and default (after
Picard's ``options.py``). Data settings shared by all workstations (bureau
name, thresholds …) live in the database instead; see
``reviewtool.services.settings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T
    kind: type

    def read(self, settings: QSettings) -> T:
        value = settings.value(self.key, self.default)
        if value is None:
            return self.default
        if self.kind is bool and isinstance(value, str):
            return value.lower() in ("1", "true", "yes")  # type: ignore[return-value]
        if self.kind is list:
            if isinstance(value, str):
                return [value]  # type: ignore[return-value]
            return list(value)  # type: ignore[return-value]
        if self.kind is QByteArray:
            return value if isinstance(value, QByteArray) else QByteArray()  # type: ignore[return-value]
        try:
            return self.kind(value)  # type: ignore[return-value]
        except (TypeError, ValueError):
            return self.default

    def write(self, settings: QSettings, value: T) -> None:
        settings.setValue(self.key, value)


LANGUAGE = Option("ui/language", "zh_CN", str)
DATABASE_URL = Option("database/url", "", str)
RECENT_DATABASES = Option("database/recent", [], list)
PDF_FONT_FILE = Option("documents/font_file", "", str)
MAIN_GEOMETRY = Option("window/main_geometry", QByteArray(), QByteArray)
MAIN_STATE = Option("window/main_state", QByteArray(), QByteArray)
LAST_PAGE = Option("window/last_page", 0, int)
SETTINGS_VERSION = Option("meta/schema_version", 0, int)


def open_settings() -> QSettings:
    """The app's QSettings, upgraded to the current schema version."""
    settings = QSettings("HaidongKJJ", "reviewtool")
    version = SETTINGS_VERSION.read(settings)
    if version < SCHEMA_VERSION:
        # No older schema has existed yet; later upgrades go here, one per version.
        SETTINGS_VERSION.write(settings, SCHEMA_VERSION)
    return settings


def remember_database(settings: QSettings, url: str, limit: int = 8) -> None:
    recent = [u for u in RECENT_DATABASES.read(settings) if u != url]
    RECENT_DATABASES.write(settings, [url, *recent][:limit])
    DATABASE_URL.write(settings, url)
