"""Layering rules: only reviewtool.gui may import Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import reviewtool

PACKAGE = Path(reviewtool.__file__).resolve().parent
QT_ROOTS = {"PySide6", "shiboken6", "PyQt5", "PyQt6"}


def _python_files_outside_gui() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "gui" not in p.relative_to(PACKAGE).parts]


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                roots.add(node.args[0].value.split(".")[0])
    return roots


def test_no_source_file_outside_gui_imports_qt():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & QT_ROOTS)
        for path in _python_files_outside_gui()
        if _imported_roots(path) & QT_ROOTS
    }
    assert offenders == {}


def test_importing_every_non_gui_module_loads_no_qt():
    """Import the whole non-GUI code base in a fresh interpreter and check
    that no Qt module was pulled in, directly or through a dependency."""
    modules = sorted(
        ".".join(("reviewtool", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for path in _python_files_outside_gui()
    )
    assert "reviewtool.cli.main" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from reviewtool.cli.main import build_cli\n"
        "build_cli()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'shiboken6'})\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_gui_package_really_is_detected():
    """Guard against the scan above silently scanning nothing."""
    gui_files = [p for p in PACKAGE.rglob("*.py") if "gui" in p.relative_to(PACKAGE).parts]
    assert any("PySide6" in _imported_roots(p) for p in gui_files)
