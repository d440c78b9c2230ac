"""Reading PDF pages back with their layout: each text piece with its height
on the page (pypdf's text visitor), so tests can ask what is at the foot of a
page or whether two things share a page."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pypdf


@dataclass(frozen=True)
class Piece:
    y: float  # points from the bottom of the page
    text: str


def _reader(path) -> pypdf.PdfReader:
    if hasattr(path, "read"):
        path.seek(0)
        return pypdf.PdfReader(path)
    return pypdf.PdfReader(str(path))


def pages(path) -> list[list[Piece]]:
    out = []
    for page in _reader(path).pages:
        pieces: list[Piece] = []

        def visit(text, cm, tm, _font, _size, pieces=pieces):
            if text.strip():
                pieces.append(Piece(round(cm[5] + tm[5] * cm[3], 1), text))

        page.extract_text(visitor_text=visit)
        out.append(pieces)
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# The fingerprint is random hex, so "92" or "84" may turn up in it: tests that
# look for what a page must not print read the page without it.
_FINGERPRINT = re.compile(r"(文件指纹|Fingerprint)[0-9A-F]{4}(-[0-9A-F]{4}){3}")


def page_texts(path, fingerprint: bool = False) -> list[str]:
    """Each page's text without white space, and without its 文件指纹 unless asked."""
    texts = [squash(p.extract_text()) for p in _reader(path).pages]
    return texts if fingerprint else [_FINGERPRINT.sub("", t) for t in texts]


def rows(page: list[Piece], tolerance: float = 3.0) -> list[tuple[float, str]]:
    """The page's text grouped into lines by height, top first."""
    lines: list[tuple[float, list[str]]] = []
    for piece in sorted(page, key=lambda p: -p.y):
        if lines and abs(lines[-1][0] - piece.y) <= tolerance:
            lines[-1][1].append(piece.text)
        else:
            lines.append((piece.y, [piece.text]))
    return [(y, squash("".join(parts))) for y, parts in lines]


def body_rows(page: list[Piece], footer_y: float = 40.0, header_y: float | None = None) -> list[tuple[float, str]]:
    """Lines between the running header and the footer."""
    found = rows(page)
    top = header_y if header_y is not None else (found[0][0] - 1 if found else 0)
    return [(y, t) for y, t in found if footer_y < y < top]
