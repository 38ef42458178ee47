"""Unicode handling: everything we store is NFC, whatever form the user typed."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nfc(value: str | None) -> str | None:
    """Return ``value`` in Unicode NFC, or None unchanged."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value)


def clean_line(value: str | None) -> str | None:
    """NFC, control characters dropped, runs of white space folded: for one-line fields."""
    if value is None:
        return None
    # str.split() splits on runs of exactly the characters a regex ``\s`` matches
    # (str.isspace) and drops them at both ends: re.sub(r"\s+", " ", …).strip() at half
    # the cost.
    return " ".join(_CONTROL.sub("", nfc(value)).split())


def clean_text(value: str | None) -> str | None:
    """NFC and control characters dropped, line breaks kept: for multi-line fields."""
    if value is None:
        return None
    return _CONTROL.sub("", nfc(value)).replace("\r\n", "\n").strip()


#: The combining diacritical marks (U+0300–U+036F, all category Mn): every mark that
#: Vietnamese and the other Latin scripts decompose into.
_MARKS = dict.fromkeys(range(0x300, 0x370))


def fold(value: str) -> str:
    """Lower case without diacritics, đ as d: for comparing names loosely."""
    value = unicodedata.normalize("NFD", value.lower()).replace("đ", "d").translate(_MARKS)
    if value.isascii():
        return value  # the usual case, without a look at each character
    return "".join(ch for ch in value if unicodedata.category(ch) != "Mn")


def name_words(name: str | None) -> str:
    """A person's name as folded words in sorted order: "Nguyen Van An" and "An Nguyễn Văn"
    both give "an nguyen van". Stored beside each person (``person.name_words``) so that
    authors of publications find the people of their name with an indexed lookup."""
    words = fold(clean_line(name) or "").replace(".", " ").replace(",", " ").split()
    return " ".join(sorted(words))
