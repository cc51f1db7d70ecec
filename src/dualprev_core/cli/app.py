"""The ``dualprev`` group: every command lives in its own module, listed in :data:`COMMANDS`.

Commands are loaded lazily: ``dualprev grade …`` imports the grade module and nothing else, so
start-up does not pay for the other commands' imports.  To add a command, add ONE line to
:data:`COMMANDS` (``"name": "module:attribute"``) and keep heavy imports inside the command
function (see docs/performance.md, "Start-up and the command line").
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from dualprev_core._version import __version__

__all__ = ["cli", "main", "COMMANDS", "LazyGroup", "load_command"]

#: Command name -> ``"module:attribute"`` of its click command or group (``--help`` lists them sorted).
COMMANDS: dict[str, str] = {
    "assess": "dualprev_core.cli.assess:assess_cmd",
    "demo": "dualprev_core.cli.assess:demo_cmd",
    "schema": "dualprev_core.cli.assess:schema_cmd",
    "grade": "dualprev_core.cli.grade:grade_cmd",
    "methods": "dualprev_core.cli.grade:methods_cmd",
    "packs": "dualprev_core.cli.packs:packs_cmd",
    "inspect": "dualprev_core.cli.loop:inspect_cmd",
    "hidden-dangers": "dualprev_core.cli.loop:hd_group",
    "monitor": "dualprev_core.cli.loop:monitor_cmd",
    "rules": "dualprev_core.cli.loop:rules_group",
    "tasks": "dualprev_core.cli.tasks:tasks_group",
    "exchange": "dualprev_core.cli.exchange:exchange_group",
    "db": "dualprev_core.cli.db:db_group",
    "render": "dualprev_core.cli.outputs:render_group",
    "export": "dualprev_core.cli.outputs:export_group",  # also holds exchange's `export submission`
    "import": "dualprev_core.cli.outputs:import_group",
    "region": "dualprev_core.cli.region:region_group",
}


def load_command(target: str) -> click.Command:
    """Import ``"module:attribute"`` and return the click command it names."""
    module, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command (got {type(command).__name__})")
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported from :data:`COMMANDS` when first needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = load_command(COMMANDS[cmd_name])
            self.commands[cmd_name] = command
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dualprev")
@click.option("--disable-pack", "disable_pack", multiple=True, metavar="NAME",
              help="run without this installed pack (repeatable; as DUALPREV_DISABLE_PACKS=NAME,...). "
                   "A pack that fails to load stops every command that takes a decision until it is fixed or disabled.")
def cli(disable_pack: tuple[str, ...]) -> None:
    """dualprev — 双重预防机制: safety-risk classified control and hidden-danger investigation."""


def main(argv: Any = None) -> None:
    """Console-script entry point."""
    cli(args=argv, prog_name="dualprev")
