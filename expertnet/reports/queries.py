"""The yearly activity report: the seed's figures, computed by a handful of aggregate queries.

Every figure is one ``GROUP BY`` (or a window function) in the database; Python only
reshapes the few rows that come back, so the cost grows with the number of groups, not
with the number of requests. The rules, as the union reports them:

* **The year** is the calendar year in Asia/Ho_Chi_Minh; stored UTC times are compared
  with the year's bounds converted to UTC.
* **Requests of the year** are those whose dossier was received (``submitted_at``: the
  last submission, i.e. the complete dossier after any return) in the year. Drafts that
  were never submitted are not requests to the union. ``requests_by_state`` is the
  state they are in now.
* **Meetings held** are meetings marked held whose start falls in the year, by kind;
  ``workshops_and_conferences`` is the seed's "Hội thảo, Hội nghị" figure.
* **Opinions published** are published opinions whose ``published_at`` falls in the year.
* **Experts engaged** are people who accepted a panel seat (``responded_at``) or submitted
  an opinion in the year. **Organisations engaged** are the union's member organisations
  (the four union kinds) that such an expert belongs to (membership active during the
  year) or works for (employer).
* **Median days to publish** runs from the last submission of the dossier to publication,
  over the opinions published in the year; an even count takes the mean of the middle two.
* **Adoption rate** = (adopted + 0.5 × partially adopted) / answered recommendations, over
  the recommendations of the opinions published in the year that the agency has answered
  so far; not adopted counts 0, unanswered ones are left out (and reported separately).
* **Panels mixing the former provinces**: a published opinion's panel (its accepted
  seats) mixes when two *different* experts are linked, through their organisations, one
  to former Hải Phòng and one to former Hải Dương. Share = mixed / opinions published.
* **Per organisation** an expert counts for every organisation they belong to, so the
  rows do not add up to the union's totals. An organisation's published opinions are
  those whose panel had one of its experts; its median and adoption are over those.
* **Scoped to one organisation** (``organization=ID``) the requests, meetings and opinions
  are those whose panel had one of its experts, and the experts are its own.

Counts include confidential requests (they are counted, never described); the list of the
year's published opinions is filtered by the viewer's right to see each one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Float,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    true,
    union,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from workflows import RequestKind, State

from ..consultation.models import (
    AgencyResponse,
    Invitation,
    Meeting,
    MeetingKind,
    Opinion,
    PublishedOpinion,
    PublishedRecommendation,
    Request,
    ResponseStatus,
)
from ..core.localtime import LOCAL_TZ
from ..core.roles import STAFF, role_of
from ..directory.models import (
    UNION_KINDS,
    FormerProvince,
    Membership,
    Organization,
    Person,
)
from .contest import ContestFigures, contest_figures

FIRST_YEAR = 1990
ACCEPTED = "accepted"
#: Weight of each answer in the adoption rate; unanswered recommendations are left out.
ADOPTION_WEIGHTS = {
    ResponseStatus.adopted.value: 1.0,
    ResponseStatus.partially_adopted.value: 0.5,
    ResponseStatus.not_adopted.value: 0.0,
}
ADOPTION_RULE = (
    "adopted = 1, partially adopted = 0.5, not adopted = 0; "
    "averaged over the answered recommendations of the year's published opinions"
)
_UNION_KIND_VALUES = tuple(k.value for k in UNION_KINDS)


class BadReportArgument(ValueError):
    """A report argument is not acceptable; ``field`` names it (``year``, ``organization``)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


# --- portable SQL ------------------------------------------------------------------------------


