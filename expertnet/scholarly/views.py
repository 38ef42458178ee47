"""Pages of the scholarly record: the record, its forms, imports with preview, the CV.

Views load (404), check ``Person.can_edit`` / ``can_import_for`` on the server, call an
operation, commit once and redirect. Uploaded files wait between preview and confirmation
under a random token, bound to the user and the record (``uploads``).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..core.actions import form_action
from ..core.errors import ApiError
from ..core.roles import MANAGERS
from ..core.types import utcnow
from ..directory.models import Organization, Person
from ..extensions import db
from ..jobs import enqueue
from . import queries
from .downloads import cv_response
from .forms import (
    ConfirmForm,
    DeleteForm,
    ImportForm,
    OrcidForm,
    PatentForm,
    ProjectForm,
    PublicationForm,
)
from .importers import ImportFormatError, parse_file
from .jobs import import_organization_list
from .models import Patent, Publication, PublicationAuthor, ResearchProject
from .operations import (
    apply_plan,
    apply_plans,
    confirm_author,
    create_patent,
    create_project,
    create_publication,
    delete_item,
    plan_import,
    plan_organization_import,
    set_orcid,
    update_patent,
    update_project,
    update_publication,
)
from .schemas import PatentSchema, ProjectSchema, PublicationSchema, clean_publication
from .uploads import import_state, load_upload, save_upload, set_import_state

bp = Blueprint("scholarly", __name__)

PER_PAGE = 50


def _person(person_id: int, *, edit: bool = False) -> Person:
    person = queries.person_with_memberships(person_id)
    if person is None or not person.can_view(current_user):
        abort(404)
    if edit and not person.can_edit(current_user):
        abort(403)
    return person


def record_summary(person: Person, limit: int = 10, publication_total: int | None = None) -> dict:
    """What the profile page shows of the record: the latest works, projects, patents."""
    return queries.record_summary(person.id, limit, publication_total)


@bp.get("/experts/<int:person_id>/record")
def record(person_id: int):
    person = _person(person_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = queries.publication_page(person.id, page, PER_PAGE)
    summary = record_summary(person, limit=0, publication_total=found.total)
    return render_template(
        "scholarly/record.html",
        person=person,
        record=summary,
        publications=found.items,
        found=found,
        can_edit=person.can_edit(current_user),
        delete_form=DeleteForm(),
        orcid_form=OrcidForm(data={"orcid": summary["orcid"] or ""}),
    )


def _apply_errors(form, exc: Exception) -> None:
    messages = exc.messages if isinstance(exc, ValidationError) else exc.fields
    for name, msg in messages.items():
        text = msg if isinstance(msg, str) else "; ".join(map(str, _flat(msg)))
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*list(target.errors), _(text)]
        else:
            flash(f"{name}: {_(text)}", "error")


def _flat(msg) -> list:
    if isinstance(msg, dict):
        return [x for v in msg.values() for x in _flat(v)]
    if isinstance(msg, list):
        return [x for v in msg for x in _flat(v)]
    return [msg]


def _edit_page(kind: str, person: Person, form, item, schema, save):
    def again(_status: int):
        page = render_template(f"scholarly/{kind}_form.html", form=form, person=person, item=item)
        return page, (422 if form.errors else 200)

    def run():
        data = schema.load(form.to_data(), partial=item is not None)
        if kind == "publication":
            data = clean_publication(data)
        return save(data)

    return form_action(
        form,
        run,
        _("The scholarly record was saved."),
        on_error=again,
        redirect_to=lambda saved: (
            url_for("scholarly.record", person_id=person.id) + f"#{kind}-{saved.id}"
        ),
        put_errors=_apply_errors,
        refusals=(ValidationError, ApiError),
        redirect_status=302,
    )


@bp.route("/experts/<int:person_id>/publications/new", methods=["GET", "POST"])
@login_required
def publication_new(person_id: int):
    person = _person(person_id, edit=True)
    return _edit_page(
        "publication",
        person,
        PublicationForm(),
        None,
        PublicationSchema(),
        lambda data: create_publication(db.session, person, data),
    )


@bp.route("/publications/<int:pub_id>/edit", methods=["GET", "POST"])
@login_required
def publication_edit(pub_id: int):
    pub = db.get_or_404(Publication, pub_id)
    person = _person(pub.person_id, edit=True)
    form = PublicationForm(obj=None if request.method == "POST" else pub)
    if request.method == "GET":
        form.authors.data = "\n".join(a.name for a in pub.authors)
        form.keywords.data = "; ".join(pub.keywords or [])
    return _edit_page(
        "publication",
        person,
        form,
        pub,
        PublicationSchema(),
        lambda data: update_publication(db.session, pub, _keep_links(pub, data)),
    )


def _keep_links(pub: Publication, data: dict) -> dict:
    """Authors typed again keep their links to people where the name is unchanged."""
    if "authors" in data:
        linked = {a.name: a.person_id for a in pub.authors if a.person_id}
        for a in data["authors"]:
            a.setdefault("person_id", linked.get(a["name"]))
    return data


@bp.route("/experts/<int:person_id>/projects/new", methods=["GET", "POST"])
@login_required
def project_new(person_id: int):
    person = _person(person_id, edit=True)
    return _edit_page(
        "project",
        person,
        ProjectForm(),
        None,
        ProjectSchema(),
        lambda data: create_project(db.session, person, data),
    )


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def project_edit(project_id: int):
    project = db.get_or_404(ResearchProject, project_id)
    person = _person(project.person_id, edit=True)
    form = ProjectForm(obj=None if request.method == "POST" else project)
    return _edit_page(
        "project",
        person,
        form,
        project,
        ProjectSchema(),
        lambda data: update_project(db.session, project, data),
    )


@bp.route("/experts/<int:person_id>/patents/new", methods=["GET", "POST"])
@login_required
def patent_new(person_id: int):
    person = _person(person_id, edit=True)
    return _edit_page(
        "patent",
        person,
        PatentForm(),
        None,
        PatentSchema(),
        lambda data: create_patent(db.session, person, data),
    )


@bp.route("/patents/<int:patent_id>/edit", methods=["GET", "POST"])
@login_required
def patent_edit(patent_id: int):
    patent = db.get_or_404(Patent, patent_id)
    person = _person(patent.person_id, edit=True)
    form = PatentForm(obj=None if request.method == "POST" else patent)
    return _edit_page(
        "patent",
        person,
        form,
        patent,
        PatentSchema(),
        lambda data: update_patent(db.session, patent, data),
    )


_MODELS = {"publications": Publication, "projects": ResearchProject, "patents": Patent}


@bp.post("/<any(publications, projects, patents):kind>/<int:item_id>/delete")
@login_required
def item_delete(kind: str, item_id: int):
    item = db.get_or_404(_MODELS[kind], item_id)
    person = _person(item.person_id, edit=True)
    if not DeleteForm().validate_on_submit():
        abort(400)
    delete_item(db.session, item)
    db.session.commit()
    flash(_("Removed from the scholarly record."), "success")
    return redirect(url_for("scholarly.record", person_id=person.id))


@bp.post("/experts/<int:person_id>/orcid")
@login_required
def orcid(person_id: int):
    person = _person(person_id, edit=True)
    form = OrcidForm()
    back = url_for("scholarly.record", person_id=person.id)
    return form_action(
        form,
        lambda: set_orcid(db.session, person, (form.orcid.data or "").strip() or None),
        _("The ORCID iD was saved."),
        on_error=lambda _status: redirect(back),
        redirect_to=back,
        put_errors=lambda _form, exc: flash(next(iter(exc.fields.values()), exc.message), "error"),
        redirect_status=302,
    )


# --- imports with preview -------------------------------------------------------------------


@bp.route("/experts/<int:person_id>/publications/import", methods=["GET", "POST"])
@login_required
def import_for_person(person_id: int):
    person = _person(person_id, edit=True)
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            parsed = parse_file(data, form.file.data.filename or "")
        except ImportFormatError as exc:
            form.file.errors = [str(exc)]
        else:
            plan = plan_import(db.session, person, parsed.works)
            plan.rejected[:0] = parsed.rejected
            upload = save_upload(data, form.file.data.filename or "", person.id, current_user.id)
            return render_template(
                "scholarly/import_preview.html",
                person=person,
                plans=[plan],
                rejected=plan.rejected,
                fmt=parsed.format,
                confirm=ConfirmForm(data={"token": upload.token}),
                action=url_for("scholarly.import_confirm", person_id=person.id),
            )
    return render_template("scholarly/import.html", form=form, person=person, org=None), (
        422 if form.errors else 200
    )


@bp.post("/experts/<int:person_id>/publications/import/confirm")
@login_required
def import_confirm(person_id: int):
    person = _person(person_id, edit=True)
    form = ConfirmForm()
    upload = load_upload(form.token.data or "", person.id, current_user.id, scope="person")
    if not form.validate_on_submit() or upload is None:
        flash(_("That upload is no longer available; please upload the file again."), "error")
        return redirect(url_for("scholarly.import_for_person", person_id=person.id))
    parsed = parse_file(upload.data, upload.filename)
    plan = plan_import(db.session, person, parsed.works)
    apply_plan(db.session, plan)
    db.session.commit()
    upload.discard()
    flash(
        _(
            "Imported: %(created)s new, %(merged)s merged, %(rejected)s rejected.",
            created=format_number(len(plan.created)),
            merged=format_number(len(plan.merged)),
            rejected=format_number(len(parsed.rejected) + len(plan.rejected)),
        ),
        "success",
    )
    return redirect(url_for("scholarly.record", person_id=person.id))


def can_import_for(user, org: Organization) -> bool:
    """Staff, or the organisation's own liaison, import its publication list."""
    role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None
    return role in MANAGERS or (role == "liaison" and user.organization_id == org.id)


