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


@click.command("signer")
@click.option("--email", required=True, help="the approver's account")
@click.option("--name", required=True, help="the real name printed under the signature")
@click.option(
    "--office",
    type=click.Choice(["president", "vice_president"]),
    default="president",
    show_default=True,
    help="president: TM. BAN THƯỜNG VỤ / CHỦ TỊCH; vice_president: … / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
)
@with_appcontext
def signer_command(email: str, name: str, office: str) -> None:
    """Set how an approver signs the union's letters: real name and office (NĐ 30/2020)."""
    from sqlalchemy import func, select

    from ..auth.models import User
    from ..core.text import clean_line
    from ..extensions import db
    from .models import Signer

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or user.role != "approver":
        raise click.ClickException(f"no approver with e-mail {email}")
    clean = clean_line(name) or ""
    if not 2 <= len(clean) <= 200:
        raise click.ClickException("--name needs 2 to 200 characters")
    signer = db.session.get(Signer, user.id) or Signer(user_id=user.id)
    signer.name, signer.office = clean, office
    db.session.add(signer)
    db.session.commit()
    click.echo(f"{user.email} signs as {office}: {clean}")
