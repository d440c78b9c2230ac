"""Catalog maintenance helpers shared by ``scripts/i18n.py`` and the tests:
extract the messages marked in the source and compare them with the catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from reviewtool.i18n import catalog_files

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Message:
    msgid: str
    location: str


def source_root() -> Path:
    return Path(__file__).resolve().parent


def extract_messages(root: Path | None = None) -> list[Message]:
    root = root or source_root()
    found: dict[str, Message] = {}
    method_map = [("**.py", "python")]
    for filename, lineno, message, _comments, _context in extract_from_dir(str(root), method_map, keywords=KEYWORDS):
        msgids = message if isinstance(message, tuple) else (message,)
        for msgid in msgids:
            if msgid and msgid not in found:
                found[msgid] = Message(msgid, f"{filename}:{lineno}")
    return list(found.values())


def load_catalog_entries(language: str) -> dict[str, tuple[str, Path]]:
    """msgid → (msgstr, file) over all .po files of a language."""
    entries: dict[str, tuple[str, Path]] = {}
    for po_file in catalog_files(language):
        with open(po_file, "rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
            entries[msgid] = (msgstr or "", po_file)
    return entries


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))
