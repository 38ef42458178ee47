"""Password strength: common and guessable passwords are refused wherever one is set.

The estimate is zxcvbn's (Dropbox's estimator, maintained on PyPI): it knows the common
password lists, English words, names, keyboard patterns, repeats, sequences and dates.
It knows no Vietnamese, so the Vietnamese words people build passwords from are given to
it as extra dictionary words, together with the account's own e-mail and name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import has_request_context
from flask_babel import gettext
from wtforms.validators import ValidationError

MIN_LENGTH = 10
#: zxcvbn's 0–4 scale; 3 is "safely unguessable" (about 10^8 guesses or more).
MIN_SCORE = 3
#: zxcvbn's cost grows with length; what lies beyond this is not needed to judge.
_JUDGED = 64

#: Words Vietnamese passwords are commonly made of (without diacritics, as typed).
VIETNAMESE_WORDS = (
    "matkhau", "matma", "anhyeuem", "emyeuanh", "yeuem", "yeuanh", "toiyeuem", "vietnam",
    "hanoi", "haiphong", "haiduong", "saigon", "hochiminh", "danang", "xinchao", "chaoban",
    "nguyen", "tran", "pham", "hoang", "huynh", "phan", "dang", "bui", "do", "ho", "ngo",
    "duong", "vuong", "thanh", "minh", "huong", "linh", "trang", "thuy", "hung", "tuan",
    "dung", "quang", "hieu", "lienhiephoi", "liênhiệphội", "hoi", "khoahoc", "kythuat",
    "chuyengia", "tuvan", "phanbien", "expertnet", "quantri", "admin", "thuky", "matkhaumoi",
)  # fmt: skip


def _(message: str, **params: object) -> str:
    """The message in the user's language inside a request, else in English (the CLI)."""
    if has_request_context():
        return gettext(message, **params)
    return message % params if params else message


def _inputs(values: Iterable[str | None]) -> list[str]:
    words: list[str] = list(VIETNAMESE_WORDS)
    for value in values:
        if value:
            words.append(value.lower())
            words.append(value.lower().split("@", 1)[0])
            words.extend(w for w in re.split(r"[\W_]+", value.lower()) if len(w) >= 3)
    return words


def password_problem(password: str, related: Iterable[str | None] = ()) -> str | None:
    """Why ``password`` is refused (a message for the user), or None if it may be used.

    ``related``: the account's e-mail, name and the like, which must not carry it.
    """
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(n)s characters.", n=MIN_LENGTH)
    from zxcvbn import zxcvbn  # 12 MB of word lists: loaded when a password is set

    result = zxcvbn(password[:_JUDGED], user_inputs=_inputs(related))
    if result["score"] < MIN_SCORE:
        return _(
            "This password is too common or too easy to guess (a known password, a word, "
            "a name, a date, a keyboard pattern or repeated characters). Choose a longer one, "
            "for example several unrelated words."
        )
    return None


class StrongPassword:
    """WTForms validator: refuses a weak password; ``related`` names the form's own fields."""

    def __init__(self, *related_fields: str, current_user_too: bool = False) -> None:
        self.related_fields = related_fields
        self.current_user_too = current_user_too

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        related = [getattr(form, name).data for name in self.related_fields if hasattr(form, name)]
        if self.current_user_too:
            from flask_login import current_user

            if current_user.is_authenticated:
                related += [current_user.email, current_user.name]
        problem = password_problem(field.data, related)
        if problem:
            raise ValidationError(problem)
