"""SMTP with STARTTLS, implicit TLS and sign-in, against a real aiosmtpd server."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select
from test_consultation_mail import _Collect, _free_port

from expertnet.consultation.models import OutboxMail
from expertnet.consultation.notify import SmtpTarget


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1; the app trusts it via EXPERTNET_SMTP_CAFILE."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_context(certificate) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*certificate)
    return ctx


def _authenticator(logins: list):
    def check(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"mailer" and auth_data.password == b"p@ss word"
        return AuthResult(success=ok)

    return check


def _submit(world):
    rid = world.file()["id"]
    world.act(world.agency, rid, "submit")


def test_starttls_with_sign_in(world, app, session, monkeypatch, certificate):
    handler, logins = _Collect(), []
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=_authenticator(logins),
        auth_require_tls=True,
    )
    controller.start()
    try:
        monkeypatch.setitem(
            app.config,
            "EXPERTNET_SMTP_URL",
            f"smtp+starttls://mailer:p%40ss%20word@127.0.0.1:{controller.port}",
        )
        monkeypatch.setitem(app.config, "EXPERTNET_SMTP_CAFILE", str(certificate[0]))
        _submit(world)
    finally:
        controller.stop()
    assert len(handler.messages) == 2
    assert logins and logins[0] == (b"mailer", b"p@ss word")
    session.expire_all()
    assert all(m.sent_at is not None for m in session.scalars(select(OutboxMail)))


def test_an_untrusted_certificate_is_refused(world, app, session, monkeypatch, certificate):
    handler = _Collect()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=_server_context(certificate),
        require_starttls=True,
    )
    controller.start()
    try:
        monkeypatch.setitem(
            app.config, "EXPERTNET_SMTP_URL", f"smtp+starttls://127.0.0.1:{controller.port}"
        )
        _submit(world)  # no EXPERTNET_SMTP_CAFILE: the self-signed certificate is not trusted
    finally:
        controller.stop()
    assert handler.messages == []
    session.expire_all()
    assert any("CERTIFICATE" in (m.last_error or "") for m in session.scalars(select(OutboxMail)))


def test_implicit_tls(world, app, session, monkeypatch, certificate):
    handler = _Collect()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        ssl_context=_server_context(certificate),
    )
    controller.start()
    try:
        monkeypatch.setitem(
            app.config, "EXPERTNET_SMTP_URL", f"smtps://127.0.0.1:{controller.port}"
        )
        monkeypatch.setitem(app.config, "EXPERTNET_SMTP_CAFILE", str(certificate[0]))
        _submit(world)
    finally:
        controller.stop()
    assert len(handler.messages) == 2


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.internal", ("mail.internal", 25, "plain", None, None)),
        ("smtp+starttls://u:p%2Fq@mx:2587", ("mx", 2587, "starttls", "u", "p/q")),
        ("smtps://u@mx", ("mx", 465, "ssl", "u", None)),
    ],
)
def test_smtp_urls(url, expected):
    t = SmtpTarget.parse(url)
    assert (t.host, t.port, t.security, t.username, t.password) == expected


@pytest.mark.parametrize("url", ["http://mx", "smtp://", "smtp+ssl://mx"])
def test_bad_smtp_urls_are_refused(url):
    with pytest.raises(ValueError, match="EXPERTNET_SMTP_URL"):
        SmtpTarget.parse(url)
