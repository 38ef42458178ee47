"""Who may open which contest page, and who may post to it; refusals change nothing."""

from __future__ import annotations

import pytest
from contest_data import edition_data, entry_data
from contest_pages import Pages
from sqlalchemy import func, select

from expertnet.contest import judging
from expertnet.contest import operations as ops
from expertnet.contest.models import ContestHistory, Entry, JudgeAssignment, ResultLine, Score

ROLES = ["public", "secretariat", "board", "approver", "author", "judge", "juror", "outsider"]
SIGNED_IN = set(ROLES) - {"public"}
EXPERTS = {"judge", "juror", "outsider"}

# page -> roles that get it (200). The public is sent to sign in where a page needs an
# account; a user who may not see the entry gets 404; one who sees it but may not use
# the page gets 403. The edition is being judged, its results not yet public.
TABLE: dict[str, set[str]] = {
    "/contests/": set(ROLES),
    "/contests/{eid}": set(ROLES),
    "/contests/{eid}/results": {"secretariat", "board"},
    "/contests/new": {"secretariat"},
    "/contests/{eid}/edit": set(),
    "/contests/{eid}/manage": {"secretariat"},
    "/contests/{eid}/board": {"secretariat", "board"},
    "/contests/{eid}/entries/new": set(),
    "/contests/entries/mine": SIGNED_IN,
    "/contests/judging": EXPERTS,
    "/contests/entries/{entry}": {"secretariat", "author", "judge"},
    "/contests/entries/{entry}/edit": set(),
}
SEE_ENTRY = {"secretariat", "author", "judge"}
NEEDS_ACCOUNT = set(TABLE) - {"/contests/", "/contests/{eid}", "/contests/{eid}/results"}


@pytest.fixture
def world(app, session, contest, make_person, make_user):
    """An edition being judged: one entry scored by two of its three judges."""
    jurors = []
    for name in ("Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam", "Đỗ Thu Hà"):
        person = make_person(full_name=name, fields=["ENG-MEC"], expertise=["cơ khí"])
        jurors.append(make_user("expert", person=person)[0])
    sec = contest.secretariat
    edition = ops.create_edition(sec, edition_data())
    ops.set_members(
        edition,
        sec,
        {
            "board": [contest.board[0].id],
            "jury": [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in jurors],
        },
    )
    ops.perform_edition_action(edition, "announce", sec)
    ops.perform_edition_action(edition, "open_entries", sec)
    entry = ops.create_entry(edition, contest.author, entry_data())
    ops.perform_edition_action(edition, "close_entries", sec)
    ops.perform_entry_action(entry, "mark_eligible", sec)
    for u in jurors[:3]:
        judging.assign_judge(entry, sec, u.person_id)
    ops.perform_edition_action(edition, "start_judging", sec)
    crit = [c.id for c in edition.criteria]
    judging.save_score(entry, jurors[0], {str(crit[0]): 30, str(crit[1]): 20, str(crit[2]): 20}, "")
    session.commit()
    users = {
        "public": None,
        "secretariat": sec,
        "board": contest.board[0],
        "approver": contest.board[1],  # an approver not on this edition's board
        "author": contest.author,
        "judge": jurors[1],
        "juror": jurors[3],  # on the jury, not seated on the entry
        "outsider": contest.outsider,
    }
    return {"users": users, "eid": edition.id, "entry": entry.id, "judges": jurors}


@pytest.mark.parametrize("page", list(TABLE))
def test_who_gets_each_page(app, world, page):
    pages = Pages(app)
    url = page.format(eid=world["eid"], entry=world["entry"])
    for role in ROLES:
        client, _token = pages.client(world["users"][role])
        res = client.get(url)
        if role in TABLE[page]:
            expected = 200
        elif role == "public" and page in NEEDS_ACCOUNT:
            expected = 302
        elif ("{entry}" in page and role not in SEE_ENTRY) or page.endswith("/results"):
            expected = 404
        else:
            expected = 403
        assert res.status_code == expected, (role, url, res.status_code)
        if expected == 302:
            assert "/login" in res.headers["Location"]


