"""The ``dualprev`` group: every command group lives in its own module and is added here."""

from __future__ import annotations

import click

from dualprev_core._version import __version__
from dualprev_core.cli import assess, grade, loop, packs

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dualprev")
def cli() -> None:
    """dualprev — 双重预防机制: safety-risk classified control and hidden-danger investigation."""


for _command in (assess.assess_cmd, assess.demo_cmd, assess.schema_cmd, grade.grade_cmd, grade.methods_cmd, packs.packs_cmd,
                 loop.inspect_cmd, loop.hd_group, loop.monitor_cmd, loop.rules_group):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dualprev")
