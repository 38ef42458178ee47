"""The contest's JSON API under /api/v1/contests and /api/v1/entries (see API.md, "Contests")."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate

from ..api import bp, doc, json_body, load, optional_body, require_login
from ..consultation.schemas import StrictSchema
from ..core.errors import ApiError
from ..extensions import db, limiter
from . import authors, decision, judging, queries, results
from . import operations as ops
from .models import Edition, Entry, can_run_contests
from .schemas import EditionSchema, EntrySchema, MembersSchema

WRITE_ERRORS = (400, 401, 403, 404, 409, 422)


class JudgeSchema(StrictSchema):
    expert_id = fields.Integer(required=True, strict=True)
    replacing = fields.Integer(strict=True, allow_none=True, load_default=None)


class ScoreSchema(StrictSchema):
    scores = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class ConflictSchema(StrictSchema):
    details = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class AwardEditSchema(StrictSchema):
    award_level = fields.Integer(strict=True, allow_none=True, required=True)
    reason = fields.String(required=True, validate=validate.Length(max=5000))


class AuthorLinkSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PlanSchema(StrictSchema):
    apply = fields.Boolean(truthy={True}, falsy={False}, load_default=False)
    # A planned answer's fingerprint: apply exactly that plan, or 409 plan_changed.
    fingerprint = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


# --- serialisation -------------------------------------------------------------------------


def edition_json(edition: Edition, user) -> dict[str, Any]:
    return {
        "id": edition.id,
        "name": edition.name,
        "number": edition.number,
        "youth": edition.youth,
        "organisers": edition.organisers,
        "description": edition.description,
        "state": edition.state,
        "version": edition.version,
        "fields": [f.code for f in edition.fields],
        "dates": {
            k: (getattr(edition, k).isoformat() if getattr(edition, k) else None)
            for k in (
                "entries_open_on",
                "entries_close_on",
                "judging_from",
                "judging_until",
                "results_on",
            )
        },
        "min_judges": edition.min_judges,
        "max_spread": str(edition.max_spread),
        "judge_cap": edition.judge_cap,
        "criteria": [
            {"id": c.id, "name": c.name, "max_points": c.max_points} for c in edition.criteria
        ],
        "award_levels": [
            {
                "id": lv.id,
                "rank": lv.rank,
                "name": lv.name,
                "min_total": str(lv.min_total),
                "quota": lv.quota,
            }
            for lv in edition.award_levels
        ],
        "documents": [{"id": d.id, "filename": d.filename} for d in edition.documents],
        "allowed_actions": ops.edition_actions_for(edition, user),
    }


def entry_json(entry: Entry, user) -> dict[str, Any]:
    staff = can_run_contests(user)
    body = {
        "id": entry.id,
        "edition": entry.edition_id,
        "number": entry.number,
        "title": entry.title,
        "field": entry.field.code,
        "description": entry.description,
        "applying_organization_name": entry.applying_organization_name,
        "applying_organization_id": entry.applying_organization_id,
        "applied_where": entry.applied_where,
        "applied_since": entry.applied_since.isoformat() if entry.applied_since else None,
        "state": entry.state,
        "version": entry.version,
        "screening_reason": entry.screening_reason,
        "score_round": entry.score_round,
        "authors": [
            {
                "full_name": a.full_name,
                "share": a.share,
                "employer": a.employer,
                **({"email": a.email, "phone": a.phone} if staff or entry.is_author(user) else {}),
            }
            for a in entry.authors
        ],
        "documents": [{"id": d.id, "filename": d.filename} for d in entry.documents],
        "allowed_actions": ops.entry_actions_for(entry, user),
    }
    if staff:
        body["judges"] = [
            {"expert_id": j.person_id, "name": j.person.full_name, "state": j.state,
             "affinity": str(j.affinity), "conflict_details": j.conflict_details}
            for j in entry.judges
        ]  # fmt: skip
    if staff or entry.is_judge(user):
        body["scores"] = [
            {"expert_id": s.judge.person_id, "criterion": s.criterion_id, "round": s.round,
             "points": str(s.points), "comment": s.comment}
            for s in judging.visible_scores(entry, user)
        ]  # fmt: skip
    return body


def _edition_or_404(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None or not edition.can_view(current_user):
        raise ApiError(404, _("No such contest edition."))
    return edition


def _entry_or_404(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not entry.can_view(current_user):
        raise ApiError(404, _("No such entry."))
    return entry


# --- editions ------------------------------------------------------------------------------


@bp.get("/contests")
@doc(
    "Contest editions: announced ones for everyone, drafts for the secretariat",
    response="list of editions",
    auth=False,
)
def contest_list():
    items = [edition_json(e, current_user) for e in queries.editions_for(current_user)]
    return jsonify({"items": items, "total": len(items)})


@bp.post("/contests")
@doc(
    "Create an edition (draft)",
    body=EditionSchema,
    response="edition",
    statuses=(201, *WRITE_ERRORS),
)
@require_login
def contest_create():
    if not can_run_contests(current_user):
        raise ApiError(403, _("Only the contest's secretariat may create editions."))
    edition = ops.create_edition(current_user, load(EditionSchema(), json_body()))
    db.session.commit()
    return jsonify(edition_json(edition, current_user)), 201


@bp.get("/contests/<int:edition_id>")
@doc("One edition, with the actions the caller may take", response="edition", auth=False)
def contest_detail(edition_id: int):
    return jsonify(edition_json(_edition_or_404(edition_id), current_user))


@bp.patch("/contests/<int:edition_id>")
@doc("Change an edition", body=EditionSchema, response="edition", statuses=WRITE_ERRORS)
@require_login
def contest_update(edition_id: int):
    edition = _edition_or_404(edition_id)
    ops.update_edition(edition, current_user, load(EditionSchema(), json_body(), partial=True))
    db.session.commit()
    return jsonify(edition_json(edition, current_user))


@bp.put("/contests/<int:edition_id>/members")
@doc(
    "Name the organising board (approver users) and the jury (experts by sub-jury field)",
    body=MembersSchema,
    response="edition",
    statuses=WRITE_ERRORS,
)
@require_login
def contest_members(edition_id: int):
    edition = _edition_or_404(edition_id)
    ops.set_members(edition, current_user, load(MembersSchema(), json_body()))
    db.session.commit()
    return jsonify(edition_json(edition, current_user))


@bp.post("/contests/<int:edition_id>/actions/<action>")
@doc(
    "Take an edition action (announce, open_entries, …, approve_results, publish)",
    response="edition",
    statuses=WRITE_ERRORS,
)
@require_login
def contest_action(edition_id: int, action: str):
    edition = _edition_or_404(edition_id)
    body = optional_body()
    ops.perform_edition_action(edition, action, current_user, body, body.get("version"))
    db.session.commit()
    return jsonify(edition_json(edition, current_user))


@bp.post("/contests/<int:edition_id>/assignments/plan")
@doc(
    "Plan the judges of every open seat (min-cost flow over the edition); apply=true saves it "
    "(with a plan's fingerprint: exactly that plan, else 409 plan_changed)",
    body=PlanSchema,
    response="the judge seats",
    statuses=WRITE_ERRORS,
)
@require_login
def contest_plan(edition_id: int):
    edition = _edition_or_404(edition_id)
    data = load(PlanSchema(), optional_body())
    out: dict[str, Any] = {"applied": data["apply"], "fingerprint": None}
    if data["apply"]:
        created = judging.apply_plan(edition, current_user, data["fingerprint"])
        db.session.commit()
        pairs = [(s.entry_id, s.person_id) for s in created]
    else:
        plan, _problem = judging.plan_assignments(edition, current_user)
        pairs = plan.pairs
        out["fingerprint"] = judging.plan_fingerprint(edition, plan)
    out["seats"] = [{"entry": e, "expert_id": p} for e, p in pairs]
    out["total"] = len(pairs)
    return jsonify(out)


@bp.get("/contests/<int:edition_id>/results")
@doc(
    "Results by field: totals, rank, award (public once published; staff and board before)",
    response="results",
    auth=False,
    statuses=(404,),
)
def contest_results(edition_id: int):
    edition = _edition_or_404(edition_id)
    if not results.can_view_results(edition, current_user):
        raise ApiError(404, _("The results are not published yet."))
    return jsonify(results.results_json(edition, current_user))


@bp.put("/contests/<int:edition_id>/results/<int:entry_id>")
@doc(
    "A board member changes an entry's award, with a reason",
    body=AwardEditSchema,
    response="results",
    statuses=WRITE_ERRORS,
)
@require_login
def contest_result_edit(edition_id: int, entry_id: int):
    edition = _edition_or_404(edition_id)
    data = load(AwardEditSchema(), json_body())
    results.edit_award(edition, current_user, entry_id, data["award_level"], data["reason"])
    db.session.commit()
    return jsonify(results.results_json(edition, current_user))


# --- entries -------------------------------------------------------------------------------


@bp.get("/contests/<int:edition_id>/entries")
@doc(
    "Entries of an edition: all for the secretariat, one's own for an author",
    response="list of entries",
    statuses=(404,),
)
@require_login
def entry_list(edition_id: int):
    edition = _edition_or_404(edition_id)
    items = [entry_json(e, current_user) for e in edition.entries if e.can_view(current_user)]
    return jsonify({"items": items, "total": len(items)})


@bp.post("/contests/<int:edition_id>/entries")
@doc(
    "File an entry while entries are open",
    body=EntrySchema,
    response="entry",
    statuses=(201, *WRITE_ERRORS),
)
@require_login
def entry_create(edition_id: int):
    edition = _edition_or_404(edition_id)
    if not ops.can_file_entry(edition, current_user):
        raise ApiError(403, _("Entries can be filed only while the edition is open for entries."))
    entry = ops.create_entry(edition, current_user, load(EntrySchema(), json_body()))
    db.session.commit()
    return jsonify(entry_json(entry, current_user)), 201


def _author_link_limit() -> str:
    from ..access.operations import reset_limit

    return reset_limit()


@bp.post("/contests/<int:edition_id>/authors")
@doc(
    "Ask for an account to file an entry: a link to choose a password is mailed "
    "(the same answer whether or not the address is known)",
    body=AuthorLinkSchema,
    response="the author link",
    auth=False,
    statuses=(202, 404, 422, 429),
)
@limiter.limit(_author_link_limit, methods=["POST"])
def entry_author_link(edition_id: int):
    edition = _edition_or_404(edition_id)
    data = load(AuthorLinkSchema(), json_body())
    authors.invite_author(data["email"], data["full_name"], edition)
    db.session.commit()
    return jsonify({"sent": True}), 202


@bp.get("/entries/<int:entry_id>")
@doc(
    "One entry, with its judges and the scores the caller may see",
    response="entry",
    statuses=(404,),
)
@require_login
def entry_detail(entry_id: int):
    return jsonify(entry_json(_entry_or_404(entry_id), current_user))


@bp.patch("/entries/<int:entry_id>")
@doc(
    "Change an entry until entries close", body=EntrySchema, response="entry", statuses=WRITE_ERRORS
)
@require_login
def entry_update(entry_id: int):
    entry = _entry_or_404(entry_id)
    ops.update_entry(entry, current_user, load(EntrySchema(), json_body(), partial=True))
    db.session.commit()
    return jsonify(entry_json(entry, current_user))


@bp.post("/entries/<int:entry_id>/actions/<action>")
@doc(
    "Take an entry action (mark_eligible, mark_ineligible, request_rescore, resolve, …)",
    response="entry",
    statuses=WRITE_ERRORS,
)
@require_login
def entry_action(entry_id: int, action: str):
    entry = _entry_or_404(entry_id)
    body = optional_body()
    if action == "request_rescore":  # the action also opens the next scoring round
        judging.request_rescore(entry, current_user, body.get("comment"))
    else:
        ops.perform_entry_action(entry, action, current_user, body, body.get("version"))
    db.session.commit()
    return jsonify(entry_json(entry, current_user))


@bp.post("/entries/<int:entry_id>/judges")
@doc(
    "Seat a juror on an entry, or swap one (replacing)",
    body=JudgeSchema,
    response="entry",
    statuses=(201, *WRITE_ERRORS),
)
@require_login
def entry_judge(entry_id: int):
    entry = _entry_or_404(entry_id)
    data = load(JudgeSchema(), json_body())
    judging.assign_judge(entry, current_user, data["expert_id"], replacing=data["replacing"])
    db.session.commit()
    return jsonify(entry_json(entry, current_user)), 201


@bp.put("/entries/<int:entry_id>/score")
@doc(
    "The judge's own scores: points per criterion (id or name) and a comment",
    body=ScoreSchema,
    response="entry",
    statuses=WRITE_ERRORS,
)
@require_login
def entry_score(entry_id: int):
    entry = _entry_or_404(entry_id)
    data = load(ScoreSchema(), json_body())
    judging.save_score(entry, current_user, data["scores"], data["comment"])
    db.session.commit()
    return jsonify(entry_json(entry, current_user))


@bp.post("/entries/<int:entry_id>/conflict")
@doc(
    "A judge declares a conflict of interest and steps off",
    body=ConflictSchema,
    response="the declared conflict",
)
@require_login
def entry_conflict(entry_id: int):
    entry = _entry_or_404(entry_id)
    data = load(ConflictSchema(), json_body())
    judging.declare_conflict(entry, current_user, data["details"])
    db.session.commit()
    return jsonify({"entry": entry.id, "state": "conflicted"})


# --- the decision on the awards and the certificates --------------------------------------


def _edition_for_files(edition_id: int) -> Edition:
    edition = _edition_or_404(edition_id)
    if not decision.can_download(edition, current_user):
        raise ApiError(404, _("The decision on the awards is not available."))
    return edition


def _certificate(entry_id: int, author_id: int, fmt: str):
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        raise ApiError(404, _("No such entry."))
    edition = _edition_for_files(entry.edition_id)
    found = decision.awarded_author(entry, author_id)
    if found is None:
        raise ApiError(404, _("No certificate: the entry won no award or has no such author."))
    return decision.certificate_response(edition, *found, fmt)


@bp.get("/contests/<int:edition_id>/decision.docx")
@doc(
    "The decision on the awards (DOCX); public once the results are published",
    response="DOCX document",
    auth=False,
    statuses=(404,),
)
def contest_decision_docx(edition_id: int):
    return decision.decision_response(_edition_for_files(edition_id), "docx")


@bp.get("/contests/<int:edition_id>/decision.pdf")
@doc(
    "The decision on the awards (PDF); public once the results are published",
    response="PDF document",
    auth=False,
    statuses=(404,),
)
def contest_decision_pdf(edition_id: int):
    return decision.decision_response(_edition_for_files(edition_id), "pdf")


@bp.get("/entries/<int:entry_id>/certificates/<int:author_id>.docx")
@doc(
    "The certificate of an author of an awarded entry (DOCX)",
    response="DOCX document",
    auth=False,
    statuses=(404,),
)
def entry_certificate_docx(entry_id: int, author_id: int):
    return _certificate(entry_id, author_id, "docx")


@bp.get("/entries/<int:entry_id>/certificates/<int:author_id>.pdf")
@doc(
    "The certificate of an author of an awarded entry (PDF)",
    response="PDF document",
    auth=False,
    statuses=(404,),
)
def entry_certificate_pdf(entry_id: int, author_id: int):
    return _certificate(entry_id, author_id, "pdf")
