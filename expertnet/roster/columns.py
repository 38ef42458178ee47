"""The roster's columns: mapping a header to them, and checking and normalising each row.

The header is found in the first rows of the file (a title line above it is skipped)
and matched without regard to case, diacritics or punctuation, in English (API.md's
column names) or Vietnamese. A header without a name column, or with two columns that
mean the same thing, refuses the whole file; unknown columns are reported and ignored.

A row with any invalid value is rejected as a whole, with every reason, rather than
imported with a value silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flask_babel import format_number

from ..core.text import clean_line, fold
from ..directory.models import DEGREE_RANK
from .messages import _
from .reader import RosterError

COLUMNS = (
    "full_name",
    "email",
    "phone",
    "gender",
    "birth_year",
    "academic_title",
    "degree",
    "employer",
    "position",
    "fields",
    "expertise",
)

#: Header texts (folded, punctuation as spaces) → column; None marks a column to skip quietly.
_ALIASES: dict[str, str | None] = {
    **{c.replace("_", " "): c for c in COLUMNS},
    "name": "full_name",
    "ho va ten": "full_name",
    "ho ten": "full_name",
    "ten": "full_name",
    "e mail": "email",
    "thu dien tu": "email",
    "dia chi email": "email",
    "dia chi e mail": "email",
    "mail": "email",
    "dien thoai": "phone",
    "so dien thoai": "phone",
    "sdt": "phone",
    "dt": "phone",
    "so dt": "phone",
    "di dong": "phone",
    "dien thoai di dong": "phone",
    "mobile": "phone",
    "telephone": "phone",
    "tel": "phone",
    "gioi tinh": "gender",
    "sex": "gender",
    "nam sinh": "birth_year",
    "year of birth": "birth_year",
    "ngay sinh": "birth_year",
    "ngay thang nam sinh": "birth_year",
    "date of birth": "birth_year",
    "hoc ham": "academic_title",
    "title": "academic_title",
    "hoc vi": "degree",
    "trinh do": "degree",
    "co quan": "employer",
    "co quan cong tac": "employer",
    "don vi": "employer",
    "don vi cong tac": "employer",
    "noi cong tac": "employer",
    "chuc vu": "position",
    "chuc danh": "position",
    "linh vuc": "fields",
    "field": "fields",
    "linh vuc chuyen mon": "fields",
    "chuyen mon": "expertise",
    "chuyen nganh": "expertise",
    "tu khoa": "expertise",
    "keywords": "expertise",
    # Row numbers that every Vietnamese list has: not data, not worth a warning.
    "stt": None,
    "tt": None,
    "so thu tu": None,
    "no": None,
}

#: How far down the file the header may be (title lines above it are skipped).
HEADER_SEARCH_ROWS = 10

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 17)
def folded(value: str) -> str:
    """``core.text.fold``, remembered: names, employers and titles repeat across rows."""
    return fold(value)


def header_key(text: str) -> str:
    """A header cell as the alias table spells it: folded, punctuation as single spaces."""
    return _NON_ALNUM.sub(" ", fold(clean_line(text) or "")).strip()


@dataclass
class Header:
    row: int
    texts: list[str]
    positions: dict[str, int]
    unknown: list[str]


def _column_label(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def map_header(rows: list[tuple[int, list[str]]]) -> tuple[Header, int]:
    """The header and the index of the first data row; ``RosterError`` if it is unusable."""
    for index, (row_no, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):  # noqa: B007
        keys = [header_key(c) for c in cells]
        if any(_ALIASES.get(k) for k in keys):
            break
    else:
        raise RosterError(
            _(
                "No known column in the header. The first row must name the columns, "
                "e.g. full_name, email, phone (or Họ và tên, Email, Điện thoại)."
            )
        )
    positions: dict[str, int] = {}
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for col, (text, key) in enumerate(zip(cells, keys, strict=True)):
        if not key:
            continue
        if key in seen:
            raise RosterError(
                _(
                    "Columns %(a)s and %(b)s have the same header “%(text)s”; keep one of them.",
                    a=_column_label(seen[key]),
                    b=_column_label(col),
                    text=text,
                )
            )
        seen[key] = col
        column = _ALIASES.get(key, "")
        if column is None:
            continue
        if not column:
            unknown.append(text)
            continue
        if column in positions:
            raise RosterError(
                _(
                    "Columns %(a)s and %(b)s both mean “%(column)s”; keep one of them.",
                    a=_column_label(positions[column]),
                    b=_column_label(col),
                    column=column,
                )
            )
        positions[column] = col
    if "full_name" not in positions:
        raise RosterError(
            _("The header has no name column (full_name or Họ và tên); names are required.")
        )
    return Header(row=row_no, texts=list(cells), positions=positions, unknown=unknown), index + 1


# --- values ------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_PHONE_CHARS = re.compile(r"[\s.()\-]")
_VN_MOBILE = re.compile(r"^0[35789][0-9]{8}$")
_VN_LANDLINE = re.compile(r"^02[0-9]{9}$")
#: The 11-digit mobile prefixes renumbered in 2018, old → new.
_OLD_MOBILE = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039", "0186": "056", "0188": "058",
    "0199": "059",
}  # fmt: skip


def normalize_phone(value: str) -> str | None:
    """A Vietnamese number as ``0…`` (10 digits mobile, 11 landline), a foreign one as ``+…``.

    Accepts +84 / 84 / 0084 prefixes, separators, the leading zero that spreadsheets drop,
    and the old 11-digit mobile numbers. None when it is not a phone number.
    """
    digits = _PHONE_CHARS.sub("", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("+"):
        rest = digits[1:]
        return "+" + rest if rest.isdigit() and 8 <= len(rest) <= 15 else None
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.isdigit():
        return None
    if not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits  # the leading zero a spreadsheet number lost
    if len(digits) == 11 and digits[:4] in _OLD_MOBILE:
        digits = _OLD_MOBILE[digits[:4]] + digits[4:]
    if _VN_MOBILE.match(digits) or _VN_LANDLINE.match(digits):
        return digits
    return None


_GENDERS = {
    "nam": "male",
    "male": "male",
    "m": "male",
    "nu": "female",
    "female": "female",
    "f": "female",
    "khac": "other",
    "other": "other",
}

_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
_DMY = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-\d{1,2}-\d{1,2}(?:[ T].*)?$")
_MY = re.compile(r"^\d{1,2}[/.-](\d{4})$")


def parse_birth_year(value: str) -> int:
    """A year from ``1975``, ``12/03/1975``, ``1975-03-12`` or ``03/1975``; ValueError else."""
    for pattern in (_YEAR, _DMY, _ISO, _MY):
        m = pattern.match(value)
        if m:
            return int(m.group(1))
    raise ValueError(value)


def plausible_birth_year(year: int) -> bool:
    return 1900 <= year <= date.today().year - 15


# Titles and degrees: phrases of folded words → ("title" | "degree", value). Honorifics
# (Nhà giáo ưu tú, Thầy thuốc nhân dân, …) are often written alongside and are skipped.
_T, _D, _SKIP = "title", "degree", "skip"
_PHRASES: dict[tuple[str, ...], tuple[str, str]] = {}


def _add(kind: str, value: str, *phrases: str) -> None:
    for phrase in phrases:
        _PHRASES[tuple(phrase.split())] = (kind, value)


_add(_T, "GS", "gs", "giao su", "prof", "professor")
_add(_T, "PGS", "pgs", "pho giao su", "assoc prof", "associate professor")
_add(_D, "TSKH", "tskh", "ts kh", "tien si khoa hoc", "dsc", "d sc")
_add(_D, "TS", "ts", "tien si", "phd", "ph d", "dr", "doctor")
_add(_D, "ThS", "ths", "thac si", "msc", "m sc", "master", "mba", "ma")
_add(
    _D,
    "BSCKII",
    "bsckii",
    "bsck2",
    "bsck ii",
    "bs ckii",
    "bs ck2",
    "bs ck ii",
    "bs ck 2",
    "ckii",
    "ck2",
    "bac si chuyen khoa ii",
    "bac si chuyen khoa 2",
    "bac si chuyen khoa cap ii",
)
_add(
    _D,
    "BSCKI",
    "bscki",
    "bsck1",
    "bsck i",
    "bs cki",
    "bs ck1",
    "bs ck i",
    "bs ck 1",
    "cki",
    "ck1",
    "bac si chuyen khoa i",
    "bac si chuyen khoa 1",
    "bac si chuyen khoa cap i",
)
_add(_D, "KTS", "kts", "kien truc su", "architect")
_add(_D, "KS", "ks", "ky su", "engineer")
_add(_D, "BS", "bs", "bac si", "md")
_add(_D, "DS", "ds", "duoc si", "pharmacist")
_add(_D, "LS", "ls", "luat su", "lawyer")
_add(_D, "CN", "cn", "cu nhan", "bachelor", "bsc", "b sc", "ba")
_add(_SKIP, "", "ngut", "ngnd", "ttut", "ttnd", "nsut", "nsnd", "nha giao uu tu")
_add(_SKIP, "", "nha giao nhan dan", "thay thuoc uu tu", "thay thuoc nhan dan")
_MAX_PHRASE = max(len(p) for p in _PHRASES)
_NONE = {"", "khong", "khong co", "none", "n a", "na", "x"}
#: Abbreviations that may lead a name cell, as in "PGS.TS. Nguyễn Văn An".
_PREFIX_WORDS = {p[0] for p in _PHRASES if len(p) == 1 and len(p[0]) <= 6}
_NAME_PREFIX = re.compile(r"^((?:[^\W\d_]{2,6}\.\s*)+)(.*)$")
_TITLE_RANK = {"GS": 2, "PGS": 1}


def parse_titles(value: str) -> tuple[set[str], set[str], list[str]]:
    """Titles, degrees and unknown words in a cell such as "PGS.TS." or "Thạc sĩ"."""
    words = _NON_ALNUM.sub(" ", folded(value)).split()
    if " ".join(words) in _NONE:
        return set(), set(), []
    titles: set[str] = set()
    degrees: set[str] = set()
    unknown: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            hit = _PHRASES.get(tuple(words[i : i + size]))
            if hit:
                kind, code = hit
                if kind == _T:
                    titles.add(code)
                elif kind == _D:
                    degrees.add(code)
                i += size
                break
        else:
            unknown.append(words[i])
            i += 1
    return titles, degrees, unknown


def split_name_prefix(name: str) -> tuple[str, str]:
    """("PGS.TS.", "Nguyễn Văn An") for a name written with its titles; ("", name) else."""
    m = _NAME_PREFIX.match(name)
    if not m:
        return "", name
    words = [folded(w) for w in re.split(r"[.\s]+", m.group(1)) if w]
    if words and all(w in _PREFIX_WORDS for w in words):
        return m.group(1).strip(), m.group(2).strip()
    return "", name


def _split_list(value: str) -> list[str]:
    return [p for p in (clean_line(part) or "" for part in value.split(";")) if p]


# --- rows --------------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """What row values are checked against: field codes and names, organisation names."""

    fields: dict[str, str]  # folded code or name → code
    organizations: dict[str, int]  # folded name, short name or code → id


@dataclass(slots=True)
class MemberRow:
    """One valid row, normalised; ``employer_id`` when the employer is a known organisation."""

    row: int
    full_name: str
    email: str | None = None
    phone: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    academic_title: str | None = None
    degree: str | None = None
    employer_id: int | None = None
    employer_name: str | None = None
    position: str | None = None
    fields: list[str] = field(default_factory=list)
    expertise: list[str] = field(default_factory=list)


class RowRejected(Exception):
    """A row that cannot be imported; ``reasons`` says every problem found in it."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _max_len(value: str, n: int, label: str, problems: list[str]) -> None:
    if len(value) > n:
        problems.append(
            _("%(column)s is longer than %(n)s characters.", column=label, n=format_number(n))
        )


