"""Results: totals and judge severity, ranking per field, awards by threshold and quota, the
board's edits with reasons, four eyes, publication."""

from __future__ import annotations

from decimal import Decimal

import pytest
from contest_data import edition_data

from expertnet.contest import judging, results
from expertnet.contest import operations as ops
from expertnet.contest.models import Entry, EntryAuthor
from expertnet.core.errors import ApiError, ValidationFailed


@pytest.fixture
def judged(session, contest, make_person, make_user):
    """Four entries in ENG-MEC scored by the same three judges; judge C is 6 points harsher."""
    edition = ops.create_edition(
        contest.secretariat,
        edition_data(
            award_levels=[
                {"name": "Giải Nhất", "min_total": "85", "quota": 1},
                {"name": "Giải Nhì", "min_total": "75", "quota": 1},
                {"name": "Giải Khuyến khích", "min_total": "60"},
            ]
        ),
    )
    judges = []
    for name in ["Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam"]:
        person = make_person(full_name=name, fields=["ENG-MEC"])
        judges.append(make_user("expert", person=person)[0])
    ops.set_members(
        edition,
        contest.secretariat,
        {
            "board": [u.id for u in contest.board],
            "jury": [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in judges],
        },
    )
    field_id = next(f.id for f in edition.fields if f.code == "ENG-MEC")
    for n in range(4):
        session.add(
            Entry(
                edition=edition, number=n + 1, title=f"Giải pháp {n + 1}", field_id=field_id,
                state="eligible", version=1, filed_by_id=contest.secretariat.id,
                applying_organization_name="Công ty Cảng Hải Phòng",
                authors=[EntryAuthor(position=1, full_name=f"Tác giả {n + 1}", share=100)],
            )
        )  # fmt: skip
    edition.state = "closed"
    session.flush()
    judging.apply_plan(edition, contest.secretariat)
    ops.perform_edition_action(edition, "start_judging", contest.secretariat)
    # Judge totals per entry (A, B, C): 90/90/84, 80/80/74, 86/86/80, 50/50/44.
    wanted = [(90, 90, 84), (80, 80, 74), (86, 86, 80), (50, 50, 44)]
    for entry, totals in zip(edition.entries, wanted, strict=True):
        for judge, total in zip(judges, totals, strict=True):
            c1, c2 = 40 if total >= 70 else 30, 30 if total >= 70 else 10
            criteria = {
                str(c.id): p
                for c, p in zip(edition.criteria, (c1, c2, total - c1 - c2), strict=True)
            }
            judging.save_score(entry, judge, criteria, "Nhận xét")
    assert all(e.state == "scored" for e in edition.entries)
    return edition, judges


def test_totals_severity_and_ranking(session, contest, judged):
    edition, _judges = judged
    rows = {r["entry"].number: r for r in results.compute(edition)}
    assert rows[1]["mean"] == Decimal("88.00")
    # C is 6 below the others on every entry: severity −4 for C, +2 for A and B; adjusted = mean.
    assert rows[1]["adjusted"] == Decimal("88.00")
    assert [rows[n]["rank"] for n in (1, 3, 2, 4)] == [1, 2, 3, 4]


def test_awards_follow_thresholds_and_quotas_per_field(session, contest, judged):
    edition, _judges = judged
    ops.perform_edition_action(edition, "propose_results", contest.secretariat)
    lines = {line.entry.number: line for line in results.lines_of(edition)}
    # 88 -> Nhất; 84 reaches Nhì (Nhất's quota is used); 78 -> Nhì's quota used -> Khuyến khích.
    assert lines[1].award_level.name == "Giải Nhất"
    assert lines[3].award_level.name == "Giải Nhì"
    assert lines[2].award_level.name == "Giải Khuyến khích"
    assert lines[4].award_level is None  # 48 is under every threshold


def test_board_edits_with_a_reason_and_another_member_approves(session, contest, judged):
    edition, _judges = judged
    ops.perform_edition_action(edition, "propose_results", contest.secretariat)
    first, second = contest.board
    entry4 = next(e for e in edition.entries if e.number == 4)
    kk = edition.award_levels[-1]
    with pytest.raises(ValidationFailed) as info:
        results.edit_award(edition, first, entry4.id, kk.id, "  ")
    assert "reason" in info.value.fields
    with pytest.raises(ApiError):
        results.edit_award(edition, contest.secretariat, entry4.id, kk.id, "Không phải BTC")
    results.edit_award(edition, first, entry4.id, kk.id, "Giải pháp có ý nghĩa xã hội lớn.")
    with pytest.raises(ApiError) as info:
        ops.perform_edition_action(edition, "approve_results", first)
    assert info.value.code == "four_eyes"
    assert edition.state == "results_proposed"
    ops.perform_edition_action(edition, "approve_results", second)
    assert edition.results_approved_by_id == second.id
    with pytest.raises(ApiError):
        results.edit_award(edition, second, entry4.id, None, "Quá muộn")
    ops.perform_edition_action(edition, "publish", contest.secretariat)
    public = results.results_json(edition, None)
    assert [r["award"] for r in public["results"]][-1] == "Giải Khuyến khích"
    assert "edit_reason" not in public["results"][0]


def test_sending_back_clears_the_proposal_and_reopens_judging(session, contest, judged):
    edition, _judges = judged
    ops.perform_edition_action(edition, "propose_results", contest.secretariat)
    ops.perform_edition_action(
        edition, "send_back", contest.board[0], {"comment": "Đề nghị xem lại lĩnh vực cơ khí."}
    )
    assert edition.state == "judging" and results.lines_of(edition) == []
    assert not results.can_view_results(edition, contest.outsider)
