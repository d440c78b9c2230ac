"""The built-in Word templates, made with python-docx and filled by docxtpl.

A bureau may replace any of them with its own .docx (``document_templates``)
using the same placeholders; ``export template`` writes a built-in one as a
starting point. Each template loops over ``docs`` (one letter, sheet or
draft per application; a combined file holds many), every document ending
in a section break that restarts the page numbering: each document is
numbered from 1 (a combined file's footer says ``第 x 页`` only, a single
document's ``第 x 页 共 y 页``) and, for the sheets, gets a page header of its
own naming its application (both set after rendering: ``docx_render``).

Placeholders (``{{ … }}``) and their data: ``docx_context``. Text is
escaped when rendered, so ``<b>`` or ``&`` in a title prints literally.

Thread-safety: each call builds a new document.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.shared import Mm

from reviewtool.i18n import _
from reviewtool.services.documents import docx_build as b

#: document code → (English name for messages, builder)
DOCUMENTS: dict[str, tuple[str, Callable[..., bytes]]] = {}


def _register(code: str, name: str):
    def wrap(build: Callable[..., bytes]) -> Callable[..., bytes]:
        DOCUMENTS[code] = (name, build)
        return build

    return wrap


def _end_of_document(document) -> None:
    b.paragraph(document, "{%p if not loop.last %}")
    b.section_break(document)
    b.paragraph(document, "{%p endif %}")
    b.paragraph(document, "{%p endfor %}")


def _foot(document, bureau: str = "{{ bureau }}", date: str = "{{ issued }}") -> None:
    """The bureau and the date of issue, right-aligned, with room above for the seal."""
    b.paragraph(document, "", space_before=36)
    b.paragraph(document, bureau, align="right", size=b.NOTICE_SIZE, keep_next=True)
    b.paragraph(document, date, align="right", size=b.NOTICE_SIZE)


@_register("publicity", "Public notice and list")
def publicity_template(*, show_amount: bool = False) -> bytes:
    document = b.new_document()
    b.title(document, "{{ title }}")
    b.paragraph(document, "{%p for text in paragraphs %}")
    b.paragraph(document, "{{ text }}", indent=True, size=b.NOTICE_SIZE)
    b.paragraph(document, "{%p endfor %}")
    b.paragraph(document, _("List of projects proposed for funding"), align="center", bold=True, space_before=8,
                space_after=6, font="黑体", keep_next=True)  # fmt: skip
    headers = [
        _("Seq."),
        _("Project title"),
        _("Applicant unit"),
        _("Project leader"),
        _("Project category"),
        _("County of the unit"),
    ]
    widths = [12, 50, 38, 18, 20, 18]
    if show_amount:
        headers.append(_("Proposed funding (10k yuan)"))
        widths = [10, 44, 34, 16, 18, 16, 18]
    t = b.table(document, headers, widths)
    b.loop_row(t, "{%tr for r in rows %}")
    cells = ["{{ r.seq }}", "{{ r.title }}", "{{ r.unit }}", "{{ r.pi_name }}", "{{ r.category }}", "{{ r.county }}"]
    if show_amount:
        cells.append("{{ r.amount }}")
    b.add_row(t, cells, align=["center", "", "", "center", "center", "center", "right"])
    b.loop_row(t, "{%tr endfor %}")
    if show_amount:
        b.add_row(
            t, [_("Total"), "", "", "", "", "", "{{ total }}"], align=["center"] + [""] * 5 + ["right"], bold=True
        )
    _foot(document)
    return b.to_bytes(document)


@_register("notices", "Outcome letters")
def notices_template() -> bytes:
    document = b.new_document()
    b.paragraph(document, "{%p for d in docs %}")
    b.title(document, "{{ d.title }}")
    b.paragraph(document, "{{ d.unit }}：", size=b.NOTICE_SIZE, space_before=6)
    b.paragraph(document, "{%p for text in d.paragraphs %}")
    b.paragraph(document, "{{ text }}", indent=True, size=b.NOTICE_SIZE)
    b.paragraph(document, "{%p endfor %}")
    _foot(document, "{{ d.bureau }}", "{{ d.issued }}")
    b.paragraph(document, "{%p if not d.funded %}")
    b.heading(document, _("Annex: expert review comments"))
    b.paragraph(document, _("Application no.: {number}").format(number="{{ d.number }}"))
    b.paragraph(document, _("Project title: {title}").format(title="{{ d.project_title }}"))
    b.paragraph(document, "{%p for c in d.comments %}")
    b.heading(document, "{{ c.label }}")
    b.paragraph(document, _("Opinion: {opinion}").format(opinion="{{ c.opinion }}"))
    b.paragraph(document, "{%p for line in c.lines %}")
    b.paragraph(document, "{{ line }}", indent=True)
    b.paragraph(document, "{%p endfor %}")
    b.paragraph(document, "{%p for cc in c.criteria %}")
    b.paragraph(document, "{{ cc.title }}：{{ cc.comment }}")
    b.paragraph(document, "{%p endfor %}")
    b.paragraph(document, "{%p endfor %}")
    b.paragraph(document, _("The experts' names are withheld. Comments are given as written by the experts."),
                size=b.TABLE_SIZE, space_before=6)  # fmt: skip
    b.paragraph(document, "{%p endif %}")
    _end_of_document(document)
    return b.to_bytes(document)


def _facts_table(document) -> None:
    t = b.table(document, [_("Item"), _("Content")], [40, 116], header_repeat=False)
    for label, value in (
        (_("Application no."), "{{ d.number }}"),
        (_("Project title"), "{{ d.project_title }}"),
        (_("Applicant unit"), "{{ d.unit }}"),
        (_("Project leader"), "{{ d.pi_name }}"),
        (_("Programme"), "{{ d.category }}"),
    ):
        b.add_row(t, [label, value])


def _figures_table(document) -> None:
    t = b.table(document, [_("Item"), _("Value")], [60, 96])
    b.loop_row(t, "{%tr for f in d.figures %}")
    b.add_row(t, ["{{ f.label }}", "{{ f.value }}"])
    b.loop_row(t, "{%tr endfor %}")


@_register("leader_draft", "Panel leader's summary (draft)")
def leader_draft_template() -> bytes:
    document = b.new_document()
    b.paragraph(document, "{%p for d in docs %}")
    b.title(document, _("Panel leader's summary (draft)"))
    b.paragraph(document, "{{ d.batch }}", align="center", space_after=6)
    _facts_table(document)
    b.heading(document, _("1. Panel figures"))
    _figures_table(document)
    b.heading(document, _("2. The experts' opinions"))
    b.paragraph(document, "{%p for o in d.opinions %}")
    b.paragraph(document, "{{ o.label }}：{{ o.text }}", indent=True)
    b.paragraph(document, "{%p endfor %}")
    b.heading(document, _("3. Panel leader's summary (edit this draft)"))
    b.paragraph(document, "{%p for text in d.draft %}")
    b.paragraph(document, "{{ text }}", indent=True)
    b.paragraph(document, "{%p endfor %}")
    b.paragraph(document, _("Panel leader signature: {line}    Date: {date}").format(line="_" * 14, date="{{ blank_date }}"),
                space_before=24)  # fmt: skip
    _end_of_document(document)
    return b.to_bytes(document)


@_register("panel_sheet", "Panel review opinion sheet")
def panel_sheet_template() -> bytes:
    document = b.new_document()
    b.paragraph(document, "{%p for d in docs %}")
    b.paragraph(document, "{{ bureau }}", align="center")
    b.title(document, _("Panel review opinion sheet"))
    b.paragraph(document, "{{ d.batch }}", align="center", space_after=6)
    _facts_table(document)
    b.heading(document, _("1. Expert scores"))
    t = b.table(document, [_("Seq."), _("Expert"), _("Unit"), _("Total"), _("Opinion")], [12, 30, 58, 24, 32])
    b.loop_row(t, "{%tr for e in d.experts %}")
    b.add_row(t, ["{{ e.seq }}", "{{ e.label }}", "{{ e.unit }}", "{{ e.total }}", "{{ e.opinion }}"],
              align=["center", "center", "", "center", "center"])  # fmt: skip
    b.loop_row(t, "{%tr endfor %}")
    b.heading(document, _("2. Panel figures"))
    _figures_table(document)
    b.heading(document, _("3. Panel leader's summary"))  # kept with the box, the box with the signature
    b.box(document, 156, 70)
    b.paragraph(document, _("Panel leader signature: {line}    Date: {date}").format(line="_" * 14, date="{{ blank_date }}"),
                space_before=8, keep_next=True)  # fmt: skip
    b.heading(document, _("4. Panel members"))
    t = b.table(
        document, [_("Seq."), _("Name"), _("Unit"), _("Professional title"), _("Signature")], [12, 28, 56, 26, 34]
    )
    b.loop_row(t, "{%tr for m in d.members %}")
    row = b.add_row(t, ["{{ m.seq }}", "{{ m.name }}", "{{ m.unit }}", "{{ m.title }}", ""], align=["center"])
    row.height = Mm(10)
    b.loop_row(t, "{%tr endfor %}")
    _end_of_document(document)
    return b.to_bytes(document)


def builtin_template(code: str, **options) -> bytes:
    """The built-in template of one document, as .docx bytes."""
    return DOCUMENTS[code][1](**options)
