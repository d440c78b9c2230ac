"""The structure that keeps a big import fast, checked without timing anything (issue 16).

Real sheets leave different optional cells blank in different rows. Written through the ORM's bulk
path, such rows fell into one INSERT per distinct set of filled columns, nearly one per row (and
SQLite answered INSERT … RETURNING row by row). An import must send the same handful of statements
whatever the number of rows: units, areas and existing numbers looked up once per file, the rows
written in bulk. Counted with a SQLAlchemy event listener, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from intake_workbooks import GROUPED_HEADER_SUB, GROUPED_HEADER_TOP, grouped_workbook
from sqlalchemy import event, func, select

from reviewtool.core.enums import TagSource
from reviewtool.services.intake.import_result import ImportOptions
from reviewtool.services.intake.importer import import_applications
from reviewtool.services.intake.tagging import suggester
from reviewtool.storage.models import Application, ApplicationArea, AuditEvent, Unit

BATCH = "2025年海东市科技计划项目"
OPTIONAL = (4, 6, 7, 10, 11, 12, 13)  # 所在县区, 联系电话, 起止年限, 自筹经费, 所属领域, 主要研究内容, 备注
AREAS = ("HD-I05", "HD-I02", "HD-I04", "HD-I14")


def sheet_rows(count: int) -> list[list]:
    """Rows as a clerk fills them: each leaves a different mix of the optional cells blank."""
    assert len(GROUPED_HEADER_TOP) == len(GROUPED_HEADER_SUB) == 14
    rows = []
    for index in range(1, count + 1):
        row = [
            index, f"HD2025-{index:04d}", f"第{index}号县域特色产业关键技术集成示范", f"海东市第{index % 40}号科技有限公司",
            "互助县", f"负责人{index}", f"139{index:08d}", "2025.01-2026.12", 30 + index % 7 + 10, 30 + index % 7, 10,
            AREAS[index % len(AREAS)], f"研究与示范，第{index}号。", "备注",
        ]  # fmt: skip
        for bit, column in enumerate(OPTIONAL):
            if (index >> bit) & 1:  # 2⁷ blank patterns: nearly every row its own
                row[column] = None
        rows.append(row)
    return rows


def statements_of_import(db, path, **options) -> tuple[int, object]:
    with db.session() as session:
        suggester(session)  # built once per process and database: not part of any one import
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as session:
            # The titles differ by their number only: accept the probable duplicates this makes.
            options = ImportOptions(batch=BATCH, accept_probable_duplicates=True, **options)
            result = import_applications(session, path, options, actor="tester")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen), result


def stored_counts(db) -> tuple[int, ...]:
    """Applications, units, confirmed area tags, audit records."""
    with db.session() as session:
        confirmed = select(func.count(ApplicationArea.id)).where(ApplicationArea.source == TagSource.CONFIRMED)
        return (
            session.scalar(select(func.count(Application.id))),
            session.scalar(select(func.count(Unit.id))),
            session.scalar(confirmed),
            session.scalar(select(func.count(AuditEvent.id))),
        )


def test_an_import_sends_as_many_statements_for_300_rows_as_for_30(any_db, tmp_path):
    small = grouped_workbook(tmp_path / "small.xlsx", sheet_rows(30), spacer=False)
    large = grouped_workbook(tmp_path / "large.xlsx", sheet_rows(300), spacer=False)
    before = stored_counts(any_db)
    small_count, small_result = statements_of_import(any_db, small)
    assert small_result.written and small_result.count("create") == 30, small_result.messages
    after_small = stored_counts(any_db)

    large_count, large_result = statements_of_import(any_db, large, existing="update")
    assert large_result.written, large_result.messages
    assert (large_result.count("create"), large_result.count("unchanged")) == (270, 30)
    after_large = stored_counts(any_db)

    # Everything was written: 30 + 270 applications, 40 units, the areas the rows name, one record each
    # (plus the batch's creation and one per import).
    assert after_small[0] - before[0] == 30 and after_large[0] - before[0] == 300
    assert after_large[1] - before[1] == 40
    assert after_large[2] - before[2] == sum(1 for row in sheet_rows(300) if row[11])
    assert after_large[3] - before[3] == 300 + 1 + 2
    # The same statements, whatever the number of rows (the larger one also matches 30 stored numbers).
    assert large_count <= small_count + 4, (small_count, large_count)
    assert large_count < 60, large_count


def test_dry_run_sends_no_statement_per_row(any_db, tmp_path):
    small = grouped_workbook(tmp_path / "small.xlsx", sheet_rows(20), spacer=False)
    large = grouped_workbook(tmp_path / "large.xlsx", sheet_rows(200), spacer=False)
    small_count, small_result = statements_of_import(any_db, small, dry_run=True)
    large_count, large_result = statements_of_import(any_db, large, dry_run=True)
    assert small_result.count("create") == 20 and large_result.count("create") == 200
    assert not large_result.written and stored_counts(any_db)[0] == 0
    assert large_count == small_count, (small_count, large_count)
