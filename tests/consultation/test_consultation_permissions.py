"""The ``can_*`` methods of a request, as a table over every role and state."""

from __future__ import annotations

import pytest

from expertnet.consultation.models import Request
from expertnet.core.types import utcnow
from workflows import State

ROLES = ("agency", "other_agency", "coordinator", "coordinator2", "approver", "admin",
         "liaison", "member", "outsider")  # fmt: skip


def _who(world, name):
    return {"member": world.experts[0], "outsider": world.experts[4]}.get(name) or getattr(
        world, name
    )


@pytest.fixture
def request_in(world, session):
    """A request with one accepted panel member, put straight into any state."""
    rid = world.to_panel_forming()
    world.accept(world.experts[0], world.invite(rid, world.experts[0])["id"])
    req = session.get(Request, rid)

    def put(state: str) -> Request:
        req.state = state
        # What the database demands of these states (CHECK constraints) comes along.
        req.published_at = utcnow() if state in ("published", "closed") else None
        req.closed_at = utcnow() if state == "closed" else None
        session.flush()
        return req

    return put


def _expected(method: str, role: str, state: str) -> bool:
    coordinating = role in ("coordinator", "admin")  # coordinator2 is not the assigned one
    if method == "can_edit":
        return role == "agency" and state in ("draft", "returned")
    if method == "can_upload_document":
        if state in ("closed", "declined", "withdrawn"):
            return False
        return (role == "agency" and state in ("draft", "returned")) or (
            coordinating and state != "published"
        )
    if method == "can_manage_panel":
        return coordinating and state in ("panel_forming", "in_review")
    if method == "can_write_opinion":
        return role == "member" and state == "in_review"
    if method == "can_write_consolidation":
        return coordinating and state == "consolidation"
    if method == "can_view_all_opinions":
        return role in ("coordinator", "coordinator2", "approver", "admin") or (
            role == "member" and state in ("published", "closed")
        )
    raise AssertionError(method)


METHODS = (
    "can_edit",
    "can_upload_document",
    "can_manage_panel",
    "can_write_opinion",
    "can_write_consolidation",
    "can_view_all_opinions",
)


@pytest.mark.parametrize("state", [s.value for s in State])
def test_request_permissions_by_role_and_state(world, request_in, state):
    req = request_in(state)
    for method in METHODS:
        for role in ROLES:
            allowed = getattr(req, method)(_who(world, role).user)
            assert allowed is _expected(method, role, state), (method, role, state)
    # Seeing a request does not depend on its state, only on who one is.
    seen = {role for role in ROLES if req.can_view(_who(world, role).user)}
    assert seen == {"agency", "coordinator", "coordinator2", "approver", "admin", "member"}
