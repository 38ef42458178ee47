"""The consultation pages' forms: what each page posts, validated before an operation runs.

Forms check shape only (lengths, choices, types); every rule of the workflow stays in
the operations and the engine, whose refusals the views put back onto these fields.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workflows import KIND_LABELS

from ..core.forms import Form
from .models import (
    ConflictResolution,
    ConsultationForm,
    InvitationRole,
    MeetingKind,
    Position,
    ResponseStatus,
)


def choices(pairs: Iterable[tuple[str, str]], blank: bool = False) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs, optionally led by an empty option."""
    out = [SelectChoice(value, label) for value, label in pairs]
    return [SelectChoice("", "—"), *out] if blank else out


def kind_choices(blank: bool = False) -> list[SelectChoice]:
    from flask_babel import gettext

    return choices(((str(k), gettext(label)) for k, label in KIND_LABELS.items()), blank)


def enum_choices(enum_cls, blank: bool = False) -> list[SelectChoice]:
    return choices(((m.value, m.label) for m in enum_cls), blank)


class Versioned(Form):
    """Every write carries the version of the request the page showed."""

    version = HiddenField(validators=[InputRequired()])

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class RequestForm(Versioned):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=300)])
    summary = TextAreaField(
        _l("Summary"),
        description=_l("What is asked, and the questions the panel should answer."),
        validators=[Optional(), Length(max=20000)],
    )
    fields = SelectMultipleField(
        _l("Fields"),
        description=_l("Hold Ctrl (⌘ on a Mac) to choose several."),
        validators=[Optional()],
    )
    subject_organizations = SelectMultipleField(
        _l("Organisations whose project or policy it is"),
        description=_l("Their members are checked for conflicts of interest."),
        coerce=int,
        validators=[Optional()],
    )
    due_date = DateField(_l("Answer needed by"), validators=[Optional()])
    due_in_working_days = IntegerField(
        _l("Or: answer needed in working days"),
        description=_l("Weekends and public holidays do not count."),
        validators=[Optional(), NumberRange(min=1, max=120)],
    )
    agency_letter_number = StringField(
        _l("Number of the agency's request letter"),
        description=_l("Số, ký hiệu, e.g. 125/SGTVT-KH; the union's reply cites it."),
        validators=[Optional(), Length(max=60)],
    )
    agency_letter_date = DateField(_l("Date of the request letter"), validators=[Optional()])
    confidential = BooleanField(_l("Confidential (not listed in the public register)"))
    file = FileField(
        _l("Document"),
        description=_l("PDF, DOCX, ODT or XLSX, at most 25 MB. More can be added later."),
    )
    # A new request has no version yet.
    version = HiddenField()

    def to_data(self) -> dict:
        """The validated form in the operations' shape (the API's shape)."""
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "summary": self.summary.data or "",
            "fields": list(self.fields.data or []),
            "subject_organizations": list(self.subject_organizations.data or []),
            "due_date": self.due_date.data,
            **(
                {"due_in_working_days": self.due_in_working_days.data}
                if self.due_in_working_days.data is not None
                else {}
            ),
            "confidential": bool(self.confidential.data),
            "agency_letter_number": (self.agency_letter_number.data or "").strip() or None,
            "agency_letter_date": self.agency_letter_date.data,
        }


class UploadForm(Versioned):
    file = FileField(_l("Document"), description=_l("PDF, DOCX, ODT or XLSX, at most 25 MB."))