def parse_row(row_no: int, cells: list[str], header: Header, vocab: Vocabulary) -> MemberRow:
    """Check and normalise one row; ``RowRejected`` with every reason when it is not valid."""
    pos = header.positions

    def cell(column: str) -> str:
        i = pos.get(column)
        if i is None or i >= len(cells) or not cells[i]:
            return ""
        return clean_line(cells[i]) or ""

    problems: list[str] = []
    name = cell("full_name")
    prefix, name = split_name_prefix(name)
    if not name:
        problems.append(_("The name is missing."))
    elif len(name) < 2 or not any(ch.isalpha() for ch in name):
        problems.append(_("“%(name)s” is not a name.", name=name))
    else:
        _max_len(name, 200, "full_name", problems)
    out = MemberRow(row=row_no, full_name=name)

    email = cell("email")
    if email:
        if _EMAIL.match(email) and len(email) <= 254:
            out.email = email.lower()
        else:
            problems.append(_("“%(value)s” is not an e-mail address.", value=email))

    phone = cell("phone")
    if phone:
        first = re.split(r"[;,/]|\s-\s", phone)[0].strip()
        out.phone = normalize_phone(first)
        if out.phone is None:
            problems.append(_("“%(value)s” is not a Vietnamese phone number.", value=phone))

    gender = cell("gender")
    if gender:
        out.gender = _GENDERS.get(folded(gender).strip(" ."))
        if out.gender is None:
            problems.append(_("Unknown gender “%(value)s” (Nam, Nữ or Khác).", value=gender))

    year = cell("birth_year")
    if year:
        try:
            out.birth_year = parse_birth_year(year)
        except ValueError:
            problems.append(_("“%(value)s” is not a birth year.", value=year))
        else:
            if not plausible_birth_year(out.birth_year):
                problems.append(_("Birth year %(year)s is not plausible.", year=out.birth_year))
                out.birth_year = None

    titles: set[str] = set()
    degrees: set[str] = set()
    for source in (prefix, cell("academic_title"), cell("degree")):
        if source:
            t, d, unknown = parse_titles(source)
            titles |= t
            degrees |= d
            if unknown:
                problems.append(
                    _(
                        "Unknown academic title or degree “%(value)s” "
                        "(use GS, PGS, TSKH, TS, ThS, BSCKII, BSCKI, KTS, KS, BS, DS, LS, CN).",
                        value=source,
                    )
                )
    if titles:
        out.academic_title = max(titles, key=lambda t: _TITLE_RANK[t])
    if degrees:
        out.degree = max(degrees, key=lambda d: (DEGREE_RANK.get(d, 0), d))

    employer = cell("employer")
    if employer:
        _max_len(employer, 255, "employer", problems)
        org_id = vocab.organizations.get(folded(employer))
        if org_id is not None:
            out.employer_id = org_id
        else:
            out.employer_name = employer

    position = cell("position")
    if position:
        _max_len(position, 200, "position", problems)
        out.position = position

    raw_fields = cell("fields")
    if raw_fields:
        unknown_fields = []
        for part in _split_list(raw_fields):
            code = vocab.fields.get(folded(part))
            if code is None:
                unknown_fields.append(part)
            elif code not in out.fields:
                out.fields.append(code)
        if unknown_fields:
            problems.append(_("Unknown field: %(names)s.", names="; ".join(unknown_fields)))
        if len(out.fields) > 20:
            problems.append(_("At most 20 fields."))

    raw_expertise = cell("expertise")
    if raw_expertise:
        seen: set[str] = set()
        for kw in _split_list(raw_expertise):
            if kw.lower() not in seen:
                seen.add(kw.lower())
                out.expertise.append(kw)
        if len(out.expertise) > 50:
            problems.append(_("At most 50 keywords."))
        if any(len(kw) > 100 for kw in out.expertise):
            problems.append(_("Each keyword must have 1 to 100 characters."))

    if problems:
        raise RowRejected(problems)
    return out
