"""Search request/response types and the translation of user text into Whoosh queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from .text import fold, normalize_text

MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 12
MAX_PER_PAGE = 100
MAX_PAGE = 1000

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_QUOTED_RE = re.compile(r'"([^"]*)"')
_WORD_RE = re.compile(r"\w+")


@dataclass
class SearchQuery:
    """What the caller asks for: user text plus filters, paging, sort and facet switches."""

    text: str = ""
    organization: list[int] = _field(default_factory=list)
    field: list[str] = _field(default_factory=list)
    degree: list[str] = _field(default_factory=list)
    academic_title: list[str] = _field(default_factory=list)
    former_province: list[str] = _field(default_factory=list)
    available: bool | None = None
    public_only: bool = False
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    facets: bool = False
    # Type-ahead only: the last word, still being typed, also matches as a name prefix.
    # A submitted search matches whole words, so its totals and facets are exact.
    prefix: bool = False


@dataclass
class SearchResult:
    """One page of hits with whole-result facet counts, a suggestion and an optional notice."""

    total: int
    page: int
    per_page: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[Any, int]] = _field(default_factory=dict)
    suggestion: str | None = None
    notice: str | None = None


@dataclass
class ParsedText:
    """User text split into loose words and quoted phrases, each as (exact, folded) words."""

    words: list[tuple[str, str]]
    phrases: list[list[tuple[str, str]]]
    # False when the text ended inside a quoted phrase: no type-ahead prefix then.
    last_word_is_open: bool

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases

    def all_folded(self) -> set[str]:
        """Return every folded word, for highlighting."""
        out = {f for _, f in self.words}
        for ph in self.phrases:
            out.update(f for _, f in ph)
        return out


def _split_words(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _WORD_RE.finditer(text):
        raw = m.group()
        if raw in _OPERATORS:
            # Users paste boolean operators from other search engines; all words are
            # required anyway, so the operator itself carries no meaning here.
            continue
        w = raw.lower()
        out.append((w, fold(w)))
    return out


def parse_text(text: str) -> ParsedText:
    """Parse raw user text into words and quoted phrases; never raises."""
    text = normalize_text(text)
    if len(text) > MAX_QUERY_CHARS:
        # Cut at a word boundary: half a word would be searched as a word of its own.
        cut = text[: MAX_QUERY_CHARS + 1]
        text = cut[: cut.rstrip().rfind(" ") + 1] if " " in cut.rstrip() else cut[:-1]
    phrases: list[list[tuple[str, str]]] = []
    loose_parts: list[str] = []
    pos = 0
    for m in _QUOTED_RE.finditer(text):
        loose_parts.append(text[pos : m.start()])
        ph = _split_words(m.group(1))
        if len(ph) == 1:
            loose_parts.append(" " + m.group(1) + " ")
        elif ph:
            phrases.append(ph[:MAX_QUERY_WORDS])
        pos = m.end()
    rest = text[pos:]
    # An unbalanced quote is just dropped: the rest is searched as loose words.
    loose_parts.append(rest.replace('"', " "))
    loose = " ".join(loose_parts)
    seen: set[str] = set()
    words = []
    for exact, folded in _split_words(loose):
        if exact in seen:
            continue
        seen.add(exact)
        words.append((exact, folded))
    open_end = bool(words) and not text.rstrip().endswith('"') and bool(rest.strip())
    return ParsedText(words[:MAX_QUERY_WORDS], phrases[:4], open_end)


def corrected_text(parsed: ParsedText, corrections: dict[str, str], typed: str = "") -> str:
    """Return the query string with corrected folded words substituted.

    Words are shown as typed; when every word of ``typed`` began with a capital (a name),
    so do the corrected ones.
    """
    typed_words = _WORD_RE.findall(normalize_text(typed))
    capitals = bool(typed_words) and all(w[:1].isupper() for w in typed_words)
    original = {w.lower(): w for w in typed_words}

    def shown(exact: str, folded: str) -> str:
        if folded in corrections:
            word = corrections[folded]
            return word[:1].upper() + word[1:] if capitals else word
        return original.get(exact, exact)

    parts = [shown(e, f) for e, f in parsed.words]
    for ph in parsed.phrases:
        parts.append('"' + " ".join(shown(e, f) for e, f in ph) + '"')
    return " ".join(parts)
