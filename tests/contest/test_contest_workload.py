"""One workload cap for both workflows: open panels plus contest juries (one per edition)."""

from __future__ import annotations

import pytest
from contest_data import edition_data, entry_data
from sqlalchemy import func, select

from expertnet.consultation import operations as consultation
from expertnet.consultation.models import Invitation, Request
from expertnet.contest import judging
from expertnet.contest import operations as ops
from expertnet.contest.models import Entry, EntryAuthor, JudgeAssignment
from expertnet.core.errors import ApiError, ValidationFailed
from expertnet.panel.cache import get_graph


def _edition(session, contest, jurors, number):
    edition = ops.create_edition(contest.secretariat, edition_data(number=number))
    ops.set_members(
        edition,
        contest.secretariat,
        {"jury": [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in jurors]},
    )
    ops.perform_edition_action(edition, "announce", contest.secretariat)
    ops.perform_edition_action(edition, "open_entries", contest.secretariat)
    entry = ops.create_entry(edition, contest.author, entry_data())
    ops.perform_edition_action(edition, "close_entries", contest.secretariat)
    ops.perform_entry_action(entry, "mark_eligible", contest.secretariat)
    return edition, entry


@pytest.fixture
def jurors(make_person, make_user):
    people = [
        make_person(full_name=f"Giám khảo {i}", fields=["ENG-MEC"], max_assignments=1)
        for i in range(4)
    ]
    return [make_user("expert", person=p)[0] for p in people]


def _invitation(session, contest, person) -> Invitation:
    req = Request(
        kind="critique", title="Dự thảo quy hoạch cảng biển", filed_by_id=contest.secretariat.id,
        coordinator_id=contest.secretariat.id, state="panel_forming", version=1,
    )  # fmt: skip
    session.add(req)
    session.flush()
    inv = Invitation(
        request_id=req.id, person_id=person.id, role="member", state="invited",
        invited_by_id=contest.secretariat.id,
    )  # fmt: skip
    session.add(inv)
    session.flush()
    return inv


def test_a_jury_counts_once_per_edition_toward_the_panel_cap(session, contest, jurors):
    edition, entry = _edition(session, contest, jurors[:3], 5)
    judging.apply_plan(edition, contest.secretariat)
    judge = jurors[0]
    loads = consultation.workload([u.person_id for u in jurors])
    assert [loads[u.person_id] for u in jurors] == [1, 1, 1, 0]
    assert get_graph().load.get(judge.person_id) == 1
    # At the cap (1): the expert cannot accept a panel seat while judging.
    inv = _invitation(session, contest, judge.person)
    with pytest.raises(ApiError) as info:
        consultation.accept_invitation(inv, judge, {"has_conflict": False})
    assert info.value.code == "workload_cap"
    assert inv.state == "invited"
    # Once their entries are scored the jury stops counting, and the seat can be taken.
    ops.perform_edition_action(edition, "start_judging", contest.secretariat)
    ids = [str(c.id) for c in edition.criteria]
    for u in jurors[:3]:
        judging.save_score(entry, u, dict(zip(ids, (30, 20, 20), strict=True)), "")
    assert entry.state == "scored"
    assert consultation.workload([judge.person_id])[judge.person_id] == 0
    assert get_graph().load.get(judge.person_id, 0) == 0
    consultation.accept_invitation(inv, judge, {"has_conflict": False})
    assert inv.state == "accepted"


def test_an_expert_at_the_cap_gets_no_entries_of_a_new_edition(session, contest, jurors):
    busy = jurors[0]
    inv = _invitation(session, contest, busy.person)
    consultation.accept_invitation(inv, busy, {"has_conflict": False})  # 1 open panel = cap
    edition, entry = _edition(session, contest, jurors, 6)
    judging.apply_plan(edition, contest.secretariat)
    seated = {j.person_id for j in entry.active_judges}
    assert busy.person_id not in seated and len(seated) == 3
    # By hand too: refused, nothing written.
    before = session.scalar(select(func.count(JudgeAssignment.id)))
    free = next(j for j in entry.active_judges)
    with pytest.raises(ValidationFailed) as info:
        judging.assign_judge(entry, contest.secretariat, busy.person_id, replacing=free.person_id)
    assert "expert_id" in info.value.fields
    assert session.scalar(select(func.count(JudgeAssignment.id))) == before
    assert free.state == "active"


def test_more_entries_of_an_edition_already_judged_add_nothing(session, contest, jurors):
    edition, first = _edition(session, contest, jurors[:3], 7)
    judging.apply_plan(edition, contest.secretariat)
    # A second eligible entry of the same edition: the same three (at cap 1) take it.
    extra = Entry(
        edition=edition, number=2, title="Giải pháp thứ hai", field_id=first.field_id,
        state="eligible", version=1, filed_by_id=contest.secretariat.id,
        authors=[EntryAuthor(position=1, full_name="Tác giả B", share=100)],
    )  # fmt: skip
    session.add(extra)
    session.flush()
    judging.apply_plan(edition, contest.secretariat)
    assert {j.person_id for j in extra.active_judges} == {u.person_id for u in jurors[:3]}
    loads = consultation.workload([u.person_id for u in jurors[:3]])
    assert set(loads.values()) == {1}
