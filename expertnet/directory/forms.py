"""The expert profile form."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..core.forms import Form
from .schemas import PHONE_RE


class ExpertForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(min=2, max=200)])
    academic_title = SelectField(_l("Academic title"), validators=[Optional()])
    degree = SelectField(_l("Degree"), validators=[Optional()])
    gender = SelectField(_l("Gender"), validators=[Optional()])
    birth_year = IntegerField(
        _l("Birth year"),
        validators=[Optional(), NumberRange(min=1900, max=date.today().year - 15)],
    )
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Regexp(PHONE_RE, message=_l("Not a valid phone number."))],
    )
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    employer = SelectField(_l("Employer"), coerce=str, validators=[Optional()])
    organizations = SelectMultipleField(_l("Member of"), coerce=int, validators=[Optional()])
    fields = SelectMultipleField(_l("Fields"), validators=[Optional()])
    expertise = StringField(
        _l("Expertise keywords"),
        description=_l("Separate keywords with semicolons, e.g. trí tuệ nhân tạo; học máy"),
        validators=[Optional(), Length(max=2000)],
    )
    bio = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=5000)])
    public_profile = BooleanField(_l("Show in the public directory (no contact details)"))
    available = BooleanField(_l("Available for new panels"), default=True)
    max_assignments = IntegerField(
        _l("Most panels at once"), default=3, validators=[Optional(), NumberRange(min=0, max=50)]
    )
    version = IntegerField(validators=[Optional()])

    def validate_expertise(self, field):
        for kw in self.expertise_list():
            if len(kw) > 100:
                raise ValidationError(_l("Each keyword must have 1 to 100 characters."))

    def expertise_list(self) -> list[str]:
        return [k.strip() for k in (self.expertise.data or "").split(";") if k.strip()]

    def to_data(self) -> dict:
        """The validated form as the operations' data dict (the API's shape)."""

        def opt(v):
            return v if v not in ("", None) else None

        return {
            "full_name": self.full_name.data,
            "academic_title": opt(self.academic_title.data),
            "degree": opt(self.degree.data),
            "gender": opt(self.gender.data),
            "birth_year": self.birth_year.data,
            "email": opt(self.email.data),
            "phone": opt(self.phone.data),
            "position": opt(self.position.data),
            "employer": int(self.employer.data) if self.employer.data else None,
            "organizations": list(self.organizations.data or []),
            "fields": list(self.fields.data or []),
            "expertise": self.expertise_list(),
            "bio": opt(self.bio.data),
            "public_profile": bool(self.public_profile.data),
            "available": bool(self.available.data),
            "max_assignments": self.max_assignments.data
            if self.max_assignments.data is not None
            else 3,
        }


class OrganizationForm(Form):
    """Admins change everything; a liaison only the contact details (see ``CONTACT``)."""

    CONTACT = ("address", "email", "phone", "website", "description")

    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=255)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=80)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    former_province = SelectField(_l("Former province"), validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Regexp(PHONE_RE, message=_l("Not a valid phone number."))],
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=255), URL(message=_l("Not a valid web address."))],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
