"""Real answers of the API match the response bodies its OpenAPI document describes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from helpers import bearer
from openapi_check import check, operation


@pytest.fixture
def published(world):
    rid, pid = world.to_published()
    return rid, pid


def test_answers_match_the_documented_response_bodies(world, client, published, make_person):
    spec = client.get("/api/v1/openapi.json").json
    rid, pid = published
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    expert = world.experts[0]
    invitations = world.ok(expert, "GET", "/api/v1/me/invitations")["items"]
    meeting_body = {"kind": "workshop", "title": "Hội thảo", "starts_at": "2030-01-02T08:00:00Z",
                    "place": "Hội trường"}  # fmt: skip
    rid2 = world.to_in_review()
    meeting = world.ok(world.coordinator, "POST", f"/api/v1/requests/{rid2}/meetings",
                       meeting_body, 201)  # fmt: skip
    calls = [
        (None, "get", "/api/v1/opinions"),
        (None, "get", f"/api/v1/opinions/{pid}"),
        (None, "get", "/api/v1/organizations"),
        (None, "get", "/api/v1/fields"),
        (None, "get", "/api/v1/experts"),
        (None, "get", "/healthz"),
        (world.coordinator, "get", "/api/v1/experts"),
        (world.coordinator, "get", f"/api/v1/experts/{expert.person_id}"),
        (expert, "get", f"/api/v1/experts/{expert.person_id}"),
        (world.coordinator, "get", "/api/v1/requests"),
        (world.coordinator, "get", f"/api/v1/requests/{rid}"),
        (world.coordinator, "get", f"/api/v1/requests/{rid}/history"),
        (world.coordinator, "get", f"/api/v1/requests/{rid}/documents"),
        (world.coordinator, "get", f"/api/v1/requests/{rid}/panel"),
        (world.coordinator, "get", f"/api/v1/requests/{rid}/opinions"),
        (world.coordinator, "get", f"/api/v1/requests/{rid}/consolidation"),
        (world.coordinator, "get", f"/api/v1/requests/{rid2}/meetings"),
        (world.coordinator, "get", f"/api/v1/meetings/{meeting['id']}"),
        (world.coordinator, "get", f"/api/v1/experts/{expert.person_id}/relationships"),
        (expert, "get", "/api/v1/me/invitations"),
        (expert, "get", "/api/v1/me/notifications"),
        (world.agency, "get", "/api/v1/requests"),
        # The panel and the expert network: the statistics build the graph first, so the
        # ego network (which never waits for a build) answers.
        (world.coordinator, "get", f"/api/v1/requests/{rid2}/panel/suggestions?size=2"),
        (world.coordinator, "get", "/api/v1/network/stats"),
        (world.coordinator, "get", f"/api/v1/experts/{expert.person_id}/network?depth=2"),
        (None, "get", f"/api/v1/reports/activity?year={year}"),
    ]
    problems: list[str] = []
    for who, method, url in calls:
        res = client.open(url, method=method, headers=bearer(who.token) if who else {})
        assert res.status_code == 200, (url, res.status_code)
        op = operation(spec, url, method)
        assert str(res.status_code) in op["responses"], url
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        problems += [f"{url}: {p}" for p in check(spec, schema, res.json)]
    plan = client.post(
        "/api/v1/panel/plan",
        json={"requests": [rid2], "seats": 1},
        headers=bearer(world.coordinator.token),
    )
    assert plan.status_code == 200, plan.json
    schema = operation(spec, "/api/v1/panel/plan", "post")["responses"]["200"]["content"]
    problems += [f"plan: {p}" for p in check(spec, schema["application/json"]["schema"], plan.json)]
    assert invitations
    assert problems == [], "\n".join(problems)


def test_every_operation_describes_its_success_body_and_errors(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            success = next(
                (op["responses"][s] for s in ("200", "201", "202") if s in op["responses"]), None
            )
            if success is None:  # an answer without a body, and only then
                assert "204" in op["responses"] and "content" not in op["responses"]["204"]
            else:
                assert success.get("content"), (path, method)
            assert "503" in op["responses"], (path, method)
            if "{" in path:
                assert "404" in op["responses"], (path, method)
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")) and status != "401":
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error")


def _bare_objects(spec: dict, schema: dict, where: str) -> list[str]:
    """Objects in ``schema`` that say nothing of their keys: neither properties nor a
    documented value type for a free-form map (``additionalProperties``)."""
    if "$ref" in schema:
        return []  # components are checked on their own
    found: list[str] = []
    if schema.get("type") == "object" and not (
        schema.get("properties") or isinstance(schema.get("additionalProperties"), dict)
    ):
        found.append(where)
    for key, sub in (schema.get("properties") or {}).items():
        found += _bare_objects(spec, sub, f"{where}.{key}")
    if isinstance(schema.get("items"), dict):
        found += _bare_objects(spec, schema["items"], f"{where}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        found += _bare_objects(spec, schema["additionalProperties"], f"{where}{{}}")
    for part in schema.get("allOf", []):
        found += _bare_objects(spec, part, where)
    return found


def test_no_json_answer_is_a_bare_object(client):
    spec = client.get("/api/v1/openapi.json").json
    bare: set[str] = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                body = (answer.get("content") or {}).get("application/json")
                if body is not None:
                    where = f"{method.upper()} {path} {status}"
                    bare |= set(_bare_objects(spec, body["schema"], where))
    for name, schema in spec["components"]["schemas"].items():
        bare |= set(_bare_objects(spec, schema, f"#/components/schemas/{name}"))
    # The OpenAPI document itself is, by nature, a document of its own standard.
    bare.discard("GET /api/v1/openapi.json 200")
    assert sorted(bare) == []
