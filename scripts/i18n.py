#!/usr/bin/env python3
"""Translation catalog upkeep.

    python scripts/i18n.py missing            # msgids without a zh_CN translation
    python scripts/i18n.py stub FILE.po       # append the missing msgids to FILE.po with empty msgstr

Each feature keeps its own resources/locale/zh_CN/LC_MESSAGES/<feature>.po; all files
of a language are merged at run time.
"""

from __future__ import annotations

import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from reviewtool.i18n_catalog import extract_messages, load_catalog_entries


def missing(language: str = "zh_CN"):
    entries = load_catalog_entries(language)
    return [m for m in extract_messages() if not entries.get(m.msgid, ("", None))[0]]


def main(argv: list[str]) -> int:
    if not argv or argv[0] == "missing":
        todo = missing()
        for message in todo:
            print(f"{message.location}\t{message.msgid}")
        return 1 if todo else 0
    if argv[0] == "stub" and len(argv) == 2:
        catalog = Catalog(locale="zh_CN")
        for message in missing():
            catalog.add(message.msgid, "", locations=[tuple(message.location.rsplit(":", 1))])
        import io

        buffer = io.BytesIO()
        write_po(buffer, catalog, omit_header=True, width=0)
        with open(argv[1], "ab") as handle:
            handle.write(buffer.getvalue())
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
