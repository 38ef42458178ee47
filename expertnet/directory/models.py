"""Organisations, fields, people (members and experts) and their memberships."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from search_index.collation import person_name_key

from ..core.i18n import N_, NC_
from ..core.roles import MANAGERS, STAFF, has_role, role_of
from ..core.text import name_words as folded_name_words
from ..core.types import NFCString, NFCText, TitledEnum, UTCDateTime, check_in, utcnow
from ..extensions import db
from .visibility import Viewer, may_see_person

if TYPE_CHECKING:
    from ..auth.models import User


class OrganizationKind(TitledEnum):
    member_association = "member_association", N_("Member association")
    institute = "institute", N_("Institute or centre")
    club = "club", N_("Club")
    collective_member = "collective_member", N_("Collective member")
    agency = "agency", N_("Government agency")
    university = "university", N_("University")
    enterprise = "enterprise", N_("Enterprise")


#: Kinds that belong to the union itself (the other kinds are outside bodies).
UNION_KINDS = (
    OrganizationKind.member_association,
    OrganizationKind.institute,
    OrganizationKind.club,
    OrganizationKind.collective_member,
)


class FormerProvince(TitledEnum):
    hai_phong = "hai_phong", N_("Former Hải Phòng")
    hai_duong = "hai_duong", N_("Former Hải Dương")


class AcademicTitle(TitledEnum):
    GS = "GS", N_("Professor (GS.)")
    PGS = "PGS", N_("Associate professor (PGS.)")


class Degree(TitledEnum):
    TSKH = "TSKH", N_("Doctor of Science (TSKH.)")
    TS = "TS", N_("Doctor (TS.)")
    ThS = "ThS", N_("Master (ThS.)")
    BSCKII = "BSCKII", N_("Specialist physician II (BSCKII.)")
    BSCKI = "BSCKI", N_("Specialist physician I (BSCKI.)")
    KTS = "KTS", N_("Architect (KTS.)")
    KS = "KS", N_("Engineer (KS.)")
    BS = "BS", N_("Physician (BS.)")
    DS = "DS", N_("Pharmacist (DS.)")
    LS = "LS", N_("Lawyer (LS.)")
    CN = "CN", N_("Bachelor (CN.)")


#: Rank of each degree for seniority: higher is more senior.
DEGREE_RANK = {
    "TSKH": 6,
    "TS": 5,
    "BSCKII": 4,
    "ThS": 4,
    "BSCKI": 3,
    "KTS": 2,
    "KS": 2,
    "BS": 2,
    "DS": 2,
    "LS": 2,
    "CN": 1,
}


class Gender(TitledEnum):
    male = "male", N_("Male")
    female = "female", N_("Female")
    other = "other", N_("Other")


class MembershipRole(TitledEnum):
    member = "member", NC_("organisation role", "Member")
    board_member = "board_member", N_("Board member")
    chair = "chair", NC_("organisation role", "Chair")
    vice_chair = "vice_chair", N_("Vice-chair")
    secretary = "secretary", NC_("organisation role", "Secretary")


#: Roles that hold office in an organisation (relevant to conflicts of interest).
OFFICE_ROLES = (
    MembershipRole.board_member,
    MembershipRole.chair,
    MembershipRole.vice_chair,
    MembershipRole.secretary,
)


def can_create_person(user) -> bool:
    return has_role(user, "admin", "coordinator", "liaison")


def can_view_members(user, organization: Organization) -> bool:
    """Rosters are personal data: staff and the organisation's own liaison."""
    return role_of(user) in STAFF or (
        has_role(user, "liaison") and user.organization_id == organization.id
    )


class Audited:
    """Marker: changes to instances are written to the audit log (see ``audit``)."""

    __audited__ = True


class Organization(Audited, db.Model):
    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint(check_in("kind", OrganizationKind), name="kind"),
        CheckConstraint(
            check_in("former_province", FormerProvince, nullable=True), name="province"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(NFCString(255), index=True)
    short_name: Mapped[str | None] = mapped_column(NFCString(80))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    former_province: Mapped[str | None] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    address: Mapped[str | None] = mapped_column(NFCString(255))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Organization | None] = relationship(remote_side=[id])
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )

    @property
    def kind_enum(self) -> OrganizationKind:
        return OrganizationKind(self.kind)

    @property
    def is_union_member(self) -> bool:
        return self.kind in UNION_KINDS

    def can_edit(self, user) -> bool:
        return role_of(user) == "admin" or (
            has_role(user, "liaison") and user.organization_id == self.id
        )

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"


class Field(db.Model):
    """A discipline in the two-level taxonomy (six national areas, disciplines beneath)."""

    __tablename__ = "field"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(NFCString(160))
    name_en: Mapped[str] = mapped_column(String(160))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("field.id"))

    parent: Mapped[Field | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Field]] = relationship(back_populates="parent", order_by="Field.code")

    def display_name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name

    def __repr__(self) -> str:
        return f"<Field {self.code}>"


