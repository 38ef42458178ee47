"""Declaring personal relationships: who may, bad input, and the conflict it creates."""

from __future__ import annotations

import pytest

from expertnet.panel.suggest import RequestProfile, suggest


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_an_expert_declares_a_relative_and_is_then_excluded(
    client, make_user, make_org, make_person, make_expert
):
    company = make_org(kind="enterprise")
    expert = make_expert(public_profile=True)
    brother = make_person(full_name="Lê Văn Em", employer_id=company.id, public_profile=True)
    _user, token = make_user("expert", person=expert)
    r = client.post(
        f"/api/v1/experts/{expert.id}/relationships",
        json={"other_id": brother.id, "kind": "family", "note": "anh em ruột"},
        headers=_auth(token),
    )
    assert r.status_code == 201, r.json
    again = client.post(
        f"/api/v1/experts/{expert.id}/relationships",
        json={"other_id": brother.id, "kind": "family"},
        headers=_auth(token),
    )
    assert again.status_code == 409
    listed = client.get(f"/api/v1/experts/{expert.id}/relationships", headers=_auth(token))
    assert listed.json["total"] == 1
    s = suggest(RequestProfile(None, "Nuôi trồng thủy sản", subject_ids=(company.id,)), 2)
    assert {e.person_id: e.rule for e in s.excluded}[expert.id] == "related_to_insider"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"other_id": None, "kind": "family"}, "other_id"),
        ({"other_id": "x", "kind": "family"}, "other_id"),
        ({"other_id": 99999999, "kind": "family"}, "other_id"),
        ({"other_id": 0, "kind": "cousin"}, "kind"),
    ],
)
def test_bad_relationships_are_rejected(client, coordinator, make_expert, body, field):
    _user, token = coordinator
    expert = make_expert()
    r = client.post(f"/api/v1/experts/{expert.id}/relationships", json=body, headers=_auth(token))
    assert r.status_code == 422
    assert field in r.json["error"]["fields"]


def test_self_relationship_is_rejected(client, coordinator, make_expert):
    _user, token = coordinator
    expert = make_expert()
    r = client.post(
        f"/api/v1/experts/{expert.id}/relationships",
        json={"other_id": expert.id, "kind": "family"},
        headers=_auth(token),
    )
    assert r.status_code == 422


@pytest.mark.parametrize("role", ["agency", "liaison", "approver", "expert"])
def test_others_may_not_declare_for_someone_else(client, make_user, make_expert, role):
    a = make_expert(public_profile=True)
    b = make_expert()
    _user, token = make_user(role)
    r = client.post(
        f"/api/v1/experts/{a.id}/relationships",
        json={"other_id": b.id, "kind": "business_partner"},
        headers=_auth(token),
    )
    assert r.status_code == 403


def test_relationships_are_private(client, make_user, make_expert):
    a = make_expert(public_profile=True)
    assert client.get(f"/api/v1/experts/{a.id}/relationships").status_code == 401
    _user, token = make_user("agency")
    r = client.get(f"/api/v1/experts/{a.id}/relationships", headers=_auth(token))
    assert r.status_code == 404


def test_an_expert_cannot_name_someone_they_may_not_see_and_unknown_ids_answer_alike(
    client, session, make_user, make_person, make_expert
):
    from expertnet.panel.models import PersonRelationship

    expert = make_expert(public_profile=True)
    hidden = make_person(full_name="Trương Xuân Nhiên", public_profile=False)
    _user, token = make_user("expert", person=expert)
    url = f"/api/v1/experts/{expert.id}/relationships"
    invisible = client.post(
        url, json={"other_id": hidden.id, "kind": "family"}, headers=_auth(token)
    )
    unknown = client.post(url, json={"other_id": 2_000_000, "kind": "family"}, headers=_auth(token))
    assert invisible.status_code == unknown.status_code == 422
    assert invisible.json == unknown.json
    assert session.query(PersonRelationship).count() == 0


def test_staff_may_name_anyone(client, session, coordinator, make_person, make_expert):
    _user, token = coordinator
    expert = make_expert()
    hidden = make_person(full_name="Trương Xuân Nhiên", public_profile=False)
    r = client.post(
        f"/api/v1/experts/{expert.id}/relationships",
        json={"other_id": hidden.id, "kind": "family"},
        headers=_auth(token),
    )
    assert r.status_code == 201
