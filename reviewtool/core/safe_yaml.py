"""Loading YAML a user gave us, with limits that refuse hostile files quickly.

``yaml.safe_load`` builds no arbitrary objects, but it will still follow an
alias bomb ("billion laughs": nine levels of ten aliases each expand into a
billion nodes as soon as anything walks the result), recurse until Python's
stack runs out on deep nesting, and read a file of any size. ``load_limited``
refuses, before building any Python object:

- a text longer than ``max_chars`` (checked before parsing);
- nesting deeper than ``max_depth`` (checked while composing, so the
  composer never recurses further);
- more than ``max_aliases`` alias references;
- a document that would expand (aliases followed) into more than
  ``max_nodes`` nodes — counted on the node graph with memoisation, so the
  count itself costs time linear in the file;
- a key written twice in one mapping (PyYAML would silently keep the last).

Every refusal is a ``YamlLimitError`` (a ``UserError``) naming the source and
the limit. Plain Python; thread-safe (a loader per call).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from reviewtool.core.errors import UserError
from reviewtool.i18n import _

MAX_CHARS = 1_000_000
MAX_DEPTH = 64
MAX_ALIASES = 200
MAX_NODES = 200_000


class YamlLimitError(UserError):
    """A YAML text over one of the limits; nothing was built from it."""


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer counts depth and aliases as it goes."""

    max_depth = MAX_DEPTH
    max_aliases = MAX_ALIASES
    source = ""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self.max_aliases:
                raise YamlLimitError(
                    _("{file}: more than {limit} YAML aliases (*name); refused as a possible alias bomb.").format(
                        file=self.source, limit=self.max_aliases
                    )
                )
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                mark = self.peek_event().start_mark
                raise YamlLimitError(
                    _("{file}: nested more than {limit} levels deep (line {line}); refused.").format(
                        file=self.source, limit=self.max_depth, line=mark.line + 1
                    )
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def expanded_size(node: Node, limit: int) -> int:
    """Nodes in ``node`` with every alias followed, counting at most ``limit + 1``.

    A node that contains itself (``&a [*a]``) expands without end: it counts
    as ``limit + 1``."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    # Iterative post-order walk: the graph may be deep (up to the depth limit) and shared.
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        children = _children(current)
        if not children_done:
            if key in visiting:
                continue
            visiting.add(key)
            stack.append((current, True))
            for child in children:
                if id(child) in visiting and id(child) not in sizes:
                    return limit + 1  # a cycle
                if id(child) not in sizes:
                    stack.append((child, False))
            continue
        visiting.discard(key)
        total = 1 + sum(sizes.get(id(child), 1) for child in children)
        sizes[key] = min(total, limit + 1)
    return sizes[id(node)]


def duplicate_key(node: Node) -> tuple[str, int] | None:
    """The first key written twice in one mapping, with its line; PyYAML would keep the last silently."""
    seen_nodes: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, MappingNode):
            keys: set[str] = set()
            for key, _value in current.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in keys:
                        return key.value, key.start_mark.line + 1
                    keys.add(key.value)
        stack.extend(_children(current))
    return None


def load_limited(
    text: str,
    *,
    source: str,
    max_chars: int = MAX_CHARS,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
    max_nodes: int = MAX_NODES,
) -> Any:
    """``yaml.safe_load(text)`` within the limits; ``YamlLimitError`` otherwise.

    Other YAML errors (syntax, an unhashable key, an integer of more digits
    than Python converts) are raised as ``yaml.YAMLError`` for the caller to
    report with its line and column."""
    if len(text) > max_chars:
        raise YamlLimitError(
            _("{file}: {size} characters, more than the {limit} a YAML file may have.").format(
                file=source, size=len(text), limit=max_chars
            )
        )
    loader_class = type(
        "_Loader", (_LimitedLoader,), {"max_depth": max_depth, "max_aliases": max_aliases, "source": source}
    )
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if expanded_size(node, max_nodes) > max_nodes:
            raise YamlLimitError(
                _("{file}: expands into more than {limit} values once its aliases are followed; refused.").format(
                    file=source, limit=max_nodes
                )
            )
        duplicate = duplicate_key(node)
        if duplicate is not None:
            raise YamlLimitError(
                _(
                    "{file}: the key “{key}” appears twice in one mapping (line {line}); "
                    "a second value would silently replace the first."
                ).format(file=source, key=duplicate[0][:40], line=duplicate[1])
            )
        try:
            return loader.construct_document(node)
        except (ValueError, OverflowError, RecursionError) as exc:
            # e.g. an integer of more than 4,300 digits: Python refuses to convert it.
            raise yaml.constructor.ConstructorError(None, None, str(exc), node.start_mark) from None
    finally:
        loader.dispose()
