"""What every command line module shares (``expertnet/cli.py`` and each feature's
``commands.py``), so that a feature's commands never import the top-level CLI."""

from __future__ import annotations

import click


class CommandError(click.ClickException):
    """One clear line on standard error and a non-zero exit."""

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)
