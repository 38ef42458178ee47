"""Validation of scholarly-record data arriving through the API."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates

from ..core.i18n import N_
from ..directory.schemas import CleanString, CleanText
from .importers import normalize_doi, normalize_orcid
from .models import (
    MAX_AUTHORS,
    PatentKind,
    PatentStatus,
    ProjectLevel,
    ProjectRole,
    ProjectStatus,
    PublicationType,
)

_YEAR = validate.Range(min=1900, max=2100)


def _keywords(value: list[str]) -> None:
    if len(value) > 30:
        raise ValidationError(N_("At most 30 keywords."))
    for kw in value:
        if not kw or len(kw) > 120:
            raise ValidationError(N_("Each keyword must have 1 to 120 characters."))


def _url(value: str | None) -> None:
    if value and not value.startswith(("http://", "https://")):
        raise ValidationError(N_("A web address must start with http:// or https://."))


class AuthorSchema(Schema):
    class Meta:
        unknown = RAISE

    name = CleanString(required=True, validate=validate.Length(min=1, max=300))
    person_id = fields.Integer(strict=True, allow_none=True)
    orcid = fields.String(allow_none=True)

    @validates("orcid")
    def _orcid(self, value, **kwargs):
        if value and normalize_orcid(value) is None:
            raise ValidationError(N_("Not a valid ORCID iD (check digit wrong)."))


class PublicationSchema(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(validate=validate.OneOf(PublicationType.values()))
    title = CleanString(required=True, validate=validate.Length(min=1, max=2000))
    authors = fields.List(fields.Nested(AuthorSchema), validate=validate.Length(max=MAX_AUTHORS))
    year = fields.Integer(strict=True, allow_none=True, validate=_YEAR)
    venue = CleanString(allow_none=True, validate=validate.Length(max=500))
    volume = CleanString(allow_none=True, validate=validate.Length(max=40))
    issue = CleanString(allow_none=True, validate=validate.Length(max=40))
    pages = CleanString(allow_none=True, validate=validate.Length(max=40))
    publisher = CleanString(allow_none=True, validate=validate.Length(max=255))
    doi = fields.String(allow_none=True)
    isbn = CleanString(allow_none=True, validate=validate.Length(max=40))
    language = CleanString(allow_none=True, validate=validate.Length(max=8))
    abstract = CleanText(allow_none=True, validate=validate.Length(max=20000))
    keywords = fields.List(CleanString(), validate=_keywords)
    url = CleanString(allow_none=True, validate=[validate.Length(max=1000), _url])

    @pre_load
    def _blank_is_null(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {k: (None if v == "" and k not in ("title",) else v) for k, v in data.items()}

    @validates("doi")
    def _doi(self, value, **kwargs):
        if value and normalize_doi(value) is None:
            raise ValidationError(N_("Not a DOI (it looks like 10.1234/abc)."))


class ProjectSchema(Schema):
    class Meta:
        unknown = RAISE

    code = CleanString(allow_none=True, validate=validate.Length(max=80))
    title = CleanString(required=True, validate=validate.Length(min=1, max=2000))
    level = fields.String(validate=validate.OneOf(ProjectLevel.values()))
    role = fields.String(validate=validate.OneOf(ProjectRole.values()))
    funder = CleanString(allow_none=True, validate=validate.Length(max=255))
    start_year = fields.Integer(strict=True, allow_none=True, validate=_YEAR)
    end_year = fields.Integer(strict=True, allow_none=True, validate=_YEAR)
    status = fields.String(validate=validate.OneOf(ProjectStatus.values()))
    result = CleanText(allow_none=True, validate=validate.Length(max=5000))

    @pre_load
    def _blank_is_null(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {k: (None if v == "" and k != "title" else v) for k, v in data.items()}


class PatentSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(validate=validate.OneOf(PatentKind.values()))
    title = CleanString(required=True, validate=validate.Length(min=1, max=2000))
    number = CleanString(allow_none=True, validate=validate.Length(max=80))
    office = CleanString(allow_none=True, validate=validate.Length(max=255))
    year = fields.Integer(strict=True, allow_none=True, validate=_YEAR)
    status = fields.String(validate=validate.OneOf(PatentStatus.values()))
    inventors = CleanText(allow_none=True, validate=validate.Length(max=5000))


def clean_publication(data: dict) -> dict:
    """After validation: the DOI in its canonical form, the ORCID iDs too."""
    if data.get("doi"):
        data["doi"] = normalize_doi(data["doi"])
    for a in data.get("authors") or []:
        if a.get("orcid"):
            a["orcid"] = normalize_orcid(a["orcid"])
    return data
