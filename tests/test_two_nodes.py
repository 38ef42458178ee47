"""Two app nodes on two hosts of their own, one worker on each, sharing the engines.

Node A and node B are two ``expertnet serve`` processes (gunicorn, real HTTP) with
instance and index folders of their own, each in a network namespace of its own
(``ip netns``, as root) joined to this host by a veth pair: every byte between a node and
PostgreSQL, Redis, the S3 server (moto) or the SMTP server (aiosmtpd, in this process)
crosses a real network link. Without namespaces the nodes listen on two loopback ports.
A worker (``expertnet worker``) runs beside each node. This process plays the browsers
(requests, cookies and CSRF tokens handled as a browser does) and the load balancer
that sends each request to either node.

Runs on PostgreSQL (``EXPERTNET_TEST_DATABASE_URL``) with Redis on 127.0.0.1:6379;
skipped with the reason otherwise.
"""

from __future__ import annotations

import contextlib
import email
import html.parser
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from email import policy
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from helpers import drop_database, worker_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SUPPORT = Path(__file__).parent / "support"
REDIS_PORT = 6379
PASSWORD = "correct horse battery"
S3_KEY, S3_SECRET = "expertnet-test", "expertnet-test-secret"
ACCOUNT_LIMIT = 4  # sign-in attempts per account, counted across the nodes


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _wait_for(predicate, what: str, timeout: float = 120, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


# --- the network -------------------------------------------------------------------------


class Forwarder:
    """A TCP relay from ``host:port`` (a gateway address) to a service on 127.0.0.1.

    PostgreSQL and Redis listen on the loopback only; a node in its own namespace reaches
    them through this relay on its veth gateway, as a remote host would.
    """

    def __init__(self, host: str, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.create_server((host, 0))
        self.host, self.port = host, self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True, name=f"relay-{self.port}").start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.closed = True
        self.server.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.close()


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


class Host:
    """Where a node runs: a network namespace of its own, or (fallback) this host."""

    def __init__(self, name: str, index: int, netns: bool) -> None:
        self.name = name
        self.netns = None
        self.address = "127.0.0.1"  # where this process reaches the node
        self.gateway = "127.0.0.1"  # where the node reaches the shared services
        self.relays: list[Forwarder] = []
        if netns:
            tag = f"{os.getpid() % 100000}{name}"
            self.netns = f"expertnet-{tag}"
            third = (os.getpid() % 60) * 4 + index  # 10.213.x.0/30, one per host and run
            self.gateway, self.address = f"10.213.{third}.1", f"10.213.{third}.2"
            outside, inside = f"en{tag}o", f"en{tag}i"
            _ip("netns", "add", self.netns)
            try:
                _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
                _ip("link", "set", inside, "netns", self.netns)
                _ip("addr", "add", f"{self.gateway}/30", "dev", outside)
                _ip("link", "set", outside, "up")
                _ip("-n", self.netns, "addr", "add", f"{self.address}/30", "dev", inside)
                _ip("-n", self.netns, "link", "set", inside, "up")
                _ip("-n", self.netns, "link", "set", "lo", "up")
            except BaseException:
                self.close()
                raise

    def reach(self, port: int) -> int:
        """The port on ``gateway`` where this host reaches the service at 127.0.0.1:port."""
        if self.netns is None:
            return port
        relay = Forwarder(self.gateway, port)
        self.relays.append(relay)
        return relay.port

    def command(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *argv] if self.netns else argv

    def close(self) -> None:
        for relay in self.relays:
            relay.close()
        if self.netns:
            # Deleting the namespace deletes the veth pair with it.
            subprocess.run(["ip", "netns", "del", self.netns], capture_output=True, timeout=30)


def _netns_available() -> tuple[bool, str]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False, "not root or no ip(8)"
    probe = f"expertnet-probe{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except (subprocess.CalledProcessError, OSError) as exc:
        return False, f"ip netns add failed: {exc}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True, timeout=30)
    return True, ""


# --- a browser ----------------------------------------------------------------------------


class _Forms(html.parser.HTMLParser):
    """The forms of a page with the values a browser would submit as they stand."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": []})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append([name, a.get("value") or ("on" if kind == "checkbox" else "")])
        elif tag == "select" and name:
            self._select, self._multiple = name, "multiple" in a
            self._first_option, self._chosen = None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._chosen = True
                fields.append([self._select, value])
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append([name, ""])

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][-1][1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            # A browser sends a single select's first option when none is selected.
            if not (self._multiple or self._chosen or self._first_option is None):
                self.forms[-1]["fields"].append([self._select, self._first_option])
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class Browser:
    """One person's browser: cookies kept across hosts, as behind one load balancer."""

    def __init__(self) -> None:
        import requests

        self.http = requests.Session()
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, follow: bool = True, **kw):
        for _hop in range(10):
            kw.setdefault("timeout", 60)
            resp = self.http.request(
                method, url, cookies=dict(self.cookies), allow_redirects=False, **kw
            )
            self.http.cookies.clear()  # the jar above is the only one
            for header in resp.raw.headers.getlist("Set-Cookie"):
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if (
                        morsel.value
                        and morsel["max-age"] != "0"
                        and "1970" not in morsel["expires"]
                    ):
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            if not (follow and resp.is_redirect):
                return resp
            url, method, kw = urljoin(url, resp.headers["Location"]), "GET", {}
        raise AssertionError(f"too many redirects from {url}")

    def get(self, url: str, **kw):
        return self.request("GET", url, **kw)

    def form(self, page_url: str, action: str, **kw) -> tuple[str, list[list[str]]]:
        """GET ``page_url``; the form whose action ends with ``action``: (URL, fields)."""
        page = self.get(page_url, **kw)
        assert page.status_code == 200, (page_url, page.status_code)
        parser = _Forms()
        parser.feed(page.text)
        for found in parser.forms:
            target = urljoin(page_url, found["action"] or page_url)
            if target.split("?")[0].endswith(action):
                return target, found["fields"]
        raise AssertionError(f"no form for {action} on {page_url}")

    def submit(self, url: str, fields, changes: dict | None = None, files=None, **kw):
        data = [(k, v) for k, v in fields if k not in (changes or {})]
        for key, value in (changes or {}).items():
            for v in value if isinstance(value, list) else [value]:
                data.append((key, v))
        return self.request("POST", url, data=data, files=files, **kw)

    def sign_in(self, node: str, email_address: str, password: str = PASSWORD):
        url, fields = self.form(f"{node}/login", "/login")
        return self.submit(
            url, fields, {"email": email_address, "password": password}, follow=False
        )


