"""Forms for managing user accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..auth.passwords import StrongPassword
from ..core.forms import Form


class UserForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=200)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organization = SelectField(_l("Organisation"), validators=[Optional()])
    person = IntegerField(
        _l("Expert profile (person id)"),
        description=_l("For expert accounts: the id shown in the address of the profile."),
        validators=[Optional(), NumberRange(min=1)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters. Leave empty to keep the current one."),
        validators=[Optional(), Length(min=10, max=200), StrongPassword("email", "name")],
    )
    active = BooleanField(_l("Active"), default=True)