def _snapshot(session, entry_id):
    session.expire_all()
    entry = session.get(Entry, entry_id)
    return (
        entry.state,
        entry.version,
        entry.edition.state,
        entry.edition.version,
        session.scalar(select(func.count(Score.id))),
        session.scalar(select(func.count(ContestHistory.id))),
        session.scalar(select(func.count(JudgeAssignment.id))),
        session.scalar(select(func.count(ResultLine.id))),
        tuple(sorted((j.person_id, j.state) for j in entry.judges)),
    )


def test_refused_posts_change_nothing(app, session, world):
    pages = Pages(app)
    users, eid, entry_id = world["users"], world["eid"], world["entry"]
    entry = session.get(Entry, entry_id)
    crit = [c.id for c in entry.edition.criteria]
    version = str(entry.version)
    score = {"version": version, **{f"c{c}": "20" for c in crit}}
    before = _snapshot(session, entry_id)
    attempts = [
        # (role, url, data, status)
        ("outsider", f"/contests/entries/{entry_id}/score", score, 404),
        ("juror", f"/contests/entries/{entry_id}/score", score, 404),
        ("author", f"/contests/entries/{entry_id}/score", score, 403),
        ("secretariat", f"/contests/entries/{entry_id}/score", score, 403),
        ("judge", f"/contests/entries/{entry_id}/screen", {"version": version}, 403),
        ("author", f"/contests/{eid}/assignments", {}, 403),
        ("judge", f"/contests/entries/{entry_id}/judges", {"expert_id": "1"}, 403),
        ("juror", f"/contests/entries/{entry_id}/conflict", {"details": "x"}, 404),
        ("author", f"/contests/entries/{entry_id}/edit", {"version": version}, 403),
        ("board", f"/contests/{eid}/members", {"version": "1"}, 403),
        ("approver", f"/contests/{eid}/results/{entry_id}", {"r1-reason": "x"}, 403),
        ("public", f"/contests/{eid}/actions/propose_results", {}, 400),  # no session, no token
        ("author", f"/contests/entries/{entry_id}/actions/reopen_scoring", {}, 422),
        (
            "judge",
            f"/contests/entries/{entry_id}/actions/withdraw",
            {"withdraw-version": version},
            409,  # the engine: not in this state
        ),
    ]
    for role, url, data, status in attempts:
        res = pages.post(users[role], url, data, status=status)
        assert res.status_code == status
        assert _snapshot(session, entry_id) == before, (role, url)
    # The board may not move a judged edition on, nor an approver off the board approve.
    v = str(session.get(Entry, entry_id).edition.version)
    res = pages.post(
        users["approver"], f"/contests/{eid}/actions/propose_results",
        {"propose_results-version": v}, status=403,
    )  # fmt: skip
    assert _snapshot(session, entry_id) == before
    # Without the CSRF token nothing is done, even by the judge on their own entry.
    pages.post(users["judge"], f"/contests/entries/{entry_id}/score", score, status=400, csrf=False)
    assert _snapshot(session, entry_id) == before
    # A stale version: the judge's scores are not saved.
    stale = {**score, "version": str(int(version) - 1)}
    res = pages.post(users["judge"], f"/contests/entries/{entry_id}/score", stale)
    assert _snapshot(session, entry_id) == before
    page = pages.get(users["judge"], res.headers["Location"]).text
    assert "Someone else acted here meanwhile" in page


def test_a_judge_sees_only_their_own_scores_until_the_scoring_closes(app, session, world):
    pages = Pages(app)
    first, second = world["judges"][0], world["judges"][1]
    html = pages.get(second, f"/contests/entries/{world['entry']}").text
    assert first.person.full_name not in html and "Your scores" in html
    own = pages.get(first, f"/contests/entries/{world['entry']}").text
    assert first.person.full_name in own
    # The public and the author never see the scores.
    author_page = pages.get(world["users"]["author"], f"/contests/entries/{world['entry']}").text
    assert 'id="scores"' not in author_page and first.person.full_name not in author_page
