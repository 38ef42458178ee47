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
    """Send the reminders and escalations that are due; safe to run again."""
    from ..extensions import db
    from .notify import send_outbox
    from .reminders import run_reminders

    counts = run_reminders(days_before=days_before)
    # The commit hands the new mail to SMTP (after_commit); what still fails is retried below.
    db.session.commit()
    retried = send_outbox()
    db.session.commit()
    click.echo(
        f"reminders: {counts.get('reminder', 0)}, escalations: {counts.get('escalation', 0)}, "
        f"mail sent on retry: {retried['sent']}, still failing: {retried['failed']}"
    )
