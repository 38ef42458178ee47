"""The expert graph's names that other features use: node numbering, edge kinds and
conflict severities.

Plain Python, no numpy or networkx: a module that only needs to name a node or an edge
kind (contest conflicts, pages) imports this, so a web process loads the graph's
libraries only when it first uses the graph (``tests/test_lazy_imports.py``).
``panel.graph`` and ``panel.conflicts`` re-export every name.
"""

from __future__ import annotations

PERSON, ORG, FIELD, REQUEST = 0, 1, 2, 3
KIND_NAMES = ("person", "organization", "field", "request")

# Edge kinds.
MEMBER = "member"
OFFICE = "office"
EMPLOYED = "employed"
EXPERTISE = "expertise"
PANEL = "panel"
SUBJECT = "subject"
REQUESTED_BY = "requested_by"
ABOUT = "about"
RELATIONSHIP = "relationship"

# Conflict severities.
EXCLUDE = "exclude"
POTENTIAL = "potential"


def node(kind: int, ident: int) -> int:
    """The graph node of a person, organisation, field or request."""
    return ident * 4 + kind


def pnode(person_id: int) -> int:
    return person_id * 4 + PERSON


def onode(org_id: int) -> int:
    return org_id * 4 + ORG


def fnode(field_id: int) -> int:
    return field_id * 4 + FIELD


def rnode(request_id: int) -> int:
    return request_id * 4 + REQUEST


def node_key(n: int) -> str:
    """A stable public name of a node: ``person:12``, ``organization:3``."""
    return f"{KIND_NAMES[n & 3]}:{n >> 2}"
