"""Notifications: every one lands in the user's inbox and in the outbox; mail leaves after commit.

``queue`` is called by operations inside the request's transaction. The session's
``after_commit`` hook hands the new mail to a background job (``deliver_mail``, see
``expertnet.jobs``), so a rolled-back action never sends anything and no request waits
for SMTP; without ``EXPERTNET_SMTP_URL`` the mail simply stays in the outbox.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime, gettext, pgettext
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from ..core.types import utcnow
from ..extensions import db
from ..jobs import enqueue, job
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
    # The contest (see ``expertnet.contest.notify``).
    "contest_entry_received",
    "contest_entry_screened",
    "contest_results_published",
    "contest_judge_assigned",
    "contest_scoring_open",
    "contest_rescore_requested",
    "contest_results_proposed",
    "contest_scoring_reminder",
    "contest_scoring_overdue",
    # Mail only (no inbox entry): see ``expertnet.access``.
    "account_invitation",
    "password_reset",
    "email_change",
    "contest_author_invitation",
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
    subject, body, _summary = _render(kind, locale, context)
    return subject, body


def _render(kind: str, locale: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, body and the inbox's one-line summary (the ``summary`` block, else the subject)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    from ..core.urls import base_url as _base_url

    base_url = _base_url()
    with force_locale(locale):
        # Straight from the environment: the pages' context processors need an HTTP request,
        # and mail is also written by `expertnet remind`, outside of one.
        template = current_app.jinja_env.get_template(f"mail/{kind}.txt")
        variables = dict(
            base_url=base_url,
            localdt=_localdt,
            role_title=_role_title,
            salutation=salutation,
            **context,
        )
        text = template.render(**variables)
        # The inbox shows the message itself: the body's sentence (or a shorter summary),
        # with the comment, but no greeting, link or signature.
        name = "summary" if "summary" in template.blocks else "body"
        summary = ""
        if name in template.blocks:
            block = template.blocks[name](template.new_context(variables))
            summary = " ".join("".join(block).split())
        comment = " ".join(str(context.get("comment") or "").split())
        if summary and comment:
            summary = f"{summary} {gettext('Comment:')} {comment}"
    subject, _sep, body = text.strip().partition("\n")
    subject = subject.strip()[:300]
    summary = summary or subject
    if len(summary) > 500:
        summary = summary[:499].rstrip() + "…"
    return subject, body.strip() + "\n", summary


def queue(
    user,
    kind: str,
    dedupe_key: str,
    *,
    request=None,
    attachments: list[dict[str, str]] | None = None,
    **context: Any,
) -> bool:
    """Put a notification in ``user``'s inbox and a mail in the outbox, at most once per key.

    Returns False when a notification with this key exists already (a second
    ``expertnet remind``, or the same user reached through two audiences).
    """
    if not user.active:
        return False
    exists = db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key))
    if exists is not None:
        return False
    if "action_url" not in context:
        # Signed links let an expert answer without a password (see ``expertnet.access``).
        from ..access.operations import mail_link

        context["action_url"] = mail_link(
            user, kind, request=request, invitation=context.get("invitation")
        )
    subject, body, summary = _render(
        kind, user.locale or "vi", {"user": user, "request": request, **context}
    )
    db.session.add(
        Notification(
            user_id=user.id,
            kind=kind,
            request_id=request.id if request is not None else None,
            subject=subject,
            body=body,
            summary=summary,
            dedupe_key=dedupe_key,
        )
    )
    mail = OutboxMail(
        user_id=user.id,
        to_address=user.email,
        subject=subject,
        body=body,
        attachments=attachments or None,
        dedupe_key=dedupe_key,
        attempts=0,
    )
    db.session.add(mail)
    db.session.info.setdefault(_PENDING, []).append(mail)
    return True


def queue_mail(
    to_address: str,
    subject: str,
    body: str,
    dedupe_key: str,
    *,
    user_id: int | None = None,
    send_now: bool = True,
) -> OutboxMail:
    """Put one mail (no inbox entry) in the outbox.

    ``send_now=False`` leaves it for the next outbox run (``expertnet remind``), so a bulk
    action answers at once and the mail leaves in throttled batches.
    """
    mail = OutboxMail(
        user_id=user_id,
        to_address=to_address,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        attempts=0,
    )
    db.session.add(mail)
    if send_now:
        db.session.info.setdefault(_PENDING, []).append(mail)
    return mail


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
class SmtpTarget:
    """Where and how to hand mail over, from ``EXPERTNET_SMTP_URL``.

    ``smtp://host:25`` (plain), ``smtp+starttls://host:587`` (STARTTLS, required) and
    ``smtps://host:465`` (TLS from the first byte); ``user:password@`` signs in
    (percent-encode special characters of the password).
    """

    host: str
    port: int
    security: str  # "plain", "starttls" or "ssl"
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}.get(parts.scheme)
        if security is None or not parts.hostname:
            raise ValueError(
                "EXPERTNET_SMTP_URL must look like smtp://host:25, smtp+starttls://user:pass@host:587"
                f" or smtps://user:pass@host:465, not {parts.scheme}://…"
            )
        default_port = {"plain": 25, "starttls": 587, "ssl": 465}[security]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def _tls_context(cafile: str | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cafile)


class _Connection:
    """One SMTP session, opened at the first mail and reused for the rest of a run."""

    def __init__(self, target: SmtpTarget, cafile: str | None) -> None:
        self.target = target
        self.cafile = cafile
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        t = self.target
        if t.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                t.host, t.port, timeout=10, context=_tls_context(self.cafile)
            )
        else:
            smtp = smtplib.SMTP(t.host, t.port, timeout=10)
            if t.security == "starttls":
                smtp.starttls(context=_tls_context(self.cafile))
        if t.username:
            smtp.login(t.username, t.password or "")
        self.smtp = smtp
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None


def _message(
    mail_id: int,
    to: str,
    subject: str,
    body: str,
    sender: str,
    attachments: list[dict[str, str]] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<outbox-{mail_id}@expertnet>"
    msg.set_content(body)
    for item in attachments or ():
        maintype, _sep, subtype = item["media_type"].partition("/")
        params = {"method": "PUBLISH"} if item["media_type"] == "text/calendar" else {}
        if maintype == "text":
            msg.add_attachment(
                item["text"],
                subtype=subtype,
                charset="utf-8",
                filename=item["filename"],
                params=params,
            )
        else:
            msg.add_attachment(
                item["text"].encode(),
                maintype=maintype,
                subtype=subtype,
                filename=item["filename"],
                params=params,
            )
    return msg


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 2, 4, … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def _claim(ids: list[int] | None):
    """Take the next due unsent mail and count the attempt, in the caller's transaction.

    On PostgreSQL the row is chosen with ``FOR UPDATE SKIP LOCKED`` and stays locked until
    the caller commits, so concurrent senders each take different mail; on SQLite the
    UPDATE takes the database's write lock, which serialises them the same way.
    """
    table = OutboxMail.__table__
    now = utcnow()
    pick = (
        select(table.c.id)
        .where(
            table.c.sent_at.is_(None),
            table.c.attempts < MAX_ATTEMPTS,
            or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now),
        )
        .order_by(table.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        pick = pick.where(table.c.id.in_(ids))
    return db.session.execute(
        update(table)
        .where(table.c.id == pick.scalar_subquery())
        .values(attempts=table.c.attempts + 1)
        .returning(
            table.c.id,
            table.c.to_address,
            table.c.subject,
            table.c.body,
            table.c.attempts,
            table.c.attachments,
        )
    ).first()


@job
def deliver_mail(ids: list[int] | None = None, limit: int = 500) -> dict[str, int]:
    """Send due outbox mail one claimed row at a time, each committed once it left.

    Whatever else runs at the same time (other workers, ``expertnet remind``, other nodes),
    each mail is handed to SMTP once. A failure is logged, kept on the row and retried
    after a back-off; after ``MAX_ATTEMPTS`` the mail is given up (staff see it on the
    outbox page).
    """
    app = current_app
    smtp_url = app.config.get("EXPERTNET_SMTP_URL")
    counts = {"sent": 0, "failed": 0}
    if not smtp_url:
        return counts
    target = SmtpTarget.parse(smtp_url)
    sender = app.config["EXPERTNET_MAIL_FROM"]
    conn = _Connection(target, app.config.get("EXPERTNET_SMTP_CAFILE"))
    table = OutboxMail.__table__
    try:
        for _n in range(limit):
            row = _claim(ids)
            if row is None:
                break
            error, server_failed = None, False
            try:
                conn.open().send_message(
                    _message(row.id, row.to_address, row.subject, row.body, sender, row.attachments)
                )
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
                # A refused recipient or message is this mail's problem, not the server's.
                server_failed = not isinstance(
                    exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError
                )
            now = utcnow()
            if error is None:
                values: dict[str, Any] = {
                    "sent_at": now,
                    "last_error": None,
                    "next_attempt_at": None,
                }
                counts["sent"] += 1
            else:
                values = {"last_error": error, "next_attempt_at": now + backoff(row.attempts)}
                counts["failed"] += 1
                log.warning(
                    "mail %s to %s failed (attempt %s of %s): %s",
                    row.id,
                    row.to_address,
                    row.attempts,
                    MAX_ATTEMPTS,
                    error,
                )
            db.session.execute(update(table).where(table.c.id == row.id).values(**values))
            db.session.commit()
            if server_failed:
                # The server itself is failing: leave the rest for the next run.
                conn.close()
                break
    finally:
        conn.close()
    return counts


def unsent_mail(limit: int = 200) -> list[OutboxMail]:
    """Mail not sent yet, failing first (the outbox page for staff)."""
    return list(
        db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.sent_at.is_(None))
            .order_by(OutboxMail.attempts.desc(), OutboxMail.id)
            .limit(limit)
        )
    )


def retry_mail(mail: OutboxMail) -> None:
    """Give a failing or given-up mail a fresh set of attempts, due now; the caller commits."""
    if mail.sent_at is not None:
        return
    mail.attempts = 0
    mail.next_attempt_at = None
    db.session.info.setdefault(_PENDING, []).append(mail)
    db.session.flush()


def send_outbox(limit: int = 500) -> dict[str, int]:
    """Send every due unsent mail now (``expertnet remind``); commits as it goes."""
    return deliver_mail(None, limit)


# --- after-commit hook ----------------------------------------------------------------------


def _before_commit(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    session.flush()
    session.info.pop(_PENDING, None)
    session.info.setdefault(_READY, []).extend(m.id for m in pending if m.id)


def _after_commit(session: Session) -> None:
    ready: list[int] = session.info.pop(_READY, [])
    if not ready:
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return  # no app (plain scripts): the mail waits in the outbox for `expertnet remind`
    if not app.config.get("EXPERTNET_SMTP_URL"):
        return
    try:
        enqueue(deliver_mail, ready)
    except Exception:
        # The mail is committed in the outbox; the next `expertnet remind` sends it.
        log.exception("could not queue %s mail(s) for sending", len(ready))


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
