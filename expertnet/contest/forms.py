"""The contest pages' forms: what each page posts, validated for shape before an operation runs.

As in the consultation, forms check lengths, choices and types; the rules of the contest
stay in :mod:`.operations`, :mod:`.judging`, :mod:`.results` and the engine, whose refusals
the views put back onto these fields. ``to_data`` gives the operations' (the API's) shape.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from itertools import pairwise

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..consultation.forms import Versioned
from ..core.forms import Form, choices
from ..core.text import clean_line, clean_text

AUTHOR_ROWS = 5


def _lines(text: str | None) -> list[list[str]]:
    """Non-empty lines of a text area, each split on ``|`` into stripped parts."""
    return [
        [part.strip() for part in line.split("|")]
        for line in (text or "").splitlines()
        if line.strip()
    ]


class EditionForm(Versioned):
    name = StringField(_l("Name of the contest"), validators=[DataRequired(), Length(3, 300)])
    number = IntegerField(_l("Edition number"), validators=[InputRequired(), NumberRange(1, 1000)])
    youth = BooleanField(_l("Youth contest (its own criteria and awards)"))
    organisers = TextAreaField(
        _l("Organisers"),
        description=_l("The union and its co-organisers."),
        validators=[Optional(), Length(max=5000)],
    )
    description = TextAreaField(_l("Rules in brief"), validators=[Optional(), Length(max=20000)])
    fields = SelectMultipleField(_l("Fields of the contest"), validators=[DataRequired()])
    entries_open_on = DateField(_l("Entries open on"), validators=[Optional()])
    entries_close_on = DateField(_l("Entries close on"), validators=[Optional()])
    judging_from = DateField(_l("Judging from"), validators=[Optional()])
    judging_until = DateField(_l("Judging until"), validators=[Optional()])
    results_on = DateField(_l("Results announced on"), validators=[Optional()])
    min_judges = IntegerField(
        _l("Judges per entry"), default=3, validators=[InputRequired(), NumberRange(1, 15)]
    )
    max_spread = DecimalField(
        _l("Largest allowed spread between judges (points)"),
        default=Decimal(20),
        places=2,
        validators=[InputRequired(), NumberRange(1, 100)],
    )
    judge_cap = IntegerField(
        _l("Most entries per judge"), default=20, validators=[InputRequired(), NumberRange(1, 500)]
    )
    criteria = TextAreaField(
        _l("Scoring criteria"),
        description=_l("One per line: name | maximum points. The points must sum to 100."),
        validators=[DataRequired(), Length(max=4000)],
    )
    award_levels = TextAreaField(
        _l("Award levels"),
        description=_l(
            "One per line, best first: name | lowest mean score | most per field (empty: no limit)."
        ),
        validators=[DataRequired(), Length(max=4000)],
    )
    # A new edition has no version yet.
    version = HiddenField()

    def validate_criteria(self, field) -> None:
        out = []
        for parts in _lines(field.data):
            if len(parts) != 2 or not parts[1].isdigit() or len(parts[0]) < 2:
                raise ValidationError(_l("Write each criterion as: name | maximum points."))
            out.append({"name": clean_line(parts[0]), "max_points": int(parts[1])})
        if not out or any(not 1 <= c["max_points"] <= 100 for c in out):
            raise ValidationError(_l("Each criterion needs between 1 and 100 points."))
        if sum(c["max_points"] for c in out) != 100:
            raise ValidationError(_l("The criteria's maximum points must sum to 100."))
        field.parsed = out

    def validate_award_levels(self, field) -> None:
        out = []
        for parts in _lines(field.data):
            if len(parts) not in (2, 3) or len(parts[0]) < 2:
                raise ValidationError(_l("Write each award as: name | lowest score | quota."))
            try:
                threshold = Decimal(parts[1].replace(",", "."))
            except InvalidOperation:
                raise ValidationError(_l("The lowest score must be a number.")) from None
            quota = parts[2] if len(parts) == 3 else ""
            if quota and (not quota.isdigit() or int(quota) < 1):
                raise ValidationError(_l("The quota must be a whole number, at least 1."))
            if not threshold.is_finite() or not 0 <= threshold <= 100:
                raise ValidationError(_l("The lowest score must be between 0 and 100."))
            out.append(
                {
                    "name": clean_line(parts[0]),
                    "min_total": threshold,
                    "quota": int(quota) if quota else None,
                }
            )
        if not out:
            raise ValidationError(_l("Give at least one award level."))
        if any(b["min_total"] >= a["min_total"] for a, b in pairwise(out)):
            raise ValidationError(
                _l("Each award level needs a lower threshold than the one above it.")
            )
        field.parsed = out

    def fill_text(self, edition) -> None:
        self.criteria.data = "\n".join(f"{c.name} | {c.max_points}" for c in edition.criteria)
        self.award_levels.data = "\n".join(
            f"{lv.name} | {lv.min_total} | {lv.quota or ''}".rstrip(" |")
            for lv in edition.award_levels
        )

    def to_data(self, with_scoring: bool = True) -> dict:
        data = {
            "name": clean_line(self.name.data),
            "number": self.number.data,
            "youth": bool(self.youth.data),
            "organisers": clean_text(self.organisers.data or "") or "",
            "description": clean_text(self.description.data or "") or "",
            "fields": list(self.fields.data or []),
            "entries_open_on": self.entries_open_on.data,
            "entries_close_on": self.entries_close_on.data,
            "judging_from": self.judging_from.data,
            "judging_until": self.judging_until.data,
            "results_on": self.results_on.data,
        }
        if with_scoring:
            data.update(
                min_judges=self.min_judges.data,
                max_spread=self.max_spread.data,
                judge_cap=self.judge_cap.data,
                criteria=self.criteria.parsed,
                award_levels=self.award_levels.parsed,
            )
        return data


class MembersForm(Versioned):
    board = SelectMultipleField(_l("Organising board"), coerce=int, validators=[Optional()])
    jury = TextAreaField(
        _l("Jury"),
        description=_l(
            "One juror per line: expert number | field code of the sub-jury | chair (optional)."
        ),
        validators=[Optional(), Length(max=20000)],
    )

    def validate_jury(self, field) -> None:
        out = []
        for parts in _lines(field.data):
            if not parts[0].isdigit() or len(parts) > 3:
                raise ValidationError(_l("Write each juror as: expert number | field code."))
            out.append(
                {
                    "expert_id": int(parts[0]),
                    "field": (parts[1] if len(parts) > 1 and parts[1] else None),
                    "chair": len(parts) > 2 and bool(parts[2]),
                }
            )
        field.parsed = out

    def to_data(self) -> dict:
        return {"board": list(self.board.data or []), "jury": getattr(self.jury, "parsed", [])}


class AuthorRow(Form):
    class Meta:
        csrf = False

    full_name = StringField(_l("Full name"), validators=[Optional(), Length(2, 200)])
    share = IntegerField(_l("Share (%)"), validators=[Optional(), NumberRange(1, 100)])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=300)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])

    def validate_share(self, field) -> None:
        if (self.full_name.data or "").strip() and field.data is None:
            raise ValidationError(_l("Give this author's share."))


class EntryForm(Versioned):
    title = StringField(_l("Title of the solution"), validators=[DataRequired(), Length(5, 500)])
    field = SelectField(_l("Field"), validators=[DataRequired()])
    description = TextAreaField(
        _l("Description"),
        description=_l("The problem, the solution, what is new and its effect."),
        validators=[Optional(), Length(max=50000)],
    )
    applying_organization_id = SelectField(
        _l("Organisation applying it, if it is in the directory"),
        description=_l("Counts the entry for its former province in the yearly report."),
        validators=[Optional()],
    )
    applying_organization_name = StringField(
        _l("Organisation applying it"), validators=[Optional(), Length(max=300)]
    )
    applied_where = TextAreaField(
        _l("Where it is applied"), validators=[Optional(), Length(max=5000)]
    )
    applied_since = DateField(_l("Applied since"), validators=[Optional()])
    authors = FieldList(FormField(AuthorRow), min_entries=AUTHOR_ROWS, max_entries=20)
    file = FileField(
        _l("Document"),
        description=_l("PDF, DOCX, ODT or XLSX, at most 25 MB. More can be added later."),
    )
    version = HiddenField()

    def validate_authors(self, field) -> None:
        rows = self.author_rows()
        if not rows:
            raise ValidationError(_l("Name at least one author."))
        if sum(r["share"] or 0 for r in rows) != 100:
            raise ValidationError(_l("The authors' shares must sum to 100."))

    def author_rows(self) -> list[dict]:
        out = []
        for row in self.authors:
            name = clean_line(row.form.full_name.data or "")
            if not name:
                continue
            out.append(
                {
                    "full_name": name,
                    "share": row.form.share.data,
                    "employer": clean_line(row.form.employer.data or ""),
                    "email": (row.form.email.data or "").strip() or None,
                    "phone": clean_line(row.form.phone.data or ""),
                }
            )
        return out

    def to_data(self) -> dict:
        return {
            "title": clean_line(self.title.data),
            "field": self.field.data,
            "description": clean_text(self.description.data or "") or "",
            "applying_organization_name": clean_line(self.applying_organization_name.data or ""),
            "applying_organization_id": (
                int(self.applying_organization_id.data)
                if (self.applying_organization_id.data or "").isdigit()
                else None
            ),
            "applied_where": clean_text(self.applied_where.data or "") or "",
            "applied_since": self.applied_since.data,
            "authors": self.author_rows(),
        }


class UploadForm(Versioned):
    file = FileField(_l("Document"), description=_l("PDF, DOCX, ODT or XLSX, at most 25 MB."))


class ActionForm(Versioned):
    """A workflow action of an edition or an entry: the version and a comment."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


