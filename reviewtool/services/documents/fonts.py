"""Chinese fonts for the documents: a main font and a chain of fallbacks.

``document_fonts(path)`` finds a TrueType CJK font (the file chosen in the
settings first, then the usual system fonts of Windows, Linux and macOS,
including ``.ttc`` collections), registers it with reportlab once per
process and returns a ``DocumentFonts``. When no TrueType font works it
falls back to reportlab's built-in ``STSong-Light`` CID font and says so in
``warning``.

**Every character printed.** ``DocumentFonts.runs`` checks each character
against the main font's character map; a character it lacks is looked up
along a fallback chain — a symbol font (☑ ☐), then the fonts for CJK
Extension A/B (SimSun-ExtB, MingLiU-ExtB, 花园明朝 A/B), then every other
Chinese font on the machine, then STSong-Light for GBK — and printed in the
first font that has it (its glyph embedded, as a subset). Fallback fonts are
read only when a character needs them. A character that no font on the
machine has is printed as its code point, ``[U+2A6A5]``, and reported:
``missing(text)`` names such characters, and ``markup(text, missing=set)``
collects them, so an export can name the characters and the document in its
warning. Nothing is ever replaced by a silent ``?``.

Font discovery (``font_files``) reads the disk; call ``document_fonts`` off
the GUI thread (the export dialog asks the worker).

Thread-safety: registration and the lazy chain are guarded by one lock; the
returned objects may be shared between threads.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from reviewtool.i18n import _
from reviewtool.services.documents import reportlab_fixes
from reviewtool.services.documents.font_files import (
    FontCandidate,
    extension_candidates,
    symbol_candidates,
    system_candidates,
)

log = logging.getLogger(__name__)

CID_FALLBACK = "STSong-Light"
_CONTROL = frozenset("\n\r\t")

reportlab_fixes.apply()


def missing_mark(char: str) -> str:
    """What prints in place of a character no font has: its code point."""
    return f"[U+{ord(char):04X}]"


def describe_characters(chars: str) -> str:
    """``𪚥 (U+2A6A5), 䶮 (U+4DAE)`` — characters with their code points."""
    return _(", ").join(f"{ch} (U+{ord(ch):04X})" for ch in chars)


@dataclass(frozen=True)
class _Face:
    """A registered font and the characters it can draw."""

    name: str  # reportlab name
    family: str  # the font's family name (for Word documents)
    covers: frozenset[str] | None  # characters with a glyph; None: decide by encoding (CID fonts)
    path: Path | None = None

    def has(self, char: str) -> bool:
        if self.covers is not None:
            return char in self.covers
        try:
            char.encode("gbk")
        except UnicodeEncodeError:
            return False
        return True


_lock = threading.RLock()
_registered: dict[tuple[str, int], _Face | None] = {}
_cache: dict[str, DocumentFonts] = {}


def _register_ttf(path: Path, index: int) -> _Face:
    key = (str(path), index)
    if key in _registered and _registered[key] is not None:
        return _registered[key]
    name = f"RT-{path.stem}-{index}"
    font = TTFont(name, str(path), subfontIndex=index)
    pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    family = font.face.familyName
    family = family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family or path.stem)
    face = _Face(name, family, frozenset(map(chr, font.face.charToGlyph)), path)
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
        face = _registered[key] = _Face(CID_FALLBACK, "SimSun", None)
    return face


_CJK_PROBE = "海东市科学技术局专家评审表第页共"


def _load(candidate: FontCandidate) -> _Face | None:
    """The font registered, or None when the file is missing or unusable (remembered)."""
    key = (str(candidate.path), candidate.subfont_index)
    if key in _registered:
        return _registered[key]
    if not candidate.path.is_file():
        return None
    try:
        return _register_ttf(candidate.path, candidate.subfont_index)
    except Exception as exc:  # noqa: BLE001 - reportlab raises many kinds for unusable fonts
        log.info("font %s (%s) not usable: %s", candidate.path, candidate.subfont_index, exc)
        _registered[key] = None
        return None


def _try_main(candidate: FontCandidate) -> _Face | None:
    face = _load(candidate)
    if face is not None and not set(_CJK_PROBE) <= face.covers:
        log.info("font %s lacks Chinese glyphs", candidate.path)
        return None
    return face


class _Chain:
    """The fallback faces after the main font; candidates are read only
    when a character needs them. Guarded by the module lock."""

    def __init__(self, main: _Face, pending: list[FontCandidate], cid: _Face | None) -> None:
        self.main = main
        self.loaded: tuple[_Face, ...] = ()
        self.pending = list(pending)
        self.cid = cid
        self._by_char: dict[str, _Face | None] = {}

    def face_for(self, char: str) -> _Face | None:
        if self.main.has(char):
            return self.main
        try:
            return self._by_char[char]
        except KeyError:
            pass
        with _lock:
            face = next((f for f in self.loaded if f.has(char)), None)
            while face is None and self.pending:
                loaded = _load(self.pending.pop(0))
                if loaded is not None and loaded is not self.main and loaded not in self.loaded:
                    self.loaded += (loaded,)
                    if loaded.has(char):
                        face = loaded
            if face is None and self.cid is not None and self.cid is not self.main and self.cid.has(char):
                face = self.cid
            self._by_char[char] = face
            return face


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
    main: _Face = field(repr=False)
    chain: _Chain = field(repr=False, compare=False)

    @property
    def embedded(self) -> bool:
        return self.source is not None

    @property
    def family(self) -> str:
        return self.main.family

    @property
    def faces(self) -> tuple[_Face, ...]:
        """The faces read so far: the main font first."""
        return (self.main, *self.chain.loaded)

    def covers(self, text: str) -> bool:
        """Whether the main font has every character of ``text``."""
        return all(self.main.has(ch) or ch in _CONTROL for ch in text)

    def face_for(self, char: str) -> _Face | None:
        """The first font of the chain that has ``char`` (None: no font on this machine)."""
        return self.chain.face_for(char)

    def missing(self, text: object) -> str:
        """The characters of ``text`` that no font has, each once, in order."""
        seen: dict[str, None] = {}
        for ch in "" if text is None else str(text):
            if ch not in _CONTROL and ch not in seen and self.face_for(ch) is None:
                seen[ch] = None
        return "".join(seen)

    def runs(self, text: str, missing: set[str] | None = None) -> list[tuple[str, str]]:
        """Split text into (font name, text) runs so every character has a
        glyph; a character no font has becomes its code point (and goes
        into ``missing`` when given)."""
        runs: list[tuple[str, str]] = []
        for ch in text:
            if ch in _CONTROL:
                face_name = self.name
            else:
                face = self.face_for(ch)
                if face is None:
                    if missing is not None:
                        missing.add(ch)
                    face_name, ch = self.name, missing_mark(ch)
                else:
                    face_name = face.name
            if runs and runs[-1][0] == face_name:
                runs[-1] = (face_name, runs[-1][1] + ch)
            else:
                runs.append((face_name, ch))
        return runs

    def markup(self, text: object, missing: set[str] | None = None) -> str:
        """Plain text as reportlab paragraph markup: escaped (so ``<b>`` and
        ``&`` print literally), line breaks kept, and runs the main font
        lacks wrapped in a fallback ``<font>``."""
        if text is None:
            return ""
        text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        covers = self.main.covers
        if covers is not None and set(text).difference(_BREAKS) <= covers:
            return escape(text).replace("\n", "<br/>")  # the common case: one font has it all
        parts = []
        for face_name, chunk in self.runs(text, missing):
            escaped = escape(chunk).replace("\n", "<br/>")
            if face_name == self.name:
                parts.append(escaped)
            else:
                parts.append(f'<font face="{face_name}">{escaped}</font>')
        return "".join(parts)


_BREAKS = frozenset("\n")


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
    system fonts are tried and the warning says why. Reads the disk the
    first time: not on the GUI thread.
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
            main = _try_main(chosen)
            if main is None:
                warnings.append(
                    _("The font file {path} cannot be used for Chinese text; using a system font instead.").format(
                        path=chosen.path
                    )
                )
            else:
                source = chosen.path
        others = system_candidates()
        if main is None:
            for candidate in others:
                main = _try_main(candidate)
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
        chain = _Chain(main, [*symbol_candidates(), *extension_candidates(), *others], cid)
        warning = " ".join(warnings) or None
        if warning:
            log.warning("%s", warning)
        fonts = DocumentFonts(main.name, source, warning, main, chain)
        _cache[key] = fonts
        return fonts
