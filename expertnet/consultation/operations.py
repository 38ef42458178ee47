"""Operations of the consultation workflow, shared by the API and the pages (no ``request``).

Each function takes domain objects and validated data, checks what the data model
cannot, changes the session, flushes, writes history and queues notifications. The
caller commits once; mail leaves after that commit (see ``notify``). Refusals are
``ApiError`` (status, code, message, fields) raised before anything is written.

Over 600 lines on purpose: it is the one door every write of the consultation goes
through, from pages and API alike; the writes share the version checks, history and
notification queueing below, and one module is what keeps the two edges from drifting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from workflows import (
    CONSULTATION_WORKFLOW,
    Action,
    ActionOption,
    Actor,
    Audience,
    EffectKind,
    Outcome,
    PanelSeat,
    RequestFacts,
    State,
    VersionConflict,
    WorkflowError,
    apply_action,
    available_actions,
)

from ..auth.models import User
from ..core.errors import ApiError, ValidationFailed
from ..core.i18n import tr
from ..core.localtime import LOCAL_TZ
from ..core.roles import STAFF
from ..core.storage import current_store
from ..core.types import utcnow
from ..directory.models import Field, Organization, Person
from ..extensions import db
from . import documents as files
from . import notify
from .models import (
    OPEN_STATES,
    AgencyResponse,
    ConflictResolution,
    Consolidation,
    ConsultationForm,
    Document,
    Invitation,
    InvitationRole,
    InvitationState,
    Meeting,
    MeetingParticipant,
    Opinion,
    PublishedOpinion,
    PublishedRecommendation,
    Request,
    RequestHistory,
    Signer,
    SignerOffice,
)

WF = CONSULTATION_WORKFLOW
#: A deadline counted in working days falls at the end of the office day (17:00).
END_OF_WORKING_DAY = 17
#: An expert answers an invitation within five working days unless told otherwise.
RESPOND_WORKING_DAYS = 5
NUMBER_SUFFIX = "LHH-TVPB"
_NUMBER_LOCK = 0x4C48_4854_5650  # "LHHTVP": numbering of published opinions


# --- loading lists of requests in a bounded number of statements -------------------------------


def request_json_load() -> tuple:
    """Loader options for lists that serialise requests (``request_json``): a fixed number of
    statements whatever the page size, instead of several lazy loads per request."""
    return (
        joinedload(Request.agency),
        joinedload(Request.coordinator),
        joinedload(Request.published_opinion),
        selectinload(Request.fields),
        selectinload(Request.subject_organizations),
    )


def request_facts_load(path=None) -> tuple:
    """Loader options for lists that ask the engine about each request (``facts_for``)."""

    def via(rel):
        return path.selectinload(rel) if path is not None else selectinload(rel)

    return (
        via(Request.opinions),
        via(Request.invitations).selectinload(Invitation.person).selectinload(Person.user),
        via(Request.consolidation),
        via(Request.published_opinion).selectinload(PublishedOpinion.recommendations),
    )


# --- reading the request for the engine ------------------------------------------------------


def actor_for(user: User) -> Actor:
    """The engine's view of a user: its roles, the organisation it speaks for, its expert record."""
    return Actor(
        user_id=user.id,
        roles=frozenset(user.roles),
        organization_id=user.organization_id if user.role == "agency" else None,
        person_id=user.person_id,
    )


def facts_for(req: Request) -> RequestFacts:
    """What the engine needs to know about ``req``, read from the database."""
    submitted = {o.person_id for o in req.opinions if o.submitted}
    accepted = req.accepted_invitations
    published = req.published_opinion
    consolidation = req.consolidation
    return RequestFacts(
        state=req.state,
        version=req.version,
        kind=req.kind,
        filed_by_user_id=req.filed_by_id,
        agency_organization_id=req.agency_id,
        assigned_coordinator_id=req.coordinator_id,
        panel=tuple(
            PanelSeat(
                i.person_id,
                i.role,
                i.person_id in submitted,
                i.person.user.id if i.person.user is not None else None,
            )
            for i in accepted
        ),
        unresolved_conflicts=sum(1 for i in accepted if i.conflict_unresolved),
        opinion_deadline=req.opinion_due_at,
        has_consolidation=consolidation is not None and bool(consolidation.recommendations),
        consolidation_author_user_id=consolidation.author_id if consolidation else None,
        recommendation_ids=tuple(r.id for r in published.recommendations) if published else (),
    )


def action_options(req: Request, user: User) -> list[ActionOption]:
    """Actions whose state, role and relation fit ``user``, each with what blocks it (pages)."""
    if not user.is_authenticated:
        return []
    return available_actions(WF, facts_for(req), actor_for(user))


def allowed_actions_for(req: Request, user: User) -> list[str]:
    """API.md's ``allowed_actions``: what ``user`` may do now (input guards aside)."""
    return [str(o.action) for o in action_options(req, user) if o.allowed]


def _workflow_error(exc: WorkflowError) -> ApiError:
    """The engine's refusal as the API's error, with the fresh version and state on a conflict."""
    body = exc.to_dict(tr)["error"]
    extra: dict[str, Any] = {}
    if isinstance(exc, VersionConflict):
        extra = {"current_version": exc.current_version, "current_state": str(exc.current_state)}
    return ApiError(exc.status, body["message"], body["code"], body["fields"] or None, extra)


# --- requests -------------------------------------------------------------------------------


def visible_published(stmt: Select, user) -> Select:
    """Restrict a query joining PublishedOpinion and Request to what ``user`` may read.

    Non-confidential opinions are public; confidential ones are for their agency and staff.
    """
    role = user.role if user.is_authenticated else None
    if role in STAFF:
        return stmt
    if role == "agency":
        return stmt.where(
            or_(
                PublishedOpinion.confidential.is_(False),
                Request.agency_id == user.organization_id,
                Request.filed_by_id == user.id,
            )
        )
    return stmt.where(PublishedOpinion.confidential.is_(False))


