"""Helpers for the browser tests."""

from __future__ import annotations

PASSWORD = "browser-test-password"


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the real form and wait until we are away from it."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


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
