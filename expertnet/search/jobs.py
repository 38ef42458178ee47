"""Search work as background jobs (``expertnet.jobs``): enqueue them, a worker runs them."""

from __future__ import annotations

from ..jobs import job


@job
def rebuild_search_index() -> int:
    """Rebuild the search index of the process that runs it from the database."""
    from .index import rebuild_index

    return rebuild_index()
