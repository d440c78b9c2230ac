"""The Help menu's way to the user guides (Chinese, one per feature, in ``docs/``).

``guides_dir()`` is the repository's ``docs/`` folder in a checkout or an
editable install, or ``reviewtool/docs`` inside an installed package.
``guide_url(name)`` is the file URL of ``docs/<name>.md`` (the README's list
of guides when that guide is missing), opened with the desktop's viewer.
Pages name their guide in a ``guide`` attribute.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

import reviewtool

#: Guide of the pages that do not name one, by class name.
GUIDES_BY_PAGE = {
    "ApplicationsPage": "intake",
    "AreasPage": "intake",
    "RankingPage": "scoring",
    "FundingPage": "funding",
    "ExpertPoolPage": "experts",
    "PanelPage": "panels",
    "BatchPage": "batches",
    "BatchesPage": "batches",
}


def guides_dir() -> Path | None:
    package = Path(reviewtool.__file__).resolve().parent
    for folder in (package / "docs", package.parent / "docs"):
        if (folder / "CONTRIBUTING.md").is_file() or (folder / "intake.md").is_file():
            return folder
    return None


def guide_path(name: str | None) -> Path | None:
    folder = guides_dir()
    if folder is None:
        return None
    for candidate in (folder / f"{name}.md" if name else None, folder.parent / "README.md", folder / "README.md"):
        if candidate is not None and candidate.is_file():
            return candidate
    return folder


def guide_of(page) -> str | None:
    return getattr(page, "guide", None) or GUIDES_BY_PAGE.get(type(page).__name__)


def guide_url(name: str | None) -> QUrl | None:
    path = guide_path(name)
    return QUrl.fromLocalFile(str(path)) if path is not None else None


def open_guide(name: str | None) -> QUrl | None:
    """Open the guide with the desktop's viewer; the URL opened (None when no guide is installed)."""
    url = guide_url(name)
    if url is not None:
        QDesktopServices.openUrl(url)
    return url
