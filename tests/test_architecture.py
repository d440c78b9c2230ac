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


# -- one feature, one name; small modules; no cycles ---------------------------------

MAX_MODULE_LINES = 700
#: Feature folders of the GUI; each has the same name in services/ and cli/.
GUI_FEATURES = (
    "batches", "intake", "experts", "panels", "scoring", "funding", "documents", "users",
    "audit_log", "dashboard", "publicity", "my_reviews", "stages",
)  # fmt: skip


def test_no_module_is_over_700_lines():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_every_gui_feature_has_the_same_name_in_services_and_cli():
    gui = {p.name for p in (PACKAGE / "gui").iterdir() if (p / "__init__.py").is_file()} - {"widgets"}
    assert gui == set(GUI_FEATURES)
    for feature in GUI_FEATURES:
        assert (PACKAGE / "services" / feature).is_dir() or (PACKAGE / "services" / f"{feature}.py").is_file(), feature
        assert (PACKAGE / "cli" / f"{feature}.py").is_file(), feature


def _import_graph() -> dict[str, set[str]]:
    """Module → the reviewtool modules it imports anywhere in its body (function-level imports too)."""
    import grimp

    graph = grimp.build_graph("reviewtool", cache_dir=None)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules():
    assert _cycles(_import_graph()) == []


def test_the_import_contracts_hold():
    """import-linter's contracts (setup.cfg) hold, every one of them, from the test command itself:
    the layers, no Qt outside gui, each feature's core independent, no services in core."""
    root = PACKAGE.parent
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"],
        cwd=root, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    contracts = (root / "setup.cfg").read_text(encoding="utf-8").count("[importlinter:contract:")
    assert f"Contracts: {contracts} kept, 0 broken." in done.stdout, done.stdout
