"""Sorting and filtering an in-memory table the way the GUI does it
(``widgets.table_arrange``: the model re-orders its own rows; ``RowsModel`` holds
texts, a ``RowTableModel`` page model answers ``data`` in Python) against the bare
library doing the same work (``QSortFilterProxyModel`` over a
``QStandardItemModel`` with the same texts), measured alternately in one run.

Each round: sort by a number column, by a Chinese text column, then filter by
one word. Rows of 15 columns, as on the 拟立项 page.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_table_sort.py [--rows 2000,10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import time

from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication

from reviewtool.gui.widgets.row_table_model import RowTableModel
from reviewtool.gui.widgets.rows_model import RowsModel
from reviewtool.gui.widgets.table_arrange import RowFilter

WORDS = "牦牛 青稞 马铃薯 枸杞 油菜 冷水鱼 光伏 碳化硅 文旅 高原 生态 湟水 循化 互助 乐都".split()


def table(n: int, seed: int = 3) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        title = "".join(rng.choice(WORDS) for _ in range(4)) + "技术研究与示范"
        rows.append(
            (str(i + 1), f"HDKJ2025-{i:04d}", title, f"HD-I{rng.randrange(1, 15):02d}", f"{rng.uniform(50, 95):.2f}")
            + tuple(f"{rng.uniform(0, 500):,.2f}" for _ in range(6))
            + ("拟立项", "稳定入选", "", "")
        )
    return rows


def arranged(rows) -> float:
    model = RowsModel([f"c{i}" for i in range(15)])
    model.set_rows(rows, list(range(len(rows))))
    start = time.perf_counter()
    model.sort(4, Qt.SortOrder.DescendingOrder)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    model.set_filter(RowFilter("牦牛"))
    return time.perf_counter() - start


class Rows(RowTableModel):
    """A page's model: ``data`` in Python, as RankingModel and FundingModel."""

    headers = tuple(f"c{i}" for i in range(15))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.rows[index.row()][index.column()]


def arranged_python_data(rows) -> float:
    model = Rows()
    model.set_rows(rows)
    start = time.perf_counter()  # includes reading every cell once through data()
    model.sort(4, Qt.SortOrder.DescendingOrder)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    model.set_filter(RowFilter("牦牛"))
    return time.perf_counter() - start


def proxy(rows) -> float:
    source = QStandardItemModel(len(rows), 15)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            source.setItem(r, c, QStandardItem(value))
    model = QSortFilterProxyModel()
    model.setSourceModel(source)
    model.setFilterKeyColumn(-1)
    model.setSortLocaleAware(True)
    start = time.perf_counter()
    model.sort(4, Qt.SortOrder.DescendingOrder)  # as text: the bare proxy sorts "100.00" before "95.00"
    model.sort(2, Qt.SortOrder.AscendingOrder)
    model.setFilterRegularExpression(QRegularExpression("牦牛"))
    model.rowCount()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="2000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    QApplication([])
    for n in map(int, args.rows.split(",")):
        rows = table(n)
        ours, pages, bare = [], [], []
        for _ in range(args.repeat):
            ours.append(arranged(rows))
            pages.append(arranged_python_data(rows))
            bare.append(proxy(rows))
        a, p, b = min(ours), min(pages), min(bare)
        print(
            f"{n:>6} rows: RowsModel {a * 1000:7.1f} ms ({a / b:.2f}×), RowTableModel subclass {p * 1000:7.1f} ms "
            f"({p / b:.2f}×), QSortFilterProxyModel {b * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
