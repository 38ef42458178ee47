"""Every role's main pages work on a 390 px phone: no sideways scrolling of the page."""

from __future__ import annotations

import pytest
from browsing import PAGES, sign_in

from search_index.text import fold

PHONE = {"width": 390, "height": 844}


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


def test_a_long_list_is_chosen_by_ticking_and_filtered_without_diacritics(
    browser, live_server, users
):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, users["agency"])
        page.goto(live_server + "/requests/new")
        box = page.locator("#fields")
        total = box.locator(".picklist-option").count()
        assert total > 20
        page.locator("#fields .picklist-option").nth(3).locator("input").check()
        page.fill("#fields .picklist-bar input", "thuy")
        visible = box.locator(".picklist-option:visible").all_inner_texts()
        assert 0 < len(visible) < total
        folded = [fold(t) for t in visible]
        # What stays visible matches the words, or was already ticked.
        assert sum("thuy" in t for t in folded) >= len(visible) - 1, visible
        assert "Đã chọn 1" in page.locator(".picklist-count").first.inner_text()
        assert _overflow(page)["scroll"] <= PHONE["width"]
    finally:
        context.close()