@bp.route("/organizations/<int:org_id>/publications/import", methods=["GET", "POST"])
@login_required
def import_for_organization(org_id: int):
    org = db.get_or_404(Organization, org_id)
    if not can_import_for(current_user, org):
        abort(403)
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            parsed = parse_file(data, form.file.data.filename or "")
        except ImportFormatError as exc:
            form.file.errors = [str(exc)]
        else:
            plans, rejected = plan_organization_import(
                db.session, org.id, parsed.works, parsed.rejected
            )
            for p in plans:
                rejected.extend(p.rejected)
            upload = save_upload(
                data, form.file.data.filename or "", org.id, current_user.id, scope="org"
            )
            return render_template(
                "scholarly/import_preview.html",
                person=None,
                org=org,
                plans=plans,
                rejected=rejected,
                fmt=parsed.format,
                confirm=ConfirmForm(data={"token": upload.token}),
                action=url_for("scholarly.import_org_confirm", org_id=org.id),
            )
    return render_template("scholarly/import.html", form=form, person=None, org=org), (
        422 if form.errors else 200
    )


@bp.post("/organizations/<int:org_id>/publications/import/confirm")
@login_required
def import_org_confirm(org_id: int):
    org = db.get_or_404(Organization, org_id)
    if not can_import_for(current_user, org):
        abort(403)
    form = ConfirmForm()
    upload = load_upload(form.token.data or "", org.id, current_user.id, scope="org")
    if not form.validate_on_submit() or upload is None:
        flash(_("That upload is no longer available; please upload the file again."), "error")
        return redirect(url_for("scholarly.import_for_organization", org_id=org.id))
    status = url_for("scholarly.import_org_status", org_id=org.id, token=upload.token)
    if (import_state(upload.token, org.id, current_user.id) or {}).get("state"):
        return redirect(status)  # confirmed already: running or done
    parsed = parse_file(upload.data, upload.filename)
    if len(parsed.works) > int(current_app.config.get("EXPERTNET_IMPORT_JOB_ROWS") or 2000):
        # A large list: a worker imports it; the status page (on any node) follows it.
        set_import_state(upload.token, state="running", confirmed_at=utcnow().isoformat())
        enqueue(import_organization_list, org.id, upload.token, current_user.id)
        return redirect(status)
    plans, rejected = plan_organization_import(db.session, org.id, parsed.works, parsed.rejected)
    apply_plans(db.session, plans)
    db.session.commit()
    upload.discard()
    flash(
        _(
            "Imported: %(created)s new, %(merged)s merged, %(rejected)s rejected.",
            created=sum(len(p.created) for p in plans),
            merged=sum(len(p.merged) for p in plans),
            rejected=len(rejected) + sum(len(p.rejected) for p in plans),
        ),
        "success",
    )
    return redirect(url_for("directory.organization", org_id=org.id))


