"""The suggestions, network and statistics endpoints: answers, errors, nothing changed."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from expertnet.consultation.models import Invitation
from expertnet.panel.models import PersonRelationship


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setup(make_org, make_expert, make_request):
    hp = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    agency = make_org(kind="agency", name="Sở Nông nghiệp và Môi trường")
    insider = make_expert(employer=agency, public_profile=True)
    experts = [make_expert(orgs=[org], degree="TS") for org in (hp, hd, hp, hd)]
    req = make_request(agency=agency)
    return {"req": req, "insider": insider, "experts": experts, "agency": agency}


def test_coordinator_gets_suggestions_as_the_contract_says(client, coordinator, setup):
    _user, token = coordinator
    r = client.get(
        f"/api/v1/requests/{setup['req'].id}/panel/suggestions?size=3", headers=_auth(token)
    )
    assert r.status_code == 200, r.json
    body = r.json
    assert len(body["items"]) == 3
    for item in body["items"]:
        assert {"expert_id", "score", "reasons"} <= set(item)
        assert item["reasons"] and all(isinstance(x, str) for x in item["reasons"])
        assert 0 <= item["score"] <= 1
    excluded = {e["expert_id"]: e for e in body["excluded"]}
    insider = excluded[setup["insider"].id]
    assert insider["reason"]
    assert [n["type"] for n in insider["path"]] == ["person", "organization"]
    assert insider["path"][1]["id"] == setup["agency"].id
    assert sum(1 for i in body["items"] if i["chair"]) == 1


@pytest.mark.parametrize("role", ["agency", "expert", "liaison"])
def test_roles_that_may_not_see_suggestions_get_403(client, make_user, setup, role):
    _user, token = make_user(role)
    r = client.get(f"/api/v1/requests/{setup['req'].id}/panel/suggestions", headers=_auth(token))
    assert r.status_code == 403
    assert r.json["error"]["code"] == "forbidden"


def test_anonymous_caller_gets_401(client, setup):
    r = client.get(f"/api/v1/requests/{setup['req'].id}/panel/suggestions")
    assert r.status_code == 401


@pytest.mark.parametrize("size", ["0", "-1", "abc", "26", "1.5"])
def test_nonsense_sizes_are_rejected_and_nothing_changes(client, coordinator, setup, session, size):
    _user, token = coordinator
    before = session.scalar(select(func.count(Invitation.id)))
    r = client.get(
        f"/api/v1/requests/{setup['req'].id}/panel/suggestions?size={size}", headers=_auth(token)
    )
    assert r.status_code == 422
    assert "size" in r.json["error"]["fields"]
    assert session.scalar(select(func.count(Invitation.id))) == before


def test_unknown_request_is_404(client, coordinator):
    _user, token = coordinator
    r = client.get("/api/v1/requests/987654/panel/suggestions", headers=_auth(token))
    assert r.status_code == 404


@pytest.mark.parametrize("state", ["draft", "submitted", "published", "closed"])
def test_request_in_the_wrong_state_is_409(client, coordinator, make_request, state):
    _user, token = coordinator
    req = make_request(state=state)
    r = client.get(f"/api/v1/requests/{req.id}/panel/suggestions", headers=_auth(token))
    assert r.status_code == 409
    assert r.json["error"]["code"] == "invalid_state"


def test_network_depth_must_be_1_or_2(client, setup):
    r = client.get(f"/api/v1/experts/{setup['insider'].id}/network?depth=3")
    assert r.status_code == 422


def test_public_sees_only_consenting_people(client, session, setup, make_person):
    insider = setup["insider"]
    private = setup["experts"][0]
    assert client.get(f"/api/v1/experts/{private.id}/network").status_code == 404
    colleague = make_person(full_name="Đồng Nghiệp Kín", employer_id=setup["agency"].id)
    session.add(PersonRelationship(person_a_id=insider.id, person_b_id=colleague.id, kind="family"))
    session.flush()
    r = client.get(f"/api/v1/experts/{insider.id}/network?depth=2")
    assert r.status_code == 200
    ids = {n["id"] for n in r.json["nodes"]}
    assert f"person:{insider.id}" in ids
    assert f"organization:{setup['agency'].id}" in ids
    assert f"person:{colleague.id}" not in ids
    assert all("relationship" not in e["kinds"] for e in r.json["edges"])


def test_staff_see_everyone_and_declared_ties(client, session, coordinator, setup, make_person):
    _user, token = coordinator
    insider = setup["insider"]
    colleague = make_person(full_name="Đồng Nghiệp Kín")
    session.add(PersonRelationship(person_a_id=insider.id, person_b_id=colleague.id, kind="family"))
    session.flush()
    r = client.get(f"/api/v1/experts/{insider.id}/network", headers=_auth(token))
    assert r.status_code == 200
    edges = {(e["source"], e["target"]): e["kinds"] for e in r.json["edges"]}
    key = tuple(sorted([f"person:{insider.id}", f"person:{colleague.id}"]))
    assert edges[key] == ["relationship"]


def test_network_stats_need_login_and_report_provinces(client, coordinator, setup):
    assert client.get("/api/v1/network/stats").status_code == 401
    _user, token = coordinator
    r = client.get("/api/v1/network/stats", headers=_auth(token))
    assert r.status_code == 200
    body = r.json
    assert body["experts"] >= 5
    assert {"panels_mixing_provinces", "cross_province_panel_pairs"} <= set(body["provinces"])
    thin = {f["code"]: f for f in body["thin_fields"]}
    assert thin["HUM-ART"]["available"] == 0
    assert "AGR-AQU" not in thin  # five available experts


def test_expert_network_page_is_drawn_on_the_server(client, setup):
    r = client.get(f"/experts/{setup['insider'].id}/network?depth=2")
    assert r.status_code == 200
    assert "<svg" in r.text
    svg = r.text[r.text.index("<svg") : r.text.index("</svg>") + len("</svg>")]
    assert "<script" not in svg
    # Our own markup from our own server; the point is that it is well-formed XML.
    root = ElementTree.fromstring(svg)  # noqa: S314
    assert root.tag.endswith("svg")
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(setup["agency"].name in (x or "") for x in labels)
    assert client.get(f"/experts/{setup['experts'][0].id}/network").status_code == 404


def test_union_network_page_is_for_staff(client, auth, make_user, setup):
    user, _token = make_user("expert")
    auth.login(user.email)
    assert client.get("/network").status_code == 403
    auth.logout()
    staff, _token = make_user("coordinator")
    auth.login(staff.email)
    r = client.get("/network")
    assert r.status_code == 200
    assert "Hải Dương" in r.text
