"""What the contest's API answers (``expertnet/contest/api.py`` and ``results.py``), as
marshmallow schemas for the OpenAPI document: each writable resource is its input schema
plus what the server adds, as in ``expertnet/api/responses.py``."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..core.response_fields import Bool, Int, Str
from ..core.response_fields import opt as _opt
from ..core.response_fields import req as _req
from .schemas import AwardLevelSchema, CriterionSchema, EditionSchema, EntrySchema

_DATES = ("entries_open_on", "entries_close_on", "judging_from", "judging_until", "results_on")


def _decimal(**kw):
    """A decimal number as a string (``"85.50"``), exact where a float would round."""
    return Str(metadata={"format": "decimal"}, **kw)


class ContestDocumentRef(Schema):
    id = _req(Int)
    filename = _req(Str)


class CriterionResponse(CriterionSchema):
    id = _req(Int)
    name = _req(Str)
    max_points = _req(Int)


class AwardLevelResponse(AwardLevelSchema):
    id = _req(Int)
    rank = _req(Int)
    name = _req(Str)
    min_total = _decimal(required=True)
    quota = _opt(Int)


class EditionDatesResponse(Schema):
    entries_open_on = _opt(fields.Date)
    entries_close_on = _opt(fields.Date)
    judging_from = _opt(fields.Date)
    judging_until = _opt(fields.Date)
    results_on = _opt(fields.Date)


class EditionResponse(EditionSchema):
    """An edition (``edition_json``): the writable keys, the dates grouped under ``dates``."""

    class Meta(EditionSchema.Meta):
        exclude = _DATES

    id = _req(Int)
    name = _req(Str)
    number = _req(Int)
    youth = _req(Bool)
    organisers = _req(Str)
    description = _req(Str)
    state = _req(Str)
    version = _req(Int)
    fields_ = fields.List(Str(), required=True, data_key="fields", attribute="fields")
    dates = fields.Nested(EditionDatesResponse, required=True)
    min_judges = _req(Int)
    max_spread = _decimal(required=True)
    judge_cap = _req(Int)
    criteria = fields.List(fields.Nested(CriterionResponse), required=True)
    award_levels = fields.List(fields.Nested(AwardLevelResponse), required=True)
    documents = fields.List(fields.Nested(ContestDocumentRef), required=True)
    allowed_actions = fields.List(Str(), required=True)


class EntryAuthorResponse(Schema):
    full_name = _req(Str)
    share = _req(Int)
    employer = _req(Str)
    # Only for the secretariat and the entry's own authors.
    email = Str()
    phone = Str()


class JudgeResponse(Schema):
    expert_id = _req(Int)
    name = _req(Str)
    state = _req(Str)
    affinity = _decimal(required=True)
    conflict_details = _opt()


class ScoreResponse(Schema):
    expert_id = _req(Int)
    criterion = _req(Int)
    round = _req(Int)
    points = _decimal(required=True)
    comment = _req(Str)


class EntryResponse(EntrySchema):
    """An entry (``entry_json``); judges for the secretariat, scores for it and the judges."""

    id = _req(Int)
    edition = _req(Int)
    number = _req(Int)
    title = _req(Str)
    field = _req(Str)
    description = _req(Str)
    applying_organization_name = _req(Str)
    applying_organization_id = _opt(Int)
    applied_where = _req(Str)
    applied_since = _opt(fields.Date)
    state = _req(Str)
    version = _req(Int)
    screening_reason = _opt()
    score_round = _req(Int)
    authors = fields.List(fields.Nested(EntryAuthorResponse), required=True)
    documents = fields.List(fields.Nested(ContestDocumentRef), required=True)
    allowed_actions = fields.List(Str(), required=True)
    judges = fields.List(fields.Nested(JudgeResponse))
    scores = fields.List(fields.Nested(ScoreResponse))


class SeatResponse(Schema):
    entry = _req(Int)
    expert_id = _req(Int)


class ContestPlanResponse(Schema):
    """The planned (or, with ``apply``, created) judge seats."""

    applied = _req(Bool)
    # Of a plan not applied (else null): post it back with apply=true to save exactly that plan.
    fingerprint = _opt(Str)
    seats = fields.List(fields.Nested(SeatResponse), required=True)
    total = _req(Int)


class ResultEntryRef(Schema):
    id = _req(Int)
    number = _req(Int)
    title = _req(Str)


class CertificateRef(Schema):
    author = _req(Int)
    full_name = _req(Str)
    docx = _req(Str)
    pdf = _req(Str)


class DecisionRef(Schema):
    docx = _req(Str)
    pdf = _req(Str)


class ResultLineResponse(Schema):
    entry = fields.Nested(ResultEntryRef, required=True)
    field = _req(Str)
    authors = fields.List(Str(), required=True)
    applying_organization = _req(Str)
    rank_in_field = _req(Int)
    mean_total = _decimal(required=True)
    adjusted_total = _decimal(required=True)
    award = _opt()
    # Before publication only (the secretariat and the board).
    proposed_award = Str(allow_none=True)
    edit_reason = Str(allow_none=True)
    # Awarded entries once the results are approved: one certificate per author.
    certificates = fields.List(fields.Nested(CertificateRef))


class ResultsResponse(Schema):
    edition = _req(Int)
    state = _req(Str)
    results = fields.List(fields.Nested(ResultLineResponse), required=True)
    # Once the results are approved: the decision on the awards.
    decision = fields.Nested(DecisionRef)


class ConflictDeclaredResponse(Schema):
    entry = _req(Int)
    state = _req(Str, metadata={"enum": ["conflicted"]})


class AuthorLinkResponse(Schema):
    """The same answer whether or not the address was known."""

    sent = _req(Bool, metadata={"enum": [True]})
