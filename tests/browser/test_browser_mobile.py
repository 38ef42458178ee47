"""Every role's main pages work on a 390 px phone: no sideways scrolling of the page."""

from __future__ import annotations

import pytest
from browsing import sign_in
from sqlalchemy import select

from expertnet.extensions import db

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def targets(live_app, users) -> dict[str, int]:
    """Ids the page list needs: a request per state, an organisation, a published opinion."""
    from expertnet.auth.models import User
    from expertnet.consultation.models import PublishedOpinion, Request
    from expertnet.demo.requests import load_demo_requests

    out: dict[str, int] = {}
    with live_app.app_context():
        if db.session.scalar(select(Request.id).where(Request.state == "approval")) is None:
            load_demo_requests(db.session, seed=7)
            db.session.commit()
        for req in db.session.scalars(select(Request).order_by(Request.id)):
            out.setdefault(req.state, req.id)
        liaison = db.session.scalar(select(User).where(User.email == users["liaison"]))
        out["org"] = liaison.organization_id
        out["published"] = db.session.scalar(select(PublishedOpinion.id).limit(1))
    return out


# role (None: the public) -> pages, formatted with the ids of ``targets``.
PAGES: dict[str | None, list[str]] = {
    None: ["/", "/experts?q=Nguy%E1%BB%85n", "/organizations", "/register", "/login"],
    "coordinator": [
        "/",
        "/workbench",
        "/requests/{in_review}",
        "/requests/{panel_forming}/panel",
        "/requests/{in_review}/meetings",
        "/requests/{approval}/consolidation",
        "/notifications",
        "/reports/activity",
        "/organizations/{org}",
        "/experts?q=kinh+t%E1%BA%BF",
        "/network",
    ],
    "approver": ["/", "/approvals", "/requests/{approval}"],
    "agency": ["/", "/requests", "/requests/new", "/register/{published}"],
    "liaison": ["/", "/organizations/{org}", "/organizations/{org}/roster/import"],
    "expert0": ["/", "/inbox", "/account"],
    "admin": ["/admin/users", "/admin/users/new"],
}


def _overflow(page) -> dict:
    """How wide the document is against the viewport, and the widest offenders."""
    return page.evaluate(
        """() => {
          const vw = document.documentElement.clientWidth;
          const offenders = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0) continue;
            // Inside a box that scrolls by itself, overflow is that box's business.
            let p = el.parentElement, contained = false;
            while (p && p !== document.body) {
              const ox = getComputedStyle(p).overflowX;
              if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { contained = true; break; }
              p = p.parentElement;
            }
            if (!contained && r.right > vw + 1) {
              offenders.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                             + ' right=' + Math.round(r.right));
            }
          }
          return {scroll: document.documentElement.scrollWidth, viewport: vw,
                  offenders: offenders.slice(0, 8)};
        }"""
    )


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "public")
def test_main_pages_fit_a_phone_without_sideways_scrolling(
    browser, live_server, users, targets, shots_dir, role
):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if role is not None:
            sign_in(page, live_server, users[role])
        problems = []
        for n, template in enumerate(PAGES[role], start=1):
            path = template.format(**targets)
            response = page.goto(live_server + path)
            assert response is not None and response.status == 200, (path, response.status)
            page.screenshot(path=str(shots_dir / f"{role or 'public'}-{n:02d}.png"), full_page=True)
            measured = _overflow(page)
            if measured["scroll"] > measured["viewport"]:
                problems.append((path, measured))
        assert not problems, problems
    finally:
        context.close()


def test_expert_search_on_a_phone_is_usable_and_results_come_first(browser, live_server, shots_dir):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/experts?q=Nguy%E1%BB%85n")
        box = page.locator("main form input[name=q]").first.bounding_box()
        assert box["width"] >= 0.6 * PHONE["width"], box
        first = page.locator("ol.result-list > li").first.bounding_box()
        # Facets are folded behind a button, so the first result is near the top.
        assert first["y"] < PHONE["height"], first
        toggle = page.locator("details.facets > summary")
        assert toggle.is_visible()
        toggle.click()
        assert page.locator("details.facets[open] ul").first.is_visible()
        page.screenshot(path=str(shots_dir / "search-facets-open.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture(scope="module")
def shots_dir():
    from conftest import ARTIFACTS

    path = ARTIFACTS / "mobile-390"
    path.mkdir(parents=True, exist_ok=True)
    return path
