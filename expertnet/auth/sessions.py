"""Starting and renewing a sign-in, for every page that signs a user in (sign-in, account
and administration pages, signed links)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask_login import login_user

from .models import User


def login_max_age() -> timedelta:
    """How long a sign-in (session or remember-me cookie) lasts at most."""
    return timedelta(days=current_app.config["EXPERTNET_LOGIN_DAYS"])


def sign_in(user: User, remember: bool) -> None:
    """Start a new sign-in: a fresh session id, and a fresh remember-me cookie if asked."""
    user.begin_sign_in()
    login_user(user, remember=remember, duration=login_max_age())


def renew_sign_in(user: User) -> None:
    """After a password change: this browser goes on under a fresh sign-in, remembered if it was."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    sign_in(user, remember=cookie in request.cookies)