def visible_requests(user) -> Select:
    """A query of the requests ``user`` may see (the list pages and ``GET /requests``)."""
    stmt = select(Request)
    role = user.role if user.is_authenticated else None
    if role in STAFF:
        return stmt
    if role == "agency":
        return stmt.where(
            or_(Request.agency_id == user.organization_id, Request.filed_by_id == user.id)
        )
    if role is None:
        return stmt.where(False)
    if "expert" in user.roles and user.person_id is not None:
        # An expert (also one who is a liaison as well) sees the requests they are invited to.
        invited = select(Invitation.request_id).where(
            Invitation.person_id == user.person_id,
            Invitation.state.in_([InvitationState.invited, InvitationState.accepted]),
        )
        return stmt.where(or_(Request.id.in_(invited), Request.filed_by_id == user.id))
    return stmt.where(Request.filed_by_id == user.id)


def can_file_request(user) -> bool:
    """Agencies file for their organisation; coordinators file work the union starts itself."""
    return user.is_authenticated and user.role in ("agency", "coordinator")


def _resolve_refs(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    resolved: dict[str, Any] = {}
    if "fields" in data:
        codes = list(dict.fromkeys(data["fields"]))
        found = db.session.scalars(select(Field).where(Field.code.in_(codes))).all()
        missing = set(codes) - {f.code for f in found}
        if missing:
            errors["fields"] = _(
                "Unknown field codes: %(codes)s.", codes=", ".join(sorted(missing))
            )
        resolved["fields"] = sorted(found, key=lambda f: f.code)
    if "subject_organizations" in data:
        ids = list(dict.fromkeys(data["subject_organizations"]))
        orgs = db.session.scalars(select(Organization).where(Organization.id.in_(ids))).all()
        missing_ids = set(ids) - {o.id for o in orgs}
        if missing_ids:
            errors["subject_organizations"] = _(
                "Unknown organisation ids: %(ids)s.", ids=", ".join(map(str, sorted(missing_ids)))
            )
        resolved["subject_organizations"] = list(orgs)
    due = data.get("due_date")
    if isinstance(due, date) and due < datetime.now(LOCAL_TZ).date():
        errors["due_date"] = _("The date must not be in the past.")
    if errors:
        raise ValidationFailed(errors)
    return resolved


def create_request(user: User, data: Mapping[str, Any]) -> Request:
    """File a new request in ``draft``; an agency files for its own organisation."""
    if not can_file_request(user):
        raise ApiError(403, _("Only agencies and coordinators may file requests."))
    data = _due_in_working_days(data)
    resolved = _resolve_refs(data)
    req = Request(
        kind=data["kind"],
        title=data["title"],
        summary=data.get("summary") or "",
        due_date=data.get("due_date"),
        confidential=bool(data.get("confidential")),
        agency_letter_number=data.get("agency_letter_number") or None,
        agency_letter_date=data.get("agency_letter_date"),
        agency_id=user.organization_id if user.role == "agency" else None,
        filed_by_id=user.id,
        state=State.DRAFT.value,
        version=1,
        fields=resolved.get("fields", []),
        subject_organizations=resolved.get("subject_organizations", []),
    )
    db.session.add(req)
    db.session.flush()
    return req


def _check_consultation_form(req: Request, user: User, form: Any) -> None:
    """The coordinator chooses the form while the panel is formed; written opinions only
    cannot be chosen once a meeting is scheduled (a meeting belongs to the other forms)."""
    if not (req.is_coordinating(user) and req.state == State.PANEL_FORMING):
        raise ApiError(
            403,
            _(
                "The request's coordinator chooses the form of consultation "
                "while forming the panel."
            ),
        )
    if form not in ConsultationForm.values():
        raise ValidationFailed({"consultation_form": _("Not a valid choice.")})
    if not ConsultationForm(form).meets and req.meetings:
        raise ApiError(
            409,
            _(
                "Meetings are scheduled for this request: "
                "cancel them before choosing written opinions only."
            ),
            "conflict",
        )


def working_day_deadline(days: int, *, hour: int | None = None) -> date | datetime:
    """The day ``days`` working days from today (Hà Nội), skipping weekends and holidays;
    with ``hour``, that hour of that day (in UTC)."""
    from ..core.workdays import add_working_days, parse_holidays

    holidays = parse_holidays(current_app.config.get("EXPERTNET_HOLIDAYS"))
    today = utcnow().astimezone(LOCAL_TZ).date()
    due = add_working_days(today, days, holidays)
    if hour is None:
        return due
    return datetime(due.year, due.month, due.day, hour, tzinfo=LOCAL_TZ).astimezone(UTC)


def _due_in_working_days(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """``due_in_working_days`` (the agency's answer-by date counted in working days) as a
    ``due_date``; giving both is refused."""
    days = data.get("due_in_working_days")
    if days is None:
        return data
    if data.get("due_date") is not None:
        raise ValidationFailed(
            {"due_in_working_days": _("Give the deadline as a date or in days.")}
        )
    out = {k: v for k, v in data.items() if k != "due_in_working_days"}
    out["due_date"] = working_day_deadline(days)
    return out


def update_request(req: Request, user: User, data: Mapping[str, Any]) -> Request:
    """Change the request's own fields: the filer before triage, the coordinator the deadline."""
    agency_keys = set(data) - {"opinion_due_at", "consultation_form"}
    if agency_keys and not req.can_edit(user):
        raise ApiError(
            403, _("The request can be changed by its filer while it is a draft or returned.")
        )
    if "opinion_due_at" in data and not (
        req.is_coordinating(user) and req.state not in (State.PUBLISHED, State.CLOSED)
    ):
        raise ApiError(403, _("Only the request's coordinator sets the opinion deadline."))
    if "consultation_form" in data:
        _check_consultation_form(req, user, data["consultation_form"])
    data = _due_in_working_days(data)
    resolved = _resolve_refs(data)
    for key in (
        "kind",
        "title",
        "summary",
        "due_date",
        "confidential",
        "opinion_due_at",
        "agency_letter_number",
        "agency_letter_date",
        "consultation_form",
    ):
        if key in data:
            setattr(req, key, data[key] if key != "summary" else (data[key] or ""))
    for key in ("fields", "subject_organizations"):
        if key in resolved:
            setattr(req, key, resolved[key])
    db.session.flush()
    return req


# --- workflow actions -------------------------------------------------------------------------


def _check_action_input(req: Request, action: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Type-check the parts of the body the engine does not look at; return app-side changes."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = _("Not a valid string.")
    if action == Action.START_REVIEW and payload.get("opinion_due_at") is not None:
        raw = payload["opinion_due_at"]
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            errors["opinion_due_at"] = _("Not a valid datetime.")
        else:
            changes["opinion_due_at"] = (
                moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            )
    if action == Action.START_REVIEW and payload.get("opinion_due_working_days") is not None:
        raw = payload["opinion_due_working_days"]
        days = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if days is None or not 1 <= days <= 120:
            errors["opinion_due_working_days"] = _("A whole number from 1 to 120.")
        elif payload.get("opinion_due_at") is not None:
            errors["opinion_due_working_days"] = _("Give the deadline as a date or in days.")
        else:
            changes["opinion_due_at"] = _working_days_from_now(days)
    if action == Action.APPROVE and payload.get("letter_number") not in (None, ""):
        number = _letter_number(payload["letter_number"])
        if number is None:
            errors["letter_number"] = _("A whole number from 1 to 99999.")
        elif _number_taken(number, utcnow()):
            errors["letter_number"] = _(
                "Number %(n)s is already on a letter of this year.", n=number
            )
    if errors:
        raise ValidationFailed(errors)
    return changes


def _working_days_from_now(days: int) -> datetime:
    """End of the working day (17:00 in Hà Nội) ``days`` working days from today."""
    return working_day_deadline(days, hour=END_OF_WORKING_DAY)


def _letter_number(value: Any) -> int | None:
    """The number the union's register (văn thư) gave the letter, if it is one."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 1 <= number <= 99999 else None


def _number_taken(number: int, now: datetime) -> bool:
    year = now.astimezone(LOCAL_TZ).year
    return (
        db.session.scalar(
            select(PublishedOpinion.id).where(
                PublishedOpinion.year == year, PublishedOpinion.sequence == number
            )
        )
        is not None
    )


def perform_action(
    req: Request,
    action: str,
    user: User,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Apply a workflow action: engine checks, compare-and-set of the version, history, effects.

    Two users acting at once both pass the engine's checks on the version they read;
    the ``UPDATE … WHERE version = :old`` lets exactly one through (on PostgreSQL the
    loser waits for the winner's row lock, then finds the version changed) and the
    other gets a 409 with the fresh state, with nothing written.
    """
    payload = dict(payload or {})
    if expected_version is not None and (
        isinstance(expected_version, bool) or not isinstance(expected_version, int)
    ):
        raise ValidationFailed({"version": _("Must be a whole number.")})
    try:
        outcome = apply_action(
            WF, facts_for(req), action, actor_for(user), payload, expected_version=expected_version
        )
    except WorkflowError as exc:
        raise _workflow_error(exc) from None
    changes = _check_action_input(req, action, payload)

    now = outcome.history_entry.at
    values: dict[str, Any] = {
        "state": str(outcome.to_state),
        "version": outcome.new_version,
        "updated_at": now,
    }
    # Columns the database requires in the new state travel in the same UPDATE.
    stamp = _STAMPS.get(outcome.to_state)
    if stamp is not None:
        values[stamp] = now
    if req.coordinator_id is None and any(
        e.kind is EffectKind.ASSIGN_COORDINATOR for e in outcome.effects
    ):
        values["coordinator_id"] = user.id
    table = Request.__table__
    old_version = req.version
    result = db.session.execute(
        update(table).where(table.c.id == req.id, table.c.version == old_version).values(**values)
    )
    if result.rowcount != 1:
        # Someone else won the race: answer with the state their commit left.
        db.session.expire(req)
        fresh = VersionConflict(expected=old_version, current=req.version, state=req.state)
        raise _workflow_error(fresh)
    for key, value in values.items():
        set_committed_value(req, key, value)
    for key, value in changes.items():
        setattr(req, key, value)

    entry = outcome.history_entry
    db.session.add(
        RequestHistory(
            request_id=req.id,
            action=str(entry.action),
            from_state=str(entry.from_state),
            to_state=str(entry.to_state),
            actor_user_id=entry.actor_user_id,
            actor_role=str(entry.actor_role),
            at=entry.at,
            comment=entry.comment,
            payload=dict(entry.payload),
            version=entry.version,
        )
    )
    after = _AFTER.get(Action(str(outcome.transition.action)))
    if after is not None:
        after(req, user, payload, now)
    db.session.flush()
    _notify_effects(req, outcome, user, entry.comment)
    db.session.flush()
    return outcome


def _signer_of(user: User) -> dict[str, str]:
    """The approver's name and office as configured (``expertnet signer``), else the account's."""
    signer = db.session.get(Signer, user.id)
    if signer is None:
        return {"name": user.name, "office": SignerOffice.president.value}
    return {"name": signer.name, "office": signer.office}


def publication_content(req: Request, user: User, number: str, now: datetime) -> dict[str, Any]:
    """What publishing ``req`` now would freeze: the letter's content, read from the request."""
    consolidation = req.consolidation
    assert consolidation is not None
    names = _person_names(
        {i.person_id for i in req.accepted_invitations}
        | {pid for r in consolidation.recommendations for pid in r.get("endorsed_by", [])}
        | {d["expert_id"] for r in consolidation.recommendations for d in r.get("dissent", [])}
    )
    recommendations = [
        {
            "position": n,
            "text": r["text"],
            "endorsed_by": list(r.get("endorsed_by", [])),
            "dissent": [dict(d) for d in r.get("dissent", [])],
        }
        for n, r in enumerate(consolidation.recommendations, start=1)
    ]
    content = {
        "number": number,
        "request": {
            "id": req.id,
            "kind": req.kind,
            "title": req.title,
            "summary": req.summary,
            "agency": req.agency.name if req.agency else None,
            "fields": [f.code for f in req.fields],
            "subject_organizations": [o.name for o in req.subject_organizations],
            "due_date": req.due_date.isoformat() if req.due_date else None,
            "agency_letter": {
                "number": req.agency_letter_number,
                "date": req.agency_letter_date.isoformat() if req.agency_letter_date else None,
            },
        },
        "text": consolidation.text,
        "recommendations": recommendations,
        "panel": [
            {"expert_id": i.person_id, "name": names.get(i.person_id), "role": i.role}
            for i in req.accepted_invitations
        ],
        "experts": {str(k): v for k, v in sorted(names.items())},
        "dates": {
            "filed_at": req.created_at.isoformat(),
            "submitted_at": req.submitted_at.isoformat() if req.submitted_at else None,
            "published_at": now.isoformat(),
        },
        "approved_by": user.name,
        "signer": _signer_of(user),
        "recipients": {
            "report_to": list(current_app.config.get("EXPERTNET_LETTER_REPORT_TO") or []),
            "added": list(consolidation.recipients or []),
        },
    }
    return content


def preview_content(req: Request, user: User, now: datetime | None = None) -> dict[str, Any]:
    """The content approval would publish, with the number left for the register to give."""
    return publication_content(req, user, f"…/{NUMBER_SUFFIX}", now or utcnow())


def _publish(req: Request, user: User, payload: Mapping[str, Any], now: datetime) -> None:
    """Freeze the consolidation as the published opinion: numbered, hashed, never changed again."""
    consolidation = req.consolidation
    assert consolidation is not None  # the engine's guard has checked it
    if db.session.get_bind().dialect.name == "postgresql":
        # Two approvals of different requests at once would both read the same highest
        # number; a transaction-scoped lock makes them take turns for the next one.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NUMBER_LOCK})
    year = now.astimezone(LOCAL_TZ).year
    given = _letter_number(payload.get("letter_number"))
    if given is not None:
        # The register's number; checked before, and again here under the lock.
        if _number_taken(given, now):
            raise ValidationFailed(
                {"letter_number": _("Number %(n)s is already on a letter of this year.", n=given)}
            )
        sequence = given
    else:
        sequence = (
            db.session.scalar(
                select(func.max(PublishedOpinion.sequence)).where(PublishedOpinion.year == year)
            )
            or 0
        ) + 1
    # NĐ 30/2020: numbers below 10 are written with a leading zero ("Số: 01/LHH-TVPB").
    number = f"{sequence:02d}/{NUMBER_SUFFIX}"
    content = publication_content(req, user, number, now)
    recommendations = content["recommendations"]
    opinion = PublishedOpinion(
        request_id=req.id,
        year=year,
        sequence=sequence,
        number=number,
        content=content,
        content_hash=content_hash(content),
        approved_by_id=user.id,
        published_at=now,
        confidential=req.confidential,
    )
    db.session.add(opinion)
    db.session.flush()
    for rec in recommendations:
        db.session.add(
            PublishedRecommendation(
                opinion_id=opinion.id,
                position=rec["position"],
                text=rec["text"],
                endorsed_by=rec["endorsed_by"],
                dissent=rec["dissent"],
            )
        )
    db.session.flush()
    db.session.refresh(req, ["published_opinion"])


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a published opinion's content."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _record_responses(req: Request, user: User, payload: Mapping[str, Any], now: datetime) -> None:
    published = req.published_opinion
    assert published is not None
    by_id = {r.id: r for r in published.recommendations}
    for item in payload["responses"]:
        db.session.add(
            AgencyResponse(
                recommendation_id=by_id[item["recommendation"]].id,
                status=item["status"],
                explanation=(item.get("explanation") or "").strip() or None,
                recorded_by_id=user.id,
                recorded_at=now,
            )
        )


_AFTER: dict[Action, Callable[[Request, User, Mapping[str, Any], datetime], None]] = {
    Action.APPROVE: _publish,
    Action.RECORD_RESPONSE: _record_responses,
}
_STAMPS: dict[Any, str] = {
    State.SUBMITTED: "submitted_at",
    State.PUBLISHED: "published_at",
    State.CLOSED: "closed_at",
}


def _person_names(ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return {
        p.id: p.display_name for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))
    }


def _active(stmt: Select) -> list[User]:
    return list(db.session.scalars(stmt.where(User.active.is_(True)).order_by(User.id)))


def audience_users(req: Request, audience: Audience, actor: User) -> list[User]:
    """The users an effect's audience means for ``req``."""
    if audience is Audience.ACTOR:
        return [actor]
    if audience is Audience.AGENCY:
        users = [req.filed_by]
        if req.agency_id is not None:
            users += _active(
                select(User).where(User.role == "agency", User.organization_id == req.agency_id)
            )
        return users
    if audience is Audience.COORDINATOR:
        if req.coordinator is not None:
            return [req.coordinator]
        return _active(select(User).where(User.role == "coordinator"))
    if audience is Audience.PANEL:
        return [i.person.user for i in req.accepted_invitations if i.person.user is not None]
    if audience is Audience.APPROVERS:
        return _active(select(User).where(User.role == "approver"))
    if audience is Audience.CONSOLIDATION_AUTHOR:
        return [req.consolidation.author] if req.consolidation else []
    return []


def _notify_effects(req: Request, outcome: Outcome, actor: User, comment: str | None) -> None:
    done: set[tuple[str, int]] = set()
    for effect in outcome.effects:
        if effect.kind is not EffectKind.NOTIFY or effect.template is None:
            continue
        for user in audience_users(req, effect.to, actor):
            # People learn about their own actions from the answer, not from mail.
            if user is None or (user.id == actor.id and effect.to is not Audience.ACTOR):
                continue
            if (effect.template, user.id) in done:
                continue
            done.add((effect.template, user.id))
            notify.queue(
                user,
                effect.template,
                f"{effect.template}:r{req.id}:v{outcome.new_version}:u{user.id}",
                request=req,
                actor=actor,
                comment=comment,
            )


def history_of(req: Request) -> list[RequestHistory]:
    return list(req.history)


# --- panel ------------------------------------------------------------------------------------


def workload(person_ids: Iterable[int]) -> dict[int, int]:
    """Accepted seats per expert on requests still open (not published, closed or stopped),
    plus the contest editions in which they still have entries to judge.

    This is the workload the accept cap (``Person.max_assignments``) is checked against.
    """
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Invitation.person_id, func.count())
        .join(Request, Request.id == Invitation.request_id)
        .where(
            Invitation.person_id.in_(ids),
            Invitation.state == InvitationState.accepted,
            Request.state.in_(OPEN_STATES),
        )
        .group_by(Invitation.person_id)
    ).all()
    counts = dict.fromkeys(ids, 0)
    counts.update(dict(rows))
    # Contest juries count too: one per edition with entries still to judge (one rule for
    # both workflows, see ``expertnet.contest.workload``).
    from ..contest.workload import judging_units

    for person_id, units in judging_units(ids).items():
        counts[person_id] += units
    return counts