class days_between(FunctionElement):
    """Days (fractional) from the first datetime argument to the second, in SQL."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


# --- the year --------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearWindow:
    """A local calendar year as UTC bounds, with the bounds of its twelve months."""

    year: int
    start: datetime
    end: datetime
    month_starts: tuple[datetime, ...]  # 13 bounds: January 1 … next January 1
    first_day: date
    last_day: date

    @classmethod
    def of(cls, year: int) -> YearWindow:
        bounds = tuple(
            datetime(year + (m // 12), m % 12 + 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC)
            for m in range(13)
        )
        return cls(
            year=year,
            start=bounds[0],
            end=bounds[12],
            month_starts=bounds,
            first_day=date(year, 1, 1),
            last_day=date(year, 12, 31),
        )

    def contains(self, column) -> Any:
        return and_(column >= self.start, column < self.end)

    def month_of(self, column) -> Any:
        """1–12 for a datetime column inside the year (a CASE over the month bounds)."""
        return case(
            *((column < self.month_starts[m], literal(m)) for m in range(1, 12)),
            else_=literal(12),
        )


def current_year() -> int:
    return datetime.now(LOCAL_TZ).year


def parse_year(raw: str | None) -> int:
    """The report year from a query string; the current year when absent."""
    if raw is None or raw.strip() == "":
        return current_year()
    try:
        year = int(raw.strip())
    except ValueError:
        raise BadReportArgument("year", "The year must be a whole number, like 2025.") from None
    last = current_year() + 1
    if not FIRST_YEAR <= year <= last:
        raise BadReportArgument("year", f"The year must be between {FIRST_YEAR} and {last}.")
    return year


def parse_organization(session: Session, raw: str | None) -> Organization | None:
    """The member organisation to scope the report to, or None for the whole union."""
    if raw is None or raw.strip() == "":
        return None
    try:
        org_id = int(raw.strip())
    except ValueError:
        raise BadReportArgument("organization", "Give an organisation's number.") from None
    org = session.get(Organization, org_id)
    if org is None or org.kind not in _UNION_KIND_VALUES:
        raise BadReportArgument("organization", "No such member organisation of the union.")
    return org


# --- building blocks ---------------------------------------------------------------------------


def _active_membership(w: YearWindow):
    return and_(
        or_(Membership.started_on.is_(None), Membership.started_on <= w.last_day),
        or_(Membership.ended_on.is_(None), Membership.ended_on >= w.first_day),
    )


def _linked_orgs(w: YearWindow, persons: Any | None, *, cte: bool = False, lateral: bool = False):
    """(person_id, organization_id): the organisations of ``persons`` (members or employer).

    With ``cte`` the links are a materialised common table expression, computed once
    however many parts of the statement read them. With ``lateral`` (PostgreSQL) each
    person's memberships and employer are fetched by index, one probe per person: with a
    million members PostgreSQL otherwise hashes the few thousand experts of the year
    against a full scan of the membership table.
    """
    if lateral and persons is not None:
        involved = persons.subquery("involved")
        person_id = involved.c.person_id
        # OFFSET 0 keeps each lateral subquery from being flattened into a hash join.
        member_of = (
            select(Membership.organization_id)
            .where(Membership.person_id == person_id, _active_membership(w))
            .offset(0)
            .lateral("member_of")
        )
        employer = (
            select(Person.employer_id)
            .where(Person.id == person_id, Person.employer_id.is_not(None))
            .offset(0)
            .lateral("employer")
        )
        members = select(
            person_id.label("person_id"), member_of.c.organization_id.label("organization_id")
        ).join_from(involved, member_of, true())
        employed = select(
            person_id.label("person_id"), employer.c.employer_id.label("organization_id")
        ).join_from(involved, employer, true())
    else:
        members = select(
            Membership.person_id.label("person_id"),
            Membership.organization_id.label("organization_id"),
        ).where(_active_membership(w))
        employed = select(
            Person.id.label("person_id"), Person.employer_id.label("organization_id")
        ).where(Person.employer_id.is_not(None))
        if persons is not None:
            members = members.where(Membership.person_id.in_(persons))
            employed = employed.where(Person.id.in_(persons))
    links = union(members, employed)
    if cte:
        return links.cte("links").prefix_with("MATERIALIZED")
    return links.subquery("linked_orgs")


def _lateral(session: Session) -> bool:
    """Whether the database joins laterally (PostgreSQL does; SQLite does not)."""
    return session.get_bind().dialect.name == "postgresql"


def _org_persons(w: YearWindow, org_id: int) -> Select:
    """People of one organisation: active members during the year, or employees."""
    return union(
        select(Membership.person_id).where(
            Membership.organization_id == org_id, _active_membership(w)
        ),
        select(Person.id).where(Person.employer_id == org_id),
    )


def _org_requests(w: YearWindow, org_id: int) -> Select:
    """Requests with one of the organisation's experts on the panel (an accepted seat)."""
    return select(Invitation.request_id).where(
        Invitation.state == ACCEPTED, Invitation.person_id.in_(_org_persons(w, org_id))
    )


