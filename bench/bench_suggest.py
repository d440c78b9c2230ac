"""Area-suggestion speed (issue 12): one ``suggest-areas`` call and 1,000 titles with ``--from``.

Measured, each alternately with the bare library doing comparable work, in one run:

- building the model (jieba over the plan text, BM25 postings), against the bare
  ``jieba.lcut`` of the same area texts;
- one suggestion in a fresh process with the model cached on disk (open the database,
  read the cache key, load the pickle, answer), against a bare ``python -c pass``;
- the whole ``reviewtool-cli suggest-areas`` call, against ``reviewtool-cli --help``
  (the CLI's own start-up, which issue 16 works on: every feature module is imported);
- 1,000 titles from a workbook (``suggest_for_file``), against a bare openpyxl read of
  the same file plus ``jieba.lcut`` of every title.

    .venv/bin/python bench/bench_suggest.py [--titles 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewtool.core.intake.suggest import AreaSuggester  # noqa: E402
from reviewtool.services.intake import suggest_model  # noqa: E402
from reviewtool.services.intake.suggest_file import suggest_for_file  # noqa: E402
from reviewtool.services.setup import init_database  # noqa: E402
from reviewtool.storage.database import Database  # noqa: E402

CLI = str(Path(sys.executable).with_name("reviewtool-cli"))


def best(seconds: list[float]) -> float:
    return min(seconds)


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--titles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-suggest-"))
    url = f"sqlite:///{folder / 'b.sqlite3'}"
    database = Database(url)
    init_database(database)
    real = [i["title"] for i in yaml.safe_load((ROOT / "tests/data/real_titles.yaml").read_text("utf-8"))["titles"]]
    random.seed(12)
    titles = [random.choice(real) for _ in range(args.titles)]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "项目名称", "主要研究内容"])
    for number, title in enumerate(titles, start=1):
        sheet.append([number, title, ""])
    path = folder / "titles.xlsx"
    workbook.save(path)

    with database.session() as session:
        texts = suggest_model.area_texts(session)
        examples = suggest_model.examples(session)
    import jieba

    jieba.initialize()
    build, bare_build = [], []
    for _ in range(args.repeat):
        build.append(timed(lambda: AreaSuggester(texts, examples)))
        bare_build.append(timed(lambda: [jieba.lcut(f"{t.title} {t.description} {t.parent_title}") for t in texts]))
    with database.session() as session:
        suggest_model.suggester(session)  # writes the disk cache

    one = (
        "import sys; from reviewtool.services.setup import open_database; "
        "from reviewtool.services.intake.tagging import suggest_answer; "
        f"db = open_database({url!r}); s = db.session().__enter__(); "
        "print(suggest_answer(s, '犏牛高效养殖技术示范').confidence)"
    )
    fresh, bare_python, cli, cli_help = [], [], [], []
    for _ in range(args.repeat):
        fresh.append(timed(lambda: subprocess.run([sys.executable, "-c", one], check=True, capture_output=True)))
        bare_python.append(timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True)))
        cli.append(
            timed(
                lambda: subprocess.run(
                    [CLI, "suggest-areas", "--db", url, "--title", "犏牛高效养殖技术示范"],
                    check=True,
                    capture_output=True,
                )
            )
        )
        cli_help.append(timed(lambda: subprocess.run([CLI, "--help"], check=True, capture_output=True)))

    many, bare_many = [], []
    for _ in range(args.repeat):
        with database.session() as session:
            many.append(timed(lambda s=session: suggest_for_file(s, path)))

        def bare():
            rows = load_workbook(path, read_only=True).active.iter_rows(values_only=True)
            return [jieba.lcut(str(r[1])) for r in rows]

        bare_many.append(timed(bare))

    report = [
        ("model build (jieba + BM25 postings)", best(build), "bare jieba.lcut of the area texts", best(bare_build)),
        ("one suggestion, fresh process, cached model", best(fresh), "bare `python -c pass`", best(bare_python)),
        ("`reviewtool-cli suggest-areas --title …`", best(cli), "`reviewtool-cli --help`", best(cli_help)),
        (
            f"{args.titles} titles from a workbook",
            best(many),
            "bare openpyxl read + jieba.lcut per title",
            best(bare_many),
        ),
    ]
    print(f"{'what':<48} {'time':>8}   {'baseline':<44} {'time':>8}  ratio")
    for what, seconds, baseline, base in report:
        print(f"{what:<48} {seconds:>7.3f}s   {baseline:<44} {base:>7.3f}s  {seconds / base:5.2f}")


if __name__ == "__main__":
    main()
