"""A first draft of the consolidated recommendations, from the experts' own (no writes here).

Recommendations that say the same thing are grouped: the texts are normalised (Unicode
NFC, lower case, punctuation dropped; accents kept, since "biển" is not "biện") and
compared syllable by syllable (Vietnamese words are made of syllables): pairs of
neighbouring syllables shared, and syllables in the same order.
Each group keeps every expert's wording, and its endorsers are the experts who wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .models import Opinion

#: Two recommendations are "the same" at or above this similarity (0..1).
SAME = 0.6
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, NFC, words only, single spaces: what two wordings are compared on."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", text).casefold()))


def _bigrams(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < 2:
        return {tuple(words)}
    return {tuple(words[i : i + 2]) for i in range(len(words) - 1)}


def similarity(a: str, b: str) -> float:
    """How alike two recommendations read: the best of syllable-pair overlap and string match."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    wa, wb = na.split(), nb.split()
    ba, bb = _bigrams(wa), _bigrams(wb)
    jaccard = len(ba & bb) / len(ba | bb)
    # Overlap over the shorter one: "Làm rõ nguồn vốn" within "Làm rõ nguồn vốn đầu tư".
    containment = len(ba & bb) / min(len(ba), len(bb))
    # Syllables in the same order, whatever lies between them.
    ratio = SequenceMatcher(None, wa, wb, autojunk=False).ratio()
    return max(jaccard, ratio, containment * 0.9)


@dataclass
class Wording:
    person_id: int
    text: str


@dataclass
class Group:
    """Recommendations that say the same thing; ``text`` is the first wording."""

    wordings: list[Wording] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.wordings[0].text

    @property
    def endorsed_by(self) -> list[int]:
        return sorted({w.person_id for w in self.wordings})

    def fit(self, text: str) -> float:
        return max(similarity(text, w.text) for w in self.wordings)


def group_recommendations(opinions: Iterable[Opinion], threshold: float = SAME) -> list[Group]:
    """The submitted opinions' recommendations, grouped where they say the same thing.

    Groups keep the order in which their first wording appears (opinion by opinion), so
    the draft reads like the opinions; a group endorsed by more experts comes first.
    """
    groups: list[Group] = []
    for opinion in opinions:
        if not opinion.submitted:
            continue
        for rec in opinion.recommendations or []:
            text = " ".join(str(rec.get("text") or "").split())
            if not text:
                continue
            best, score = None, 0.0
            for group in groups:
                fit = group.fit(text)
                if fit > score:
                    best, score = group, fit
            if best is not None and score >= threshold:
                best.wordings.append(Wording(opinion.person_id, text))
            else:
                groups.append(Group([Wording(opinion.person_id, text)]))
    order = {id(g): n for n, g in enumerate(groups)}
    return sorted(groups, key=lambda g: (-len(g.endorsed_by), order[id(g)]))
