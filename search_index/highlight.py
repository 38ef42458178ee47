"""HTML-safe snippets with <mark> around words that match the query, diacritics folded."""

from __future__ import annotations

from html import escape
from typing import Any

from .text import word_spans

SNIPPET_CHARS = 160


def _matches(folded: str, terms: set[str], prefix: str | None) -> bool:
    return folded in terms or (prefix is not None and folded.startswith(prefix))


def mark(text: str, terms: set[str], prefix: str | None = None) -> str | None:
    """Return escaped text with matching words wrapped in <mark>, or None if none match."""
    out: list[str] = []
    pos = 0
    found = False
    for start, end, folded in word_spans(text):
        if _matches(folded, terms, prefix):
            found = True
            out.append(escape(text[pos:start]))
            out.append("<mark>" + escape(text[start:end]) + "</mark>")
            pos = end
    if not found:
        return None
    out.append(escape(text[pos:]))
    return "".join(out)


def snippet(text: str, terms: set[str], prefix: str | None = None) -> str | None:
    """Return a window of long text around its first match, marked, or None."""
    first = None
    for start, _end, folded in word_spans(text):
        if _matches(folded, terms, prefix):
            first = start
            break
    if first is None:
        return None
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
