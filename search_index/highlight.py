"""HTML-safe snippets with <mark> around words that match the query, diacritics folded."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from .text import fold, word_spans

SNIPPET_CHARS = 160


def _matches(folded: str, terms: set[str], prefix: str | None) -> bool:
    return folded in terms or (prefix is not None and folded.startswith(prefix))


def _pattern(terms: frozenset[str], prefix: str | None) -> re.Pattern[str]:
    alts = [re.escape(t) for t in sorted(terms, key=len, reverse=True)]
    parts = [r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)"] if alts else []
    if prefix:
        parts.append(r"(?<!\w)" + re.escape(prefix) + r"\w*")
    return re.compile("|".join(parts) or r"(?!)")


_PATTERNS: dict[tuple[frozenset[str], str | None], re.Pattern[str]] = {}


def _spans(text: str, terms: set[str], prefix: str | None) -> list[tuple[int, int]]:
    folded = fold(text)
    if len(folded) != len(text):
        # Rare: a character whose lower case or folding changes the length; go word by word.
        return [(a, b) for a, b, f in word_spans(text) if _matches(f, terms, prefix)]
    key = (frozenset(terms), prefix)
    pat = _PATTERNS.get(key)
    if pat is None:
        if len(_PATTERNS) > 256:
            _PATTERNS.clear()
        pat = _PATTERNS[key] = _pattern(key[0], prefix)
    # Searching the folded copy with one regex keeps the per-word work in C.
    return [m.span() for m in pat.finditer(folded)]


def mark(text: str, terms: set[str], prefix: str | None = None) -> str | None:
    """Return escaped text with matching words wrapped in <mark>, or None if none match."""
    spans = _spans(text, terms, prefix)
    if not spans:
        return None
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def snippet(text: str, terms: set[str], prefix: str | None = None) -> str | None:
    """Return a window of long text around its first match, marked, or None."""
    spans = _spans(text, terms, prefix)
    if not spans:
        return None
    first = spans[0][0]
    if len(text) <= SNIPPET_CHARS:
        return mark(text, terms, prefix)
    begin = max(0, first - SNIPPET_CHARS // 3)
    # Start and end on word boundaries so no syllable is cut in half.
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    end = min(len(text), begin + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > first else end
    body = mark(text[begin:end], terms, prefix) or escape(text[begin:end])
    return ("…" if begin > 0 else "") + body + ("…" if end < len(text) else "")


def highlights(data: dict[str, Any], terms: set[str], prefix: str | None) -> dict[str, str]:
    """Return {field: snippet} for every stored field in which a query word occurs."""
    out: dict[str, str] = {}
    for name in ("full_name", "position", "employer_name"):
        value = data.get(name) or ""
        marked = mark(value, terms, prefix if name == "full_name" else None) if value else None
        if marked:
            out[name] = marked
    for name in ("expertise", "field_names", "organization_names"):
        items = [m for m in (mark(v, terms) for v in data.get(name) or []) if m]
        if items:
            out[name] = "; ".join(items)
    bio = data.get("bio") or ""
    if bio:
        s = snippet(bio, terms)
        if s:
            out["bio"] = s
    return out
