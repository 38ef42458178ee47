"""Forms of the scholarly-record pages; their data goes through the API's schemas too."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..core.forms import Form, choices
from .models import (
    PatentKind,
    PatentStatus,
    ProjectLevel,
    ProjectRole,
    ProjectStatus,
    PublicationType,
)

_YEAR = [Optional(), NumberRange(min=1900, max=2100)]


def _opt(value):
    value = value.strip() if isinstance(value, str) else value
    return value if value not in ("", None) else None


def _list(value: str | None, sep: str = ";") -> list[str]:
    return [v.strip() for v in (value or "").replace("\n", sep).split(sep) if v.strip()]


class PublicationForm(Form):
    type = SelectField(_l("Type"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=2000)])
    authors = TextAreaField(
        _l("Authors"),
        description=_l("One author per line, in the order of the publication."),
        validators=[Optional(), Length(max=30000)],
    )
    year = IntegerField(_l("Year"), validators=_YEAR)
    venue = StringField(_l("Journal, conference or book"), validators=[Optional(), Length(max=500)])
    volume = StringField(_l("Volume"), validators=[Optional(), Length(max=40)])
    issue = StringField(_l("Issue"), validators=[Optional(), Length(max=40)])
    pages = StringField(_l("Pages"), validators=[Optional(), Length(max=40)])
    publisher = StringField(_l("Publisher"), validators=[Optional(), Length(max=255)])
    doi = StringField(_l("DOI"), validators=[Optional(), Length(max=255)])
    isbn = StringField(_l("ISBN"), validators=[Optional(), Length(max=40)])
    language = StringField(
        _l("Language"),
        description=_l("A language code: vi, en, fr, …"),
        validators=[Optional(), Length(max=8)],
    )
    abstract = TextAreaField(_l("Abstract"), validators=[Optional(), Length(max=20000)])
    keywords = StringField(
        _l("Keywords"),
        description=_l("Separate keywords with semicolons."),
        validators=[Optional(), Length(max=4000)],
    )
    url = StringField(_l("Web address"), validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = choices([(t.value, t.label) for t in PublicationType])

    def to_data(self) -> dict:
        data = {
            k: _opt(getattr(self, k).data)
            for k in (
                "year",
                "venue",
                "volume",
                "issue",
                "pages",
                "publisher",
                "doi",
                "isbn",
                "language",
                "abstract",
                "url",
            )
        }
        data["type"] = self.type.data
        data["title"] = self.title.data or ""
        data["authors"] = [{"name": n} for n in _list(self.authors.data, "\n")]
        data["keywords"] = _list(self.keywords.data)
        return data


class ProjectForm(Form):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=80)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=2000)])
    level = SelectField(_l("Level"), validators=[DataRequired()])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    funder = StringField(_l("Funder"), validators=[Optional(), Length(max=255)])
    start_year = IntegerField(_l("Start year"), validators=_YEAR)
    end_year = IntegerField(_l("End year"), validators=_YEAR)
    status = SelectField(_l("Status"), validators=[DataRequired()])
    result = TextAreaField(_l("Result"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = choices([(x.value, x.label) for x in ProjectLevel])
        self.role.choices = choices([(x.value, x.label) for x in ProjectRole])
        self.status.choices = choices([(x.value, x.label) for x in ProjectStatus])

    def to_data(self) -> dict:
        keys = ("code", "title", "level", "role", "funder", "start_year", "end_year", "status")
        data = {k: _opt(getattr(self, k).data) for k in keys}
        data["result"] = _opt(self.result.data)
        return data


class PatentForm(Form):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=2000)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=80)])
    office = StringField(_l("Granting office"), validators=[Optional(), Length(max=255)])
    year = IntegerField(_l("Year"), validators=_YEAR)
    status = SelectField(_l("Status"), validators=[DataRequired()])
    inventors = TextAreaField(_l("Inventors"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([(x.value, x.label) for x in PatentKind])
        self.status.choices = choices([(x.value, x.label) for x in PatentStatus])

    def to_data(self) -> dict:
        keys = ("kind", "title", "number", "office", "year", "status", "inventors")
        return {k: _opt(getattr(self, k).data) for k in keys}


class ImportForm(Form):
    file = FileField(
        _l("File"),
        description=_l(
            "BibTeX, RIS, CSL-JSON, an ORCID, Crossref or OpenAlex JSON export, or a CSV/XLSX "
            "list with a title column."
        ),
        validators=[FileRequired(_l("Choose a file to import."))],
    )


class ConfirmForm(Form):
    token = HiddenField(validators=[DataRequired()])


class OrcidForm(Form):
    orcid = StringField(
        _l("ORCID iD"),
        description=_l("Like 0000-0002-1825-0097; leave empty to remove it."),
        validators=[Optional(), Length(max=60)],
    )


class DeleteForm(Form):
    """Only the CSRF token: deleting is a POST from a button."""
