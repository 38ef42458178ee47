"""Pages of a query, one way for pages and API: Flask-SQLAlchemy's ``db.paginate``.

A ``Pagination`` has ``items``, ``total``, ``page``, ``per_page`` and ``pages`` (0 when
nothing matched); the pager macro (``templates/macros/pager.html``) and the API's
``paged`` read those.
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..extensions import db

#: Rows a page shows unless the caller asks for another size.
PER_PAGE = 20


def paginate(stmt: Select, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """One page of ``stmt`` (a select of one model): a page past the end is empty, not a 404."""
    return db.paginate(
        stmt, page=max(page, 1), per_page=per_page, max_per_page=None, error_out=False
    )
