"""Validation of expert data arriving through the API (web forms use WTForms)."""

from __future__ import annotations

import re
from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from ..core.i18n import N_
from ..core.text import clean_line, clean_text
from ..core.validate import OneOf
from .models import AcademicTitle, Degree, Gender

PHONE_RE = re.compile(r"^\+?[0-9 .()-]{8,20}$")

# marshmallow's stock messages, listed so that pybabel extracts them for translation.
_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid boolean."),
    N_("Not a valid list."),
    N_("Not a valid email address."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Not a valid date."),
)


def _strip(value):
    return clean_line(value) if isinstance(value, str) else value


class CleanString(fields.String):
    """A one-line string: NFC, control characters removed, white space folded."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return clean_line(value)


class CleanText(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return clean_text(value)


def _phone(value: str | None) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(N_("Not a valid phone number."))


def _birth_year(value: int | None) -> None:
    if value is not None and not (1900 <= value <= date.today().year - 15):
        raise ValidationError(N_("Not a plausible birth year."))


def _keywords(value: list[str]) -> None:
    if len(value) > 50:
        raise ValidationError(N_("At most 50 keywords."))
    for kw in value:
        if not kw or len(kw) > 100:
            raise ValidationError(N_("Each keyword must have 1 to 100 characters."))


class ExpertSchema(Schema):
    class Meta:
        unknown = RAISE

    full_name = CleanString(required=True, validate=validate.Length(min=2, max=200))
    academic_title = fields.String(allow_none=True, validate=OneOf(AcademicTitle.values()))
    degree = fields.String(allow_none=True, validate=OneOf(Degree.values()))
    gender = fields.String(allow_none=True, validate=OneOf(Gender.values()))
    birth_year = fields.Integer(allow_none=True, strict=True, validate=_birth_year)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = CleanString(allow_none=True, validate=_phone)
    position = CleanString(allow_none=True, validate=validate.Length(max=200))
    employer = fields.Integer(allow_none=True, strict=True)
    employer_name = CleanString(allow_none=True, validate=validate.Length(max=255))
    organizations = fields.List(fields.Integer(strict=True), validate=validate.Length(max=20))
    fields_ = fields.List(
        fields.String(validate=validate.Length(max=16)),
        data_key="fields",
        attribute="fields",
        validate=validate.Length(max=20),
    )
    expertise = fields.List(CleanString(), validate=_keywords)
    bio = CleanText(allow_none=True, validate=validate.Length(max=5000))
    public_profile = fields.Boolean(truthy={True}, falsy={False})
    available = fields.Boolean(truthy={True}, falsy={False})
    max_assignments = fields.Integer(strict=True, validate=validate.Range(min=0, max=50))
    version = fields.Integer(strict=True, load_only=True)

    @pre_load
    def _empty_strings_are_null(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        nullable = ("academic_title", "degree", "gender", "email", "phone", "position", "bio")
        return {k: (None if k in nullable and v == "" else v) for k, v in data.items()}
