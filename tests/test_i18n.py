"""Vietnamese first, English on request, remembered."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from helpers import csrf_from


def test_vietnamese_is_the_default(client):
    page = client.get("/").text
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


def test_english_on_request_and_remembered(client):
    page = client.get("/?lang=en").text
    assert '<html lang="en">' in page
    assert "Sign in" in page
    assert '<html lang="en">' in client.get("/organizations").text


def test_language_switch_form_works_without_javascript(client):
    page = client.get("/").text
    res = client.post(
        "/language", data={"lang": "en", "next": "/organizations", "csrf_token": csrf_from(page)}
    )
    assert res.status_code == 302 and res.headers["Location"].endswith("/organizations")
    assert '<html lang="en">' in client.get("/organizations").text


def test_every_message_has_a_vietnamese_translation(repo_root: Path):
    po = repo_root / "expertnet" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    missing = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert not missing, f"untranslated: {missing[:10]}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
