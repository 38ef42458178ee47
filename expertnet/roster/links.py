"""The boundary of a roster import: people of other organisations are linked, never merged.

An import merges rows only into people already on the organisation's roster (or rows of
the same file). A row that matches someone elsewhere — the same e-mail, the same phone,
or the same name and birth year — is held back as a *pending link*: the liaison learns
only that it "matches an existing person of another organisation" (no name, id, birth
year or employer of that person), and a coordinator confirms the link (the person joins
the roster) or rejects it. Links and decisions are audited like memberships.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit.recorder import current_actor
from ..core.errors import ApiError
from ..core.types import utcnow
from ..directory.models import Membership
from .columns import MemberRow, folded
from .messages import _
from .models import LinkState, PendingLink


def elsewhere_reason() -> str:
    return _("Matches an existing person of another organisation.")


@dataclass
class PendingRow:
    """A row held back because it matches people outside the roster (ids never shown)."""

    row: int
    full_name: str
    person_ids: list[int]
    values: dict[str, Any]
    cells: list[str]


@dataclass
class Outside:
    """People of other organisations this file could be about: ids by e-mail, phone, name+year."""

    by_email: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, set[int]] = field(default_factory=dict)
    by_name_year: dict[tuple[str, int], set[int]] = field(default_factory=dict)

    def add(
        self, pid: int, email: str | None, phone: str | None, name: str, year: int | None
    ) -> None:
        if email:
            self.by_email.setdefault(email, pid)
        if phone:
            self.by_phone.setdefault(phone, set()).add(pid)
        if year:
            self.by_name_year.setdefault((folded(name), year), set()).add(pid)

    def match(self, r: MemberRow) -> set[int]:
        found: set[int] = set()
        if r.email and r.email in self.by_email:
            found.add(self.by_email[r.email])
        if r.phone:
            found |= self.by_phone.get(r.phone, set())
        if r.birth_year:
            found |= self.by_name_year.get((folded(r.full_name), r.birth_year), set())
        return found


def row_values(r: MemberRow, org_names: Mapping[int, str]) -> dict[str, Any]:
    """What the row said, for the coordinator who decides the link."""
    employer = org_names.get(r.employer_id) if r.employer_id else r.employer_name
    values = {
        "full_name": r.full_name,
        "email": r.email,
        "phone": r.phone,
        "birth_year": r.birth_year,
        "academic_title": r.academic_title,
        "degree": r.degree,
        "position": r.position,
        "employer": employer,
        "fields": list(r.fields),
    }
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def write_links(
    session: Session, organization_id: int, rows: list[PendingRow], source: str | None
) -> int:
    """Record the pending links of ``rows`` (one per person, none twice); flushes."""
    if not rows:
        return 0
    open_links = set(
        session.scalars(
            select(PendingLink.person_id).where(
                PendingLink.organization_id == organization_id,
                PendingLink.state == LinkState.pending.value,
            )
        )
    )
    actor = current_actor.get()
    made = 0
    for pending in rows:
        for pid in pending.person_ids:
            if pid in open_links:
                continue
            open_links.add(pid)
            session.add(
                PendingLink(
                    organization_id=organization_id,
                    person_id=pid,
                    requested_by_id=actor,
                    source=(source or "")[:255] or None,
                    row_no=pending.row,
                    row_values=pending.values,
                )
            )
            made += 1
    session.flush()
    return made


def decide_link(session: Session, link: PendingLink, user, confirm: bool) -> PendingLink:
    """Confirm (the person joins the roster) or reject a pending link; flushes.

    The link row is locked first, so of two coordinators deciding at once the second
    finds it decided and gets a 409 rather than a second membership.
    """
    locked = session.scalar(
        select(PendingLink)
        .where(PendingLink.id == link.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.state != LinkState.pending.value:
        raise ApiError(409, _("This link was decided already."), "conflict")
    if confirm:
        membership = session.scalar(
            select(Membership).where(
                Membership.person_id == locked.person_id,
                Membership.organization_id == locked.organization_id,
            )
        )
        if membership is None:
            session.add(
                Membership(person_id=locked.person_id, organization_id=locked.organization_id)
            )
        elif membership.ended_on is not None:
            membership.ended_on = None
    locked.state = (LinkState.confirmed if confirm else LinkState.rejected).value
    locked.decided_by_id = user.id
    locked.decided_at = utcnow()
    session.flush()
    return locked
