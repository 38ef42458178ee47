"""Operations of the contest, shared by the API and the pages (no ``request``).

As in the consultation: each function takes domain objects and validated data, checks
what the data model cannot, changes the session and flushes; the caller commits once.
Refusals are ``ApiError`` raised before anything is written. Every change to an
edition, its criteria, awards, members, entries and authors is audited by the model hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from workflows import (
    CONTEST_EDITION_WORKFLOW,
    CONTEST_ENTRY_WORKFLOW,
    Actor,
    EditionAction,
    EditionFacts,
    EditionState,
    EntryAction,
    EntryFacts,
    EntryState,
    JudgeSeat,
    Outcome,
    VersionConflict,
    WorkflowError,
    apply_action,
    available_actions,
)

from ..auth.models import User
from ..consultation import documents as files
from ..consultation.operations import _workflow_error
from ..core.errors import ApiError, ValidationFailed
from ..core.storage import current_store
from ..core.types import utcnow
from ..directory.models import Field, Organization, Person
from ..extensions import db
from . import authors as author_accounts
from . import notify, results
from .models import (
    DEFAULT_AWARDS,
    DEFAULT_CRITERIA,
    AwardLevel,
    Body,
    ContestDocument,
    ContestHistory,
    Criterion,
    Edition,
    EditionMember,
    Entry,
    EntryAuthor,
    can_run_contests,
    user_roles,
)

# States in which an edition's criteria and award levels may still change.
SETUP_STATES = (EditionState.DRAFT, EditionState.ANNOUNCED)


def actor_for(user: User) -> Actor:
    """The engine's view of a user: their roles and their expert record."""
    return Actor(user_id=user.id, roles=user_roles(user), person_id=user.person_id)


# --- reading facts for the engine ------------------------------------------------------------


def _count(edition: Edition, *states: str) -> int:
    return sum(1 for e in edition.entries if e.state in states)


def edition_facts(edition: Edition) -> EditionFacts:
    eligible = [e for e in edition.entries if e.state == EntryState.ELIGIBLE]
    return EditionFacts(
        state=edition.state,
        version=edition.version,
        board_user_ids=tuple(m.user_id for m in edition.board if m.user_id is not None),
        criteria_max_points=tuple(c.max_points for c in edition.criteria),
        field_count=len(edition.fields),
        award_level_count=len(edition.award_levels),
        entries_pending_screening=_count(edition, EntryState.SUBMITTED),
        eligible_entries=_count(
            edition, EntryState.ELIGIBLE, EntryState.SCORING, EntryState.FLAGGED, EntryState.SCORED
        ),
        entries_short_of_judges=sum(
            1 for e in eligible if len(judge_seats(e)) < edition.min_judges
        ),
        entries_unsettled=_count(
            edition, EntryState.ELIGIBLE, EntryState.SCORING, EntryState.FLAGGED
        ),
        results_proposed_by_user_id=edition.results_proposed_by_id,
        awards_edited_by_user_ids=results.editors_of(edition),
    )


def judge_seats(entry: Entry) -> tuple[JudgeSeat, ...]:
    """The entry's active judges with their totals in the current round (None: not yet)."""
    seats = []
    for j in entry.active_judges:
        current = j.current_scores(entry.score_round)
        complete = bool(current) and len(current) == len(entry.edition.criteria)
        total = sum((s.points for s in current), Decimal(0)) if complete else None
        user = j.person.user
        seats.append(JudgeSeat(j.person_id, user.id if user else None, total))
    return tuple(seats)


def entry_facts(entry: Entry) -> EntryFacts:
    edition = entry.edition
    return EntryFacts(
        state=entry.state,
        version=entry.version,
        edition_state=edition.state,
        author_user_ids=tuple(
            {entry.filed_by_id} | {a.user_id for a in entry.authors if a.user_id is not None}
        ),
        judges=judge_seats(entry),
        min_judges=edition.min_judges,
        max_spread=Decimal(edition.max_spread),
        subjury_chair_person_ids=tuple(
            m.person_id for m in edition.jury if m.chair and m.field_id == entry.field_id
        ),
    )


