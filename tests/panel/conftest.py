"""Factories for panel tests: experts with text, requests and invitations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from expertnet.directory.models import Membership


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


@pytest.fixture
def make_expert(make_person):
    """An expert whose profile text is about ``topic``; memberships as (org, role) pairs."""
    counter = {"n": 0}

    def make(
        topic="nuôi trồng thủy sản",
        orgs=(),
        fields=("AGR-AQU",),
        employer=None,
        **kw,
    ):
        counter["n"] += 1
        person = make_person(
            full_name=kw.pop("full_name", f"Chuyên gia Thử {counter['n']}"),
            expertise=[topic, *kw.pop("extra_expertise", [])],
            fields=fields,
            employer_id=employer.id if employer is not None else None,
            **kw,
        )
        for item in orgs:
            org, role = item if isinstance(item, tuple) else (item, "member")
            person.memberships.append(Membership(organization=org, role=role))
        from expertnet.extensions import db

        db.session.flush()
        return person

    return make


@pytest.fixture
def make_request(session, coordinator):
    from sqlalchemy import select

    from expertnet.consultation.models import Request
    from expertnet.directory.models import Field

    user, _token = coordinator

    def make(
        title="Quy hoạch nuôi trồng thủy sản ven biển",
        summary="",
        agency=None,
        subjects=(),
        fields=("AGR-AQU",),
        state="panel_forming",
        **kw,
    ):
        req = Request(
            kind=kw.pop("kind", "consultation"),
            title=title,
            summary=summary,
            agency_id=agency.id if agency is not None else None,
            filed_by_id=user.id,
            coordinator_id=user.id,
            state=state,
            **kw,
        )
        req.fields = list(session.scalars(select(Field).where(Field.code.in_(fields))))
        req.subject_organizations = list(subjects)
        if state in ("published", "closed"):
            req.published_at = datetime.now(UTC)
        if state == "closed":
            req.closed_at = datetime.now(UTC)
        session.add(req)
        session.flush()
        return req

    return make


@pytest.fixture
def invite(session, coordinator):
    from expertnet.consultation.models import Invitation

    user, _token = coordinator

    def make(req, person, state="invited", role="member", conflict=False, **kw):
        now = datetime.now(UTC)
        inv = Invitation(
            request_id=req.id,
            person_id=person.id,
            role=role,
            state=state,
            invited_by_id=user.id,
            responded_at=now if state in ("accepted", "declined") else None,
            conflict_declaration=(
                {"has_conflict": conflict, "details": "x" if conflict else None}
                if state == "accepted" or conflict
                else None
            ),
            decline_reason="busy" if state == "declined" else None,
            revoked_at=now if state == "revoked" else None,
            **kw,
        )
        session.add(inv)
        session.flush()
        return inv

    return make
