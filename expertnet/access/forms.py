"""Forms of the link pages, recovery and account invitations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..core.forms import Form


class ChoosePasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters."),
        validators=[DataRequired(), Length(min=10, max=200)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class EmailChangeForm(Form):
    new_email = EmailField(
        _l("New e-mail address"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class ConfirmForm(Form):
    """A button only (CSRF): a mail client's link preview must not confirm anything."""
