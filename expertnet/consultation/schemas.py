"""Validation of what the API receives for requests, panels, opinions and meetings."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from workflows import RequestKind

from ..core.i18n import N_
from ..core.validate import OneOf
from ..directory.schemas import CleanString, CleanText
from .models import ConsultationForm, InvitationRole, MeetingKind, Position

_MESSAGES = (
    N_("Not a valid datetime."),
    N_("Give the details of the conflict."),
    N_("Give a place or an online link."),
)


class UTCDateTimeField(fields.DateTime):
    """ISO 8601; a time without an offset is taken as UTC, like the workflow engine does."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _choice(enum_values: list[str]) -> OneOf:
    return OneOf(enum_values)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ItemSchema(StrictSchema):
    """An entry of a list inside a body: complete even when the body is a partial update.

    Marshmallow passes ``partial`` on to nested schemas, which would let an attendance
    entry without ``attended`` through a PATCH; an item is never partial.
    """

    @validates_schema
    def _complete(self, data, **kwargs) -> None:
        missing = {
            field.data_key or name: [N_("Missing data for required field.")]
            for name, field in self.load_fields.items()
            if field.required and name not in data
        }
        if missing:
            raise ValidationError(missing)


class RequestCreateSchema(StrictSchema):
    kind = fields.String(required=True, validate=_choice([k.value for k in RequestKind]))
    title = CleanString(required=True, validate=validate.Length(min=3, max=300))
    summary = CleanText(load_default="", validate=validate.Length(max=20000))
    fields_ = fields.List(
        fields.String(validate=validate.Length(max=16)),
        data_key="fields",
        attribute="fields",
        load_default=list,
        validate=validate.Length(max=20),
    )
    subject_organizations = fields.List(
        fields.Integer(strict=True), load_default=list, validate=validate.Length(max=50)
    )
    due_date = fields.Date(allow_none=True, load_default=None)
    confidential = fields.Boolean(truthy={True}, falsy={False}, load_default=False)
    # The agency's request letter (số, ký hiệu and date), which the union's reply cites.
    agency_letter_number = CleanString(
        allow_none=True, load_default=None, validate=validate.Length(max=60)
    )
    agency_letter_date = fields.Date(allow_none=True, load_default=None)
    # The answer-by date counted in working days (weekends and public holidays skipped),
    # instead of ``due_date``.
    due_in_working_days = fields.Integer(
        strict=True, allow_none=True, load_only=True, validate=validate.Range(min=1, max=120)
    )


class RequestUpdateSchema(RequestCreateSchema):
    """The same fields, all optional (``partial``), plus the coordinator's opinion deadline
    and form of consultation."""

    opinion_due_at = UTCDateTimeField(allow_none=True)
    consultation_form = fields.String(validate=_choice(ConsultationForm.values()))


class InvitationSchema(StrictSchema):
    expert_id = fields.Integer(required=True, strict=True)
    role = fields.String(required=True, validate=_choice(InvitationRole.values()))
    respond_by = UTCDateTimeField(allow_none=True, load_default=None)
    # The respond-by date counted in working days (17:00 on that day), instead of a date.
    respond_in_working_days = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(min=1, max=60)
    )


class ConflictDeclarationSchema(StrictSchema):
    has_conflict = fields.Boolean(required=True, truthy={True}, falsy={False})
    details = CleanText(allow_none=True, load_default=None, validate=validate.Length(max=5000))

    @validates_schema
    def _details_when_conflict(self, data, **kwargs) -> None:
        if data.get("has_conflict") and not data.get("details"):
            raise ValidationError(N_("Give the details of the conflict."), "details")


