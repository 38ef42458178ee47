"""Language selection: Vietnamese by default, English on request, remembered in a cookie."""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request

from workflows.i18n import NC_ as NC_


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def tr(message: str) -> str:
    """Translate a marked string, in its context when it carries one (see ``NC_``)."""
    from flask_babel import gettext, pgettext

    context = getattr(message, "context", None)
    return pgettext(context, message) if context else gettext(message)


LANG_COOKIE = "expertnet_lang"


def select_locale() -> str:
    """The user's chosen language (query, cookie, account), else Vietnamese."""
    from flask import has_request_context

    if not has_request_context():  # commands and background work speak the default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def compile_catalogs(source: Path, target: Path) -> None:
    """Compile every ``.po`` under ``source`` to ``.mo`` under ``target`` when out of date.

    Catalogs are compiled at start-up rather than committed as binaries.
    """
    for po in source.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo)


def register(app) -> None:
    """Remember an explicit ``?lang=`` choice in a cookie; expose the locale to templates."""
    from flask import g
    from flask_babel import get_locale

    @app.after_request
    def _remember(response):
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != chosen:
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=app.config["SESSION_COOKIE_SECURE"],
            )
        return response

    @app.context_processor
    def _locale():
        g.locale = str(get_locale())
        return {"locale": g.locale, "languages": app.config["LANGUAGES"]}
