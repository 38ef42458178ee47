"""What the API answers, as marshmallow schemas: the OpenAPI document's response bodies.

Each resource's answer is its request schema (what a client may write) plus what the
server adds (ids, state, versions, names of linked objects), so the two cannot drift
apart field by field. ``tests/test_openapi_responses.py`` checks real answers against
the document built from these, key by key. The scholarly record's and the contest's
answers are described beside their code, in ``expertnet/scholarly/responses.py`` and
``expertnet/contest/responses.py``.
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
from ..core.response_fields import Bool, Int, Str
from ..core.response_fields import opt as _opt
from ..core.response_fields import req as _req
from ..directory.schemas import ExpertSchema


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
    workload = Int()
    max_assignments = Int()
    version = _req(Int)


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


# --- the expert network and panels (expertnet/panel, expertnet/api/panel.py) -----------

Float = fields.Float


def _counts():
    """A free-form map of counts by a code (a kind, a state, a province)."""
    return fields.Dict(keys=Str(), values=Int(), required=True)


class PathStepResponse(Schema):
    """One node on a conflict path (``panel.conflicts.path_json``)."""

    type = _req(Str)
    id = _req(Int)
    label = _req(Str)
    via = Str()


class ConflictResponse(Schema):
    rule = _req(Str)
    severity = _req(Str)
    reason = _req(Str)
    path = fields.List(fields.Nested(PathStepResponse), required=True)


class WorkloadResponse(Schema):
    active = _req(Int)
    max = _req(Int)


class CandidateResponse(Schema):
    """A suggested panel member (``panel.service.candidate_json``)."""

    expert_id = _req(Int)
    name = _req(Str)
    score = _req(Float)
    affinity = _req(Float)
    reasons = fields.List(Str(), required=True)
    chair = _req(Bool)
    organizations = fields.List(Int(), required=True)
    former_provinces = fields.List(Str(), required=True)
    workload = fields.Nested(WorkloadResponse, required=True)
    potential_conflicts = fields.List(fields.Nested(ConflictResponse), required=True)


class UnmetResponse(Schema):
    constraint = _req(Str)
    message = _req(Str)


class ExclusionResponse(Schema):
    expert_id = _req(Int)
    reason = _req(Str)
    message = _req(Str)
    rule = _req(Str)
    affinity = _req(Float)
    path = fields.List(fields.Nested(PathStepResponse))


class SuggestionsResponse(Schema):
    """A suggested panel (``panel.service.suggestion_json``)."""

    request_id = _opt(Int)
    size = _req(Int)
    items = fields.List(fields.Nested(CandidateResponse), required=True)
    chair_id = _opt(Int)
    unmet = fields.List(fields.Nested(UnmetResponse), required=True)
    excluded = fields.List(fields.Nested(ExclusionResponse), required=True)
    excluded_total = _req(Int)
    qualified = _req(Int)
    graph_version = fields.List(Int(), required=True)


class PlannedSeatResponse(Schema):
    expert_id = _req(Int)
    name = _req(Str)
    affinity = _req(Float)


class PlannedPanelResponse(Schema):
    request_id = _req(Int)
    seats = _req(Int)
    experts = fields.List(fields.Nested(PlannedSeatResponse), required=True)
    unfilled = _req(Int)


class PanelPlanResponse(Schema):
    """Panels proposed for several requests (``api.panel.panel_plan``)."""

    panels = fields.List(fields.Nested(PlannedPanelResponse), required=True)
    total_affinity = _req(Float)
    seats_filled = _req(Int)
    seats_asked = _req(Int)


class NetworkNodeResponse(Schema):
    """A node of an ego network (``panel.network.node_json``); the last keys by type."""

    id = _req(Str)
    type = _req(Str)
    ref = _req(Int)
    label = _req(Str)
    depth = _req(Int)
    expert = Bool()
    former_provinces = fields.List(Str())
    kind = Str()
    former_province = Str(allow_none=True)
    code = Str()


class NetworkEdgeResponse(Schema):
    source = _req(Str)
    target = _req(Str)
    kinds = fields.List(Str(), required=True)


class NetworkResponse(Schema):
    """An expert's ego network (``panel.network.ego_network``)."""

    center = _req(Str)
    depth = _req(Int)
    nodes = fields.List(fields.Nested(NetworkNodeResponse), required=True)
    edges = fields.List(fields.Nested(NetworkEdgeResponse), required=True)
    truncated = _req(Bool)


class ProvinceCooperationResponse(Schema):
    experts_by_province = _counts()
    panels = _req(Int)
    panels_mixing_provinces = _req(Int)
    share_of_panels_mixing = _opt(Float)
    panel_pairs = _req(Int)
    cross_province_panel_pairs = _req(Int)
    cross_province_shared_memberships = _req(Int)


class ThinFieldResponse(Schema):
    code = _req(Str)
    name = _req(Str)
    name_en = _opt()
    experts = _req(Int)
    available = _req(Int)
    missing = _req(Int)


class OrgNodeRef(Schema):
    id = _req(Int)
    label = _req(Str)
    former_province = _opt()


class OrganizationPairResponse(Schema):
    organizations = fields.List(fields.Nested(OrgNodeRef), required=True)
    pairs = _req(Int)


class CollaborationResponse(Schema):
    """Co-authorship and joint projects (``scholarly.graph_source.collaboration_stats``)."""

    pairs = _req(Int)
    coauthor_pairs = _req(Int)
    joint_project_pairs = _req(Int)
    cross_organization_pairs = _req(Int)
    cross_province_pairs = _req(Int)
    organization_pairs = fields.List(fields.Nested(OrganizationPairResponse), required=True)


