"""Import speed: a bureau-shaped summary workbook (申报汇总表) into the database.

The sheet is shaped like the ones the bureau receives (see ``resources/samples``
and the intake template): a merged title row, two header rows with merged group
headers (项目负责人 over 姓名/职称/联系电话, 经费（万元） over 总经费/申请经费/自筹经费,
预算明细（万元） over eight budget lines), 31 columns, a 合计 row and a note. Real
clerks leave different optional columns blank in different rows: each optional
cell here is blank at random (a third of them), and a third of the rows name no
priority area, so suggestions run.

Every measurement runs in its own child process, alternately with the baseline,
``--repeat`` times; the medians are printed:

- bare: ``openpyxl.load_workbook(read_only=True)`` + ``iter_rows(values_only=True)``
  over the same file, nothing else;
- import: ``import_applications`` writing every row (applications, units, tags,
  audit records) into a fresh copy of a migrated database;
- dry run (``--dry-run``): the same without writing.

Time is the work itself (the child's imports, the database copy and the
suggester's one-off build are outside it), as wall time and as the child's CPU
time (steadier on a busy machine); memory is the child's peak resident
set (``VmHWM``), imports included, so both sides pay for their libraries.

    .venv/bin/python bench/bench_import.py [--rows 10000] [--repeat 5] [--dry-run]
        [--db postgresql+psycopg://reviewtool:reviewtool@127.0.0.1:5432/postgres]

With ``--db`` the imports go into a scratch database created on that server
(``CREATE DATABASE … TEMPLATE`` a migrated one, once per run) and dropped after.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (group header or None, header, optional) — 31 columns, as on the bureau's forms.
COLUMNS: list[tuple[str | None, str, bool]] = [
    (None, "序号", False),
    (None, "申报编号", False),
    (None, "项目名称", False),
    (None, "计划类别", True),
    (None, "所属领域", True),
    (None, "承担单位", False),
    (None, "单位类型", True),
    (None, "所在县区", True),
    (None, "统一社会信用代码", True),
    (None, "合作单位", True),
    ("项目负责人", "姓名", False),
    ("项目负责人", "职称", True),
    ("项目负责人", "联系电话", True),
    (None, "电子邮箱", True),
    (None, "联系人", True),
    (None, "联系人电话", True),
    (None, "团队人数", True),
    (None, "起止年限", False),
    ("经费（万元）", "总经费", False),
    ("经费（万元）", "申请经费", False),
    ("经费（万元）", "自筹经费", True),
    *[
        ("预算明细（万元）", line, True)
        for line in ("设备费", "材料费", "测试化验费", "差旅费", "会议费", "劳务费", "专家咨询费", "间接费用")
    ],
    (None, "主要研究内容", False),
    (None, "备注", True),
]
assert len(COLUMNS) == 31

TOPICS = [
    ("高原牦牛高效养殖与精深加工", "HD-I05"),
    ("湟水河流域水生态修复", "HD-I02"),
    ("马铃薯脱毒种薯繁育", "HD-I04"),
    ("碳化硅单晶生长工艺", ""),
    ("慢性高原病早期诊断", "HD-I14"),
    ("智慧农业物联网平台", ""),
]
COUNTIES = ("平安区", "乐都区", "民和县", "互助县", "化隆县", "循化县", "海东工业园区")
CATEGORIES = ("重点研发与转化计划", "科技成果转化专项", "农业科技创新", "社会发展科技计划")
UNIT_KINDS = (("科技有限公司", "企业"), ("农业技术推广中心", "科研院所"), ("职业技术学院", "高校"))
BLANK_SHARE = 1 / 3


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _row(index: int, rows: int, rng: random.Random) -> list:
    units = max(rows // 3, 1)  # each unit sends about three applications, on different topics
    unit_number = index % units
    topic, area = TOPICS[(unit_number + index // units) % len(TOPICS)]
    kind, unit_type = UNIT_KINDS[unit_number % len(UNIT_KINDS)]
    lines = [rng.randint(0, 30) for _ in range(8)]
    requested = rng.randint(5, 200)
    own = rng.randint(0, 200)
    values = [
        index,
        f"HD2025-{index:06d}",
        f"{topic}关键技术研究与示范（第{index}号）",
        CATEGORIES[index % len(CATEGORIES)],
        area or None,
        f"海东市第{unit_number}号{kind}",
        unit_type,
        COUNTIES[index % len(COUNTIES)],
        f"91632100MA{unit_number:08d}",
        f"青海大学、海东市第{(index * 7) % 50}号推广站",
        f"负责人{index}",
        ("研究员", "高级工程师", "副教授", "农艺师")[index % 4],
        f"0972-{index % 10_000_000:07d}",
        f"pi{index}@example.cn",
        f"联系人{index % 97}",
        f"139{index:08d}",
        rng.randint(3, 15),
        ("2025.01-2026.12", "2025年3月至2027年2月", "2025.07-2027.06")[index % 3],
        requested + own,
        requested,
        own,
        *lines,
        f"围绕{topic}开展关键技术攻关与示范推广，建立示范基地，培训技术人员，编号{index}。",
        ("东西部协作", "科技特派员", "")[index % 3] or None,
    ]
    for position, (_group, _header, optional) in enumerate(COLUMNS):
        if optional and rng.random() < BLANK_SHARE:
            values[position] = None
    return values


def _merge_ranges() -> list[str]:
    ranges = [f"A1:{_letter(len(COLUMNS))}1"]
    start = 0
    while start < len(COLUMNS):
        group = COLUMNS[start][0]
        end = start
        while end + 1 < len(COLUMNS) and COLUMNS[end + 1][0] == group:
            end += 1
        if group is None:
            ranges += [f"{_letter(i + 1)}2:{_letter(i + 1)}3" for i in range(start, end + 1)]
        else:
            ranges.append(f"{_letter(start + 1)}2:{_letter(end + 1)}2")
        start = end + 1
    return ranges


def make_workbook(path: Path, rows: int, seed: int = 7) -> None:
    """Write the sheet as Excel and WPS save it: shared strings, a dimension, merged ranges."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "汇总表"
    sheet.append(["2025年海东市科技计划项目申报汇总表"])
    groups, seen = [], set()
    for group, header, _optional in COLUMNS:
        groups.append(group if group and group not in seen else (None if group else header))
        seen.add(group)
    sheet.append(groups)
    sheet.append([header if group else None for group, header, _optional in COLUMNS])
    for index in range(1, rows + 1):
        sheet.append(_row(index, rows, rng))
    sheet.append([None, "合计"])
    sheet.append(["注：金额单位为万元。"])
    for merged in _merge_ranges():
        sheet.merge_cells(merged)
    temp = path.with_suffix(".inline.xlsx")
    workbook.save(temp)
    _share_strings(temp, path)
    temp.unlink()


