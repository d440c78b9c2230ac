"""What every start does cheaply: the schema check without Alembic, the plan check
without a sync, the compiled catalogs from the cache, and ``suggest-areas`` without
the import machinery. Nothing here times anything: the modules a fresh interpreter
loaded and the answers of the quick checks are compared with the slow ones."""

from __future__ import annotations

import gettext
import json
import os
import subprocess
import sys

from sqlalchemy import text

from reviewtool import i18n_compiled
from reviewtool.i18n import catalog_files
from reviewtool.services.setup import is_current, open_database
from reviewtool.storage import migrate


def test_the_quick_head_is_alembics_head():
    assert migrate.quick_head_revision() == migrate.head_revision()


def test_a_current_database_is_recognised_and_an_older_one_is_not(tmp_path):
    database = open_database(f"sqlite:///{(tmp_path / 'a.sqlite3').as_posix()}")
    assert is_current(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not is_current(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": migrate.head_revision()})
        connection.execute(text("UPDATE plan_edition SET content_hash = 'stale'"))
    assert not is_current(database)  # a shipped plan file changed: the next open loads it again
    database.dispose()
    again = open_database(database.url)
    assert is_current(again)
    again.dispose()


START_SCRIPT = r"""
import json, sys
from reviewtool.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "roots": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _run(tmp_path, *args: str) -> dict:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", START_SCRIPT, *args], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_suggest_areas_with_its_model_cached_needs_no_import_machinery(tmp_path):
    url = f"sqlite:///{(tmp_path / 's.sqlite3').as_posix()}"
    args = ("suggest-areas", "--db", url, "--title", "高原牦牛疫病快速诊断技术研究", "--json")
    first = _run(tmp_path, *args)  # creates the database and caches the model
    assert first["code"] == 0 and "alembic" in first["roots"]
    second = _run(tmp_path, *args)
    assert second["code"] == 0
    # (babel or alembic here on a shared tree: a catalog or migration was edited between the two runs)
    assert {"alembic", "jieba", "sklearn", "openpyxl", "reportlab", "PySide6", "babel"} & set(second["roots"]) == set()


def test_compiled_catalogs_are_cached_and_a_damaged_cache_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n_compiled, "cache_dir", lambda: tmp_path / "catalogs")
    po_file = catalog_files("zh_CN")[0]
    first = i18n_compiled.translations_of(po_file, "zh_CN")
    cached = list((tmp_path / "catalogs").glob("*.mo"))
    assert len(cached) == 1
    with open(cached[0], "rb") as handle:
        fresh = gettext.GNUTranslations(handle)
    assert fresh._catalog == first._catalog  # gettext's table of every compiled message
    cached[0].write_bytes(b"not a catalog")
    again = i18n_compiled.translations_of(po_file, "zh_CN")
    assert again._catalog == first._catalog
    assert cached[0].read_bytes() != b"not a catalog"


def test_an_edited_catalog_gets_a_new_cache_entry_and_the_old_one_goes(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n_compiled, "cache_dir", lambda: tmp_path / "catalogs")
    po_file = tmp_path / "demo.po"
    po_file.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Yes"\nmsgstr "是"\n'
    )
    assert i18n_compiled.translations_of(po_file, "zh_CN").gettext("Yes") == "是"
    po_file.write_text(po_file.read_text().replace("是", "对"))
    assert i18n_compiled.translations_of(po_file, "zh_CN").gettext("Yes") == "对"
    assert len(list((tmp_path / "catalogs").glob("zh_CN-demo-*.mo"))) == 1
