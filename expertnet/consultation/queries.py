"""Reads of the consultation that pages and API share: both edges call these, never build queries.

Loaders raise :class:`~expertnet.core.errors.NotFound` when the object does not exist or the
viewer may not see it (so its existence is not revealed); each edge maps it to its own 404
(a page, or the API's JSON error). Lists come back as Flask-SQLAlchemy ``Pagination`` objects
(``items``, ``total``, ``page``, ``per_page``, ``pages``). Filters a caller got wrong raise
``ValueError`` naming the filter; the page answers 404 or 422, the API 422 with the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from workflows import State

from ..core.errors import ApiError, NotFound
from ..core.paging import PER_PAGE, paginate
from ..directory import queries as directory_queries
from ..directory.models import Field, Organization, Person
from ..extensions import db
from . import operations as ops
from .models import (
    Document,
    Invitation,
    Meeting,
    Notification,
    PublishedOpinion,
    Request,
    request_field,
)

# --- loaders ----------------------------------------------------------------------------------


def requests_by_id(ids: Iterable[int]) -> dict[int, Request]:
    """The requests with these ids (those that exist), by id."""
    wanted = list(ids)
    if not wanted:
        return {}
    return {r.id: r for r in db.session.scalars(select(Request).where(Request.id.in_(wanted)))}


def request_for(request_id: int, user) -> Request:
    """The request if ``user`` may see it."""
    req = db.session.get(Request, request_id)
    if req is None or not req.can_view(user):
        raise NotFound(_("No such request."))
    return req


def request_for_or_none(request_id: int | None, user) -> Request | None:
    """The request if there is one and ``user`` may see it (a link that may have gone)."""
    req = db.session.get(Request, request_id) if request_id is not None else None
    return req if req is not None and req.can_view(user) else None


def invitation_for(invitation_id: int, user) -> Invitation:
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or not inv.can_view(user):
        raise NotFound(_("No such invitation."))
    return inv


def meeting_for(meeting_id: int, user) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not meeting.request.can_view_meetings(user):
        raise NotFound(_("No such meeting."))
    return meeting


def notification_for(notification_id: int, user) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or not notification.can_view(user):
        raise NotFound(_("Not found."))
    return notification


def document_download(document_id: int, user) -> Response:
    """The file of a document ``user`` may download, as a response."""
    document = db.session.get(Document, document_id)
    if document is None or not document.can_download(user):
        raise NotFound(_("No such document."))
    response = ops.document_download(document)
    if response is None:
        raise NotFound(_("The file is missing from the store."))
    return response


def published_opinion(opinion_id: int, user) -> PublishedOpinion:
    """A published opinion with its recommendations, if ``user`` may read it."""
    opinion = db.session.scalar(
        select(PublishedOpinion)
        .options(selectinload(PublishedOpinion.recommendations))
        .where(PublishedOpinion.id == opinion_id)
    )
    if opinion is None or not opinion.can_view(user):
        raise NotFound(_("No such published opinion."))
    return opinion


# --- request lists ----------------------------------------------------------------------------


def request_list(
    user,
    *,
    state: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Pagination:
    """The requests ``user`` may see, newest change first, by state and kind."""
    stmt = ops.visible_requests(user)
    if state:
        if state not in {s.value for s in State}:
            raise ValueError("state")
        stmt = stmt.where(Request.state == state)
    if kind:
        if kind not in ops.WF.policies:
            raise ValueError("kind")
        stmt = stmt.where(Request.kind == kind)
    stmt = stmt.order_by(Request.updated_at.desc(), Request.id.desc()).options(
        *ops.request_json_load()
    )
    return paginate(stmt, page, per_page)


def requests_in(states: Iterable[State]) -> list[Request]:
    """Every request in one of ``states`` with its agency and coordinator (the workbench)."""
    return list(
        db.session.scalars(
            select(Request)
            .where(Request.state.in_([s.value for s in states]))
            .options(selectinload(Request.agency), selectinload(Request.coordinator))
        )
    )


def approval_queue() -> list[Request]:
    """Consolidated opinions awaiting approval, the longest waiting first."""
    return list(
        db.session.scalars(
            select(Request)
            .where(Request.state == State.APPROVAL.value)
            .order_by(Request.updated_at)
            .options(*ops.request_facts_load())
        )
    )


# --- the published register -------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    """The register's filters, already parsed; empty ones do not filter."""

    kind: str | None = None
    year: int | None = None
    agency: int | None = None
    field: str | None = None
    q: str = ""


