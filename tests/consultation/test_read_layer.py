"""One read layer (consultation/queries.py) behind pages and API: same items, same 404s.

Each test reads the same thing through a page and through the API and checks they agree:
the request list (with its state and kind filters and its pages), the published register,
the not-found answer of each edge, and who sees panel suggestions.
"""

from __future__ import annotations

import re

import pytest

from expertnet.consultation import queries
from expertnet.consultation.models import PublishedOpinion
from expertnet.core.errors import NotFound

REQUEST_LINK = re.compile(r'href="/requests/(\d+)"')
OPINION_LINK = re.compile(r'href="/register/(\d+)"')


def _ids(pattern: re.Pattern, html: str) -> list[int]:
    """The linked ids in page order, each once."""
    return list(dict.fromkeys(int(x) for x in pattern.findall(html)))


def _file(world, n: int, kind: str) -> list[int]:
    return [world.file(kind=kind, title=f"Đề án số {i} ({kind})")["id"] for i in range(n)]


def _api_ids(world, who, url: str) -> list[int]:
    return [item["id"] for item in world.ok(who, "GET", url)["items"]]


def test_request_list_page_and_api_show_the_same_requests_for_the_same_filters(world, auth):
    critiques = _file(world, 2, "critique")
    consultations = _file(world, 2, "consultation")
    world.act(world.agency, critiques[0], "submit")
    auth.login(world.agency.user.email)
    for query in ("", "kind=critique", "kind=consultation", "state=draft", "state=submitted"):
        page = world.client.get(f"/requests?{query}")
        assert page.status_code == 200
        api = _api_ids(world, world.agency, f"/api/v1/requests?per_page=100&{query}")
        assert _ids(REQUEST_LINK, page.text) == api, query
    assert set(_api_ids(world, world.agency, "/api/v1/requests?kind=consultation")) == set(
        consultations
    )
    assert _api_ids(world, world.agency, "/api/v1/requests?state=submitted") == [critiques[0]]


def test_the_request_list_page_is_paged_like_the_api(world, auth):
    filed = _file(world, 23, "critique")
    auth.login(world.agency.user.email)
    first = world.client.get("/requests")
    second = world.client.get("/requests?page=2")
    assert first.status_code == second.status_code == 200
    assert _ids(REQUEST_LINK, first.text) == _api_ids(
        world, world.agency, "/api/v1/requests?page=1&per_page=20"
    )
    assert _ids(REQUEST_LINK, second.text) == _api_ids(
        world, world.agency, "/api/v1/requests?page=2&per_page=20"
    )
    assert len(_ids(REQUEST_LINK, first.text)) == 20
    assert sorted(_ids(REQUEST_LINK, first.text) + _ids(REQUEST_LINK, second.text)) == sorted(filed)
    assert 'rel="next" href="/requests?page=2"' in first.text
    assert 'rel="prev" href="/requests?page=1"' in second.text
    assert 'rel="next"' not in second.text
    # The filters stay set on the pager's links.
    kinded = world.client.get("/requests?kind=critique")
    assert 'href="/requests?page=2&amp;kind=critique"' in kinded.text


def test_unknown_filters_are_refused_by_both_edges(world, auth):
    _file(world, 1, "critique")
    auth.login(world.agency.user.email)
    assert world.client.get("/requests?kind=poetry").status_code == 404
    assert world.client.get("/requests?state=nowhere").status_code == 404
    res = world.call(world.agency, "GET", "/api/v1/requests?kind=poetry")
    assert res.status_code == 422 and "kind" in res.json["error"]["fields"]
    res = world.call(world.agency, "GET", "/api/v1/requests?state=nowhere")
    assert res.status_code == 422 and "state" in res.json["error"]["fields"]