_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t([^>]*)>(.*?)</t></is></c>', re.S)
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _share_strings(source_path: Path, target_path: Path) -> None:
    """openpyxl writes every text as an inline string; Excel and WPS keep them in the shared-strings
    table (``xl/sharedStrings.xml``), which is what the bureau's files hold. Rewrite the file so."""
    table: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        key = b"<t" + match.group(3) + b">" + match.group(4) + b"</t>"
        number = table.setdefault(key, len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2) or b"", number)

    with zipfile.ZipFile(source_path) as source, zipfile.ZipFile(target_path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE.sub(shared, data)
            elif item.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                relation = f'<Relationship Type="{_SST_REL}" Target="sharedStrings.xml" Id="rIdStrings"/>'
                data = data.replace(b"</Relationships>", relation.encode() + b"</Relationships>")
            target.writestr(item, data)
        ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        items = b"".join(b"<si>" + key + b"</si>" for key in table)
        head = f'<sst xmlns="{ns}" uniqueCount="{len(table)}">'.encode()
        target.writestr("xl/sharedStrings.xml", head + items + b"</sst>")


# ---------------------------------------------------------------- children


def _peak_mib() -> float:
    """This process's peak resident set. Linux's ``VmHWM`` starts afresh at exec; ``ru_maxrss``
    (the fallback elsewhere) keeps the parent's peak across fork and exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_bare(path: Path) -> dict:
    from openpyxl import load_workbook

    start, cpu = time.perf_counter(), time.process_time()
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        count += 1
    workbook.close()
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "peak_mib": _peak_mib(),
        "rows": count,
    }


def child_import(path: Path, url: str, dry_run: bool, statements: bool) -> dict:
    from sqlalchemy import event

    from reviewtool.services.intake.import_result import ImportOptions
    from reviewtool.services.intake.importer import import_applications
    from reviewtool.services.intake.tagging import suggester
    from reviewtool.storage.database import Database

    database = Database(url)
    with database.session() as session:
        suggester(session)  # once per process: loaded from the user cache (or built)
    count = [0]
    if statements:
        event.listen(database.engine, "before_cursor_execute", lambda *a: count.__setitem__(0, count[0] + 1))
    before = _peak_mib()
    start, cpu = time.perf_counter(), time.process_time()
    with database.session() as session:
        result = import_applications(session, path, ImportOptions(batch="基准批次", dry_run=dry_run), actor="bench")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    database.dispose()
    assert result.written != dry_run and not result.rejected, (result.counts(), result.messages[:3])
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mib": _peak_mib(),
        "before_mib": before,
        "created": result.count("create"),
        "statements": count[0],
    }


def _run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- databases


class SqliteCopies:
    def __init__(self, folder: Path) -> None:
        from reviewtool.services.setup import init_database
        from reviewtool.storage.database import Database

        self.folder, self.template = folder, folder / "template.sqlite3"
        database = Database(f"sqlite:///{self.template.as_posix()}")
        init_database(database)
        database.dispose()

    def fresh(self) -> str:
        target = self.folder / "run.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target.as_posix()}"

    def close(self) -> None:
        pass


class PostgresCopies:
    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, make_url, text

        from reviewtool.services.setup import init_database
        from reviewtool.storage.database import Database, resolve_url

        self.text, self.url = text, make_url(resolve_url(url))
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        # Each run gets a fresh name (so the suggester, whose cache is keyed by the URL, is built in the child
        # before the timed work: it shows in the child's memory before the work, not in its time).
        self.template, self.current = f"rt_bench_tmpl_{uuid.uuid4().hex[:8]}", None
        self._sql(f'CREATE DATABASE "{self.template}"')
        database = Database(self._url(self.template))
        init_database(database)
        database.dispose()

    def _url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(self.text(statement))

    def fresh(self) -> str:
        if self.current:
            self._sql(f'DROP DATABASE IF EXISTS "{self.current}"')
        self.current = f"rt_bench_{uuid.uuid4().hex[:8]}"
        self._sql(f'CREATE DATABASE "{self.current}" TEMPLATE "{self.template}"')
        return self._url(self.current)

    def close(self) -> None:
        for name in (self.current, self.template):
            if name:
                self._sql(f'DROP DATABASE IF EXISTS "{name}"')
        self.admin.dispose()


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="alternating runs of each side (medians)")
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch database is created on its server)")
    parser.add_argument("--dry-run", action="store_true", help="also measure a dry run")
    parser.add_argument("--keep", type=Path, help="keep the generated workbook here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "bare":
            print(json.dumps(child_bare(Path(rest[0]))))
        else:
            print(json.dumps(child_import(Path(rest[0]), rest[1], kind == "dry", statements=True)))
        return

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = args.keep or folder / f"汇总表-{args.rows}.xlsx"
        if not path.exists():
            make_workbook(path, args.rows)
        copies = PostgresCopies(args.db) if args.db else SqliteCopies(folder)
        engine = "PostgreSQL" if args.db else "SQLite"
        runs: dict[str, list[dict]] = {"bare": [], "import": [], "dry": []}
        try:
            warm = folder / "warm-up.xlsx"  # a small import first: the suggester's disk cache is then filled
            make_workbook(warm, 50)
            _run_child("import", str(warm), copies.fresh())
            for _ in range(args.repeat):
                runs["bare"].append(_run_child("bare", str(path)))
                runs["import"].append(_run_child("import", str(path), copies.fresh()))
                if args.dry_run:
                    runs["dry"].append(_run_child("dry", str(path), copies.fresh()))
        finally:
            copies.close()

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    bare_s, bare_c, bare_m = median("bare", "seconds"), median("bare", "cpu"), median("bare", "peak_mib")
    print(f"rows: {args.rows} ({len(COLUMNS)} columns, two header rows), {engine}, medians of {args.repeat}")
    print(
        f"bare openpyxl read-only pass: {bare_s:7.2f} s (1.00x)  CPU {bare_c:7.2f} s (1.00x)"
        f"  peak {bare_m:6.0f} MiB (1.00x)"
    )
    kinds = [("import", f"import into {engine}"), *([("dry", "dry run (no writing)")] if args.dry_run else [])]
    for kind, label in kinds:
        seconds, cpu, peak = median(kind, "seconds"), median(kind, "cpu"), median(kind, "peak_mib")
        print(
            f"{label + ':':29} {seconds:7.2f} s ({seconds / bare_s:.2f}x)  CPU {cpu:7.2f} s ({cpu / bare_c:.2f}x)"
            f"  peak {peak:6.0f} MiB ({peak / bare_m:.2f}x)"
            f"  [before the work {median(kind, 'before_mib'):.0f} MiB; {runs[kind][0]['statements']} SQL statements]"
        )
    print("CPU is this process's own (on PostgreSQL the server's work is in the wall time only).")
    print("all runs (s):", {k: [round(r["seconds"], 2) for r in v] for k, v in runs.items() if v})


if __name__ == "__main__":
    main()
