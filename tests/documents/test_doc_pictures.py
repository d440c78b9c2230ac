"""The pictures of the documents in docs/documents.md come from real exports: the
script ``scripts/doc_pictures.py`` exports the demo batch's documents and draws one
page of each (the Word ones through LibreOffice). Here it draws them into
build/screenshots/; with ``REVIEWTOOL_DOC_IMAGES=1`` they replace docs/images/
(look at them before committing)::

    REVIEWTOOL_DOC_IMAGES=1 .venv/bin/python -m pytest tests/documents/test_doc_pictures.py
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest
from pdf_pages import page_texts
from PIL import Image

from conftest_helpers import publish_picture, screenshot_dir

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "doc_pictures.py"
GUI_PICTURES = {"documents-export-dialog"}  # drawn by tests/gui/test_doc_screenshots.py

#: What the page drawn must show, so each picture is of the document and page the guide says.
SHOWS = {
    "documents-expert-sheet": ("专家评审表", "HDKJ2025-001", "评审专家"),
    "documents-blank-sheet": ("专家评审表", "HDKJ2025-001", "姓名"),
    "documents-panel-sheet": ("组长综合意见", "专家组成员", "HDKJ2025-001"),
    "documents-applicant": ("反馈申报单位", "HDKJ2025-001", "专家1"),
    "documents-summary": ("拟立项项目清单",),
    "documents-publicity": ("公示", "2025年7月1日", "0972-8612345"),
    "documents-notice": ("不予立项通知", "HDKJ2025-002"),
    "documents-signin": ("专家签到表", "第一专家组", "海东市科技局三楼会议室"),
    "documents-fees": ("专家评审费签领表", "第一专家组"),
    "documents-word-panel": ("项目综合评审意见表", "HDKJ2025-001 · ", "保密", "第 1 页 共 2 页"),
    "documents-word-publicity": ("公示", "2025年7月1日"),
}

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


def _script():
    spec = importlib.util.spec_from_file_location("doc_pictures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_document_pictures_are_drawn_from_real_exports(demo_db, tmp_path):
    script = _script()
    word = script.soffice() is not None
    out = screenshot_dir()
    pictures = script.make_pictures(demo_db, out, tmp_path, word=word)
    drawn = {p.name: p for p in pictures}
    in_guide = set(re.findall(r"images/(documents-[a-z-]+)\.png", (REPO / "docs" / "documents.md").read_text("utf-8")))
    expected = in_guide - GUI_PICTURES - (set() if word else {n for n in in_guide if n.startswith("documents-word")})
    assert set(drawn) == expected  # every document picture of the guide, and no other
    assert set(SHOWS) >= expected
    for name, picture in drawn.items():
        text = page_texts(picture.source)[picture.page - 1]
        for words in SHOWS[name]:
            assert _squash(words) in _squash(text), (name, words)
        with Image.open(picture.png) as image:
            width, height = image.size
        assert sorted((width, height)) in ([496, 702], [497, 702]), (name, image.size)  # A4 at 60 dpi
        assert (width > height) == (name == "documents-summary"), name  # the list is landscape
        publish_picture(picture.png)