# --- the cluster --------------------------------------------------------------------------


class _Inbox:
    """The SMTP server's handler (aiosmtpd): every message it accepted, in order."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class Cluster:
    def __init__(self, tmp: Path, db_url: str, netns: bool) -> None:
        self.tmp = tmp
        self.db_url = db_url
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.hosts: dict[str, Host] = {}
        self.netns = netns
        self.secret = uuid.uuid4().hex
        self.queue = f"two-nodes-{uuid.uuid4().hex[:8]}"
        self.jobs = tmp / "jobs"
        self.jobs.mkdir()

    # services in this process
    def start_services(self) -> None:
        from aiosmtpd.controller import Controller
        from moto.server import ThreadedMotoServer

        self.s3_port = _free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.s3_port, verbose=False)
        self.moto.start()
        import boto3

        self.bucket = f"expertnet-{uuid.uuid4().hex[:10]}"
        self.s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        )
        self.s3.create_bucket(Bucket=self.bucket)
        self.inbox = _Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=_free_port())
        self.smtp.start()

    def env_for(self, host: Host, instance: str) -> dict[str, str]:
        from sqlalchemy.engine import make_url

        db = make_url(self.db_url)
        db = db.set(host=host.gateway, port=host.reach(db.port or 5432))
        redis = f"redis://{host.gateway}:{host.reach(REDIS_PORT)}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXPERTNET_")}
        env.update(
            {
                "EXPERTNET_INSTANCE": str(self.tmp / instance),
                "EXPERTNET_DATABASE_URL": db.render_as_string(hide_password=False),
                "EXPERTNET_SECRET_KEY": self.secret,
                "EXPERTNET_BASE_URL": "http://expertnet.test",
                "EXPERTNET_STORAGE_URL": f"s3://{self.bucket}/files",
                "EXPERTNET_S3_ENDPOINT_URL": f"http://{host.gateway}:{host.reach(self.s3_port)}",
                "AWS_ACCESS_KEY_ID": S3_KEY,
                "AWS_SECRET_ACCESS_KEY": S3_SECRET,
                "AWS_DEFAULT_REGION": "us-east-1",
                "EXPERTNET_BROKER_URL": f"{redis}/0",
                "EXPERTNET_JOB_QUEUE": self.queue,
                "EXPERTNET_WORKER_HEARTBEAT": "1",
                "EXPERTNET_RATELIMIT_STORAGE": f"{redis}/0",
                "EXPERTNET_LOGIN_LIMIT": "1000 per minute",
                "EXPERTNET_LOGIN_ACCOUNT_LIMIT": f"{ACCOUNT_LIMIT} per 15 minutes",
                "EXPERTNET_SMTP_URL": f"smtp://{host.gateway}:{host.reach(self.smtp.port)}",
                "EXPERTNET_GRAPH_BACKGROUND": "1",
                "PYTHONPATH": os.pathsep.join([str(SUPPORT), env.get("PYTHONPATH", "")]),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def spawn(self, name: str, host: Host, argv: list[str], env: dict) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        self.logs[name] = log
        with log.open("wb") as out:
            proc = subprocess.Popen(
                host.command([sys.executable, *argv]),
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, ended as one below
            )
        self.procs[name] = proc
        return proc

    def start_nodes(self) -> None:
        self.port = 8000 if self.netns else None
        self.urls = {}
        for index, name in enumerate(("a", "b")):
            host = self.hosts[name] = Host(name, index, self.netns)
            port = self.port or _free_port()
            env = self.env_for(host, f"node-{name}")
            serve = ["-m", "expertnet.cli", "serve", "--host", host.address]
            self.spawn(f"node-{name}", host, [*serve, "--port", str(port), "--workers", "1"], env)
            self.spawn(f"worker-{name}", host, ["-m", "expertnet.cli", "worker"], env)
            self.urls[name] = f"http://{host.address}:{port}"
            # Five reminder runs on each host, started now (Python takes seconds to start
            # on a busy machine); they connect, then wait for the test's start signal.
            runs = [str(SUPPORT / "remind_at_once.py"), "5", str(self.jobs), name]
            self.spawn(f"remind-{name}", host, runs, self.env_for(host, f"remind-{name}"))

    def wait_healthy(self) -> None:
        import requests

        def healthy(name: str) -> bool:
            proc = self.procs[f"node-{name}"]
            assert proc.poll() is None, f"node {name} exited:\n{self.log_tail(f'node-{name}')}"
            try:
                body = requests.get(f"{self.urls[name]}/healthz", timeout=5).json()
            except (requests.RequestException, ValueError):
                return False
            return body["status"] == "ok" and body["index"].get("ok") is True

        for name in ("a", "b"):
            _wait_for(lambda n=name: healthy(n), f"node {name} to be healthy", 180, 0.3)

    def log_tail(self, name: str, lines: int = 40) -> str:
        try:
            return "\n".join(self.logs[name].read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)

    def close(self) -> None:
        # Every process at once: SIGTERM, a few seconds' grace, then SIGKILL.
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)
        for host in self.hosts.values():
            host.close()
        for closer in ("smtp", "moto"):
            with contextlib.suppress(Exception):
                getattr(self, closer).stop()


# --- the data ----------------------------------------------------------------------------


def _app_for(db_url: str, tmp: Path, **config):
    from expertnet import create_app

    return create_app(
        {
            "INSTANCE_PATH": str(tmp / "seed-instance"),
            "SECRET_KEY": "seed-secret-key-seed-secret-key",
            "SQLALCHEMY_DATABASE_URI": db_url,
            "EXPERTNET_INDEX_DIR": str(tmp / "seed-instance" / "index"),
            "EXPERTNET_INDEX_SYNC": False,
            "EXPERTNET_INDEX_AUTOREBUILD": False,
            "EXPERTNET_GRAPH_BACKGROUND": False,
            "EXPERTNET_JOBS_EAGER": True,
            "EXPERTNET_SMTP_URL": None,
            "EXPERTNET_PASSWORD_METHOD": "pbkdf2:sha256:1000",
            "EXPERTNET_BASE_URL": "http://expertnet.test",
            **config,
        }
    )


def _seed(app) -> dict:
    """What the nodes start from: the taxonomy, accounts, an expert and a draft request."""
    from flask_migrate import upgrade

    from expertnet.auth.operations import create_user
    from expertnet.consultation.operations import create_request
    from expertnet.directory.models import Organization, Person
    from expertnet.directory.taxonomy import ensure_fields
    from expertnet.extensions import db

    with app.test_request_context():
        upgrade()  # the cluster-wide part of ``expertnet init``
        ensure_fields(db.session)
        assoc = Organization(code="HTN", name="Hội Thủy văn thử nghiệm", kind="member_association")
        agency = Organization(code="STN", name="Sở thử nghiệm hai nút", kind="agency")
        db.session.add_all([assoc, agency])
        db.session.flush()
        person = Person(
            full_name="Trịnh Thị Hai Nút",
            expertise=["thủy văn"],
            public_profile=True,
            available=True,
        )
        db.session.add(person)
        db.session.flush()
        users = {
            role: create_user(
                email=f"{role}@two-nodes.example.org",
                name=f"{role.title()} hai nút",
                role=role,
                password=PASSWORD,
                organization_id=agency.id if role == "agency" else None,
            )
            for role in ("admin", "agency")
        }
        limited = create_user(
            email=f"limited-{uuid.uuid4().hex[:8]}@two-nodes.example.org",
            name="Bị giới hạn",
            role="coordinator",
            password=PASSWORD,
        )
        draft = create_request(
            users["agency"], {"kind": "critique", "title": "Đề án thủy lợi hai nút"}
        )
        db.session.commit()
        ids = {
            "assoc": assoc.id,
            "agency": agency.id,
            "person": person.id,
            "request": draft.id,
            "limited": limited.email,
        }
        db.session.remove()
    return ids


def _queue_mail(app) -> None:
    """A request due tomorrow (reminders to queue) and 40 mails waiting in the outbox."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from expertnet.auth.operations import create_user
    from expertnet.consultation.models import OutboxMail
    from expertnet.consultation.operations import create_request, perform_action
    from expertnet.directory.models import Organization
    from expertnet.extensions import db

    with app.test_request_context():
        org = db.session.scalar(select(Organization).where(Organization.code == "STN"))
        users = [
            create_user(
                email=f"mail-{role}-{n}@two-nodes.example.org",
                name=f"Thư {role} {n}",
                role=role,
                password=PASSWORD,
                organization_id=org.id if role == "agency" else None,
            )
            for n, role in enumerate(["agency"] + ["coordinator"] * 3 + ["approver"] * 5)
        ]
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
        req = create_request(
            users[0], {"kind": "critique", "title": "Đề án nhắc hạn", "due_date": tomorrow}
        )
        perform_action(req, "submit", users[0])
        for n in range(40):
            user = users[n % len(users)]
            db.session.add(
                OutboxMail(
                    user_id=user.id,
                    to_address=user.email,
                    subject=f"Thư số {n}",
                    body="Nội dung\n",
                    dedupe_key=f"two-nodes:{n}",
                    attempts=0,
                )
            )
        db.session.commit()
        db.session.remove()


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdghklmnpqrstvx") + rng.choice("aeiouy") for _ in range(5))


