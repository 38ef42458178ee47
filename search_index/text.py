"""Vietnamese text handling: NFC normalisation, diacritic folding and Whoosh tokenizers."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

# Separates indexed sections (name, expertise item, bio, ...) inside one field value; a
# control character can never survive normalize_text, so user text cannot forge one.
SECTION = "\x1e"
# Joins two folded words into one bigram term; "_" is a word character, so a bigram can
# never be confused with a unigram in the same field.
BIGRAM_JOIN = "_"

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
WORD_RE = re.compile(r"\w+")


def _build_fold_table() -> dict[int, str]:
    """Build a str.translate table folding every precomposed Latin letter to ASCII-ish base."""
    table: dict[int, str] = {}
    # Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional hold every
    # precomposed Vietnamese letter; folding them through a table is ~20x faster than
    # decomposing each string at index time.
    ranges = [(0x00C0, 0x024F), (0x1E00, 0x1EFF)]
    for start, end in ranges:
        for cp in range(start, end + 1):
            ch = chr(cp)
            base = "".join(
                c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)
            )
            if base != ch and base:
                table[cp] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "D"
    # Combining marks that survive NFC (rare, e.g. stacked marks) are dropped outright.
    for cp in range(0x0300, 0x0370):
        table[cp] = ""
    return table


_FOLD_TABLE = _build_fold_table()


# Two orthographies of the same syllables are both correct in Vietnamese: the tone mark of
# a final "oa", "oe" or "uy" sits on the first vowel (old style: hòa, khỏe, thủy) or on the
# second (new style: hoà, khoẻ, thuỷ). The index and the queries use the old style, the
# one most of the data uses, so "Hoà" and "Hòa" are the same exact word. Only a final pair
# moves: with a consonant after it (hoàn, thuyết) both styles agree; after "q" the "u"
# belongs to the consonant (quý), so it is left alone.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_NEW_STYLE_RE = re.compile(
    r"(?<![qQ])([oO])([àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ])(?!\w)|(?<![qQ])([uU])([ỳýỷỹỵỲÝỶỸỴ])(?!\w)"
)


def _old_style(m: re.Match[str]) -> str:
    first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    base, *marks = unicodedata.normalize("NFD", second)
    tone = "".join(c for c in marks if c in _TONES)
    rest = "".join(c for c in marks if c not in _TONES)
    return unicodedata.normalize("NFC", first + tone) + unicodedata.normalize("NFC", base + rest)


def canonical_tones(text: str) -> str:
    """Write final oa/oe/uy syllables of NFC text in the old style: "Thuỷ Hoà" → "Thủy Hòa"."""
    return _NEW_STYLE_RE.sub(_old_style, text)


def clean_text(value: object) -> str:
    """Return the text as NFC with control characters turned into spaces (as written)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = unicodedata.normalize("NFC", text)
    return _CONTROL_RE.sub(" ", text)


def normalize_text(value: object) -> str:
    """Return the text as NFC, control characters as spaces, one tone-mark orthography.

    Everything that is indexed or searched goes through here, so both orthographies of
    a syllable (Hoà/Hòa, Thuỷ/Thủy) give the same exact term.
    """
    return canonical_tones(clean_text(value))


def fold(text: str) -> str:
    """Lower-case NFC text and strip Vietnamese diacritics, folding đ/Đ to d."""
    return text.lower().translate(_FOLD_TABLE)


def has_diacritics(word: str) -> bool:
    """Tell whether a lower-cased NFC word differs from its folded form."""
    return word.translate(_FOLD_TABLE) != word


def words(text: str) -> list[str]:
    """Split normalised text into lower-cased NFC words (Vietnamese syllables)."""
    return WORD_RE.findall(normalize_text(text).lower())


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, folded word) for each word of already-normalised text."""
    for m in WORD_RE.finditer(text):
        yield m.start(), m.end(), fold(m.group())


class _BaseTokenizer(Tokenizer):
    """Common plumbing: Whoosh calls tokenizers with these keyword arguments."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.__dict__.items()))))

    def terms(self, text: str) -> Iterator[str]:
        raise NotImplementedError

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for term in self.terms(unicodedata.normalize("NFC", value)):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            pos += 1
            yield t


class WordTokenizer(_BaseTokenizer):
    """Yield the distinct lower-case words of a text, folded or (only_marked) with diacritics."""

    def __init__(self, folded: bool = True, only_marked: bool = False) -> None:
        self.folded = folded
        # The exact field keeps only words that carry diacritics: a query word typed
        # without them is answered by the folded fields, so plain words would be dead weight.
        self.only_marked = only_marked

    def terms(self, text: str) -> Iterator[str]:
        seen: set[str] = set()
        for w in WORD_RE.findall(text.lower()):
            f = w.translate(_FOLD_TABLE)
            if self.folded:
                term = f
            elif self.only_marked and f == w:
                continue
            else:
                term = w
            if term not in seen:
                seen.add(term)
                yield term


class BigramTokenizer(_BaseTokenizer):
    """Yield folded word pairs that are adjacent inside one section (phrases without positions)."""

    def terms(self, text: str) -> Iterator[str]:
        seen: set[str] = set()
        for section in text.split(SECTION):
            ws = WORD_RE.findall(fold(section))
            for a, b in itertools.pairwise(ws):
                term = a + BIGRAM_JOIN + b
                if term not in seen:
                    seen.add(term)
                    yield term


def bigrams(folded_words: list[str]) -> list[str]:
    """Return the bigram terms of consecutive folded words."""
    return [a + BIGRAM_JOIN + b for a, b in itertools.pairwise(folded_words)]
