"""The ``expertnet`` command line (also ``flask --app expertnet``)."""

from __future__ import annotations

import contextlib
import functools
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .core.cli import CommandError


def _one_line_errors(invoke):
    """Wrap a group's ``invoke``: an unexpected failure is one ``error:`` line, no traceback."""

    @functools.wraps(invoke)
    def run(ctx):
        try:
            return invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            text = str(exc).strip().splitlines()
            detail = f": {text[0]}" if text else ""
            raise CommandError(f"{type(exc).__name__}{detail}") from exc

    return run


def _create_app(*_args, **_kwargs):
    from . import create_app
    from .config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """expertnet: the union's expert network and consultation system."""


main.invoke = _one_line_errors(main.invoke)


# --- init -------------------------------------------------------------------------------


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database (migrations, field taxonomy); safe to run again.

    This is the cluster-wide part, run once per deployment (concurrent runs wait for each
    other on PostgreSQL). Each node then brings its own search index up to date with
    ``expertnet index sync``; ``expertnet serve`` also catches up when it starts.
    """
    from flask_migrate import upgrade

    from .directory.taxonomy import ensure_fields
    from .extensions import db

    with _init_lock(db.engine):
        try:
            upgrade()
        except Exception as exc:
            raise CommandError(f"database upgrade failed: {exc}") from exc
        added = ensure_fields(db.session)
        db.session.commit()
    click.echo(
        f"database ready ({added} fields added); "
        "run `expertnet index sync` on each node for its search index"
    )


#: PostgreSQL advisory lock key that serialises ``expertnet init`` runs ("exptinit").
_INIT_LOCK = 0x65787074696E6974


@contextlib.contextmanager
def _init_lock(engine):
    """On PostgreSQL, hold a session advisory lock: Alembic takes no lock of its own, and
    two nodes initialising at once must not both run the same migration."""
    if engine.dialect.name != "postgresql":
        yield
        return
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _INIT_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _INIT_LOCK})
            conn.commit()


# --- users ------------------------------------------------------------------------------


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True)
@click.option("--organization", type=int, default=None, help="organisation id (agency, liaison)")
@click.option("--expert", type=int, default=None, help="person id (expert)")
@click.option("--password", default=None, help="else read from standard input")
@click.option(
    "--also", "also", multiple=True, help="an extra role (expert or liaison); may be repeated"
)
@with_appcontext
def users_create(email, name, role, organization, expert, password, also) -> None:
    """Create a user; the password comes from --password or standard input."""
    from .auth.operations import AccountError, create_user
    from .extensions import db

    if password is None:
        password = sys.stdin.readline().rstrip("\n")
    try:
        user = create_user(
            email=email,
            name=name,
            role=role,
            password=password,
            organization_id=organization,
            person_id=expert,
            extra_roles=tuple(also),
        )
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        message = str(exc)
        if "already exists" in message:
            message += (
                f"; to give it a new password run: expertnet users reset-password --email {email}"
            )
        raise CommandError(message) from exc
    click.echo(f"created user {user.id} <{user.email}> as {', '.join(sorted(user.roles))}")


@users_group.command("reset-password")
@click.option("--email", required=True)
@click.option(
    "--stdin", "from_stdin", is_flag=True, help="read the new password from standard input"
)
@with_appcontext
def users_reset_password(email, from_stdin) -> None:
    """Print a one-time link to choose a new password (last line), or set it from stdin."""
    from sqlalchemy import func, select

    from .access.operations import reset_link_for_cli, set_password_directly
    from .auth.models import User
    from .core.errors import ApiError
    from .extensions import db

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise CommandError(f"no user with e-mail {email}")
    if not user.active:
        raise CommandError(f"the account {user.email} is deactivated; reactivate it first")
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        try:
            set_password_directly(user, password)
        except ApiError as exc:
            db.session.rollback()
            raise CommandError(
                "; ".join(str(m) for m in (exc.fields or {}).values()) or exc.message
            ) from exc
        db.session.commit()
        click.echo(f"new password set for {user.email}")
        return
    url = reset_link_for_cli(user)
    db.session.commit()
    click.echo(f"one-time link for {user.email} (works once, for two hours):")
    click.echo(url)


def _user_by_email(email: str):
    from sqlalchemy import func, select

    from .auth.models import User
    from .extensions import db

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise CommandError(f"no user with e-mail {email}")
    return user


@users_group.command("token")
@click.option("--email", required=True)
@click.option("--name", default=None, help="what the token is for (default: token DATE)")
@click.option(
    "--expires-days",
    type=int,
    default=None,
    help="days until the token expires (default 90, at most 3650)",
)
@with_appcontext
def users_token(email, name, expires_days) -> None:
    """Print a new API token for the user, and nothing else."""
    from .auth.models import DEFAULT_TOKEN_DAYS
    from .auth.operations import AccountError, issue_token
    from .extensions import db

    user = _user_by_email(email)
    try:
        _token, plain = issue_token(
            user,
            name=name,
            expires_days=DEFAULT_TOKEN_DAYS if expires_days is None else expires_days,
        )
    except AccountError as exc:
        db.session.rollback()
        raise CommandError(str(exc)) from exc
    db.session.commit()
    click.echo(plain)


def _when(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else "never"


@users_group.command("tokens")
@click.option("--email", required=True)
@with_appcontext
def users_tokens(email) -> None:
    """List the user's API tokens that are not revoked: id, name, created, last used, expires."""
    from .auth.operations import tokens_of

    for token in tokens_of(_user_by_email(email)):
        name = " ".join(token.name.split())  # one line per token, whatever the name holds
        fields = (token.id, name, _when(token.created_at), _when(token.last_used_at),
                  _when(token.expires_at))  # fmt: skip
        click.echo("\t".join(str(f) for f in fields))