def _require_panel_manager(req: Request, user: User) -> None:
    if not req.is_coordinating(user):
        raise ApiError(403, _("Only the request's coordinator manages its panel."))
    if not req.can_manage_panel(user):
        raise ApiError(
            409,
            _(
                "The panel can be changed while it is forming or in review, "
                "not while the request is %(state)s.",
                state=tr(State(req.state).label),
            ),
            "invalid_transition",
        )


def _check_invitable(
    req: Request,
    person: Person | None,
    role: str,
    respond_by: datetime | None,
    *,
    freeing: Invitation | None = None,
    field: str = "expert_id",
) -> None:
    """Refuse an invitation that cannot be made; ``freeing`` is a seat about to be vacated."""
    if person is None:
        raise ValidationFailed({field: _("No such expert.")})
    from ..access.operations import account_problem

    # No account yet is fine (one without a password is made with the invitation); no
    # e-mail address is not: the invitation could not reach the expert.
    problem = account_problem(person)
    if problem is not None:
        raise ValidationFailed({field: problem})
    if respond_by is not None and respond_by <= utcnow():
        raise ValidationFailed({"respond_by": _("The date must be in the future.")})
    live = [
        i
        for i in req.invitations
        if i.state in (InvitationState.invited, InvitationState.accepted) and i is not freeing
    ]
    if any(i.person_id == person.id for i in live):
        raise ApiError(409, _("This expert is already invited to this panel."), "duplicate")
    if role in (InvitationRole.chair, InvitationRole.secretary) and any(
        i.role == role for i in live
    ):
        raise ValidationFailed(
            {"role": _("The panel already has a %(role)s.", role=InvitationRole(role).label)}
        )


