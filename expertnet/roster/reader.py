"""Reads a roster file (CSV or XLSX) into rows of text cells.

Problems with the file as a whole raise ``RosterError`` and nothing is imported:

* an empty file, or one with no data rows;
* a file larger than ``MAX_FILE_BYTES`` (checked from its size, before any parsing);
* text that is neither UTF-8 (with or without BOM) nor Vietnamese Windows-1258, UTF-16,
  binary data, or an old ``.xls`` / password-protected workbook;
* formulas: an XLSX formula or error cell, or a CSV cell that looks like a formula
  (``=…``, ``@…``, or ``+…``/``-…`` that is not a number). A roster with formulas was
  either not saved as values or is an injection attempt; its values cannot be trusted
  either way, so the whole file is refused and the sender fixes it once, rather than
  losing rows without noticing.

Windows-1258 is recognised by trying strict UTF-8 first, then cp1258, and then checking
that every letter is one Vietnamese (or plain Latin) uses: cp1258 decodes almost any
byte string, so a file in another encoding would otherwise pass as mojibake. cp1258
writes tone marks as combining characters; everything is normalised to NFC.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import format_number

from ..core.zipguard import ROSTER_LIMITS, ZipRejected, check_zip
from .messages import _

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 200

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: ``=…`` and ``@…`` always; ``+…`` and ``-…`` unless the rest is a number or a phone.
_FORMULA = re.compile(r"^(?:[=@]|[+-](?![0-9 ().+-]*$))")


def _vietnamese_letters() -> frozenset[str]:
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    letters = {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones}
    letters |= {"đ"}
    letters |= {c.upper() for c in letters}
    return frozenset(letters)


_VIETNAMESE = _vietnamese_letters()


class RosterError(Exception):
    """The file cannot be imported at all; the message says why, for the person who sent it."""


@dataclass
class Sheet:
    """The cells of a roster file: each row with its number as a spreadsheet shows it."""

    rows: list[tuple[int, list[str]]]
    format: str  # "csv" or "xlsx"
    encoding: str | None = None  # for CSV: "utf-8", "utf-8-sig" or "cp1258"
    notes: list[str] = field(default_factory=list)


def looks_like_formula(value: str) -> bool:
    """True for text that a spreadsheet would run as a formula."""
    return bool(_FORMULA.match(value.lstrip(" \t\r\n")))


def _cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _refuse_formula(row: int, col: int, value: str) -> None:
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise RosterError(
        _(
            "Cell %(cell)s contains a formula (%(value)s). Formulas are not accepted: "
            "save the sheet with values only and try again.",
            cell=_cell_name(row, col),
            value=shown,
        )
    )


_WORD = re.compile(r"[^\W\d_]+")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: Latin-1 symbols wedged between letters: the mark of text decoded with the wrong code page.
_MOJIBAKE = re.compile(r"[^\W\d_][\u00a1-\u00bf\u00d7\u00f7][^\W\d_]")


def _plausible_vietnamese(text: str) -> bool:
    """Every non-ASCII letter is Vietnamese, no tone mark is loose, words look like words.

    cp1258 decodes almost any bytes, so text in another encoding comes out as Vietnamese
    letters in impossible places: two tone marks in one syllable, đ inside a word, or
    symbols between letters.
    """
    for ch in set(text):
        if ch < "\x80":
            continue
        cat = unicodedata.category(ch)
        if cat == "Mn":
            return False
        if cat[0] == "L" and ch not in _VIETNAMESE:
            return False
    if _MOJIBAKE.search(text):
        return False
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if any(c in "đĐ" for c in word[1:]):
            return False
        toned = sum(1 for c in word if _TONE_MARKS & set(unicodedata.normalize("NFD", c)))
        if toned > 1:
            return False
    return True


def _wrong_encoding() -> RosterError:
    return RosterError(
        _(
            "The file is not UTF-8 or Windows-1258 (Vietnamese) text. "
            "Save it as “CSV UTF-8” or as an Excel workbook (.xlsx) and try again."
        )
    )


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in; ``RosterError`` if neither fits."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:65536]:
        raise RosterError(
            _(
                "The file is UTF-16 text or not text at all. "
                "Save it as “CSV UTF-8” or as an Excel workbook (.xlsx) and try again."
            )
        )
    if data.startswith(codecs.BOM_UTF8):
        try:
            return unicodedata.normalize("NFC", data[3:].decode("utf-8")), "utf-8-sig"
        except UnicodeDecodeError:
            raise _wrong_encoding() from None
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        raise _wrong_encoding() from None
    if not _plausible_vietnamese(text):
        raise _wrong_encoding()
    return text, "cp1258"


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean_cell(value: str) -> str:
    if "\x00" in value:
        raise _wrong_encoding()
    return value.strip()


def _check_row(row_no: int, cells: list[str]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise RosterError(
            _("Row %(row)s has more than %(n)s columns.", row=row_no, n=format_number(MAX_COLUMNS))
        )
    for col, value in enumerate(cells):
        if value and looks_like_formula(value):
            _refuse_formula(row_no, col, value)


def _too_many_rows() -> RosterError:
    return RosterError(
        _(
            "The file has more than %(n)s rows; split it into smaller files.",
            n=format_number(MAX_ROWS),
        )
    )


def _read_csv(data: bytes) -> Sheet:
    text, encoding = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row_no, raw in enumerate(reader, start=1):
            if row_no > MAX_ROWS:
                raise _too_many_rows()
            cells = [_clean_cell(c) for c in raw]
            _check_row(row_no, cells)
            rows.append((row_no, cells))
    except csv.Error as exc:
        raise RosterError(
            _("The CSV file is malformed near line %(line)s.", line=reader.line_num)
        ) from exc
    return Sheet(rows=rows, format="csv", encoding=encoding)


def _xlsx_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _read_xlsx(path: Path) -> Sheet:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    rows: list[tuple[int, list[str]]] = []
    try:
        check_zip(path, ROSTER_LIMITS)
    except ZipRejected as exc:
        if exc.reason != "unreadable":
            raise RosterError(
                _(
                    "The workbook unpacks to far more data than a roster holds (too many "
                    "parts, too large or too highly compressed); it is refused as a possible "
                    "decompression bomb."
                )
            ) from exc
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions of files from other programs.
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
            try:
                ws = wb.worksheets[0]
                for row_no, row in enumerate(ws.iter_rows(), start=1):
                    if row_no > MAX_ROWS:
                        raise _too_many_rows()
                    cells = []
                    for col, cell in enumerate(row):
                        kind = getattr(cell, "data_type", None)
                        if kind in ("f", "e"):
                            _refuse_formula(row_no, col, str(cell.value))
                        cells.append(_xlsx_value(cell.value))
                    while cells and not cells[-1]:
                        cells.pop()
                    _check_row(row_no, cells)
                    rows.append((row_no, cells))
            finally:
                wb.close()
    except RosterError:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterError(
            _("The file is not a readable Excel workbook (.xlsx); save it again and retry.")
        ) from exc
    return Sheet(rows=rows, format="xlsx")


def read_roster(path: str | Path) -> Sheet:
    """Read a roster file; ``RosterError`` for a file that cannot be imported at all."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RosterError(_("The file cannot be read.")) from exc
    if size == 0:
        raise RosterError(_("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise RosterError(
            _(
                "The file is too large (%(size)s MB; at most %(max)s MB). "
                "Split it into smaller files.",
                size=round(size / 1024 / 1024, 1),
                max=MAX_FILE_BYTES // (1024 * 1024),
            )
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP_MAGIC):
        sheet = _read_xlsx(path)
    elif head.startswith(_OLE_MAGIC):
        raise RosterError(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook. "
                "Save it as .xlsx without a password, or as “CSV UTF-8”."
            )
        )
    else:
        sheet = _read_csv(path.read_bytes())
    sheet.rows = [(n, cells) for n, cells in sheet.rows if any(cells)]
    if not sheet.rows:
        raise RosterError(_("The file is empty."))
    return sheet