class AcceptSchema(StrictSchema):
    conflict_declaration = fields.Nested(ConflictDeclarationSchema, required=True)
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class DeclineSchema(StrictSchema):
    reason = CleanText(required=True, validate=validate.Length(min=2, max=5000))
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class RevokeSchema(StrictSchema):
    reason = CleanText(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ReplaceSchema(StrictSchema):
    expert_id = fields.Integer(required=True, strict=True)
    respond_by = UTCDateTimeField(allow_none=True, load_default=None)
    reason = CleanText(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ResolveConflictSchema(StrictSchema):
    resolution = fields.String(required=True, validate=_choice(["keep_with_note", "replaced"]))
    note = CleanText(required=True, validate=validate.Length(min=2, max=5000))
    replacement_expert_id = fields.Integer(strict=True, allow_none=True, load_default=None)
    respond_by = UTCDateTimeField(allow_none=True, load_default=None)


class TextItemSchema(StrictSchema):
    text = CleanText(required=True, validate=validate.Length(min=1, max=5000))


class OpinionSchema(StrictSchema):
    summary = CleanText(allow_none=True, load_default=None, validate=validate.Length(max=5000))
    assessment = CleanText(allow_none=True, load_default=None, validate=validate.Length(max=100000))
    position = fields.String(
        allow_none=True, load_default=None, validate=_choice(Position.values())
    )
    recommendations = fields.List(
        fields.Nested(TextItemSchema), load_default=list, validate=validate.Length(max=100)
    )
    version = fields.Integer(strict=True, load_default=None, allow_none=True)


class DissentSchema(ItemSchema):
    expert_id = fields.Integer(required=True, strict=True)
    text = CleanText(required=True, validate=validate.Length(min=1, max=5000))


class ConsolidatedRecommendationSchema(ItemSchema):
    text = CleanText(required=True, validate=validate.Length(min=1, max=5000))
    endorsed_by = fields.List(fields.Integer(strict=True), load_default=list)
    dissent = fields.List(fields.Nested(DissentSchema), load_default=list)


class ConsolidationSchema(StrictSchema):
    text = CleanText(required=True, validate=validate.Length(max=100000))
    recommendations = fields.List(
        fields.Nested(ConsolidatedRecommendationSchema),
        required=True,
        validate=validate.Length(max=200),
    )
    version = fields.Integer(strict=True, load_default=None, allow_none=True)
    # Further recipients of the letter ("Nơi nhận"), one entry each, as printed.
    recipients = fields.List(
        CleanString(validate=validate.Length(min=2, max=200)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
    )


class GuestSchema(ItemSchema):
    name = CleanString(required=True, validate=validate.Length(min=2, max=200))
    organization = CleanString(
        allow_none=True, load_default=None, validate=validate.Length(max=255)
    )


class AttendanceSchema(ItemSchema):
    expert_id = fields.Integer(required=True, strict=True)
    attended = fields.Boolean(required=True, truthy={True}, falsy={False})


class MeetingSchema(StrictSchema):
    kind = fields.String(required=True, validate=_choice(MeetingKind.values()))
    title = CleanString(required=True, validate=validate.Length(min=3, max=300))
    starts_at = UTCDateTimeField(required=True)
    place = CleanString(allow_none=True, load_default=None, validate=validate.Length(max=300))
    online_url = fields.Url(
        allow_none=True,
        load_default=None,
        schemes={"http", "https"},
        validate=validate.Length(max=500),
    )
    agenda = CleanText(allow_none=True, load_default=None, validate=validate.Length(max=20000))
    minutes = CleanText(allow_none=True, load_default=None, validate=validate.Length(max=100000))
    experts = fields.List(fields.Integer(strict=True), load_default=list)
    guests = fields.List(fields.Nested(GuestSchema), load_default=list)
    attendance = fields.List(fields.Nested(AttendanceSchema), load_default=list)
    held = fields.Boolean(truthy={True}, falsy={False}, load_default=False)

    @validates_schema
    def _somewhere(self, data, partial=False, **kwargs) -> None:
        if partial:
            return
        if not data.get("place") and not data.get("online_url"):
            raise ValidationError(N_("Give a place or an online link."), "place")