def invite(
    req: Request, person: Person | None, role: str, respond_by: datetime | None, by: User
) -> Invitation:
    """Invite an expert to the panel with a role and a respond-by date."""
    _require_panel_manager(req, by)
    _check_invitable(req, person, role, respond_by)
    assert person is not None
    from ..access.operations import ensure_account

    user = ensure_account(person)
    inv = Invitation(
        request=req,
        person=person,
        role=role,
        state=InvitationState.invited.value,
        respond_by=respond_by,
        invited_by_id=by.id,
        invited_at=utcnow(),
    )
    db.session.add(inv)
    db.session.flush()
    notify.queue(
        user,
        "invitation_received",
        f"invitation_received:i{inv.id}",
        request=req,
        invitation=inv,
    )
    return inv


def _lock_invitation(inv: Invitation) -> None:
    """Re-read ``inv`` under a row lock, so a change committed meanwhile is what we check.

    Two answers to one invitation at once queue on this lock; the second then sees the
    first one's state (on SQLite the database-wide write lock serialises them anyway).
    """
    db.session.scalars(
        select(Invitation)
        .where(Invitation.id == inv.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _lock_person(person_id: int) -> None:
    """Serialise everything that counts an expert's seats against the cap, per expert."""
    db.session.execute(select(Person.id).where(Person.id == person_id).with_for_update()).one()


def _require_open_invitation(
    inv: Invitation, user: User, expected_version: int | None = None
) -> None:
    if not inv.can_respond(user):
        raise ApiError(403, _("This invitation is addressed to another expert."))
    _check_version(inv, expected_version, _("invitation"))
    if inv.state != InvitationState.invited:
        raise ApiError(
            409,
            _("This invitation is already %(state)s.", state=InvitationState(inv.state).label),
            "invalid_transition",
        )
    if inv.request.state not in (State.PANEL_FORMING, State.IN_REVIEW):
        raise ApiError(
            409, _("The panel of this request is no longer being formed."), "invalid_transition"
        )


def accept_invitation(
    inv: Invitation,
    user: User,
    declaration: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Invitation:
    """The expert takes the seat, declaring any conflict; refused at the workload cap.

    The expert's row is locked before the seats are counted, so two accepts at once (of
    one invitation or of two) are decided one after the other: the cap holds and a second
    accept of the same invitation answers 409 with nothing changed.
    """
    _require_open_invitation(inv, user, expected_version)
    person = inv.person
    _lock_person(person.id)
    _lock_invitation(inv)
    _require_open_invitation(inv, user, expected_version)
    current = workload([person.id])[person.id]
    if current >= person.max_assignments:
        raise ApiError(
            409,
            _(
                "You already sit on %(n)s open panels, your limit. Finish or hand back one "
                "before accepting another.",
                n=current,
            ),
            "workload_cap",
        )
    inv.state = InvitationState.accepted.value
    inv.responded_at = utcnow()
    inv.conflict_declaration = {
        "has_conflict": bool(declaration.get("has_conflict")),
        "details": declaration.get("details") if declaration.get("has_conflict") else None,
    }
    db.session.flush()
    req = inv.request
    kind = "conflict_declared" if inv.has_conflict else "invitation_accepted"
    notify.queue_many(
        audience_users(req, Audience.COORDINATOR, user),
        kind,
        f"{kind}:i{inv.id}",
        request=req,
        invitation=inv,
    )
    return inv


def decline_invitation(
    inv: Invitation, user: User, reason: str, *, expected_version: int | None = None
) -> Invitation:
    """The expert declines, with a reason the coordinator sees."""
    _require_open_invitation(inv, user, expected_version)
    _lock_invitation(inv)
    _require_open_invitation(inv, user, expected_version)
    inv.state = InvitationState.declined.value
    inv.responded_at = utcnow()
    inv.decline_reason = reason
    db.session.flush()
    req = inv.request
    notify.queue_many(
        audience_users(req, Audience.COORDINATOR, user),
        "invitation_declined",
        f"invitation_declined:i{inv.id}",
        request=req,
        invitation=inv,
    )
    return inv


def revoke_invitation(inv: Invitation, by: User, reason: str | None = None) -> Invitation:
    """The coordinator withdraws an invitation or a seat."""
    _require_panel_manager(inv.request, by)
    _lock_invitation(inv)
    if inv.state not in (InvitationState.invited, InvitationState.accepted):
        raise ApiError(
            409, _("Only an open invitation or a seat can be revoked."), "invalid_transition"
        )
    inv.state = InvitationState.revoked.value
    inv.revoked_at = utcnow()
    db.session.flush()
    if inv.person.user is not None:
        notify.queue(
            inv.person.user,
            "invitation_revoked",
            f"invitation_revoked:i{inv.id}",
            request=inv.request,
            invitation=inv,
            comment=reason,
        )
    return inv


def replace_invitation(
    inv: Invitation, person: Person | None, by: User, respond_by: datetime | None = None
) -> Invitation:
    """Invite ``person`` to the seat of a declined or revoked invitation (revoking it if open)."""
    _require_panel_manager(inv.request, by)
    _lock_invitation(inv)
    if inv.replaced_by_id is not None:
        raise ApiError(409, _("This seat has already been given to another expert."), "duplicate")
    _check_invitable(inv.request, person, inv.role, respond_by, freeing=inv)
    if inv.state in (InvitationState.invited, InvitationState.accepted):
        inv.state = InvitationState.revoked.value
        inv.revoked_at = utcnow()
        db.session.flush()
    new = invite(inv.request, person, inv.role, respond_by, by)
    inv.replaced_by_id = new.id
    db.session.flush()
    return new


def resolve_conflict(
    inv: Invitation,
    by: User,
    resolution: str,
    note: str,
    replacement: Person | None = None,
    respond_by: datetime | None = None,
) -> Invitation:
    """The coordinator keeps a member with a declared conflict (with a note) or replaces them."""
    _require_panel_manager(inv.request, by)
    _lock_invitation(inv)
    if not inv.conflict_unresolved:
        raise ApiError(
            409, _("This member has no unresolved conflict of interest."), "invalid_transition"
        )
    if resolution == ConflictResolution.replaced and replacement is None:
        raise ValidationFailed(
            {"replacement_expert_id": _("Choose the expert who takes the seat.")}
        )
    if resolution == ConflictResolution.replaced:
        _check_invitable(
            inv.request,
            replacement,
            inv.role,
            respond_by,
            freeing=inv,
            field="replacement_expert_id",
        )
    inv.conflict_resolution = resolution
    inv.conflict_note = note
    inv.conflict_resolved_by_id = by.id
    inv.conflict_resolved_at = utcnow()
    db.session.flush()
    if resolution == ConflictResolution.replaced:
        replace_invitation(inv, replacement, by, respond_by)
    return inv


def invitations_of(user: User) -> list[Invitation]:
    """An expert's invitations, newest first (``GET /me/invitations``, the expert inbox)."""
    if user.person_id is None:
        return []
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.person_id == user.person_id)
            .order_by(Invitation.invited_at.desc(), Invitation.id.desc())
            .options(
                selectinload(Invitation.request).selectinload(Request.opinions),
                selectinload(Invitation.request).selectinload(Request.published_opinion),
            )
        )
    )


