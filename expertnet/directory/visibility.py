"""Who may see a person: the rule, written once.

The public sees the experts who consented to a public profile; the union's staff see
everyone; a signed-in person sees their own profile; a liaison sees the current members of
their organisation. Four readers apply it, each in its own medium, all from here:

- ``Person.can_view`` (one loaded person): ``may_see_person``;
- database queries of people (the API list, the search fallback): ``visible_people``;
- the search index, which knows only "public or not" and the organisation filter:
  ``Viewer.sees_all_in``;
- the expert graph (``panel/network.py``): ``may_see_person`` over the graph's edges.

``tests/directory/test_visibility.py`` checks that the four agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select

from ..core.roles import STAFF, Role


@dataclass(frozen=True)
class Viewer:
    """Who is looking, reduced to what visibility depends on."""

    role: str | None  # None: the public
    person_id: int | None = None
    organization_id: int | None = None

    @classmethod
    def of(cls, user: Any) -> Viewer:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(None)
        # A liaison's view is wider than an expert's: an expert who is also a liaison gets it.
        role = user.role
        if role == Role.expert and user.has_role(Role.liaison):
            role = Role.liaison.value
        return cls(role, user.person_id, user.organization_id)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def liaison_of(self) -> int | None:
        """The organisation whose members this liaison sees, None for anyone else."""
        return self.organization_id if self.role == Role.liaison else None

    def sees_all_in(self, organization_ids: Iterable[int]) -> bool:
        """Whether every person of these organisations (all people if none) is visible: for a
        filter that cannot name people one by one, such as the search index's."""
        orgs = set(organization_ids)
        return self.is_staff or (bool(orgs) and orgs == {self.liaison_of})


def may_see_person(
    viewer: Viewer, *, public: bool, person_id: int, in_organization: Callable[[int], bool]
) -> bool:
    """The rule itself. ``in_organization(org_id)``: the person is a current member of it."""
    if public or viewer.is_staff:
        return True
    if viewer.person_id is not None and viewer.person_id == person_id:
        return True
    org = viewer.liaison_of
    return org is not None and in_organization(org)


def visible_people(stmt: Select, viewer: Viewer) -> Select:
    """Restrict a query of people to those ``viewer`` may see (``may_see_person`` in SQL)."""
    from .models import Membership, Person

    if viewer.is_staff:
        return stmt
    conds = [Person.public_profile.is_(True)]
    if viewer.person_id is not None:
        conds.append(Person.id == viewer.person_id)
    if viewer.liaison_of is not None:
        conds.append(
            Person.id.in_(
                select(Membership.person_id).where(
                    Membership.organization_id == viewer.liaison_of,
                    Membership.ended_on.is_(None),
                )
            )
        )
    return stmt.where(or_(*conds))
