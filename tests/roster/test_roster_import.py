"""Importing rosters: creating, merging, uncertain matches, idempotence, all or nothing."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from roster_helpers import HEADER, count_people, members_of
from sqlalchemy import func, select

from expertnet.audit.models import AuditEntry
from expertnet.directory.models import Membership, Person
from expertnet.roster.importer import RosterImport

ROWS = [
    HEADER,
    [
        "PGS.TS. Nguyễn Văn An",
        "An.Nguyen@Example.org",
        "0912 345 678",
        "Nam",
        "1970",
        "",
        "",
        "Đại học Hàng hải Việt Nam",
        "Trưởng khoa",
        "ENG-IT; Kỹ thuật xây dựng",
        "học máy; trí tuệ nhân tạo",
    ],
    ["Trần Thị Bình", "", "+84 225 3812 345", "Nữ", "", "", "Thạc sĩ", "", "", "", ""],
    ["Lê Văn Cường", "cuong@example.org", "", "", "1985", "GS", "TSKH", "", "", "", ""],
]


def test_rows_create_people_with_membership_and_normalised_values(
    session, org, write_csv, run_import
):
    result = run_import(write_csv(ROWS), org)
    assert (result.created, result.updated, result.merged, result.rejected) == (3, 0, 0, 0)
    people = {p.full_name: p for p in members_of(session, org)}
    an = people["Nguyễn Văn An"]
    assert (an.academic_title, an.degree) == ("PGS", "TS")
    assert an.email == "an.nguyen@example.org"
    assert an.phone == "0912345678"
    assert an.gender == "male" and an.birth_year == 1970
    assert an.employer_name == "Đại học Hàng hải Việt Nam"
    assert sorted(f.code for f in an.fields) == ["ENG-CON", "ENG-IT"]
    assert an.expertise == ["học máy", "trí tuệ nhân tạo"]
    assert people["Trần Thị Bình"].phone == "02253812345"
    assert people["Trần Thị Bình"].degree == "ThS"
    assert (people["Lê Văn Cường"].academic_title, people["Lê Văn Cường"].degree) == (
        "GS",
        "TSKH",
    )


def test_employer_that_is_a_known_organisation_is_linked(
    session, org, make_org, write_csv, run_import
):
    uni = make_org(kind="university", name="Trường Đại học Hải Phòng")
    run_import(
        write_csv([["Họ và tên", "Cơ quan"], ["Phạm Văn Dũng", "truong dai hoc hai phong"]]), org
    )
    person = session.scalar(select(Person).where(Person.full_name == "Phạm Văn Dũng"))
    assert person.employer_id == uni.id and person.employer_name is None


def test_importing_the_same_file_again_changes_nothing(session, org, write_csv, run_import):
    path = write_csv(ROWS)
    run_import(path, org)
    before = (count_people(session), session.scalar(select(func.count(AuditEntry.id))))
    again = run_import(path, org)
    assert (again.created, again.updated, again.merged, again.rejected) == (0, 0, 0, 0)
    assert again.unchanged == 3
    after = (count_people(session), session.scalar(select(func.count(AuditEntry.id))))
    assert after == before


def test_same_email_in_another_organisation_is_a_pending_link_not_a_merge(
    session, org, make_org, make_person, write_csv, run_import
):
    from expertnet.roster.models import PendingLink

    other = make_org(name="Hội Y học")
    existing = make_person(
        full_name="Nguyễn Văn An", email="an.nguyen@example.org", organizations=[other]
    )
    result = run_import(write_csv(ROWS[:2]), org)
    assert (result.created, result.merged, result.updated) == (0, 0, 0)
    assert [p.row for p in result.pending] == [2]
    session.refresh(existing)
    # Neither merged nor duplicated: the person stays as they were, off this roster.
    assert existing.organization_ids() == {other.id}
    assert existing.phone is None and existing.version == 1
    assert count_people(session) == 1
    (link,) = session.query(PendingLink).all()
    assert (link.person_id, link.organization_id, link.state) == (existing.id, org.id, "pending")
    assert link.row_values["email"] == "an.nguyen@example.org"


def test_same_email_on_the_roster_is_merged_not_duplicated(
    session, org, make_person, write_csv, run_import
):
    existing = make_person(
        full_name="Nguyễn Văn An", email="an.nguyen@example.org", organizations=[org]
    )
    result = run_import(write_csv(ROWS[:2]), org)
    assert (result.created, result.updated, result.merged) == (0, 1, 0)
    session.refresh(existing)
    # Blanks are filled, nothing is overwritten.
    assert existing.phone == "0912345678" and existing.birth_year == 1970
    assert existing.version == 2


def test_merge_never_overwrites_existing_values(session, org, make_person, write_csv, run_import):
    person = make_person(
        full_name="Nguyễn Văn An",
        email="an.nguyen@example.org",
        degree="ThS",
        position="Giảng viên",
        organizations=[org],
    )
    result = run_import(write_csv(ROWS[:2]), org)
    assert (result.updated, result.merged, result.created) == (1, 0, 0)
    session.refresh(person)
    assert person.degree == "ThS" and person.position == "Giảng viên"
    assert person.academic_title == "PGS"  # was blank


def test_same_phone_in_any_format_is_the_same_person(
    session, org, make_person, write_csv, run_import
):
    person = make_person(full_name="Trần Thị Bình", phone="+84 912-345-678", organizations=[org])
    rows = [["full_name", "phone", "birth_year"], ["Tran Thi Binh", "0912345678", "1980"]]
    result = run_import(write_csv(rows), org)
    assert result.updated == 1 and result.created == 0
    session.refresh(person)
    assert person.birth_year == 1980 and org.id in person.organization_ids()


def test_same_name_birth_year_and_employer_is_merged(
    session, org, make_person, write_csv, run_import
):
    person = make_person(
        full_name="Vũ Văn Hải", birth_year=1975, employer_name="Cảng Hải Phòng", organizations=[org]
    )
    rows = [
        ["full_name", "birth_year", "employer", "email"],
        ["Vũ Văn Hải", "1975", "CẢNG HẢI PHÒNG", "hai@example.org"],
    ]
    result = run_import(write_csv(rows), org)
    assert result.updated == 1 and count_people(session) == 1
    session.refresh(person)
    assert person.email == "hai@example.org"


@pytest.mark.parametrize(
    "existing, row",
    [
        # Same name and birth year, another employer.
        (
            {"birth_year": 1975, "employer_name": "Cảng Hải Phòng"},
            ["Vũ Văn Hải", "1975", "Sở Xây dựng", ""],
        ),
        # Same name, no birth year in the file.
        ({"birth_year": 1975}, ["Vũ Văn Hải", "", "", ""]),
        # Same name, no birth year in the directory.
        ({}, ["Vũ Văn Hải", "1975", "", ""]),
        # Same e-mail, another name.
        ({"email": "hai@example.org"}, ["Vũ Thị Hà", "", "", "hai@example.org"]),
    ],
)
def test_uncertain_matches_are_listed_and_not_merged(
    session, org, make_person, write_csv, run_import, existing, row
):
    # A former member: on this roster's record, but their membership has ended.
    person = make_person(full_name="Vũ Văn Hải", organizations=[org], **existing)
    person.memberships[0].ended_on = date(2020, 1, 1)
    session.flush()
    rows = [["full_name", "birth_year", "employer", "email"], row]
    result = run_import(write_csv(rows), org)
    assert (result.created, result.merged, result.updated) == (0, 0, 0)
    assert [u.row for u in result.uncertain] == [2]
    assert [c["id"] for c in result.uncertain[0].candidates] == [person.id]
    assert count_people(session) == 1
    session.refresh(person)
    assert person.version == 1 and person.memberships[0].ended_on == date(2020, 1, 1)
    with result.report_path.open(encoding="utf-8-sig") as fh:
        report = list(csv.reader(fh))
    assert report[1][0] == "2" and report[1][1] == "to confirm"
    assert f"#{person.id}" in report[1][3]


def test_different_birth_years_are_different_people(
    session, org, make_person, write_csv, run_import
):
    make_person(full_name="Vũ Văn Hải", birth_year=1975)
    result = run_import(write_csv([["full_name", "birth_year"], ["Vũ Văn Hải", "1990"]]), org)
    assert result.created == 1 and not result.uncertain


def test_uncertain_row_confirmed_as_same_person_is_merged(
    session, org, make_person, write_csv, run_import
):
    person = make_person(full_name="Vũ Văn Hải", birth_year=1975, organizations=[org])
    path = write_csv([["full_name", "birth_year", "phone"], ["Vũ Văn Hải", "", "0987654321"]])
    result = run_import(path, org, decisions={2: f"p{person.id}"})
    assert result.updated == 1 and not result.uncertain
    session.refresh(person)
    assert person.phone == "0987654321" and org.id in person.organization_ids()


def test_uncertain_row_confirmed_as_different_person_is_created(
    session, org, make_person, write_csv, run_import
):
    make_person(full_name="Vũ Văn Hải", birth_year=1975)
    path = write_csv([["full_name", "birth_year"], ["Vũ Văn Hải", ""]])
    result = run_import(path, org, decisions={2: "new"})
    assert result.created == 1 and count_people(session) == 2


def test_duplicate_rows_in_one_file_become_one_person(session, org, write_csv, run_import):
    rows = [
        ["full_name", "email", "phone", "degree"],
        ["Đỗ Minh Tâm", "tam@example.org", "", ""],
        ["Đỗ Minh Tâm", "TAM@example.org", "0901234567", "TS"],
    ]
    result = run_import(write_csv(rows), org)
    assert (result.created, result.merged) == (1, 1)
    (person,) = members_of(session, org)
    assert (person.phone, person.degree) == ("0901234567", "TS")


def test_invalid_rows_are_rejected_with_reasons_and_the_rest_imported(
    session, org, write_csv, run_import
):
    rows = [
        HEADER,
        ["", "x@example.org", "", "", "", "", "", "", "", "", ""],
        ["Ngô Văn E", "not-an-email", "12345", "", "1850", "", "", "", "", "", ""],
        ["Ngô Văn F", "", "", "", "", "", "Tiến sĩ giấy", "", "", "XYZ", ""],
        ["Ngô Văn G", "g@example.org", "", "", "", "", "", "", "", "", ""],
    ]
    result = run_import(write_csv(rows), org)
    assert result.created == 1 and result.rejected == 3
    reasons = {r.row: " ".join(r.reasons) for r in result.rejections}
    assert "name is missing" in reasons[2]
    assert "e-mail" in reasons[3] and "phone" in reasons[3] and "1850" in reasons[3]
    assert "Tiến sĩ giấy" in reasons[4] and "XYZ" in reasons[4]
    with result.report_path.open(encoding="utf-8-sig") as fh:
        report = list(csv.reader(fh))
    assert [line[0] for line in report[1:]] == ["2", "3", "4"]
    assert report[0][4:] == HEADER


def test_dry_run_writes_nothing_but_reports_the_same_counts(session, org, write_csv, run_import):
    path = write_csv(ROWS)
    audit_before = session.scalar(select(func.count(AuditEntry.id)))
    dry = run_import(path, org, dry_run=True)
    assert dry.created == 3 and count_people(session) == 0
    assert session.scalar(select(func.count(AuditEntry.id))) == audit_before
    real = run_import(path, org)
    assert real.summary() | {"report": None, "dry_run": None} == dry.summary() | {
        "report": None,
        "dry_run": None,
    }


def test_import_is_audited_person_by_person(session, org, write_csv, run_import):
    run_import(write_csv(ROWS), org)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "person")).all()
    assert len(entries) == 3 and {e.action for e in entries} == {"create"}
    an = next(e for e in entries if e.changes["full_name"][1] == "Nguyễn Văn An")
    assert an.changes["email"] == [None, "an.nguyen@example.org"]
    assert sorted(an.changes["fields"][1]) == ["ENG-CON", "ENG-IT"]
    memberships = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "membership")
    ).all()
    assert len(memberships) == 3


def test_an_error_while_writing_leaves_nothing_behind(
    session, org, write_csv, monkeypatch, tmp_path
):
    """All or nothing: the caller rolls back, and the rows already written go with it."""
    original = RosterImport._write

    def fail_halfway(self, matcher, progress):
        original(self, matcher, progress)
        raise RuntimeError("disk full")

    monkeypatch.setattr(RosterImport, "_write", fail_halfway)
    job = RosterImport(session, org, write_csv(ROWS), report_dir=tmp_path)
    nested = session.begin_nested()
    with pytest.raises(RuntimeError):
        job.run()
    nested.rollback()
    assert count_people(session) == 0
    assert session.scalar(select(func.count(Membership.id))) == 0


def test_namesakes_are_held_back_and_a_second_import_changes_nothing(
    session, org, write_csv, run_import
):
    rows = [
        ["full_name", "email", "birth_year", "degree"],
        ["Nguyễn Thị Hương", "huong1@example.org", "1956", ""],
        ["Nguyễn Thị Hương", "", "1956", "TS"],
        ["Nguyễn Thị Hương", "huong2@example.org", "1956", "ThS"],
        ["Nguyễn Thị Hương", "", "", ""],
    ]
    path = write_csv(rows)
    first = run_import(path, org)
    assert first.created == 1 and [u.row for u in first.uncertain] == [3, 4, 5]
    second = run_import(path, org)
    assert (second.created, second.updated, second.merged) == (0, 0, 0)
    assert second.unchanged == 2 and [u.row for u in second.uncertain] == [3, 4]
    assert count_people(session) == 1