@bp.get("/organizations/<int:org_id>/publications/import/<token>")
@login_required
def import_org_status(org_id: int, token: str):
    """How a large publication list's import goes: running, done or failed."""
    org = db.get_or_404(Organization, org_id)
    if not can_import_for(current_user, org):
        abort(403)
    state = import_state(token, org.id, current_user.id)
    if not state or not state.get("state"):
        abort(404)
    return render_template("scholarly/import_status.html", org=org, token=token, state=state)


# --- authorship confirmations and the CV -------------------------------------------------------


@bp.get("/me/authorships")
@login_required
def authorships():
    if not current_user.person_id:
        abort(404)
    rows = queries.authorships_to_confirm(current_user.person_id)
    return render_template("scholarly/authorships.html", rows=rows, form=DeleteForm())


@bp.post("/me/authorships/<int:author_id>/<any(accept, refuse):answer>")
@login_required
def authorship_answer(author_id: int, answer: str):
    author = db.get_or_404(PublicationAuthor, author_id)
    if author.candidate_person_id is None or author.candidate_person_id != current_user.person_id:
        abort(403)
    if not DeleteForm().validate_on_submit():
        abort(400)
    confirm_author(db.session, author, answer == "accept")
    db.session.commit()
    flash(
        _("You are now linked as an author of this work.")
        if answer == "accept"
        else _("The suggestion was removed."),
        "success",
    )
    return redirect(url_for("scholarly.authorships"))


@bp.get("/experts/<int:person_id>/cv.<any(pdf, docx):extension>")
def cv(person_id: int, extension: str):
    return cv_response(_person(person_id), extension)


def register(app) -> None:
    app.register_blueprint(bp)

    from .models import PatentKind, PatentStatus, ProjectLevel, ProjectRole, ProjectStatus

    def _label(enum_cls):
        def label(value: str) -> str:
            try:
                return enum_cls(value).label
            except ValueError:
                return value

        return label

    @app.context_processor
    def _record_helpers():
        return {
            "scholarly_record": record_summary,
            "level_label": _label(ProjectLevel),
            "role_label": _label(ProjectRole),
            "status_label": _label(ProjectStatus),
            "patent_kind_label": _label(PatentKind),
            "patent_status_label": _label(PatentStatus),
        }
