"""Reads of the roster's pending links that the pages share."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import PendingLink

#: The links page shows at most this many, newest first.
LINKS_SHOWN = 500


def pending_links(state: str) -> list[PendingLink]:
    """Links in ``state``, the newest request first."""
    return list(
        db.session.scalars(
            select(PendingLink)
            .where(PendingLink.state == state)
            .order_by(PendingLink.requested_at.desc(), PendingLink.id.desc())
            .limit(LINKS_SHOWN)
        )
    )
