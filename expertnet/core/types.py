"""Column types and enum base shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.types import TypeDecorator

from .text import nfc


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class NFCString(TypeDecorator):
    """A VARCHAR that always stores NFC text, so NFD input compares and indexes alike."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return nfc(value)


class NFCText(TypeDecorator):
    """TEXT that always stores NFC."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return nfc(value)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored in UTC; SQLite returns them aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TitledEnum(enum.StrEnum):
    """A string enum whose members carry an English title marked for translation."""

    def __new__(cls, value: str, title: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.title_en = title or value
        return obj

    @property
    def label(self) -> str:
        """The title in the current request's language."""
        from .i18n import tr

        return tr(self.title_en)

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]
