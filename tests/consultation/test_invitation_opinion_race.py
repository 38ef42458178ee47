"""Answers to invitations and opinion writes at the same moment, on real PostgreSQL.

Each contestant runs in a thread with a connection of its own, reads what it is about to
change, waits for the others at a barrier, then writes and commits: the situation of a
double click or of two browser tabs. Exactly one wins; the others get a 409 and nothing
of theirs is kept (never a 500, never a second seat, never a seat over the cap).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from expertnet.audit.models import AuditEntry
from expertnet.auth.models import ApiToken, User
from expertnet.auth.operations import create_user
from expertnet.consultation import operations as ops
from expertnet.consultation.models import (
    Invitation,
    Notification,
    Opinion,
    OutboxMail,
    Request,
    RequestHistory,
)
from expertnet.core.errors import ApiError
from expertnet.directory.models import Organization, Person
from expertnet.extensions import db

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery"


def _respond_by() -> datetime:
    return datetime.now(UTC) + timedelta(days=7)


@pytest.fixture
def cast(base_app, database_url):
    """Committed people, accounts and two requests whose panels are forming."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "SQLite lets one writer in at a time with a database-wide lock, so two "
            "transactions cannot race on a row; set EXPERTNET_TEST_DATABASE_URL to run this."
        )
    ids: dict = {"users": [], "people": [], "requests": []}
    with base_app.test_request_context():
        org = Organization(code="RACEINV", name="Sở thử tranh chấp ghế", kind="agency")
        db.session.add(org)
        db.session.flush()
        ids["org"] = org.id
        agency = create_user(email="race-inv-agency@example.org", name="Race agency",
                             role="agency", password=PASSWORD, organization_id=org.id)  # fmt: skip
        coordinator = create_user(email="race-inv-coord@example.org", name="Race coordinator",
                                  role="coordinator", password=PASSWORD)  # fmt: skip
        ids["users"] += [agency.id, coordinator.id]
        experts = []
        for n in range(4):
            person = Person(full_name=f"Chuyên gia Tranh Chấp {n}", expertise=[])
            db.session.add(person)
            db.session.flush()
            user = create_user(email=f"race-inv-expert{n}@example.org", name=f"Expert {n}",
                               role="expert", password=PASSWORD, person_id=person.id)  # fmt: skip
            experts.append(user)
            ids["people"].append(person.id)
            ids["users"].append(user.id)
        requests = []
        for title in ("Đề án thử ghế thứ nhất", "Đề án thử ghế thứ hai"):
            req = ops.create_request(agency, {"kind": "critique", "title": title})
            for action, who in (("submit", agency), ("accept", coordinator)):
                ops.perform_action(req, action, who)
            ops.perform_action(req, "open_panel", coordinator)
            requests.append(req)
            ids["requests"].append(req.id)
        db.session.commit()
        ids["coordinator"] = coordinator.id
        ids["experts"] = [u.id for u in experts]
        db.session.remove()
    try:
        yield ids
    finally:
        _clean(base_app, ids)


def _clean(app, ids: dict) -> None:
    with app.app_context(), db.engine.begin() as conn:
        users, people, requests = ids["users"], ids["people"], ids["requests"]
        conn.execute(delete(Notification).where(Notification.user_id.in_(users)))
        conn.execute(delete(OutboxMail).where(OutboxMail.user_id.in_(users)))
        conn.execute(delete(Opinion).where(Opinion.request_id.in_(requests)))
        conn.execute(
            Invitation.__table__.update()
            .where(Invitation.request_id.in_(requests))
            .values(replaced_by_id=None)
        )
        conn.execute(delete(Invitation).where(Invitation.request_id.in_(requests)))
        conn.execute(delete(RequestHistory).where(RequestHistory.request_id.in_(requests)))
        conn.execute(delete(Request).where(Request.id.in_(requests)))
        conn.execute(delete(ApiToken).where(ApiToken.user_id.in_(users)))
        conn.execute(delete(User).where(User.id.in_(users)))
        conn.execute(delete(Person).where(Person.id.in_(people)))
        conn.execute(
            delete(AuditEntry).where(
                (AuditEntry.entity_type == "person") & AuditEntry.entity_id.in_(people)
                | (AuditEntry.entity_type == "organization") & (AuditEntry.entity_id == ids["org"])
            )
        )
        conn.execute(delete(Organization).where(Organization.id == ids["org"]))


def _setup(app, fn: Callable[[], None]) -> None:
    with app.test_request_context():
        try:
            fn()
            db.session.commit()
        finally:
            db.session.remove()


