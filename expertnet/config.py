"""Configuration read from the environment, with safe defaults under the instance folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def instance_path_from_env() -> Path:
    """The instance folder (database, index, uploads, secret key), created on first use."""
    path = Path(os.environ.get("EXPERTNET_INSTANCE", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    env = os.environ.get("EXPERTNET_SECRET_KEY")
    if env:
        return env
    key_file = instance / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must not end up with two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def load_config(instance: Path) -> dict:
    """Build the Flask config mapping from ``EXPERTNET_*`` variables."""
    db_url = os.environ.get("EXPERTNET_DATABASE_URL") or f"sqlite:///{instance / 'expertnet.db'}"
    if db_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
        db_url = "postgresql+psycopg://" + db_url.removeprefix("postgresql://")
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "EXPERTNET_INDEX_DIR": os.environ.get("EXPERTNET_INDEX_DIR") or str(instance / "index"),
        "EXPERTNET_UPLOAD_DIR": str(instance / "uploads"),
        "EXPERTNET_SMTP_URL": os.environ.get("EXPERTNET_SMTP_URL") or None,
        "EXPERTNET_MAIL_FROM": os.environ.get("EXPERTNET_MAIL_FROM", "expertnet@localhost"),
        "EXPERTNET_BASE_URL": os.environ.get("EXPERTNET_BASE_URL", "http://localhost:5000"),
        "MAX_CONTENT_LENGTH": 26 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("EXPERTNET_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("EXPERTNET_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "RATELIMIT_STORAGE_URI": os.environ.get("EXPERTNET_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "EXPERTNET_LOGIN_LIMIT": os.environ.get("EXPERTNET_LOGIN_LIMIT", "10 per minute"),
        "WTF_CSRF_TIME_LIMIT": None,
        "EXPERTNET_PROXY_FIX": os.environ.get("EXPERTNET_PROXY_FIX", "0") == "1",
        # Lunar and yearly public holidays (Tết …), for deadlines in working days.
        "EXPERTNET_HOLIDAYS": _holidays(os.environ.get("EXPERTNET_HOLIDAYS", "")),
        "EXPERTNET_LETTER_REPORT_TO": _list(
            os.environ.get("EXPERTNET_LETTER_REPORT_TO", DEFAULT_REPORT_TO)
        ),
    }


#: Bodies every letter of the union is also sent to "để báo cáo" (for their information).
DEFAULT_REPORT_TO = (
    "Ủy ban nhân dân thành phố Hải Phòng; Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam"
)


def _holidays(value: str) -> str:
    """The holiday list as given, refused at start-up if an entry is not a date."""
    from .core.workdays import parse_holidays

    parse_holidays(value)  # raises ValueError naming the bad entry
    return value


def _list(value: str) -> list[str]:
    """A ``;``-separated setting as a list, blanks dropped."""
    return [part.strip() for part in value.split(";") if part.strip()]
