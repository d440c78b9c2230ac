"""The rubric document the editor works on (the YAML form, as plain dicts):
a blank rubric, a new criterion with four bands, and the preview of the
sheet as an expert will see it (HTML, drawn from the document whether it is
valid or not). Plain Python, no Qt.
"""

from __future__ import annotations

import html
from typing import Any

from reviewtool.i18n import _


def blank_document() -> dict[str, Any]:
    return {
        "code": "",
        "name": "",
        "total_points": 100,
        "step": 1,
        "rounding": {"places": 2, "mode": "half_up"},
        "veto_items": [{"id": "V1", "question": "是否存在弄虚作假等严重违反科研诚信行为？"}],
        "criteria": [new_criterion(1, 100)],
    }


def new_criterion(number: int, max_points: int = 10) -> dict[str, Any]:
    top = max_points
    q = max(1, top // 4)
    return {
        "id": f"C{number}",
        "title": "",
        "max_points": top,
        "bands": [
            {"label": "优", "low": top - q + 1 if top > 3 else top, "high": top, "descriptor": ""},
            {"label": "良", "low": max(0, top - 2 * q + 1), "high": top - q, "descriptor": ""},
            {"label": "一般", "low": max(0, top - 3 * q + 1), "high": top - 2 * q, "descriptor": ""},
            {"label": "差", "low": 0, "high": top - 3 * q, "descriptor": ""},
        ]
        if top >= 4
        else [],
    }


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


def number_or_text(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def preview_html(doc: dict[str, Any]) -> str:
    """The sheet as an expert will see it (drawn from the document, valid or not)."""
    e = html.escape
    parts = [
        "<style>td,th{border:1px solid #888;padding:3px 6px;} table{border-collapse:collapse;width:100%;}"
        " th{background:#e8eef7;} .band{color:#333;font-size:12px;}</style>",
        f"<h3 style='text-align:center'>{e(as_text(doc.get('name')) or _('(untitled rubric)'))}</h3>",
        "<p>" + _("Project no.: ____　Project title: ______________________") + "</p>",
    ]
    vetoes = doc.get("veto_items") or []
    if vetoes:
        parts.append(
            "<table><tr><th colspan=2>" + _("Veto items (一票否决)") + "</th><th>" + _("Yes / No") + "</th></tr>"
        )
        for v in vetoes:
            parts.append(
                f"<tr><td>{e(as_text(v.get('id')))}</td><td>{e(as_text(v.get('question')))}</td><td>□是　□否</td></tr>"
            )
        parts.append("</table><br>")
    parts.append(
        "<table><tr><th>"
        + "</th><th>".join([_("Criterion"), _("Points"), _("Bands and descriptors"), _("Score")])
        + "</th></tr>"
    )
    group = None
    for c in doc.get("criteria") or []:
        if c.get("group") and c.get("group") != group:
            group = c.get("group")
            parts.append(f"<tr><td colspan=4><b>【{e(group)}】</b></td></tr>")
        bands = "<br>".join(
            f"<span class='band'><b>{e(as_text(b.get('label')))}</b> {e(as_text(b.get('low')))}–{e(as_text(b.get('high')))}"
            f"　{e(as_text(b.get('descriptor')))}</span>"
            for b in c.get("bands") or []
        )
        weight = f" ×{e(as_text(c.get('weight')))}" if c.get("weight") is not None else ""
        title = f"<b>{e(as_text(c.get('id')))}</b> {e(as_text(c.get('title')))}"
        if c.get("description"):
            title += f"<br><span class='band'>{e(as_text(c.get('description')))}</span>"
        parts.append(
            f"<tr><td>{title}</td><td align=center>{e(as_text(c.get('max_points')))}{weight}</td><td>{bands}</td><td></td></tr>"
        )
    parts.append(
        f"<tr><td><b>{_('Total')}</b></td><td align=center>{e(as_text(doc.get('total_points')))}</td><td></td><td></td></tr></table>"
    )
    parts.append("<p>" + _("Overall opinion: □推荐　□修改后推荐　□不推荐") + "</p>")
    parts.append(
        "<p>" + _("Written opinion (评审意见):") + "</p><p style='border:1px solid #888;height:60px'>&nbsp;</p>"
    )
    parts.append("<p style='text-align:right'>" + _("Expert signature: ________　Date: ________") + "</p>")
    return "".join(parts)