# --- opinions ---------------------------------------------------------------------------------


def own_opinion(req: Request, user: User) -> Opinion | None:
    if user.person_id is None:
        return None
    return next((o for o in req.opinions if o.person_id == user.person_id), None)


def _check_version(obj, expected: int | None, what: str) -> None:
    if expected is not None and expected != obj.version:
        raise ApiError(
            409,
            _(
                "Someone else changed this %(what)s meanwhile (version %(v)s). "
                "Reload it and try again.",
                what=what,
                v=obj.version,
            ),
            "version_conflict",
            extra={"current_version": obj.version},
        )


@contextmanager
def _opinion_race(req: Request, user: User) -> Iterator[None]:
    """Write the caller's opinion inside a savepoint; a lost race answers 409, never 500.

    Opinion updates are ``UPDATE … WHERE version = :read`` (the mapper's version column),
    and a first save is an INSERT under the one-opinion-per-expert constraint: of two
    writes at once, the second finds the version moved or the row already there. Only
    this block is rolled back, so the fresh version can be read for the answer.
    """
    savepoint = db.session.begin_nested()
    try:
        yield
        db.session.flush()
    except (StaleDataError, IntegrityError):
        savepoint.rollback()
        db.session.expire(req, ["opinions"])
        fresh = own_opinion(req, user)
        raise ApiError(
            409,
            _(
                "Your opinion was changed meanwhile, perhaps in another window. "
                "Reload it and try again."
            ),
            "version_conflict",
            extra={"current_version": fresh.version if fresh is not None else None},
        ) from None
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()


