"""Fixtures for the consultation tests: the cast of users and a walk through the workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers import bearer


@dataclass
class Member:
    user: Any
    token: str

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def person_id(self) -> int:
        return self.user.person_id


@dataclass
class World:
    client: Any
    agency: Member
    other_agency: Member
    coordinator: Member
    coordinator2: Member
    approver: Member
    approver2: Member
    admin: Member
    liaison: Member
    experts: list[Member] = field(default_factory=list)

    def call(self, who: Member | None, method: str, url: str, json: Any = None, **kw):
        headers = bearer(who.token) if who is not None else {}
        return self.client.open(url, method=method, json=json, headers=headers, **kw)

    def ok(self, who: Member | None, method: str, url: str, json: Any = None, status=200):
        res = self.call(who, method, url, json)
        assert res.status_code == status, (url, res.status_code, res.get_data(as_text=True))
        return res.json

    def act(self, who: Member, request_id: int, action: str, status=200, **body):
        res = self.call(who, "POST", f"/api/v1/requests/{request_id}/actions/{action}", body)
        assert res.status_code == status, (action, res.status_code, res.get_data(as_text=True))
        return res.json

    # --- walking a request through the workflow -------------------------------------------

    def file(self, **overrides) -> dict:
        body = {
            "kind": "critique",
            "title": "Đề án phát triển cảng biển Lạch Huyện giai đoạn 2026-2030",
            "summary": "Xin ý kiến phản biện về đề án.",
            "fields": [],
            "subject_organizations": [],
            "due_date": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
            "confidential": False,
        }
        body.update(overrides)
        return self.ok(self.agency, "POST", "/api/v1/requests", body, status=201)

    def to_panel_forming(self, **overrides) -> int:
        rid = self.file(**overrides)["id"]
        self.act(self.agency, rid, "submit")
        self.act(self.coordinator, rid, "accept")
        self.act(self.coordinator, rid, "open_panel")
        return rid

    def invite(self, rid: int, expert: Member, role: str = "member") -> dict:
        respond_by = (datetime.now(UTC) + timedelta(days=7)).isoformat()
        body = {"expert_id": expert.person_id, "role": role, "respond_by": respond_by}
        return self.ok(self.coordinator, "POST", f"/api/v1/requests/{rid}/invitations", body, 201)

    def accept(self, expert: Member, invitation_id: int, conflict: str | None = None) -> dict:
        declaration: dict = {"has_conflict": False}
        if conflict:
            declaration = {"has_conflict": True, "details": conflict}
        return self.ok(
            expert,
            "POST",
            f"/api/v1/invitations/{invitation_id}/accept",
            {"conflict_declaration": declaration},
        )

    def to_in_review(self, **overrides) -> int:
        rid = self.to_panel_forming(**overrides)
        for expert, role in zip(self.experts[:3], ("chair", "secretary", "reviewer"), strict=True):
            inv = self.invite(rid, expert, role)
            self.accept(expert, inv["id"])
        self.act(self.coordinator, rid, "start_review")
        return rid

    def write_opinion(self, expert: Member, rid: int, position="support_with_changes") -> dict:
        body = {
            "summary": f"Ý kiến của chuyên gia {expert.person_id}",
            "assessment": "**Đề án** cần bổ sung đánh giá tác động môi trường.",
            "position": position,
            "recommendations": [{"text": "Bổ sung đánh giá tác động môi trường."}],
        }
        self.ok(expert, "PUT", f"/api/v1/requests/{rid}/opinion", body)
        return self.ok(expert, "POST", f"/api/v1/requests/{rid}/opinion/submit")

    def to_consolidation(self, **overrides) -> int:
        rid = self.to_in_review(**overrides)
        for expert in self.experts[:3]:
            self.write_opinion(expert, rid)
        self.act(self.coordinator, rid, "close_review")
        return rid

    def consolidate(self, rid: int, who: Member | None = None) -> dict:
        e = self.experts
        body = {
            "text": "Liên hiệp Hội cơ bản nhất trí với đề án, với các kiến nghị sau.",
            "recommendations": [
                {
                    "text": "Bổ sung đánh giá tác động môi trường.",
                    "endorsed_by": [e[0].person_id, e[1].person_id],
                    "dissent": [{"expert_id": e[2].person_id, "text": "Chưa cần thiết."}],
                },
                {"text": "Làm rõ nguồn vốn.", "endorsed_by": [x.person_id for x in e[:3]]},
            ],
        }
        url = f"/api/v1/requests/{rid}/consolidation"
        return self.ok(who or self.coordinator, "PUT", url, body)

    def to_approval(self, **overrides) -> int:
        rid = self.to_consolidation(**overrides)
        self.consolidate(rid)
        self.act(self.coordinator, rid, "submit_consolidation")
        return rid

    def to_published(self, **overrides) -> tuple[int, int]:
        rid = self.to_approval(**overrides)
        req = self.act(self.approver, rid, "approve")
        return rid, req["published_opinion"]


@pytest.fixture
def world(client, make_user, make_org) -> World:
    def member(role: str, **kw) -> Member:
        user, token = make_user(role, **kw)
        return Member(user, token)

    agency_org = make_org(kind="agency", name="Sở Giao thông vận tải")
    w = World(
        client=client,
        agency=member("agency", organization=agency_org),
        other_agency=member("agency"),
        coordinator=member("coordinator"),
        coordinator2=member("coordinator"),
        approver=member("approver"),
        approver2=member("approver"),
        admin=member("admin"),
        liaison=member("liaison"),
    )
    w.experts = [member("expert") for _ in range(5)]
    return w
