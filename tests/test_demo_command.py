"""`expertnet demo` fills an empty database with the union of the brief."""

from __future__ import annotations

import pytest
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


def test_demo_content_reads_as_a_vietnamese_reader_expects(runner, session, client):
    """Summaries name the agency and keep proper nouns; experts write different opinions; a
    dissent is only ever from an expert who did not simply agree; chairs are senior experts
    of the request's field; a visitor's first searches find public experts."""
    from expertnet.consultation.models import Invitation, Opinion, PublishedRecommendation

    res = runner.invoke(args=["demo", "--experts", "600", "--seed", "3"])
    assert res.exit_code == 0, res.output
    requests = session.scalars(select(Request).order_by(Request.id)).all()
    for req in requests:
        assert " đề nghị Liên hiệp Hội " in req.summary
    assert any("khu vực Thủy Nguyên" in r.summary for r in requests)
    assert any("cảng biển Lạch Huyện" in r.summary for r in requests)

    for req in requests:
        opinions = session.scalars(select(Opinion).where(Opinion.request_id == req.id)).all()
        assert len({o.assessment for o in opinions}) == len(opinions)
        chair = session.scalar(
            select(Invitation).where(Invitation.request_id == req.id, Invitation.role == "chair")
        )
        if chair is not None:
            assert chair.person.degree in ("TS", "TSKH")
            assert {f.code for f in chair.person.fields} & {f.code for f in req.fields}
        stance = {o.person_id: o.position for o in opinions}
        recs = session.scalars(select(PublishedRecommendation)).all()
        for rec in recs:
            if rec.opinion.request_id != req.id:
                continue
            for dissent in rec.dissent:
                assert stance[dissent["expert_id"]] != "support"
                assert dissent["expert_id"] not in rec.endorsed_by
            assert set(rec.endorsed_by) <= set(stance)

    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    for query in ("biến đổi khí hậu", "bien doi khi hau", "nuôi trồng thủy sản"):
        found = client.get("/api/v1/experts", query_string={"q": query}).json
        assert found["total"] >= 2, query


def test_demo_refuses_a_database_with_people_and_if_empty_skips(runner, make_person):
    make_person(full_name="Người Đã Có")
    res = runner.invoke(args=["demo", "--experts", "50"])
    assert res.exit_code != 0
    assert res.stderr.startswith("error:")
    skipped = runner.invoke(args=["demo", "--experts", "50", "--if-empty"])
    assert skipped.exit_code == 0


@pytest.mark.slow
@pytest.mark.parametrize(("size", "seed"), [(50, 1), (200, 1), (300, 1), (130, 7)])
def test_demo_loads_at_small_sizes_without_crashing(runner, session, size, seed):
    res = runner.invoke(args=["demo", "--experts", str(size), "--seed", str(seed)])
    assert res.exit_code == 0, (res.output, res.stderr)
    assert "Traceback" not in res.output + res.stderr
    assert session.scalar(select(func.count(Person.id))) == size
    # The workload cap held while the demo walked its requests.
    from expertnet.consultation.operations import workload

    people = session.scalars(select(Person)).all()
    load = workload([p.id for p in people])
    assert all(load.get(p.id, 0) <= p.max_assignments for p in people)


def test_a_failing_command_prints_one_error_line_never_a_traceback(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from expertnet.cli import main

    monkeypatch.setenv("EXPERTNET_INSTANCE", str(tmp_path))
    monkeypatch.setenv("EXPERTNET_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/absent")
    monkeypatch.setenv("EXPERTNET_SECRET_KEY", "a-shared-key-of-the-cluster")
    monkeypatch.setenv("EXPERTNET_BASE_URL", "https://expertnet.example.vn")
    res = CliRunner().invoke(main, ["demo", "--experts", "50"])
    assert res.exit_code != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: OperationalError"), res.stderr
    assert "Traceback" not in res.output


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
