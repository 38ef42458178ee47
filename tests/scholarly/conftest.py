"""Fixtures for the scholarly record: an expert with an account, files to import."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_bytes():
    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read


@pytest.fixture
def expert(make_person, make_org, make_user):
    """Nguyễn Văn An, member of an association, with an expert account."""
    org = make_org(name="Hội Thủy sản Hải Phòng", former_province="hai_phong")
    person = make_person(
        full_name="Nguyễn Văn An",
        organizations=[org],
        fields=("AGR-AQU",),
        expertise=["nuôi trồng thủy sản"],
        email="an@example.org",
        public_profile=True,
    )
    user, token = make_user("expert", person=person)
    return {"person": person, "org": org, "user": user, "token": token}
