"""Planning several panels at once through the API: a proposal, within every cap."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from expertnet.consultation.models import Invitation


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def season(make_org, make_expert, make_request):
    hp = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    experts = [
        make_expert(orgs=[org], degree="TS", max_assignments=1) for org in (hp, hd, hp, hd, hp)
    ]
    reqs = [make_request(title=f"Nuôi trồng thủy sản ven biển {n}") for n in range(2)]
    return {"experts": experts, "requests": reqs}


def test_plan_fills_seats_without_passing_caps_and_changes_nothing(
    client, coordinator, season, session
):
    _user, token = coordinator
    ids = [r.id for r in season["requests"]]
    before = session.scalar(select(func.count(Invitation.id)))
    res = client.post(
        "/api/v1/panel/plan", json={"requests": ids, "seats": 2}, headers=_auth(token)
    )
    assert res.status_code == 200, res.json
    body = res.json
    assert [p["request_id"] for p in body["panels"]] == ids
    chosen = [e["expert_id"] for p in body["panels"] for e in p["experts"]]
    assert len(chosen) == len(set(chosen)) == body["seats_filled"] == 4  # cap 1 each
    assert all(0 <= e["affinity"] <= 1 for p in body["panels"] for e in p["experts"])
    assert session.scalar(select(func.count(Invitation.id))) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "requests"),
        ({"requests": []}, "requests"),
        ({"requests": [1], "seats": 0}, "seats"),
        ({"requests": ["x"]}, "requests"),
        ({"requests": [987654]}, "requests"),
    ],
)
def test_plan_refuses_bad_input_naming_the_field(client, coordinator, season, body, field):
    _user, token = coordinator
    res = client.post("/api/v1/panel/plan", json=body, headers=_auth(token))
    assert res.status_code == 422
    assert any(k.split(".")[0] == field for k in res.json["error"]["fields"])


def test_plan_is_for_staff_and_open_requests(client, make_user, coordinator, make_request):
    _user, agency_token = make_user("agency")
    draft = make_request(state="draft")
    res = client.post(
        "/api/v1/panel/plan", json={"requests": [draft.id]}, headers=_auth(agency_token)
    )
    assert res.status_code == 403
    _user, token = coordinator
    res = client.post("/api/v1/panel/plan", json={"requests": [draft.id]}, headers=_auth(token))
    assert res.status_code == 409
