"""The letter's data entered through the pages: the agency's letter, recipients, register number."""

from __future__ import annotations

from datetime import date

from helpers import csrf_from
from sqlalchemy import select

from expertnet.consultation.models import Consolidation, PublishedOpinion, Request


def _client(app, member):
    client = app.test_client()
    page = client.get("/login")
    res = client.post(
        "/login",
        data={
            "email": member.user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert res.status_code == 302
    return client, csrf_from(client.get("/register").text)


def test_agency_letter_recipients_and_register_number_through_the_pages(app, world, session):
    agency, token = _client(app, world.agency)
    res = agency.post(
        "/requests/new",
        data={
            "csrf_token": token,
            "kind": "critique",
            "title": "Đề án cảng cạn",
            "summary": "Xin ý kiến.",
            "agency_letter_number": "125/SGTVT-KH",
            "agency_letter_date": "2026-03-05",
        },
    )
    assert res.status_code == 303, res.text[:2000]
    filed = session.scalars(select(Request).where(Request.title == "Đề án cảng cạn")).one()
    assert (filed.agency_letter_number, filed.agency_letter_date) == (
        "125/SGTVT-KH",
        date(2026, 3, 5),
    )
    form = agency.get(f"/requests/{filed.id}/edit").text
    assert 'value="125/SGTVT-KH"' in form

    rid = world.to_consolidation()
    world.consolidate(rid)
    coordinator, token = _client(app, world.coordinator)
    page = coordinator.get(f"/requests/{rid}/consolidation").text
    assert "Nơi nhận khác của văn bản" in page
    consolidation = session.scalar(select(Consolidation).where(Consolidation.request_id == rid))
    session.refresh(consolidation)
    existing = consolidation.recommendations
    data = {
        "csrf_token": token,
        "version": str(session.get(Request, rid).version),
        "consolidation_version": str(consolidation.version),
        "text": "Liên hiệp Hội nhất trí.",
        "recipients": "Sở Tài chính (để biết)\n\n  Sở Xây dựng (để biết)  ",
    }
    for n, rec in enumerate(existing):
        data[f"recommendations-{n}-text"] = rec["text"]
        data[f"recommendations-{n}-endorsed_by"] = [str(p) for p in rec["endorsed_by"]]
    res = coordinator.post(f"/requests/{rid}/consolidation", data=data)
    assert res.status_code == 303, res.text[:3000]
    session.refresh(consolidation)
    assert consolidation.recipients == ["Sở Tài chính (để biết)", "Sở Xây dựng (để biết)"]
    world.act(world.coordinator, rid, "submit_consolidation")

    approver, token = _client(app, world.approver)
    detail = approver.get(f"/requests/{rid}/approval").text
    assert 'name="approve-letter_number"' in detail
    version = session.get(Request, rid).version
    refused = approver.post(
        f"/requests/{rid}/actions/approve",
        data={
            "csrf_token": token,
            "approve-version": version,
            "approve-letter_number": "0",
            "approve-confirm": "y",
        },
    )
    assert refused.status_code == 422
    session.expire_all()
    assert session.get(Request, rid).state == "approval"
    res = approver.post(
        f"/requests/{rid}/actions/approve",
        data={
            "csrf_token": token,
            "approve-version": version,
            "approve-letter_number": "12",
            "approve-confirm": "y",
        },
    )
    assert res.status_code == 303, res.text[:2000]
    opinion = session.scalar(select(PublishedOpinion).where(PublishedOpinion.request_id == rid))
    assert opinion.number == "12/LHH-TVPB"
    assert opinion.content["recipients"]["added"] == [
        "Sở Tài chính (để biết)",
        "Sở Xây dựng (để biết)",
    ]


def test_signer_command_sets_the_approvers_name_and_office(runner, world, session):
    from expertnet.consultation.models import Signer

    email = world.approver.user.email
    res = runner.invoke(
        args=["signer", "--email", email, "--name", "Nguyễn Văn Bình", "--office", "vice_president"]
    )
    assert res.exit_code == 0, res.output
    signer = session.get(Signer, world.approver.user.id)
    assert (signer.name, signer.office) == ("Nguyễn Văn Bình", "vice_president")
    refused = runner.invoke(
        args=["signer", "--email", world.coordinator.user.email, "--name", "X Y"]
    )
    assert refused.exit_code != 0 and session.get(Signer, world.coordinator.user.id) is None


def test_panel_page_lists_seats_then_names_in_vietnamese_order(app, world, session):
    from expertnet.directory.models import Person

    rid = world.to_panel_forming()
    names = {3: "Nguyễn Văn Bình", 4: "Đỗ Văn Bình", 2: "Dương Văn Bình", 1: "Lê Thị Ánh"}
    for n, name in names.items():
        person = session.get(Person, world.experts[n].person_id)
        person.full_name = name
    session.flush()
    world.invite(rid, world.experts[3], "member")
    world.invite(rid, world.experts[4], "member")
    world.invite(rid, world.experts[2], "member")
    world.invite(rid, world.experts[1], "member")
    world.invite(rid, world.experts[0], "chair")
    coordinator, _token = _client(app, world.coordinator)
    page = coordinator.get(f"/requests/{rid}/panel").text
    at = [page.index(n) for n in ["Lê Thị Ánh", "Dương Văn Bình", "Đỗ Văn Bình", "Nguyễn Văn Bình"]]
    chair = page.index(session.get(Person, world.experts[0].person_id).full_name)
    assert chair < at[0] and at == sorted(at)
