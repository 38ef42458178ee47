"""The public address of the application, for links that leave the browser (mail, CLI)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for

#: Only with the embedded SQLite database and no request at hand (a developer's CLI run):
#: a server database refuses to start without ``EXPERTNET_BASE_URL``.
DEVELOPMENT_BASE_URL = "http://localhost:5000"


def base_url() -> str:
    """``EXPERTNET_BASE_URL``; else the address the current request came in on."""
    configured = current_app.config.get("EXPERTNET_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return DEVELOPMENT_BASE_URL


def external(path: str) -> str:
    """An absolute link to ``path`` (which starts with a slash)."""
    return base_url() + path


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page.

    Only same-site paths: an open redirect would help phishing.
    """
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("main.home")
