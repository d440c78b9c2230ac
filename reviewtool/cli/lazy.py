"""A click group that imports a command's module only when the command is used.

``reviewtool-cli --version`` and ``--help`` must answer in a fraction of a
second, so the root group holds a map instead of the commands: top-level
name → its help text (the same English msgid as the command's own, so the
listing and the translation are the same) and the modules whose
``register(group)`` adds it or adds to it (``panel`` is ``cli/panels.py``'s
group plus ``cli/panels_members.py``'s commands). Asking for a command
(running it, completing it, ``COMMAND --help``) imports its modules; the
root ``--help`` lists names and short help from the map without importing
anything. ``tests/test_cli_lazy.py`` checks the map against the loaded
commands, so a new module or command cannot be left out.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from gettext import gettext as click_gettext

import click

from reviewtool.i18n import _

PACKAGE = "reviewtool.cli"


@dataclass(frozen=True)
class LazyCommand:
    """One top-level command: its help (an English msgid) and the modules that build it."""

    help: str
    modules: Sequence[str]


class LazyGroup(click.Group):
    """A ``click.Group`` whose commands come from ``register(group)`` of modules loaded on demand."""

    def __init__(self, *args, lazy_commands: Mapping[str, LazyCommand], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)
        self._loaded_modules: set[str] = set()

    def load(self, name: str) -> None:
        """Import the modules of command ``name`` (once each) and let them register."""
        for module in self.lazy_commands[name].modules:
            if module in self._loaded_modules:
                continue
            self._loaded_modules.add(module)
            importlib.import_module(f"{PACKAGE}.{module}").register(self)

    def load_all(self) -> LazyGroup:
        for name in self.lazy_commands:
            self.load(name)
        return self

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.lazy_commands) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            self.load(cmd_name)
        return self.commands.get(cmd_name)

    def listed_command(self, name: str) -> click.Command:
        """What ``--help`` shows for ``name``: the command when loaded, else a stand-in from the map."""
        loaded = self.commands.get(name)
        if loaded is not None:
            return loaded
        return click.Command(name, help=_(self.lazy_commands[name].help))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own listing, with stand-ins for commands not loaded (nothing is imported)."""
        commands = [(name, self.listed_command(name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands if not command.hidden]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _command in commands)
        rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
        with formatter.section(click_gettext("Commands")):
            formatter.write_dl(rows)
