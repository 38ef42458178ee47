"""Notifications: every one lands in the user's inbox and in the outbox; mail leaves after commit.

``queue`` is called by operations inside the request's transaction. The mail is only
handed to SMTP from the session's ``after_commit`` hook, so a rolled-back action never
sends anything; without ``EXPERTNET_SMTP_URL`` the mail simply stays in the outbox.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime, pgettext
from sqlalchemy import Connection, Engine, event, select, update
from sqlalchemy.orm import Session

from ..core.types import utcnow
from ..extensions import db
from .models import InvitationRole, Notification, OutboxMail

log = logging.getLogger(__name__)

_PENDING = "expertnet_mail_pending"
_READY = "expertnet_mail_ready"
MAX_ATTEMPTS = 10

#: Every kind of notification; each has ``templates/mail/<kind>.txt``.
KINDS = (
    "request_submitted",
    "request_returned",
    "request_resubmitted",
    "request_declined",
    "request_accepted",
    "review_started",
    "review_closed",
    "consolidation_submitted",
    "consolidation_sent_back",
    "opinion_published",
    "response_recorded",
    "request_withdrawn",
    "invitation_received",
    "invitation_accepted",
    "invitation_declined",
    "invitation_revoked",
    "conflict_declared",
    "opinion_submitted",
    "meeting_scheduled",
    "reminder_invitation",
    "reminder_opinion",
    "reminder_request_due",
    "escalation_invitation",
    "escalation_opinion",
    "escalation_request_due",
)


def _localdt(value: date | datetime | None) -> str:
    """A date or time as the recipient reads it (in Asia/Ho_Chi_Minh, in their language)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    return format_date(value, "medium")


def _role_title(role: str) -> str:
    return InvitationRole(role).label


def salutation(user) -> str:
    """How a letter greets ``user``: with their title ("PGS.TS. Nguyễn Văn A"), else Ông/Bà."""
    person = getattr(user, "person", None)
    if person is not None and (person.academic_title or person.degree):
        return person.display_name
    name = person.full_name if person is not None else user.name
    gender = person.gender if person is not None else None
    if gender == "male":
        return pgettext("salutation", "Mr %(name)s", name=name)
    if gender == "female":
        return pgettext("salutation", "Ms %(name)s", name=name)
    return pgettext("salutation", "Mr/Ms %(name)s", name=name)