def save_opinion(req: Request, user: User, data: Mapping[str, Any]) -> Opinion:
    """Save the caller's draft; saving a submitted opinion makes it a draft to resubmit."""
    if not req.is_panel_member(user):
        raise ApiError(403, _("Only the panel's members write opinions on this request."))
    if req.state != State.IN_REVIEW:
        raise ApiError(
            409, _("Opinions can be written while the request is in review."), "invalid_transition"
        )
    opinion = own_opinion(req, user)
    if opinion is not None:
        _check_version(opinion, data.get("version"), _("opinion"))
    with _opinion_race(req, user):
        if opinion is None:
            opinion = Opinion(request=req, person_id=user.person_id, recommendations=[])
            db.session.add(opinion)
        for key in ("summary", "assessment", "position"):
            if key in data:
                setattr(opinion, key, data[key])
        if "recommendations" in data:
            opinion.recommendations = [{"text": r["text"]} for r in data["recommendations"]]
        opinion.submitted_at = None
    return opinion


def submit_opinion(req: Request, user: User) -> Opinion:
    """Submit the caller's opinion; it needs a summary and a position."""
    if not req.is_panel_member(user):
        raise ApiError(403, _("Only the panel's members write opinions on this request."))
    if req.state != State.IN_REVIEW:
        raise ApiError(
            409,
            _("Opinions can be submitted while the request is in review."),
            "invalid_transition",
        )
    opinion = own_opinion(req, user)
    if opinion is None:
        raise ApiError(409, _("Save your opinion before submitting it."), "no_draft")
    errors = {}
    if not (opinion.summary or "").strip():
        errors["summary"] = _("A summary is required to submit.")
    if not opinion.position:
        errors["position"] = _("Choose a position to submit.")
    if errors:
        raise ValidationFailed(errors)
    if opinion.submitted_at is not None:
        return opinion
    with _opinion_race(req, user):
        opinion.submitted_at = utcnow()
    notify.queue_many(
        audience_users(req, Audience.COORDINATOR, user),
        "opinion_submitted",
        f"opinion_submitted:o{opinion.id}:v{opinion.version}",
        request=req,
        opinion=opinion,
    )
    return opinion


