"""Fixtures for the report tests: a year built row by row, with dates chosen by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from expertnet.consultation.models import (
    AgencyResponse,
    Invitation,
    Meeting,
    Opinion,
    PublishedOpinion,
    PublishedRecommendation,
    Request,
)
from expertnet.consultation.operations import content_hash
from expertnet.directory.models import Membership

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    """A Hanoi wall-clock time (the column converts it to UTC)."""
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@dataclass
class YearBuilder:
    """Writes requests, panels, opinions, publications, responses and meetings directly."""

    session: Any
    filer: Any
    coordinator: Any
    approver: Any
    agency: Any
    sequence: dict[int, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        kind: str,
        state: str,
        submitted: datetime | None,
        *,
        title: str = "Đề án thử nghiệm",
        confidential: bool = False,
    ) -> Request:
        req = Request(
            kind=kind,
            title=title,
            summary="Tóm tắt.",
            agency_id=self.agency.id,
            filed_by_id=self.filer.id,
            coordinator_id=None if state in ("draft", "submitted") else self.coordinator.id,
            # Published and closed need their stamps: ``publish`` moves the request there.
            state="approval" if state in ("published", "closed") else state,
            confidential=confidential,
            created_at=submitted or local(2025, 6, 1),
            submitted_at=submitted,
        )
        self.session.add(req)
        self.session.flush()
        return req

    def seat(self, req: Request, person, responded: datetime, role: str = "member") -> Invitation:
        inv = Invitation(
            request_id=req.id,
            person_id=person.id,
            role=role,
            state="accepted",
            invited_by_id=self.coordinator.id,
            invited_at=responded,
            responded_at=responded,
            conflict_declaration={"has_conflict": False},
        )
        self.session.add(inv)
        self.session.flush()
        return inv

    def opinion(self, req: Request, person, submitted: datetime) -> Opinion:
        op = Opinion(
            request_id=req.id,
            person_id=person.id,
            summary="Ý kiến.",
            position="support",
            recommendations=[],
            submitted_at=submitted,
        )
        self.session.add(op)
        self.session.flush()
        return op

    def publish(
        self, req: Request, at: datetime, answers: list[str | None], *, closed: bool = False
    ) -> PublishedOpinion:
        """Publish ``req`` at ``at`` with one recommendation per answer (None: unanswered)."""
        year = at.astimezone(VN).year
        self.sequence[year] = self.sequence.get(year, 0) + 1
        number = f"{self.sequence[year]}/LHH-TVPB"
        recs = [
            {"position": n, "text": f"Kiến nghị {n}", "endorsed_by": [], "dissent": []}
            for n in range(1, len(answers) + 1)
        ]
        content = {
            "number": number,
            "request": {
                "id": req.id,
                "kind": req.kind,
                "title": req.title,
                "summary": req.summary,
                "agency": self.agency.name,
                "fields": [],
                "subject_organizations": [],
                "due_date": None,
            },
            "text": "Ý kiến chung.",
            "recommendations": recs,
            "panel": [],
            "experts": {},
            "dates": {"published_at": at.isoformat()},
            "approved_by": self.approver.name,
        }
        op = PublishedOpinion(
            request_id=req.id,
            year=year,
            sequence=self.sequence[year],
            number=number,
            content=content,
            content_hash=content_hash(content),
            approved_by_id=self.approver.id,
            published_at=at,
            confidential=req.confidential,
        )
        self.session.add(op)
        self.session.flush()
        for rec, answer in zip(recs, answers, strict=True):
            row = PublishedRecommendation(
                opinion_id=op.id, position=rec["position"], text=rec["text"]
            )
            self.session.add(row)
            self.session.flush()
            if answer is not None:
                self.session.add(
                    AgencyResponse(
                        recommendation_id=row.id,
                        status=answer,
                        recorded_by_id=self.filer.id,
                        recorded_at=at,
                    )
                )
        req.published_at = at
        req.state = "published"
        if closed:
            req.closed_at = at
            req.state = "closed"
        self.session.flush()
        return op

    def meeting(self, req: Request, kind: str, at: datetime, held: bool = True) -> Meeting:
        m = Meeting(
            request_id=req.id,
            kind=kind,
            title=f"Hội thảo {kind}",
            starts_at=at,
            place="Hải Phòng",
            held=held,
            created_by_id=self.coordinator.id,
        )
        self.session.add(m)
        self.session.flush()
        return m


@dataclass
class BuiltYear:
    """The hand-computed year of ``tests/reports``: see ``built_year`` for the figures."""

    orgs: dict[str, Any]
    people: dict[str, Any]
    requests: dict[str, Request]
    opinions: dict[str, PublishedOpinion]
    users: dict[str, Any]
    tokens: dict[str, str]


@pytest.fixture
def builder(session, make_user, make_org) -> YearBuilder:
    agency = make_org(kind="agency", name="Sở Xây dựng")
    filer, filer_token = make_user("agency", organization=agency, name="Cán bộ Sở Xây dựng")
    coordinator, coordinator_token = make_user("coordinator")
    approver, approver_token = make_user("approver", name="Bùi Thanh Tùng")
    b = YearBuilder(session, filer, coordinator, approver, agency)
    b.tokens = {"agency": filer_token, "coordinator": coordinator_token, "approver": approver_token}
    return b


@pytest.fixture
def built_year(builder, make_org, make_person, session) -> BuiltYear:
    """A small union and its year 2025, with every figure computed by hand in the tests.

    Organisations: A (association, former Hải Phòng), B (association, former Hải Dương),
    C (club, no province), and the agency. People: p1 ∈ A, p2 ∈ B, p3 ∈ A and B, p4 works
    for C (no membership), p5 ∈ A, p6 was in B until mid-2024.
    """
    b = builder
    org_a = make_org(name="Hội Cầu đường", former_province="hai_phong")
    org_b = make_org(name="Hội Thủy sản", former_province="hai_duong")
    org_c = make_org(kind="club", name="Câu lạc bộ Trí tuệ nhân tạo")
    p1 = make_person("Nguyễn Văn Một", organizations=[org_a])
    p2 = make_person("Trần Thị Hai", organizations=[org_b])
    p3 = make_person("Lê Văn Ba", organizations=[org_a, org_b])
    p4 = make_person("Phạm Thị Bốn", employer_id=org_c.id)
    p5 = make_person("Hoàng Văn Năm", organizations=[org_a])
    p6 = make_person("Vũ Thị Sáu")
    session.add(
        Membership(
            person_id=p6.id,
            organization_id=org_b.id,
            started_on=date(2010, 1, 1),
            ended_on=date(2024, 6, 30),
        )
    )
    session.flush()

    # R1: critique, 10 days to publish, panel p1 (HP) + p2 (HD): mixed.
    r1 = b.request("critique", "closed", local(2025, 1, 10), title="Quy hoạch cảng Lạch Huyện")
    b.seat(r1, p1, local(2025, 1, 12), "chair")
    b.seat(r1, p2, local(2025, 1, 12), "secretary")
    b.opinion(r1, p1, local(2025, 1, 15))
    b.opinion(r1, p2, local(2025, 1, 16))
    b.meeting(r1, "workshop", local(2025, 1, 14))
    o1 = b.publish(r1, local(2025, 1, 20), ["adopted", "not_adopted"], closed=True)
    # R2: consultation, 20 days, panel p3 (both provinces) + p4 (none): one person, not mixed.
    r2 = b.request("consultation", "closed", local(2025, 3, 1), title="Chương trình chuyển đổi số")
    b.seat(r2, p3, local(2025, 3, 3))
    b.seat(r2, p4, local(2025, 3, 3))
    b.opinion(r2, p3, local(2025, 3, 10))
    b.meeting(r2, "conference", local(2025, 3, 5))
    o2 = b.publish(r2, local(2025, 3, 21), ["partially_adopted"], closed=True)
    # R3: assessment, confidential, 40 days, panel p1, p5 (HP) + p6 (membership ended).
    r3 = b.request(
        "assessment", "published", local(2025, 5, 1), title="Dự án mật", confidential=True
    )
    b.seat(r3, p1, local(2025, 5, 3))
    b.seat(r3, p5, local(2025, 5, 3))
    b.seat(r3, p6, local(2025, 5, 3))
    b.opinion(r3, p5, local(2025, 5, 20))
    b.meeting(r3, "panel_meeting", local(2025, 5, 10))
    o3 = b.publish(r3, local(2025, 6, 10), ["adopted", None])
    # R4: critique received on New Year's Eve (local), still in review; p6 joins in 2026.
    r4 = b.request("critique", "in_review", local(2025, 12, 31, 23, 30))
    b.seat(r4, p6, local(2026, 1, 2))
    b.meeting(r4, "workshop", local(2025, 12, 20), held=False)
    # R5: consultation received at 06:00 on 1 January 2025 local (still 2024 in UTC); declined.
    b.request("consultation", "declined", local(2025, 1, 1, 6, 0))
    # R6: critique received in 2024 (23:00 local on 31 December), published in February 2025.
    r6 = b.request("critique", "closed", local(2024, 12, 31, 23, 0), title="Đề án năm trước")
    b.seat(r6, p4, local(2024, 12, 31, 23, 30))
    b.opinion(r6, p4, local(2025, 1, 20))
    b.meeting(r6, "conference", local(2024, 12, 30))
    o6 = b.publish(r6, local(2025, 2, 5), ["not_adopted"], closed=True)
    # R7: a draft never submitted.
    b.request("consultation", "draft", None)
    return BuiltYear(
        orgs={"A": org_a, "B": org_b, "C": org_c, "agency": b.agency},
        people={"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6},
        requests={"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r6": r6},
        opinions={"o1": o1, "o2": o2, "o3": o3, "o6": o6},
        users={"filer": b.filer, "coordinator": b.coordinator, "approver": b.approver},
        tokens=b.tokens,
    )


# The consultation tests' cast and workflow walk, reused to publish real opinions.
from tests.consultation.conftest import World, world  # noqa: E402, F401