def render(kind: str, locale: str, **context: Any) -> tuple[str, str]:
    """Subject and body of a notification in ``locale``; the first line is the subject."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    base_url = current_app.config.get("EXPERTNET_BASE_URL", "").rstrip("/")
    with force_locale(locale):
        # Straight from the environment: the pages' context processors need an HTTP request,
        # and mail is also written by `expertnet remind`, outside of one.
        text = current_app.jinja_env.get_template(f"mail/{kind}.txt").render(
            base_url=base_url,
            localdt=_localdt,
            role_title=_role_title,
            salutation=salutation,
            **context,
        )
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip()[:300], body.strip() + "\n"


def queue(user, kind: str, dedupe_key: str, *, request=None, **context: Any) -> bool:
    """Put a notification in ``user``'s inbox and a mail in the outbox, at most once per key.

    Returns False when a notification with this key exists already (a second
    ``expertnet remind``, or the same user reached through two audiences).
    """
    if not user.active:
        return False
    exists = db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key))
    if exists is not None:
        return False
    subject, body = render(kind, user.locale or "vi", user=user, request=request, **context)
    db.session.add(
        Notification(
            user_id=user.id,
            kind=kind,
            request_id=request.id if request is not None else None,
            subject=subject,
            body=body,
            dedupe_key=dedupe_key,
        )
    )
    mail = OutboxMail(
        user_id=user.id,
        to_address=user.email,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        attempts=0,
    )
    db.session.add(mail)
    db.session.info.setdefault(_PENDING, []).append(mail)
    return True


def queue_many(users: Iterable, kind: str, key_prefix: str, **kwargs: Any) -> int:
    """``queue`` for several users (each once); the key gets ``:u<user id>`` appended."""
    count, seen = 0, set()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        count += queue(user, kind, f"{key_prefix}:u{user.id}", **kwargs)
    return count


# --- sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mail:
    id: int
    to: str
    subject: str
    body: str


def _smtp_target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise ValueError(f"EXPERTNET_SMTP_URL must look like smtp://host:port, not {url!r}")
    return parts.hostname, parts.port or 25


def _send(mails: list[_Mail], smtp_url: str, sender: str) -> dict[int, str | None]:
    """Hand the mails to the SMTP server; the result maps each id to None (sent) or the error."""
    results: dict[int, str | None] = {}
    try:
        host, port = _smtp_target(smtp_url)
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            for mail in mails:
                msg = EmailMessage()
                msg["From"] = sender
                msg["To"] = mail.to
                msg["Subject"] = mail.subject
                msg["Message-ID"] = f"<outbox-{mail.id}@expertnet>"
                msg.set_content(mail.body)
                try:
                    smtp.send_message(msg)
                    results[mail.id] = None
                except smtplib.SMTPException as exc:
                    results[mail.id] = f"{type(exc).__name__}: {exc}"[:500]
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        for mail in mails:
            results.setdefault(mail.id, f"{type(exc).__name__}: {exc}"[:500])
    return results


def _record(conn: Connection, results: dict[int, str | None]) -> None:
    now = utcnow()
    table = OutboxMail.__table__
    for mail_id, error in results.items():
        values: dict[str, Any] = {"attempts": table.c.attempts + 1, "last_error": error}
        if error is None:
            values["sent_at"] = now
        conn.execute(update(table).where(table.c.id == mail_id).values(**values))


def send_outbox(limit: int = 500) -> dict[str, int]:
    """Send unsent outbox mail (``expertnet remind`` retries with it); the caller commits."""
    smtp_url = current_app.config.get("EXPERTNET_SMTP_URL")
    if not smtp_url:
        return {"sent": 0, "failed": 0}
    rows = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    mails = [_Mail(m.id, m.to_address, m.subject, m.body) for m in rows]
    results = _send(mails, smtp_url, current_app.config["EXPERTNET_MAIL_FROM"]) if mails else {}
    now = utcnow()
    for row in rows:
        error = results.get(row.id)
        row.attempts += 1
        row.last_error = error
        if error is None:
            row.sent_at = now
    db.session.flush()
    failed = sum(1 for e in results.values() if e is not None)
    return {"sent": len(results) - failed, "failed": failed}


# --- after-commit hook ----------------------------------------------------------------------


def _before_commit(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    session.flush()
    session.info.pop(_PENDING, None)
    ready = session.info.setdefault(_READY, [])
    ready.extend(_Mail(m.id, m.to_address, m.subject, m.body) for m in pending if m.id)


def _after_commit(session: Session) -> None:
    ready: list[_Mail] = session.info.pop(_READY, [])
    if not ready:
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return  # no app (plain scripts): the mail waits in the outbox for `expertnet remind`
    smtp_url = app.config.get("EXPERTNET_SMTP_URL")
    if not smtp_url:
        return
    results = _send(ready, smtp_url, app.config["EXPERTNET_MAIL_FROM"])
    # The session's transaction is over; record the outcome on a connection of its own.
    # Tests bind the session to a connection inside their outer transaction: use that one.
    try:
        bind = session.get_bind()
        if isinstance(bind, Engine):
            with bind.begin() as conn:
                _record(conn, results)
        else:
            _record(bind, results)
    except Exception:
        # The mail went out; at worst `expertnet remind` sends it once more.
        log.exception("could not record sent mail")


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_READY, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    for name, fn in (
        ("before_commit", _before_commit),
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_soft_rollback),
    ):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