def visible_opinions(req: Request, user: User) -> list[Opinion]:
    """Staff see all; an expert only their own until publication, then the panel's."""
    if req.can_view_all_opinions(user):
        return list(req.opinions)
    own = own_opinion(req, user) if req.is_panel_member(user) else None
    return [own] if own is not None else []


# --- consolidation ----------------------------------------------------------------------------


def save_consolidation(req: Request, user: User, data: Mapping[str, Any]) -> Consolidation:
    """Write the consolidated opinion; dissent once recorded cannot be removed."""
    if not (req.is_coordinating(user) or req.is_panel_secretary(user)):
        raise ApiError(403, _("The coordinator or the panel's secretary writes the consolidation."))
    if req.state != State.CONSOLIDATION:
        raise ApiError(
            409, _("The consolidation is written after the review closes."), "invalid_transition"
        )
    panel = {i.person_id for i in req.accepted_invitations}
    errors: dict[str, str] = {}
    recs = data["recommendations"]
    for n, rec in enumerate(recs):
        strangers = sorted(set(rec.get("endorsed_by", [])) - panel)
        if strangers:
            errors[f"recommendations.{n}.endorsed_by"] = _(
                "Not members of this panel: %(ids)s.", ids=", ".join(map(str, strangers))
            )
        for k, d in enumerate(rec.get("dissent", [])):
            if d["expert_id"] not in panel:
                errors[f"recommendations.{n}.dissent.{k}.expert_id"] = _(
                    "Not a member of this panel: %(id)s.", id=d["expert_id"]
                )
    recipients = data.get("recipients") or []
    if len(recipients) > 20 or any(not 2 <= len(r) <= 200 for r in recipients):
        errors["recipients"] = _("At most 20 recipients, each of 2 to 200 characters.")
    existing = req.consolidation
    if existing is not None:
        _check_version(existing, data.get("version"), _("consolidation"))
        before = {
            (d["expert_id"], d["text"])
            for r in existing.recommendations
            for d in r.get("dissent", [])
        }
        after = {(d["expert_id"], d["text"]) for r in recs for d in r.get("dissent", [])}
        dropped = before - after
        if dropped:
            errors["recommendations"] = _(
                "Recorded dissent is kept, never erased; missing dissent of experts %(ids)s.",
                ids=", ".join(str(pid) for pid in sorted({pid for pid, _t in dropped})),
            )
    if errors:
        raise ValidationFailed(errors)
    clean = [
        {
            "text": r["text"],
            "endorsed_by": sorted(set(r.get("endorsed_by", []))),
            "dissent": [
                {"expert_id": d["expert_id"], "text": d["text"]} for d in r.get("dissent", [])
            ],
        }
        for r in recs
    ]
    if existing is None:
        existing = Consolidation(
            request=req, text=data["text"], recommendations=clean, author_id=user.id
        )
        db.session.add(existing)
    else:
        existing.text = data["text"]
        existing.recommendations = clean
        existing.author_id = user.id
    if data.get("recipients") is not None:
        existing.recipients = list(dict.fromkeys(data["recipients"]))
    db.session.flush()
    return existing


