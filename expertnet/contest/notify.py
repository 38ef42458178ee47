"""The contest's notifications, through the consultation's inbox and outbox.

Each lands in the recipient's inbox and leaves as mail after the transaction commits (see
:mod:`expertnet.consultation.notify`); a rolled-back action sends nothing, and a dedupe
key per event keeps every mail to one. Links point at ``EXPERTNET_BASE_URL``.

Authors hear that their entry was received, the screening's outcome (with the reason when
it is ineligible) and the published results; judges the entries they are given, that
scoring is open with its closing date, and a re-score; the board that results await them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..access.operations import account_problem, ensure_account, join_link
from ..auth.models import User
from ..consultation import notify
from ..core.urls import external
from ..extensions import db
from .models import Edition, Entry, JudgeAssignment, ResultLine


def edition_title(edition: Edition) -> str:
    return f"{edition.name} lần thứ {edition.number}"


def _context(edition: Edition, **extra: Any) -> dict[str, Any]:
    return {
        "edition": edition,
        "edition_title": edition_title(edition),
        "open_path": f"/contests/{edition.id}",
        "action_url": None,  # no signed link: contest pages need signing in
        **extra,
    }


def author_users(entry: Entry) -> list[User]:
    """Whoever filed the entry and its authors with an account (each once)."""
    ids = [entry.filed_by_id, *(a.user_id for a in entry.authors if a.user_id is not None)]
    users = [db.session.get(User, uid) for uid in dict.fromkeys(ids)]
    return [u for u in users if u is not None]


def _judge_user(seat: JudgeAssignment) -> User | None:
    """The judge's account, created (without a password) when they have none yet."""
    person = seat.person
    if person.user is not None:
        return person.user
    if account_problem(person) is not None:
        return None  # no usable address: the secretariat reaches them otherwise
    return ensure_account(person)


def _join_url(user: User) -> str | None:
    return None if user.has_password else external(join_link(user))


# --- authors -----------------------------------------------------------------------------------


def entry_received(entry: Entry) -> int:
    return notify.queue_many(
        author_users(entry),
        "contest_entry_received",
        f"contest_entry_received:n{entry.id}",
        **_context(entry.edition, entry=entry),
    )


def entry_screened(entry: Entry, eligible: bool) -> int:
    return notify.queue_many(
        author_users(entry),
        "contest_entry_screened",
        f"contest_entry_screened:n{entry.id}:v{entry.version}",
        **_context(entry.edition, entry=entry, eligible=eligible, reason=entry.screening_reason),
    )


def results_published(edition: Edition) -> int:
    """Each author of each scored entry: the award, or thanks for taking part."""
    lines = {
        line.entry_id: line
        for line in db.session.scalars(
            db.select(ResultLine).where(ResultLine.edition_id == edition.id)
        )
    }
    results_path = f"/contests/{edition.id}/results"
    count = 0
    for entry in edition.entries:
        line = lines.get(entry.id)
        if line is None:
            continue
        award = line.award_level.name if line.award_level is not None else None
        count += notify.queue_many(
            author_users(entry),
            "contest_results_published",
            f"contest_results_published:e{edition.id}:n{entry.id}",
            **_context(edition, entry=entry, award=award, open_path=results_path),
        )
    return count


# --- judges ------------------------------------------------------------------------------------


def judges_assigned(edition: Edition, seats: Iterable[JudgeAssignment]) -> int:
    """One mail per judge listing the entries just given to them."""
    by_person: dict[int, list[JudgeAssignment]] = defaultdict(list)
    for seat in seats:
        by_person[seat.person_id].append(seat)
    count = 0
    for group in by_person.values():
        user = _judge_user(group[0])
        if user is None:
            continue
        first = min(s.id for s in group)
        count += notify.queue(
            user,
            "contest_judge_assigned",
            f"contest_judge_assigned:e{edition.id}:s{first}:u{user.id}",
            **_context(
                edition,
                entries=sorted((s.entry for s in group), key=lambda e: e.number),
                join_url=_join_url(user),
            ),
        )
    return count


def scoring_open(edition: Edition) -> int:
    """Judging starts: each judge, with how many entries and until when."""
    by_person: dict[int, list[JudgeAssignment]] = defaultdict(list)
    for entry in edition.entries:
        for seat in entry.active_judges:
            by_person[seat.person_id].append(seat)
    count = 0
    for group in by_person.values():
        user = _judge_user(group[0])
        if user is None:
            continue
        count += notify.queue(
            user,
            "contest_scoring_open",
            f"contest_scoring_open:e{edition.id}:v{edition.version}:u{user.id}",
            **_context(edition, count=len(group), join_url=_join_url(user)),
        )
    return count


def rescore_requested(entry: Entry, comment: str | None = None) -> int:
    users = [u for u in (_judge_user(s) for s in entry.active_judges) if u is not None]
    return notify.queue_many(
        users,
        "contest_rescore_requested",
        f"contest_rescore_requested:n{entry.id}:r{entry.score_round}",
        **_context(entry.edition, entry=entry, comment=comment),
    )


# --- the board ---------------------------------------------------------------------------------


def results_proposed(edition: Edition, comment: str | None = None) -> int:
    awarded = db.session.scalar(
        db.select(db.func.count(ResultLine.id)).where(
            ResultLine.edition_id == edition.id, ResultLine.award_level_id.isnot(None)
        )
    )
    board = [m.user for m in edition.board if m.user is not None]
    return notify.queue_many(
        board,
        "contest_results_proposed",
        f"contest_results_proposed:e{edition.id}:v{edition.version}",
        **_context(
            edition,
            count=awarded,
            comment=comment,
            open_path=f"/contests/{edition.id}/results",
        ),
    )


# --- the scoring deadline (``expertnet remind``) -----------------------------------------------


def scoring_reminders(now, window, due, end_of_day) -> dict[str, int]:
    """Judges with entries still to score as the scoring deadline nears; the secretariat
    once it has passed. Keys carry the deadline, so a moved deadline reminds again."""
    from workflows import EditionState, EntryState

    sent = {"reminder": 0, "escalation": 0}
    editions = db.session.scalars(
        db.select(Edition).where(
            Edition.state == EditionState.JUDGING.value, Edition.judging_until.is_not(None)
        )
    ).all()
    for edition in editions:
        deadline = end_of_day(edition.judging_until)
        step = due(now, deadline, window)
        if step is None:
            continue
        stamp = deadline.strftime("%Y%m%d")
        pending: dict[int, list[JudgeAssignment]] = defaultdict(list)
        for entry in edition.entries:
            if entry.state != EntryState.SCORING:
                continue
            n = len(edition.criteria)
            for seat in entry.active_judges:
                if len(seat.current_scores(entry.score_round)) < n:
                    pending[seat.person_id].append(seat)
        if not pending:
            continue
        if step == "reminder":
            for group in pending.values():
                user = group[0].person.user
                if user is None:
                    continue
                sent[step] += notify.queue(
                    user,
                    "contest_scoring_reminder",
                    f"contest_scoring_reminder:e{edition.id}:u{user.id}:{stamp}",
                    **_context(edition, count=len(group), deadline=deadline),
                )
        else:
            sent[step] += notify.queue(
                edition.created_by,
                "contest_scoring_overdue",
                f"contest_scoring_overdue:e{edition.id}:u{edition.created_by_id}:{stamp}",
                **_context(
                    edition,
                    count=sum(len(g) for g in pending.values()),
                    judges=len(pending),
                    deadline=deadline,
                ),
            )
    return sent
