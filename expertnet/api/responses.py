"""What the API answers, as marshmallow schemas: the OpenAPI document's response bodies.

Each resource's answer is its request schema (what a client may write) plus what the
server adds (ids, state, versions, names of linked objects), so the two cannot drift
apart field by field. ``tests/test_openapi_responses.py`` checks real answers against
the document built from these, key by key.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from ..consultation.schemas import (
    ConsolidationSchema,
    GuestSchema,
    MeetingSchema,
    OpinionSchema,
    RequestUpdateSchema,
)
from ..directory.schemas import ExpertSchema

Str = fields.String
Int = fields.Integer
Bool = fields.Boolean


def _opt(field_cls=Str, **kw):
    """A key that is always present and may be null."""
    return field_cls(required=True, allow_none=True, **kw)


def _req(field_cls=Str, **kw):
    return field_cls(required=True, **kw)


class Named(Schema):
    id = _req(Int)
    name = _req(Str)


class FieldRef(Schema):
    code = _req(Str)
    name = _req(Str)


class FieldResponse(FieldRef):
    name_vi = _req(Str)
    name_en = _opt()
    parent = _opt()


class MembershipRef(Named):
    role = _req(Str)


class OrganizationResponse(Schema):
    id = _req(Int)
    code = _req(Str)
    name = _req(Str)
    short_name = _opt()
    kind = _req(Str)
    former_province = _opt()
    parent = _opt(Int)
    address = _opt()
    email = _opt()
    phone = _opt()
    website = _opt()
    member_count = Int()


class ExpertSummaryResponse(Schema):
    id = _req(Int)
    full_name = _req(Str)
    display_name = _req(Str)
    academic_title = _opt()
    degree = _opt()
    organizations = _req(fields.List, cls_or_instance=fields.Nested(MembershipRef))
    fields_ = fields.List(fields.Nested(FieldRef), required=True, data_key="fields")


class ExpertResponse(ExpertSchema):
    """An expert; contact details, birth year and cap only for those allowed to see them."""

    id = _req(Int)
    display_name = _req(Str)
    organizations = fields.List(fields.Nested(MembershipRef), required=True)
    fields_ = fields.List(fields.Nested(FieldRef), required=True, data_key="fields")
    employer = _opt(Int)
    version = _req(Int)


class ExpertPageItem(ExpertSummaryResponse):
    """A search hit: the expert's summary with the search's own annotations."""

    score = _opt(fields.Float)
    highlights = _req(fields.Dict)


class RequestResponse(RequestUpdateSchema):
    id = _req(Int)
    state = _req(Str)
    version = _req(Int)
    subject_organizations = fields.List(fields.Nested(Named), required=True)
    agency = fields.Nested(Named, required=True, allow_none=True)
    filed_by = _opt(Int)
    coordinator = fields.Nested(Named, required=True, allow_none=True)
    created_at = _opt()
    updated_at = _opt()
    submitted_at = _opt()
    published_at = _opt()
    closed_at = _opt()
    published_opinion = _opt(Int)
    allowed_actions = fields.List(Str())
    opinion_due_at = _opt()
    due_date = _opt()


class ActorRef(Named):
    role = _opt()


class TransitionResponse(Schema):
    action = _req(Str)
    from_state = _opt()
    to_state = _req(Str)
    actor = fields.Nested(ActorRef, required=True)
    at = _req(Str)
    comment = _opt()
    payload = _opt(fields.Dict)
    version = _req(Int)


class DocumentResponse(Schema):
    id = _req(Int)
    request_id = _req(Int)
    filename = _req(Str)
    sha256 = _req(Str)
    size = _req(Int)
    media_type = _req(Str)
    uploaded_by = _opt(Int)
    uploaded_at = _opt()


class InvitationResponse(Schema):
    id = _req(Int)
    request_id = _req(Int)
    request_title = _req(Str)
    expert_id = _req(Int)
    expert_name = _req(Str)
    role = _req(Str)
    state = _req(Str)
    respond_by = _opt()
    invited_at = _opt()
    responded_at = _opt()
    conflict_declaration = _opt(fields.Dict)
    conflict_resolution = _opt()
    conflict_note = _opt()
    decline_reason = _opt()
    replaced_by = _opt(Int)
    version = _req(Int)
    workload = Int()
    max_assignments = Int()


class OpinionResponse(OpinionSchema):
    id = _req(Int)
    request_id = _req(Int)
    expert_id = _req(Int)
    expert_name = _req(Str)
    assessment_html = _req(Str)
    recommendations = fields.List(fields.Dict(), required=True)
    submitted = _req(Bool)
    submitted_at = _opt()
    updated_at = _opt()
    version = _req(Int)


class ConsolidationResponse(ConsolidationSchema):
    id = _req(Int)
    request_id = _req(Int)
    text_html = _req(Str)
    recommendations = fields.List(fields.Dict(), required=True)
    author = fields.Nested(Named, required=True)
    updated_at = _opt()
    version = _req(Int)


class ParticipantResponse(Schema):
    expert_id = _req(Int)
    name = _req(Str)
    attended = _opt(Bool)


class MeetingResponse(MeetingSchema):
    id = _req(Int)
    request_id = _req(Int)
    starts_at = _req(Str)
    online_url = _opt()
    guests = fields.List(fields.Nested(GuestSchema), required=True)
    experts = fields.List(fields.Nested(ParticipantResponse), required=True)
    held = _opt(Bool)


class PublishedSummaryResponse(Schema):
    id = _req(Int)
    request_id = _req(Int)
    number = _req(Str)
    kind = _req(Str)
    title = _req(Str)
    agency = _opt(fields.Raw)
    fields_ = fields.List(fields.Raw(), required=True, data_key="fields")
    published_at = _opt()
    confidential = _req(Bool)


class PublishedRecommendationResponse(Schema):
    id = _req(Int)
    position = _req(Int)
    text = _req(Str)
    endorsed_by = fields.List(Int(), required=True)
    endorsers = fields.List(fields.Dict(), required=True)
    dissent = fields.List(fields.Dict(), required=True)
    response = _opt(fields.Dict)


class PublishedResponse(PublishedSummaryResponse):
    summary = _opt()
    text = _req(Str)
    text_html = _req(Str)
    panel = fields.List(fields.Dict(), required=True)
    recommendations = fields.List(fields.Nested(PublishedRecommendationResponse), required=True)
    dates = _req(fields.Dict)
    approved_by = _opt(fields.Raw)
    content_hash = _req(Str)
    response_recorded = _req(Bool)


class NotificationResponse(Schema):
    id = _req(Int)
    kind = _req(Str)
    request_id = _opt(Int)
    subject = _req(Str)
    body = _opt()
    created_at = _opt()
    read_at = _opt()


class RelationshipResponse(Schema):
    id = _req(Int)
    person_a_id = _req(Int)
    person_b_id = _req(Int)
    kind = _req(Str)
    note = _opt()
    declared_by = _opt(Int)
    created_at = _opt()


class StatusResponse(Schema):
    status = _req(Str)
    problems = fields.List(Str(), required=True)
    database = _req(Str)
    index = _req(fields.Raw)
