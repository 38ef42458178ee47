"""Judging: conflicts with authors (with the path), the batch plan, scores, flags and re-scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from contest_data import edition_data, entry_data

from expertnet.contest import judging
from expertnet.contest import operations as ops
from expertnet.contest.models import JudgeAssignment, Score
from expertnet.core.errors import ApiError, ValidationFailed
from expertnet.panel.models import PersonRelationship


@pytest.fixture
def jury(session, contest, make_org, make_person, make_user):
    """An edition with an ENG-MEC sub-jury of five, one employed by the author's company and
    one related to an author; an eligible entry; entries closed."""
    company = make_org(kind="enterprise", name="Công ty CP Cơ khí Hải Phòng")
    author_person = make_person(full_name="Trần Văn Bình")
    jurors = []
    for _i, name in enumerate(
        ["Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam", "Đỗ Thu Hà", "Ngô Quang Huy"]
    ):
        person = make_person(
            full_name=name, fields=["ENG-MEC"], expertise=["cơ khí chế tạo", "CNC"]
        )
        user, _ = make_user("expert", person=person)
        jurors.append(user)
    jurors[3].person.employer_id = company.id  # same employer as the first author
    session.add(
        PersonRelationship(
            person_a_id=jurors[4].person_id, person_b_id=author_person.id, kind="family"
        )
    )
    session.flush()
    edition = ops.create_edition(contest.secretariat, edition_data(max_spread="15"))
    ops.set_members(
        edition,
        contest.secretariat,
        {
            "board": [u.id for u in contest.board],
            "jury": [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in jurors],
        },
    )
    ops.perform_edition_action(edition, "announce", contest.secretariat)
    ops.perform_edition_action(edition, "open_entries", contest.secretariat)
    data = entry_data()
    data["authors"][0].update(employer_organization_id=company.id, expert_id=author_person.id)
    entry = ops.create_entry(edition, contest.author, data)
    ops.perform_edition_action(edition, "close_entries", contest.secretariat)
    ops.perform_entry_action(entry, "mark_eligible", contest.secretariat)
    return edition, entry, jurors


def test_the_plan_seats_three_judges_and_skips_those_in_conflict_with_the_authors(
    session, contest, jury
):
    edition, entry, jurors = jury
    judging.apply_plan(edition, contest.secretariat)
    seated = {j.person_id for j in entry.active_judges}
    assert seated == {u.person_id for u in jurors[:3]}
    conflicts = judging.conflicts_of(entry, [jurors[3].person_id, jurors[4].person_id])
    employer = conflicts[jurors[3].person_id][0]
    assert employer.rule == "same_employer"
    assert [s["type"] for s in employer.path_json()] == ["person", "organization", "author"]
    assert employer.path_json()[1]["label"] == "Công ty CP Cơ khí Hải Phòng"
    relative = conflicts[jurors[4].person_id][0]
    assert relative.rule == "related_to_author"
    assert relative.path_json()[-1]["label"] == "Trần Văn Bình"


def test_seating_a_juror_in_conflict_by_hand_is_refused_with_the_path(session, contest, jury):
    _edition, entry, jurors = jury
    with pytest.raises(ApiError) as info:
        judging.assign_judge(entry, contest.secretariat, jurors[3].person_id)
    assert info.value.code == "conflict_of_interest"
    assert info.value.extra["path"][1]["type"] == "organization"
    assert entry.judges == []


def test_the_workload_cap_holds_by_hand_and_in_the_plan(session, contest, jury):
    from expertnet.contest.models import Entry

    edition, entry, jurors = jury
    edition.judge_cap = 1
    second = Entry(
        edition=edition, number=2, title="Máy ép viên sinh khối", field_id=entry.field_id,
        state="eligible", version=1, filed_by_id=contest.secretariat.id,
    )  # fmt: skip
    session.add(second)
    session.flush()
    judging.assign_judge(entry, contest.secretariat, jurors[0].person_id)
    with pytest.raises(ValidationFailed) as info:
        judging.assign_judge(second, contest.secretariat, jurors[0].person_id)
    assert "expert_id" in info.value.fields
    judging.apply_plan(edition, contest.secretariat)
    load = {}
    for e in edition.entries:
        for j in e.active_judges:
            load[j.person_id] = load.get(j.person_id, 0) + 1
    assert max(load.values()) == 1


def _score(entry, user, *points, comment="Giải pháp có tính mới."):
    criteria = entry.edition.criteria
    return judging.save_score(
        entry, user, {str(c.id): p for c, p in zip(criteria, points, strict=True)}, comment
    )


def _start(edition, entry, contest):
    judging.apply_plan(edition, contest.secretariat)
    ops.perform_edition_action(edition, "start_judging", contest.secretariat)
    assert entry.state == "scoring"


def test_judges_score_see_only_their_own_and_disagreement_flags_the_entry(session, contest, jury):
    edition, entry, jurors = jury
    _start(edition, entry, contest)
    a, b, c = jurors[:3]
    _score(entry, a, 30, 20, 20)
    _score(entry, b, 35, 25, 25)
    assert {s.judge.person_id for s in judging.visible_scores(entry, a)} == {a.person_id}
    assert judging.visible_scores(entry, contest.author) == []
    assert entry.state == "scoring"
    _score(entry, c, 38, 28, 26)  # totals 70, 85, 92: spread 22 > 15
    assert entry.state == "flagged"
    assert len({s.judge.person_id for s in judging.visible_scores(entry, a)}) == 3
    judging.request_rescore(entry, contest.secretariat, "Tiểu ban đề nghị chấm lại tiêu chí 1.")
    assert entry.state == "scoring" and entry.score_round == 2
    _score(entry, a, 36, 25, 24)
    _score(entry, b, 36, 25, 25)
    _score(entry, c, 38, 26, 26)
    assert entry.state == "scored"
    rounds = sorted({s.round for s in session.query(Score).all()})
    assert rounds == [1, 2]  # the first round is kept
    history = [h.action for h in ops.history_of(edition, entry)]
    assert history[-4:] == ["open_scoring", "flag", "request_rescore", "complete_scoring"]


def test_out_of_range_and_missing_points_are_named(session, contest, jury):
    edition, entry, jurors = jury
    _start(edition, entry, contest)
    first = edition.criteria[0]
    with pytest.raises(ValidationFailed) as info:
        judging.save_score(entry, jurors[0], {str(first.id): 41}, "")
    assert f"scores.{first.id}" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        judging.save_score(entry, jurors[0], {str(first.id): 30}, "")
    assert "scores" in info.value.fields
    assert session.query(Score).count() == 0


def test_someone_who_is_not_a_judge_cannot_score(session, contest, jury):
    edition, entry, jurors = jury
    _start(edition, entry, contest)
    with pytest.raises(ApiError) as info:
        _score(entry, jurors[3], 30, 20, 20)
    assert info.value.status == 403


def test_scores_cannot_change_after_results_are_approved(session, contest, jury):
    edition, entry, jurors = jury
    _start(edition, entry, contest)
    for judge in jurors[:3]:
        _score(entry, judge, 30, 20, 20)
    assert entry.state == "scored"
    ops.perform_edition_action(edition, "propose_results", contest.secretariat)
    ops.perform_edition_action(edition, "approve_results", contest.board[0])
    before = [(s.id, s.points) for s in session.query(Score).order_by(Score.id)]
    with pytest.raises(ApiError) as info:
        _score(entry, jurors[0], 40, 30, 30)
    assert info.value.code == "scoring_closed"
    with pytest.raises(ApiError):
        ops.perform_entry_action(entry, "reopen_scoring", contest.secretariat, {"comment": "x"})
    assert [(s.id, s.points) for s in session.query(Score).order_by(Score.id)] == before
    assert all(p == Decimal(30) or p == Decimal(20) for _i, p in before)


def test_a_declared_conflict_frees_the_seat_and_the_plan_fills_it(session, contest, jury):
    edition, entry, jurors = jury
    judging.apply_plan(edition, contest.secretariat)
    judging.declare_conflict(entry, jurors[0], "Tôi từng tư vấn cho doanh nghiệp này.")
    assert len(entry.active_judges) == 2
    created = judging.apply_plan(edition, contest.secretariat)
    # Jurors 4 and 5 are in conflict, juror 1 declared one: nobody is left to seat.
    assert created == []
    assert jurors[0].person_id in judging.conflicts_of(entry, [jurors[0].person_id])
    seat = session.query(JudgeAssignment).filter_by(person_id=jurors[0].person_id).one()
    assert seat.state == "conflicted"