def edition_actions_for(edition: Edition, user: User) -> list[str]:
    if not user_roles(user):
        return []
    options = available_actions(CONTEST_EDITION_WORKFLOW, edition_facts(edition), actor_for(user))
    return [str(o.action) for o in options if o.allowed]


def entry_actions_for(entry: Entry, user: User) -> list[str]:
    if not user_roles(user):
        return []
    options = available_actions(CONTEST_ENTRY_WORKFLOW, entry_facts(entry), actor_for(user))
    return [str(o.action) for o in options if o.allowed]


# --- editions ------------------------------------------------------------------------------


def _fields_by_code(codes: list[str], key: str = "fields") -> list[Field]:
    codes = list(dict.fromkeys(codes))
    found = db.session.scalars(select(Field).where(Field.code.in_(codes))).all()
    missing = set(codes) - {f.code for f in found}
    if missing:
        raise ValidationFailed(
            {key: _("Unknown field codes: %(codes)s.", codes=", ".join(sorted(missing)))}
        )
    return sorted(found, key=lambda f: f.code)


def _set_criteria(edition: Edition, criteria: list[Mapping[str, Any]]) -> None:
    edition.criteria = [
        Criterion(position=i + 1, name=c["name"], max_points=c["max_points"])
        for i, c in enumerate(criteria)
    ]


def _set_award_levels(edition: Edition, levels: list[Mapping[str, Any]]) -> None:
    edition.award_levels = [
        AwardLevel(rank=i + 1, name=lv["name"], min_total=lv["min_total"], quota=lv.get("quota"))
        for i, lv in enumerate(levels)
    ]


_EDITION_COLUMNS = (
    "name", "number", "youth", "organisers", "description", "entries_open_on",
    "entries_close_on", "judging_from", "judging_until", "results_on", "min_judges",
    "max_spread", "judge_cap",
)  # fmt: skip


def _check_unique_name(name: str, number: int, edition_id: int | None) -> None:
    clash = db.session.scalar(
        select(Edition.id).where(
            Edition.name == name, Edition.number == number, Edition.id != (edition_id or 0)
        )
    )
    if clash is not None:
        raise ValidationFailed(
            {"number": _("This contest already has an edition with this number.")}
        )


def create_edition(user: User, data: Mapping[str, Any]) -> Edition:
    """A new edition in ``draft``, with the default criteria and award levels unless given."""
    if not can_run_contests(user):
        raise ApiError(403, _("Only the contest's secretariat may create editions."))
    fields_ = _fields_by_code(data.get("fields") or [])
    _check_unique_name(data["name"], data["number"], None)
    edition = Edition(
        **{k: data[k] for k in _EDITION_COLUMNS if k in data},
        fields=fields_,
        state=EditionState.DRAFT.value,
        version=1,
        created_by_id=user.id,
    )
    _set_criteria(
        edition,
        data.get("criteria") or [{"name": _(n), "max_points": p} for n, p in DEFAULT_CRITERIA],
    )
    _set_award_levels(
        edition,
        data.get("award_levels")
        or [{"name": _(n), "min_total": Decimal(t), "quota": q} for n, t, q in DEFAULT_AWARDS],
    )
    db.session.add(edition)
    db.session.flush()
    return edition


def update_edition(edition: Edition, user: User, data: Mapping[str, Any]) -> Edition:
    """Change an edition until entries close; criteria and awards only before entries open."""
    if not edition.can_edit(user):
        raise ApiError(403, _("The edition can be changed by the secretariat until entries close."))
    scoring_keys = {"criteria", "award_levels", "min_judges", "max_spread", "judge_cap"} & set(data)
    if scoring_keys and edition.state not in SETUP_STATES:
        raise ValidationFailed(
            {
                key: _("Criteria, awards and judging rules are fixed once entries open.")
                for key in sorted(scoring_keys)
            }
        )
    if "name" in data or "number" in data:
        _check_unique_name(
            data.get("name", edition.name), data.get("number", edition.number), edition.id
        )
    opens = data.get("entries_open_on", edition.entries_open_on)
    closes = data.get("entries_close_on", edition.entries_close_on)
    if opens and closes and opens > closes:
        raise ValidationFailed({"entries_close_on": _("Entries must open before they close.")})
    if "fields" in data:
        new_fields = _fields_by_code(data["fields"])
        used = {e.field_id for e in edition.entries}
        dropped = used - {f.id for f in new_fields}
        if dropped:
            raise ValidationFailed(
                {"fields": _("A field that entries were filed in cannot be removed.")}
            )
        edition.fields = new_fields
    for key in _EDITION_COLUMNS:
        if key in data:
            setattr(edition, key, data[key])
    if "criteria" in data:
        edition.criteria.clear()
        db.session.flush()
        _set_criteria(edition, data["criteria"])
    if "award_levels" in data:
        edition.award_levels.clear()
        db.session.flush()
        _set_award_levels(edition, data["award_levels"])
    db.session.flush()
    return edition