def _engaged(w: YearWindow, org_id: int | None) -> Select:
    """Experts who accepted a seat or submitted an opinion in the year."""
    seats = select(Invitation.person_id.label("person_id")).where(
        Invitation.state == ACCEPTED, w.contains(Invitation.responded_at)
    )
    opinions = select(Opinion.person_id.label("person_id")).where(w.contains(Opinion.submitted_at))
    if org_id is not None:
        members = _org_persons(w, org_id)
        seats = seats.where(Invitation.person_id.in_(members))
        opinions = opinions.where(Opinion.person_id.in_(members))
    return union(seats, opinions)


def _published_in_year(w: YearWindow, org_id: int | None) -> Select:
    """(opinion, request, kind, published_at, days): opinions published in the year."""
    stmt = (
        select(
            PublishedOpinion.id.label("opinion_id"),
            PublishedOpinion.request_id.label("request_id"),
            Request.kind.label("kind"),
            PublishedOpinion.published_at.label("published_at"),
            days_between(Request.submitted_at, PublishedOpinion.published_at).label("days"),
        )
        .join(Request, Request.id == PublishedOpinion.request_id)
        .where(w.contains(PublishedOpinion.published_at))
    )
    if org_id is not None:
        stmt = stmt.where(PublishedOpinion.request_id.in_(_org_requests(w, org_id)))
    return stmt


def _median(values: Select, group: Any | None = None) -> Select:
    """The median of ``values.c.days`` (per ``group`` column name, if given), by window."""
    sub = values.subquery("for_median")
    days = sub.c.days
    partition = [sub.c[group]] if group else []
    ranked = select(
        *partition,
        days.label("days"),
        func.row_number().over(partition_by=partition, order_by=days).label("rn"),
        func.count().over(partition_by=partition).label("n"),
    ).subquery("ranked")
    middle = and_(ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2)
    cols = [ranked.c[group]] if group else []
    stmt = select(*cols, cast(func.avg(ranked.c.days), Float).label("median")).where(middle)
    return stmt.group_by(*cols) if cols else stmt


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _rate(counts: dict[str | None, int]) -> float | None:
    answered = sum(n for status, n in counts.items() if status in ADOPTION_WEIGHTS)
    if not answered:
        return None
    score = sum(ADOPTION_WEIGHTS[s] * n for s, n in counts.items() if s in ADOPTION_WEIGHTS)
    return round(score / answered, 4)


# --- the report -------------------------------------------------------------------------------


@dataclass
class OrganizationRow:
    id: int
    code: str
    name: str
    kind: str
    former_province: str | None
    experts_engaged: int = 0
    panel_seats: int = 0
    opinions_submitted: int = 0
    opinions_published: int = 0
    median_days_to_publish: float | None = None
    adoption_rate: float | None = None

    @property
    def active(self) -> bool:
        return bool(self.experts_engaged or self.panel_seats or self.opinions_published)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "former_province": self.former_province,
            "experts_engaged": self.experts_engaged,
            "panel_seats": self.panel_seats,
            "opinions_submitted": self.opinions_submitted,
            "opinions_published": self.opinions_published,
            "median_days_to_publish": self.median_days_to_publish,
            "adoption_rate": self.adoption_rate,
        }


@dataclass
class PublishedItem:
    id: int
    number: str
    title: str
    kind: str
    agency: str | None
    published_at: datetime
    days_to_publish: float | None
    confidential: bool


@dataclass
class ActivityReport:
    year: int
    organization: Organization | None
    requests_by_kind: dict[str, int]
    requests_by_state: dict[str, int]
    meetings_by_kind: dict[str, int]
    opinions_by_kind: dict[str, int]
    opinions_by_month: list[int]
    experts_engaged: int
    organizations_engaged: int
    median_days_to_publish: float | None
    adoption: dict[str, int]
    province_mixing: dict[str, Any]
    organizations: list[OrganizationRow] = field(default_factory=list)
    published: list[PublishedItem] = field(default_factory=list)
    contest: ContestFigures | None = None

    @property
    def requests_total(self) -> int:
        return sum(self.requests_by_kind.values())

    @property
    def meetings_held(self) -> int:
        return sum(self.meetings_by_kind.values())

    @property
    def workshops_and_conferences(self) -> int:
        return (
            self.meetings_by_kind[MeetingKind.workshop.value]
            + self.meetings_by_kind[MeetingKind.conference.value]
        )

    @property
    def opinions_published(self) -> int:
        return sum(self.opinions_by_month)

    @property
    def adoption_rate(self) -> float | None:
        return _rate({k: v for k, v in self.adoption.items() if k != "unanswered"})

    def to_json(self) -> dict[str, Any]:
        org = self.organization
        data: dict[str, Any] = {
            "year": self.year,
            "organization": (
                {
                    "id": org.id,
                    "code": org.code,
                    "name": org.name,
                    "kind": org.kind,
                    "former_province": org.former_province,
                }
                if org is not None
                else None
            ),
            "requests_total": self.requests_total,
            "requests_by_kind": self.requests_by_kind,
            "requests_by_state": self.requests_by_state,
            "meetings_held": self.meetings_held,
            "meetings_by_kind": self.meetings_by_kind,
            "workshops_and_conferences": self.workshops_and_conferences,
            "opinions_published": self.opinions_published,
            "opinions_by_kind": self.opinions_by_kind,
            "opinions_by_month": self.opinions_by_month,
            "experts_engaged": self.experts_engaged,
            "organizations_engaged": self.organizations_engaged,
            "median_days_to_publish": self.median_days_to_publish,
            "adoption_rate": self.adoption_rate,
            "adoption": {
                **self.adoption,
                "answered": sum(v for k, v in self.adoption.items() if k != "unanswered"),
                "rule": ADOPTION_RULE,
            },
            "province_mixing": self.province_mixing,
            "contest": self.contest.to_json() if self.contest is not None else None,
        }
        if org is None:
            data["organizations"] = [row.to_json() for row in self.organizations]
        return data


