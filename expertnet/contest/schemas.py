"""Validation of what the API and the forms receive for contest editions and entries."""

from __future__ import annotations

from itertools import pairwise

from marshmallow import ValidationError, fields, validate, validates_schema

from ..consultation.schemas import StrictSchema
from ..core.i18n import N_
from ..directory.schemas import CleanString, CleanText

_MESSAGES = (
    N_("The criteria's maximum points must sum to 100."),
    N_("Each award level needs a lower threshold than the one above it."),
    N_("The authors' shares must sum to 100."),
    N_("Entries must open before they close."),
)


def _codes() -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=16)),
        data_key="fields",
        attribute="fields",
        validate=validate.Length(min=1, max=30),
    )


class CriterionSchema(StrictSchema):
    name = CleanString(required=True, validate=validate.Length(min=2, max=200))
    max_points = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100))


class AwardLevelSchema(StrictSchema):
    name = CleanString(required=True, validate=validate.Length(min=2, max=100))
    min_total = fields.Decimal(required=True, places=2, validate=validate.Range(0, 100))
    quota = fields.Integer(strict=True, allow_none=True, load_default=None)

    @validates_schema
    def _quota(self, data, **kwargs) -> None:
        if data.get("quota") is not None and data["quota"] < 1:
            raise ValidationError(N_("Must be at least 1, or empty for no limit."), "quota")


class EditionSchema(StrictSchema):
    """An edition as created; for a change every key is optional (``partial=True``)."""

    name = CleanString(required=True, validate=validate.Length(min=3, max=300))
    number = fields.Integer(required=True, strict=True, validate=validate.Range(1, 1000))
    youth = fields.Boolean(truthy={True}, falsy={False}, load_default=False)
    organisers = CleanText(load_default="", validate=validate.Length(max=5000))
    description = CleanText(load_default="", validate=validate.Length(max=20000))
    fields_ = _codes()
    entries_open_on = fields.Date(allow_none=True, load_default=None)
    entries_close_on = fields.Date(allow_none=True, load_default=None)
    judging_from = fields.Date(allow_none=True, load_default=None)
    judging_until = fields.Date(allow_none=True, load_default=None)
    results_on = fields.Date(allow_none=True, load_default=None)
    min_judges = fields.Integer(strict=True, load_default=3, validate=validate.Range(1, 15))
    max_spread = fields.Decimal(places=2, load_default=20, validate=validate.Range(1, 100))
    judge_cap = fields.Integer(strict=True, load_default=20, validate=validate.Range(1, 500))
    criteria = fields.List(fields.Nested(CriterionSchema), validate=validate.Length(min=1, max=10))
    award_levels = fields.List(
        fields.Nested(AwardLevelSchema), validate=validate.Length(min=1, max=8)
    )

    @validates_schema
    def _consistent(self, data, **kwargs) -> None:
        criteria = data.get("criteria")
        if criteria is not None and sum(c["max_points"] for c in criteria) != 100:
            raise ValidationError(N_("The criteria's maximum points must sum to 100."), "criteria")
        levels = data.get("award_levels")
        if levels is not None:
            thresholds = [lv["min_total"] for lv in levels]
            if any(lower >= upper for upper, lower in pairwise(thresholds)):
                raise ValidationError(
                    N_("Each award level needs a lower threshold than the one above it."),
                    "award_levels",
                )
        opens, closes = data.get("entries_open_on"), data.get("entries_close_on")
        if opens and closes and opens > closes:
            raise ValidationError(N_("Entries must open before they close."), "entries_close_on")


class JurorSchema(StrictSchema):
    expert_id = fields.Integer(required=True, strict=True)
    field = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=16))
    chair = fields.Boolean(truthy={True}, falsy={False}, load_default=False)


class MembersSchema(StrictSchema):
    """The organising board (user ids) and the jury (experts, each in a field's sub-jury)."""

    board = fields.List(fields.Integer(strict=True), load_default=list)
    jury = fields.List(fields.Nested(JurorSchema), load_default=list)


class EntryAuthorSchema(StrictSchema):
    full_name = CleanString(required=True, validate=validate.Length(min=2, max=200))
    share = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100))
    employer = CleanString(load_default="", validate=validate.Length(max=300))
    employer_organization_id = fields.Integer(strict=True, allow_none=True, load_default=None)
    email = fields.Email(allow_none=True, load_default=None)
    phone = CleanString(load_default="", validate=validate.Length(max=40))
    expert_id = fields.Integer(strict=True, allow_none=True, load_default=None)


class EntrySchema(StrictSchema):
    """An entry as filed; for a change every key is optional (``partial=True``)."""

    title = CleanString(required=True, validate=validate.Length(min=5, max=500))
    field = fields.String(required=True, validate=validate.Length(min=1, max=16))
    description = CleanText(load_default="", validate=validate.Length(max=50000))
    applying_organization_name = CleanString(load_default="", validate=validate.Length(max=300))
    applying_organization_id = fields.Integer(strict=True, allow_none=True, load_default=None)
    applied_where = CleanText(load_default="", validate=validate.Length(max=5000))
    applied_since = fields.Date(allow_none=True, load_default=None)
    authors = fields.List(
        fields.Nested(EntryAuthorSchema), required=True, validate=validate.Length(min=1, max=20)
    )

    @validates_schema
    def _shares(self, data, **kwargs) -> None:
        authors = data.get("authors")
        if authors is not None and sum(a["share"] for a in authors) != 100:
            raise ValidationError(N_("The authors' shares must sum to 100."), "authors")