class ScreenForm(Versioned):
    decision = SelectField(_l("Screening"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Required when the entry is ineligible; the authors read it."),
        validators=[Optional(), Length(max=5000)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = choices(
            [("eligible", _l("Eligible")), ("ineligible", _l("Ineligible"))]
        )

    def validate_reason(self, field) -> None:
        if self.decision.data == "ineligible" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason the entry is ineligible."))


class PlanForm(Form):
    """Confirm the previewed batch assignment of every open judge seat of the edition."""

    # The preview's fingerprint (see ``judging.plan_fingerprint``): only that plan is saved.
    fingerprint = HiddenField(validators=[DataRequired(), Length(max=64)])


class SwapForm(Form):
    replacing = SelectField(_l("Judge to replace"), coerce=int, validators=[Optional()])
    expert_id = SelectField(_l("Juror to seat"), coerce=int, validators=[InputRequired()])


class ConflictForm(Form):
    details = TextAreaField(
        _l("The conflict of interest"),
        description=_l("Your link with the authors or the organisation applying it."),
        validators=[DataRequired(), Length(max=5000)],
    )


class ScoreBase(Versioned):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])


def score_form_class(criteria) -> type[ScoreBase]:
    """A score form with one points field per criterion of the edition (``c<id>``)."""
    attrs = {
        f"c{c.id}": DecimalField(
            c.name,
            places=2,
            description=_l("From 0 to %(max)s points.", max=c.max_points),
            validators=[InputRequired(), NumberRange(0, c.max_points)],
        )
        for c in criteria
    }
    return type("ScoreForm", (ScoreBase,), attrs)


class AwardForm(Form):
    award_level = SelectField(_l("Award"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])

    def level_id(self) -> int | None:
        return int(self.award_level.data) if (self.award_level.data or "").isdigit() else None
