"""`expertnet demo` fills an empty database with the union of the brief."""

from __future__ import annotations

from sqlalchemy import func, select

from expertnet.consultation.models import Request
from expertnet.directory.models import Organization, Person


def test_demo_builds_the_union_with_requests_and_sign_ins(runner, session):
    res = runner.invoke(args=["demo", "--experts", "600", "--seed", "3"])
    assert res.exit_code == 0, res.output
    kinds = dict(
        session.execute(select(Organization.kind, func.count()).group_by(Organization.kind)).all()
    )
    assert kinds["member_association"] == 49
    assert kinds["institute"] == 12
    assert kinds["club"] == 8
    assert kinds["collective_member"] == 15
    assert kinds["agency"] >= 10
    provinces = dict(
        session.execute(
            select(Organization.former_province, func.count())
            .where(Organization.kind == "member_association")
            .group_by(Organization.former_province)
        ).all()
    )
    assert provinces == {"hai_phong": 29, "hai_duong": 20}
    assert session.scalar(select(func.count(Person.id))) == 600
    states = set(session.scalars(select(Request.state)))
    assert {"draft", "submitted", "in_review", "published", "closed"} <= states
    for role in ("admin", "coordinator", "approver", "expert", "agency", "liaison"):
        assert role in res.output
    # The people are searchable right away.
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0


def test_demo_refuses_a_database_with_people_and_if_empty_skips(runner, make_person):
    make_person(full_name="Người Đã Có")
    res = runner.invoke(args=["demo", "--experts", "50"])
    assert res.exit_code != 0
    assert res.stderr.startswith("error:")
    skipped = runner.invoke(args=["demo", "--experts", "50", "--if-empty"])
    assert skipped.exit_code == 0


def test_demo_gives_experts_scholarly_records_with_shared_coauthors(runner, session):
    from expertnet.panel.cache import get_graph
    from expertnet.scholarly.models import Publication, PublicationAuthor, ResearchProject

    res = runner.invoke(args=["demo", "--experts", "600", "--seed", "3"])
    assert res.exit_code == 0, res.output
    pubs = session.scalar(select(func.count(Publication.id)))
    assert pubs > 100
    languages = set(session.scalars(select(Publication.language).distinct()))
    assert languages == {"vi", "en"}
    linked = session.scalar(
        select(func.count(PublicationAuthor.id)).where(PublicationAuthor.person_id.is_not(None))
    )
    assert linked > pubs  # co-authors beyond the owner
    assert session.scalar(select(func.count(ResearchProject.id))) > 0
    eg = get_graph()
    assert eg.scholarly.collaborations
