"""Every page offers only what its viewer may do: a crawl of each role's pages."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

SKIP = re.compile(r"\.(pdf|docx|xlsx|csv|png|svg|css|js|woff2?)(\?|$)|^/static/|^/api/")
# Forms that end the session or only switch the language are not what this test is about.
SKIP_FORMS = ("/logout", "/language")
MAX_PAGES = 70


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(((a.get("method") or "get").lower(), a.get("action") or ""))


def _local(base: str, href: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "") or parts.netloc not in ("", "localhost"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if SKIP.search(path) else path


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(client, csrf: str) -> list[tuple[str, str, int]]:
    """Follow links (GET) and submit forms (POST with only the CSRF token) from the home page."""
    seen, per_pattern, refused = {"/"}, {}, []
    queue = deque(["/"])
    posted = set()
    while queue and len(seen) <= MAX_PAGES:
        path = queue.popleft()
        res = client.get(path)
        if res.status_code == 403:
            refused.append(("GET", path, 403))
            continue
        if res.status_code != 200 or "text/html" not in res.content_type:
            continue
        parser = _Links()
        parser.feed(res.get_data(as_text=True))
        for href in parser.links:
            target = _local(path, href)
            if target is None or target in seen:
                continue
            pattern = _pattern(target)
            if per_pattern.get(pattern, 0) >= 3:
                continue
            per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
            seen.add(target)
            queue.append(target)
        for method, action in parser.forms:
            target = _local(path, action or path)
            if target is None or method != "post" or target.startswith(SKIP_FORMS):
                continue
            if target in posted:
                continue
            posted.add(target)
            answer = client.post(target, data={"csrf_token": csrf})
            if answer.status_code == 403:
                refused.append(("POST", f"{target} (form on {path})", 403))
    return refused


@pytest.mark.parametrize(
    "role", ["agency", "coordinator", "approver", "admin", "liaison", "expert", "expert+liaison"]
)
def test_no_page_links_to_what_its_viewer_may_not_do(world, app, session, make_org, role):
    from helpers import csrf_from

    from expertnet.auth.models import UserRole

    rid = world.to_in_review()
    world.to_panel_forming()
    world.write_opinion(world.experts[0], rid)
    member = world.experts[0] if role.startswith("expert") else getattr(world, role)
    if role == "expert+liaison":
        member.user.organization_id = make_org().id
        member.user.extra_roles = [UserRole(role="liaison")]
        session.flush()
    client = app.test_client()
    page = client.get("/login")
    client.post("/login", data={"email": member.user.email, "password": "correct horse battery",
                                "csrf_token": csrf_from(page.text)})  # fmt: skip
    home = client.get("/")
    assert member.user.name in home.get_data(as_text=True) or home.status_code == 200
    refused = crawl(client, csrf_from(client.get("/account").get_data(as_text=True)))
    assert refused == [], f"{role} is offered what answers 403: {refused}"
