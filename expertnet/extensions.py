"""Extension singletons; each is bound to an app in ``create_app`` with ``init_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FSASession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Session(_FSASession):
    """Flask-SQLAlchemy's session, but an explicit ``bind`` wins.

    Tests bind the session to a connection inside an outer transaction that they roll
    back; Flask-SQLAlchemy's own ``get_bind`` would ignore it and go to the engine.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# One date format in every language and place (pages, mail, documents): dd/mm/yyyy with a
# four-digit year, and the time as HH:mm before it, as Vietnamese offices write them.
DATE_FORMATS = {
    **Babel.default_date_formats,
    "date.short": "dd/MM/yyyy",
    "date.medium": "dd/MM/yyyy",
    "datetime.short": "HH:mm dd/MM/yyyy",
    "datetime.medium": "HH:mm dd/MM/yyyy",
    "time.short": "HH:mm",
    "time.medium": "HH:mm",
}
babel = Babel(date_formats=DATE_FORMATS)
limiter = Limiter(key_func=get_remote_address, default_limits=[])
