"""The expert graph's build as a background job (``expertnet.jobs``)."""

from __future__ import annotations

from ..jobs import job


@job
def build_graph_snapshot() -> dict:
    """Build the graph of the committed data once and write its snapshot to the instance
    folder, where every process of this node maps it (``panel.cache.refresh``)."""
    from ..extensions import db
    from . import cache

    eg = cache.refresh(db.engine)
    return {"version": list(eg.version), "people": len(eg.people)}
