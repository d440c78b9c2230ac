"""Benchmark: render 1,000 filled 专家评审表 into one PDF.

Reports the time of reviewtool's path (document models → escaped, glyph-checked
paragraphs → two-pass canvas with 第 x 页 共 y 页 per sheet, header and 保密
mark) as a ratio to bare reportlab building the same flowables — the same
tables and paragraph styles from plainly XML-escaped text — with a plain
``SimpleDocTemplate`` and canvas (no page decoration). Both timings include
making the flowables and laying them out; font registration happens once,
before either (as in the app).

    /work/venv/bin/python bench/bench_pdf.py [--sheets 1000] [--repeat 3]

The sheets use the shipped general rubric (8 criteria, 4 bands each, 3 veto
items), a 300-character abstract and a 200-character written opinion.
``--rare`` puts CJK Extension A/B characters (㠓𠀀𪚥) in every title, so
reviewtool's path also looks them up along the fallback chain and embeds
a second font; the bare path prints them with the main font alone.

The page header of each sheet names the application and the expert; the
sheets carry the identity block and the commitment (issue 13).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import time
from decimal import Decimal
from xml.sax.saxutils import escape

import yaml
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from reviewtool.core.enums import Opinion
from reviewtool.core.scoring.rubric_check import parse_rubric
from reviewtool.paths import resource_path
from reviewtool.services.documents.data import _criteria
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.documents.layout import HEADER_GAP, MARGIN, DocumentStart, Styles
from reviewtool.services.documents.model import AppHeader, ExpertSheet, VetoLine
from reviewtool.services.documents.render import expert_sheet_story, write_pdf


def make_sheets(count: int, rare: bool = False) -> list[ExpertSheet]:
    spec = parse_rubric(yaml.safe_load(resource_path("rubrics", "haidong-general.yaml").read_text(encoding="utf-8")))
    sheets = []
    for index in range(count):
        points = {c.key: c.max_points - Decimal(index % 4) for c in spec.criteria}
        comments = {c.key: "论证较充分，建议进一步细化考核指标。" if index % 3 == 0 else "" for c in spec.criteria}
        app = AppHeader(
            id=index,
            number=f"HD2025-{index // 3:04d}",
            title=f"高原特色<种养殖> & 精深加工{'㠓𠀀𪚥' if rare else ''}关键技术研究与示范（{index // 3}）",
            unit="海东市高原渔业科技有限公司",
            pi_name="张三",
            category="重点研发",
            areas=("HD-I05 特色养殖业高效生产与精深加工技术研发",),
            requested=Decimal("80"),
            abstract="本项目围绕海东市特色产业开展关键技术攻关。" * 15,
            batch="2025年海东市科技计划项目",
            period="2025-01 至 2026-12",
        )
        sheets.append(
            ExpertSheet(
                app=app,
                rubric_name=spec.name,
                total_points=spec.total_points,
                criteria=_criteria(spec, points, comments),
                vetoes=tuple(VetoLine(v.question, False) for v in spec.veto_items),
                expert_label=f"专家{index % 3 + 1}",
                total=sum(points.values(), Decimal(0)),
                opinion=Opinion.RECOMMEND,
                written_opinion="项目立项依据充分，技术路线可行，团队基础较好。" * 8,
                date=dt.date(2025, 5, 20),
            )
        )
    return sheets


def ours(sheets, fonts) -> tuple[float, int]:
    out = io.BytesIO()
    start = time.perf_counter()
    st = Styles(fonts)
    stories = [expert_sheet_story(sheet, st, bureau="海东市科学技术局") for sheet in sheets]
    write_pdf(out, stories, fonts=fonts, author="海东市科学技术局", fingerprint="3F9A-0C1B-77E2-D405")  # as exports do
    return time.perf_counter() - start, len(out.getvalue())


class BareStyles(Styles):
    """The same paragraph styles, text only XML-escaped (no glyph checks)."""

    def p(self, text, style=None):
        return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style or self.body)


def bare(sheets, fonts) -> tuple[float, int]:
    out = io.BytesIO()
    start = time.perf_counter()
    st = BareStyles(fonts)
    story = []
    for sheet in sheets:
        if story:
            story.append(PageBreak())
        story.extend(
            f for f in expert_sheet_story(sheet, st, bureau="海东市科学技术局") if not isinstance(f, DocumentStart)
        )
    SimpleDocTemplate(
        out, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + HEADER_GAP / 2, bottomMargin=MARGIN
    ).build(story)
    return time.perf_counter() - start, len(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rare", action="store_true", help="CJK Extension A/B characters in every title")
    args = parser.parse_args()
    fonts = document_fonts()  # registered once, outside the timing (as in the app)
    for ch in "㠓𠀀𪚥":
        fonts.face_for(ch)  # fallback fonts read once, outside the timing (as after the first export)
    sheets = make_sheets(args.sheets, rare=args.rare)
    ours_times, bare_times = [], []
    for _ in range(args.repeat):
        t, size_ours = ours(sheets, fonts)
        ours_times.append(t)
        t, size_bare = bare(sheets, fonts)
        bare_times.append(t)
    best_ours, best_bare = min(ours_times), min(bare_times)
    print(f"font: {fonts.source or fonts.name}")
    print(f"sheets: {args.sheets}{' with Extension A/B titles' if args.rare else ''}, best of {args.repeat}")
    print(f"reviewtool (models → PDF, numbered pages): {best_ours:.2f} s, {size_ours / 1e6:.1f} MB")
    print(f"bare reportlab (same flowables, plain canvas): {best_bare:.2f} s, {size_bare / 1e6:.1f} MB")
    print(f"ratio: {best_ours / best_bare:.2f}")


if __name__ == "__main__":
    main()
