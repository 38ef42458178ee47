"""The ``expertnet`` command line (also ``flask --app expertnet``)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext


class CommandError(click.ClickException):
    """One clear line on standard error and a non-zero exit."""

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def _create_app(*_args, **_kwargs):
    from . import create_app

    return create_app()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """expertnet: the union's expert network and consultation system."""


# --- init -------------------------------------------------------------------------------


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database and the search index; safe to run again."""
    from flask_migrate import upgrade

    from .directory.taxonomy import ensure_fields
    from .extensions import db
    from .search.index import ensure_index

    try:
        upgrade()
    except Exception as exc:
        raise CommandError(f"database upgrade failed: {exc}") from exc
    added = ensure_fields(db.session)
    db.session.commit()
    index_note = ensure_index()
    click.echo(f"database ready ({added} fields added); search index: {index_note}")


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
@with_appcontext
def users_create(email, name, role, organization, expert, password) -> None:
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
        )
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise CommandError(str(exc)) from exc
    click.echo(f"created user {user.id} <{user.email}> as {user.role}")


@users_group.command("token")
@click.option("--email", required=True)
@with_appcontext
def users_token(email) -> None:
    """Print a new API token for the user, and nothing else."""
    from sqlalchemy import func, select

    from .auth.models import ApiToken, User
    from .extensions import db

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise CommandError(f"no user with e-mail {email}")
    _token, plain = ApiToken.issue(user)
    db.session.commit()
    click.echo(plain)


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
@with_appcontext
def demo_command(n_people: int, seed: int, if_empty: bool) -> None:
    """Fill an empty database with a realistic synthetic union."""
    from sqlalchemy import select

    from .demo.accounts import create_demo_accounts
    from .demo.loader import DemoError, load_demo
    from .directory.models import Person
    from .extensions import db
    from .search.index import rebuild_index

    if db.session.scalar(select(Person.id).limit(1)) is not None:
        if if_empty:
            click.echo("the database already has people; demo not loaded", err=True)
            return
        raise CommandError("the database already has people; the demo only fills an empty one")

    with click.progressbar(length=n_people, label="people", file=sys.stderr) as bar:
        try:
            counts = load_demo(db.session, n_people=n_people, seed=seed, progress=bar.update)
        except DemoError as exc:
            db.session.rollback()
            raise CommandError(str(exc)) from exc
    accounts = create_demo_accounts(db.session, seed=seed)
    from .demo.requests import load_demo_requests

    counts["requests"] = load_demo_requests(db.session, seed=seed)
    db.session.commit()
    rebuild_index(progress_label="index")
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    click.echo("sign-ins (e-mail / password):")
    for role, email, password in accounts:
        click.echo(f"  {role:<12} {email:<36} {password}")


# --- index ------------------------------------------------------------------------------


@click.group("index")
def index_group() -> None:
    """The search index."""


@index_group.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Rebuild the search index from the database."""
    from .search.index import rebuild_index

    n = rebuild_index(progress_label="index")
    click.echo(f"indexed {n} people")


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

        with app.app_context():
            db.engine.dispose(close=False)

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

    click.echo(f"serving on http://{host}:{port}/", err=True)
    _Server().run()


def register_commands(app) -> None:
    from .roster.commands import import_group

    for command in (init_command, users_group, demo_command, index_group, serve_command):
        app.cli.add_command(command)
    app.cli.add_command(import_group)
    from .consultation.commands import remind_command, signer_command

    app.cli.add_command(remind_command)
    app.cli.add_command(signer_command)
