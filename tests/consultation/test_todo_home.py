"""After signing in, each role lands on its to-do home: counts, links to the items, empty states."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import csrf_from

from expertnet.auth.models import UserRole
from expertnet.consultation.models import Request


def _signed_in(app, who):
    client = app.test_client()
    client.set_cookie("expertnet_lang", "en")  # assertions read the English texts
    page = client.get("/login")
    res = client.post(
        "/login",
        data={
            "email": who.user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert res.status_code == 302 and res.headers["Location"] == "/"
    return client


def _section(html: str, name: str) -> str:
    match = re.search(rf'<section class="todo-section" id="todo-{name}".*?</section>', html, re.S)
    assert match, f"no {name} section"
    return match.group(0)


def _counts(section: str) -> list[int]:
    return [int(n) for n in re.findall(r'<span class="todo-count[^"]*">(\d+)</span>', section)]


def test_coordinator_without_work_sees_empty_states_that_say_what_comes(app, world):
    home = _signed_in(app, world.coordinator).get("/").text
    section = _section(home, "coordinator")
    assert _counts(section) == [0, 0, 0, 0, 0]
    assert "Nothing is overdue." in section
    assert "Filed requests appear here for you to accept, return or decline." in section
    assert "todo-expert" not in home and "todo-approver" not in home


def test_coordinator_sees_triage_short_panels_late_opinions_and_deadlines(app, world, session):
    w = world
    triage = w.file(title="Quy hoạch cảng cạn Hải Dương")["id"]
    w.act(w.agency, triage, "submit")
    forming = w.to_panel_forming(title="Đề án giao thông xanh")
    inv = w.invite(forming, w.experts[3], "member")
    w.accept(w.experts[3], inv["id"])
    w.invite(forming, w.experts[4], "reviewer")
    review = w.to_in_review(title="Dự án khu xử lý chất thải rắn Thủy Nguyên")
    w.write_opinion(w.experts[0], review)
    req = session.get(Request, review)
    req.opinion_due_at = datetime.now(UTC) - timedelta(days=1)
    late_request = session.get(Request, forming)
    late_request.due_date = (datetime.now(UTC) - timedelta(days=3)).date()
    soon = session.get(Request, triage)
    soon.due_date = (datetime.now(UTC) + timedelta(days=3)).date()
    session.flush()

    section = _section(_signed_in(app, w.coordinator).get("/").text, "coordinator")
    overdue, due_soon, waiting, short, late = _counts(section)
    # Overdue: the panel's request date and the opinions' deadline.
    assert (overdue, due_soon, waiting, short, late) == (2, 1, 1, 1, 1)
    assert f'href="/requests/{triage}">Quy hoạch cảng cạn Hải Dương</a>' in section
    assert f'href="/requests/{forming}/panel">Đề án giao thông xanh</a>' in section
    assert "1 of 3 members accepted" in section and "no chair yet" in section
    assert "1 invitation unanswered" in section
    late_part = section[section.index("Opinions late") :]
    missing = [w.experts[1].user.person.display_name, w.experts[2].user.person.display_name]
    assert f"Still missing: {', '.join(missing)}" in late_part
    assert w.experts[0].user.person.display_name not in late_part


def test_coordinator_does_not_see_another_coordinators_work(app, world):
    w = world
    rid = w.file()["id"]
    w.act(w.agency, rid, "submit")
    w.act(w.coordinator2, rid, "accept")
    w.act(w.coordinator2, rid, "open_panel")
    mine = _section(_signed_in(app, w.coordinator).get("/").text, "coordinator")
    theirs = _section(_signed_in(app, w.coordinator2).get("/").text, "coordinator")
    assert f"/requests/{rid}/panel" not in mine
    assert f"/requests/{rid}/panel" in theirs


def test_expert_sees_open_invitations_and_opinions_due(app, world):
    w = world
    forming = w.to_panel_forming(title="Đề án nuôi trồng thủy sản")
    w.invite(forming, w.experts[0], "chair")
    review = w.to_in_review(title="Đề án cảng Lạch Huyện")
    section = _section(_signed_in(app, w.experts[0]).get("/").text, "expert")
    assert _counts(section) == [1, 1]
    assert "Đề án nuôi trồng thủy sản</a>" in section and "/inbox#invitations" in section
    assert f'href="/requests/{review}/opinion">Đề án cảng Lạch Huyện</a>' in section
    assert "not started" in section

    w.write_opinion(w.experts[0], review)
    section = _section(_signed_in(app, w.experts[0]).get("/").text, "expert")
    assert _counts(section) == [1, 0]
    assert "No opinion is due." in section


def test_approver_sees_the_queue(app, world):
    w = world
    empty = _section(_signed_in(app, w.approver).get("/").text, "approver")
    assert _counts(empty) == [0] and "Nothing waits for your approval." in empty
    rid = w.to_approval(title="Đề án đường vành đai 2")
    section = _section(_signed_in(app, w.approver2).get("/").text, "approver")
    assert _counts(section) == [1]
    assert f'href="/requests/{rid}">Đề án đường vành đai 2</a>' in section
    assert 'href="/approvals"' in section


def test_agency_sees_returned_requests_and_responses_due(app, world):
    w = world
    empty = _section(_signed_in(app, w.agency).get("/").text, "agency")
    assert _counts(empty) == [0] and "Nothing waits for you." in empty
    returned = w.file(title="Đề án A")["id"]
    w.act(w.agency, returned, "submit")
    w.act(w.coordinator, returned, "return", comment="Thiếu báo cáo ĐTM.")
    published, _opinion = w.to_published(title="Đề án B")
    section = _section(_signed_in(app, w.agency).get("/").text, "agency")
    assert _counts(section) == [2]
    assert f'href="/requests/{returned}">Đề án A</a>' in section
    assert f'href="/requests/{published}/response">Đề án B</a>' in section
    assert "0 of 2 recommendations answered" in section
    # Another agency sees none of it.
    other = _section(_signed_in(app, w.other_agency).get("/").text, "agency")
    assert _counts(other) == [0]


def test_liaison_sees_its_roster_and_has_a_navigation_entry(app, world, make_person, session):
    w = world
    org = session.get(type(w.liaison.user.organization), w.liaison.user.organization_id)
    make_person(full_name="Lê Thị Hoa", organizations=[org], email="hoa@hoi.vn")
    make_person(full_name="Trần Văn Nam", organizations=[org], fields=["ENG-IT"])
    client = _signed_in(app, w.liaison)
    home = client.get("/").text
    section = _section(home, "liaison")
    assert "2 members" in section
    # Without e-mail, without a field, without an account.
    assert _counts(section) == [1, 1, 2]
    assert f'href="/organizations/{org.id}/roster/import"' in section
    assert '<a href="/roster">Members</a>' in home
    res = client.get("/roster")
    assert res.status_code == 302 and res.headers["Location"] == f"/organizations/{org.id}"
    assert _signed_in(app, w.coordinator).get("/roster").status_code == 403


@pytest.mark.parametrize("extra", ["liaison"])
def test_expert_who_is_also_liaison_sees_both_sections(app, world, make_org, session, extra):
    w = world
    member = w.experts[0]
    member.user.organization_id = make_org().id
    member.user.extra_roles = [UserRole(role=extra)]
    session.flush()
    home = _signed_in(app, member).get("/").text
    assert 'id="todo-expert"' in home and 'id="todo-liaison"' in home
    assert '<a href="/roster">Members</a>' in home and '<a href="/inbox">My panels</a>' in home