# --- the test -----------------------------------------------------------------------------


@pytest.fixture
def cluster(tmp_path):
    base = os.environ.get("EXPERTNET_TEST_DATABASE_URL") or ""
    if not base.startswith("postgresql"):
        pytest.skip(
            "two nodes share a server database: set EXPERTNET_TEST_DATABASE_URL to PostgreSQL"
        )
    if not _reachable("127.0.0.1", REDIS_PORT):
        pytest.skip(f"Redis (broker and sign-in counts) is not running on 127.0.0.1:{REDIS_PORT}")
    pytest.importorskip("moto.server", reason="moto[server] (the S3 server) is not installed")
    pytest.importorskip("aiosmtpd", reason="aiosmtpd (the SMTP server) is not installed")
    netns, why = _netns_available()
    if not netns:
        print(f"\nnotice: network namespaces unavailable ({why}); nodes on two loopback ports")

    from sqlalchemy import create_engine, text

    db_url = worker_database_url(base, "nodes")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()

    found = Cluster(tmp_path, db_url, netns)
    try:
        began = time.monotonic()
        found.start_services()
        found.seed_app = _app_for(db_url, tmp_path)
        found.ids = _seed(found.seed_app)
        seeded = time.monotonic()
        found.start_nodes()
        found.wait_healthy()
        print(
            f"\nsetup: services and data {seeded - began:.1f} s, "
            f"two nodes healthy {time.monotonic() - seeded:.1f} s "
            f"({'network namespaces' if netns else 'loopback ports'})"
        )
        yield found
    finally:
        found.close()
        with contextlib.suppress(Exception):
            from expertnet.extensions import db

            with found.seed_app.app_context():
                db.engine.dispose()
        drop_database(base, db_url)


