"""Vietnamese alphabetical order, and people's names sorted as Vietnamese lists sort them.

The order is CLDR's for ``vi`` (what ICU's ``vi`` collator does): letters
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (with f j w z in their Latin
places); the tone marks only decide between words that are otherwise equal, in the order
unmarked, huyền (à), hỏi (ả), ngã (ã), sắc (á), nặng (ạ); case decides last. So
Anh < Ánh, Dương < Đỗ (d < đ), Ngô < Nguyễn (ô < u).

Keys are bytes, so they sort the same in Python, in Whoosh and in a database column
(PostgreSQL ``bytea`` and SQLite ``BLOB`` both compare byte by byte).
"""

from __future__ import annotations

import functools
import unicodedata

from .text import canonical_tones

_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_PRIMARY = {ch: 0x1000 + 2 * i for i, ch in enumerate(_LETTERS)}
_WITH_MODIFIER = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
# Secondary weights: no tone, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_END = b"\x00\x01"  # below every weight: a shorter word sorts before its extensions
_FIELD = b"\x00\x00"  # between the parts of a composite key


def _letters(text: str) -> list[tuple[int, int, int]]:
    """(primary, tone, case) for each character of ``text``."""
    out: list[tuple[int, int, int]] = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        lower = base.lower()
        case = 1 if base != lower else 0
        letter = lower
        tone = 0
        for m in marks:
            if (letter, m) in _WITH_MODIFIER:
                letter = _WITH_MODIFIER[(letter, m)]
            elif m in _TONES:
                tone = _TONES[m]
        if lower == "đ":
            letter = "đ"
        if letter in _PRIMARY:
            primary = _PRIMARY[letter]
        elif letter.isspace():
            primary = 0x0100
        elif letter.isdigit():
            primary = 0x0800 + (unicodedata.digit(letter, 0))
        elif letter.isalpha():
            primary = 0x2000 + min(ord(letter), 0xDFFF)  # other scripts after Vietnamese
        else:
            primary = 0x0200 + min(ord(letter), 0x05FF)  # punctuation before digits
        out.append((primary, tone, case))
    return out


def sort_key(text: str) -> bytes:
    """The bytes that order ``text`` in Vietnamese alphabetical order (three levels)."""
    # Both tone orthographies (Hoà/Hòa) are one word here as in the search (see text.py).
    letters = _letters(canonical_tones(unicodedata.normalize("NFC", " ".join(text.split()))))
    primary = b"".join(p.to_bytes(2, "big") for p, _t, _c in letters)
    secondary = bytes(2 + t for _p, t, _c in letters)
    tertiary = bytes(2 + c for _p, _t, c in letters)
    return primary + _END + secondary + _END + tertiary + _END


def person_name_key(full_name: str) -> bytes:
    """Given name first, then middle and family name: "Nguyễn Văn An" sorts under An.

    The given name is compared whole (with its tone) before anything else, so every
    "Anh" comes before every "Ánh", whatever their family names.
    """
    parts = full_name.split()
    if not parts:
        return _FIELD
    given, middle, family = parts[-1], " ".join(parts[1:-1]), parts[0] if len(parts) > 1 else ""
    return _FIELD.join(_part_key(p) for p in (given, middle, family))


# Given, middle and family names repeat across thousands of people (index rebuilds).
_part_key = functools.lru_cache(maxsize=1 << 16)(sort_key)
