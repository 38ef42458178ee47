"""Sign in, sign out, and each user's own account page."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import update

from ..core.errors import ApiError, wants_json
from ..core.types import utcnow
from ..core.urls import safe_next
from ..extensions import db, login_manager
from . import queries, throttle
from .forms import AccountForm, LoginForm
from .models import ApiToken, User, hash_token
from .operations import revoke_token, tokens_of
from .sessions import login_max_age, renew_sign_in, sign_in

bp = Blueprint("auth", __name__)

#: ``last_used_at`` is written at most this often per token, so using one costs no write.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)


@login_manager.user_loader
def _load_user(session_id: str):
    return User.from_session_id(session_id, login_max_age())


@login_manager.request_loader
def _load_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    # The token, its user and the user's extra roles in one statement.
    token = queries.token_by_hash(hash_token(header[7:].strip()))
    if token is None or token.revoked_at is not None or not token.user.active:
        # A wrong token must not fall back to anonymous access silently.
        raise ApiError(401, _("The API token is not valid."), "invalid_token")
    if token.expired:
        raise ApiError(
            401,
            _(
                "The API token expired on %(date)s; ask for a new one.",
                date=token.expires_at.date().isoformat(),
            ),
            "token_expired",
        )
    _touch(token)
    g.token_auth = True
    return token.user


def _touch(token: ApiToken) -> None:
    """Record when the token was used, at most once a minute.

    The loader runs first thing in the request (the audit hook asks for the user before any
    view code), so committing here commits only this one UPDATE, and reads that never
    commit still leave their trace.
    """
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_EVERY:
        return
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        raise ApiError(401, _("Please sign in or send an API token."))
    flash(_("Please sign in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _refuse_sign_in(form: LoginForm, verdict: throttle.Verdict):
    """429 with the form and a message that says how long to wait; nothing was checked."""
    form.password.errors.append(
        _(
            "Too many sign-in attempts. Please wait %(minutes)s minutes and try again.",
            minutes=verdict.minutes,
        )
    )
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        # Counted per address and per account, where every worker and node sees it.
        verdict = throttle.check(request.remote_addr or "", form.email.data or "")
        if verdict.refused:
            return _refuse_sign_in(form, verdict)
        user = queries.user_by_email(form.email.data)
        if user is None or not user.active or not user.check_password(form.password.data):
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            sign_in(user, remember=bool(form.remember.data))
            user.last_login_at = utcnow()
            db.session.commit()
            throttle.succeeded(verdict)
            response = redirect(safe_next(request.args.get("next")))
            if user.locale:
                from ..core.i18n import LANG_COOKIE

                response.set_cookie(
                    LANG_COOKIE, user.locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
                )
            return response
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    # Ends this sign-in everywhere it was copied to (and the account's other sessions):
    # the session id and the remember-me cookie name a generation that no longer exists.
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or "vi"
    if form.validate_on_submit():
        if form.new_password.data:
            if not current_user.check_password(form.current_password.data or ""):
                form.current_password.errors.append(_("The current password is wrong."))
                return render_template("auth/account.html", form=form), 422
            # Ends every session and remember-me cookie of the account, this one included;
            # this browser goes on under a fresh sign-in.
            current_user.set_password(form.new_password.data)
            renew_sign_in(current_user._get_current_object())
        current_user.name = form.name.data
        current_user.locale = form.locale.data
        db.session.commit()
        flash(_("Your account was saved."), "success")
        response = redirect(url_for("auth.account"))
        from ..core.i18n import LANG_COOKIE

        response.set_cookie(
            LANG_COOKIE, current_user.locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
        return response
    return render_template("auth/account.html", form=form, tokens=tokens_of(current_user)), (
        422 if form.errors else 200
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_own_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    revoke_token(token)
    db.session.commit()
    flash(_("The API token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("auth.account"), 303)
