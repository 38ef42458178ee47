"""Who a user is, in one vocabulary: the role enum and the role sets that permission checks
use. Every module takes them from here instead of writing the role names out again.

``Role`` is the workflow engine's ``workflows.Role`` with titles added (``core.types.titled_from``).
"""

from __future__ import annotations

from workflows import Role as _WorkflowRole

from .types import titled_from

Role = titled_from("Role", _WorkflowRole, __name__)

#: The union's own staff: they see every profile (with contact details) and every request.
STAFF = frozenset({Role.admin, Role.coordinator, Role.approver})
#: Staff who run the union's work: accounts, rosters, panels, settings.
MANAGERS = frozenset({Role.admin, Role.coordinator})
#: Roles a user may hold besides the main one: an expert who is also their association's
#: liaison, or a liaison with an expert profile. (Staff and agency roles stay single.)
EXTRA_ROLES = (Role.expert, Role.liaison)


def role_of(user) -> str | None:
    """The main role of a signed-in user, None for the public."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def user_roles(user) -> frozenset[str]:
    """Every role a signed-in user holds, the main one and any extra; none for the public."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = getattr(user, "roles", None)
    if roles:
        return frozenset(str(r) for r in roles)
    return frozenset({user.role})


def has_role(user, *roles: str) -> bool:
    """The signed-in user holds one of ``roles`` (as main role or an extra one)."""
    return not user_roles(user).isdisjoint(roles)


def is_staff(user) -> bool:
    """The union's staff (admin, coordinator, approver)."""
    return role_of(user) in STAFF


def is_manager(user) -> bool:
    """An administrator or a coordinator."""
    return role_of(user) in MANAGERS
