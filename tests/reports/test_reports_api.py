"""``GET /api/v1/reports/activity``: the contract's fields, bad input, who may read it."""

from __future__ import annotations

import pytest
from helpers import bearer

from expertnet.reports.queries import current_year

CONTRACT = (
    "requests_by_kind",
    "meetings_held",
    "opinions_published",
    "experts_engaged",
    "organizations_engaged",
    "median_days_to_publish",
    "adoption_rate",
)


def test_the_report_has_the_fields_of_the_contract(built_year, client):
    res = client.get("/api/v1/reports/activity?year=2025")
    assert res.status_code == 200
    data = res.json
    assert set(CONTRACT) <= set(data)
    assert data["year"] == 2025
    assert data["requests_by_kind"] == {"consultation": 2, "critique": 2, "assessment": 1}
    assert (data["meetings_held"], data["opinions_published"]) == (3, 4)
    assert (data["experts_engaged"], data["organizations_engaged"]) == (6, 3)
    assert data["median_days_to_publish"] == 27.7
    assert data["adoption_rate"] == 0.5
    assert data["province_mixing"]["mixed"] == 1
    assert len(data["organizations"]) == 3


@pytest.mark.parametrize("year", ["abc", "2025.5", "1800", "99999", "-2025", "20 25"])
def test_a_bad_year_is_refused_with_422_naming_year(client, year):
    res = client.get("/api/v1/reports/activity", query_string={"year": year})
    assert res.status_code == 422
    assert set(res.json["error"]["fields"]) == {"year"}
    assert res.json["error"]["code"] == "invalid"


def test_without_a_year_the_report_is_of_this_year(client):
    res = client.get("/api/v1/reports/activity")
    assert res.status_code == 200 and res.json["year"] == current_year()


@pytest.mark.parametrize("which", ["agency", "missing", "text"])
def test_an_organisation_outside_the_union_is_refused_with_422(built_year, client, which):
    value = {"agency": built_year.orgs["agency"].id, "missing": 999_999, "text": "x"}[which]
    res = client.get("/api/v1/reports/activity", query_string={"year": 2025, "organization": value})
    assert res.status_code == 422
    assert set(res.json["error"]["fields"]) == {"organization"}


def test_the_report_of_one_organisation_through_the_api(built_year, client):
    org = built_year.orgs["B"]
    res = client.get(f"/api/v1/reports/activity?year=2025&organization={org.id}")
    assert res.status_code == 200
    assert res.json["organization"]["id"] == org.id
    assert res.json["opinions_published"] == 2


@pytest.mark.parametrize("who", [None, "agency", "coordinator", "approver"])
def test_the_figures_are_public_and_the_same_for_everyone(built_year, client, who):
    public = client.get("/api/v1/reports/activity?year=2025").json
    headers = bearer(built_year.tokens[who]) if who else {}
    res = client.get("/api/v1/reports/activity?year=2025", headers=headers)
    assert res.status_code == 200
    assert res.json == public
    assert "Dự án mật" not in res.get_data(as_text=True)  # counted, never described


def test_a_wrong_token_is_not_read_as_the_public(client):
    res = client.get("/api/v1/reports/activity?year=2025", headers=bearer("nope"))
    assert res.status_code == 401


def test_openapi_documents_the_report_and_the_letters(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    report = paths["/api/v1/reports/activity"]["get"]
    assert {p["name"] for p in report["parameters"]} == {"year", "organization"}
    assert "422" in report["responses"]
    for ext in ("docx", "pdf"):
        assert "404" in paths[f"/api/v1/opinions/{{opinion_id}}.{ext}"]["get"]["responses"]
    assert "/api/v1/reports/activity.xlsx" in paths
