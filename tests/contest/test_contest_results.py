"""Results: totals and judge severity, ranking per field, awards by threshold and quota, the
board's edits with reasons, four eyes, publication."""

from __future__ import annotations

from decimal import Decimal

import pytest

from expertnet.contest import operations as ops
from expertnet.contest import results
from expertnet.core.errors import ApiError, ValidationFailed


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
