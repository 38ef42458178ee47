"""axe-core over every role's main pages, in Vietnamese: no serious or critical violation.

axe-core comes from the npm registry inside the ``axe-playwright-python`` wheel; the test
injects it into the page itself, so no page ever loads a script from elsewhere.
"""

from __future__ import annotations

import pytest
from browsing import PAGES, sign_in

SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "public")
def test_main_pages_have_no_serious_accessibility_violations(
    browser, live_server, users, targets, axe, role
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if role is not None:
            sign_in(page, live_server, users[role])
        found = []
        for template in PAGES[role]:
            path = template.format(**targets)
            page.goto(live_server + path)
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in SERIOUS:
                    nodes = [n["target"] for n in violation["nodes"][:3]]
                    found.append((path, violation["id"], violation["help"], nodes))
        assert not found, "\n".join(map(str, found))
    finally:
        context.close()


def test_every_action_is_reachable_by_keyboard_with_a_visible_focus(browser, live_server):
    """Tabbing through the public search page reaches the search box and shows focus."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(live_server + "/experts")
        seen = []
        for _ in range(40):
            page.keyboard.press("Tab")
            info = page.evaluate(
                """() => { const el = document.activeElement; const s = getComputedStyle(el);
                  return {tag: el.tagName, name: el.getAttribute('name'),
                          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                          shadow: s.boxShadow !== 'none'}; }"""
            )
            seen.append(info)
            if info["name"] == "q":
                break
        assert seen[-1]["name"] == "q", seen
        assert all(i["outline"] or i["shadow"] for i in seen if i["tag"] != "BODY"), seen
    finally:
        context.close()
