"""User accounts: list, create, change role, deactivate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.models import ApiToken, User
from ..auth.operations import AccountError, create_user, revoke_token, tokens_of, update_user
from ..auth.queries import user_page
from ..core.forms import choices
from ..core.roles import EXTRA_ROLES, Role
from ..core.text import clean_line
from ..directory.models import Person
from ..directory.queries import organization_names, people_named
from ..extensions import db
from .forms import NEW_PASSWORD_HINT, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50
PERSON_CHOICES = 20


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != Role.admin:
        abort(403)


def _person_label(person: Person) -> str:
    orgs = ", ".join(o.name for o in person.organizations[:2])
    parts = [person.display_name, person.email or _("no e-mail"), orgs]
    if person.user is not None:
        parts.append(_("has account %(email)s", email=person.user.email))
    return " · ".join(p for p in parts if p)


#: The roles offered in the account form, the least powerful first.
ROLE_ORDER = (
    Role.expert,
    Role.author,
    Role.liaison,
    Role.agency,
    Role.approver,
    Role.coordinator,
    Role.admin,
)


def _fill(form: UserForm, current_person_id: int | None = None) -> None:
    form.role.choices = choices([(r.value, r.label) for r in ROLE_ORDER])
    form.also_roles.choices = choices([(r.value, r.label) for r in EXTRA_ROLES])
    orgs = organization_names()
    form.organization.choices = choices([(str(i), n) for i, n in orgs], blank=True)
    # The person is picked by name: a server-side search, no JavaScript and no ids to type.
    found: list[Person] = []
    q = clean_line(form.person_q.data or "")[:200]
    if q:
        found = people_named(q, PERSON_CHOICES)
    form.nobody_found = bool(q) and not found
    keep = {int(v) for v in [form.person.data, current_person_id] if str(v or "").isdigit()}
    for pid in keep - {p.id for p in found}:
        person = db.session.get(Person, pid)
        if person is not None:
            found.insert(0, person)
    form.person.choices = [("", _("No expert profile"))] + [
        (str(p.id), _person_label(p)) for p in found
    ]


@bp.get("/users")
def users():
    q = (request.args.get("q") or "").strip()[:200]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = user_page(q, page=page, per_page=PER_PAGE)
    return render_template("admin/users.html", users=found.items, q=q, found=found)


def _form_data(form: UserForm) -> dict:
    return {
        "email": form.email.data,
        "name": form.name.data,
        "role": form.role.data,
        "organization_id": int(form.organization.data) if form.organization.data else None,
        "person_id": int(form.person.data) if (form.person.data or "").isdigit() else None,
        "extra_roles": tuple(form.also_roles.data or ()),
    }


def _finding(form: UserForm) -> bool:
    """The "Find" button: search for the person and show the form again, saving nothing."""
    return request.method == "POST" and "find" in request.form


def _field_for(message: str) -> str:
    for name in ("email", "role", "organization", "person", "password", "name"):
        if name in message:
            return name
    return "email"


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    _fill(form)
    form.password.description = NEW_PASSWORD_HINT
    if _finding(form):
        return render_template("admin/user_form.html", form=form, user=None)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("A new account needs a password."))
        else:
            try:
                user = create_user(password=form.password.data, **_form_data(form))
                user.active = form.active.data
                db.session.commit()
            except AccountError as exc:
                db.session.rollback()
                getattr(form, exc.field or _field_for(str(exc))).errors.append(str(exc))
            else:
                flash(_("The account %(email)s was created.", email=user.email), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (
        422 if form.errors else 200
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.person.data = str(user.person_id) if user.person_id else ""
        form.also_roles.data = [r.role for r in user.extra_roles]
    _fill(form, user.person_id)
    if request.method == "GET":
        form.organization.data = str(user.organization_id) if user.organization_id else ""
    if _finding(form):
        return render_template("admin/user_form.html", form=form, user=user)
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            form.role.errors.append(_("You cannot remove your own administrator access."))
        else:
            try:
                update_user(user, password=form.password.data or None, active=form.active.data,
                            **_form_data(form))  # fmt: skip
                if form.password.data and user.id == current_user.id:
                    # A new password ends every session of the account; this one goes on.
                    from ..auth.sessions import renew_sign_in

                    renew_sign_in(user)
                db.session.commit()
            except AccountError as exc:
                db.session.rollback()
                getattr(form, exc.field or _field_for(str(exc))).errors.append(str(exc))
            else:
                flash(_("The account was saved."), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, tokens=tokens_of(user)), (
        422 if form.errors else 200
    )


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_token_of(user_id: int, token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        abort(404)
    revoke_token(token)
    db.session.commit()
    flash(_("The API token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id), 303)


# --- the outbox -------------------------------------------------------------------------------


@bp.get("/outbox")
def outbox():
    from ..consultation.notify import MAX_ATTEMPTS, unsent_mail

    return render_template("admin/outbox.html", mails=unsent_mail(), max_attempts=MAX_ATTEMPTS)


@bp.post("/outbox/<int:mail_id>/retry")
def outbox_retry(mail_id: int):
    from ..consultation.models import OutboxMail
    from ..consultation.notify import retry_mail

    mail = db.get_or_404(OutboxMail, mail_id)
    if mail.sent_at is not None:
        abort(409)
    retry_mail(mail)
    db.session.commit()  # hands the mail to the sender again (after commit)
    flash(_("The mail will be sent again."), "success")
    return redirect(url_for("admin.outbox"), 303)