@users_group.command("revoke-token")
@click.option("--id", "token_id", type=click.IntRange(1, 2**31 - 1), required=True)
@with_appcontext
def users_revoke_token(token_id) -> None:
    """Revoke one API token: it answers 401 from now on."""
    from .auth.models import ApiToken
    from .auth.operations import revoke_token
    from .extensions import db

    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise CommandError(f"no API token with id {token_id}")
    if not revoke_token(token):
        click.echo(f"token {token.id} ({token.name}) of {token.user.email} was already revoked")
        return
    db.session.commit()
    click.echo(f"revoked token {token.id} ({token.name}) of {token.user.email}")


# --- demo -------------------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--experts",
    "n_people",
    type=click.IntRange(1, 5_000_000),
    default=2000,
    show_default=True,
    help="number of people",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--if-empty", is_flag=True, help="do nothing (and succeed) when data exists")
@click.option(
    "--timings", is_flag=True, help="print each step's CPU and wall time (seconds) to stderr"
)
@with_appcontext
def demo_command(n_people: int, seed: int, if_empty: bool, timings: bool) -> None:
    """Fill an empty database with a realistic synthetic union."""
    from sqlalchemy import select

    from search_index.build import PARALLEL_MIN_DOCS

    from .demo.accounts import create_demo_accounts
    from .demo.loader import DemoError, load_demo, sqlite_journal_mode
    from .demo.steps import StepTimer
    from .directory.models import Person
    from .extensions import db
    from .search.hooks import mark_all_people_changed
    from .search.index import rebuild_index, start_rebuild

    timer = StepTimer(timings)
    if db.session.scalar(select(Person.id).limit(1)) is not None:
        if if_empty:
            click.echo("the database already has people; demo not loaded", err=True)
            return
        raise CommandError("the database already has people; the demo only fills an empty one")

    with click.progressbar(length=n_people, label="people", file=sys.stderr) as bar:
        try:
            with timer.step("union: generate and write"):
                counts = load_demo(db.session, n_people=n_people, seed=seed, progress=bar.update)
        except DemoError as exc:
            db.session.rollback()
            raise CommandError(str(exc)) from exc
    from .demo.contests import load_demo_contests
    from .demo.requests import give_every_expert_an_address, load_demo_requests
    from .panel.cache import get_graph
    from .scholarly.demo import load_demo_records, load_records_elsewhere

    with timer.step("addresses"):
        give_every_expert_an_address(db.session)
    # The directory is committed first, so that the search index can be built from it
    # while the rest is written: nothing after this changes what the index holds of
    # anyone but the few experts given an account (replayed from the change log at the
    # end). Bulk inserts bypass the hooks: every node's index must rebuild.
    with timer.step("commit the directory"):
        mark_all_people_changed(db.session)
        db.session.commit()
    with timer.step("start the index rebuild"):
        journal = None
        if n_people >= PARALLEL_MIN_DOCS:
            # WAL: the index workers' reads and this process's writes do not wait for
            # each other. The mode the database had is restored at the end.
            journal = sqlite_journal_mode(db.engine)
            if journal is not None and journal != "wal":
                db.session.close()
                db.engine.dispose()
                sqlite_journal_mode(db.engine, "wal")
        background = start_rebuild()
        records = None
        if background is not None:
            # Still no connection open here (start_rebuild closed them): the scholarly
            # record is generated from the committed directory in a process of its own,
            # which writes it once this one has committed the rest.
            records = load_records_elsewhere(current_app._get_current_object(), seed)
    with timer.step("expert graph"):
        # Built once here, from the committed directory, and kept by this process: the
        # contests' batch assignments then patch it for the few people changed since
        # instead of building a private graph of their uncommitted transaction each.
        get_graph()
    with timer.step("accounts"):
        accounts = create_demo_accounts(db.session, seed=seed)
    with timer.step("requests"):
        counts["requests"] = load_demo_requests(db.session, seed=seed)
    with timer.step("contests"):
        counts["contest entries"] = load_demo_contests(db.session, seed=seed)
    with timer.step("commit"):
        db.session.commit()
    with timer.step("scholarly record"):
        if records is not None:
            db.session.close()
            records.write()
            counts.update(records.result())
        else:
            counts.update(load_demo_records(db.session, seed=seed))
            db.session.commit()
    if background is not None:
        with timer.step("wait for the index, replay changes"):
            background.wait()
    else:
        with timer.step("index rebuild"):
            rebuild_index(progress_label="index")
    if journal is not None and journal != "wal":
        db.session.close()
        db.engine.dispose()
        try:
            sqlite_journal_mode(db.engine, journal)
        except Exception as exc:  # another process has the database open: WAL stays
            click.echo(f"journal mode left in WAL ({type(exc).__name__}: {exc})", err=True)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    click.echo("sign-ins (e-mail / password):")
    for role, email, password in accounts:
        note = "  (sits on an open panel)" if role == "expert" else ""
        click.echo(f"  {role:<12} {email:<36} {password}{note}")
    click.echo(
        "the other experts have no password yet: they answer by the links in their mail, "
        "which (without EXPERTNET_SMTP_URL) stays in the outbox: sign in as coordinator "
        "and open /outbox"
    )
    timer.report()


