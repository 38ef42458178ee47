"""Pages opened from a mailed link (no sign-in needed), and password recovery.

Each page resolves its token for its own purpose only; what it does is done by the same
operations the signed-in pages call, acting as the link's user.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from ..consultation import operations as ops
from ..consultation.forms import AcceptInvitationForm, DeclineInvitationForm, OpinionForm
from ..consultation.models import Document, InvitationState, Request
from ..core.errors import ApiError
from ..core.text import clean_text
from ..extensions import db, limiter
from . import operations as access
from . import tokens
from .forms import ChoosePasswordForm, ConfirmForm, EmailChangeForm, ForgotPasswordForm
from .models import AccessLink, LinkPurpose
from .tokens import LinkRefused

bp = Blueprint("access", __name__)
Page = Response | tuple[str, int] | str

_STATUS = {"invalid": 404, "elsewhere": 404, "used": 410, "expired": 410, "joined": 410}


def _refused(exc: LinkRefused, purpose: LinkPurpose) -> Page:
    db.session.rollback()
    return render_template(
        "access/refused.html", reason=exc.reason, purpose=purpose.value
    ), _STATUS.get(exc.reason, 404)


def _resolve(token: str, purpose: LinkPurpose) -> AccessLink:
    return tokens.resolve(token, purpose)


def _put_errors(form, exc: ApiError) -> None:
    fields = exc.fields or {}
    placed = False
    for name, message in fields.items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, message]
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


def _send_document(req: Request, document_id: int) -> Response:
    document = db.session.get(Document, document_id)
    if document is None or document.request_id != req.id:
        abort(404)
    path = ops.document_path(document)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=document.media_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )


def _next_steps(user, req: Request) -> dict[str, Any]:
    """Fresh links offered after an answer: choose a password, write the opinion."""
    steps: dict[str, Any] = {"join_path": None, "opinion_path": None}
    if not user.has_password:
        steps["join_path"] = access.join_link(user)
    if req.can_write_opinion(user) and not user.has_password:
        steps["opinion_path"] = access.opinion_link(user, req)
    return steps


# --- answering an invitation -------------------------------------------------------------------


@bp.route("/answer/<token>", methods=["GET", "POST"])
def answer(token: str) -> Page:
    try:
        link = _resolve(token, LinkPurpose.invitation)
    except LinkRefused as exc:
        return _refused(exc, LinkPurpose.invitation)
    inv = link.invitation
    req = inv.request
    user = link.user
    posting = request.method == "POST"
    intent = request.form.get("intent") if posting else None
    accept = AcceptInvitationForm(prefix="a", formdata=None if intent != "accept" else request.form)
    decline = DeclineInvitationForm(
        prefix="d", formdata=None if intent != "decline" else request.form
    )
    status = 200
    if posting:
        form = accept if intent == "accept" else decline if intent == "decline" else None
        if form is None:
            abort(400)
        if not form.validate_on_submit():
            status = 422
        elif form.version_number() != req.version:
            form.form_errors.append(
                _("The request changed meanwhile; please check it and answer again.")
            )
            status = 409
        else:
            try:
                tokens.use(link)
                if intent == "accept":
                    ops.accept_invitation(
                        inv,
                        user,
                        {
                            "has_conflict": bool(accept.has_conflict.data),
                            "details": clean_text(accept.details.data or "") or None,
                        },
                    )
                else:
                    ops.decline_invitation(inv, user, clean_text(decline.reason.data) or "")
                steps = _next_steps(user, req) if intent == "accept" else {}
                db.session.commit()
            except LinkRefused as exc:
                return _refused(exc, LinkPurpose.invitation)
            except ApiError as exc:
                db.session.rollback()
                _put_errors(form, exc)
                status = exc.status
            else:
                return render_template("access/answered.html", inv=inv, req=req, user=user, **steps)
    accept.version.data = decline.version.data = str(req.version)
    open_now = inv.state == InvitationState.invited
    return render_template(
        "access/answer.html",
        inv=inv,
        req=req,
        user=user,
        token=token,
        accept=accept,
        decline=decline,
        open_now=open_now,
        expires_at=link.expires_at,
    ), status


@bp.get("/answer/<token>/documents/<int:document_id>")
def answer_document(token: str, document_id: int) -> Page:
    try:
        link = _resolve(token, LinkPurpose.invitation)
    except LinkRefused as exc:
        return _refused(exc, LinkPurpose.invitation)
    return _send_document(link.invitation.request, document_id)


# --- writing the opinion -----------------------------------------------------------------------


def _opinion_link(token: str) -> AccessLink:
    link = _resolve(token, LinkPurpose.opinion)
    if not link.request.is_panel_member(link.user):
        raise LinkRefused("elsewhere", link)
    return link


@bp.route("/write/<token>", methods=["GET", "POST"])
def write(token: str) -> Page:
    try:
        link = _opinion_link(token)
    except LinkRefused as exc:
        return _refused(exc, LinkPurpose.opinion)
    req, user = link.request, link.user
    own = ops.own_opinion(req, user)
    editable = req.can_write_opinion(user)
    form = OpinionForm() if request.method == "POST" else OpinionForm(formdata=None)
    if request.method == "GET":
        form.version.data = str(req.version)
        if own is not None:
            form.opinion_version.data = str(own.version)
            form.summary.data = own.summary
            form.assessment.data = own.assessment
            form.position.data = own.position or ""
            form.recommendations.data = "\n".join(r["text"] for r in own.recommendations)
    status = 200
    if request.method == "POST":
        if not editable:
            abort(403)
        if not form.validate_on_submit():
            status = 422
        else:
            submitting = request.form.get("intent") == "submit"
            data = {
                "summary": clean_text(form.summary.data or "") or None,
                "assessment": clean_text(form.assessment.data or "") or None,
                "position": form.position.data or None,
                "recommendations": form.recommendation_list(),
                "version": int(form.opinion_version.data)
                if (form.opinion_version.data or "").isdigit()
                else None,
            }
            try:
                ops.save_opinion(req, user, data)
                if submitting:
                    ops.submit_opinion(req, user)
                    tokens.use(link)
                    steps = _next_steps(user, req)
                    steps["opinion_path"] = None
                db.session.commit()
            except LinkRefused as exc:
                return _refused(exc, LinkPurpose.opinion)
            except ApiError as exc:
                db.session.rollback()
                _put_errors(form, exc)
                status = exc.status
            else:
                if submitting:
                    return render_template("access/submitted.html", req=req, user=user, **steps)
                flash(_("Your draft was saved. Submit it when it is ready."), "success")
                return redirect(url_for("access.write", token=token), 303)
    return render_template(
        "access/opinion.html",
        req=req,
        user=user,
        own=own,
        form=form,
        editable=editable,
        token=token,
    ), status


@bp.get("/write/<token>/documents/<int:document_id>")
def write_document(token: str, document_id: int) -> Page:
    try:
        link = _opinion_link(token)
    except LinkRefused as exc:
        return _refused(exc, LinkPurpose.opinion)
    return _send_document(link.request, document_id)


# --- choosing a password: joining, or after a reset --------------------------------------------


def _password_page(token: str, purpose: LinkPurpose) -> Page:
    try:
        link = _resolve(token, purpose)
        if purpose == LinkPurpose.account and link.user.has_password:
            raise LinkRefused("joined", link)
    except LinkRefused as exc:
        return _refused(exc, purpose)
    form = ChoosePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = access.set_password_by_link(link, form.password.data)
            db.session.commit()
        except LinkRefused as exc:
            return _refused(exc, purpose)
        except ApiError as exc:
            db.session.rollback()
            _put_errors(form, exc)
            status = exc.status
        else:
            login_user(user)
            flash(
                _("Welcome! Your password is set and you are signed in.")
                if purpose == LinkPurpose.account
                else _("Your new password is set and you are signed in."),
                "success",
            )
            target = {"expert": "consultation.expert_inbox", "author": "contest.editions"}.get(
                user.role, "main.home"
            )
            return redirect(url_for(target), 303)
    elif form.errors:
        status = 422
    return render_template(
        "access/choose_password.html", form=form, user=link.user, purpose=purpose.value
    ), status


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str) -> Page:
    return _password_page(token, LinkPurpose.account)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Page:
    return _password_page(token, LinkPurpose.reset)


def _reset_limit() -> str:
    return access.reset_limit()


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot() -> Page:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        access.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address is known.
        flash(
            _(
                "If an account uses this address, a link to choose a new password is on its "
                "way. It works once, for two hours."
            ),
            "info",
        )
        return redirect(url_for("auth.login"), 303)
    return render_template("access/forgot.html", form=form), (422 if form.errors else 200)


# --- a new e-mail address ----------------------------------------------------------------------


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit(_reset_limit, methods=["POST"])
def email_change() -> Page:
    form = EmailChangeForm()
    status = 200
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data or ""):
            form.current_password.errors.append(_("The current password is wrong."))
            status = 422
        else:
            try:
                access.request_email_change(current_user, form.new_email.data)
                db.session.commit()
            except ApiError as exc:
                db.session.rollback()
                _put_errors(form, exc)
                status = exc.status
            else:
                flash(
                    _(
                        "We sent a confirmation link to the new address; the change takes "
                        "effect when you open it."
                    ),
                    "info",
                )
                return redirect(url_for("auth.account"), 303)
    elif form.errors:
        status = 422
    return render_template("access/email_change.html", form=form), status


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def email_confirm(token: str) -> Page:
    try:
        link = _resolve(token, LinkPurpose.email)
    except LinkRefused as exc:
        return _refused(exc, LinkPurpose.email)
    form = ConfirmForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            access.confirm_email_change(link)
            db.session.commit()
        except LinkRefused as exc:
            return _refused(exc, LinkPurpose.email)
        except ApiError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            flash(_("Your e-mail address is now %(email)s.", email=link.new_email), "success")
            return redirect(
                url_for("auth.login" if not current_user.is_authenticated else "auth.account"), 303
            )
    return render_template("access/email_confirm.html", form=form, link=link, error=error), status
