"""What the scholarly record's API answers (``expertnet/scholarly/api.py``, serialised by
``serialize.py``), as marshmallow schemas for the OpenAPI document: each record is its
input schema plus what the server adds, as in ``expertnet/api/responses.py``."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..core.response_fields import Bool, Int, Str
from ..core.response_fields import opt as _opt
from ..core.response_fields import req as _req
from .schemas import PatentSchema, ProjectSchema, PublicationSchema


class PublicationAuthorResponse(Schema):
    name = _req(Str)
    person_id = _opt(Int)
    position = _req(Int)
    orcid = _opt()
    suggested_person_id = _opt(Int)


class PublicationResponse(PublicationSchema):
    """A publication (``publication_json``): the writable keys, all present, and its ids."""

    id = _req(Int)
    person_id = _req(Int)
    type = _req(Str)
    title = _req(Str)
    authors = fields.List(fields.Nested(PublicationAuthorResponse), required=True)
    authors_not_shown = _req(Int)
    year = _opt(Int)
    venue = _opt()
    volume = _opt()
    issue = _opt()
    pages = _opt()
    publisher = _opt()
    doi = _opt()
    isbn = _opt()
    language = _opt()
    abstract = _opt()
    keywords = fields.List(Str(), required=True)
    url = _opt()
    source = _opt()


class ProjectResponse(ProjectSchema):
    """A research project (``project_json``)."""

    id = _req(Int)
    person_id = _req(Int)
    code = _opt()
    title = _req(Str)
    level = _opt()
    role = _opt()
    funder = _opt()
    start_year = _opt(Int)
    end_year = _opt(Int)
    status = _opt()
    result = _opt()


class PatentResponse(PatentSchema):
    """A patent or utility solution (``patent_json``)."""

    id = _req(Int)
    person_id = _req(Int)
    kind = _opt()
    title = _req(Str)
    number = _opt()
    office = _opt()
    year = _opt(Int)
    status = _opt()
    inventors = _opt()


class OrcidResponse(Schema):
    person_id = _req(Int)
    orcid = _opt()


class ImportRejectedResponse(Schema):
    entry = _req(Str)
    reason = _req(Str)


class ImportNewResponse(Schema):
    title = _req(Str)
    year = _opt(Int)
    doi = _opt()


class ImportMergeResponse(Schema):
    entry = _req(Str)
    title = _req(Str)
    into = _req(Int)
    into_title = _req(Str)
    by = _req(Str, metadata={"enum": ["doi", "title_year"]})
    fills = fields.List(Str(), required=True)


class ImportSummaryResponse(Schema):
    """A publication import or lookup (``ImportPlan.preview``, its format and dry run)."""

    created = _req(Int)
    merged = _req(Int)
    rejected = fields.List(fields.Nested(ImportRejectedResponse), required=True)
    new = fields.List(fields.Nested(ImportNewResponse), required=True)
    merges = fields.List(fields.Nested(ImportMergeResponse), required=True)
    format = _req(Str)
    dry_run = _req(Bool)