# --- graph ------------------------------------------------------------------------------


@click.group("graph")
def graph_group() -> None:
    """The expert graph."""


@graph_group.command("snapshot")
@with_appcontext
def graph_snapshot() -> None:
    """Build the expert graph once and write the snapshot every process of this node maps
    (run it when deploying; the ``build_graph_snapshot`` job does the same)."""
    import time

    from .extensions import db
    from .panel import cache

    started = time.perf_counter()
    eg = cache.refresh(db.engine)
    root = cache.snapshot_root(db.engine)
    click.echo(
        f"graph version {eg.version[0]}: {len(eg.people)} people, "
        f"{eg.graph.number_of_edges()} edges, {time.perf_counter() - started:.1f} s"
        + (f", snapshot in {root}" if root else "")
    )


@graph_group.command("prune-changes")
@click.option(
    "--keep-hours",
    type=click.FloatRange(min=0),
    default=None,
    help="keep the changes of the last hours (default: EXPERTNET_GRAPH_CHANGE_KEEP, 1 hour)",
)
@with_appcontext
def graph_prune_changes(keep_hours: float | None) -> None:
    """Delete the graph_change rows that the newest snapshot holds and that are older than
    the kept hours (a new snapshot does this by itself; run this from cron where snapshots
    are rarely built; the ``prune_graph_changes`` job does the same)."""
    from .extensions import db
    from .panel import cache

    keep = cache._keep_seconds() if keep_hours is None else keep_hours * 3600
    horizon = cache.prune_horizon(db.engine, keep)
    gone = cache.prune_changes(db.engine, horizon)
    click.echo(f"{gone} graph_change rows up to version {horizon} deleted")


# --- index ------------------------------------------------------------------------------


@click.group("index")
def index_group() -> None:
    """The search index."""


@index_group.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Rebuild this node's search index from the database."""
    from .search.index import SyncError, rebuild_index

    try:
        n = rebuild_index(progress_label="index")
    except SyncError as exc:
        raise CommandError(str(exc)) from exc
    click.echo(f"indexed {n} people")


@index_group.command("sync")
@click.option("--rebuild", is_flag=True, help="rebuild from the database even if up to date")
@with_appcontext
def index_sync(rebuild: bool) -> None:
    """Bring this node's search index up to date with the change log; safe to run again."""
    from .extensions import db
    from .search.index import SyncError, record_position, sync_index
    from .search.node import SyncBusy

    try:
        report = sync_index(rebuild=rebuild, progress_label="index")
        db.session.commit()
        pruned = record_position(position=report.position, prune=True)
        db.session.commit()
    except (SyncError, SyncBusy) as exc:
        db.session.rollback()
        raise CommandError(str(exc)) from exc
    line = f"search index {report.describe()}"
    if pruned:
        line += f"; {pruned} old log entries pruned"
    click.echo(line)


@index_group.command("status")
@with_appcontext
def index_status_command() -> None:
    """Print this node's index state and every node's position in the change log, as JSON."""
    import json

    from .extensions import db
    from .search import changelog
    from .search.index import index_status

    status = index_status()
    status["nodes"] = [
        {**n, "seen_at": n["seen_at"].isoformat()} for n in changelog.nodes(db.session)
    ]
    click.echo(json.dumps(status, ensure_ascii=False, indent=2))


