"""The suggestions answer is kept per snapshot: asked again it is not recomputed, and any
change it depends on (the request, the panel, a profile, a declared conflict, the
language) gives the new answer at once."""

from __future__ import annotations

import pytest

from expertnet.panel import suggest as suggest_module
from expertnet.panel.service import suggestion_json, suggestions_for_request


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setup(make_org, make_expert, make_request):
    hp = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    agency = make_org(kind="agency", name="Sở Nông nghiệp và Môi trường")
    experts = [make_expert(orgs=[org], degree="TS") for org in (hp, hd, hp, hd, hp, hd)]
    req = make_request(agency=agency)
    return {"req": req, "experts": experts, "agency": agency, "orgs": (hp, hd)}


@pytest.fixture
def scored(monkeypatch):
    """How many times the candidates were scored (the expensive part)."""
    calls = {"n": 0}
    real = suggest_module._score

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(suggest_module, "_score", counting)
    return calls


def _ask(client, token, req, size=3, lang=None):
    url = f"/api/v1/requests/{req.id}/panel/suggestions?size={size}"
    if lang:
        url += f"&lang={lang}"
    r = client.get(url, headers=_auth(token))
    assert r.status_code == 200, r.json
    return r.json


def _panel(body):
    return [i["expert_id"] for i in body["items"]]


def _excluded(body):
    return {e["expert_id"]: e["rule"] for e in body["excluded"]}


def test_the_same_question_is_answered_once_per_snapshot(app, client, coordinator, setup, scored):
    _user, token = coordinator
    first = _ask(client, token, setup["req"])
    assert scored["n"] == 1
    assert _ask(client, token, setup["req"]) == first
    assert scored["n"] == 1
    # Another size reuses the scores; the answer is the one computed without any cache.
    five = _ask(client, token, setup["req"], size=5)
    assert scored["n"] == 1
    with app.test_request_context("/"):
        fresh = suggestion_json(suggestions_for_request(setup["req"], 5), setup["req"].id)
    assert five == fresh


def test_an_edit_to_the_request_changes_the_answer_at_once(
    client, session, coordinator, setup, scored
):
    _user, token = coordinator
    before = _ask(client, token, setup["req"])
    member = before["items"][0]["expert_id"]
    org = next(o for o in setup["orgs"] if any(m.person_id == member for m in o.memberships))
    assert not before["items"][0]["potential_conflicts"]
    # The member's association becomes a subject of the request: a potential conflict.
    setup["req"].subject_organizations = [org]
    session.commit()
    after = _ask(client, token, setup["req"])
    item = next(i for i in after["items"] if i["expert_id"] == member)
    assert [c["rule"] for c in item["potential_conflicts"]] == ["member_of_party"]
    assert scored["n"] == 2


def test_an_invitation_changes_the_answer_at_once(client, session, coordinator, setup, invite):
    _user, token = coordinator
    before = _ask(client, token, setup["req"])
    member = before["items"][0]["expert_id"]
    person = next(p for p in setup["experts"] if p.id == member)
    invite(setup["req"], person)
    session.commit()
    after = _ask(client, token, setup["req"])
    assert member not in _panel(after)
    assert _excluded(after)[member] == "already_invited"


def test_a_profile_edit_changes_the_answer_at_once(client, session, coordinator, setup):
    _user, token = coordinator
    before = _ask(client, token, setup["req"])
    member = before["items"][0]["expert_id"]
    person = next(p for p in setup["experts"] if p.id == member)
    person.available = False
    session.commit()
    after = _ask(client, token, setup["req"])
    assert member not in _panel(after)
    assert _excluded(after)[member] == "unavailable"


def test_a_declared_relationship_changes_the_answer_at_once(
    client, session, coordinator, setup, make_person
):
    _user, token = coordinator
    before = _ask(client, token, setup["req"])
    member = before["items"][0]["expert_id"]
    insider = make_person(full_name="Lê Văn Em", employer_id=setup["agency"].id)
    session.commit()
    assert member in _panel(_ask(client, token, setup["req"]))
    r = client.post(
        f"/api/v1/experts/{member}/relationships",
        json={"other_id": insider.id, "kind": "family"},
        headers=_auth(token),
    )
    assert r.status_code == 201, r.json
    after = _ask(client, token, setup["req"])
    assert member not in _panel(after)
    assert _excluded(after)[member] == "related_to_insider"


def test_each_language_gets_its_own_answer(client, coordinator, setup):
    _user, token = coordinator
    vi = _ask(client, token, setup["req"], lang="vi")
    en = _ask(client, token, setup["req"], lang="en")
    assert _panel(vi) == _panel(en)
    assert vi["items"][0]["reasons"] != en["items"][0]["reasons"]
    assert _ask(client, token, setup["req"], lang="vi") == vi
