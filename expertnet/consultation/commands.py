"""``expertnet remind``: reminders and escalations that are due, then a retry of unsent mail."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("remind")
@click.option(
    "--days-before",
    type=click.IntRange(0, 60),
    default=None,
    help="remind this many days before a deadline (default: EXPERTNET_REMIND_DAYS or 2)",
)
@with_appcontext
def remind_command(days_before: int | None) -> None:
    """Send the reminders and escalations that are due; safe to run again, and at once."""
    from .reminders import remind

    counts = remind(days_before)
    note = " (another run was queueing reminders; skipped)" if counts["skipped"] else ""
    click.echo(
        f"reminders: {counts['reminder']}, escalations: {counts['escalation']}, "
        f"mail sent on retry: {counts['sent']}, still failing: {counts['failed']}{note}"
    )
