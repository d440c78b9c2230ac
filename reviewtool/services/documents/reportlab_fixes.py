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
   reportlab also keeps only *one* such character back ("果），" could still
   start a line with "，") and happily ends a line with "（" or "“". Its two
   CJK line splitters (``textsplit.dumbSplit``, ``paragraph.cjkFragSplit``)
   are replaced by ``dumb_split`` / ``cjk_frag_split``: the same greedy
   filling (one closing mark may still hang in the margin), then the break
   moves back over a whole run of marks that cannot start a line and over
   opening brackets that cannot end one.

``apply()`` is idempotent. Tests check both from the files written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from unicodedata import category

from reportlab.lib import textsplit
from reportlab.pdfbase import ttfonts
from reportlab.platypus import paragraph
from reportlab.rl_config import _FUZZ

#: Full-width and closing punctuation that must not begin a line (GB/T 15834 and common practice).
CANNOT_START = "，；：？！、。）》〉」』】〕］｝”’…—·％‰℃"
#: Opening brackets and quotes that must not end a line.
CANNOT_END = "（“‘《〈「『【〔［｛"

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


def _break_lines(
    chars: Sequence[str],
    width_of: Callable[[int, float], float],
    max_widths: Sequence[float],
    hard_break: Callable[[int], bool] = lambda i: False,
) -> list[tuple[int, int, float, float, bool]]:
    """Where the lines of ``chars`` break: (start, end, extra space, width used, hard break) each.

    reportlab's greedy CJK filling (``textsplit.dumbSplit``), with the break then moved back
    over every character that cannot start a line and every one that cannot end it."""
    cannot_start = textsplit.ALL_CANNOT_START
    closing = set(cannot_start)  # (sets: an image's empty text is in no set, though in every string)
    opening = set(textsplit.CANNOT_END_LINE[0] + CANNOT_END)
    lines: list[tuple[int, int, float, float, bool]] = []
    i = width_used = start = 0
    max_width = max_widths[0]
    n = len(chars)
    while i < n:
        c = chars[i]
        w = width_of(i, max_width)
        i += 1
        width_used += w
        line_break = hard_break(i - 1)
        if not (line_break or (width_used > max_width + _FUZZ and width_used > 0)):
            continue
        extra = max_width - width_used
        if not line_break:
            if ord(c) < 0x3000:  # within a non-Asian run: break at a space or where Chinese resumes
                for j in range(i - 1, (start + i) >> 1, -1):
                    if category(chars[j]) == "Zs" or ord(chars[j]) >= 0x3000:
                        k = j + 1
                        if k < i:
                            j = k + 1
                            extra += sum(width_of(m, max_width) for m in range(j, i))
                            w = width_of(k, max_width)
                            c = chars[k]
                            i = j
                            break
            if c not in cannot_start and i > start + 1:  # push the character to the next line
                i -= 1
                extra += w
            j = i  # then back over a run that cannot start a line, or an opening bracket
            while j > start + 1 and j < n and (chars[j] in closing or chars[j - 1] in opening):
                j -= 1
            if j < n and chars[j] not in closing and chars[j - 1] not in opening:
                extra += sum(width_of(m, max_width) for m in range(j, i))
                i = j
        lines.append((start, i, extra, max_width - extra, line_break))
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        start = i
        width_used = 0
    if width_used > 0:
        lines.append((start, n, max_width - width_used, width_used, False))
    return lines


def dumb_split(word: str, widths: Sequence[float], maxWidths) -> list:  # noqa: N803 (reportlab's name)
    """``textsplit.dumbSplit`` with whole runs kept off the line start."""
    max_widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
    return [
        [extra, word[a:b].strip() if b < len(word) else word[a:]]
        for a, b, extra, _used, _hard in _break_lines(word, lambda i, _m: widths[i], max_widths)
    ]


def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):  # noqa: N803 (reportlab's names)
    """``paragraph.cjkFragSplit`` with whole runs kept off the line start."""
    max_widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
    units = []
    for f in frags:
        text = f.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            units.extend(paragraph.cjkU(t, f, encoding) for t in text)
        else:
            units.append(paragraph.cjkU(text, f, encoding))

    def width_of(i: int, max_width: float) -> float:
        w = units[i].width
        if hasattr(w, "normalizedValue"):
            w._normalizer = max_width
            w = w.normalizedValue(max_width)
        return w

    lines = [
        paragraph.makeCJKParaLine(units[a:b], max_widths[min(k, len(max_widths) - 1)], used, extra, hard, calcBounds)
        for k, (a, b, extra, used, hard) in enumerate(
            _break_lines(units, width_of, max_widths, lambda i: hasattr(units[i].frag, "lineBreak"))
        )
    ]
    return paragraph.ParaLines(kind=1, lines=lines)


def apply() -> None:
    global _applied
    if _applied:
        return
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    for module in (textsplit, paragraph):
        missing = "".join(ch for ch in CANNOT_START if ch not in module.ALL_CANNOT_START)
        module.ALL_CANNOT_START = module.ALL_CANNOT_START + missing
    textsplit.dumbSplit = dumb_split
    paragraph.cjkFragSplit = cjk_frag_split
    _applied = True
