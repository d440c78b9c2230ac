"""Import speed: 10,000 applications from one summary workbook.

Reports, as ratios to a bare openpyxl read-only pass over the same file
(``iter_rows(values_only=True)``, nothing else):

- ``read_table``: the safe reader (sniffing, header detection, row kinds, references);
- dry run: reading plus validating every row, duplicate checks and area suggestions;
- import: the same plus writing applications, units, tags and audit records to SQLite.

Also times the application list's first page with 10,000 rows stored.

    /work/venv/bin/python bench/bench_import.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook

from reviewtool.core.intake.fields import COUNTIES, column_specs
from reviewtool.core.tables.read import read_table
from reviewtool.services.applications import ApplicationQuery, count_applications, fetch_applications
from reviewtool.services.intake.import_result import ImportOptions
from reviewtool.services.intake.importer import import_applications
from reviewtool.services.setup import init_database
from reviewtool.storage.database import Database

HEADER = ["序号", "申报编号", "项目名称", "承担单位", "所在县区", "项目负责人", "联系电话", "起止年限",
          "总经费", "申请经费", "自筹经费", "所属领域", "主要研究内容"]  # fmt: skip
TOPICS = [
    ("高原牦牛高效养殖与精深加工", "HD-I05"),
    ("湟水河流域水生态修复", "HD-I02"),
    ("马铃薯脱毒种薯繁育", "HD-I04"),
    ("碳化硅单晶生长工艺", ""),
    ("慢性高原病早期诊断", "HD-I14"),
    ("智慧农业物联网平台", ""),
]


def make_workbook(path: Path, rows: int) -> None:
    rng = random.Random(7)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("汇总表")
    sheet.append(["2025年海东市科技计划项目申报汇总表"])
    sheet.append(HEADER)
    for index in range(1, rows + 1):
        topic, area = TOPICS[index % len(TOPICS)]
        requested = rng.randint(5, 200)
        own = rng.randint(0, 200)
        sheet.append([
            index, f"B{index:06d}", f"{topic}关键技术研究（第{index}号）", f"海东市第{index % max(rows // 2, 1)}号科技有限公司",
            COUNTIES[index % 6], f"负责人{index}", f"1389700{index:04d}", "2025.01-2026.12",
            requested + own, requested, own, area, f"围绕{topic}开展研究与示范，编号{index}。",
        ])  # fmt: skip
    sheet.append([None, "合计"])
    workbook.save(path)


def timed(function, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def bare_pass(path: Path) -> None:
    workbook = load_workbook(path, read_only=True, data_only=True)
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        pass
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = folder / "applications.xlsx"
        make_workbook(path, args.rows)
        bare = timed(lambda: bare_pass(path), 3)
        reader = timed(lambda: read_table(path, column_specs()), 3)

        database = Database(f"sqlite:///{(folder / 'bench.sqlite3').as_posix()}")
        init_database(database)

        def dry_run():
            with database.session() as session:
                import_applications(session, path, ImportOptions(batch="基准批次", dry_run=True), actor="bench")

        def real_import():
            with database.session() as session:
                result = import_applications(session, path, ImportOptions(batch="基准批次"), actor="bench")
            assert result.written and result.count("create") == args.rows, result.counts()

        from reviewtool.services.intake.tagging import suggester

        def build_suggester():
            with database.session() as session:
                suggester(session)

        warmup = timed(build_suggester)  # once per process: jieba's dictionary and the TF-IDF fit
        dry = timed(dry_run)
        full = timed(real_import)

        def first_page():
            with database.session() as session:
                query = ApplicationQuery(text="高原", sort_key="requested_amount", descending=True)
                count_applications(session, query)
                fetch_applications(session, query, 0, 200)

        page = timed(first_page, 3)
        database.dispose()

    print(f"rows: {args.rows}")
    print(f"bare openpyxl read-only pass: {bare:.2f} s (1.00x)")
    print(f"read_table:                   {reader:.2f} s ({reader / bare:.2f}x)")
    print(f"suggester build (once):       {warmup:.2f} s")
    print(f"dry run (validate, suggest):  {dry:.2f} s ({dry / bare:.2f}x)")
    print(f"import into SQLite:           {full:.2f} s ({full / bare:.2f}x)")
    print(f"list: search+sort first page: {page * 1000:.0f} ms with {args.rows} rows stored")


if __name__ == "__main__":
    main()
