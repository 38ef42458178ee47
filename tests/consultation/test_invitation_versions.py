"""Invitations carry a version like requests do: a stale answer is refused and changes nothing."""

from __future__ import annotations


def _open_invitation(world):
    rid = world.to_panel_forming()
    inv = world.invite(rid, world.experts[0])
    assert inv["version"] == 1
    return rid, inv


def test_accepting_with_a_stale_version_answers_409_and_changes_nothing(world):
    rid, inv = _open_invitation(world)
    expert = world.experts[0]
    url = f"/api/v1/invitations/{inv['id']}/accept"

    res = world.call(
        expert, "POST", url, {"conflict_declaration": {"has_conflict": False}, "version": 5}
    )

    assert res.status_code == 409
    assert res.json["error"]["code"] == "version_conflict"
    assert res.json["error"]["current_version"] == 1
    panel = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}/panel")
    (seat,) = [i for i in panel["items"] if i["id"] == inv["id"]]
    assert (seat["state"], seat["version"], seat["responded_at"]) == ("invited", 1, None)


def test_accepting_with_the_current_version_succeeds_and_moves_it(world):
    _rid, inv = _open_invitation(world)
    body = {"conflict_declaration": {"has_conflict": False}, "version": 1}
    answer = world.ok(world.experts[0], "POST", f"/api/v1/invitations/{inv['id']}/accept", body)
    assert (answer["state"], answer["version"]) == ("accepted", 2)


def test_a_second_accept_answers_409_and_changes_nothing(world):
    rid, inv = _open_invitation(world)
    expert = world.experts[0]
    first = world.accept(expert, inv["id"])
    url = f"/api/v1/invitations/{inv['id']}/accept"

    again = world.call(
        expert, "POST", url, {"conflict_declaration": {"has_conflict": True, "details": "x y"}}
    )

    assert again.status_code == 409
    assert again.json["error"]["code"] == "invalid_transition"
    panel = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}/panel")
    (seat,) = [i for i in panel["items"] if i["id"] == inv["id"]]
    assert seat["version"] == first["version"] == 2
    assert seat["conflict_declaration"] == {"has_conflict": False, "details": None}


def test_declining_with_a_stale_version_answers_409_and_changes_nothing(world):
    rid, inv = _open_invitation(world)
    url = f"/api/v1/invitations/{inv['id']}/decline"

    res = world.call(world.experts[0], "POST", url, {"reason": "Đang bận", "version": 2})

    assert res.status_code == 409
    assert res.json["error"]["code"] == "version_conflict"
    panel = world.ok(world.coordinator, "GET", f"/api/v1/requests/{rid}/panel")
    (seat,) = [i for i in panel["items"] if i["id"] == inv["id"]]
    assert (seat["state"], seat["decline_reason"]) == ("invited", None)


def test_a_stale_opinion_version_answers_409(world):
    rid = world.to_in_review()
    expert = world.experts[0]
    url = f"/api/v1/requests/{rid}/opinion"
    saved = world.ok(expert, "PUT", url, {"summary": "Bản nháp một", "position": "support"})

    res = world.call(expert, "PUT", url, {"summary": "Bản cũ", "version": saved["version"] - 1})

    assert res.status_code == 409
    assert res.json["error"]["code"] == "version_conflict"
    (mine,) = world.ok(expert, "GET", f"/api/v1/requests/{rid}/opinions")["items"]
    assert (mine["summary"], mine["version"]) == ("Bản nháp một", saved["version"])


def test_a_version_race_no_operation_answered_is_a_409_not_a_500(app):
    # The safety net under every versioned row: SQLAlchemy's StaleDataError (a lost
    # ``UPDATE … WHERE version``) reaches the client as a conflict, never as a crash.
    from sqlalchemy.orm.exc import StaleDataError

    with app.test_request_context("/api/v1/requests/1/opinion", method="PUT"):
        res = app.make_response(app.handle_user_exception(StaleDataError("0 rows matched")))
    assert res.status_code == 409
    assert res.json["error"]["code"] == "version_conflict"
