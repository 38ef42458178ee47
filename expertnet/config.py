"""Configuration: a typed, frozen settings object read from ``EXPERTNET_*`` variables.

``Settings.from_env`` reads and checks every variable once, when the application is
built; a wrong value stops the start with one line naming the variable
(``ConfigError``), never a surprise at the first request or the first mail.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from limits import parse as parse_limit

from .core.localtime import LOCAL_TZ_NAME


class ConfigError(ValueError):
    """A configuration value is missing or wrong; the message names the variable."""


def instance_path_from_env() -> Path:
    """The instance folder (database, index, uploads, secret key), created on first use."""
    path = Path(os.environ.get("EXPERTNET_INSTANCE", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _instance_secret_key(instance: Path) -> str:
    """The per-instance key the embedded (SQLite) setup keeps in its own folder."""
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


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _flag(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


def _int(name: str, default: int, low: int, high: int) -> int:
    value = _env(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {number}")
    return number


def _float(name: str, default: float, low: float, high: float) -> float:
    value = _env(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {number:g}")
    return number


def _limit(name: str, default: str) -> str:
    value = _env(name, default) or default
    try:
        parse_limit(value)
    except ValueError:
        raise ConfigError(f"{name} must look like '10 per minute', not {value!r}") from None
    return value


def _name(name: str, default: str) -> str:
    value = _env(name, default) or default
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value):
        raise ConfigError(f"{name} may hold only letters, digits, '.', '_' and '-': {value!r}")
    return value


def _url(name: str, schemes: tuple[str, ...]) -> str | None:
    value = _env(name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ConfigError(f"{name} must start with one of {', '.join(schemes)}, not {value!r}")
    if parts.scheme not in ("file", "memory") and not (parts.hostname or parts.netloc):
        raise ConfigError(f"{name} has no host or bucket: {value!r}")
    return value


def _embedding_model(value: str | None) -> str | None:
    """A model folder (absolute path) or an installed model package's name; None: off.

    Whether it loads is checked at first use (the model is large and optional): a model
    that cannot be loaded is logged and the lexical affinity is used alone.
    """
    value = (value or "").strip()
    if not value:
        return None
    if not (value.startswith(("/", "~", ".")) or re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", value)):
        raise ConfigError(
            "EXPERTNET_EMBEDDING_MODEL must be a model folder or a model package name, "
            f"not {value!r}"
        )
    return value


def _embedding_languages(value: str | None) -> tuple[str, ...]:
    """The languages the embedding model reads ("en" by default: the packaged model is
    English); "en,vi" for a multilingual model."""
    langs = tuple(sorted({v.strip().lower() for v in (value or "en").split(",") if v.strip()}))
    if not langs or any(v not in ("en", "vi") for v in langs):
        raise ConfigError(
            f"EXPERTNET_EMBEDDING_LANGUAGES must list en and/or vi (comma-separated), not {value!r}"
        )
    return langs


SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps")
STORAGE_SCHEMES = ("file", "s3")


@dataclass(frozen=True)
class Settings:
    """Everything expertnet reads from the environment, typed and checked."""

    instance: Path
    database_url: str
    secret_key: str | None
    index_dir: str
    graph_dir: str
    upload_dir: str
    storage_url: str | None
    s3_endpoint_url: str | None
    smtp_url: str | None
    smtp_cafile: str | None
    mail_from: str
    base_url: str | None
    broker_url: str | None
    job_queue: str
    worker_heartbeat_seconds: int
    secure_cookies: bool
    trusted_proxies: int
    ratelimit_storage: str
    login_limit: str
    login_account_limit: str
    remind_days: int
    login_days: int
    graph_background: bool
    #: Seconds ``graph_change`` rows are kept after a snapshot holds them.
    graph_change_keep: int
    #: Seconds a web process waits for the graph build job it enqueued before building.
    graph_job_patience: int
    reset_limit: str
    scholarly_lookup: bool
    crossref_url: str
    orcid_url: str
    lookup_timeout: int
    coauthor_years: int
    import_job_rows: int
    #: Sentence-embedding model (a local folder or an installed model package); None: off.
    embedding_model: str | None
    embedding_weight: float
    embedding_languages: tuple[str, ...]
    index_sync: bool
    index_poll_seconds: float
    index_max_lag: int
    index_log_retention_days: float
    holidays: str
    letter_report_to: tuple[str, ...]

    @property
    def server_database(self) -> bool:
        return not self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, instance: Path) -> Settings:
        db_url = _env("EXPERTNET_DATABASE_URL") or f"sqlite:///{instance / 'expertnet.db'}"
        if db_url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
            db_url = "postgresql+psycopg://" + db_url.removeprefix("postgresql://")
        server_db = not db_url.startswith("sqlite")
        secret = _env("EXPERTNET_SECRET_KEY")
        if secret is None and not server_db:
            secret = _instance_secret_key(instance)
        if secret is not None and len(secret) < 16:
            raise ConfigError("EXPERTNET_SECRET_KEY is too short (at least 16 characters)")
        proxies = _int("EXPERTNET_TRUSTED_PROXIES", -1, 0, 10)
        if proxies < 0:
            # The older switch: one proxy in front.
            proxies = 1 if _flag("EXPERTNET_PROXY_FIX") else 0
        ratelimit = _env("EXPERTNET_RATELIMIT_STORAGE", "memory://") or "memory://"
        if urlsplit(ratelimit).scheme not in ("memory", "redis", "rediss"):
            raise ConfigError(
                f"EXPERTNET_RATELIMIT_STORAGE must be memory:// or redis://…, not {ratelimit!r}"
            )
        upload_dir = _env("EXPERTNET_UPLOAD_DIR") or str(instance / "uploads")
        return cls(
            instance=instance,
            database_url=db_url,
            secret_key=secret,
            index_dir=_env("EXPERTNET_INDEX_DIR") or str(instance / "index"),
            graph_dir=_env("EXPERTNET_GRAPH_DIR") or str(instance / "graph"),
            upload_dir=upload_dir,
            storage_url=_url("EXPERTNET_STORAGE_URL", STORAGE_SCHEMES),
            s3_endpoint_url=_url("EXPERTNET_S3_ENDPOINT_URL", ("http", "https")),
            smtp_url=_url("EXPERTNET_SMTP_URL", SMTP_SCHEMES),
            smtp_cafile=_env("EXPERTNET_SMTP_CAFILE"),
            mail_from=_env("EXPERTNET_MAIL_FROM", "expertnet@localhost") or "",
            # Unset: links use the request's own address (the embedded default only).
            base_url=(_env("EXPERTNET_BASE_URL") or "").strip() or None,
            broker_url=_url("EXPERTNET_BROKER_URL", BROKER_SCHEMES),
            job_queue=_name("EXPERTNET_JOB_QUEUE", "expertnet"),
            worker_heartbeat_seconds=_int("EXPERTNET_WORKER_HEARTBEAT", 60, 1, 3600),
            secure_cookies=_flag("EXPERTNET_SECURE_COOKIES"),
            trusted_proxies=proxies,
            ratelimit_storage=ratelimit,
            login_limit=_limit("EXPERTNET_LOGIN_LIMIT", "10 per minute"),
            login_account_limit=_limit("EXPERTNET_LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes"),
            remind_days=_int("EXPERTNET_REMIND_DAYS", 2, 0, 60),
            login_days=_int("EXPERTNET_LOGIN_DAYS", 30, 1, 3650),
            graph_background=_flag("EXPERTNET_GRAPH_BACKGROUND", True),
            graph_change_keep=_int("EXPERTNET_GRAPH_CHANGE_KEEP", 3600, 0, 365 * 86400),
            graph_job_patience=_int("EXPERTNET_GRAPH_JOB_PATIENCE", 300, 1, 86400),
            reset_limit=_limit("EXPERTNET_RESET_LIMIT", "5 per 15 minutes"),
            scholarly_lookup=_flag("EXPERTNET_SCHOLARLY_LOOKUP"),
            crossref_url=_url("EXPERTNET_CROSSREF_URL", ("http", "https"))
            or "https://api.crossref.org",
            orcid_url=_url("EXPERTNET_ORCID_URL", ("http", "https"))
            or "https://pub.orcid.org/v3.0",
            lookup_timeout=_int("EXPERTNET_LOOKUP_TIMEOUT", 10, 1, 120),
            coauthor_years=_int("EXPERTNET_COAUTHOR_YEARS", 3, 0, 50),
            import_job_rows=_int("EXPERTNET_IMPORT_JOB_ROWS", 2000, 1, 10_000_000),
            embedding_model=_embedding_model(_env("EXPERTNET_EMBEDDING_MODEL")),
            embedding_weight=_float("EXPERTNET_EMBEDDING_WEIGHT", 0.3, 0.0, 1.0),
            embedding_languages=_embedding_languages(_env("EXPERTNET_EMBEDDING_LANGUAGES")),
            index_sync=_flag("EXPERTNET_INDEX_SYNC", True),
            index_poll_seconds=_float("EXPERTNET_INDEX_POLL_SECONDS", 1.0, 0.05, 3600),
            index_max_lag=_int("EXPERTNET_INDEX_MAX_LAG", 5000, 1, 10_000_000),
            index_log_retention_days=_float("EXPERTNET_INDEX_LOG_RETENTION_DAYS", 7.0, 0.01, 3650),
            holidays=_holidays(_env("EXPERTNET_HOLIDAYS", "") or ""),
            letter_report_to=tuple(
                _list(_env("EXPERTNET_LETTER_REPORT_TO", DEFAULT_REPORT_TO) or "")
            ),
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask config mapping these settings stand for."""
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # A server's connections can drop (restart, idle timeout): test each one on checkout.
            # A SQLite file cannot: the ``SELECT 1`` would be a statement per request for nothing.
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": not self.database_url.startswith("sqlite")
            },
            "EXPERTNET_INDEX_DIR": self.index_dir,
            "EXPERTNET_GRAPH_DIR": self.graph_dir,
            "EXPERTNET_UPLOAD_DIR": self.upload_dir,
            "EXPERTNET_STORAGE_URL": self.storage_url,
            "EXPERTNET_S3_ENDPOINT_URL": self.s3_endpoint_url,
            "EXPERTNET_SMTP_URL": self.smtp_url,
            "EXPERTNET_SMTP_CAFILE": self.smtp_cafile,
            "EXPERTNET_MAIL_FROM": self.mail_from,
            "EXPERTNET_BASE_URL": self.base_url,
            "EXPERTNET_BROKER_URL": self.broker_url,
            "EXPERTNET_JOB_QUEUE": self.job_queue,
            "EXPERTNET_WORKER_HEARTBEAT": self.worker_heartbeat_seconds,
            "EXPERTNET_REMIND_DAYS": self.remind_days,
            "MAX_CONTENT_LENGTH": 26 * 1024 * 1024,
            "BABEL_DEFAULT_LOCALE": "vi",
            "BABEL_DEFAULT_TIMEZONE": LOCAL_TZ_NAME,
            "LANGUAGES": ("vi", "en"),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            # A sign-in lasts at most this long, remembered or not (see auth.models.User.get_id).
            "EXPERTNET_LOGIN_DAYS": self.login_days,
            "REMEMBER_COOKIE_DURATION": timedelta(days=self.login_days),
            # Serve the current expert graph while a changed one is built in the background.
            "EXPERTNET_GRAPH_BACKGROUND": self.graph_background,
            "EXPERTNET_GRAPH_CHANGE_KEEP": self.graph_change_keep,
            "EXPERTNET_GRAPH_JOB_PATIENCE": self.graph_job_patience,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage,
            "RATELIMIT_HEADERS_ENABLED": True,
            "EXPERTNET_LOGIN_LIMIT": self.login_limit,
            "EXPERTNET_LOGIN_ACCOUNT_LIMIT": self.login_account_limit,
            "EXPERTNET_RESET_LIMIT": self.reset_limit,
            # The scholarly record: live DOI/ORCID lookup (off unless set) and the conflict window.
            "EXPERTNET_SCHOLARLY_LOOKUP": self.scholarly_lookup,
            "EXPERTNET_CROSSREF_URL": self.crossref_url,
            "EXPERTNET_ORCID_URL": self.orcid_url,
            "EXPERTNET_LOOKUP_TIMEOUT": float(self.lookup_timeout),
            "EXPERTNET_COAUTHOR_YEARS": self.coauthor_years,
            "EXPERTNET_IMPORT_JOB_ROWS": self.import_job_rows,
            # The learned affinity source (off unless a model is named; loaded at first use).
            "EXPERTNET_EMBEDDING_MODEL": self.embedding_model,
            "EXPERTNET_EMBEDDING_WEIGHT": self.embedding_weight,
            "EXPERTNET_EMBEDDING_LANGUAGES": self.embedding_languages,
            # Every node follows the search change log (see expertnet/search/syncer.py).
            "EXPERTNET_INDEX_SYNC": self.index_sync,
            "EXPERTNET_INDEX_POLL_SECONDS": self.index_poll_seconds,
            "EXPERTNET_INDEX_MAX_LAG": self.index_max_lag,
            "EXPERTNET_INDEX_LOG_RETENTION_DAYS": self.index_log_retention_days,
            # Lunar and yearly public holidays (Tết …), for deadlines in working days.
            "EXPERTNET_HOLIDAYS": self.holidays,
            "EXPERTNET_LETTER_REPORT_TO": list(self.letter_report_to),
            "WTF_CSRF_TIME_LIMIT": None,
            "EXPERTNET_TRUSTED_PROXIES": self.trusted_proxies,
        }


