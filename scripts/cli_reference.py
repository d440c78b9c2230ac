#!/usr/bin/env python3
"""Write docs/cli.md, the reference of every ``reviewtool-cli`` command, from click itself.

    python scripts/cli_reference.py           # regenerate docs/cli.md
    python scripts/cli_reference.py --check   # exit 1 when docs/cli.md is not current

It walks ``reviewtool.cli.main.build_cli()`` (every group and command, in the order
``reviewtool-cli --help`` lists them) and records each one's ``--help`` exactly as
click renders it, in Simplified Chinese (the default language), at a fixed width
of 100 columns so the output does not depend on the terminal.
``tests/test_docs.py`` regenerates it in memory and fails when the file is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import click

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "cli.md"
PROG = "reviewtool-cli"
WIDTH = 100
LANGUAGE = "zh_CN"

HEADER = f"""\
# 命令行参考（{PROG}）

本文件由 `python scripts/cli_reference.py` 根据 click 的命令定义生成，请勿手工修改；命令或帮助文字有变化时重新生成
（`tests/test_docs.py` 在本文件过期时失败）。帮助文字为默认语言简体中文，`{PROG} --lang en 命令 --help` 显示英文；
`Usage`、`Options`、`Commands` 等是 click 自带的英文标签。

每个命令都接受 `--db URL`（SQLite 文件路径或 SQLAlchemy URL；默认取环境变量 `REVIEWTOOL_DB`，再默认用户数据文件夹中的
`reviewtool.sqlite3`）；输出数据的命令接受 `--json`（UTF-8 JSON，金额和分数为十进制字符串）。用户可以改正的错误输出一行
并以状态 1 退出，用法错误的退出状态为 2。

"""


def commands(group: click.Group, ctx: click.Context) -> Iterator[tuple[click.Context, click.Command]]:
    """Every command below ``group`` with its context, depth first, in listing order."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        child = click.Context(command, info_name=name, parent=ctx)
        yield child, command
        if isinstance(command, click.Group):
            yield from commands(command, child)


def anchor(path: str) -> str:
    return path.lower().replace(" ", "-")


def render() -> str:
    """The whole of docs/cli.md, in Simplified Chinese."""
    from reviewtool.i18n import current_language, set_language

    previous = current_language()
    set_language(LANGUAGE)
    try:
        from reviewtool.cli.main import build_cli

        cli = build_cli()
        root = click.Context(cli, info_name=PROG, terminal_width=WIDTH, max_content_width=WIDTH)
        entries = [(root, cli), *commands(cli, root)]
        contents, sections = ["## 目录", ""], []
        for ctx, command in entries:
            path = ctx.command_path
            depth = path.count(" ")
            label = path if depth == 0 else path.split(" ", 1)[1]
            contents.append(f"{'  ' * depth}- [{label}](#{anchor(path)})")
            sections += [f"## {path}", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
        return HEADER + "\n".join(contents) + "\n\n" + "\n".join(sections)
    finally:
        set_language(previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when docs/cli.md is not current")
    args = parser.parse_args(argv)
    text = render()
    current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    if args.check:
        print(f"{OUT}: {'up to date' if current == text else 'not current; run python scripts/cli_reference.py'}")
        return 0 if current == text else 1
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"{OUT}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
