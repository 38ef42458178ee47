"""Editions and entries: set-up, filing, screening, the edition's calendar, the audit trail."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from contest_data import edition_data, entry_data
from marshmallow import ValidationError
from sqlalchemy import func, select

from expertnet.audit.models import AuditEntry
from expertnet.contest import operations as ops
from expertnet.contest.models import ContestDocument, ContestHistory, Edition, Entry
from expertnet.core.errors import ApiError, ValidationFailed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_new_edition_has_the_default_criteria_summing_to_100_and_four_award_levels(
    session, contest
):
    edition = ops.create_edition(contest.secretariat, edition_data())
    assert edition.state == "draft"
    assert [c.max_points for c in edition.criteria] == [40, 30, 30]
    assert sum(c.max_points for c in edition.criteria) == 100
    assert [lv.rank for lv in edition.award_levels] == [1, 2, 3, 4]
    assert [lv.quota for lv in edition.award_levels] == [1, 2, 3, None]
    assert [f.code for f in edition.fields] == sorted(["ENG-MEC", "ENG-IT", "ENG-ENE"])


def test_youth_edition_is_the_same_model_with_its_own_criteria_and_awards(session, contest):
    data = edition_data(
        name="Cuộc thi Sáng tạo Thanh thiếu niên Nhi đồng",
        number=19,
        youth=True,
        criteria=[
            {"name": "Tính mới, tính sáng tạo", "max_points": 50},
            {"name": "Khả năng ứng dụng", "max_points": 50},
        ],
        award_levels=[
            {"name": "Giải Nhất", "min_total": "80"},
            {"name": "Giải Khuyến khích", "min_total": "50"},
        ],
    )
    edition = ops.create_edition(contest.secretariat, data)
    assert edition.youth
    assert [c.max_points for c in edition.criteria] == [50, 50]
    assert [lv.min_total for lv in edition.award_levels] == [Decimal(80), Decimal(50)]
    ops.perform_edition_action(edition, "announce", contest.secretariat)
    assert edition.state == "announced"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"criteria": [{"name": "Tính mới", "max_points": 60}]}, "criteria"),
        (
            {"award_levels": [{"name": "Nhất", "min_total": 50}, {"name": "Nhì", "min_total": 70}]},
            "award_levels",
        ),
        ({"entries_open_on": "2026-10-01"}, "entries_close_on"),
        ({"fields": []}, "fields"),
    ],
)
def test_an_inconsistent_edition_is_refused_naming_the_field(override, field):
    with pytest.raises(ValidationError) as info:
        edition_data(**override)
    assert field in info.value.messages


def test_only_the_secretariat_creates_editions_and_a_refusal_writes_nothing(session, contest):
    before = _count(session, Edition)
    for user in (contest.board[0], contest.author, contest.outsider):
        with pytest.raises(ApiError) as info:
            ops.create_edition(user, edition_data())
        assert info.value.status == 403
    assert _count(session, Edition) == before


def test_unknown_field_codes_are_named(session, contest):
    with pytest.raises(ValidationFailed) as info:
        ops.create_edition(contest.secretariat, edition_data(fields=["ENG-MEC", "NOPE"]))
    assert "NOPE" in str(info.value.fields["fields"])


def test_edition_changes_are_audited_with_the_actor(session, contest):
    from expertnet.audit.recorder import acting_as

    with acting_as(contest.secretariat.id):
        edition = ops.create_edition(contest.secretariat, edition_data())
        ops.update_edition(edition, contest.secretariat, {"organisers": "LHH Hải Phòng"})
        session.flush()
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "contest_edition", AuditEntry.entity_id == edition.id
        )
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["organisers"][1] == "LHH Hải Phòng"
    assert all(e.actor_user_id == contest.secretariat.id for e in entries)
    criteria_audited = session.scalar(
        select(func.count()).where(AuditEntry.entity_type == "contest_criterion")
    )
    assert criteria_audited == 3


def test_criteria_are_fixed_once_entries_open(session, contest, open_edition):
    with pytest.raises(ValidationFailed) as info:
        ops.update_edition(
            open_edition, contest.secretariat, {"criteria": [{"name": "X", "max_points": 100}]}
        )
    assert "criteria" in info.value.fields
    assert [c.max_points for c in open_edition.criteria] == [40, 30, 30]


def test_board_members_must_be_approvers(session, contest, make_user):
    edition = ops.create_edition(contest.secretariat, edition_data())
    with pytest.raises(ValidationFailed) as info:
        ops.set_members(edition, contest.secretariat, {"board": [contest.outsider.id]})
    assert "board" in info.value.fields
    assert edition.members == []


def test_an_incomplete_edition_cannot_be_announced(session, contest):
    edition = ops.create_edition(contest.secretariat, edition_data())
    edition.award_levels.clear()
    session.flush()
    with pytest.raises(ApiError) as info:
        ops.perform_edition_action(edition, "announce", contest.secretariat)
    assert info.value.status == 409
    assert edition.state == "draft"
    assert ops.history_of(edition) == []


def test_an_author_files_an_entry_with_authors_who_need_not_be_members(
    session, contest, open_edition
):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    assert entry.number == 1
    assert entry.state == "submitted"
    assert [(a.full_name, a.share) for a in entry.authors] == [
        ("Trần Văn Bình", 60),
        ("Lê Thị Hoa", 40),
    ]
    # The first author's e-mail is the filer's account; the second has none.
    assert [a.user_id for a in entry.authors] == [contest.author.id, None]
    second = ops.create_entry(open_edition, contest.secretariat, entry_data("ENG-IT"))
    assert second.number == 2
    assert entry.can_view(contest.author) and not entry.can_view(contest.outsider)


def test_entry_shares_must_sum_to_100():
    with pytest.raises(ValidationError) as info:
        entry_data(authors=[{"full_name": "Trần Văn Bình", "share": 70}])
    assert "authors" in info.value.messages


def test_entry_in_a_field_outside_the_edition_is_refused(session, contest, open_edition):
    before = _count(session, Entry)
    with pytest.raises(ValidationFailed) as info:
        ops.create_entry(open_edition, contest.author, entry_data("ENG-CHE"))
    assert "field" in info.value.fields
    assert _count(session, Entry) == before


def test_entries_are_filed_and_edited_only_while_the_edition_is_open(
    session, contest, open_edition
):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    ops.update_entry(entry, contest.author, {"title": "Thiết bị cấp phôi tự động, bản sửa"})
    ops.perform_edition_action(open_edition, "close_entries", contest.secretariat)
    with pytest.raises(ApiError) as info:
        ops.update_entry(entry, contest.author, {"title": "Quá hạn"})
    assert info.value.status == 403
    assert entry.title == "Thiết bị cấp phôi tự động, bản sửa"
    with pytest.raises(ApiError):
        ops.create_entry(open_edition, contest.author, entry_data())
    assert _count(session, Entry) == 1


def test_another_user_cannot_edit_an_entry(session, contest, open_edition):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    with pytest.raises(ApiError):
        ops.update_entry(entry, contest.outsider, {"title": "Không phải của tôi"})
    assert entry.title == "Thiết bị tự động cấp phôi cho máy tiện CNC"


def test_screening_ineligible_keeps_the_reason_the_authors_read(session, contest, open_edition):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    with pytest.raises(ApiError) as info:
        ops.perform_entry_action(entry, "mark_ineligible", contest.secretariat, {})
    assert info.value.status == 422 and "comment" in info.value.fields
    assert entry.state == "submitted" and entry.screening_reason is None
    reason = "Giải pháp chưa được áp dụng thực tế (thiếu xác nhận của đơn vị áp dụng)."
    ops.perform_entry_action(entry, "mark_ineligible", contest.secretariat, {"comment": reason})
    assert entry.state == "ineligible"
    assert entry.screening_reason == reason
    ops.perform_entry_action(
        entry, "reopen_screening", contest.secretariat, {"comment": "Đã bổ sung xác nhận."}
    )
    ops.perform_entry_action(entry, "mark_eligible", contest.secretariat)
    assert entry.state == "eligible" and entry.screening_reason is None
    history = ops.history_of(open_edition, entry)
    assert [h.action for h in history] == ["mark_ineligible", "reopen_screening", "mark_eligible"]
    assert history[0].comment == reason


def test_authors_cannot_screen_their_own_entry(session, contest, open_edition):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    with pytest.raises(ApiError) as info:
        ops.perform_entry_action(entry, "mark_eligible", contest.author)
    assert info.value.status == 403
    assert entry.state == "submitted"


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, contest, open_edition):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    with pytest.raises(ApiError) as info:
        ops.perform_entry_action(entry, "mark_eligible", contest.secretariat, expected_version=9)
    assert info.value.status == 409
    assert entry.state == "submitted" and entry.version == 1


def test_judging_cannot_start_while_entries_wait_for_screening_or_judges(
    session, contest, open_edition
):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    ops.perform_edition_action(open_edition, "close_entries", contest.secretariat)
    with pytest.raises(ApiError) as info:
        ops.perform_edition_action(open_edition, "start_judging", contest.secretariat)
    assert info.value.code == "screening_pending"
    ops.perform_entry_action(entry, "mark_eligible", contest.secretariat)
    with pytest.raises(ApiError) as info:
        ops.perform_edition_action(open_edition, "start_judging", contest.secretariat)
    assert info.value.code == "judges_missing"
    assert open_edition.state == "closed"


def test_the_author_withdraws_while_entries_are_open(session, contest, open_edition):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    ops.perform_entry_action(entry, "withdraw", contest.author)
    assert entry.state == "withdrawn"
    assert (
        session.scalar(select(ContestHistory.actor_role).where(ContestHistory.entry_id == entry.id))
        == "entry_author"
    )


def test_entry_documents_use_the_upload_discipline(session, contest, open_edition):
    entry = ops.create_entry(open_edition, contest.author, entry_data())
    doc = ops.add_document(open_edition, entry, contest.author, "Thuyết minh.pdf", io.BytesIO(PDF))
    assert doc.media_type == "application/pdf" and doc.entry_id == entry.id
    again = ops.add_document(open_edition, entry, contest.author, "copy.pdf", io.BytesIO(PDF))
    assert again.id == doc.id
    with pytest.raises(ValidationFailed) as info:
        ops.add_document(open_edition, entry, contest.author, "x.pdf", io.BytesIO(b"not a pdf"))
    assert "file" in info.value.fields
    with pytest.raises(ApiError):
        ops.add_document(open_edition, entry, contest.outsider, "y.pdf", io.BytesIO(PDF))
    assert _count(session, ContestDocument) == 1
    rules = ops.add_document(open_edition, None, contest.secretariat, "The le.pdf", io.BytesIO(PDF))
    assert rules.entry_id is None and open_edition.documents == [rules]