def _visible_published(user) -> Select:
    return ops.visible_published(
        select(PublishedOpinion).join(Request, Request.id == PublishedOpinion.request_id), user
    )


def published_register(
    user, filters: RegisterFilters | None, *, page: int = 1, per_page: int = PER_PAGE
) -> Pagination:
    """Published opinions ``user`` may read, newest first; ``None`` filters match nothing.

    Confidential opinions are only for their agency and staff (``ops.visible_published``).
    """
    stmt = _visible_published(user)
    if filters is None:
        stmt = stmt.where(False)
    else:
        if filters.kind:
            if filters.kind not in ops.WF.policies:
                raise ValueError("kind")
            stmt = stmt.where(Request.kind == filters.kind)
        if filters.year:
            stmt = stmt.where(PublishedOpinion.year == filters.year)
        if filters.agency:
            stmt = stmt.where(Request.agency_id == filters.agency)
        if filters.field:
            stmt = stmt.where(
                Request.id.in_(
                    select(request_field.c.request_id)
                    .join(Field, Field.id == request_field.c.field_id)
                    .where(Field.code == filters.field)
                )
            )
        if filters.q:
            stmt = stmt.where(Request.title.ilike(f"%{filters.q}%"))
    stmt = stmt.order_by(PublishedOpinion.published_at.desc(), PublishedOpinion.id.desc())
    return paginate(stmt, page, per_page)


@dataclass
class RegisterChoices:
    """What the register's filters may be set to: only values some visible opinion has."""

    years: list[int]
    agencies: list[tuple[int, str]]
    fields: list[Field]


def register_choices(user) -> RegisterChoices:
    base = ops.visible_published(
        select(PublishedOpinion.id).join(Request, Request.id == PublishedOpinion.request_id), user
    ).subquery()
    visible = PublishedOpinion.id.in_(select(base.c.id))
    years = db.session.scalars(
        select(PublishedOpinion.year)
        .where(visible)
        .distinct()
        .order_by(PublishedOpinion.year.desc())
    ).all()
    agencies = db.session.execute(
        select(Organization.id, Organization.name)
        .join(Request, Request.agency_id == Organization.id)
        .join(PublishedOpinion, PublishedOpinion.request_id == Request.id)
        .where(visible)
        .distinct()
        .order_by(Organization.name)
    ).all()
    fields = db.session.scalars(
        select(Field)
        .join(request_field, request_field.c.field_id == Field.id)
        .join(PublishedOpinion, PublishedOpinion.request_id == request_field.c.request_id)
        .where(visible)
        .distinct()
        .order_by(Field.code)
    ).all()
    return RegisterChoices(list(years), [(i, n) for i, n in agencies], list(fields))


# --- notifications ----------------------------------------------------------------------------


def notifications(
    user, *, unread_only: bool = False, page: int = 1, per_page: int = PER_PAGE
) -> Pagination:
    """The user's in-app notifications, newest first."""
    return paginate(ops.inbox(user, unread_only=unread_only), page, per_page)


def unread_count(user) -> int:
    """How many notifications ``user`` has not read (the header's badge)."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


# --- choice lists and people ------------------------------------------------------------------


#: Choice lists of the request form, read from the directory.
leaf_fields = directory_queries.leaf_fields
organization_names = directory_queries.organization_names


def people_by_id(ids: Iterable[int]) -> dict[int, Person]:
    """People (with their accounts) by id; unknown ids are left out."""
    wanted = list(ids)
    if not wanted:
        return {}
    return {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_(wanted)).options(selectinload(Person.user))
        )
    }


# --- panel suggestions ------------------------------------------------------------------------


def suggestions_refusal(req: Request, user) -> ApiError | None:
    """Why ``user`` may not see panel suggestions for ``req`` now, or None when they may.

    The one rule for pages and API: the union's staff (who see every request) may read
    suggestions from the request's acceptance until its review ends, as ``POST /panels/plan``
    plans panels for those requests too. Inviting from them stays with whoever manages the panel.
    """
    from ..panel.service import PANEL_STATES, can_view_suggestions

    if not can_view_suggestions(user):
        return ApiError(403, _("Only the union's staff may see panel suggestions."))
    if not req.can_view(user):
        return ApiError(404, _("No such request."))
    if req.state not in PANEL_STATES:
        return ApiError(
            409,
            _(
                "Panel suggestions are made once a request is accepted and until its review "
                "ends; this request is %(state)s.",
                state=req.state,
            ),
            code="invalid_state",
        )
    return None


def may_see_suggestions(req: Request, user) -> bool:
    return suggestions_refusal(req, user) is None