class ActionForm(Versioned):
    """A workflow action: the version, a comment, and for ``start_review`` the deadline."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    opinion_due_at = DateTimeLocalField(
        _l("Opinions due"),
        description=_l("Time in Hanoi (UTC+7)."),
        validators=[Optional()],
    )
    opinion_due_working_days = IntegerField(
        _l("Or: opinions due in working days"),
        description=_l("Weekends and public holidays do not count; due at 17:00."),
        validators=[Optional(), NumberRange(min=1, max=120)],
    )
    letter_number = StringField(
        _l("Number in the union's register"),
        description=_l("When the register (văn thư) numbers the letter; blank numbers it next."),
        validators=[Optional(), Length(max=5)],
    )
    # Approval publishes at once: the approver confirms having read the letter's preview.
    confirm = BooleanField(_l("I have read the letter above and approve its publication."))


class ConsultationFormForm(Versioned):
    """How the panel gives its opinion, chosen while it is formed."""

    consultation_form = SelectField(_l("Form of consultation"), validators=[DataRequired()])


def consultation_form_choices() -> list[SelectChoice]:
    return enum_choices(ConsultationForm)


class DeadlineForm(Versioned):
    opinion_due_at = DateTimeLocalField(
        _l("Opinions due"), description=_l("Time in Hanoi (UTC+7)."), validators=[InputRequired()]
    )


class InviteForm(Versioned):
    expert_id = IntegerField(_l("Expert number"), validators=[InputRequired()])
    role = SelectField(_l("Role on the panel"), validators=[DataRequired()])
    respond_by = DateTimeLocalField(
        _l("Respond by"), description=_l("Time in Hanoi (UTC+7)."), validators=[Optional()]
    )


class RevokeForm(Versioned):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])


class ReplaceForm(Versioned):
    expert_id = IntegerField(_l("Expert number of the replacement"), validators=[InputRequired()])
    respond_by = DateTimeLocalField(
        _l("Respond by"), description=_l("Time in Hanoi (UTC+7)."), validators=[Optional()]
    )


class ResolveConflictForm(Versioned):
    resolution = SelectField(_l("Decision"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(min=2, max=5000)])
    replacement_expert_id = IntegerField(
        _l("Expert number of the replacement"),
        description=_l("Only when replacing."),
        validators=[Optional()],
    )
    respond_by = DateTimeLocalField(
        _l("Respond by"), description=_l("Time in Hanoi (UTC+7)."), validators=[Optional()]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.resolution.choices = enum_choices(ConflictResolution)


class AcceptInvitationForm(Versioned):
    has_conflict = BooleanField(_l("I have a conflict of interest to declare"))
    details = TextAreaField(
        _l("Details of the conflict"),
        description=_l("Who or what, and how you are linked to the request."),
        # No Optional(): it would stop the chain before validate_details runs.
        validators=[Length(max=5000)],
    )

    def validate_details(self, field) -> None:
        from wtforms.validators import ValidationError

        if self.has_conflict.data and not (field.data or "").strip():
            raise ValidationError(_l("Give the details of the conflict."))


class DeclineInvitationForm(Versioned):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(min=2, max=5000)])


class OpinionForm(Versioned):
    opinion_version = HiddenField()
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    assessment = TextAreaField(
        _l("Assessment"),
        description=_l("Markdown is allowed: **bold**, *italic*, lists, tables."),
        validators=[Optional(), Length(max=100000)],
    )
    position = SelectField(lazy_pgettext("opinion stance", "Position"), validators=[Optional()])
    recommendations = TextAreaField(
        _l("Recommendations"),
        description=_l("One recommendation per line."),
        validators=[Optional(), Length(max=100000)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.position.choices = enum_choices(Position, blank=True)

    def recommendation_list(self) -> list[dict[str, str]]:
        lines = (self.recommendations.data or "").splitlines()
        return [{"text": line.strip()} for line in lines if line.strip()]

    def validate_recommendations(self, field) -> None:
        from wtforms.validators import ValidationError

        items = self.recommendation_list()
        if len(items) > 100:
            raise ValidationError(_l("At most 100 recommendations."))
        if any(len(i["text"]) > 5000 for i in items):
            raise ValidationError(_l("Each recommendation has at most 5000 characters."))


class DissentRow(Form):
    """One new dissent: whose, and what they hold."""

    class Meta:
        csrf = False

    expert_id = SelectField(_l("Dissent of"), validators=[Optional()])
    text = TextAreaField(_l("Dissenting view"), validators=[Length(max=5000)])

    def validate_text(self, field) -> None:
        from wtforms.validators import ValidationError

        if self.expert_id.data and not (field.data or "").strip():
            raise ValidationError(_l("Write the dissenting view."))
        if (field.data or "").strip() and not self.expert_id.data:
            raise ValidationError(_l("Choose whose dissent this is."))


class RecommendationRow(Form):
    """One recommendation of the consolidation: text, who endorses it, new dissents."""

    class Meta:
        csrf = False

    text = TextAreaField(_l("Recommendation"), validators=[Optional(), Length(max=5000)])
    endorsed_by = SelectMultipleField(
        _l("Endorsed by"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    dissents = FieldList(FormField(DissentRow), min_entries=1, max_entries=20)
    # Carried through re-renders (add a row, merge) without saving: the dissent already
    # recorded on this row, and the experts' own wordings the row was drafted from (JSON).
    kept = HiddenField()
    sources = HiddenField()
    pick = BooleanField(_l("Select to merge"))


class ConsolidationForm(Versioned):
    consolidation_version = HiddenField()
    text = TextAreaField(
        _l("Consolidated opinion"),
        description=_l("Markdown is allowed."),
        validators=[Optional(), Length(max=100000)],
    )
    recommendations = FieldList(FormField(RecommendationRow), min_entries=1, max_entries=200)
    recipients = TextAreaField(
        _l("Other recipients of the letter"),
        description=_l("One per line, as printed under “Nơi nhận”, e.g. Sở Tài chính (để biết)."),
        validators=[Optional(), Length(max=4000)],
    )


class ResponseRow(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Answer"), validators=[Optional()])
    explanation = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=5000)])


class ResponseForm(Versioned):
    responses = FieldList(FormField(ResponseRow), min_entries=1, max_entries=200)

    def set_choices(self) -> None:
        for entry in self.responses:
            entry.form.status.choices = enum_choices(ResponseStatus, blank=True)


class MeetingForm(Versioned):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=300)])
    starts_at = DateTimeLocalField(
        _l("Starts at"), description=_l("Time in Hanoi (UTC+7)."), validators=[InputRequired()]
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_url = StringField(
        _l("Online link"), validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=20000)])
    experts = SelectMultipleField(
        _l("Invited experts"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(MeetingKind)


class MeetingRecordForm(Versioned):
    """After the meeting: whether it was held, who attended, the minutes."""

    held = BooleanField(_l("The meeting was held"))
    attended = SelectMultipleField(
        _l("Attended"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=100000)])


def role_choices() -> list[SelectChoice]:
    return enum_choices(InvitationRole)


class RegisterFilterForm(Form):
    """The register's search and filters (a GET form: nothing to protect)."""

    class Meta:
        csrf = False

    q = StringField(_l("Words of the title"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    year = SelectField(_l("Year"), validators=[Optional()])
    field = SelectField(_l("Field"), validators=[Optional()])
    agency = SelectField(_l("Agency"), validators=[Optional()])
