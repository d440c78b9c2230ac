#!/usr/bin/env python3
"""Record which plan text each plan file was checked against, by hash.

    python scripts/record_plan_sources.py           # check word for word, then write the record
    python scripts/record_plan_sources.py --check   # exit 1 when the record is not current

``resources/plans/SOURCES.json`` holds, for each ``resources/plans/*.yaml``, the
sha256 of its plan text (``../shared/seeds/<source>``) and of the plan file itself
as it was when the word-for-word test passed. ``tests/test_taxonomy_data.py``
checks the plan files' hashes everywhere, and the texts' hashes where the texts
are present, so an edit to a plan file that was not checked again fails in every
clone, including one that does not sit beside ``../shared``.

Hashes are of the UTF-8 text with line endings normalised to ``\\n`` (a Windows
checkout with CRLF line endings hashes the same).

The record is written only after ``tests/test_taxonomy_data.py::test_word_for_word_against_the_plan``
passed against the texts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PLANS = REPO / "resources" / "plans"
RECORD = PLANS / "SOURCES.json"
SEEDS = REPO.parent / "shared" / "seeds"
CHECK = "tests/test_taxonomy_data.py::test_word_for_word_against_the_plan"


def text_sha256(path: Path) -> str:
    text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_record(plans: Path = PLANS, seeds: Path = SEEDS) -> dict:
    entries = {}
    for plan in sorted(plans.glob("*.yaml")):
        edition = yaml.safe_load(plan.read_text(encoding="utf-8"))["edition"]
        seed = seeds / edition["source"]
        entries[plan.name] = {
            "edition": edition["code"],
            "source": edition["source"],
            "source_sha256": text_sha256(seed),
            "plan_sha256": text_sha256(plan),
        }
    return {
        "about": (
            "Each plan file passed the word-for-word check against its plan text while it had the hash "
            "plan_sha256; source_sha256 is the hash of that text. Hashes: sha256 of the UTF-8 text with "
            "\\n line endings. Written by scripts/record_plan_sources.py; checked by tests/test_taxonomy_data.py."
        ),
        "checked_by": CHECK,
        "plans": entries,
    }


def render(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the record is not current")
    args = parser.parse_args(argv)
    if not SEEDS.is_dir():
        print(f"the plan texts are not at {SEEDS}; this needs a clone beside ../shared", file=sys.stderr)
        return 2
    text = render(build_record())
    if args.check:
        current = RECORD.read_text(encoding="utf-8") if RECORD.exists() else ""
        print(f"{RECORD}: {'up to date' if current == text else 'not current'}")
        return 0 if current == text else 1
    checked = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", CHECK], cwd=REPO)
    if checked.returncode != 0:
        print("the word-for-word check failed; the record was not written", file=sys.stderr)
        return 1
    RECORD.write_text(text, encoding="utf-8", newline="\n")
    print(f"{RECORD}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
