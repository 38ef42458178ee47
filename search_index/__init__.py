"""Vietnamese-aware expert search over Whoosh, independent of the web application."""

from .index import ExpertIndex, IndexBusy, IndexUnavailable
from .query import MAX_PER_PAGE, SearchQuery, SearchResult
from .text import fold, normalize_text

__all__ = [
    "MAX_PER_PAGE",
    "ExpertIndex",
    "IndexBusy",
    "IndexUnavailable",
    "SearchQuery",
    "SearchResult",
    "fold",
    "normalize_text",
]
