"""The contest over HTTP: an edition from draft to published results, and the refusals."""

from __future__ import annotations

from contextlib import nullcontext

from helpers import bearer, unchanged
from openapi_check import answer_problems
from sqlalchemy import func, select

from expertnet.contest.models import Edition, Entry, Score

EDITION = {
    "name": "Hội thi Sáng tạo Kỹ thuật thành phố Hải Phòng",
    "number": 5,
    "fields": ["ENG-MEC"],
    "max_spread": "15",
}
ENTRY = {
    "title": "Thiết bị tự động cấp phôi cho máy tiện CNC",
    "field": "ENG-MEC",
    "applying_organization_name": "Công ty CP Cơ khí Hải Phòng",
    "applied_since": "2024-06-01",
    "authors": [{"full_name": "Trần Văn Bình", "share": 100, "employer": "Cơ khí HP"}],
}


def test_an_edition_from_draft_to_published_results_over_http(
    client, session, make_user, make_person
):
    _sec, sec_t = make_user("coordinator")
    (b1, b1_t), (b2, b2_t) = make_user("approver"), make_user("approver")
    _author, author_t = make_user("liaison")
    judges = [
        make_user("expert", person=make_person(full_name=f"Giám khảo {i}", fields=["ENG-MEC"]))
        for i in range(3)
    ]

    # Every successful answer on the way is checked, key by key, against the body the
    # OpenAPI document describes for its status.
    spec = client.get("/api/v1/openapi.json").json
    problems: list[str] = []

    def call(token, method, url, json=None, status=200):
        headers = bearer(token) if token else {}
        refused = status >= 400 and method != "GET"
        with unchanged(session) if refused else nullcontext():  # a refusal writes nothing
            resp = client.open(url, method=method, json=json, headers=headers)
        assert resp.status_code == status, resp.get_json()
        if status < 400:
            problems.extend(answer_problems(spec, url, method.lower(), resp))
        return resp.get_json()

    ed = call(sec_t, "POST", "/api/v1/contests", EDITION, 201)
    assert [c["max_points"] for c in ed["criteria"]] == [40, 30, 30]
    assert client.get(f"/api/v1/contests/{ed['id']}").status_code == 404  # a draft is private
    url = f"/api/v1/contests/{ed['id']}"
    members = {
        "board": [b1.id, b2.id],
        "jury": [{"expert_id": u.person_id, "field": "ENG-MEC"} for u, _t in judges],
    }
    call(sec_t, "PUT", f"{url}/members", members)
    call(sec_t, "POST", f"{url}/actions/announce")
    call(sec_t, "POST", f"{url}/actions/open_entries")
    assert client.get(url).get_json()["state"] == "open"  # public now
    entry = call(author_t, "POST", f"{url}/entries", ENTRY, 201)
    e_url = f"/api/v1/entries/{entry['id']}"
    call(author_t, "PATCH", e_url, {"applied_where": "Xưởng cơ khí số 2"})
    call(author_t, "GET", f"{url}/entries")
    assert entry["allowed_actions"] == ["withdraw"]
    call(sec_t, "POST", f"{url}/actions/close_entries")
    call(sec_t, "POST", f"{e_url}/actions/mark_eligible")
    planned = call(sec_t, "POST", f"{url}/assignments/plan")
    assert planned["applied"] is False and planned["total"] == 3
    stale = {"apply": True, "fingerprint": "0" * 32}
    with unchanged(session):
        refused = call(sec_t, "POST", f"{url}/assignments/plan", stale, 409)
    assert refused["error"]["code"] == "plan_changed"
    confirm = {"apply": True, "fingerprint": planned["fingerprint"]}
    plan = call(sec_t, "POST", f"{url}/assignments/plan", confirm)
    assert plan["total"] == 3 and plan["seats"] == planned["seats"]
    call(sec_t, "POST", f"{url}/actions/start_judging")
    criteria = [c["name"] for c in ed["criteria"]]
    for (_u, token), pts in zip(judges, [(30, 20, 20), (35, 25, 25), (38, 28, 26)], strict=True):
        body = {"scores": dict(zip(criteria, pts, strict=True)), "comment": "Có tính mới."}
        call(token, "PUT", f"{e_url}/score", body)
    seen = call(sec_t, "GET", e_url)
    assert seen["state"] == "flagged" and seen["judges"] and seen["scores"]
    assert "email" not in call(judges[0][1], "GET", e_url)["authors"][0]
    call(sec_t, "POST", f"{e_url}/actions/resolve", {"comment": "Tiểu ban thống nhất giữ điểm."})
    call(sec_t, "POST", f"{url}/actions/propose_results")
    call(sec_t, "POST", f"{url}/actions/approve_results", status=403)  # not on the board
    level = ed["award_levels"][3]["id"]
    call(b1_t, "PUT", f"{url}/results/{entry['id']}", {"award_level": level, "reason": "Hiệu quả."})
    refused = call(b1_t, "POST", f"{url}/actions/approve_results", status=403)
    assert refused["error"]["code"] == "four_eyes"
    staff_view = call(b1_t, "GET", f"{url}/results")
    assert staff_view["results"][0]["edit_reason"] == "Hiệu quả."
    call(b2_t, "POST", f"{url}/actions/approve_results")
    scores_before = session.scalar(select(func.count()).select_from(Score))
    again = {"scores": dict(zip(criteria, (40, 30, 30), strict=True)), "comment": ""}
    call(judges[0][1], "PUT", f"{e_url}/score", again, status=409)
    assert session.scalar(select(func.count()).select_from(Score)) == scores_before
    assert client.get(f"{url}/results").status_code == 404  # not yet published
    call(b2_t, "POST", f"{url}/actions/publish")
    public = call(None, "GET", f"{url}/results")
    assert public["results"][0]["award"] == "Giải Khuyến khích"
    assert public["results"][0]["authors"] == ["Trần Văn Bình"]
    assert "edit_reason" not in public["results"][0]
    assert call(None, "GET", "/api/v1/contests")["total"] == 1
    assert call(None, "GET", url)["state"] == "published"
    assert problems == [], "\n".join(problems)