def set_members(edition: Edition, user: User, data: Mapping[str, Any]) -> Edition:
    """Name the organising board (approver users) and the jury (experts by sub-jury field)."""
    if not can_run_contests(user) or edition.state in (
        EditionState.RESULTS_APPROVED,
        EditionState.PUBLISHED,
    ):
        raise ApiError(403, _("The secretariat names the board and the jury before the results."))
    errors: dict[str, str] = {}
    board_ids = list(dict.fromkeys(data.get("board") or []))
    board_users = db.session.scalars(select(User).where(User.id.in_(board_ids))).all()
    not_approvers = [u.id for u in board_users if "approver" not in user_roles(u)]
    missing = set(board_ids) - {u.id for u in board_users}
    if missing or not_approvers:
        errors["board"] = _(
            "Board members must be users with the approver role: %(ids)s.",
            ids=", ".join(map(str, sorted(missing | set(not_approvers)))),
        )
    field_ids = {f.code: f.id for f in edition.fields}
    jury: list[EditionMember] = []
    seen: set[int] = set()
    for i, juror in enumerate(data.get("jury") or []):
        person = db.session.get(Person, juror["expert_id"])
        code = juror.get("field")
        if person is None:
            errors[f"jury[{i}].expert_id"] = _("There is no such expert.")
        elif person.id in seen:
            errors[f"jury[{i}].expert_id"] = _("This expert is already on the jury.")
        elif code is not None and code not in field_ids:
            errors[f"jury[{i}].field"] = _("Not a field of this edition.")
        else:
            seen.add(person.id)
            jury.append(
                EditionMember(
                    body=Body.jury.value,
                    person_id=person.id,
                    field_id=field_ids.get(code) if code else None,
                    chair=bool(juror.get("chair")),
                )
            )
    if errors:
        raise ValidationFailed(errors)
    edition.members.clear()
    db.session.flush()
    edition.members.extend(EditionMember(body=Body.board.value, user_id=u.id) for u in board_users)
    edition.members.extend(jury)
    db.session.flush()
    return edition


# --- workflow actions ----------------------------------------------------------------------


def _cas(model, obj, outcome: Outcome, extra: Mapping[str, Any]) -> None:
    """Compare-and-set the new state and version; a lost race is a 409 with nothing written."""
    values = {"state": str(outcome.to_state), "version": outcome.new_version, **extra}
    table = model.__table__
    old = obj.version
    result = db.session.execute(
        update(table).where(table.c.id == obj.id, table.c.version == old).values(**values)
    )
    if result.rowcount != 1:
        db.session.expire(obj)
        raise _workflow_error(VersionConflict(expected=old, current=obj.version, state=obj.state))
    for key, value in values.items():
        set_committed_value(obj, key, value)


