"""Wires extensions, blueprints, error handlers and hooks onto an application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import babel, csrf, db, limiter, login_manager, migrate

_HERE = Path(__file__).resolve().parent


def _sqlite_pragmas(engine) -> None:
    """Real transactions (savepoints included) and foreign keys on SQLite."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy issue BEGIN.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def configure(app: Flask) -> None:
    from . import models  # noqa: F401 - registers every model on the metadata
    from .audit.recorder import install as install_audit
    from .core import errors, i18n, inputs, security
    from .core.i18n import compile_catalogs

    hops = int(app.config.get("EXPERTNET_TRUSTED_PROXIES") or 0)
    if hops:
        # Each trusted proxy appends one address; the client is the one before them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(_HERE / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    inputs.register(app)  # before any blueprint: the bounded <int:…> converter

    translations = Path(app.instance_path) / "translations"
    compile_catalogs(_HERE / "translations", translations)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=None)

    install_audit()
    from .search.hooks import install as install_search
    from .search.syncer import init_app as init_search_syncer

    install_search()
    init_search_syncer(app)
    from .consultation.notify import install as install_mail

    install_mail()
    from .scholarly.embeddings import install as install_embeddings

    install_embeddings()
    errors.register(app)
    security.register(app)
    i18n.register(app)

    from .access.views import bp as access_bp
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .auth.views import bp as auth_bp
    from .directory.views import bp as directory_bp
    from .main.views import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(access_bp)
    from .access.staff import bp as access_staff_bp

    app.register_blueprint(access_staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(api_bp)
    from .panel.views import register as register_panel  # graph-version hooks and pages

    register_panel(app)
    from .roster.views import bp as roster_bp

    app.register_blueprint(roster_bp)
    from .consultation.views import bp as consultation_bp  # pages of the consultation

    app.register_blueprint(consultation_bp)
    from .contest.views import bp as contest_bp  # pages of the contest

    app.register_blueprint(contest_bp)

    from .scholarly.views import register as register_scholarly  # the scholarly record

    register_scholarly(app)
    from .reports.views import register as register_reports  # report pages, letters

    register_reports(app)

    from .cli import register_commands

    register_commands(app)

    @app.before_request
    def _actor():
        from .audit.recorder import current_actor

        g._actor_token = current_actor.set(
            current_user.id if current_user.is_authenticated else None
        )

    @app.teardown_request
    def _reset_actor(_exc):
        from .audit.recorder import current_actor

        token = g.pop("_actor_token", None)
        if token is not None:
            current_actor.reset(token)

    @app.context_processor
    def _template_globals():
        from .directory.models import FormerProvince, MembershipRole
        from .main.views import nav_items, unread_notifications

        return {
            "current_path": request.full_path.rstrip("?"),
            "nav_items": nav_items,
            "unread_notifications": unread_notifications,
            "province_label": lambda v: FormerProvince(v).label,
            "membership_role_label": lambda v: MembershipRole(v).label,
        }