def test_two_nodes_behave_as_one_site(cluster):
    a, b = cluster.urls["a"], cluster.urls["b"]
    ids = cluster.ids
    rng = random.Random()
    started = time.monotonic()
    phases: dict[str, float] = {}

    # A session started on A is valid on B (and B's forms are accepted by A).
    admin = Browser()
    signed = admin.sign_in(a, "admin@two-nodes.example.org")
    assert signed.status_code in (302, 303), signed.text[:500]
    account = admin.get(f"{b}/account")
    assert account.status_code == 200 and "admin@two-nodes.example.org" in account.text
    assert admin.get(f"{b}/account", follow=False).status_code == 200

    phases["session"] = time.monotonic()

    # A profile saved through A is found by search on B within 2 s.
    word = _word(rng)
    search_b = f"{b}/experts?q={word}"
    assert "Trịnh Thị Hai Nút" not in admin.get(search_b).text
    url, fields = admin.form(f"{b}/experts/{ids['person']}/edit", f"/experts/{ids['person']}/edit")
    saved = admin.submit(
        url.replace(b, a), fields, {"expertise": f"thủy văn; {word}"}, follow=False
    )
    assert saved.status_code in (302, 303), saved.text[:2000]
    saved_at = time.monotonic()
    _wait_for(
        lambda: "Trịnh Thị Hai Nút" in admin.get(search_b).text,
        "the profile in node B's search",
        timeout=2.0,
        step=0.05,
    )
    lag = time.monotonic() - saved_at
    assert lag < 2.0
    health_b = admin.get(f"{b}/healthz").json()
    assert health_b["status"] == "ok", health_b  # B answered from its own, current index

    phases["search"] = time.monotonic()

    # A document uploaded through A downloads through B; it lives in the bucket.
    agency = Browser()
    assert agency.sign_in(a, "agency@two-nodes.example.org").status_code in (302, 303)
    content = _pdf(f"Tai lieu hai nut {word}")
    url, fields = agency.form(f"{a}/requests/{ids['request']}", "/documents")
    uploaded = agency.submit(
        url, fields, files={"file": ("bao-cao.pdf", content, "application/pdf")}
    )
    assert uploaded.status_code == 200, uploaded.text[:2000]
    links = re.findall(
        r'href="(/documents/\d+)"', agency.get(f"{b}/requests/{ids['request']}").text
    )
    assert links, "node B does not list the document"
    download = agency.get(f"{b}{links[0]}")
    assert download.status_code == 200 and download.content == content
    keys = [o["Key"] for o in cluster.s3.list_objects_v2(Bucket=cluster.bucket)["Contents"]]
    assert any(k.startswith("files/") for k in keys)
    for node in ("node-a", "node-b"):
        on_disk = [p for p in (cluster.tmp / node).rglob("*") if p.is_file()]
        assert not [p for p in on_disk if p.read_bytes() == content], f"{node} kept the file"

    phases["document"] = time.monotonic()

    # A roster previewed on A is confirmed on B.
    family = rng.choice(["Khổng", "Lạc", "Ông"])
    names = [f"{family} Văn {_word(rng).title()}" for _ in range(3)]
    roster = "full_name,email,birth_year\r\n" + "".join(
        f"{n},{_word(rng)}@two-nodes.example.org,{1970 + i}\r\n" for i, n in enumerate(names)
    )
    imports = f"/organizations/{ids['assoc']}/roster/import"
    url, fields = admin.form(f"{a}{imports}", imports)
    previewed = admin.submit(
        url, fields, files={"file": ("hoi-vien.csv", roster.encode(), "text/csv")}, follow=False
    )
    assert previewed.status_code in (302, 303), previewed.text[:2000]
    preview_path = urlsplit(previewed.headers["Location"]).path
    url, fields = admin.form(f"{b}{preview_path}", preview_path)
    confirmed = admin.submit(url, fields)
    assert confirmed.status_code == 200, confirmed.text[:2000]
    assert sorted(_names_in_db(cluster, names)) == sorted(names)

    phases["roster"] = time.monotonic()

    # The sign-in limit counts attempts across both nodes.
    intruder = Browser()
    for attempt in range(ACCOUNT_LIMIT):
        node = (a, b)[attempt % 2]
        wrong = intruder.sign_in(node, ids["limited"], "not the password")
        assert wrong.status_code == 422, (attempt, wrong.status_code)
    for node in (b, a):
        refused = intruder.sign_in(node, ids["limited"])  # even the right password
        assert refused.status_code == 429, refused.status_code
        assert refused.headers.get("Retry-After")

    # Ten reminder runs at once (five on each host) send each mail exactly once.
    phases["sign-in limit"] = time.monotonic()
    runners = [cluster.procs[f"remind-{name}"] for name in cluster.hosts]
    _wait_for(
        lambda: (
            len(list(cluster.jobs.glob("ready-*"))) == 10
            or any(p.poll() not in (None, 0) for p in runners)
        ),
        "ten reminder runs to be ready",
    )
    assert all(p.poll() in (None, 0) for p in runners), [
        cluster.log_tail(f"remind-{n}") for n in cluster.hosts
    ]
    phases["ten runs ready"] = time.monotonic()
    _queue_mail(cluster.seed_app)
    (cluster.jobs / "go").touch()
    for p in runners:
        assert p.wait(timeout=120) == 0, [cluster.log_tail(f"remind-{n}") for n in cluster.hosts]
    results = [
        json.loads(line)
        for n in cluster.hosts
        for line in cluster.logs[f"remind-{n}"].read_text().splitlines()
        if line.startswith("{")
    ]
    assert len(results) == 10 and not [r for r in results if "error" in r], results
    rows = _outbox(cluster)
    queued = [r for r in rows if r.email.startswith("mail-")]
    reminders = [r for r in rows if r.dedupe_key.startswith("reminder_request_due")]
    assert reminders and len(queued) == 43 + len([r for r in reminders if r in queued])
    assert sum(r["reminder"] for r in results) == len(reminders)  # queued by one run only
    assert all(r.sent_at is not None for r in rows), [r for r in rows if r.sent_at is None]
    wanted = sorted(f"<outbox-{r.id}@expertnet>" for r in rows)
    assert sorted(cluster.inbox.ids()) == wanted  # every mail of the outbox, each once
    phases["reminders"] = time.monotonic()

    # Killing a worker mid-job loses nothing: the other worker runs the job again.
    from expertnet.jobs import enqueue

    broker_app = _app_for(
        cluster.db_url,
        cluster.tmp,
        EXPERTNET_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        EXPERTNET_JOB_QUEUE=cluster.queue,
    )
    out = cluster.tmp / "killed"
    out.mkdir()
    sys.path.insert(0, str(SUPPORT))
    try:
        import jobtest
    finally:
        sys.path.remove(str(SUPPORT))
    with broker_app.app_context():
        enqueue(jobtest.block_until_released, str(out))
    started_by = _wait_for(lambda: list(out.glob("started-*")), "the job to start")
    pid = int(started_by[0].name.split("-")[1])
    victim = next(n for n, p in cluster.procs.items() if n.startswith("worker-") and p.pid == pid)
    cluster.stop(victim, signal.SIGKILL)
    (out / "release").touch()
    survivor = next(cluster.procs[n].pid for n in ("worker-a", "worker-b") if n != victim)
    _wait_for(lambda: (out / f"done-{survivor}").exists(), "the job to run again", timeout=60)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["release", f"started-{pid}", f"started-{survivor}", f"done-{survivor}"]
    )
    with broker_app.app_context():
        broker_app.extensions["expertnet_broker"].close()
        from expertnet.extensions import db

        db.engine.dispose()
    phases["killed worker"] = time.monotonic()
    marks = [started, *phases.values()]
    spent = ", ".join(
        f"{k} {t - s:.1f} s" for (k, t), s in zip(phases.items(), marks, strict=False)
    )
    print(f"\nsearch on B after {lag:.2f} s; {spent}")


def _outbox(cluster):
    from sqlalchemy import select

    from expertnet.auth.models import User
    from expertnet.consultation.models import OutboxMail
    from expertnet.extensions import db

    with cluster.seed_app.app_context():
        rows = db.session.execute(
            select(OutboxMail.id, OutboxMail.sent_at, OutboxMail.dedupe_key, User.email).join(
                User, User.id == OutboxMail.user_id
            )
        ).all()
        db.session.remove()
    return rows


def _names_in_db(cluster, names: list[str]) -> list[str]:
    from sqlalchemy import select

    from expertnet.directory.models import Membership, Person
    from expertnet.extensions import db

    with cluster.seed_app.app_context():
        found = db.session.scalars(
            select(Person.full_name)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.organization_id == cluster.ids["assoc"])
            .where(Person.full_name.in_(names))
        ).all()
        db.session.remove()
    return list(found)
