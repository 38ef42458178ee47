"""The contest's pages by form posts: each role's pages, CSRF, stale versions, refusals.

The whole edition goes through the pages (no API call): the secretariat sets it up, an
author files an entry, the secretariat screens it and seats three judges, the judges
score (a disagreement is flagged and re-scored), the board edits an award and approves,
the secretariat publishes, the public reads the results. Refusals leave the data as it was.
"""

from __future__ import annotations

import io
import re

import pytest
from contest_pages import Pages
from sqlalchemy import func, select

from expertnet.contest.models import (
    ContestHistory,
    Edition,
    Entry,
    ResultLine,
    Score,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STALE = "Someone else acted here meanwhile"


@pytest.fixture
def pages(app) -> Pages:
    return Pages(app)


@pytest.fixture
def cast(session, contest, make_person, make_user, make_org):
    """Three ENG-MEC jurors, a fourth who will be swapped in, and one from another field."""
    jurors = []
    for name in ("Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam", "Đỗ Thu Hà"):
        person = make_person(full_name=name, fields=["ENG-MEC"], expertise=["cơ khí"])
        jurors.append(make_user("expert", person=person)[0])
    other = make_user("expert", person=make_person(full_name="Lý Văn Tư"))[0]
    make_org(kind="enterprise", name="Công ty Nhiệt điện Phả Lại", former_province="hai_duong")
    session.commit()
    return contest, jurors, other


def _edition_form(**overrides) -> dict:
    data = {
        "name": "Hội thi Sáng tạo Kỹ thuật thành phố Hải Phòng",
        "number": "6",
        "organisers": "Liên hiệp các Hội KH&KT; Sở KH&CN",
        "description": "Thể lệ hội thi.",
        "fields": ["ENG-MEC", "ENG-IT"],
        "entries_open_on": "2026-03-01",
        "entries_close_on": "2026-09-30",
        "min_judges": "3",
        "max_spread": "15",
        "judge_cap": "20",
        "criteria": "Tính mới, tính sáng tạo | 40\nKhả năng áp dụng | 30\nHiệu quả | 30",
        "award_levels": (
            "Giải Nhất | 85 | 1\nGiải Nhì | 75 | 2\nGiải Ba | 65 | 3\nKhuyến khích | 50"
        ),
    }
    data.update(overrides)
    return data


def _print(page: str) -> str:
    """The plan fingerprint a preview page's confirm form carries."""
    return re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', page).group(1)


def _version(session, model, oid) -> str:
    session.expire_all()
    return str(session.get(model, oid).version)


def _entry_form(**overrides) -> dict:
    data = {
        "title": "Thiết bị tự động cấp phôi cho máy tiện CNC",
        "field": "ENG-MEC",
        "description": "Giảm 30% thời gian dừng máy.",
        "applying_organization_name": "Công ty CP Cơ khí Hải Phòng",
        "applied_where": "Phân xưởng gia công",
        "applied_since": "2024-06-01",
        "authors-0-full_name": "Trần Văn Bình",
        "authors-0-share": "60",
        "authors-0-employer": "Công ty CP Cơ khí Hải Phòng",
        "authors-0-email": "binh@example.vn",
        "authors-1-full_name": "Lê Thị Hoa",
        "authors-1-share": "40",
    }
    data.update(overrides)
    return data


def _act(pages, session, user, edition_id, action, status=303, **extra):
    data = {f"{action}-version": _version(session, Edition, edition_id), **extra}
    return pages.post(user, f"/contests/{edition_id}/actions/{action}", data, status=status)


def _score(pages, session, judge, entry, points, status=303):
    edition = entry.edition
    data = {"version": _version(session, Entry, entry.id), "comment": "Nhận xét"}
    for c, p in zip(edition.criteria, points, strict=True):
        data[f"c{c.id}"] = str(p)
    return pages.post(judge, f"/contests/entries/{entry.id}/score", data, status=status)


def test_the_whole_edition_through_the_pages(pages, session, cast):
    contest, jurors, _other = cast
    sec, board, author = contest.secretariat, contest.board, contest.author

    # The secretariat creates the edition; a wrong criteria sum is refused on its field.
    res = pages.post(sec, "/contests/new", _edition_form(criteria="A | 50\nB | 30"), status=422)
    assert "must sum to 100" in res.text and 'id="criteria-err"' in res.text
    assert session.scalar(select(func.count(Edition.id))) == 0
    res = pages.post(sec, "/contests/new", _edition_form())
    edition_id = int(re.search(r"/contests/(\d+)", res.headers["Location"]).group(1))
    edition = session.get(Edition, edition_id)
    assert [c.max_points for c in edition.criteria] == [40, 30, 30]
    assert [lv.quota for lv in edition.award_levels] == [1, 2, 3, None]

    jury = "\n".join(f"{u.person_id} | ENG-MEC" for u in jurors[:3])
    jury += f"\n{jurors[3].person_id} | ENG-MEC | chair"
    pages.post(
        sec,
        f"/contests/{edition_id}/members",
        {"version": _version(session, Edition, edition_id), "board": [u.id for u in board],
         "jury": jury},
    )  # fmt: skip
    assert len(session.get(Edition, edition_id).jury) == 4
    # The rules (thể lệ) as a document: the secretariat's to add, public with the edition.
    rules = {"version": _version(session, Edition, edition_id),
             "file": (io.BytesIO(PDF), "the-le-hoi-thi.pdf")}  # fmt: skip
    pages.post(board[0], f"/contests/{edition_id}/documents", rules, status=404,  # a draft
               content_type="multipart/form-data")  # fmt: skip
    assert session.get(Edition, edition_id).documents == []
    rules["file"] = (io.BytesIO(PDF), "the-le-hoi-thi.pdf")
    pages.post(sec, f"/contests/{edition_id}/documents", rules, content_type="multipart/form-data")
    _act(pages, session, sec, edition_id, "announce")
    _act(pages, session, sec, edition_id, "open_entries")
    session.expire_all()
    doc = session.get(Edition, edition_id).documents[0]
    assert f"/contests/documents/{doc.id}" in pages.get(None, f"/contests/{edition_id}").text
    download = pages.get(None, f"/contests/documents/{doc.id}")
    body = download.data
    download.close()
    assert body == PDF

    # The author files an entry through the public form, with a document.
    assert "File an entry" in pages.get(author, f"/contests/{edition_id}").text
    bad = _entry_form(**{"authors-1-share": "30"})
    res = pages.post(author, f"/contests/{edition_id}/entries/new", bad, status=422)
    assert "shares must sum to 100" in res.text.replace("&#39;", "'")
    assert session.scalar(select(func.count(Entry.id))) == 0
    from expertnet.directory.models import Organization

    plant = session.scalar(select(Organization.id).where(Organization.name.like("%Phả Lại")))
    res = pages.post(
        author,
        f"/contests/{edition_id}/entries/new",
        {
            **_entry_form(),
            "applying_organization_id": str(plant),
            "file": (io.BytesIO(PDF), "thuyet-minh.pdf"),
        },
        content_type="multipart/form-data",
    )
    entry_id = int(re.search(r"/entries/(\d+)", res.headers["Location"]).group(1))
    entry = session.get(Entry, entry_id)
    assert [a.share for a in entry.authors] == [60, 40] and entry.documents
    assert entry.applying_organization_id == plant
    # Edit until entries close; a stale version changes nothing.
    stale = pages.post(
        author, f"/contests/entries/{entry_id}/edit",
        {**_entry_form(title="Tên cũ đã bị đổi"), "version": "99"},
    )  # fmt: skip
    assert pages.get(author, stale.headers["Location"]) and session.get(Entry, entry_id).title != (
        "Tên cũ đã bị đổi"
    )
    pages.post(
        author, f"/contests/entries/{entry_id}/edit",
        {**_entry_form(title="Thiết bị cấp phôi tự động cho máy tiện CNC"),
         "applying_organization_id": str(plant), "version": _version(session, Entry, entry_id)},
    )  # fmt: skip
    session.expire_all()
    assert session.get(Entry, entry_id).title.startswith("Thiết bị cấp phôi")
    assert "Thiết bị cấp phôi" in pages.get(author, "/contests/entries/mine").text

    # Screening: ineligible without a reason is refused on the reason field.
    _act(pages, session, sec, edition_id, "close_entries")
    res = pages.post(
        sec, f"/contests/entries/{entry_id}/screen",
        {"version": _version(session, Entry, entry_id), "decision": "ineligible"}, status=422,
    )  # fmt: skip
    assert 'id="reason-err"' in res.text and session.get(Entry, entry_id).state == "submitted"
    pages.post(
        sec, f"/contests/entries/{entry_id}/screen",
        {"version": _version(session, Entry, entry_id), "decision": "eligible"},
    )  # fmt: skip
    assert "found the entry eligible" in pages.get(author, f"/contests/entries/{entry_id}").text

    # Judges: the batch assignment, previewed then confirmed, seats three; a swap brings the
    # fourth in and back out.
    preview = pages.get(sec, f"/contests/{edition_id}/assignments/preview").text
    pages.post(sec, f"/contests/{edition_id}/assignments", {"fingerprint": _print(preview)})
    session.expire_all()
    entry = session.get(Entry, entry_id)
    seated = {j.person_id for j in entry.active_judges}
    assert len(seated) == 3
    out = next(iter(seated))
    spare = next(u.person_id for u in jurors if u.person_id not in seated)
    swap = {"replacing": str(out), "expert_id": str(spare)}
    pages.post(sec, f"/contests/entries/{entry_id}/judges", swap)
    session.expire_all()
    judges = [u for u in jurors if u.person_id in {j.person_id for j in entry.active_judges}]
    assert len(judges) == 3
    _act(pages, session, sec, edition_id, "start_judging")

    # Scoring: each judge sees only their own scores until the scoring closes.
    entry = session.get(Entry, entry_id)
    res = _score(pages, session, judges[0], entry, [41, 20, 20], status=422)
    assert 'id="c' in res.text and "-err" in res.text
    assert session.scalar(select(func.count(Score.id))) == 0
    _score(pages, session, judges[0], entry, [38, 27, 25])
    other_page = pages.get(judges[1], f"/contests/entries/{entry_id}").text
    assert "Your scores" in other_page and judges[0].person.full_name not in other_page
    _score(pages, session, judges[1], entry, [36, 26, 26])
    _score(pages, session, judges[2], entry, [20, 15, 15])  # 90 / 88 / 50: flagged
    session.expire_all()
    assert session.get(Entry, entry_id).state == "flagged"
    assert "Flagged disagreements" in pages.get(sec, f"/contests/{edition_id}/manage").text
    # The sub-jury asks for a re-score (a comment is required), the third judge re-scores.
    res = pages.post(
        sec, f"/contests/entries/{entry_id}/actions/request_rescore",
        {"request_rescore-version": _version(session, Entry, entry_id)}, status=422,
    )  # fmt: skip
    assert session.get(Entry, entry_id).state == "flagged"
    pages.post(
        sec, f"/contests/entries/{entry_id}/actions/request_rescore",
        {"request_rescore-version": _version(session, Entry, entry_id),
         "request_rescore-comment": "Tiểu ban đề nghị chấm lại."},
    )  # fmt: skip
    session.expire_all()
    entry = session.get(Entry, entry_id)
    assert entry.state == "scoring" and entry.score_round == 2
    for judge, pts in zip(judges, ([38, 27, 25], [36, 26, 26], [35, 25, 25]), strict=True):
        _score(pages, session, judge, entry, pts)
    session.expire_all()
    assert session.get(Entry, entry_id).state == "scored"
    assert session.scalar(select(func.count(Score.id))) == 18  # round 1 kept

    # Results: proposed, an award edited with a reason, four eyes, published.
    _act(pages, session, sec, edition_id, "propose_results")
    page = pages.get(board[0], f"/contests/{edition_id}/board").text
    assert "87.67" in page and "Adjusted for judge severity" in page
    level = session.get(Edition, edition_id).award_levels[1]
    res = pages.post(
        board[0], f"/contests/{edition_id}/results/{entry_id}",
        {f"r{entry_id}-award_level": str(level.id)}, status=422,
    )  # fmt: skip
    assert session.scalar(select(ResultLine.edit_reason)) is None
    pages.post(
        board[0], f"/contests/{edition_id}/results/{entry_id}",
        {f"r{entry_id}-award_level": str(level.id), f"r{entry_id}-reason": "Cân đối lĩnh vực."},
    )  # fmt: skip
    res = _act(pages, session, board[0], edition_id, "approve_results", status=403)
    assert "another board member" in res.text
    assert session.get(Edition, edition_id).state == "results_proposed"
    assert pages.get(None, f"/contests/{edition_id}/results", status=404)
    _act(pages, session, board[1], edition_id, "approve_results")
    _act(pages, session, board[1], edition_id, "publish")
    public = pages.get(None, f"/contests/{edition_id}/results").text
    assert "Thiết bị cấp phôi" in public and level.name in public and "87.67" in public
    assert "Cân đối lĩnh vực" not in public  # the board's reasons stay internal
    # The decision and each author's certificate are offered there, and download.
    authors = session.get(Entry, entry_id).authors
    assert f'/contests/{edition_id}/decision.pdf"' in public
    for a in authors:
        href = f"/contests/entries/{entry_id}/certificates/{a.id}.pdf"
        assert f'{href}"' in public
        res = pages.get(None, href)
        assert res.mimetype == "application/pdf" and res.data.startswith(b"%PDF")
    history = session.scalars(select(ContestHistory.action).order_by(ContestHistory.id)).all()
    assert "request_rescore" in history and history[-1] == "publish"
    # The yearly report counts it, for the applying organisation's former province.
    figures = pages.get(None, "/api/v1/reports/activity?year=2026").json["contest"]
    assert figures["entries_by_former_province"] == {"hai_duong": 1}
    assert sum(figures["awards"].values()) == 1 and figures["judges"] == 3


def test_the_authors_read_why_their_entry_is_ineligible(pages, session, contest, open_edition):
    from contest_data import entry_data

    from expertnet.contest import operations as ops

    entry = ops.create_entry(open_edition, contest.author, entry_data())
    ops.perform_edition_action(open_edition, "close_entries", contest.secretariat)
    session.commit()
    reason = "Giải pháp chưa được áp dụng vào thực tế."
    pages.post(
        contest.secretariat, f"/contests/entries/{entry.id}/screen",
        {f"e{entry.id}-version": _version(session, Entry, entry.id), "from": "manage",
         f"e{entry.id}-decision": "ineligible", f"e{entry.id}-reason": reason},
    )  # fmt: skip
    session.expire_all()
    assert session.get(Entry, entry.id).state == "ineligible"
    assert reason in pages.get(contest.author, "/contests/entries/mine").text
    page = pages.get(contest.author, f"/contests/entries/{entry.id}").text
    assert reason in page and 'id="screening-outcome"' in page
    # The entry is closed for changes now: the author's edit is refused, nothing changes.
    pages.get(contest.author, f"/contests/entries/{entry.id}/edit", status=403)


def test_a_judge_declares_a_conflict_and_steps_off(pages, session, contest, make_person, make_user):
    from contest_data import edition_data, entry_data

    from expertnet.contest import judging
    from expertnet.contest import operations as ops

    jurors = [
        make_user("expert", person=make_person(full_name=n, fields=["ENG-MEC"]))[0]
        for n in ("Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam")
    ]
    sec = contest.secretariat
    edition = ops.create_edition(sec, edition_data())
    jury = [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in jurors]
    ops.set_members(edition, sec, {"board": [contest.board[0].id], "jury": jury})
    for action in ("announce", "open_entries"):
        ops.perform_edition_action(edition, action, sec)
    entry = ops.create_entry(edition, contest.author, entry_data())
    ops.perform_edition_action(edition, "close_entries", sec)
    ops.perform_entry_action(entry, "mark_eligible", sec)
    judging.apply_plan(edition, sec)
    ops.perform_edition_action(edition, "start_judging", sec)
    session.commit()
    assert "Thiết bị tự động" in pages.get(jurors[0], "/contests/judging").text
    res = pages.post(jurors[0], f"/contests/entries/{entry.id}/conflict", {"details": ""}, 422)
    assert 'id="details-err"' in res.text
    pages.post(jurors[0], f"/contests/entries/{entry.id}/conflict", {"details": "Đồng tác giả."})
    session.expire_all()
    judges = session.get(Entry, entry.id).judges
    seat = next(j for j in judges if j.person_id == jurors[0].person_id)
    assert seat.state == "conflicted" and seat.conflict_details == "Đồng tác giả."
    # Off the entry: it is no longer theirs to see.
    pages.get(jurors[0], f"/contests/entries/{entry.id}", status=404)
    assert "Thiết bị tự động" not in pages.get(jurors[0], "/contests/judging").text


def test_the_secretariat_edits_an_edition_and_its_scoring_is_fixed_once_open(
    pages, session, contest
):
    sec = contest.secretariat
    res = pages.post(sec, "/contests/new", _edition_form())
    eid = int(re.search(r"/contests/(\d+)", res.headers["Location"]).group(1))
    form = pages.get(sec, f"/contests/{eid}/edit").text
    assert "Tính mới, tính sáng tạo | 40" in form and "Khuyến khích | 50.00" in form
    youth = _edition_form(
        name="Cuộc thi Sáng tạo Thanh thiếu niên Nhi đồng", number="19", youth="y",
        criteria="Tính mới | 50\nKhả năng áp dụng | 50", award_levels="Giải Nhất | 80 | 2",
        version=_version(session, Edition, eid),
    )  # fmt: skip
    pages.post(sec, f"/contests/{eid}/edit", youth)
    session.expire_all()
    edition = session.get(Edition, eid)
    assert edition.youth and edition.number == 19
    assert [(c.name, c.max_points) for c in edition.criteria] == [
        ("Tính mới", 50), ("Khả năng áp dụng", 50)
    ]  # fmt: skip
    assert [(lv.name, lv.quota) for lv in edition.award_levels] == [("Giải Nhất", 2)]
    # Awards out of order are refused on their field.
    bad = {**youth, "award_levels": "Nhất | 70\nNhì | 80"}
    res = pages.post(sec, f"/contests/{eid}/edit", bad, status=422)
    assert 'id="award_levels-err"' in res.text
    # Once entries open the criteria are fixed: what is posted for them is not used.
    members = {"version": _version(session, Edition, eid), "board": [contest.board[0].id]}
    pages.post(sec, f"/contests/{eid}/members", members)
    for action in ("announce", "open_entries"):
        _act(pages, session, sec, eid, action)
    page = pages.get(sec, f"/contests/{eid}/edit").text
    assert "fixed once entries open" in page
    changed = {**youth, "name": "Cuộc thi Sáng tạo TTNNĐ", "criteria": "Một | 100",
               "version": _version(session, Edition, eid)}  # fmt: skip
    pages.post(sec, f"/contests/{eid}/edit", changed)
    session.expire_all()
    edition = session.get(Edition, eid)
    assert edition.name == "Cuộc thi Sáng tạo TTNNĐ" and len(edition.criteria) == 2
    # Only the secretariat edits; the board member is refused.
    pages.get(contest.board[0], f"/contests/{eid}/edit", status=403)


def test_seating_a_juror_in_conflict_is_refused_on_the_field_with_the_path(
    pages, session, contest, make_org, make_person, make_user
):
    from contest_data import edition_data, entry_data

    from expertnet.contest import judging
    from expertnet.contest import operations as ops

    company = make_org(kind="enterprise", name="Công ty CP Cơ khí Hải Phòng")
    jurors = [
        make_user("expert", person=make_person(full_name=n, fields=["ENG-MEC"]))[0]
        for n in ("Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam", "Đỗ Thu Hà")
    ]
    jurors[3].person.employer_id = company.id  # works where the first author works
    sec = contest.secretariat
    edition = ops.create_edition(sec, edition_data())
    jury = [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in jurors]
    ops.set_members(edition, sec, {"board": [contest.board[0].id], "jury": jury})
    for action in ("announce", "open_entries"):
        ops.perform_edition_action(edition, action, sec)
    data = entry_data()
    data["authors"][0]["employer_organization_id"] = company.id
    entry = ops.create_entry(edition, contest.author, data)
    ops.perform_edition_action(edition, "close_entries", sec)
    ops.perform_entry_action(entry, "mark_eligible", sec)
    judging.apply_plan(edition, sec)
    session.commit()
    seated = sorted(j.person_id for j in entry.active_judges)
    assert jurors[3].person_id not in seated
    swap = {"replacing": str(seated[0]), "expert_id": str(jurors[3].person_id)}
    res = pages.post(sec, f"/contests/entries/{entry.id}/judges", swap, status=409)
    assert 'id="expert_id-err"' in res.text and "Công ty CP Cơ khí Hải Phòng" in res.text
    session.expire_all()
    assert sorted(j.person_id for j in session.get(Entry, entry.id).active_judges) == seated


def test_the_secretariat_previews_the_assignment_then_confirms_exactly_that_plan(
    pages, session, contest, make_org, make_person, make_user
):
    from contest_data import edition_data, entry_data
    from helpers import unchanged

    from expertnet.contest import judging
    from expertnet.contest import operations as ops
    from expertnet.contest.models import JudgeAssignment

    company = make_org(kind="enterprise", name="Công ty CP Cơ khí Hải Phòng")
    jurors = [
        make_user("expert", person=make_person(full_name=n, fields=["ENG-MEC"]))[0]
        for n in ("Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam", "Đỗ Thu Hà")
    ]
    jurors[3].person.employer_id = company.id  # works where the first author works
    sec = contest.secretariat
    edition = ops.create_edition(sec, edition_data())
    jury = [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in jurors]
    ops.set_members(edition, sec, {"board": [contest.board[0].id], "jury": jury})
    for action in ("announce", "open_entries"):
        ops.perform_edition_action(edition, action, sec)
    data = entry_data()
    data["authors"][0]["employer_organization_id"] = company.id
    entry = ops.create_entry(edition, contest.author, data)
    ops.perform_edition_action(edition, "close_entries", sec)
    ops.perform_entry_action(entry, "mark_eligible", sec)
    session.commit()
    eid, entry_id = edition.id, entry.id
    seats = select(func.count(JudgeAssignment.id))

    # The desk offers the preview; the preview names the planned judges and the conflict
    # avoided (with what links the juror to the authors), and saves nothing.
    desk = pages.get(sec, f"/contests/{eid}/manage").text
    assert f"/contests/{eid}/assignments/preview" in desk
    with unchanged(session):
        page = pages.get(sec, f"/contests/{eid}/assignments/preview").text
    row = re.search(rf'<tr id="plan-{entry_id}">(.*?)</tr>', page, re.S).group(1)
    planned = re.findall(r'<li class="planned-judge">([^<]+?) <span', row)
    assert sorted(planned) == ["Hoàng Văn Nam", "Phạm Minh Đức", "Vũ Thị Lan"]
    avoided = re.search(r'<li class="avoided">(.*?)</li>', row, re.S).group(1)
    assert "Đỗ Thu Hà" in avoided and "Công ty CP Cơ khí Hải Phòng" in avoided
    assert "3 of 3 open seats filled" in page
    old = _print(page)
    # Others may not preview; a confirmation without the preview's print is refused.
    pages.get(contest.author, f"/contests/{eid}/assignments/preview", status=403)
    with unchanged(session):
        res = pages.post(sec, f"/contests/{eid}/assignments", {}, status=422)
    assert "Preview the assignment first" in res.text

    # Meanwhile a juror is seated by hand: the old plan is stale, refused with nothing
    # written, and the fresh preview is shown (two seats left, for the two others).
    judging.assign_judge(session.get(Entry, entry_id), sec, jurors[0].person_id)
    session.commit()
    with unchanged(session):
        res = pages.post(sec, f"/contests/{eid}/assignments", {"fingerprint": old}, status=409)
    assert "changed since the preview" in res.text and "2 of 2 open seats filled" in res.text
    fresh = _print(res.text)
    assert fresh != old
    assert session.scalar(seats) == 1

    # Confirmed, exactly the fresh plan is saved.
    res = pages.post(sec, f"/contests/{eid}/assignments", {"fingerprint": fresh})
    assert "2 judge seats were filled" in pages.get(sec, res.headers["Location"]).text
    session.expire_all()
    judges = {j.person.full_name for j in session.get(Entry, entry_id).active_judges}
    assert judges == {"Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam"}
    # Confirming the same print again is refused: the plan has no seat left to fill now.
    with unchanged(session):
        pages.post(sec, f"/contests/{eid}/assignments", {"fingerprint": fresh}, status=409)


def test_every_contest_form_refuses_a_post_without_its_csrf_token(
    pages, session, contest, open_edition
):
    from contest_data import entry_data
    from helpers import unchanged

    from expertnet.contest import operations as ops

    entry = ops.create_entry(open_edition, contest.author, entry_data())
    session.commit()
    eid, nid, sec = open_edition.id, entry.id, contest.secretariat
    pages.client(sec), pages.client(contest.author)  # signed in before the blocks
    version = {"version": str(entry.version)}
    for user, url, data in [
        (sec, "/contests/new", _edition_form()),
        (sec, f"/contests/{eid}/edit", {**_edition_form(), "version": str(open_edition.version)}),
        (sec, f"/contests/{eid}/members", {"version": str(open_edition.version)}),
        (sec, f"/contests/{eid}/actions/close_entries", {}),
        (sec, f"/contests/{eid}/assignments", {"fingerprint": "0" * 32}),
        (sec, f"/contests/{eid}/results/{nid}", {f"r{nid}-reason": "Lý do."}),
        (contest.author, f"/contests/{eid}/entries/new", _entry_form()),
        (contest.author, f"/contests/entries/{nid}/edit", {**_entry_form(), **version}),
        (contest.author, f"/contests/entries/{nid}/actions/withdraw", {}),
        (sec, f"/contests/entries/{nid}/screen", {**version, "decision": "eligible"}),
        (sec, f"/contests/entries/{nid}/judges", {"expert_id": "1"}),
        (sec, f"/contests/entries/{nid}/conflict", {"details": "Đồng tác giả."}),
    ]:
        with unchanged(session):
            res = pages.post(user, url, data, status=400, csrf=False)
        assert "not sent from this site" in res.text, url
    for user, url in [(sec, f"/contests/{eid}/documents"), (contest.author,
                      f"/contests/entries/{nid}/documents")]:  # fmt: skip
        upload = {"version": "1", "file": (io.BytesIO(PDF), "the-le.pdf")}
        with unchanged(session):
            pages.post(
                user, url, upload, status=400, csrf=False, content_type="multipart/form-data"
            )


def test_a_stale_form_changes_nothing_and_shows_the_fresh_page(
    pages, session, contest, open_edition
):
    from contest_data import entry_data
    from helpers import unchanged

    from expertnet.contest import operations as ops

    entry = ops.create_entry(open_edition, contest.author, entry_data())
    session.commit()
    eid, nid, sec, author = open_edition.id, entry.id, contest.secretariat, contest.author
    pages.client(sec), pages.client(author)  # signed in before the blocks
    old_edition = str(open_edition.version - 1)
    old_entry = {"version": str(entry.version + 1)}
    manage, entry_page = f"/contests/{eid}/manage", f"/contests/entries/{nid}"
    for user, url, data, back in [
        (sec, f"/contests/{eid}/edit", {**_edition_form(), "version": old_edition},
         f"/contests/{eid}/edit"),
        (sec, f"/contests/{eid}/members", {"version": old_edition}, manage),
        (sec, f"/contests/{eid}/actions/close_entries", {"close_entries-version": old_edition},
         manage),
        (author, f"/contests/entries/{nid}/edit", {**_entry_form(), **old_entry}, entry_page),
        (author, f"/contests/entries/{nid}/actions/withdraw",
         {"withdraw-version": old_entry["version"]}, entry_page),
        (sec, f"/contests/entries/{nid}/screen", {**old_entry, "decision": "eligible"},
         entry_page),
        (sec, f"/contests/entries/{nid}/screen",
         {f"e{nid}-version": old_entry["version"], f"e{nid}-decision": "eligible",
          "from": "manage"}, manage),
        (sec, f"/contests/{eid}/documents",
         {"version": old_edition, "file": (io.BytesIO(PDF), "the-le.pdf")}, manage),
        (author, f"/contests/entries/{nid}/documents",
         {**old_entry, "file": (io.BytesIO(PDF), "thuyet-minh.pdf")}, entry_page),
    ]:  # fmt: skip
        with unchanged(session):
            res = pages.post(user, url, data, content_type="multipart/form-data")
        assert res.headers["Location"].endswith(back), (url, res.headers["Location"])
        assert STALE in pages.get(user, res.headers["Location"]).text, url


def test_a_refused_file_undoes_the_entry_saved_with_it(pages, session, contest, open_edition):
    """The entry's save and its file are one write: the file refused, the entry is not kept."""
    from contest_data import entry_data
    from helpers import unchanged

    from expertnet.contest import operations as ops

    entry = ops.create_entry(open_edition, contest.author, entry_data())
    session.commit()
    eid, nid, author = open_edition.id, entry.id, contest.author
    pages.client(author)  # signed in before the blocks
    not_a_pdf = b"MZ\x90\x00 this is no document"
    with unchanged(session):
        res = pages.post(
            author, f"/contests/{eid}/entries/new",
            {**_entry_form(title="Máy phân loại phôi"), "file": (io.BytesIO(not_a_pdf), "a.pdf")},
            status=422, content_type="multipart/form-data",
        )  # fmt: skip
    assert 'id="file-err"' in res.text and "Máy phân loại phôi" in res.text
    with unchanged(session):
        res = pages.post(
            author, f"/contests/entries/{nid}/edit",
            {**_entry_form(title="Tên mới"), "version": str(entry.version),
             "file": (io.BytesIO(not_a_pdf), "b.pdf")},
            status=422, content_type="multipart/form-data",
        )  # fmt: skip
    assert 'id="file-err"' in res.text
    session.expire_all()
    assert session.get(Entry, nid).title == entry_data()["title"]
