"""Real answers of the API match the response bodies its OpenAPI document describes."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import bearer

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


def check(spec: dict, schema: dict, value: Any, where: str = "$") -> list[str]:
    """The ways ``value`` breaks ``schema`` (OpenAPI 3.0 subset the document uses)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return check(spec, spec["components"]["schemas"][name], value, where)
    if "allOf" in schema:
        return [p for part in schema["allOf"] for p in check(spec, part, value, where)]
    if value is None:
        return [] if schema.get("nullable") or not schema.get("type") else [f"{where}: null"]
    kind = schema.get("type")
    if kind is None:
        return []
    expected = _TYPES[kind]
    if isinstance(value, bool) and kind in ("integer", "number"):
        return [f"{where}: bool for {kind}"]
    if not isinstance(value, expected):
        return [f"{where}: {type(value).__name__} for {kind}"]
    problems: list[str] = []
    if kind == "object" and "properties" in schema:
        props = schema["properties"]
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}.{key}: missing")
        if schema.get("additionalProperties") is not True:
            problems += [f"{where}.{k}: not described" for k in value if k not in props]
        for key, item in value.items():
            if key in props:
                problems += check(spec, props[key], item, f"{where}.{key}")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value[:5]):
            problems += check(spec, schema["items"], item, f"{where}[{i}]")
    return problems


def _operation(spec: dict, url: str, method: str) -> dict:
    path = url.split("?", 1)[0]
    for template, ops in spec["paths"].items():
        parts, real = template.strip("/").split("/"), path.strip("/").split("/")
        if (
            len(parts) == len(real)
            and all(
                p == r or (p.startswith("{") and p.endswith("}"))
                for p, r in zip(parts, real, strict=True)
            )
            and method in ops
        ):
            return ops[method]
    raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")


@pytest.fixture
def published(world):
    rid, pid = world.to_published()
    return rid, pid


def test_answers_match_the_documented_response_bodies(world, client, published, make_person):
    spec = client.get("/api/v1/openapi.json").json
    rid, pid = published
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
    ]
    problems: list[str] = []
    for who, method, url in calls:
        res = client.open(url, method=method, headers=bearer(who.token) if who else {})
        assert res.status_code == 200, (url, res.status_code)
        op = _operation(spec, url, method)
        assert str(res.status_code) in op["responses"], url
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        problems += [f"{url}: {p}" for p in check(spec, schema, res.json)]
    assert invitations
    assert problems == [], "\n".join(problems)


def test_every_operation_describes_its_success_body_and_errors(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            success = op["responses"].get("200") or op["responses"].get("201")
            assert success and success.get("content"), (path, method)
            assert "503" in op["responses"], (path, method)
            if "{" in path:
                assert "404" in op["responses"], (path, method)
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")) and status != "401":
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error")
