"""Publications (with ordered authors), research projects and patents of an expert's record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import N_
from ..core.types import NFCString, NFCText, TitledEnum, UTCDateTime, check_in, utcnow
from ..directory.models import Audited, Person
from ..extensions import db

#: Authors kept per publication: physics papers list thousands, nobody reads past this.
MAX_AUTHORS = 500


class PublicationType(TitledEnum):
    journal_article = "journal_article", N_("Journal article")
    conference_paper = "conference_paper", N_("Conference paper")
    book = "book", N_("Book")
    chapter = "chapter", N_("Book chapter")
    report = "report", N_("Report")
    thesis = "thesis", N_("Thesis")
    standard = "standard", N_("Standard")
    other = "other", N_("Other publication")


class ProjectLevel(TitledEnum):
    national = "national", N_("National")
    ministerial = "ministerial", N_("Ministerial")
    city = "city", N_("City or provincial")
    grassroots = "grassroots", N_("Grassroots")
    international = "international", N_("International")
    other = "other", N_("Other level")


class ProjectRole(TitledEnum):
    lead = "lead", N_("Principal investigator (chủ nhiệm)")
    secretary = "secretary", N_("Scientific secretary (thư ký)")
    member = "member", N_("Member (thành viên)")


class ProjectStatus(TitledEnum):
    ongoing = "ongoing", N_("Ongoing")
    completed = "completed", N_("Completed and accepted")
    stopped = "stopped", N_("Stopped")


class PatentKind(TitledEnum):
    patent = "patent", N_("Patent (sáng chế)")
    utility_solution = "utility_solution", N_("Utility solution (giải pháp hữu ích)")


class PatentStatus(TitledEnum):
    filed = "filed", N_("Filed")
    granted = "granted", N_("Granted")
    expired = "expired", N_("Expired")


_YEAR = "{c} IS NULL OR ({c} >= 1900 AND {c} <= 2100)"


class Publication(Audited, db.Model):
    """One work in one expert's record; co-authors are linked through ``authors``."""

    __tablename__ = "publication"
    __table_args__ = (
        CheckConstraint(check_in("type", PublicationType), name="type"),
        CheckConstraint(_YEAR.format(c="year"), name="year"),
        # NULLs are distinct in both PostgreSQL and SQLite: works without a DOI are
        # deduplicated on ``title_key`` + ``year`` by the import instead.
        UniqueConstraint("person_id", "doi", name="uq_publication_person_doi"),
        # The import looks works up by owner and title key, a chunk of a file at a time.
        Index("ix_publication_person_title_key", "person_id", "title_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The expert whose record this is.
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(24), default=PublicationType.journal_article.value)
    title: Mapped[str] = mapped_column(NFCText)
    #: Folded, punctuation-free title: the duplicate key when there is no DOI.
    title_key: Mapped[str] = mapped_column(String(255), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    venue: Mapped[str | None] = mapped_column(NFCString(500))
    volume: Mapped[str | None] = mapped_column(String(40))
    issue: Mapped[str | None] = mapped_column(String(40))
    pages: Mapped[str | None] = mapped_column(String(40))
    publisher: Mapped[str | None] = mapped_column(NFCString(255))
    doi: Mapped[str | None] = mapped_column(String(255), index=True)
    isbn: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    abstract: Mapped[str | None] = mapped_column(NFCText)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(String(1000))
    #: How the record got here: manual, bibtex, ris, csl, orcid, crossref, openalex, csv.
    source: Mapped[str] = mapped_column(String(16), default="manual")
    #: Authors beyond ``MAX_AUTHORS`` that were not kept (shown as "et al.").
    authors_truncated: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()
    authors: Mapped[list[PublicationAuthor]] = relationship(
        back_populates="publication",
        cascade="all, delete-orphan",
        order_by="PublicationAuthor.position",
    )

    @property
    def type_enum(self) -> PublicationType:
        return PublicationType(self.type)

    def __repr__(self) -> str:
        return f"<Publication {self.id} {self.title[:30]!r}>"


class PublicationAuthor(Audited, db.Model):
    """An author as written, linked to a directory person only on firm evidence.

    ``person_id`` is set from an ORCID iD or e-mail that a person of the directory holds,
    from the record's owner, or once the person confirmed a suggested match
    (``candidate_person_id``: same name and a shared organisation). Never by name alone.
    """

    __tablename__ = "publication_author"
    __table_args__ = (
        UniqueConstraint("publication_id", "position", name="uq_publication_author_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publication.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(NFCString(300))
    orcid: Mapped[str | None] = mapped_column(String(19))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: A suggested match waiting for that person's (or staff's) confirmation.
    candidate_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )

    publication: Mapped[Publication] = relationship(back_populates="authors")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    candidate: Mapped[Person | None] = relationship(foreign_keys=[candidate_person_id])


class ResearchProject(Audited, db.Model):
    """A research project (đề tài, dự án KH&CN) the expert led or joined.

    Two records holding the same ``code`` are the same project: that makes the
    joint-project edge of the expert graph.
    """

    __tablename__ = "research_project"
    __table_args__ = (
        CheckConstraint(check_in("level", ProjectLevel), name="level"),
        CheckConstraint(check_in("role", ProjectRole), name="role"),
        CheckConstraint(check_in("status", ProjectStatus), name="status"),
        CheckConstraint(_YEAR.format(c="start_year"), name="start_year"),
        CheckConstraint(_YEAR.format(c="end_year"), name="end_year"),
        CheckConstraint(
            "end_year IS NULL OR start_year IS NULL OR end_year >= start_year", name="years"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(NFCString(80), index=True)
    title: Mapped[str] = mapped_column(NFCText)
    level: Mapped[str] = mapped_column(String(16), default=ProjectLevel.city.value)
    role: Mapped[str] = mapped_column(String(16), default=ProjectRole.member.value)
    funder: Mapped[str | None] = mapped_column(NFCString(255))
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ProjectStatus.ongoing.value)
    result: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()


class Patent(Audited, db.Model):
    """A patent or utility solution (sáng chế, giải pháp hữu ích)."""

    __tablename__ = "patent"
    __table_args__ = (
        CheckConstraint(check_in("kind", PatentKind), name="kind"),
        CheckConstraint(check_in("status", PatentStatus), name="status"),
        CheckConstraint(_YEAR.format(c="year"), name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24), default=PatentKind.patent.value)
    title: Mapped[str] = mapped_column(NFCText)
    number: Mapped[str | None] = mapped_column(String(80))
    office: Mapped[str | None] = mapped_column(NFCString(255))
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PatentStatus.filed.value)
    inventors: Mapped[str | None] = mapped_column(NFCText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()


class ScholarProfile(Audited, db.Model):
    """Identifiers that link a person to their works elsewhere (ORCID iD)."""

    __tablename__ = "scholar_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    orcid: Mapped[str | None] = mapped_column(String(19), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship()


class TextEmbedding(db.Model):
    """A sentence-embedding vector of one text, by model and the text's SHA-256.

    Computed by background jobs (see ``scholarly/embeddings.py``) for publications and
    requests; the same text is never embedded twice by the same model. ``vector`` holds
    ``dim`` little-endian float32 values, normalised to unit length.
    """

    __tablename__ = "text_embedding"
    __table_args__ = (UniqueConstraint("model", "sha256", name="uq_text_embedding_model_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