def activity_report(
    session: Session,
    year: int,
    organization: Organization | None = None,
    *,
    viewer: Any = None,
    breakdown: bool = True,
    published_list: bool = False,
) -> ActivityReport:
    """The year's figures for the union (or one member organisation)."""
    w = YearWindow.of(year)
    org_id = organization.id if organization is not None else None
    if _lateral(session):
        # The statements run in milliseconds, but with a million members PostgreSQL's
        # estimates of the joins grow past ``jit_above_cost`` and it spent 0.7 s compiling
        # a 0.2 s statement. No JIT for the rest of this (read-only) transaction.
        session.execute(text("SET LOCAL jit = off"))

    # Requests received in the year, by kind and by the state they are in now.
    stmt = select(Request.kind, Request.state, func.count()).where(w.contains(Request.submitted_at))
    if org_id is not None:
        stmt = stmt.where(Request.id.in_(_org_requests(w, org_id)))
    by_kind = {k.value: 0 for k in RequestKind}
    by_state = {s.value: 0 for s in State if s is not State.DRAFT}
    for kind, state, n in session.execute(stmt.group_by(Request.kind, Request.state)):
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_state[state] = by_state.get(state, 0) + n

    # Meetings held.
    stmt = select(Meeting.kind, func.count()).where(
        Meeting.held.is_(True), w.contains(Meeting.starts_at)
    )
    if org_id is not None:
        stmt = stmt.where(Meeting.request_id.in_(_org_requests(w, org_id)))
    meetings = {k.value: 0 for k in MeetingKind}
    for kind, n in session.execute(stmt.group_by(Meeting.kind)):
        meetings[kind] = n

    # Opinions published, by kind and by month.
    published = _published_in_year(w, org_id).subquery("published")
    month = w.month_of(published.c.published_at)
    opinions_by_kind = {k.value: 0 for k in RequestKind}
    opinions_by_month = [0] * 12
    for kind, m, n in session.execute(
        select(published.c.kind, month, func.count()).group_by(published.c.kind, month)
    ):
        opinions_by_kind[kind] = opinions_by_kind.get(kind, 0) + n
        opinions_by_month[int(m) - 1] += n

    median = session.scalar(
        _median(select(published.c.days.label("days")).where(published.c.days.is_not(None)))
    )

    # Adoption of the recommendations of the year's opinions.
    rec_stmt = (
        select(AgencyResponse.status, func.count())
        .select_from(PublishedRecommendation)
        .join(published, published.c.opinion_id == PublishedRecommendation.opinion_id)
        .outerjoin(AgencyResponse, AgencyResponse.recommendation_id == PublishedRecommendation.id)
        .group_by(AgencyResponse.status)
    )
    adoption = {s.value: 0 for s in ResponseStatus} | {"unanswered": 0}
    for status, n in session.execute(rec_stmt):
        adoption[status or "unanswered"] += n

    # Experts engaged; organisations engaged come from the breakdown (or the scope).
    engaged = _engaged(w, org_id)
    experts_engaged = session.scalar(select(func.count()).select_from(engaged.subquery())) or 0
    rows: list[OrganizationRow] = []
    if org_id is not None:
        # The experts are the organisation's own: it is engaged exactly when one of them is.
        organizations_engaged = 1 if experts_engaged else 0
    elif breakdown:
        rows = organization_breakdown(session, w)
        organizations_engaged = sum(1 for row in rows if row.experts_engaged)
    else:
        linked = _linked_orgs(w, engaged, lateral=_lateral(session))
        organizations_engaged = (
            session.scalar(
                select(func.count(func.distinct(linked.c.organization_id)))
                .select_from(linked)
                .join(Organization, Organization.id == linked.c.organization_id)
                .where(Organization.kind.in_(_UNION_KIND_VALUES))
            )
            or 0
        )

    report = ActivityReport(
        year=year,
        organization=organization,
        requests_by_kind=by_kind,
        requests_by_state=by_state,
        meetings_by_kind=meetings,
        opinions_by_kind=opinions_by_kind,
        opinions_by_month=opinions_by_month,
        experts_engaged=experts_engaged,
        organizations_engaged=organizations_engaged,
        median_days_to_publish=_round(median, 1),
        adoption=adoption,
        province_mixing=_province_mixing(session, w, org_id, sum(opinions_by_month)),
    )
    report.organizations = rows
    report.contest = contest_figures(session, w, org_id)
    if published_list:
        report.published = published_items(session, w, org_id, viewer)
    return report