class ConnectingPersonResponse(Schema):
    id = _req(Int)
    label = _req(Str)
    organizations = _req(Int)
    former_provinces = fields.List(Str(), required=True)


class ConnectingOrganizationResponse(OrgNodeRef):
    betweenness = _req(Float)
    linked_organizations = _req(Int)
    shared_experts = _req(Int)


class OrganizationMapNode(Schema):
    id = _req(Int)
    label = _req(Str)
    name = _req(Str)
    experts = _req(Int)
    former_province = _opt()
    shared_experts = _req(Int)


class OrganizationMapLink(Schema):
    source = _req(Int)
    target = _req(Int)
    shared = _req(Int)


class OrganizationMapResponse(Schema):
    """The organisations sharing the most experts and their links (the network picture)."""

    nodes = fields.List(fields.Nested(OrganizationMapNode), required=True)
    links = fields.List(fields.Nested(OrganizationMapLink), required=True)
    organizations_linked = _req(Int)


class NetworkStatsResponse(Schema):
    """Union-wide graph figures (``panel.network.network_stats``)."""

    graph_version = fields.List(Int(), required=True)
    build_seconds = _req(Float)
    nodes = _req(Int)
    edges = _req(Int)
    people = _req(Int)
    experts = _req(Int)
    organizations = _req(Int)
    fields_ = _req(Int, data_key="fields")
    requests = _req(Int)
    edges_by_kind = _counts()
    provinces = fields.Nested(ProvinceCooperationResponse, required=True)
    thin_fields = fields.List(fields.Nested(ThinFieldResponse), required=True)
    collaboration = fields.Nested(CollaborationResponse, required=True)
    connecting_people = fields.List(fields.Nested(ConnectingPersonResponse), required=True)
    connecting_organizations = fields.List(
        fields.Nested(ConnectingOrganizationResponse), required=True
    )
    organization_map = fields.Nested(OrganizationMapResponse, required=True)


# --- the yearly activity report (expertnet/reports/queries.py) --------------------------


class ReportOrganizationRef(Schema):
    id = _req(Int)
    code = _req(Str)
    name = _req(Str)
    kind = _req(Str)
    former_province = _opt()


class ReportOrganizationRow(ReportOrganizationRef):
    """One member organisation's figures (``OrganizationRow.to_json``)."""

    experts_engaged = _req(Int)
    panel_seats = _req(Int)
    opinions_submitted = _req(Int)
    opinions_published = _req(Int)
    median_days_to_publish = _opt(Float)
    adoption_rate = _opt(Float)


class AdoptionResponse(Schema):
    """Answered recommendations by the agency's response, and the rule of the rate."""

    adopted = _req(Int)
    partially_adopted = _req(Int)
    not_adopted = _req(Int)
    unanswered = _req(Int)
    answered = _req(Int)
    rule = _req(Str)


class ProvinceMixingResponse(Schema):
    panels = _req(Int)
    mixed = _req(Int)
    share = _opt(Float)


class ContestEditionRef(Schema):
    id = _req(Int)
    name = _req(Str)
    number = _req(Int)
    youth = _req(Bool)
    state = _req(Str)


class ContestJudgeOrganizationRow(Schema):
    """A member organisation whose experts held judge seats in the year's editions."""

    id = _req(Int)
    code = _req(Str)
    name = _req(Str)
    former_province = _opt(Str)
    judges = _req(Int)
    seats = _req(Int)


class ContestReportResponse(Schema):
    """The contest in the year (``reports/contest.py``): editions, entries, awards, judges."""

    editions = fields.List(fields.Nested(ContestEditionRef), required=True)
    entries = _req(Int)
    entries_by_field = _counts()
    entries_by_former_province = _counts()
    authors = _req(Int)
    awards = _counts()
    awards_total = _req(Int)
    judges = _req(Int)
    judges_by_organization = fields.List(fields.Nested(ContestJudgeOrganizationRow), required=True)


class ActivityReportResponse(Schema):
    """The year's activity (``ActivityReport.to_json``); ``organizations`` for the union only."""

    year = _req(Int)
    organization = fields.Nested(ReportOrganizationRef, required=True, allow_none=True)
    requests_total = _req(Int)
    requests_by_kind = _counts()
    requests_by_state = _counts()
    meetings_held = _req(Int)
    meetings_by_kind = _counts()
    workshops_and_conferences = _req(Int)
    opinions_published = _req(Int)
    opinions_by_kind = _counts()
    opinions_by_month = fields.List(Int(), required=True)
    experts_engaged = _req(Int)
    organizations_engaged = _req(Int)
    median_days_to_publish = _opt(Float)
    adoption_rate = _opt(Float)
    adoption = fields.Nested(AdoptionResponse, required=True)
    province_mixing = fields.Nested(ProvinceMixingResponse, required=True)
    contest = fields.Nested(ContestReportResponse, required=True, allow_none=True)
    organizations = fields.List(fields.Nested(ReportOrganizationRow))


# --- account invitations (expertnet/api/access.py) ----------------------------------------


class AccountInvitationResponse(Schema):
    expert_id = _req(Int)
    outcome = _req(Str, metadata={"enum": ["invited", "joined", "recent", "not_allowed",
                                           "over_limit"]})  # fmt: skip


class RosterInvitationsResponse(Schema):
    """Counts per outcome (``invite_to_accounts``); an outcome nobody had is left out."""

    organization = _req(Int)
    invited = Int()
    joined = Int()
    deactivated = Int()
    recent = Int()
    no_email = Int()
    address_taken = Int()
    not_allowed = Int()
    over_limit = Int()