def test_a_request_out_of_sight_is_404_on_both_edges(world, auth, app):
    rid = world.file()["id"]
    auth.login(world.other_agency.user.email)
    for url in (f"/requests/{rid}", f"/requests/{rid}/meetings", "/requests/987654"):
        page = world.client.get(url)
        assert page.status_code == 404, url
        assert "text/html" in page.content_type
    # Out of sight reads exactly like not there, so the request's existence is not revealed.
    answers = [
        world.call(world.other_agency, "GET", url)
        for url in (f"/api/v1/requests/{rid}", "/api/v1/requests/987654")
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json == answers[1].json
    assert answers[0].json["error"]["code"] == "not_found"
    # The loader itself raises the one not-found both edges map.
    with app.test_request_context():
        with pytest.raises(NotFound):
            queries.request_for(rid, world.other_agency.user)
        assert queries.request_for(rid, world.agency.user).id == rid


def test_missing_documents_opinions_and_notifications_are_404_on_both_edges(world, auth):
    res = world.call(world.agency, "POST", "/api/v1/me/notifications/987654/read")
    assert res.status_code == 404 and res.json["error"]["code"] == "not_found"
    auth.login(world.agency.user.email)
    for page_url, api_url in (
        ("/documents/987654", "/api/v1/documents/987654"),
        ("/register/987654", "/api/v1/opinions/987654"),
    ):
        page = world.client.get(page_url)
        assert page.status_code == 404 and "text/html" in page.content_type
        res = world.call(world.agency, "GET", api_url)
        assert res.status_code == 404 and res.json["error"]["code"] == "not_found"


def test_the_register_page_and_api_list_the_same_opinions(world, auth, session):
    rid, opinion_id = world.to_published()
    world.file(title="Chưa công bố")
    auth.login(world.agency.user.email)
    year = session.get(PublishedOpinion, opinion_id).year
    for query in ("", "kind=critique", "kind=consultation", f"year={year}", "q=Lạch+Huyện"):
        page = world.client.get(f"/register?{query}")
        assert page.status_code == 200, query
        api = _api_ids(world, world.agency, f"/api/v1/opinions?per_page=100&{query}")
        assert _ids(OPINION_LINK, page.text) == api, query
    assert _api_ids(world, None, "/api/v1/opinions?kind=critique") == [opinion_id]
    assert _api_ids(world, None, "/api/v1/opinions?kind=consultation") == []
    # The one opinion reads the same on both edges.
    assert world.client.get(f"/register/{opinion_id}").status_code == 200
    assert world.ok(None, "GET", f"/api/v1/opinions/{opinion_id}")["id"] == opinion_id
    assert world.ok(None, "GET", "/api/v1/opinions")["items"][0]["request_id"] == rid


def _sees_suggestions_on_the_page(world, who, rid: int) -> bool:
    page = world.client.get(f"/requests/{rid}/panel")
    assert page.status_code == 200
    return 'class="suggestions"' in page.text


@pytest.mark.parametrize("who", ["coordinator", "coordinator2", "approver", "admin"])
def test_panel_suggestions_follow_one_rule_on_both_edges(world, auth, who):
    """Staff see suggestions from acceptance until the review ends, on the page as in the API."""
    member = getattr(world, who)
    forming = world.to_panel_forming()
    accepted = world.file()["id"]
    world.act(world.agency, accepted, "submit")
    world.act(world.coordinator, accepted, "accept")
    submitted = world.file()["id"]
    world.act(world.agency, submitted, "submit")
    auth.login(member.user.email)
    for rid, expected in ((forming, True), (accepted, True), (submitted, False)):
        res = world.call(member, "GET", f"/api/v1/requests/{rid}/panel/suggestions?size=2")
        assert (res.status_code == 200) is expected, (rid, res.status_code)
        assert _sees_suggestions_on_the_page(world, member, rid) is expected, rid


def test_only_whoever_manages_the_panel_gets_invite_buttons_beside_suggestions(world, auth):
    rid = world.to_panel_forming()
    auth.login(world.approver.user.email)
    page = world.client.get(f"/requests/{rid}/panel")
    assert 'class="suggestions"' in page.text
    assert "/invitations?form=" not in page.text
    auth.logout()
    auth.login(world.coordinator.user.email)
    page = world.client.get(f"/requests/{rid}/panel")
    assert 'class="suggestions"' in page.text
    assert "/invitations?form=" in page.text
