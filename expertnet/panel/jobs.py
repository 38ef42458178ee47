"""The expert graph's build and the pruning of its change log as background jobs
(``expertnet.jobs``)."""

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


@job
def prune_graph_changes(keep_seconds: float | None = None) -> dict:
    """Delete the ``graph_change`` rows older than ``keep_seconds`` (default
    ``EXPERTNET_GRAPH_CHANGE_KEEP``) that the newest snapshot holds
    (``panel.cache.prune_changes``): for a deployment that rarely builds a snapshot."""
    from ..extensions import db
    from . import cache

    keep = cache._keep_seconds() if keep_seconds is None else float(keep_seconds)
    horizon = cache.prune_horizon(db.engine, keep)
    return {"deleted": cache.prune_changes(db.engine, horizon), "up_to_version": horizon}
