"""Sign-in and profile forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..core.forms import Form
from .passwords import StrongPassword


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class AccountForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=200)])
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")],
        default="vi",
    )
    current_password = PasswordField(_l("Current password"), validators=[Optional()])
    new_password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(min=10, max=200), StrongPassword(current_user_too=True)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The two passwords differ."))],
    )
