"""Forms of the roster pages (CSRF comes with every FlaskForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class UploadForm(FlaskForm):
    file = FileField(
        _l("Roster file"),
        # The web's upload limit is the application's (MAX_CONTENT_LENGTH, answered with 413);
        # the command line accepts files up to reader.MAX_FILE_BYTES.
        description=_l("CSV (UTF-8 or Windows-1258) or Excel workbook (.xlsx)."),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "xlsx", "txt"], _l("Only CSV and XLSX files can be imported.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """Confirms an import; the decisions on uncertain rows come as ``decision-<row>`` fields."""
