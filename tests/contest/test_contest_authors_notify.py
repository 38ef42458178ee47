"""Authors get accounts by e-mail link; authors, judges and the board are notified."""

from __future__ import annotations

import re

from contest_data import entry_data
from helpers import csrf_from
from sqlalchemy import func, select

from expertnet.access.models import AccessLink
from expertnet.auth.models import User
from expertnet.consultation.models import Notification, OutboxMail
from expertnet.contest import judging
from expertnet.contest import operations as ops
from expertnet.contest.authors import invite_author, link_authors

JOIN = re.compile(r"https?://\S+/join/(\S+)")


def _mail_to(session, address: str) -> list[OutboxMail]:
    return list(
        session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == address).order_by(OutboxMail.id)
        )
    )


def _notes(session, user, kind: str) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        )
    )


def test_the_public_path_mails_a_join_link_and_the_author_files_signed_in(
    app, client, session, contest, open_edition
):
    app.config["EXPERTNET_BASE_URL"] = "https://hoithi.example.vn"
    url = f"/api/v1/contests/{open_edition.id}/authors"
    res = client.post(url, json={"email": "Mai.Anh@Example.vn", "full_name": "Đặng Mai Anh"})
    assert res.status_code == 202 and res.json == {"sent": True}
    user = session.scalar(select(User).where(User.email == "mai.anh@example.vn"))
    assert (user.role, user.name, user.has_password) == ("author", "Đặng Mai Anh", False)
    (mail,) = _mail_to(session, "mai.anh@example.vn")
    assert "Hội thi Sáng tạo Kỹ thuật thành phố Hải Phòng lần thứ 5" in mail.subject
    assert "Kính gửi Ông/Bà Đặng Mai Anh" in mail.body or "Đặng Mai Anh" in mail.body
    token = JOIN.search(mail.body).group(1)
    assert JOIN.search(mail.body).group(0).startswith("https://hoithi.example.vn/join/")
    # Asking again the same day sends no second link, and answers the same.
    again = client.post(url, json={"email": "mai.anh@example.vn", "full_name": "Đặng Mai Anh"})
    assert again.status_code == 202 and again.json == {"sent": True}
    assert len(_mail_to(session, "mai.anh@example.vn")) == 1
    # The link: choose a password, signed in, taken to the contests.
    page = client.get(f"/join/{token}")
    assert page.status_code == 200
    done = client.post(
        f"/join/{token}",
        data={
            "csrf_token": csrf_from(page.text),
            "password": "mật khẩu rất dài 2026",
            "confirm": "mật khẩu rất dài 2026",
        },
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/contests/")
    session.refresh(user)
    assert user.has_password
    entry = ops.create_entry(open_edition, user, entry_data())
    session.flush()
    assert entry.can_view(user) and entry.can_edit(user)
    # The engine knows the role: the author may withdraw the entry while entries are open.
    assert ops.entry_actions_for(entry, user) == ["withdraw"]
    (note,) = _notes(session, user, "contest_entry_received")
    assert "Thiết bị tự động cấp phôi cho máy tiện CNC" in note.subject
    assert f"https://hoithi.example.vn/contests/{open_edition.id}" in note.body
    # A known address with a password: a note to sign in, no link; the same answer.
    anonymous = app.test_client()  # the signed-in client would need a CSRF token
    known = anonymous.post(url, json={"email": "mai.anh@example.vn", "full_name": "Mai Anh"})
    assert known.status_code == 202 and known.json == {"sent": True}
    last = _mail_to(session, "mai.anh@example.vn")[-1]
    assert "/join/" not in last.body


def test_refusals_write_nothing(client, session, contest, open_edition):
    url = f"/api/v1/contests/{open_edition.id}/authors"
    before = session.scalar(select(func.count(User.id)))
    assert client.post(url, json={"email": "không phải thư", "full_name": "A"}).status_code == 422
    assert client.post(url, json={"email": "a@example.vn", "full_name": " "}).status_code == 422
    ops.perform_edition_action(open_edition, "close_entries", contest.secretariat)
    session.flush()
    res = client.post(url, json={"email": "a@example.vn", "full_name": "Nguyễn An"})
    assert res.status_code == 422
    assert session.scalar(select(func.count(User.id))) == before
    assert session.scalar(select(func.count(AccessLink.id))) == 0


def test_co_authors_without_an_account_get_one_naming_the_entry(session, contest, open_edition):
    data = entry_data()
    data["authors"][1]["email"] = "hoa.le@truongcd.edu.vn"
    entry = ops.create_entry(open_edition, contest.author, data)
    session.flush()
    coauthor = session.scalar(select(User).where(User.email == "hoa.le@truongcd.edu.vn"))
    assert coauthor.role == "author" and not coauthor.has_password
    assert entry.authors[1].user_id == coauthor.id
    assert entry.authors[0].user_id == contest.author.id  # binh@example.vn had an account
    assert entry.can_view(coauthor)
    (mail,) = _mail_to(session, "hoa.le@truongcd.edu.vn")
    assert "Thiết bị tự động cấp phôi cho máy tiện CNC" in mail.body and "/join/" in mail.body
    # Filed again (an edit of the authors): no second account, no second mail.
    assert link_authors(entry, contest.author) == []
    # The filer heard the entry was received; the new co-author got the account mail only.
    assert len(_notes(session, contest.author, "contest_entry_received")) == 1


def test_screening_outcome_reaches_the_authors_with_the_reason(session, contest, open_edition):
    first = ops.create_entry(open_edition, contest.author, entry_data())
    second = ops.create_entry(open_edition, contest.author, entry_data(title="Giải pháp thứ hai"))
    ops.perform_edition_action(open_edition, "close_entries", contest.secretariat)
    ops.perform_entry_action(first, "mark_eligible", contest.secretariat)
    reason = "Giải pháp chưa được áp dụng thực tế tối thiểu 6 tháng theo Điều 5 Thể lệ."
    ops.perform_entry_action(second, "mark_ineligible", contest.secretariat, {"comment": reason})
    session.flush()
    notes = {n.subject: n for n in _notes(session, contest.author, "contest_entry_screened")}
    assert len(notes) == 2
    ineligible = next(n for s, n in notes.items() if "Giải pháp thứ hai" in s)
    assert reason in ineligible.body


def test_judges_and_the_board_are_told_each_step(session, contest, judged):
    edition, judges = judged
    # The fixture planned the seats and started judging: each judge heard both.
    for judge in judges:
        (assigned,) = _notes(session, judge, "contest_judge_assigned")
        assert all(f"“Giải pháp {n}”" in assigned.body for n in (1, 2, 3, 4))
        (opened,) = _notes(session, judge, "contest_scoring_open")
        assert "4" in opened.body
    ops.perform_edition_action(edition, "propose_results", contest.secretariat)
    session.flush()
    for member in contest.board:
        (note,) = _notes(session, member, "contest_results_proposed")
        assert f"/contests/{edition.id}/results" in note.body
    ops.perform_edition_action(edition, "approve_results", contest.board[0])
    ops.perform_edition_action(edition, "publish", contest.secretariat)
    session.flush()
    # The entries were entered by the secretariat: it hears each result as their filer.
    published = _notes(session, contest.secretariat, "contest_results_published")
    assert len(published) == 4
    assert any("Giải Nhất" in n.body for n in published)


def test_a_rescore_request_reaches_the_judges(session, contest, make_person, make_user):
    from contest_data import edition_data

    edition = ops.create_edition(contest.secretariat, edition_data(max_spread="5"))
    judges = [
        make_user("expert", person=make_person(full_name=f"GK {i}", fields=["ENG-MEC"]))[0]
        for i in range(3)
    ]
    ops.set_members(
        edition,
        contest.secretariat,
        {
            "board": [u.id for u in contest.board],
            "jury": [{"expert_id": u.person_id, "field": "ENG-MEC", "chair": i == 0}
                     for i, u in enumerate(judges)],
        },
    )  # fmt: skip
    ops.perform_edition_action(edition, "announce", contest.secretariat)
    ops.perform_edition_action(edition, "open_entries", contest.secretariat)
    entry = ops.create_entry(edition, contest.author, entry_data())
    ops.perform_edition_action(edition, "close_entries", contest.secretariat)
    ops.perform_entry_action(entry, "mark_eligible", contest.secretariat)
    judging.apply_plan(edition, contest.secretariat)
    ops.perform_edition_action(edition, "start_judging", contest.secretariat)
    ids = [c.id for c in edition.criteria]
    for judge, total in zip(judges, (90, 60, 75), strict=True):
        points = dict(zip(map(str, ids), (30, 30, total - 60), strict=True))
        judging.save_score(entry, judge, points, "")
    assert entry.state == "flagged"
    judging.request_rescore(entry, judges[0], "Chênh lệch 30 điểm, đề nghị chấm lại.")
    session.flush()
    for judge in judges:
        (note,) = _notes(session, judge, "contest_rescore_requested")
        assert "Thiết bị tự động cấp phôi cho máy tiện CNC" in note.subject
        assert "Chênh lệch 30 điểm" in note.body


def test_the_scoring_deadline_reminds_the_judges_then_tells_the_secretariat(
    session, contest, make_person, make_user
):
    from datetime import date, timedelta

    from contest_data import edition_data

    from expertnet.consultation.reminders import end_of_day, run_reminders

    closes = date(2026, 12, 15)
    edition = ops.create_edition(contest.secretariat, edition_data(judging_until=str(closes)))
    judges = [
        make_user("expert", person=make_person(full_name=f"GK {i}", fields=["ENG-MEC"]))[0]
        for i in range(3)
    ]
    ops.set_members(
        edition,
        contest.secretariat,
        {"jury": [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in judges]},
    )
    ops.perform_edition_action(edition, "announce", contest.secretariat)
    ops.perform_edition_action(edition, "open_entries", contest.secretariat)
    entry = ops.create_entry(edition, contest.author, entry_data())
    ops.perform_edition_action(edition, "close_entries", contest.secretariat)
    ops.perform_entry_action(entry, "mark_eligible", contest.secretariat)
    judging.apply_plan(edition, contest.secretariat)
    ops.perform_edition_action(edition, "start_judging", contest.secretariat)
    ids = [str(c.id) for c in edition.criteria]
    judging.save_score(entry, judges[0], dict(zip(ids, (30, 20, 20), strict=True)), "")
    deadline = end_of_day(closes)
    # A week before: nothing; the day before: the two judges who have not scored.
    assert run_reminders(now=deadline - timedelta(days=7), days_before=2) == {}
    assert run_reminders(now=deadline - timedelta(days=1), days_before=2)["reminder"] == 2
    assert _notes(session, judges[0], "contest_scoring_reminder") == []
    (note,) = _notes(session, judges[1], "contest_scoring_reminder")
    assert "15" in note.subject and "1" in note.body
    # Again: nothing twice. After the deadline: the secretariat hears who is late.
    assert run_reminders(now=deadline - timedelta(hours=2), days_before=2) == {}
    assert run_reminders(now=deadline + timedelta(hours=1), days_before=2)["escalation"] == 1
    (late,) = _notes(session, contest.secretariat, "contest_scoring_overdue")
    assert "2" in late.body


def test_an_author_named_later_as_an_expert_keeps_the_account(
    session, contest, open_edition, make_person
):
    from expertnet.access.operations import account_problem, ensure_account

    author = invite_author("tuan.hoang@example.vn", "Hoàng Minh Tuấn", open_edition)
    entry = ops.create_entry(open_edition, author, entry_data())
    person = make_person(full_name="Hoàng Minh Tuấn", email="tuan.hoang@example.vn")
    assert account_problem(person) is None
    user = ensure_account(person)
    assert user.id == author.id and (user.role, user.person_id) == ("expert", person.id)
    assert entry.can_view(user) and entry.can_edit(user)
    # Any other account at an expert's address is still refused.
    other = make_person(full_name="Trần Văn Bình", email="binh@example.vn")
    assert account_problem(other) is not None