def display_name_of(academic_title: str | None, degree: str | None, full_name: str) -> str:
    """``Person.display_name`` from the columns alone (lists read without objects)."""
    prefix = "".join(f"{p}." for p in (academic_title, degree) if p)
    return f"{prefix} {full_name}".strip()


person_field = Table(
    "person_field",
    db.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", ForeignKey("field.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_person_field_field_id", "field_id"),
)


def _name_key_default(context) -> bytes:
    """The collation key of the row's name, also for bulk inserts of the table."""
    return person_name_key(context.get_current_parameters().get("full_name") or "")


def _name_words_default(context) -> str:
    """The folded, sorted words of the row's name, also for bulk inserts of the table."""
    return folded_name_words(context.get_current_parameters().get("full_name") or "")


class Person(Audited, db.Model):
    """A member of the union; an expert is a person with expertise."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(check_in("academic_title", AcademicTitle, nullable=True), name="title"),
        CheckConstraint(check_in("degree", Degree, nullable=True), name="degree"),
        CheckConstraint(check_in("gender", Gender, nullable=True), name="gender"),
        CheckConstraint("max_assignments >= 0", name="cap"),
        CheckConstraint(
            "birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)", name="birth_year"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(NFCString(200), index=True)
    # Vietnamese alphabetical order by given name (search_index.collation), for ORDER BY.
    name_key: Mapped[bytes] = mapped_column(LargeBinary, default=_name_key_default, index=True)
    # The name's folded words, sorted (core.text.name_words): authors of publications are
    # matched to people by it.
    # Nullable only so that migration 0025 adds it without rebuilding the table on SQLite.
    name_words: Mapped[str | None] = mapped_column(Text, default=_name_words_default, index=True)
    gender: Mapped[str | None] = mapped_column(String(8))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    academic_title: Mapped[str | None] = mapped_column(String(8))
    degree: Mapped[str | None] = mapped_column(String(8))
    position: Mapped[str | None] = mapped_column(NFCString(200))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    employer_name: Mapped[str | None] = mapped_column(NFCString(255))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    bio: Mapped[str | None] = mapped_column(NFCText)
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_profile: Mapped[bool] = mapped_column(Boolean, default=False)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    max_assignments: Mapped[int] = mapped_column(Integer, default=3)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    employer: Mapped[Organization | None] = relationship(foreign_keys=[employer_id])
    fields: Mapped[list[Field]] = relationship(secondary=person_field, order_by=Field.code)
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    user: Mapped[User | None] = relationship(back_populates="person", uselist=False)

    # Optimistic locking: two editors saving the same profile cannot silently overwrite.
    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        """Name with title and degree as Vietnamese documents write it: "PGS.TS. Nguyễn Văn A"."""
        return display_name_of(self.academic_title, self.degree, self.full_name)

    @property
    def organizations(self) -> list[Organization]:
        return [m.organization for m in self.memberships if m.ended_on is None]

    @property
    def is_expert(self) -> bool:
        return bool(self.expertise or self.fields)

    def organization_ids(self) -> set[int]:
        return {m.organization_id for m in self.memberships if m.ended_on is None}

    def _liaison_of(self, user) -> bool:
        return (
            has_role(user, "liaison")
            and user.organization_id is not None
            and user.organization_id in self.organization_ids()
        )

    def _is_self(self, user) -> bool:
        return role_of(user) is not None and user.person_id == self.id

    def can_view(self, user) -> bool:
        """The public sees consenting experts only; staff, the person and their liaison see all."""
        return may_see_person(
            Viewer.of(user),
            public=self.public_profile,
            person_id=self.id,
            in_organization=lambda org: org in self.organization_ids(),
        )

    def can_view_contact(self, user) -> bool:
        """Contact details and birth year are personal data: staff, self and liaison only."""
        return role_of(user) in STAFF or self._is_self(user) or self._liaison_of(user)

    def can_edit(self, user) -> bool:
        return role_of(user) in MANAGERS or self._is_self(user) or (self._liaison_of(user))

    def can_manage_memberships(self, user) -> bool:
        """Staff, and a liaison (for their own organisation); never the person alone."""
        return role_of(user) in MANAGERS or self._liaison_of(user)

    def can_raise_workload_cap(self, user) -> bool:
        """The union's staff set the cap; the person (or a liaison) may only lower it."""
        return role_of(user) in MANAGERS

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name!r}>"


@event.listens_for(Person.full_name, "set")
def _rename(target: Person, value: str | None, _old, _initiator) -> None:
    """A renamed person moves in every list sorted by name."""
    target.name_key = person_name_key(value or "")
    target.name_words = folded_name_words(value or "")


class Membership(Audited, db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("person_id", "organization_id", name="uq_membership_person_org"),
        CheckConstraint(check_in("role", MembershipRole), name="role"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MembershipRole.member.value)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship(back_populates="memberships")

    @property
    def holds_office(self) -> bool:
        return self.role in OFFICE_ROLES

    def __repr__(self) -> str:
        return f"<Membership {self.person_id}@{self.organization_id} {self.role}>"
