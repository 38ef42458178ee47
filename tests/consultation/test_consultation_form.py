"""The form of consultation (council meeting, workshop, written opinions only), chosen
while the panel is formed, and what follows from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import csrf_from

from expertnet.consultation.models import Meeting, Request


def _meeting(world, rid: int, status: int):
    body = {
        "kind": "panel_meeting",
        "title": "Phiên họp Hội đồng",
        "starts_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        "place": "Hội trường Liên hiệp Hội",
    }
    res = world.call(world.coordinator, "POST", f"/api/v1/requests/{rid}/meetings", body)
    assert res.status_code == status, res.get_data(as_text=True)
    return res


def test_the_coordinator_chooses_the_form_while_forming_the_panel(world, session):
    rid = world.to_panel_forming()
    assert world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}")["consultation_form"] == (
        "council"
    )
    # Not the agency, not an unknown value; nothing changes.
    res = world.call(
        world.agency, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": "written"}
    )
    assert res.status_code == 403
    res = world.call(
        world.coordinator, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": "x"}
    )
    assert res.status_code == 422 and "consultation_form" in res.json["error"]["fields"]
    session.expire_all()
    assert session.get(Request, rid).consultation_form == "council"

    changed = world.ok(
        world.coordinator, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": "written"}
    )
    assert changed["consultation_form"] == "written"
    # Written opinions only: no meetings, and no meeting pages.
    _meeting(world, rid, 409)
    assert session.query(Meeting).filter_by(request_id=rid).count() == 0
    assert world.call(world.coordinator, "GET", f"/api/v1/requests/{rid}/meetings").status_code in (
        403,
        404,
    )
    # Back to a workshop: meetings again; then written is refused while one is scheduled.
    world.ok(
        world.coordinator, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": "workshop"}
    )
    _meeting(world, rid, 201)
    res = world.call(
        world.coordinator, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": "written"}
    )
    assert res.status_code == 409
    session.expire_all()
    assert session.get(Request, rid).consultation_form == "workshop"


def test_the_form_is_fixed_once_the_review_starts(world, session):
    rid = world.to_in_review()
    res = world.call(
        world.coordinator, "PATCH", f"/api/v1/requests/{rid}", {"consultation_form": "written"}
    )
    assert res.status_code == 403
    session.expire_all()
    assert session.get(Request, rid).consultation_form == "council"


def _client(app, member):
    client = app.test_client()
    client.set_cookie("expertnet_lang", "en")
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
    return client


def test_the_form_on_the_panel_page(app, world, session):
    rid = world.to_panel_forming()
    client = _client(app, world.coordinator)
    page = client.get(f"/requests/{rid}/panel")
    assert page.status_code == 200 and "Form of consultation" in page.text
    assert "Written opinions only" in page.text
    res = client.post(
        f"/requests/{rid}/consultation-form",
        data={
            "csrf_token": csrf_from(page.text),
            "version": str(session.get(Request, rid).version),
            "consultation_form": "written",
        },
    )
    assert res.status_code == 303, res.text[:2000]
    session.expire_all()
    assert session.get(Request, rid).consultation_form == "written"
    detail = client.get(f"/requests/{rid}").text
    assert f'href="/requests/{rid}/meetings"' not in detail
    assert client.get(f"/requests/{rid}/meetings").status_code in (403, 404)
    # The invite forms propose a respond-by date five working days on, at 17:00.
    from expertnet.consultation.views.panel import _default_respond_by
    from expertnet.core.workdays import is_working_day

    with app.test_request_context():
        proposed = _default_respond_by()
    assert (proposed.hour, proposed.minute) == (17, 0)
    assert is_working_day(proposed.date())
