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


# Records every element that receives focus while tabbing, with whether its focus shows.
_WATCH_FOCUS = """() => {
  window.__focused = [];
  document.addEventListener('focusin', (e) => {
    const el = e.target, s = getComputedStyle(el);
    if (!el.dataset.kb) return;
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    window.__focused.push({kb: el.dataset.kb, shown: outline || s.boxShadow !== 'none'});
  });
}"""

# Marks every visible control a keyboard user must be able to reach, and returns them.
_MARK_CONTROLS = """() => {
  const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
            + ' select:not([disabled]), textarea:not([disabled]), summary';
  const out = [];
  document.querySelectorAll(sel).forEach((el, i) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    // Folded content (a closed <details>) is reached by opening its summary first.
    const hidden = r.width === 0 || r.height === 0 || s.visibility === 'hidden'
                   || !el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})
                   || el.closest('[hidden], [inert]') || el.tabIndex < 0;
    if (hidden) return;
    el.dataset.kb = String(i);
    out.push({kb: String(i), html: el.outerHTML.slice(0, 160)});
  });
  return out;
}"""


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "public")
def test_every_control_of_each_role_is_reached_by_tab_with_a_visible_focus(
    browser, live_server, users, targets, role
):
    """Keyboard only: Tab reaches every visible link, button and field of each role's main
    pages (nothing is a mouse-only control), and each one shows where the focus is."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if role is not None:
            sign_in(page, live_server, users[role])
        problems = []
        for template in PAGES[role]:
            path = template.format(**targets)
            page.goto(live_server + path)
            controls = page.evaluate(_MARK_CONTROLS)
            page.evaluate(_WATCH_FOCUS)
            for _ in range(2 * len(controls) + 20):
                page.keyboard.press("Tab")
                if page.url.split("#")[0] != live_server + path.split("#")[0]:
                    break  # a control moved the page on: not expected from Tab
            focused = page.evaluate("() => window.__focused")
            reached = {f["kb"] for f in focused}
            missed = [c for c in controls if c["kb"] not in reached]
            unseen = [f["kb"] for f in focused if not f["shown"]]
            if missed:
                problems.append((path, "not reached by Tab", missed[:5]))
            if unseen:
                problems.append((path, "focus not visible", unseen[:5]))
        assert not problems, "\n".join(map(str, problems))
    finally:
        context.close()