def _race(app, contestants: list[tuple[Callable[[], object], Callable[[object], None]]]):
    """Each contestant reads (``prepare``), waits for the others, then acts and commits.

    Returns "won" or the ApiError for each, in order. Anything else a contestant raises
    (a 500 in the making) is returned too, so the test shows it.
    """
    barrier = threading.Barrier(len(contestants))
    results: list[object] = [None] * len(contestants)

    def run(slot: int, prepare, act) -> None:
        with app.test_request_context():
            try:
                state = prepare()
                barrier.wait(timeout=10)
                try:
                    act(state)
                    # Hold the locks a moment so the others really queue behind them.
                    time.sleep(0.3)
                    db.session.commit()
                    results[slot] = "won"
                except Exception as exc:  # the test reports whatever happened
                    db.session.rollback()
                    results[slot] = exc
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=(i, prepare, act))
        for i, (prepare, act) in enumerate(contestants)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _one_winner(results: list[object]) -> list[ApiError]:
    assert results.count("won") == 1, results
    losers = [r for r in results if r != "won"]
    assert all(isinstance(r, ApiError) and r.status == 409 for r in losers), results
    return losers


def _invite(app, request_id: int, person_id: int, coordinator_id: int, role="member") -> int:
    out: dict = {}

    def make():
        req = db.session.get(Request, request_id)
        inv = ops.invite(req, db.session.get(Person, person_id), role, _respond_by(),
                         db.session.get(User, coordinator_id))  # fmt: skip
        out["id"] = inv.id

    _setup(app, make)
    return out["id"]


def _answer(invitation_id: int, user_id: int):
    def prepare():
        inv = db.session.get(Invitation, invitation_id)
        assert inv.state == "invited"  # everyone has read the open invitation
        inv.request.state  # noqa: B018 - loaded before the barrier, like a real request
        return inv, db.session.get(User, user_id)

    return prepare


def _accept(state) -> None:
    inv, user = state
    ops.accept_invitation(inv, user, {"has_conflict": False})


def _decline(state) -> None:
    inv, user = state
    ops.decline_invitation(inv, user, "Tôi đang bận công tác.")


def test_accepting_one_invitation_twice_at_once_gives_one_seat_and_a_409(base_app, cast):
    expert = cast["experts"][0]
    person = cast["people"][0]
    inv_id = _invite(base_app, cast["requests"][0], person, cast["coordinator"])

    results = _race(base_app, [(_answer(inv_id, expert), _accept)] * 3)

    losers = _one_winner(results)
    assert {r.code for r in losers} == {"invalid_transition"}
    with base_app.app_context():
        inv = db.session.get(Invitation, inv_id)
        assert (inv.state, inv.version) == ("accepted", 2)
        # The coordinator was told once: the losers queued nothing.
        told = db.session.scalar(
            select(func.count()).where(
                Notification.user_id == cast["coordinator"],
                Notification.kind == "invitation_accepted",
            )
        )
        assert told == 1
        assert ops.workload([person])[person] == 1
        db.session.remove()


def test_accepting_two_seats_at_once_never_exceeds_the_workload_cap(base_app, cast):
    expert = cast["experts"][1]
    person = cast["people"][1]

    def cap_of_one():
        db.session.get(Person, person).max_assignments = 1

    _setup(base_app, cap_of_one)
    first = _invite(base_app, cast["requests"][0], person, cast["coordinator"])
    second = _invite(base_app, cast["requests"][1], person, cast["coordinator"])

    results = _race(
        base_app, [(_answer(first, expert), _accept), (_answer(second, expert), _accept)]
    )

    losers = _one_winner(results)
    assert [r.code for r in losers] == ["workload_cap"]
    with base_app.app_context():
        states = sorted(db.session.get(Invitation, i).state for i in (first, second))
        assert states == ["accepted", "invited"]
        assert ops.workload([person])[person] == 1
        db.session.remove()


def test_accept_and_decline_at_once_one_answer_stands(base_app, cast):
    expert = cast["experts"][2]
    inv_id = _invite(base_app, cast["requests"][0], cast["people"][2], cast["coordinator"])

    results = _race(
        base_app, [(_answer(inv_id, expert), _accept), (_answer(inv_id, expert), _decline)]
    )

    _one_winner(results)
    with base_app.app_context():
        inv = db.session.get(Invitation, inv_id)
        winner = "accepted" if results[0] == "won" else "declined"
        assert (inv.state, inv.version) == (winner, 2)
        assert (inv.decline_reason is None) == (winner == "accepted")
        db.session.remove()


