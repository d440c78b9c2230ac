"""Helpers for the hardening tests of offline scoring workbooks: a panel
exported, and what an expert does with a workbook (type into the yellow
cells, save)."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import select

from panels.conftest import BATCH, attach_general_rubric, build_world
from reviewtool.services.panels import assignment, draw, panel, workbook_export, workbook_key
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.storage.models import Expert

SCORES = {"C1": 12, "C2": 11, "C3": 12, "C4": 10, "C5": 8, "C6": 12, "C7": 8, "C8": 4}


def export_panel(db, folder, *, n_apps=6, experts=3, per_application=3):
    """A batch with the general rubric, a panel drawn and assigned, workbooks exported."""
    with db.session() as s:
        world = build_world(s, n_apps=n_apps, n_experts=12)
        attach_general_rubric(s, world.batch_id)
        panel_id, _c = panel.create_panel(s, BATCH, "第一组", actor="t")
        draw.draw_panel(s, panel_id, experts, seed="hard", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", per_application=per_application, max_load=n_apps)
        files = workbook_export.export_workbooks(s, panel_id, folder, actor="clerk")
        names = {e.id: e.name for e in s.scalars(select(Expert))}
    return world, panel_id, files, names


def export_again(db, panel_id, folder):
    with db.session() as s:
        return workbook_export.export_workbooks(s, panel_id, folder, actor="clerk")


def key_payload(path):
    payload, _sig = workbook_key.read_key(load_workbook(path), path.name)
    return payload


def fill(path, *, scores=SCORES, opinion="推荐", written="立项依据充分，技术路线可行。", cells=None, rows=None):
    """Type into the input cells; ``cells`` maps a column kind (``points:C1``,
    ``comment:C2``, ``written`` …) to a value that overrides the defaults."""
    payload = key_payload(path)
    wb = load_workbook(path)
    for meta in payload["sheets"]:
        ws = wb[meta["title"]]
        for row in meta["rows"]:
            if rows is not None and int(row) not in rows:
                continue
            for letter, what in meta["columns"].items():
                kind, _s, key = what.partition(":")
                cell = ws[f"{letter}{row}"]
                if cells and what in cells:
                    cell.value = cells[what]
                elif kind == "veto":
                    cell.value = "否"
                elif kind == "points":
                    cell.value = scores[key]
                elif kind == "opinion":
                    cell.value = opinion
                elif kind == "written":
                    cell.value = written
    wb.save(path)
    return path


def input_cell(path, what, row=None):
    """The first (or ``row``'s) input cell of a column kind: (sheet title, coordinate)."""
    payload = key_payload(path)
    meta = payload["sheets"][0]
    letter = next(letter for letter, kind in meta["columns"].items() if kind == what)
    row = row or min(int(r) for r in meta["rows"])
    return meta["title"], f"{letter}{row}"