# --- documents --------------------------------------------------------------------------------


def add_document(req: Request, user: User, filename: str, stream) -> Document:
    """Keep an uploaded file for ``req``: at most 25 MB, PDF, DOCX, ODT or XLSX by content."""
    if not req.can_view(user) or not req.can_upload_document(user):
        raise ApiError(403, _("You may not add documents to this request now."))
    try:
        sha, size, kind, name = files.store(stream, filename, current_store())
    except files.DocumentRejected as exc:
        if exc.status == 413:
            raise ApiError(413, _("The file is too large (at most 25 MB).")) from None
        message = {
            "name": _("The file needs a name with an extension."),
            "empty": _("The file is empty."),
            "type": _(
                "Only PDF, DOCX, ODT and XLSX files are accepted (checked by their content)."
            ),
            "extension": _("The file's name does not match its content."),
            "archive": _(
                "The file unpacks to far more data than it holds (too many parts, too large "
                "or too highly compressed); it is refused as a possible decompression bomb."
            ),
        }[exc.reason]
        raise ValidationFailed({"file": message}) from None
    existing = next((d for d in req.documents if d.sha256 == sha), None)
    if existing is not None:
        return existing
    doc = Document(
        request=req,
        filename=name,
        sha256=sha,
        size=size,
        media_type=kind.value,
        uploaded_by_id=user.id,
        uploaded_at=utcnow(),
    )
    db.session.add(doc)
    db.session.flush()
    return doc


def document_download(doc: Document):
    """The response that sends ``doc``'s file, or None when the store does not have it."""
    return current_store().download(
        files.key_for(doc.sha256), mimetype=doc.media_type, download_name=doc.filename
    )


# --- meetings ---------------------------------------------------------------------------------


def _apply_meeting(meeting: Meeting, req: Request, data: Mapping[str, Any]) -> None:
    # Checked with autoflush off: half-applied changes must not reach the database (and
    # its CHECK constraints) before the whole input is known to be valid.
    with db.session.no_autoflush:
        _apply_meeting_unflushed(meeting, req, data)


def _apply_meeting_unflushed(meeting: Meeting, req: Request, data: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    place = data.get("place", meeting.place)
    online_url = data.get("online_url", meeting.online_url)
    if not (place or online_url):
        errors["place"] = _("Give a place or an online link.")
    wanted: set[int] = (
        set(data["experts"]) if "experts" in data else {p.person_id for p in meeting.participants}
    )
    attendance = {a["expert_id"]: a["attended"] for a in data.get("attendance", [])}
    wanted |= set(attendance)
    # Invitees are the panel (and named guests): a meeting tells its invitees the request's
    # title, so nobody else is added. Someone already invited may stay after leaving it.
    allowed = {i.person_id for i in req.accepted_invitations}
    allowed |= {p.person_id for p in meeting.participants}
    outside = sorted(wanted - allowed)
    if outside:
        errors["experts"] = _(
            "Only members of this request's panel can be invited (others as guests by name); "
            "not: %(ids)s.",
            ids=", ".join(map(str, outside)),
        )
    if errors:
        raise ValidationFailed(errors)
    for key in ("kind", "title", "starts_at", "place", "online_url", "agenda", "minutes", "held"):
        if key in data:
            setattr(meeting, key, data[key])
    if "guests" in data:
        meeting.guests = [dict(g) for g in data["guests"]]
    have = {p.person_id: p for p in meeting.participants}
    for pid, part in list(have.items()):
        if pid not in wanted:
            meeting.participants.remove(part)
    for pid in sorted(wanted):
        part = have.get(pid)
        if part is None:
            part = MeetingParticipant(person_id=pid)
            meeting.participants.append(part)
        if pid in attendance:
            part.attended = attendance[pid]


def create_meeting(req: Request, user: User, data: Mapping[str, Any]) -> Meeting:
    """Schedule a workshop, conference or panel meeting for ``req`` and tell the invited experts."""
    if not req.holds_meetings and req.is_coordinating(user):
        raise ApiError(
            409,
            _("The panel gives written opinions only: no meeting is held for this request."),
            "conflict",
        )
    if not req.can_manage_meetings(user):
        raise ApiError(
            403, _("The request's coordinator schedules its meetings once it is accepted.")
        )
    meeting = Meeting(request_id=req.id, created_by_id=user.id, guests=[])
    _apply_meeting(meeting, req, data)
    db.session.add(meeting)
    db.session.flush()
    users = [p.person.user for p in meeting.participants if p.person.user is not None]
    from .calendar import MEDIA_TYPE, filename, meeting_ics

    ics = {"filename": filename(meeting), "media_type": MEDIA_TYPE, "text": meeting_ics(meeting)}
    notify.queue_many(
        users,
        "meeting_scheduled",
        f"meeting_scheduled:m{meeting.id}",
        request=req,
        meeting=meeting,
        attachments=[ics],
    )
    return meeting


def update_meeting(meeting: Meeting, user: User, data: Mapping[str, Any]) -> Meeting:
    """Change a meeting: time, place, agenda, attendance, minutes."""
    if not meeting.request.is_coordinating(user):
        raise ApiError(403, _("The request's coordinator manages its meetings."))
    _apply_meeting(meeting, meeting.request, data)
    db.session.flush()
    return meeting


# --- inbox ------------------------------------------------------------------------------------


def inbox(user: User, *, unread_only: bool = False) -> Select:
    from .models import Notification

    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` as read; returns how many."""
    from .models import Notification

    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def mark_read(notification, user: User) -> None:
    if not notification.can_view(user):
        raise ApiError(404, _("Not found."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