def test_bad_input_names_the_field_and_writes_nothing(client, session, make_user):
    _sec, sec_t = make_user("coordinator")
    before = session.scalar(select(func.count()).select_from(Edition))
    bad = {**EDITION, "criteria": [{"name": "Tính mới", "max_points": 50}]}
    with unchanged(session):
        resp = client.post("/api/v1/contests", json=bad, headers=bearer(sec_t))
    assert resp.status_code == 422
    assert "criteria" in resp.get_json()["error"]["fields"]
    _u, expert_t = make_user("expert")
    with unchanged(session):
        resp = client.post("/api/v1/contests", json=EDITION, headers=bearer(expert_t))
    assert resp.status_code == 403
    assert session.scalar(select(func.count()).select_from(Edition)) == before
    assert session.scalar(select(func.count()).select_from(Entry)) == 0


def test_refused_contest_writes_name_why_and_write_nothing(
    client, session, auth, make_user, make_person
):
    from contest_data import edition_data, entry_data

    from expertnet.contest import operations as ops

    sec, sec_t = make_user("coordinator")
    board, _ = make_user("approver")
    _other_approver, other_t = make_user("approver")
    author, author_t = make_user("liaison")
    _stranger, stranger_t = make_user("liaison")
    juror, juror_t = make_user("expert", person=make_person(fields=["ENG-MEC"]))
    edition = ops.create_edition(sec, edition_data())
    jury = [{"expert_id": juror.person_id, "field": "ENG-MEC"}]
    ops.set_members(edition, sec, {"board": [board.id], "jury": jury})
    for action in ("announce", "open_entries"):
        ops.perform_edition_action(edition, action, sec)
    entry = ops.create_entry(edition, author, entry_data())
    session.commit()
    url, e_url = f"/api/v1/contests/{edition.id}", f"/api/v1/entries/{entry.id}"

    for token, method, path, body, status, code in [
        (sec_t, "PUT", f"{url}/members", {"board": [board.id], "jury": [{"expert_id": 0}]},
         422, "invalid"),
        (sec_t, "PATCH", url, {"entries_open_on": "2026-10-01", "entries_close_on": "2026-09-01"},
         422, "invalid"),
        (sec_t, "POST", f"{url}/actions/close_entries", {"version": edition.version + 5},
         409, "version_conflict"),
        (author_t, "PATCH", e_url, {"field": "ENG-XXX"}, 422, "invalid"),
        (stranger_t, "PATCH", e_url, {"title": "Không phải của tôi"}, 404, "not_found"),
        (author_t, "POST", f"{e_url}/actions/withdraw", {"version": entry.version + 5},
         409, "version_conflict"),
        # Judges are seated once entries close, not while they are open.
        (sec_t, "POST", f"{e_url}/judges", {"expert_id": juror.person_id}, 409, "conflict"),
        (juror_t, "POST", f"{e_url}/conflict", {"details": "Đồng tác giả."}, 404, "not_found"),
        (other_t, "PUT", f"{url}/results/{entry.id}", {"award_level": None, "reason": "Vì sao."},
         403, "forbidden"),
    ]:  # fmt: skip
        with unchanged(session):
            res = client.open(path, method=method, json=body, headers=bearer(token))
        assert res.status_code == status, (method, path, res.get_json())
        assert res.get_json()["error"]["code"] == code, (method, path, res.get_json())

    # A signed-in browser session writes to the contest API only with its CSRF token.
    auth.login(sec.email)
    with unchanged(session):
        res = client.post(f"{url}/actions/close_entries", json={})
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "csrf"
