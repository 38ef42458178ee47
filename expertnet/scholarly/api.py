"""The scholarly record in the JSON API (``/api/v1``).

Who may do what: anyone who may see a profile sees its record (the public only
consenting experts, never contact details); the expert, a coordinator or admin, and
the liaison of one of the expert's organisations may change it (``Person.can_edit``).
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..api import bp, doc, json_body, load, page_args, paged, require_login
from ..core.errors import ApiError, ValidationFailed
from ..core.paging import paginate
from ..core.roles import MANAGERS
from ..directory.models import Person
from ..extensions import db
from . import queries
from .downloads import cv_response
from .importers import ImportFormatError, parse_file
from .lookup import LookupConfig, LookupDisabled, LookupFailed, lookup_doi, lookup_orcid
from .models import Patent, Publication, ResearchProject
from .operations import (
    confirm_author,
    create_patent,
    create_project,
    create_publication,
    delete_item,
    import_works,
    set_orcid,
    update_patent,
    update_project,
    update_publication,
)
from .schemas import PatentSchema, ProjectSchema, PublicationSchema, clean_publication
from .serialize import patent_json, project_json, publication_json


def _person(person_id: int, *, edit: bool = False) -> Person:
    person = queries.person_for_record(person_id)
    if person is None or not person.can_view(current_user):
        raise ApiError(404, _("No such expert."))
    if edit:
        if not current_user.is_authenticated:
            raise ApiError(401, _("Please sign in or send an API token."))
        if not person.can_edit(current_user):
            raise ApiError(403, _("You may not change this expert's scholarly record."))
    return person


def _item(model, item_id: int, *, edit: bool):
    item = db.session.get(model, item_id)
    if item is None:
        raise ApiError(404, _("Not found."))
    _person(item.person_id, edit=edit)
    return item


def _page(stmt, serialize):
    page, per_page = page_args()
    return jsonify(paged(paginate(stmt, page, per_page), serialize))


def _delete(model, item_id: int) -> Response:
    """Remove one item of the record (its owner or staff): 204, nothing to answer."""
    delete_item(db.session, _item(model, item_id, edit=True))
    db.session.commit()
    return Response(status=204)


# --- publications ----------------------------------------------------------------------------


@bp.get("/experts/<int:person_id>/publications")
@doc("An expert's publications, newest first", response="page of publications", auth=False)
def publications(person_id: int):
    _person(person_id)
    return _page(queries.publications_of(person_id), publication_json)


@bp.post("/experts/<int:person_id>/publications")
@doc(
    "Add a publication to an expert's record",
    body=PublicationSchema,
    response="publication",
    statuses=(201, 403, 404, 422),
)
@require_login
def publication_create(person_id: int):
    person = _person(person_id, edit=True)
    data = clean_publication(load(PublicationSchema(), json_body()))
    pub = create_publication(db.session, person, data)
    db.session.commit()
    return jsonify(publication_json(pub, all_authors=True)), 201


@bp.get("/publications/<int:pub_id>")
@doc("One publication with all its authors", response="publication", auth=False)
def publication(pub_id: int):
    return jsonify(publication_json(_item(Publication, pub_id, edit=False), all_authors=True))


@bp.patch("/publications/<int:pub_id>")
@doc("Change a publication", body=PublicationSchema, response="publication")
@require_login
def publication_update(pub_id: int):
    pub = _item(Publication, pub_id, edit=True)
    data = clean_publication(load(PublicationSchema(), json_body(), partial=True))
    update_publication(db.session, pub, data)
    db.session.commit()
    return jsonify(publication_json(pub, all_authors=True))


@bp.delete("/publications/<int:pub_id>")
@doc("Remove a publication from the record", statuses=(204, 403, 404))
@require_login
def publication_delete(pub_id: int):
    return _delete(Publication, pub_id)


@bp.post("/publications/<int:pub_id>/authors/<int:position>/confirm")
@doc(
    "The suggested person confirms (accept: true) or refuses being this author",
    response="publication",
    statuses=(403, 404, 409),
)
@require_login
def author_confirm(pub_id: int, position: int):
    author = queries.author_at(pub_id, position)
    if author is None:
        raise ApiError(404, _("Not found."))
    if author.candidate_person_id is None:
        raise ApiError(409, _("There is no suggested match to confirm for this author."))
    candidate = db.session.get(Person, author.candidate_person_id)
    # Only that person (or staff acting on their word) says whether it is them.
    staff = current_user.role in MANAGERS
    if not (staff or current_user.person_id == candidate.id):
        raise ApiError(403, _("Only the suggested person may confirm this match."))
    accept = json_body().get("accept")
    if not isinstance(accept, bool):
        raise ValidationFailed({"accept": _("Must be true or false.")})
    confirm_author(db.session, author, accept)
    db.session.commit()
    return jsonify(publication_json(author.publication, all_authors=True))


@bp.post("/experts/<int:person_id>/publications/import")
@doc(
    "Import publications from a file (multipart field file; dry_run=1 previews)",
    query={"dry_run": "1 to preview what would be created and merged, writing nothing"},
    response="import summary",
    statuses=(200, 201, 400, 403, 404, 413, 422),
)
@require_login
def publication_import(person_id: int):
    person = _person(person_id, edit=True)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed({"file": _("Choose a file to import.")})
    dry_run = (request.values.get("dry_run") or "").lower() in ("1", "true", "yes")
    try:
        parsed = parse_file(upload.read(), upload.filename)
    except ImportFormatError as exc:
        raise ValidationFailed({"file": str(exc)}) from None
    plan = import_works(db.session, person, parsed.works, parsed.rejected, dry_run)
    body = {**plan.preview(), "format": parsed.format, "dry_run": dry_run}
    if not dry_run:  # a dry run only planned: it added nothing to the session
        db.session.commit()
    return jsonify(body), 200 if dry_run else 201


@bp.post("/experts/<int:person_id>/publications/lookup")
@doc(
    "Look a work up by DOI or an ORCID record's works (when enabled); dry_run=1 previews",
    response="import summary",
    statuses=(403, 404, 422, 502, 503),
)
@require_login
def publication_lookup(person_id: int):
    person = _person(person_id, edit=True)
    body = json_body()
    cfg = LookupConfig.from_app(current_app.config)
    doi, orcid = body.get("doi"), body.get("orcid")
    if not (isinstance(doi, str) and doi) and not (isinstance(orcid, str) and orcid):
        raise ValidationFailed({"doi": _("Give a DOI or an ORCID iD.")})
    try:
        parsed = lookup_doi(doi, cfg) if doi else lookup_orcid(orcid, cfg)
    except LookupDisabled:
        raise ApiError(
            503,
            _("Online lookup is switched off on this installation; import a file instead."),
            code="lookup_disabled",
        ) from None
    except ValueError as exc:
        raise ValidationFailed({"doi" if doi else "orcid": str(exc)}) from None
    except LookupFailed as exc:
        raise ApiError(502, str(exc), code="lookup_failed") from None
    dry_run = bool(body.get("dry_run"))
    plan = import_works(db.session, person, parsed.works, parsed.rejected, dry_run)
    out = {**plan.preview(), "format": parsed.format, "dry_run": dry_run}
    if not dry_run:
        db.session.commit()
    return jsonify(out)


@bp.put("/experts/<int:person_id>/orcid")
@doc("Set or clear an expert's ORCID iD", response="the iD", statuses=(403, 404, 422))
@require_login
def orcid_set(person_id: int):
    person = _person(person_id, edit=True)
    raw = json_body().get("orcid")
    if raw is not None and not isinstance(raw, str):
        raise ValidationFailed({"orcid": _("Not a valid ORCID iD (check digit wrong).")})
    profile = set_orcid(db.session, person, raw)
    db.session.commit()
    return jsonify({"person_id": person.id, "orcid": profile.orcid})


# --- projects and patents ---------------------------------------------------------------------


@bp.get("/experts/<int:person_id>/projects")
@doc("An expert's research projects", response="page of projects", auth=False)
def projects(person_id: int):
    _person(person_id)
    return _page(queries.projects_of(person_id), project_json)


@bp.post("/experts/<int:person_id>/projects")
@doc("Add a research project", body=ProjectSchema, response="project", statuses=(201, 403, 422))
@require_login
def project_create(person_id: int):
    person = _person(person_id, edit=True)
    project = create_project(db.session, person, load(ProjectSchema(), json_body()))
    db.session.commit()
    return jsonify(project_json(project)), 201


@bp.patch("/projects/<int:project_id>")
@doc("Change a research project", body=ProjectSchema, response="project")
@require_login
def project_update(project_id: int):
    project = _item(ResearchProject, project_id, edit=True)
    update_project(db.session, project, load(ProjectSchema(), json_body(), partial=True))
    db.session.commit()
    return jsonify(project_json(project))


@bp.delete("/projects/<int:project_id>")
@doc("Remove a research project", statuses=(204, 403, 404))
@require_login
def project_delete(project_id: int):
    return _delete(ResearchProject, project_id)


@bp.get("/experts/<int:person_id>/patents")
@doc("An expert's patents and utility solutions", response="page of patents", auth=False)
def patents(person_id: int):
    _person(person_id)
    return _page(queries.patents_of(person_id), patent_json)


@bp.post("/experts/<int:person_id>/patents")
@doc("Add a patent or utility solution", body=PatentSchema, response="patent", statuses=(201,))
@require_login
def patent_create(person_id: int):
    person = _person(person_id, edit=True)
    patent = create_patent(db.session, person, load(PatentSchema(), json_body()))
    db.session.commit()
    return jsonify(patent_json(patent)), 201


@bp.patch("/patents/<int:patent_id>")
@doc("Change a patent", body=PatentSchema, response="patent")
@require_login
def patent_update(patent_id: int):
    patent = _item(Patent, patent_id, edit=True)
    update_patent(db.session, patent, load(PatentSchema(), json_body(), partial=True))
    db.session.commit()
    return jsonify(patent_json(patent))


@bp.delete("/patents/<int:patent_id>")
@doc("Remove a patent", statuses=(204, 403, 404))
@require_login
def patent_delete(patent_id: int):
    return _delete(Patent, patent_id)


# --- the scientific CV (built in ``downloads.py``, shared with the pages) -------------------


@bp.get("/experts/<int:person_id>/cv.docx")
@doc(
    "The expert's scientific CV (lý lịch khoa học) as DOCX",
    response="DOCX document",
    auth=False,
)
def cv_docx(person_id: int):
    return cv_response(_person(person_id), "docx")


@bp.get("/experts/<int:person_id>/cv.pdf")
@doc("The expert's scientific CV (lý lịch khoa học) as PDF", response="PDF document", auth=False)
def cv_pdf(person_id: int):
    return cv_response(_person(person_id), "pdf")
