"""The panel and network answers, with candidates, conflicts, paths and statistics filled
in, match the response bodies the OpenAPI document describes, key by key."""

from __future__ import annotations

from helpers import bearer
from openapi_check import check, operation

from expertnet.panel.models import PersonRelationship


def _problems(spec: dict, url: str, method: str, res) -> list[str]:
    assert res.status_code == 200, (url, res.status_code, res.json)
    schema = operation(spec, url, method)["responses"]["200"]["content"]["application/json"]
    return [f"{url}: {p}" for p in check(spec, schema["schema"], res.json)]


def test_panel_and_network_answers_match_their_documented_bodies(
    client, session, coordinator, make_org, make_expert, make_request
):
    hp = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    agency = make_org(kind="agency", name="Sở Nông nghiệp và Môi trường")
    insider = make_expert(employer=agency, public_profile=True)
    experts = [make_expert(orgs=[org], degree="TS") for org in (hp, hd, hp, hd, hp)]
    # A declared tie gives a potential conflict with a path between two candidates.
    session.add(
        PersonRelationship(
            person_a_id=experts[0].id, person_b_id=experts[1].id, kind="business_partner"
        )
    )
    req = make_request(agency=agency)
    other = make_request(agency=agency, title="Nuôi trồng thủy sản nước lợ")
    session.commit()
    _user, token = coordinator
    auth = bearer(token)
    spec = client.get("/api/v1/openapi.json").json
    problems: list[str] = []
    answers = {}
    for url in (
        f"/api/v1/requests/{req.id}/panel/suggestions?size=4",
        "/api/v1/network/stats",
        f"/api/v1/experts/{experts[0].id}/network?depth=2",
        f"/api/v1/experts/{insider.id}/network",
    ):
        res = client.get(url, headers=auth)
        problems += _problems(spec, url, "get", res)
        answers[url.split("?")[0].rsplit("/", 1)[1]] = res.json
    res = client.post(
        "/api/v1/panel/plan", json={"requests": [req.id, other.id], "seats": 2}, headers=auth
    )
    problems += _problems(spec, "/api/v1/panel/plan", "post", res)
    assert problems == [], "\n".join(problems)
    # The answers checked are full ones, not empty shells.
    assert answers["suggestions"]["items"]
    assert answers["stats"]["connecting_people"] and answers["stats"]["thin_fields"] is not None
    assert len(answers["network"]["nodes"]) > 1 and answers["network"]["edges"]
    assert all(p["experts"] for p in res.json["panels"])
