"""A workbook filled on a Chinese workstation is read on an English one (and back):
the overall opinion is written as the expert's workbook shows it, whatever language
the importing workstation runs in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviewtool.core.enums import Opinion
from reviewtool.i18n import set_language
from reviewtool.services.panels import workbook_import
from reviewtool.storage.models import ScoreSheet

from .test_workbooks import exported, fill  # noqa: F401 - the fixture

LABELS = {"zh_CN": "推荐", "en": "Recommend"}


@pytest.mark.parametrize(("filled_in", "read_in"), [("zh_CN", "en"), ("en", "zh_CN")])
def test_an_opinion_in_the_other_language_is_read(exported, db, filled_in, read_in):  # noqa: F811
    _w, _panel_id, files, _names = exported
    set_language(filled_in)
    label = Opinion.RECOMMEND.label()
    assert label == LABELS[filled_in]
    for f in files:
        fill(f.path, opinion=label)
    set_language(read_in)
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [files[0].path.parent], actor="clerk")
        assert report.ok, [f.errors for f in report.files]
        assert set(s.scalars(select(ScoreSheet.opinion))) == {Opinion.RECOMMEND}


def test_a_word_that_is_no_opinion_in_any_language_is_still_refused(exported, db):  # noqa: F811
    _w, _panel_id, files, _names = exported
    set_language("en")
    fill(files[0].path, opinion="很好")
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [files[0].path], actor="clerk")
        assert not report.ok
        assert any("很好" in e for f in report.files for e in f.errors)