def _panel_persons(w: YearWindow, org_id: int | None) -> Select:
    published = _published_in_year(w, org_id).subquery("published_p")
    return (
        select(Invitation.person_id)
        .join(published, published.c.request_id == Invitation.request_id)
        .where(Invitation.state == ACCEPTED)
    )


def _province_mixing(
    session: Session, w: YearWindow, org_id: int | None, panels: int
) -> dict[str, Any]:
    published = _published_in_year(w, org_id).subquery("published_m")
    linked = _linked_orgs(w, _panel_persons(w, org_id), lateral=_lateral(session))
    person = linked.c.person_id
    province = Organization.former_province

    def experts_from(value: str | None):
        cond = province.is_not(None) if value is None else province == value
        return func.count(func.distinct(case((cond, person))))

    per_panel = (
        select(
            Invitation.request_id,
            experts_from(FormerProvince.hai_phong.value).label("hp"),
            experts_from(FormerProvince.hai_duong.value).label("hd"),
            experts_from(None).label("n"),
        )
        .join(published, published.c.request_id == Invitation.request_id)
        .join(linked, linked.c.person_id == Invitation.person_id)
        .join(Organization, Organization.id == linked.c.organization_id)
        .where(Invitation.state == ACCEPTED)
        .group_by(Invitation.request_id)
        .subquery("per_panel")
    )
    # Two different experts, one from each side: |HP| ≥ 1, |HD| ≥ 1 and |HP ∪ HD| ≥ 2 (Hall).
    mixed = (
        session.scalar(
            select(func.count()).where(per_panel.c.hp >= 1, per_panel.c.hd >= 1, per_panel.c.n >= 2)
        )
        or 0
    )
    return {
        "panels": panels,
        "mixed": mixed,
        "share": round(mixed / panels, 4) if panels else None,
    }


