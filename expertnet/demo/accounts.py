"""Sign-ins for each role on a demo database, with fresh random passwords."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from ..auth.operations import create_user
from ..directory.models import Organization, Person


def _password() -> str:
    return secrets.token_urlsafe(12)


def create_demo_accounts(session, seed: int = 1) -> list[tuple[str, str, str]]:
    """Create one user per role; returns (role, e-mail, password) to print once."""
    agency = session.scalar(
        select(Organization).where(Organization.kind == "agency").order_by(Organization.id)
    )
    association = session.scalar(
        select(Organization)
        .where(Organization.kind == "member_association")
        .order_by(Organization.id)
    )
    # The demo expert is a senior, consenting expert, so the profile page has content.
    expert = session.scalar(
        select(Person)
        .where(Person.academic_title.is_not(None), Person.public_profile.is_(True))
        .order_by(Person.id)
    ) or session.scalar(select(Person).order_by(Person.id))
    plan = [
        ("admin", "admin@demo.expertnet.vn", "Quản trị hệ thống", {}),
        ("coordinator", "dieuphoi@demo.expertnet.vn", "Văn phòng Tư vấn", {}),
        ("approver", "chutich@demo.expertnet.vn", "Chủ tịch Liên hiệp Hội", {}),
        ("expert", "chuyengia@demo.expertnet.vn", expert.full_name if expert else "Chuyên gia",
         {"person_id": expert.id if expert else None}),
        ("agency", "coquan@demo.expertnet.vn", agency.name if agency else "Cơ quan",
         {"organization_id": agency.id if agency else None}),
        ("liaison", "thuky@demo.expertnet.vn", "Thư ký Hội",
         {"organization_id": association.id if association else None}),
    ]  # fmt: skip
    created = []
    for role, email, name, links in plan:
        if role == "expert" and not links.get("person_id"):
            continue
        if role in ("agency", "liaison") and not links.get("organization_id"):
            continue
        password = _password()
        create_user(email=email, name=name, role=role, password=password, **links)
        created.append((role, email, password))
    return created