# --- serve ------------------------------------------------------------------------------


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@with_appcontext
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the web application with gunicorn."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()

    def _after_fork(_server, _worker):
        # Connections opened before the fork must not be shared by the workers.
        from .extensions import db
        from .search.syncer import start_syncer

        with app.app_context():
            db.engine.dispose(close=False)
        # Each worker follows the change log (one of them leads); the leader's first
        # pass catches this node's index up.
        start_syncer(app)

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)
            self.cfg.set("post_fork", _after_fork)

        def load(self):
            return app

    for line in deployment_summary(app):
        click.echo(line, err=True)
    click.echo(f"serving on http://{host}:{port}/", err=True)
    _Server().run()


# --- config ---------------------------------------------------------------------------


def deployment_summary(app) -> list[str]:
    """Where this node keeps and counts things, one line each (secrets left out)."""
    from .auth.throttle import backend_name
    from .jobs import queue_name

    db_url = app.config["SQLALCHEMY_DATABASE_URI"]
    broker = app.config.get("EXPERTNET_BROKER_URL")
    storage = app.config.get("EXPERTNET_STORAGE_URL") or app.config["EXPERTNET_UPLOAD_DIR"]
    limits = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    smtp = app.config.get("EXPERTNET_SMTP_URL") or "not sent (kept in the outbox)"
    counted = (
        f"in Redis at {_redacted(limits)}"
        if backend_name(app) == "redis"
        else "in the database (shared by every worker and node)"
    )
    return [
        f"database: {_redacted(str(db_url))}",
        f"files: {_redacted(storage)}",
        f"jobs: {f'queue {queue_name(app)!r} at {_redacted(broker)}' if broker else 'in-process'}",
        f"mail: {_redacted(smtp)}",
        f"sign-in limits: {app.config['EXPERTNET_LOGIN_LIMIT']} per address, "
        f"{app.config['EXPERTNET_LOGIN_ACCOUNT_LIMIT']} per account, counted {counted}",
        f"trusted proxies: {app.config.get('EXPERTNET_TRUSTED_PROXIES', 0)}",
    ]


@click.command("config")
@with_appcontext
def config_command() -> None:
    """Check the configuration and print where this node keeps and counts things."""
    for line in deployment_summary(current_app):
        click.echo(line)


# --- worker -----------------------------------------------------------------------------


@click.command("worker")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
@with_appcontext
def worker_command(threads: int) -> None:
    """Run background jobs (mail, index and graph rebuilds, imports) from the queue."""
    import signal
    import threading

    from .jobs import queue_name, run_worker

    app = current_app._get_current_object()
    url = app.config.get("EXPERTNET_BROKER_URL")
    if not url:
        raise CommandError(
            "EXPERTNET_BROKER_URL is not set: without a broker, jobs run inside the app itself"
        )
    stop = threading.Event()

    def _stop(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(
        f"worker: {threads} threads on queue {queue_name(app)!r} at {_redacted(url)}", err=True
    )
    try:
        run_worker(app, threads, stop)
    except Exception as exc:
        raise CommandError(f"worker stopped: {exc}") from exc


@click.command("enqueue")
@click.argument("name")
@click.argument("args", nargs=-1)
@with_appcontext
def enqueue_command(name: str, args: tuple[str, ...]) -> None:
    """Queue job NAME (module:function) with JSON ARGS, e.g. for cron."""
    import json

    from .jobs import JobError, enqueue, resolve, run_job

    try:
        values = [json.loads(a) for a in args]
    except ValueError as exc:
        raise CommandError(f"arguments must be JSON values: {exc}") from None
    try:
        resolve(name)
    except JobError as exc:
        raise CommandError(str(exc)) from None
    app = current_app._get_current_object()
    if app.config.get("EXPERTNET_BROKER_URL"):
        enqueue(name, *values)
        click.echo(f"queued {name}")
        return
    try:  # no broker: run it here and now, and say how it went
        result = run_job(app, name, values, {})
    except Exception as exc:
        detail = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise CommandError(f"{name} failed: {detail}") from None
    click.echo(f"ran {name}: {result}")


def _redacted(url: str) -> str:
    """A URL without its password, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme and parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def register_commands(app) -> None:
    from .roster.commands import import_group

    app.cli.invoke = _one_line_errors(app.cli.invoke)
    for command in (
        init_command,
        users_group,
        demo_command,
        graph_group,
        index_group,
        serve_command,
        worker_command,
        config_command,
        enqueue_command,
    ):
        app.cli.add_command(command)
    from .scholarly import commands as _scholarly_commands  # import publications, embeddings

    app.cli.add_command(_scholarly_commands.embeddings_group)

    app.cli.add_command(import_group)
    from .consultation.commands import remind_command, signer_command

    app.cli.add_command(remind_command)
    app.cli.add_command(signer_command)


if __name__ == "__main__":
    main()
