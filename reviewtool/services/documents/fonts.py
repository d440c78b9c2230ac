"""Chinese fonts for the PDF documents.

``document_fonts(path)`` finds a TrueType CJK font (the file chosen in the
settings first, then the usual system fonts of Windows, Linux and macOS,
including ``.ttc`` collections), registers it with reportlab once per
process and returns a ``DocumentFonts`` that turns plain text into safe
paragraph markup. When no TrueType font works it falls back to reportlab's
built-in ``STSong-Light`` CID font and says so in ``warning``.

No boxes for missing glyphs: ``DocumentFonts.markup`` checks every character
against the chosen font's character map and prints the runs it lacks in a
fallback font that has them (DejaVu Sans for symbols and Latin extensions,
STSong-Light for CJK); a character that no font has is replaced by ``?``.
Only the glyphs used are embedded (reportlab subsets TrueType fonts).

Thread-safety: registration is guarded by a lock; the returned objects are
immutable and may be shared between threads.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from reviewtool.i18n import _

log = logging.getLogger(__name__)

CID_FALLBACK = "STSong-Light"


@dataclass(frozen=True)
class FontCandidate:
    path: Path
    subfont_index: int = 0


def _windows_candidates() -> list[FontCandidate]:
    folder = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    names = [
        ("simsun.ttc", 0),  # 宋体
        ("simsun.ttf", 0),
        ("simfang.ttf", 0),  # 仿宋
        ("msyh.ttc", 0),  # 微软雅黑
        ("msyh.ttf", 0),
        ("simhei.ttf", 0),  # 黑体
        ("simkai.ttf", 0),  # 楷体
    ]
    local = Path(os.environ.get("LOCALAPPDATA", "")) / "Microsoft" / "Windows" / "Fonts"
    found = [FontCandidate(folder / name, index) for name, index in names]
    found += [FontCandidate(local / name, index) for name, index in names]
    return found


def _linux_candidates() -> list[FontCandidate]:
    roots = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path.home() / ".local" / "share" / "fonts",
        Path.home() / ".fonts",
    ]
    names = [
        "wqy-microhei.ttc",  # 文泉驿微米黑
        "wqy-zenhei.ttc",  # 文泉驿正黑
        "uming.ttc",  # AR PL UMing
        "ukai.ttc",  # AR PL UKai
        "gkai00mp.ttf",  # AR PL KaitiM GB
        "gbsn00lp.ttf",  # AR PL SungtiL GB
        "DroidSansFallbackFull.ttf",
        "NotoSansCJK-Regular.ttc",  # CFF outlines: tried, usually refused by reportlab
        "NotoSerifCJK-Regular.ttc",
    ]
    found: list[FontCandidate] = []
    for name in names:
        for root in roots:
            if root.is_dir():
                found += [FontCandidate(path) for path in sorted(root.rglob(name))]
    return found


def _mac_candidates() -> list[FontCandidate]:
    paths = [
        "/System/Library/Fonts/Supplemental/Songti.ttc",
        "/Library/Fonts/Songti.ttc",
        "/System/Library/Fonts/STHeiti Light.ttc",
        "/System/Library/Fonts/STHeiti Medium.ttc",
        "/System/Library/Fonts/Hiragino Sans GB.ttc",
        "/System/Library/Fonts/PingFang.ttc",
        "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
        "/Library/Fonts/Arial Unicode.ttf",
    ]
    return [FontCandidate(Path(p)) for p in paths]


def system_candidates(platform: str | None = None) -> list[FontCandidate]:
    """Font files worth trying on this system, best first (existing or not)."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return _windows_candidates()
    if platform == "darwin":
        return _mac_candidates()
    return _linux_candidates()