def organization_breakdown(session: Session, w: YearWindow) -> list[OrganizationRow]:
    """One row per member organisation of the union, active or not.

    One statement: the people involved in the year (seats, opinions, panels of published
    opinions) are linked to their organisations once (a materialised CTE), and every
    per-organisation figure is a labelled ``GROUP BY`` over those links, ``UNION ALL``-ed.
    """
    rows = {
        oid: OrganizationRow(oid, code, name, kind, province)
        for oid, code, name, kind, province in session.execute(
            select(
                Organization.id,
                Organization.code,
                Organization.name,
                Organization.kind,
                Organization.former_province,
            )
            .where(Organization.kind.in_(_UNION_KIND_VALUES))
            .order_by(Organization.name)
        )
    }

    seats = (
        select(Invitation.id, Invitation.person_id)
        .where(Invitation.state == ACCEPTED, w.contains(Invitation.responded_at))
        .cte("seats")
    )
    writers = (
        select(Opinion.id, Opinion.person_id).where(w.contains(Opinion.submitted_at)).cte("writers")
    )
    published = _published_in_year(w, None).cte("published")
    panel = (
        select(Invitation.person_id, published.c.opinion_id, published.c.days)
        .join(published, published.c.request_id == Invitation.request_id)
        .where(Invitation.state == ACCEPTED)
        .cte("panel")
    )
    involved = union(
        select(seats.c.person_id), select(writers.c.person_id), select(panel.c.person_id)
    )
    links = _linked_orgs(w, involved, cte=True, lateral=_lateral(session))
    org, person = links.c.organization_id, links.c.person_id
    pairs = (
        select(
            org.label("organization_id"),
            panel.c.opinion_id.label("opinion_id"),
            panel.c.days.label("days"),
        )
        .distinct()
        .join(panel, panel.c.person_id == person)
        .cte("pairs")
        .prefix_with("MATERIALIZED")
    )

    def metric(label: str, value) -> tuple:
        return (literal(label).label("metric"), cast(value, Float).label("value"))

    engaged = union(select(seats.c.person_id), select(writers.c.person_id))
    median = _median(
        select(pairs.c.organization_id, pairs.c.days).where(pairs.c.days.is_not(None)),
        "organization_id",
    ).subquery("medians")
    statement = union_all(
        select(org, *metric("experts", func.count(func.distinct(person))))
        .where(person.in_(engaged))
        .group_by(org),
        select(org, *metric("seats", func.count(func.distinct(seats.c.id))))
        .join(seats, seats.c.person_id == person)
        .group_by(org),
        select(org, *metric("opinions", func.count(func.distinct(writers.c.id))))
        .join(writers, writers.c.person_id == person)
        .group_by(org),
        select(pairs.c.organization_id, *metric("published", func.count())).group_by(
            pairs.c.organization_id
        ),
        select(median.c.organization_id, *metric("median", median.c.median)),
        select(
            pairs.c.organization_id,
            AgencyResponse.status.label("metric"),
            cast(func.count(), Float).label("value"),
        )
        .join(
            PublishedRecommendation,
            PublishedRecommendation.opinion_id == pairs.c.opinion_id,
        )
        .join(AgencyResponse, AgencyResponse.recommendation_id == PublishedRecommendation.id)
        .group_by(pairs.c.organization_id, AgencyResponse.status),
    )
    adoption: dict[int, dict[str | None, int]] = {}
    for oid, label, value in session.execute(statement):
        row = rows.get(oid)
        if row is None or value is None:
            continue
        if label == "experts":
            row.experts_engaged = int(value)
        elif label == "seats":
            row.panel_seats = int(value)
        elif label == "opinions":
            row.opinions_submitted = int(value)
        elif label == "published":
            row.opinions_published = int(value)
        elif label == "median":
            row.median_days_to_publish = _round(value, 1)
        else:
            adoption.setdefault(oid, {})[label] = int(value)
    for oid, counts in adoption.items():
        rows[oid].adoption_rate = _rate(counts)

    return sorted(
        rows.values(),
        key=lambda r: (-r.opinions_published, -r.experts_engaged, -r.panel_seats, r.name),
    )


def published_items(
    session: Session, w: YearWindow, org_id: int | None, viewer: Any
) -> list[PublishedItem]:
    """The year's published opinions that ``viewer`` may see (``PublishedOpinion.can_view``)."""
    published = _published_in_year(w, org_id).subquery("published_l")
    # Title and agency as published (the frozen content), read by JSON path in the database
    # rather than by loading every opinion's whole content.
    stmt = (
        select(
            PublishedOpinion.id,
            PublishedOpinion.number,
            PublishedOpinion.content[("request", "title")].as_string(),
            PublishedOpinion.content[("request", "agency")].as_string(),
            Request.kind,
            PublishedOpinion.published_at,
            published.c.days,
            PublishedOpinion.confidential,
        )
        .join(published, published.c.opinion_id == PublishedOpinion.id)
        .join(Request, Request.id == PublishedOpinion.request_id)
        .order_by(PublishedOpinion.published_at, PublishedOpinion.id)
    )
    role = role_of(viewer)
    if role not in STAFF:
        visible = PublishedOpinion.confidential.is_(False)
        if role is not None:
            own = Request.filed_by_id == viewer.id
            if role == "agency" and viewer.organization_id is not None:
                own = or_(own, Request.agency_id == viewer.organization_id)
            visible = or_(visible, own)
        stmt = stmt.where(visible)
    items = []
    for oid, number, title, agency, kind, at, days, confidential in session.execute(stmt):
        items.append(
            PublishedItem(
                id=oid,
                number=number,
                title=title or "",
                kind=kind,
                agency=agency,
                published_at=at,
                days_to_publish=_round(days, 1),
                confidential=confidential,
            )
        )
    return items
