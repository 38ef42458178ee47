"""Publication lists from the files people already have, into plain ``WorkIn`` records.

Formats: BibTeX (bibtexparser), RIS (rispy), CSL-JSON, an ORCID works record (the JSON
of the ORCID public API: ``/works`` summaries, a bulk ``/works/…`` answer or one work),
Crossref and OpenAlex work JSON (one work or a list), and CSV/XLSX lists (read with the
roster reader, so formulas and wrong encodings are refused the same way). The format is
recognised from the content. Each entry is checked on its own: a bad one is reported
with its reason and the others go on (``Parsed.rejected``); nothing here touches the
database.

Over 600 lines on purpose: one reader per format, each small, behind one entry point
(``parse_file``) that recognises the format; they share the ``WorkIn`` checks below.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import format_number

from ..core.text import clean_line, clean_text, fold
from .i18n import _
from .models import MAX_AUTHORS, PublicationType

#: Larger files are refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: At most this many works per file (a whole university's list fits).
MAX_ENTRIES = 50_000

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ORCID_RE = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_TAG_RE = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"[\W_]+")


class ImportFormatError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class AuthorIn:
    name: str
    orcid: str | None = None
    email: str | None = None


@dataclass
class WorkIn:
    """One publication as read from a file, cleaned, before it meets the database."""

    title: str
    type: str = PublicationType.journal_article.value
    authors: list[AuthorIn] = field(default_factory=list)
    authors_truncated: int = 0
    year: int | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    doi: str | None = None
    isbn: str | None = None
    language: str | None = None
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    url: str | None = None
    source: str = "manual"
    #: How the person who sent the file names this entry (a BibTeX key, a row number).
    label: str = ""
    #: For lists per organisation: the expert the row belongs to (e-mail or id).
    expert: str | None = None


@dataclass
class Rejected:
    entry: str
    reason: str


@dataclass
class Parsed:
    format: str
    works: list[WorkIn] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


# --- normalising ----------------------------------------------------------------------------


def normalize_doi(value: Any) -> str | None:
    """``10.1000/xyz`` in lower case from any usual spelling; None if it is no DOI."""
    if not value:
        return None
    text = _DOI_PREFIX.sub("", str(value).strip()).strip().rstrip(".").lower()
    return text if _DOI_RE.match(text) and len(text) <= 255 else None


def orcid_valid(value: str) -> bool:
    """The ISO 7064 11,2 check digit of an ORCID iD."""
    digits = value.replace("-", "")
    if not re.fullmatch(r"\d{15}[\dX]", digits):
        return False
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def normalize_orcid(value: Any) -> str | None:
    """``0000-0002-1825-0097`` from an iD or its URL; None unless the check digit holds."""
    if not value:
        return None
    m = _ORCID_RE.search(str(value).strip().upper())
    return m.group(1) if m and orcid_valid(m.group(1)) else None


def title_key(title: str) -> str:
    """Folded words of a title: the same work typed twice gets the same key."""
    return " ".join(_NON_WORD.sub(" ", fold(clean_line(title) or "")).split())[:255]


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    m = re.search(r"\b(19\d\d|20\d\d|2100)\b", str(value))
    if not m:
        raise ValueError(_("The year %(value)s is not a year between 1900 and 2100.", value=value))
    return int(m.group(1))


def _short(value: Any, limit: int) -> str | None:
    text = clean_line(str(value)) if value not in (None, "") else None
    return text[:limit] if text else None


def _strip_markup(value: Any) -> str | None:
    """Abstracts from Crossref come as JATS XML; keep the words."""
    if not value:
        return None
    return clean_text(html.unescape(_TAG_RE.sub(" ", str(value)))) or None


_VI_FAMILY = frozenset(
    fold(n)
    for n in (
        *("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"),
        *("Ngô", "Phan", "Đào", "Đinh", "Dương", "Mai", "Trịnh", "Lương", "Hà", "Cao", "Lưu"),
        *("Đoàn", "Tạ", "Nghiêm", "Khúc", "Phí", "Tô", "Vương", "Lã", "Quách", "Hồ", "Trương"),
        *("Lâm", "Châu", "Thái"),
    )
)


def person_name(family: Any = None, given: Any = None, literal: Any = None) -> str:
    """One author's name as Vietnamese write it: a Vietnamese family name first.

    "Nguyen, Van An" becomes "Nguyen Van An", "Smith, John" becomes "John Smith".
    """
    if literal:
        text = clean_line(str(literal)) or ""
        if "," in text:
            fam, _sep, giv = text.partition(",")
            return person_name(fam, giv)
        return text
    fam = clean_line(str(family or "")) or ""
    giv = clean_line(str(given or "")) or ""
    if not giv:
        return fam
    if not fam:
        return giv
    if fold(fam.split()[0]) in _VI_FAMILY:
        return f"{fam} {giv}"
    return f"{giv} {fam}"


def _keywords(value: Any) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else re.split(r"[;,]", str(value))
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("display_name") or item.get("value") or ""
        text = _short(item, 120)
        if text and text not in out:
            out.append(text)
    return out[:30]


_TYPES = frozenset(PublicationType.values())


def _finish(work: WorkIn) -> WorkIn:
    """Clean and check one work; raises ValueError naming the problem."""
    title = clean_line(work.title) if work.title else ""
    if not title:
        raise ValueError(_("The work has no title."))
    work.title = title[:2000]
    if work.type not in _TYPES:
        work.type = PublicationType.other.value
    if len(work.authors) > MAX_AUTHORS:
        work.authors_truncated += len(work.authors) - MAX_AUTHORS
        work.authors = work.authors[:MAX_AUTHORS]
    work.authors = [a for a in work.authors if a.name]
    for a in work.authors:
        a.name = a.name[:300]
    work.venue = _short(work.venue, 500)
    work.publisher = _short(work.publisher, 255)
    work.volume, work.issue = _short(work.volume, 40), _short(work.issue, 40)
    work.pages = _short(work.pages, 40)
    work.isbn = _short(work.isbn, 40)
    work.language = (_short(work.language, 8) or "").lower() or None
    work.url = _short(work.url, 1000)
    if work.url and not re.match(r"^https?://", work.url):
        work.url = None  # a javascript: link must never reach a page
    work.abstract = _strip_markup(work.abstract)
    return work


def _collect(parsed: Parsed, label: str, build) -> None:
    if len(parsed.works) + len(parsed.rejected) >= MAX_ENTRIES:
        raise ImportFormatError(
            _(
                "The file has more than %(n)s entries; split it into smaller files.",
                n=format_number(MAX_ENTRIES),
            )
        )
    try:
        work = _finish(build())
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else _("The entry is malformed.")
        parsed.rejected.append(Rejected(label, reason))
        return
    work.label = work.label or label
    parsed.works.append(work)


# --- BibTeX -------------------------------------------------------------------------------

_BIBTEX_TYPES = {
    "article": "journal_article",
    "inproceedings": "conference_paper",
    "conference": "conference_paper",
    "proceedings": "conference_paper",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "standard": "standard",
}


def parse_bibtex(text: str) -> Parsed:
    import bibtexparser
    from bibtexparser import middlewares as m

    # LaTeX decoding is most of the parsing time; files written in UTF-8 do not need it.
    middleware = [m.LatexDecodingMiddleware()] if "\\" in text else []
    library = bibtexparser.parse_string(
        text, append_middleware=[*middleware, m.SeparateCoAuthors()]
    )
    parsed = Parsed("bibtex")
    for block in library.failed_blocks:
        start = getattr(block, "start_line", None)
        where = _("line %(n)s", n=start + 1) if start is not None else "?"
        head = (block.raw or "").strip().splitlines()[0][:80] if block.raw else ""
        parsed.rejected.append(
            Rejected(f"{where}: {head}", _("Not valid BibTeX (check braces and commas)."))
        )
    for entry in library.entries:
        f = {k.lower(): v.value for k, v in entry.fields_dict.items()}

        def build(entry=entry, f=f) -> WorkIn:
            kind = entry.entry_type.lower()
            authors = f.get("author") or []
            if isinstance(authors, str):
                authors = [authors]
            venue = f.get("journal") or f.get("booktitle") or f.get("school")
            venue = venue or f.get("institution") or f.get("series")
            return WorkIn(
                title=_unbrace(f.get("title")),
                type=_BIBTEX_TYPES.get(kind, "other"),
                authors=[AuthorIn(person_name(literal=_unbrace(a))) for a in authors],
                year=_year(f.get("year") or f.get("date")),
                venue=_unbrace(venue),
                volume=f.get("volume"),
                issue=f.get("number"),
                pages=(f.get("pages") or "").replace("--", "–") or None,
                publisher=_unbrace(f.get("publisher")),
                doi=normalize_doi(f.get("doi")),
                isbn=f.get("isbn"),
                language=_language(f.get("language") or f.get("langid")),
                abstract=f.get("abstract"),
                keywords=_keywords(f.get("keywords")),
                url=f.get("url"),
                source="bibtex",
                label=entry.key,
            )

        _collect(parsed, entry.key, build)
    return parsed


def _unbrace(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).replace("{", "").replace("}", "")


_LANGUAGES = {
    "english": "en",
    "vietnamese": "vi",
    "tiếng việt": "vi",
    "tieng viet": "vi",
    "french": "fr",
    "german": "de",
    "russian": "ru",
    "chinese": "zh",
    "japanese": "ja",
}


def _language(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip().lower()
    return _LANGUAGES.get(text, text[:8] if len(text) <= 3 else None)


# --- RIS ------------------------------------------------------------------------------------

_RIS_TYPES = {
    "JOUR": "journal_article",
    "JFULL": "journal_article",
    "EJOUR": "journal_article",
    "MGZN": "journal_article",
    "CONF": "conference_paper",
    "CPAPER": "conference_paper",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "RPRT": "report",
    "THES": "thesis",
    "STAND": "standard",
}


def parse_ris(text: str) -> Parsed:
    import rispy

    parsed = Parsed("ris")
    # rispy reads a whole file and gives up at the first broken line: split the entries
    # first, so one bad entry is reported and the others still come in.
    chunks = re.split(r"(?m)^ER\s{2}-\s*$", text)
    for n, chunk in enumerate(chunks, start=1):
        if not chunk.strip():
            continue
        label = _("entry %(n)s", n=n)
        try:
            entries = rispy.loads(chunk.strip() + "\nER  - \n")
        except Exception:
            parsed.rejected.append(Rejected(label, _("Not a valid RIS entry (it needs TY  - …).")))
            continue
        for e in entries:

            def build(e=e) -> WorkIn:
                authors = e.get("authors") or e.get("first_authors") or []
                sp, ep = e.get("start_page"), e.get("end_page")
                pages = f"{sp}–{ep}" if sp and ep else (sp or None)
                urls = e.get("urls") or []
                return WorkIn(
                    title=e.get("title") or e.get("primary_title") or e.get("translated_title"),
                    type=_RIS_TYPES.get(str(e.get("type_of_reference") or "").upper(), "other"),
                    authors=[AuthorIn(person_name(literal=a)) for a in authors],
                    year=_year(e.get("year") or e.get("publication_year") or e.get("date")),
                    venue=e.get("journal_name")
                    or e.get("secondary_title")
                    or e.get("alternate_title3")
                    or e.get("alternate_title1"),
                    volume=e.get("volume"),
                    issue=e.get("number"),
                    pages=pages,
                    publisher=e.get("publisher"),
                    doi=normalize_doi(e.get("doi")),
                    isbn=e.get("issn") if str(e.get("type_of_reference")) in ("BOOK",) else None,
                    language=_language(e.get("language")),
                    abstract=e.get("abstract") or e.get("notes_abstract"),
                    keywords=_keywords(e.get("keywords")),
                    url=urls[0] if urls else None,
                    source="ris",
                )

            _collect(parsed, e.get("id") or label, build)
    return parsed


# --- CSL-JSON and Crossref ------------------------------------------------------------------

_CSL_TYPES = {
    "article-journal": "journal_article",
    "journal-article": "journal_article",
    "article": "journal_article",
    "article-magazine": "journal_article",
    "paper-conference": "conference_paper",
    "proceedings-article": "conference_paper",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "chapter": "chapter",
    "book-chapter": "chapter",
    "report": "report",
    "thesis": "thesis",
    "dissertation": "thesis",
    "standard": "standard",
}


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _date_year(item: dict) -> Any:
    for key in ("issued", "published-print", "published-online", "published", "created"):
        parts = (item.get(key) or {}).get("date-parts") if isinstance(item.get(key), dict) else None
        if parts and parts[0] and parts[0][0]:
            return parts[0][0]
    return item.get("year")


def _csl_work(item: dict, source: str) -> WorkIn:
    if not isinstance(item, dict):
        raise ValueError(_("The entry is not a JSON object."))
    authors = []
    for a in item.get("author") or []:
        authors.append(
            AuthorIn(
                person_name(a.get("family"), a.get("given"), a.get("literal") or a.get("name")),
                orcid=normalize_orcid(a.get("ORCID") or a.get("orcid")),
            )
        )
    return WorkIn(
        title=_strip_markup(_first(item.get("title"))) or "",
        type=_CSL_TYPES.get(str(item.get("type") or ""), "other"),
        authors=authors,
        year=_year(_date_year(item)),
        venue=_first(item.get("container-title")),
        volume=item.get("volume"),
        issue=item.get("issue"),
        pages=item.get("page"),
        publisher=item.get("publisher"),
        doi=normalize_doi(item.get("DOI") or item.get("doi")),
        isbn=_first(item.get("ISBN")),
        language=_language(item.get("language")),
        abstract=item.get("abstract"),
        keywords=_keywords(item.get("keyword") or item.get("subject")),
        url=item.get("URL"),
        source=source,
    )


# --- OpenAlex ------------------------------------------------------------------------------


def _openalex_abstract(index: Any) -> str | None:
    """OpenAlex ships abstracts as an inverted index: word -> positions."""
    if not isinstance(index, dict) or not index:
        return None
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for p in positions or ():
            if isinstance(p, int) and 0 <= p < 20_000:
                slots[p] = word
    return " ".join(slots[p] for p in sorted(slots)) or None


def _openalex_work(item: dict) -> WorkIn:
    if not isinstance(item, dict):
        raise ValueError(_("The entry is not a JSON object."))
    authors = []
    for a in item.get("authorships") or []:
        who = a.get("author") or {}
        authors.append(
            AuthorIn(
                person_name(literal=who.get("display_name") or a.get("raw_author_name")),
                orcid=normalize_orcid(who.get("orcid")),
            )
        )
    biblio = item.get("biblio") or {}
    fp, lp = biblio.get("first_page"), biblio.get("last_page")
    source = ((item.get("primary_location") or {}).get("source") or {}) or (
        item.get("host_venue") or {}
    )
    kind = str(item.get("type_crossref") or item.get("type") or "")
    return WorkIn(
        title=item.get("title") or item.get("display_name") or "",
        type=_CSL_TYPES.get(kind, "other"),
        authors=authors,
        year=_year(item.get("publication_year")),
        venue=source.get("display_name"),
        volume=biblio.get("volume"),
        issue=biblio.get("issue"),
        pages=f"{fp}–{lp}" if fp and lp and fp != lp else fp,
        publisher=source.get("host_organization_name") or source.get("publisher"),
        doi=normalize_doi(item.get("doi")),
        language=_language(item.get("language")),
        abstract=_openalex_abstract(item.get("abstract_inverted_index")),
        keywords=_keywords(item.get("keywords")),
        url=(item.get("primary_location") or {}).get("landing_page_url") or item.get("doi"),
        source="openalex",
    )


# --- ORCID ---------------------------------------------------------------------------------

_ORCID_TYPES = {
    "journal-article": "journal_article",
    "conference-paper": "conference_paper",
    "book": "book",
    "book-chapter": "chapter",
    "report": "report",
    "dissertation": "thesis",
    "dissertation-thesis": "thesis",
    "standards-and-policy": "standard",
}


def _value(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def _orcid_work(work: dict) -> WorkIn:
    if not isinstance(work, dict):
        raise ValueError(_("The entry is not a JSON object."))
    doi = None
    for ext in _value(work, "external-ids", "external-id") or []:
        if str(ext.get("external-id-type")).lower() == "doi":
            doi = normalize_doi(ext.get("external-id-value"))
            break
    authors = []
    for c in _value(work, "contributors", "contributor") or []:
        authors.append(
            AuthorIn(
                person_name(literal=_value(c, "credit-name", "value")),
                orcid=normalize_orcid(_value(c, "contributor-orcid", "path")),
            )
        )
    return WorkIn(
        title=_value(work, "title", "title", "value") or "",
        # ORCID 2.x spells types JOURNAL_ARTICLE, 3.x journal-article.
        type=_ORCID_TYPES.get(str(work.get("type") or "").lower().replace("_", "-"), "other"),
        authors=authors,
        year=_year(_value(work, "publication-date", "year", "value")),
        venue=_value(work, "journal-title", "value"),
        doi=doi,
        language=_language(work.get("language-code")),
        abstract=work.get("short-description"),
        url=_value(work, "url", "value"),
        source="orcid",
    )


def _orcid_works(data: dict) -> list[dict]:
    if "group" in data:
        # Each group is one work seen by several sources; the first summary stands for it.
        return [(g.get("work-summary") or [None])[0] for g in data.get("group") or []]
    if "bulk" in data:
        return [b.get("work") or b for b in data.get("bulk") or []]
    return [data]


# --- JSON dispatch -------------------------------------------------------------------------


def parse_json(text: str) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            _("The file is not valid JSON (line %(line)s: %(msg)s).", line=exc.lineno, msg=exc.msg)
        ) from None
    # Crossref wraps what it answers in {"message": …}; a list in "items".
    if isinstance(data, dict) and isinstance(data.get("message"), dict):
        msg = data["message"]
        items = msg.get("items") if isinstance(msg.get("items"), list) else [msg]
        return _parse_items(items, "crossref", lambda i: _csl_work(i, "crossref"))
    if isinstance(data, dict) and ("group" in data or "bulk" in data or "put-code" in data):
        return _parse_items(_orcid_works(data), "orcid", _orcid_work)
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return _parse_items(data["results"], "openalex", _openalex_work)
    items = data if isinstance(data, list) else [data]
    first = next((i for i in items if isinstance(i, dict)), {})
    if str(first.get("id", "")).startswith("https://openalex.org/") or "authorships" in first:
        return _parse_items(items, "openalex", _openalex_work)
    if "title" in first or "type" in first:
        return _parse_items(items, "csl", lambda i: _csl_work(i, "csl"))
    raise ImportFormatError(
        _("The JSON is not CSL-JSON, an ORCID works record, Crossref or OpenAlex works.")
    )


def _parse_items(items: Iterable[Any], fmt: str, make) -> Parsed:
    parsed = Parsed(fmt)
    for n, item in enumerate(items, start=1):
        label = _("entry %(n)s", n=n)
        if isinstance(item, dict):
            title = _first(item.get("title"))
            if isinstance(title, dict):
                title = _value(title, "title", "value")
            if isinstance(title, str) and title.strip():
                label = f"{label}: {title.strip()[:80]}"
        _collect(parsed, label, lambda item=item: make(item))
    return parsed


# --- CSV / XLSX ----------------------------------------------------------------------------

SHEET_COLUMNS = (
    "expert",
    "title",
    "authors",
    "year",
    "type",
    "venue",
    "volume",
    "issue",
    "pages",
    "publisher",
    "doi",
    "isbn",
    "language",
    "abstract",
    "keywords",
    "url",
)
_HEADER_ALIASES = {
    "tên bài báo": "title",
    "tên công trình": "title",
    "tiêu đề": "title",
    "tác giả": "authors",
    "năm": "year",
    "năm công bố": "year",
    "loại": "type",
    "tạp chí": "venue",
    "nơi công bố": "venue",
    "tập": "volume",
    "số": "issue",
    "trang": "pages",
    "nhà xuất bản": "publisher",
    "ngôn ngữ": "language",
    "tóm tắt": "abstract",
    "từ khóa": "keywords",
    "chuyên gia": "expert",
    "email": "expert",
}
_SHEET_TYPES = {fold(t.value): t.value for t in PublicationType} | {
    "bai bao": "journal_article",
    "bai tap chi": "journal_article",
    "hoi thao": "conference_paper",
    "bao cao hoi thao": "conference_paper",
    "sach": "book",
    "chuong sach": "chapter",
    "bao cao": "report",
    "luan an": "thesis",
    "luan van": "thesis",
    "tieu chuan": "standard",
}


def parse_sheet(data: bytes, filename: str) -> Parsed:
    from ..roster.reader import RosterError, read_roster

    suffix = ".xlsx" if data[:4] == b"PK\x03\x04" else ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"publications{suffix}"
        path.write_bytes(data)
        try:
            sheet = read_roster(path)
        except RosterError as exc:
            raise ImportFormatError(str(exc)) from None
    if not sheet.rows:
        raise ImportFormatError(_("The file has no rows."))
    _row_no, header = sheet.rows[0]
    names = []
    for h in header:
        key = (clean_line(h) or "").lower()
        names.append(_HEADER_ALIASES.get(key, key.replace(" ", "_")))
    if "title" not in names:
        raise ImportFormatError(_("The list needs a column named title."))
    parsed = Parsed(sheet.format)
    for row_no, cells in sheet.rows[1:]:
        row = {n: c for n, c in zip(names, cells, strict=False) if n in SHEET_COLUMNS}
        if not any(v.strip() for v in row.values()):
            continue

        def build(row=row) -> WorkIn:
            kind = fold(row.get("type") or "").strip()
            if kind and kind not in _SHEET_TYPES:
                raise ValueError(_("Unknown type %(value)s.", value=row.get("type")))
            raw_doi = row.get("doi")
            doi = normalize_doi(raw_doi)
            if raw_doi and raw_doi.strip() and doi is None:
                raise ValueError(_("The DOI %(value)s is not a DOI.", value=raw_doi))
            return WorkIn(
                title=row.get("title") or "",
                type=_SHEET_TYPES.get(kind, "journal_article"),
                authors=[
                    AuthorIn(person_name(literal=a))
                    for a in (row.get("authors") or "").split(";")
                    if a.strip()
                ],
                year=_year(row.get("year")),
                venue=row.get("venue"),
                volume=row.get("volume"),
                issue=row.get("issue"),
                pages=row.get("pages"),
                publisher=row.get("publisher"),
                doi=doi,
                isbn=row.get("isbn"),
                language=_language(row.get("language")),
                abstract=row.get("abstract"),
                keywords=_keywords(row.get("keywords")),
                url=row.get("url"),
                source="csv" if sheet.format == "csv" else "xlsx",
                expert=(row.get("expert") or "").strip() or None,
            )

        _collect(parsed, _("row %(n)s", n=row_no), build)
    return parsed


# --- detection ----------------------------------------------------------------------------


def parse_file(data: bytes, filename: str = "") -> Parsed:
    """Recognise the format from the content (the name only breaks ties) and parse it."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(
            _("The file is larger than %(mb)s MB.", mb=MAX_FILE_BYTES // (1024 * 1024))
        )
    if not data.strip():
        raise ImportFormatError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return parse_sheet(data, filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if filename.lower().endswith(".csv"):
            return parse_sheet(data, filename)
        raise ImportFormatError(_("The file is not UTF-8 text.")) from None
    text = text.replace("\r\n", "\n")
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return parse_json(text)
    if re.search(r"(?m)^TY\s{2}-\s", text):
        return parse_ris(text)
    if re.search(r"@\s*[A-Za-z]+\s*[{(]", text):
        return parse_bibtex(text)
    if filename.lower().endswith((".csv", ".txt", ".tsv")) or re.match(
        r"^[\ufeff]?[^\n]*\btitle\b", text, re.IGNORECASE
    ):
        return parse_sheet(data, filename)
    raise ImportFormatError(
        _(
            "Unrecognised format: send BibTeX, RIS, CSL-JSON, ORCID, Crossref or OpenAlex "
            "JSON, or a CSV/XLSX list with a title column."
        )
    )
