"""Organisation pages and expert profiles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..core.errors import ApiError
from ..core.forms import choices
from ..core.text import clean_line, clean_text
from ..extensions import db
from .forms import ExpertForm, OrganizationForm
from .models import (
    AcademicTitle,
    Degree,
    Field,
    FormerProvince,
    Gender,
    Membership,
    Organization,
    OrganizationKind,
    Person,
    can_create_person,
    can_view_members,
)
from .operations import create_person, update_person
from .queries import KIND_ORDER, organization_directory, visible_person

bp = Blueprint("directory", __name__)

PER_PAGE = 50


@bp.get("/organizations")
def organizations():
    args = request.args
    try:
        found = organization_directory(
            q=clean_line(args.get("q", ""))[:200],
            kind=args.get("kind") or None,
            province=args.get("province") or None,
        )
    except ValueError:
        abort(404)
    return render_template(
        "directory/organizations.html",
        found=found,
        kinds=KIND_ORDER,
        provinces=list(FormerProvince),
    )


@bp.get("/organizations/<int:org_id>")
def organization(org_id: int):
    org = db.get_or_404(Organization, org_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    member_count = db.session.scalar(
        select(func.count()).where(
            Membership.organization_id == org.id, Membership.ended_on.is_(None)
        )
    )
    roles = dict(
        db.session.execute(
            select(Membership.role, func.count())
            .where(Membership.organization_id == org.id, Membership.ended_on.is_(None))
            .group_by(Membership.role)
        ).all()
    )
    members = []
    show_members = can_view_members(current_user, org)
    base = (
        select(Membership)
        .join(Person)
        .where(Membership.organization_id == org.id, Membership.ended_on.is_(None))
        .options(selectinload(Membership.person))
    )
    if show_members:
        members = db.session.scalars(
            base.order_by(Membership.role != "chair", Person.name_key, Person.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).all()
    else:
        # The public sees the consenting experts among the members only.
        members = db.session.scalars(
            base.where(Person.public_profile.is_(True))
            .order_by(Person.name_key, Person.id)
            .limit(PER_PAGE)
        ).all()
    return render_template(
        "directory/organization.html",
        org=org,
        member_count=member_count,
        roles=roles,
        members=members,
        show_members=show_members,
        page=page,
        per_page=PER_PAGE,
        can_edit=org.can_edit(current_user),
    )


@bp.get("/experts")
def search():
    from ..search.service import search_experts

    try:
        result = search_experts(request.args, current_user, per_page_default=20)
    except ApiError as exc:
        result = {
            "items": [],
            "total": 0,
            "page": 1,
            "per_page": 20,
            "facets": {},
            "error": exc.fields or {"q": exc.message},
        }
    org_names = dict(
        db.session.execute(
            select(Organization.id, Organization.name).where(
                Organization.id.in_(
                    [int(i) for i in result.get("facets", {}).get("organization", {})]
                )
            )
        ).all()
    )
    locale = str(get_locale())
    field_names = {f.code: f.display_name(locale) for f in db.session.scalars(select(Field)).all()}
    return render_template(
        "directory/search.html",
        result=result,
        args=request.args,
        org_names=org_names,
        field_names=field_names,
        degrees={d.value: d.label for d in Degree},
        titles={t.value: t.label for t in AcademicTitle},
    )


@bp.route("/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def organization_edit(org_id: int):
    org = db.get_or_404(Organization, org_id)
    if not org.can_edit(current_user):
        abort(403)
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    form.kind.choices = choices([(k.value, k.label) for k in OrganizationKind])
    form.former_province.choices = choices([(p.value, p.label) for p in FormerProvince], True)
    full = current_user.role == "admin"
    if not full:
        # A liaison keeps the contact details; identity fields are shown, not editable.
        for name in ("name", "short_name", "kind", "former_province"):
            form[name].render_kw = {"disabled": True}
            form[name].data = getattr(org, name) or ""
    if request.method == "GET":
        form.former_province.data = org.former_province or ""
    if form.validate_on_submit():
        names = [f.name for f in form if f.name != "csrf_token"]
        for name in names if full else OrganizationForm.CONTACT:
            value = form[name].data
            value = value.strip() if isinstance(value, str) else value
            setattr(org, name, value or None if name != "name" else value)
        db.session.commit()
        flash(_("The organisation was saved."), "success")
        return redirect(url_for("directory.organization", org_id=org.id))
    return render_template("directory/organization_form.html", form=form, org=org, full=full), (
        422 if form.errors else 200
    )


def _load_person(person_id: int) -> Person:
    person = visible_person(person_id, current_user)
    if person is None:
        abort(404)
    return person


@bp.get("/experts/<int:person_id>")
def expert(person_id: int):
    person = _load_person(person_id)
    return render_template(
        "directory/expert.html",
        person=person,
        show_contact=person.can_view_contact(current_user),
        can_edit=person.can_edit(current_user),
        locale=str(get_locale()),
    )


def _fill_choices(form: ExpertForm) -> None:
    locale = str(get_locale())
    form.academic_title.choices = choices([(t.value, t.label) for t in AcademicTitle], True)
    form.degree.choices = choices([(d.value, d.label) for d in Degree], True)
    form.gender.choices = choices([(g.value, g.label) for g in Gender], True)
    orgs = db.session.execute(
        select(Organization.id, Organization.name).order_by(Organization.name)
    ).all()
    form.employer.choices = choices([(str(i), n) for i, n in orgs], True)
    member_orgs = db.session.execute(
        select(Organization.id, Organization.name)
        .where(
            Organization.kind.in_(["member_association", "institute", "club", "collective_member"])
        )
        .order_by(Organization.name)
    ).all()
    form.organizations.choices = choices(member_orgs)
    fields = db.session.scalars(
        select(Field).where(Field.parent_id.is_not(None)).order_by(Field.code)
    )
    form.fields.choices = choices((f.code, f.display_name(locale)) for f in fields)


def _save(form: ExpertForm, person: Person | None):
    data = form.to_data()
    if person is not None and not person.can_manage_memberships(current_user):
        data.pop("organizations")  # not on the form: the person cannot change them
    data["full_name"] = clean_line(data["full_name"])
    data["bio"] = clean_text(data["bio"])
    liaison_org = current_user.organization_id if current_user.has_role("liaison") else None
    try:
        if person is None:
            person = create_person(data, liaison_org_id=liaison_org)
        else:
            data["version"] = form.version.data
            person = update_person(person, data, liaison_org_id=liaison_org, actor=current_user)
        db.session.commit()
    except ApiError as exc:
        db.session.rollback()
        for name, message in exc.fields.items():
            getattr(form, name).errors.append(message)
        if not exc.fields:
            flash(exc.message, "error")
        return None
    return person


@bp.route("/experts/new", methods=["GET", "POST"])
@login_required
def expert_new():
    if not can_create_person(current_user):
        abort(403)
    form = ExpertForm()
    _fill_choices(form)
    if current_user.role == "liaison":
        # A liaison adds people to their own organisation only.
        own = current_user.organization_id
        form.organizations.choices = [c for c in form.organizations.choices if c.value == own]
    if form.validate_on_submit():
        person = _save(form, None)
        if person is not None:
            flash(_("The expert was added."), "success")
            return redirect(url_for("directory.expert", person_id=person.id))
    return render_template("directory/expert_form.html", form=form, person=None), (
        422 if form.errors else 200
    )


@bp.route("/experts/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def expert_edit(person_id: int):
    person = _load_person(person_id)
    if not person.can_edit(current_user):
        abort(403)
    form = ExpertForm(obj=None if request.method == "POST" else person)
    _fill_choices(form)
    if request.method == "GET":
        form.employer.data = str(person.employer_id) if person.employer_id else ""
        form.organizations.data = sorted(person.organization_ids())
        form.fields.data = [f.code for f in person.fields]
        form.expertise.data = "; ".join(person.expertise or [])
        form.academic_title.data = person.academic_title or ""
        form.degree.data = person.degree or ""
        form.gender.data = person.gender or ""
        form.version.data = person.version
    if form.validate_on_submit():
        saved = _save(form, person)
        if saved is not None:
            flash(_("The profile was saved."), "success")
            return redirect(url_for("directory.expert", person_id=person.id))
    return render_template(
        "directory/expert_form.html",
        form=form,
        person=person,
        memberships_editable=person.can_manage_memberships(current_user),
    ), (422 if form.errors else 200)