def test_a_stale_invitation_version_is_refused_and_changes_nothing(base_app, cast):
    expert = cast["experts"][3]
    inv_id = _invite(base_app, cast["requests"][1], cast["people"][3], cast["coordinator"])
    with base_app.test_request_context():
        inv = db.session.get(Invitation, inv_id)
        with pytest.raises(ApiError) as refused:
            ops.accept_invitation(
                inv, db.session.get(User, expert), {"has_conflict": False}, expected_version=7
            )
        db.session.rollback()
        assert (refused.value.status, refused.value.code) == (409, "version_conflict")
        assert refused.value.extra == {"current_version": 1}
        db.session.remove()
    with base_app.app_context():
        assert db.session.get(Invitation, inv_id).state == "invited"
        db.session.remove()


# --- opinions ---------------------------------------------------------------------------------


@pytest.fixture
def in_review(base_app, cast):
    """The first request in review with experts 0-2 seated; returns its id."""
    rid = cast["requests"][0]
    for expert, person, role in zip(cast["experts"][:3], cast["people"][:3],
                                    ("chair", "secretary", "reviewer"), strict=True):  # fmt: skip
        inv_id = _invite(base_app, rid, person, cast["coordinator"], role)

        def accept(inv_id=inv_id, expert=expert):
            inv = db.session.get(Invitation, inv_id)
            ops.accept_invitation(inv, db.session.get(User, expert), {"has_conflict": False})

        _setup(base_app, accept)

    def start():
        req = db.session.get(Request, rid)
        ops.perform_action(req, "start_review", db.session.get(User, cast["coordinator"]))

    _setup(base_app, start)
    return rid


def _opinion_reader(request_id: int, user_id: int):
    def prepare():
        req = db.session.get(Request, request_id)
        user = db.session.get(User, user_id)
        ops.own_opinion(req, user)  # both have read the same opinion (or none) before writing
        return req, user

    return prepare


def _save(n: int):
    def act(state) -> None:
        req, user = state
        ops.save_opinion(req, user, {"summary": f"Bản nháp {n}", "position": "support"})

    return act


def _submit(state) -> None:
    req, user = state
    ops.submit_opinion(req, user)


def _opinions(app, rid: int, person: int) -> list[Opinion]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Opinion).where(Opinion.request_id == rid, Opinion.person_id == person)
            )
        )
        db.session.expunge_all()
        db.session.remove()
    return rows


def test_two_first_saves_of_an_opinion_at_once_give_one_draft_and_a_409(base_app, cast, in_review):
    expert, person = cast["experts"][0], cast["people"][0]

    results = _race(base_app, [(_opinion_reader(in_review, expert), _save(n)) for n in range(2)])

    losers = _one_winner(results)
    assert [r.code for r in losers] == ["version_conflict"]
    rows = _opinions(base_app, in_review, person)
    assert len(rows) == 1
    assert rows[0].summary == f"Bản nháp {results.index('won')}"
    assert losers[0].extra == {"current_version": rows[0].version}


def test_two_saves_of_one_draft_at_once_give_one_winner_and_a_409(base_app, cast, in_review):
    expert, person = cast["experts"][1], cast["people"][1]
    _setup(base_app, lambda: _save(9)(_opinion_reader(in_review, expert)()))

    results = _race(base_app, [(_opinion_reader(in_review, expert), _save(n)) for n in range(3)])

    losers = _one_winner(results)
    assert {r.code for r in losers} == {"version_conflict"}
    (row,) = _opinions(base_app, in_review, person)
    assert (row.summary, row.version) == (f"Bản nháp {results.index('won')}", 2)


def test_two_submits_at_once_submit_once_and_answer_409(base_app, cast, in_review):
    expert, person = cast["experts"][2], cast["people"][2]
    _setup(base_app, lambda: _save(0)(_opinion_reader(in_review, expert)()))

    results = _race(base_app, [(_opinion_reader(in_review, expert), _submit)] * 3)

    losers = _one_winner(results)
    assert {r.code for r in losers} == {"version_conflict"}
    (row,) = _opinions(base_app, in_review, person)
    assert row.submitted_at is not None and row.version == 2
    with base_app.app_context():
        told = db.session.scalar(
            select(func.count()).where(
                Notification.user_id == cast["coordinator"],
                Notification.kind == "opinion_submitted",
            )
        )
        assert told == 1
        db.session.remove()
