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
