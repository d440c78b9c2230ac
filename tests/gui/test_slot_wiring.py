"""No button or action is wired to a slot that its ``checked`` argument would fill.

``clicked`` and ``triggered`` carry ``checked: bool``. PySide passes a slot
as many of a signal's arguments as the slot has positional parameters, so
``button.clicked.connect(self.new_panel)`` with ``def new_panel(self,
dialog=None)`` calls ``new_panel(False)``: 新建专家组…, 手工指派… and 记录投票…
crashed that way. This test reads every module of ``reviewtool/gui`` and
fails on such a wiring (a method or function with a positional parameter
after ``self``, or a lambda with one that has a default). Wire such a slot
through ``lambda: self.slot()`` or give it keyword-only parameters.
"""

from __future__ import annotations

import ast
from pathlib import Path

import reviewtool

GUI = Path(reviewtool.__file__).resolve().parent / "gui"
BOOL_SIGNALS = {"clicked", "triggered"}


#: A first parameter of this name is there to receive ``checked`` on purpose.
CHECKED_NAMES = {"checked", "_checked"}


def _positional(args: ast.arguments, *, method: bool) -> list[str]:
    """Positional parameters ``checked`` would fill (none when the first one is named for it)."""
    names = [a.arg for a in args.posonlyargs + args.args]
    names = names[1:] if method and names else names
    return [] if names and names[0] in CHECKED_NAMES else names


def _functions(tree: ast.Module) -> tuple[dict[str, dict[str, ast.FunctionDef]], dict[str, ast.FunctionDef]]:
    """Methods by class name, and module-level functions."""
    classes: dict[str, dict[str, ast.FunctionDef]] = {}
    functions: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {
                item.name: item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
    return classes, functions


def bad_wirings(sources: dict[str, str]) -> list[str]:
    """``file:line: what`` for each clicked/triggered connection whose slot ``checked`` would fill."""
    trees = {name: ast.parse(text, filename=name) for name, text in sources.items()}
    every_method: dict[str, list[ast.FunctionDef]] = {}
    class_bases: dict[str, list[str]] = {}
    class_methods: dict[str, dict[str, ast.FunctionDef]] = {}
    for tree in trees.values():
        classes, _functions_ = _functions(tree)
        class_methods.update(classes)
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                class_bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
        for methods in classes.values():
            for name, fn in methods.items():
                every_method.setdefault(name, []).append(fn)

    def method_of(class_name: str, name: str, seen: frozenset = frozenset()) -> ast.FunctionDef | None:
        if class_name in seen:
            return None
        if name in class_methods.get(class_name, {}):
            return class_methods[class_name][name]
        for base in class_bases.get(class_name, []):
            found = method_of(base, name, seen | {class_name})
            if found is not None:
                return found
        return None

    found: list[str] = []
    for file_name, tree in trees.items():
        _classes, functions = _functions(tree)
        enclosing: dict[ast.AST, str] = {}
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                for child in ast.walk(node):
                    enclosing[child] = node.name
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in BOOL_SIGNALS
                and node.args
            ):
                continue
            slot = node.args[0]
            where = f"{file_name}:{node.lineno}"
            signal = node.func.value.attr
            if isinstance(slot, ast.Lambda):
                defaulted = slot.args.args[len(slot.args.args) - len(slot.args.defaults) :]
                if defaulted and defaulted[0].arg not in CHECKED_NAMES:
                    found.append(f"{where}: {signal} fills the lambda's {defaulted[0].arg}=")
                continue
            if isinstance(slot, ast.Name) and slot.id in functions:
                params = _positional(functions[slot.id].args, method=False)
                if params and not functions[slot.id].args.vararg:
                    found.append(f"{where}: {signal} fills {slot.id}({params[0]})")
                continue
            if not isinstance(slot, ast.Attribute):
                continue
            if isinstance(slot.value, ast.Name) and slot.value.id == "self" and node in enclosing:
                candidates = [m] if (m := method_of(enclosing[node], slot.attr)) is not None else []
            else:
                candidates = every_method.get(slot.attr, [])
            for fn in candidates:
                params = _positional(fn.args, method=True)
                if params and not fn.args.vararg:
                    found.append(f"{where}: {signal} fills {slot.attr}({params[0]})")
                    break
    return sorted(found)


def gui_sources() -> dict[str, str]:
    return {str(p.relative_to(GUI)): p.read_text(encoding="utf-8") for p in sorted(GUI.rglob("*.py"))}


def test_no_button_or_action_passes_checked_into_a_slot_parameter():
    assert bad_wirings(gui_sources()) == []


def test_the_finder_catches_the_wirings_that_crashed():
    sample = """
class PanelPage:
    def __init__(self):
        self.new_panel_button.clicked.connect(self.new_panel)
        self.vote_button.clicked.connect(self.record_vote)
        self.fine_button.clicked.connect(self.refresh)
        self.keyword_button.clicked.connect(self.keyword_only)
        self.checked_button.clicked.connect(self.takes_checked)
        self.lambda_button.clicked.connect(lambda: self.new_panel())
        self.default_lambda.triggered.connect(lambda dialog=None: self.new_panel(dialog))
        self.toggled_box.toggled.connect(self.new_panel)  # toggled(bool) is wanted here
        other.export_action.triggered.connect(helper)

    def new_panel(self, dialog=None): ...
    def record_vote(self, dialog): ...
    def refresh(self): ...
    def keyword_only(self, *, dialog=None): ...
    def takes_checked(self, _checked=False, path=None): ...


def helper(folder=None): ...
"""
    assert bad_wirings({"sample.py": sample}) == [
        "sample.py:10: triggered fills the lambda's dialog=",
        "sample.py:12: triggered fills helper(folder)",
        "sample.py:4: clicked fills new_panel(dialog)",
        "sample.py:5: clicked fills record_vote(dialog)",
    ]


def test_the_finder_follows_methods_inherited_from_a_base_class():
    sample = """
class Base:
    def save(self, explicit=False): ...


class Dialog(Base):
    def __init__(self):
        self.save_button.clicked.connect(self.save)
"""
    assert bad_wirings({"inherit.py": sample}) == ["inherit.py:8: clicked fills save(explicit)"]
