"""A person uses the directory pages in a real browser."""

from __future__ import annotations

from browsing import sign_in


def test_public_visitor_searches_and_switches_language(page, live_server, shots):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    shots.take("home-vi")
    page.fill("#home-q", "nguyen")
    page.keyboard.press("Enter")
    page.wait_for_url("**/experts?**")
    assert page.locator(".result-list li").count() > 0
    shots.take("search-without-diacritics")
    page.click(".lang-switch button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    shots.take("search-en")
    page.goto(live_server + "/organizations")
    assert page.locator("html").get_attribute("lang") == "en"  # remembered


def test_coordinator_adds_an_expert_and_sees_errors_by_field(page, live_server, users, shots):
    sign_in(page, live_server, users["coordinator"])
    page.goto(live_server + "/experts/new")
    page.fill("#email", "not-an-email")
    page.click("form.grid-form button[type=submit]")
    assert page.locator("#full_name-err").is_visible()
    assert page.locator("#email-err").is_visible()
    shots.take("form-errors")
    page.fill("#full_name", "Đinh Thị Thử Nghiệm")
    page.fill("#email", "dinh.thu@browser.expertnet.vn")
    page.fill("#expertise", "trí tuệ nhân tạo; chuyển đổi số")
    page.click("form.grid-form button[type=submit]")
    page.wait_for_url("**/experts/*")
    assert page.locator("h1").inner_text().endswith("Đinh Thị Thử Nghiệm")
    assert page.get_by_text("dinh.thu@browser.expertnet.vn").is_visible()
    shots.take("profile")
