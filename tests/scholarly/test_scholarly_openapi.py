"""The scholarly record's answers match the response bodies the OpenAPI document
describes, key by key."""

from __future__ import annotations

from helpers import bearer
from openapi_check import check, operation

PUB = {
    "type": "journal_article",
    "title": "Nuôi tôm thẻ chân trắng",
    "authors": [{"name": "Nguyễn Văn An"}, {"name": "John Smith"}],
    "year": 2023,
    "venue": "Tạp chí Thủy sản",
    "doi": "10.1234/abc",
    "keywords": ["tôm"],
}


def test_scholarly_answers_match_their_documented_bodies(client, expert):
    spec = client.get("/api/v1/openapi.json").json
    pid, auth = expert["person"].id, bearer(expert["token"])
    problems: list[str] = []

    def call(method: str, url: str, body=None, status=200) -> dict:
        res = client.open(url, method=method, json=body, headers=auth)
        assert res.status_code == status, (url, res.status_code, res.json)
        answer = operation(spec, url, method.lower())["responses"][str(status)]
        schema = answer["content"]["application/json"]["schema"]
        problems.extend(f"{method} {url}: {p}" for p in check(spec, schema, res.json))
        return res.json

    pub = call("POST", f"/api/v1/experts/{pid}/publications", PUB, 201)
    call("GET", f"/api/v1/publications/{pub['id']}")
    call("PATCH", f"/api/v1/publications/{pub['id']}", {"venue": "Tạp chí Nông nghiệp"})
    assert call("GET", f"/api/v1/experts/{pid}/publications")["items"]
    project = {"title": "Đề tài", "level": "city", "role": "lead", "start_year": 2022}
    proj = call("POST", f"/api/v1/experts/{pid}/projects", project, 201)
    call("PATCH", f"/api/v1/projects/{proj['id']}", {"funder": "Sở Khoa học và Công nghệ"})
    assert call("GET", f"/api/v1/experts/{pid}/projects")["items"]
    patent = {"kind": "utility_solution", "title": "Máy sục khí", "year": 2021}
    pat = call("POST", f"/api/v1/experts/{pid}/patents", patent, 201)
    call("PATCH", f"/api/v1/patents/{pat['id']}", {"office": "Cục Sở hữu trí tuệ"})
    assert call("GET", f"/api/v1/experts/{pid}/patents")["items"]
    call("PUT", f"/api/v1/experts/{pid}/orcid", {"orcid": "0000-0002-1825-0097"})
    assert problems == [], "\n".join(problems)