def _symbol_candidates() -> list[Path]:
    if sys.platform.startswith("win"):
        folder = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        return [folder / "arial.ttf", folder / "segoeui.ttf", folder / "seguisym.ttf"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts/Supplemental/Arial Unicode.ttf"), Path("/Library/Fonts/Arial.ttf")]
    return [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/dejavu/DejaVuSans.ttf")]


@dataclass(frozen=True)
class _Face:
    """A registered font and the characters it can draw."""

    name: str
    covers: frozenset[str] | None  # characters with a glyph; None: decide by encoding (CID fonts)

    def has(self, char: str) -> bool:
        if self.covers is not None:
            return char in self.covers
        try:
            char.encode("gbk")
        except UnicodeEncodeError:
            return False
        return True


@dataclass(frozen=True)
class DocumentFonts:
    """The fonts a document uses, registered with reportlab.

    ``name`` is the main font's reportlab name (use it in styles);
    ``source`` the file it came from (``None`` for STSong-Light);
    ``warning`` a translated sentence when the fallback is in use.
    """

    name: str
    source: Path | None
    warning: str | None
    faces: tuple[_Face, ...] = field(repr=False)

    @property
    def embedded(self) -> bool:
        return self.source is not None

    def covers(self, text: str) -> bool:
        """Whether the main font has every character of ``text``."""
        main = self.faces[0]
        return all(main.has(ch) or ch in "\n\r\t" for ch in text)

    def runs(self, text: str) -> list[tuple[str, str]]:
        """Split text into (font name, text) runs so every character has a glyph."""
        runs: list[tuple[str, str]] = []
        for ch in text:
            if ch in "\n\r\t":
                face_name = self.faces[0].name
            else:
                face_name = next((f.name for f in self.faces if f.has(ch)), None)
                if face_name is None:
                    face_name, ch = self.faces[0].name, "?"
            if runs and runs[-1][0] == face_name:
                runs[-1] = (face_name, runs[-1][1] + ch)
            else:
                runs.append((face_name, ch))
        return runs

    def markup(self, text: object) -> str:
        """Plain text as reportlab paragraph markup: escaped (so ``<b>`` and
        ``&`` print literally), line breaks kept, and runs the main font
        lacks wrapped in a fallback ``<font>``."""
        if text is None:
            return ""
        text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        main = self.faces[0].covers
        if main is not None and set(text).difference(_BREAKS) <= main:
            return escape(text).replace("\n", "<br/>")  # the common case: one font has it all
        parts = []
        for face_name, chunk in self.runs(text):
            escaped = escape(chunk).replace("\n", "<br/>")
            if face_name == self.name:
                parts.append(escaped)
            else:
                parts.append(f'<font face="{face_name}">{escaped}</font>')
        return "".join(parts)

    def plain(self, text: object) -> str:
        """Text for canvas ``drawString`` (no markup): characters no font has become ``?``."""
        text = "" if text is None else str(text)
        main = self.faces[0]
        return "".join(ch if main.has(ch) else "?" for ch in text)


_BREAKS = frozenset("\n")
_lock = threading.Lock()
_registered: dict[tuple[str, int], _Face] = {}
_cache: dict[str, DocumentFonts] = {}


def _register_ttf(path: Path, index: int) -> _Face:
    key = (str(path), index)
    face = _registered.get(key)
    if face is not None:
        return face
    name = f"RT-{path.stem}-{index}"
    font = TTFont(name, str(path), subfontIndex=index)
    pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    face = _Face(name, frozenset(map(chr, font.face.charToGlyph)))
    _registered[key] = face
    return face


def _register_cid() -> _Face:
    key = (CID_FALLBACK, 0)
    face = _registered.get(key)
    if face is None:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
        pdfmetrics.registerFontFamily(
            CID_FALLBACK, normal=CID_FALLBACK, bold=CID_FALLBACK, italic=CID_FALLBACK, boldItalic=CID_FALLBACK
        )
        face = _registered[key] = _Face(CID_FALLBACK, None)
    return face


_CJK_PROBE = "海东市科学技术局专家评审表第页共"


def _try(candidate: FontCandidate) -> _Face | None:
    if not candidate.path.is_file():
        return None
    try:
        face = _register_ttf(candidate.path, candidate.subfont_index)
    except Exception as exc:  # noqa: BLE001 - reportlab raises many kinds for unusable fonts
        log.info("font %s (%s) not usable: %s", candidate.path, candidate.subfont_index, exc)
        return None
    if not set(_CJK_PROBE) <= face.covers:
        log.info("font %s lacks Chinese glyphs", candidate.path)
        return None
    return face


def parse_font_setting(value: str) -> FontCandidate:
    """``path`` or ``path#index`` (a face inside a .ttc collection)."""
    text = value.strip()
    index = 0
    if "#" in text:
        head, tail = text.rsplit("#", 1)
        if tail.isdigit():
            text, index = head, int(tail)
    return FontCandidate(Path(text).expanduser(), index)


def document_fonts(font_file: str | Path | None = None) -> DocumentFonts:
    """The fonts to use, registered once per process for each choice.

    ``font_file`` is the file chosen in the settings (``path`` or
    ``path#index`` for a .ttc face); when it is missing or unusable the
    system fonts are tried and the warning says why.
    """
    key = str(font_file or "")
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        warnings: list[str] = []
        main: _Face | None = None
        source: Path | None = None
        if font_file:
            chosen = parse_font_setting(str(font_file))
            main = _try(chosen)
            if main is None:
                warnings.append(
                    _("The font file {path} cannot be used for Chinese text; using a system font instead.").format(
                        path=chosen.path
                    )
                )
            else:
                source = chosen.path
        if main is None:
            for candidate in system_candidates():
                main = _try(candidate)
                if main is not None:
                    source = candidate.path
                    break
        cid = _register_cid()
        if main is None:
            warnings.append(
                _(
                    "No TrueType Chinese font was found; the PDF uses the built-in STSong-Light font, "
                    "which readers must supply. Choose a font file in the settings to embed one."
                )
            )
            main = cid
        faces = [main]
        for path in _symbol_candidates():
            symbol = None
            if path.is_file():
                try:
                    symbol = _register_ttf(path, 0)
                except Exception:  # noqa: BLE001
                    symbol = None
            if symbol is not None:
                faces.append(symbol)
                break
        if cid is not main:
            faces.append(cid)
        warning = " ".join(warnings) or None
        if warning:
            log.warning("%s", warning)
        fonts = DocumentFonts(main.name, source, warning, tuple(faces))
        _cache[key] = fonts
        return fonts