def load_config(instance: Path) -> dict:
    """Build the Flask config mapping from ``EXPERTNET_*`` variables."""
    return Settings.from_env(instance).flask_config()


def validate(config: dict) -> None:
    """Refuse to start with a configuration that would break on a server database."""
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith("sqlite") and not config.get("SECRET_KEY"):
        raise ConfigError(
            "EXPERTNET_SECRET_KEY is required with a server database "
            "(every app node must sign sessions with the same key)"
        )
    base_url = config.get("EXPERTNET_BASE_URL")
    if base_url:
        if not str(base_url).startswith(("http://", "https://")):
            raise ConfigError(
                f"EXPERTNET_BASE_URL must start with http:// or https://, not {base_url!r}"
            )
    elif not uri.startswith("sqlite") and not config.get("TESTING"):
        raise ConfigError(
            "EXPERTNET_BASE_URL is not set: with a server database expertnet needs the public "
            "address people open it at (for the links in mail), e.g. "
            "EXPERTNET_BASE_URL=https://expertnet.example.vn"
        )


#: Bodies every letter of the union is also sent to "để báo cáo" (for their information).
DEFAULT_REPORT_TO = (
    "Ủy ban nhân dân thành phố Hải Phòng; Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam"
)


def _holidays(value: str) -> str:
    """The holiday list as given, refused at start-up if an entry is not a date."""
    from .core.workdays import parse_holidays

    try:
        parse_holidays(value)
    except ValueError as exc:
        raise ConfigError(f"EXPERTNET_HOLIDAYS: {exc}") from None
    return value


def _list(value: str) -> list[str]:
    """A ``;``-separated setting as a list, blanks dropped."""
    return [part.strip() for part in value.split(";") if part.strip()]
