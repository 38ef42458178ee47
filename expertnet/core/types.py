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


def titled_from(name: str, source: type[enum.StrEnum], module: str) -> type[TitledEnum]:
    """The workflow engine's enum ``source`` as an app enum: the same values (members named
    in lower case, as the app's other enums) with the engine's English labels as titles.

    The engine stays the one definition; the app only adds ``label`` in the request's
    language, ``title_en`` and ``values()``.
    """
    members = [(m.name.lower(), (m.value, m.label)) for m in source]
    return TitledEnum(name, members, module=module)  # type: ignore[return-value]


def check_in(column: str, enum_cls: type[TitledEnum], nullable: bool = False) -> str:
    """A CHECK constraint's SQL: ``column`` holds one of ``enum_cls``'s values."""
    values = ", ".join(f"'{v}'" for v in enum_cls.values())
    check = f"{column} IN ({values})"
    return f"{column} IS NULL OR {check}" if nullable else check
