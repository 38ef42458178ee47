"""Reminders before each deadline and escalations once one is missed (``expertnet remind``).

Every message has a dedupe key built from the object, the kind and the deadline itself,
so running the command again sends nothing twice, while a deadline that is moved gets
reminders of its own.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from workflows import Audience, State

from ..core.localtime import LOCAL_TZ
from ..core.types import utcnow
from ..extensions import db
from ..jobs import job
from . import notify
from .models import OPEN_STATES, Invitation, InvitationState, Request
from .operations import audience_users

DEFAULT_DAYS_BEFORE = 2
#: The PostgreSQL advisory lock that lets one reminder run at a time across all nodes.
_REMIND_LOCK = 0x6578_7072_656D  # "exprem"


def _stamp(deadline: datetime) -> str:
    return deadline.strftime("%Y%m%dT%H%M")


def _due(now: datetime, deadline: datetime, window: timedelta) -> str | None:
    """``"escalation"`` once the deadline has passed, ``"reminder"`` within the window before it."""
    if now >= deadline:
        return "escalation"
    if now >= deadline - window:
        return "reminder"
    return None


def end_of_day(day) -> datetime:
    """The last minute of ``day`` in Hanoi time: what “due on 12 May” means to an agency."""
    return datetime.combine(day, time(23, 59), LOCAL_TZ)


def run_reminders(now: datetime | None = None, days_before: int | None = None) -> Counter:
    """Queue every reminder and escalation that is due now; the caller commits."""
    now = now or utcnow()
    if days_before is None:
        days_before = int(current_app.config.get("EXPERTNET_REMIND_DAYS", DEFAULT_DAYS_BEFORE))
    window = timedelta(days=days_before)
    sent: Counter = Counter()

    # Invitations still unanswered.
    invitations = db.session.scalars(
        select(Invitation)
        .join(Request, Request.id == Invitation.request_id)
        .where(
            Invitation.state == InvitationState.invited,
            Invitation.respond_by.is_not(None),
            Request.state.in_([State.PANEL_FORMING.value, State.IN_REVIEW.value]),
        )
        .options(selectinload(Invitation.person))
    ).all()
    for inv in invitations:
        deadline = inv.respond_by
        step = _due(now, deadline, window)
        if step is None:
            continue
        key = f"{step}_invitation:i{inv.id}:{_stamp(deadline)}"
        if step == "reminder" and inv.person.user is not None:
            sent[step] += notify.queue(
                inv.person.user,
                "reminder_invitation",
                key,
                request=inv.request,
                deadline=deadline,
                invitation=inv,
            )
        elif step == "escalation":
            sent[step] += notify.queue_many(
                audience_users(inv.request, Audience.COORDINATOR, inv.invited_by),
                "escalation_invitation",
                key,
                request=inv.request,
                deadline=deadline,
                person_name=inv.person.display_name,
            )

    # Opinions not yet submitted.
    in_review = db.session.scalars(
        select(Request).where(
            Request.state == State.IN_REVIEW.value, Request.opinion_due_at.is_not(None)
        )
    ).all()
    for req in in_review:
        deadline = req.opinion_due_at
        step = _due(now, deadline, window)
        if step is None:
            continue
        submitted = {o.person_id for o in req.opinions if o.submitted}
        for inv in req.accepted_invitations:
            if inv.person_id in submitted:
                continue
            key = f"{step}_opinion:r{req.id}:p{inv.person_id}:{_stamp(deadline)}"
            if step == "reminder" and inv.person.user is not None:
                sent[step] += notify.queue(
                    inv.person.user, "reminder_opinion", key, request=req, deadline=deadline
                )
            elif step == "escalation":
                sent[step] += notify.queue_many(
                    audience_users(req, Audience.COORDINATOR, inv.invited_by),
                    "escalation_opinion",
                    key,
                    request=req,
                    deadline=deadline,
                    person_name=inv.person.display_name,
                )

    # The date the agency needs the opinion by.
    open_requests = db.session.scalars(
        select(Request).where(
            Request.state.in_([s for s in OPEN_STATES if s != State.DRAFT.value]),
            Request.due_date.is_not(None),
        )
    ).all()
    for req in open_requests:
        deadline = end_of_day(req.due_date)
        step = _due(now, deadline, window)
        if step is None:
            continue
        sent[step] += notify.queue_many(
            audience_users(req, Audience.COORDINATOR, req.filed_by),
            f"{step}_request_due",
            f"{step}_request_due:r{req.id}:{_stamp(deadline)}",
            request=req,
            deadline=deadline,
        )
    db.session.flush()
    return +sent  # without the kinds that sent nothing


@job
def remind_job(days_before: int | None = None) -> dict[str, int]:
    """``remind`` as a job: cron (or any scheduler) enqueues it, a worker runs it."""
    return remind(days_before)


def remind(days_before: int | None = None) -> dict[str, int]:
    """One scheduled run (``expertnet remind``): queue what is due, then send due mail.

    Safe when several run at once, on one node or many: on PostgreSQL a transaction-level
    advisory lock lets one of them queue reminders (the others skip that part), and on
    any database the unique dedupe keys make a second copy fail and roll back whole.
    Sending claims each mail row by row (``notify.deliver_mail``), so each leaves once.
    """
    counts: Counter = Counter()
    skipped = False
    if db.session.get_bind().dialect.name == "postgresql":
        got = db.session.scalar(select(func.pg_try_advisory_xact_lock(_REMIND_LOCK)))
        skipped = not got
    if not skipped:
        try:
            counts = run_reminders(days_before=days_before)
            db.session.commit()  # the commit hands the new mail to the sender (after_commit)
        except IntegrityError:
            db.session.rollback()  # another run queued the same reminders first
            counts, skipped = Counter(), True
    else:
        db.session.rollback()
    retried = notify.send_outbox()
    db.session.commit()
    return {
        "reminder": counts.get("reminder", 0),
        "escalation": counts.get("escalation", 0),
        "sent": retried["sent"],
        "failed": retried["failed"],
        "skipped": int(skipped),
    }
