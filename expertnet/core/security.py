"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            # Pages and API answers carry personal data: never cache them in shared caches.
            h.setdefault("Cache-Control", "no-store")
        if h.get("Content-Disposition", "").startswith("attachment"):
            # Downloads (request documents, letters, rosters) may be confidential: no cache
            # keeps them, whatever ``send_file`` proposed for revalidation.
            h["Cache-Control"] = "no-store"
        return response
