"""The search change log: what every node's index must replay, and who has replayed it."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from ..core.types import UTCDateTime, utcnow
from ..extensions import db


class IndexChange(db.Model):
    """One committed change to something indexed: "entity ``kind`` ``entity_id`` changed".

    The entry says nothing of the new content; a node re-reads the entity from the
    database, so replaying an entry twice or late is harmless. ``entity_id`` NULL means
    every entity of the kind (a bulk load): nodes rebuild. Ids are handed out by
    ``IndexLogHead`` in commit order with no gaps (see ``changelog.append``).
    """

    __tablename__ = "index_change"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class IndexLogHead(db.Model):
    """The log's single head row: the last entry id handed out, and the log's identity.

    Writers lock this row (an UPDATE) just before they commit, so entries become visible
    in id order. ``epoch`` is random per database: an index built from another database
    (or from a restored backup of this one) does not mistake its position for this one's.
    """

    __tablename__ = "index_log_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[str] = mapped_column(String(32))


@event.listens_for(IndexLogHead.__table__, "after_create")
def _head_row(table, connection, **_kw) -> None:
    # The migration inserts the row; this covers ``metadata.create_all`` (scratch databases).
    connection.execute(insert(table).values(id=1, last_id=0, epoch=secrets.token_hex(16)))


class IndexNode(db.Model):
    """A node's index and the last log entry it applied (pruning keeps what live nodes need)."""

    __tablename__ = "index_node"

    node_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    index_dir: Mapped[str] = mapped_column(String(1000))
    applied_id: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
