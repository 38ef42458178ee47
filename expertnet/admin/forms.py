"""Forms for managing user accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.passwords import StrongPassword
from ..core.forms import Form

#: The password hint on a new account (the form's own hint is for changing one).
NEW_PASSWORD_HINT = _l(
    "At least 10 characters and hard to guess: several words, not the name or the e-mail."
    " Give it to the person by a safe channel; they can change it after signing in."
)


class UserForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=200)])
    role = SelectField(_l("Role"), validators=[DataRequired()], default="expert")
    also_roles = SelectMultipleField(
        _l("Also holds the role"),
        description=_l("An expert who is also the liaison of their organisation, or the reverse."),
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    organization = SelectField(_l("Organisation"), validators=[Optional()])
    person_q = StringField(
        _l("Find the expert profile by name"),
        description=_l("Type part of the name or the e-mail address, then press “Find”."),
        validators=[Optional(), Length(max=200)],
    )
    # The choices are the people the last search found (plus the current link); an id that
    # was not offered is refused by the field itself.
    person = RadioField(_l("Expert profile"), validators=[Optional()], validate_choice=True)
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters. Leave empty to keep the current one."),
        validators=[Optional(), Length(min=10, max=200), StrongPassword("email", "name")],
    )
    active = BooleanField(_l("Active"), default=True)
