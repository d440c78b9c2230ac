"""Two corrections to reportlab, applied once when the documents load.

1. **Characters beyond U+FFFF in the text layer.** reportlab writes a
   TrueType subset's ToUnicode map as ``<07> <2A6A5>``: an odd-length hex
   string, which readers reject, so copying or searching a PDF loses every
   CJK Extension B character (𠀀 𪚥 𡈼) though it prints. A ToUnicode
   destination must be UTF-16BE; ``to_unicode_cmap`` writes the surrogate
   pair (``<D869DEA5>``) for such characters and is installed in place of
   ``reportlab.pdfbase.ttfonts.makeToUnicodeCMap``.
2. **Line-start rules for Chinese punctuation.** reportlab's CJK line
   breaking keeps a character that cannot start a line on the line before,
   but its list (``ALL_CANNOT_START``) lacks the full-width ，；：？！ and the
   closing 》〉”’, so a wrapped line could begin with "，". The list is
   extended in both places that read it on every call:
   ``reportlab.lib.textsplit`` (a paragraph in one font) and
   ``reportlab.platypus.paragraph`` (a paragraph with font runs).

``apply()`` is idempotent. Tests check both from the files written.
"""

from __future__ import annotations

from reportlab.lib import textsplit
from reportlab.pdfbase import ttfonts
from reportlab.platypus import paragraph

#: Full-width and closing punctuation that must not begin a line (GB/T 15834 and common practice).
CANNOT_START = "，；：？！、。）》〉」』】〕］｝”’…—·％‰℃"

_applied = False


def _utf16_hex(code: int) -> str:
    if code <= 0xFFFF:
        return f"{code:04X}"
    code -= 0x10000
    return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """The ToUnicode CMap of one (at most 256-glyph) subset, UTF-16BE destinations."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
    ]
    # A bfchar block may hold at most 100 entries (PDF reference, 5.9.2).
    for start in range(0, len(subset), 100):
        chunk = list(enumerate(subset))[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def apply() -> None:
    global _applied
    if _applied:
        return
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    for module in (textsplit, paragraph):
        missing = "".join(ch for ch in CANNOT_START if ch not in module.ALL_CANNOT_START)
        module.ALL_CANNOT_START = module.ALL_CANNOT_START + missing
    _applied = True
