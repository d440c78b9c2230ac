"""Filling a Word template (built-in or the bureau's own) with docxtpl.

- **Strict placeholders.** Rendering uses Jinja2's ``StrictUndefined``: a
  placeholder the data lacks, or a malformed tag, raises ``UserError``
  naming the template, the placeholder and the placeholders it may use —
  never a document with silent blanks.
- **Escaped text.** ``autoescape`` is on: ``<b>`` and ``&`` in a title are
  text, never XML.
- **Rare characters.** Characters outside GBK that 仿宋/宋体 lack (CJK
  Extension A, B …) are put in runs of their own in SimSun (Extension A) or
  SimSun-ExtB (Extension B and beyond), the fonts Windows has for them;
  other systems substitute a font that has the glyph (LibreOffice with
  花园明朝 on Debian). The text itself is always whole. Characters no font
  on this machine has are returned so the export can name them.
- **Page headers.** Headers are outside the template's loop over ``docs``, so
  they cannot name each document; when the documents carry a
  ``page_header``, each section (one per document) is given its own header
  with that line after rendering (``docx_build.page_headers``), marked 保密
  when the context is ``confidential``. A bureau template whose sections are
  not one per document keeps its own headers.

Thread-safety: each call works on its own document.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile

from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.documents import docx_build
from reviewtool.services.documents.fonts import DocumentFonts

EXT_A_FONT = "SimSun"  # 宋体 has CJK Extension A
EXT_B_FONT = "SimSun-ExtB"  # Windows' font for Extension B and beyond


def rare_font(char: str) -> str | None:
    """The Word font for a character 仿宋/宋体 lack, or None."""
    code = ord(char)
    if code < 0x3400:
        return None
    try:
        char.encode("gbk")
        return None
    except UnicodeEncodeError:
        pass
    if code >= 0x20000:
        return EXT_B_FONT
    if 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return EXT_A_FONT
    return None


def _undefined_name(message: str) -> str:
    found = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    return found.group(1) if found else message


def _known(context: dict) -> str:
    names = []
    for key, value in context.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            names.append(f"{key}[{', '.join(value[0])}]")
        else:
            names.append(key)
    return ", ".join(names)


def load_template(data: bytes, name: str) -> DocxTemplate:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise zipfile.BadZipFile
        return DocxTemplate(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UserError(_("{template} is not a Word document (.docx).").format(template=name)) from exc


def render_docx(template: bytes, context: dict, *, name: str, fonts: DocumentFonts) -> tuple[bytes, str]:
    """(the filled document, the characters no installed font has)."""
    document = load_template(template, name)
    env = Environment(undefined=StrictUndefined, autoescape=True)
    try:
        document.render(context, jinja_env=env, autoescape=True)
    except UndefinedError as exc:
        raise UserError(
            _("Template {template}: the placeholder “{placeholder}” is unknown. It may use: {known}.").format(
                template=name, placeholder=_undefined_name(str(exc)), known=_known(context)
            )
        ) from exc
    except TemplateSyntaxError as exc:
        tag, paragraph = _malformed_tag(document, env)
        if not tag:
            raise UserError(
                _("Template {template}: a placeholder is malformed ({message}).").format(
                    template=name, message=exc.message
                )
            ) from exc
        raise UserError(
            _(
                "Template {template}: the placeholder “{tag}” is malformed (in the paragraph “{paragraph}”); "
                "check its brackets."
            ).format(template=name, tag=tag, paragraph=paragraph)
        ) from exc
    missing: dict[str, None] = {}
    docx = document.docx
    _write_page_headers(docx, context)
    # docxtpl replaces the header and footer parts behind python-docx's
    # cached section objects: reach them through the relationships.
    page_parts = [
        rel.target_part._element
        for rel in docx.part.rels.values()
        if rel.reltype.endswith(("/header", "/footer")) and hasattr(rel.target_part, "_element")
    ]
    if len(docx.sections) == 1:
        _count_whole_document(page_parts)
    else:
        _page_number_only(page_parts)
    for element in [docx.element.body, *page_parts]:
        for ch in _split_rare_runs(element):
            if fonts.face_for(ch) is None:
                missing[ch] = None
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue(), "".join(sorted(missing))


def _write_page_headers(docx, context: dict) -> None:
    docs = context.get("docs")
    if not isinstance(docs, list) or not all(isinstance(d, dict) for d in docs):
        return
    texts = [str(d.get("page_header") or "") for d in docs]
    if not any(texts):
        return
    sections = len(docx.sections)
    if len(texts) == 1:
        texts *= sections
    if len(texts) != sections:
        return
    mark = _("Confidential") if context.get("confidential") else ""
    docx_build.page_headers(docx, texts, mark=mark)


_TAG = re.compile(r"\{(\{|%)(.*?)(?:(\}\}|%\})|$)", re.S)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _malformed_tag(document: DocxTemplate, env: Environment) -> tuple[str, str]:
    """The first tag Jinja cannot read, and its paragraph (a tag not closed in its
    paragraph, or an expression that does not parse); ("", "") when none is found."""
    docx = document.docx
    parts = [docx.element.body] + [
        rel.target_part._element
        for rel in docx.part.rels.values()
        if rel.reltype.endswith(("/header", "/footer")) and hasattr(rel.target_part, "_element")
    ]
    for element in parts:
        for p in element.iter(qn("w:p")):
            text = "".join(t.text or "" for t in p.iter(qn("w:t")))
            for match in _TAG.finditer(text):
                kind, inner, close = match.groups()
                tag = match.group(0)
                if close is None or (close == "%}") != (kind == "%"):
                    return _shorten(tag.strip()), _shorten(text.strip(), 60)
                if kind == "{":
                    try:  # (docxtpl's {{r …}} and {{p …}} name a rich-text run or paragraph)
                        env.parse("{{" + re.sub(r"^(?:r|p|tr|tc)\s", " ", inner) + "}}")
                    except TemplateSyntaxError:
                        return _shorten(tag), _shorten(text.strip(), 60)
    return "", ""


def _count_whole_document(page_parts) -> None:
    """One document in the file: its footer counts NUMPAGES, which every
    word processor computes (LibreOffice keeps SECTIONPAGES' saved value)."""
    for element in page_parts:
        for instr in element.iter(qn("w:instrText")):
            if instr.text and instr.text.strip() == "SECTIONPAGES":
                instr.text = " NUMPAGES "


def _page_number_only(page_parts) -> None:
    """Many documents in one file, each a section numbered from 1: the footer says
    ``第 x 页`` only. Word would count each section's pages (SECTIONPAGES), but
    LibreOffice and WPS print the value saved in the field ("第 2 页 共 1 页")."""
    for element in page_parts:
        for instr in list(element.iter(qn("w:instrText"))):
            if not instr.text or instr.text.strip() != "SECTIONPAGES":
                continue
            run = instr.getparent()
            parent = run.getparent()
            runs = [r for r in parent if r.tag == qn("w:r")]
            at = runs.index(run)
            begin = next((k for k in range(at, -1, -1) if _field_char(runs[k]) == "begin"), at)
            end = next((k for k in range(at, len(runs)) if _field_char(runs[k]) == "end"), at)
            for r in runs[begin : end + 1]:
                parent.remove(r)
            before = next((t for r in reversed(runs[:begin]) for t in r.findall(qn("w:t"))), None)
            after = next((t for r in runs[end + 1 :] for t in r.findall(qn("w:t"))), None)
            if before is not None:
                before.text = re.sub(r"[\s/，,、]*共\s*$", "", before.text or "")
            if after is not None:
                after.text = re.sub(r"^\s*页", "", after.text or "")


def _field_char(run) -> str | None:
    char = run.find(qn("w:fldChar"))
    return None if char is None else char.get(qn("w:fldCharType"))


def _split_rare_runs(element) -> set[str]:
    """Give every rare character a run in its font; returns the characters seen."""
    seen: set[str] = set()
    for run in list(element.iter(qn("w:r"))):
        texts = run.findall(qn("w:t"))
        if len(texts) != 1:
            continue
        text = texts[0].text or ""
        if not any(rare_font(ch) for ch in text):
            continue
        pieces: list[tuple[str, str | None]] = []
        for ch in text:
            font = rare_font(ch)
            if font:
                seen.add(ch)
            if pieces and pieces[-1][1] == font:
                pieces[-1] = (pieces[-1][0] + ch, font)
            else:
                pieces.append((ch, font))
        parent = run.getparent()
        position = parent.index(run)
        for offset, (chunk, font) in enumerate(pieces):
            new = copy.deepcopy(run)
            t = new.find(qn("w:t"))
            t.text = chunk
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            if font:
                _set_font(new, font)
            parent.insert(position + offset, new)
        parent.remove(run)
    return seen


def _set_font(run, font: str) -> None:
    rpr = run.find(qn("w:rPr"))
    if rpr is None:
        rpr = run.makeelement(qn("w:rPr"), {})
        run.insert(0, rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    fonts.set(qn("w:hint"), "eastAsia")