def _history(edition_id: int, entry_id: int | None, outcome: Outcome) -> None:
    entry = outcome.history_entry
    db.session.add(
        ContestHistory(
            edition_id=edition_id,
            entry_id=entry_id,
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


def _check_version_and_comment(payload: Mapping[str, Any], expected_version: Any) -> None:
    if expected_version is not None and (
        isinstance(expected_version, bool) or not isinstance(expected_version, int)
    ):
        raise ValidationFailed({"version": _("Must be a whole number.")})
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ValidationFailed({"comment": _("Not a valid string.")})


def perform_edition_action(
    edition: Edition,
    action: str,
    user: User,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Apply an edition action: engine checks, compare-and-set, history, the action's columns."""
    payload = dict(payload or {})
    _check_version_and_comment(payload, expected_version)
    try:
        outcome = apply_action(
            CONTEST_EDITION_WORKFLOW,
            edition_facts(edition),
            action,
            actor_for(user),
            payload,
            expected_version=expected_version,
        )
    except WorkflowError as exc:
        raise _workflow_error(exc) from None
    now = outcome.history_entry.at
    extra: dict[str, Any] = {"updated_at": now}
    act = EditionAction(str(outcome.transition.action))
    if act is EditionAction.PROPOSE_RESULTS:
        extra["results_proposed_by_id"] = user.id
    elif act is EditionAction.APPROVE_RESULTS:
        extra["results_approved_by_id"] = user.id
    elif act is EditionAction.SEND_BACK:
        extra["results_proposed_by_id"] = None
    elif act is EditionAction.PUBLISH:
        extra["published_at"] = now
    _cas(Edition, edition, outcome, extra)
    _history(edition.id, None, outcome)
    if act is EditionAction.PROPOSE_RESULTS:
        results.write_proposal(edition)
        notify.results_proposed(edition, outcome.history_entry.comment)
    elif act is EditionAction.SEND_BACK:
        results.clear(edition)
    elif act is EditionAction.PUBLISH:
        notify.results_published(edition)
    if act is EditionAction.START_JUDGING:
        # Every eligible entry opens for scoring with the edition, by the same hand.
        for entry in edition.entries:
            if entry.state == EntryState.ELIGIBLE:
                perform_entry_action(entry, EntryAction.OPEN_SCORING, user)
        notify.scoring_open(edition)
    db.session.flush()
    return outcome


def perform_entry_action(
    entry: Entry,
    action: str,
    user: User,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Outcome:
    """Apply an entry action; screening as ineligible keeps the reason the authors will read."""
    payload = dict(payload or {})
    _check_version_and_comment(payload, expected_version)
    try:
        outcome = apply_action(
            CONTEST_ENTRY_WORKFLOW,
            entry_facts(entry),
            action,
            actor_for(user),
            payload,
            expected_version=expected_version,
        )
    except WorkflowError as exc:
        raise _workflow_error(exc) from None
    now = outcome.history_entry.at
    extra: dict[str, Any] = {"updated_at": now}
    act = EntryAction(str(outcome.transition.action))
    if act is EntryAction.MARK_INELIGIBLE:
        extra["screening_reason"] = outcome.history_entry.comment
    elif act in (EntryAction.MARK_ELIGIBLE, EntryAction.REOPEN_SCREENING):
        extra["screening_reason"] = None
    _cas(Entry, entry, outcome, extra)
    _history(entry.edition_id, entry.id, outcome)
    if act in (EntryAction.MARK_ELIGIBLE, EntryAction.MARK_INELIGIBLE):
        notify.entry_screened(entry, eligible=act is EntryAction.MARK_ELIGIBLE)
    db.session.flush()
    return outcome


def history_of(edition: Edition, entry: Entry | None = None) -> list[ContestHistory]:
    stmt = select(ContestHistory).where(ContestHistory.edition_id == edition.id)
    stmt = stmt.where(
        ContestHistory.entry_id == entry.id if entry else ContestHistory.entry_id.is_(None)
    )
    return list(db.session.scalars(stmt.order_by(ContestHistory.id)))


# --- entries -------------------------------------------------------------------------------


def _authors(data: list[Mapping[str, Any]]) -> list[EntryAuthor]:
    errors: dict[str, str] = {}
    authors = []
    for i, a in enumerate(data):
        person_id = a.get("expert_id")
        if person_id is not None and db.session.get(Person, person_id) is None:
            errors[f"authors[{i}].expert_id"] = _("There is no such expert.")
        org_id = a.get("employer_organization_id")
        if org_id is not None and db.session.get(Organization, org_id) is None:
            errors[f"authors[{i}].employer_organization_id"] = _("There is no such organisation.")
        user_id = None
        if a.get("email"):
            user_id = db.session.scalar(
                select(User.id).where(func.lower(User.email) == a["email"].lower())
            )
        authors.append(
            EntryAuthor(
                position=i + 1,
                full_name=a["full_name"],
                share=a["share"],
                employer=a.get("employer") or "",
                employer_organization_id=org_id,
                email=a.get("email") or "",
                phone=a.get("phone") or "",
                person_id=person_id,
                user_id=user_id,
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return authors


def _entry_refs(edition: Edition, data: Mapping[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    if "field" in data:
        field = next((f for f in edition.fields if f.code == data["field"]), None)
        if field is None:
            raise ValidationFailed({"field": _("Not a field of this edition.")})
        resolved["field_id"] = field.id
    org_id = data.get("applying_organization_id")
    if org_id is not None and db.session.get(Organization, org_id) is None:
        raise ValidationFailed({"applying_organization_id": _("There is no such organisation.")})
    return resolved


_ENTRY_COLUMNS = (
    "title", "description", "applying_organization_name", "applying_organization_id",
    "applied_where", "applied_since",
)  # fmt: skip


def can_file_entry(edition: Edition, user) -> bool:
    return bool(user_roles(user)) and edition.state == EditionState.OPEN


def create_entry(edition: Edition, user: User, data: Mapping[str, Any]) -> Entry:
    """File an entry while the edition is open: by an author with an account, or by staff."""
    if not can_file_entry(edition, user):
        raise ApiError(403, _("Entries can be filed only while the edition is open for entries."))
    resolved = _entry_refs(edition, data)
    authors = _authors(data["authors"])
    # Numbers are per edition: lock the edition row so two filings never take the same one.
    db.session.execute(
        select(Edition.id).where(Edition.id == edition.id).with_for_update()
    ).scalar_one()
    number = (
        db.session.scalar(select(func.max(Entry.number)).where(Entry.edition_id == edition.id)) or 0
    ) + 1
    entry = Entry(
        edition=edition,
        number=number,
        **{k: data[k] for k in _ENTRY_COLUMNS if k in data},
        field_id=resolved["field_id"],
        state=EntryState.SUBMITTED.value,
        version=1,
        filed_by_id=user.id,
        authors=authors,
    )
    db.session.add(entry)
    db.session.flush()
    notify.entry_received(entry)
    author_accounts.link_authors(entry, user)  # co-authors without an account get one
    return entry


def update_entry(entry: Entry, user: User, data: Mapping[str, Any]) -> Entry:
    """Change an entry: its authors or the secretariat, while entries are open and unscreened."""
    if not entry.can_edit(user):
        raise ApiError(
            403, _("The entry can be changed until entries close, before it is screened.")
        )
    resolved = _entry_refs(entry.edition, data)
    for key in _ENTRY_COLUMNS:
        if key in data:
            setattr(entry, key, data[key])
    if "field_id" in resolved:
        entry.field_id = resolved["field_id"]
    if "authors" in data:
        authors = _authors(data["authors"])
        entry.authors.clear()
        db.session.flush()
        entry.authors.extend(authors)
        db.session.flush()
        author_accounts.link_authors(entry, user)
    db.session.flush()
    return entry


def add_document(
    edition: Edition, entry: Entry | None, user: User, filename: str, stream
) -> ContestDocument:
    """Keep a file of an entry (its authors, while editable) or the edition's rules (staff)."""
    allowed = entry.can_edit(user) if entry is not None else edition.can_edit(user)
    if not allowed:
        raise ApiError(403, _("You may not add documents here now."))
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
        }[exc.reason]
        raise ValidationFailed({"file": message}) from None
    owner = ContestDocument.entry_id == entry.id if entry else ContestDocument.entry_id.is_(None)
    existing = db.session.scalar(
        select(ContestDocument).where(
            ContestDocument.edition_id == edition.id, owner, ContestDocument.sha256 == sha
        )
    )
    if existing is not None:
        return existing
    doc = ContestDocument(
        edition_id=edition.id,
        entry_id=entry.id if entry else None,
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
