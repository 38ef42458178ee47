"""Co-authorship and joint projects in the expert graph: edges, the conflict rule, affinity."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import bearer

from expertnet.panel.cache import get_graph
from expertnet.panel.conflicts import CoauthorOfInsider, path_json
from expertnet.panel.graph import onode, pnode, rnode
from expertnet.panel.suggest import RequestProfile, suggest
from expertnet.scholarly.graph_source import COAUTHOR, JOINT_PROJECT, MAX_LINKED_AUTHORS
from expertnet.scholarly.importers import title_key
from expertnet.scholarly.models import Publication, PublicationAuthor, ResearchProject

THIS_YEAR = date.today().year


def _paper(session, owner, authors, title="Nuôi tôm tuần hoàn", year=THIS_YEAR - 1, **kw):
    pub = Publication(person_id=owner.id, title=title, title_key=title_key(title), year=year, **kw)
    pub.authors = [
        PublicationAuthor(position=n, name=p.full_name, person_id=p.id)
        for n, p in enumerate(authors, start=1)
    ]
    session.add(pub)
    session.flush()
    return pub


def _profile(agency=None, request_id=None, title="Quy hoạch nuôi trồng thủy sản ven biển"):
    return RequestProfile(
        request_id=request_id,
        title=title,
        field_codes=("AGR-AQU",),
        agency_id=agency.id if agency else None,
    )


def _excluded(s):
    return {e.person_id: e for e in s.excluded}


def test_coauthor_of_an_agency_employee_is_excluded_with_path_and_paper(
    app, session, make_org, make_expert
):
    agency = make_org(kind="agency", name="Sở Nông nghiệp")
    insider = make_expert(employer=agency, full_name="Lê Văn Trong")
    coauthor = make_expert(full_name="Phạm Thị Ngoài")
    stranger = make_expert()
    _paper(session, coauthor, [coauthor, insider], title="Tôm thẻ chân trắng", year=THIS_YEAR)
    s = suggest(_profile(agency=agency), 3)
    e = _excluded(s)[coauthor.id]
    assert e.rule == "coauthor"
    assert e.conflict.path == (pnode(coauthor.id), pnode(insider.id), onode(agency.id))
    assert e.conflict.steps == (COAUTHOR, "employed")
    assert "Tôm thẻ chân trắng" in e.reason and str(THIS_YEAR) in e.reason
    assert stranger.id not in _excluded(s)


def test_old_coauthorship_is_no_conflict_unless_the_window_is_widened(
    app, session, make_org, make_expert
):
    agency = make_org(kind="agency")
    insider = make_expert(employer=agency)
    coauthor = make_expert()
    _paper(session, coauthor, [coauthor, insider], year=THIS_YEAR - 10)
    s = suggest(_profile(agency=agency), 3)
    assert coauthor.id not in _excluded(s)
    wide = (CoauthorOfInsider(years=12),)
    s = suggest(_profile(agency=agency), 3, rules=wide)
    assert _excluded(s)[coauthor.id].rule == "coauthor"
    app.config["EXPERTNET_COAUTHOR_YEARS"] = 12
    try:
        assert _excluded(suggest(_profile(agency=agency), 3))[coauthor.id].rule == "coauthor"
    finally:
        app.config.pop("EXPERTNET_COAUTHOR_YEARS")


def test_coauthor_of_a_panel_member_is_excluded(app, session, make_expert, make_request, invite):
    req = make_request()
    member = make_expert()
    coauthor = make_expert()
    invite(req, member, state="accepted")
    _paper(session, member, [member, coauthor])
    s = suggest(_profile(request_id=req.id), 3)
    e = _excluded(s)[coauthor.id]
    assert e.rule == "coauthor"
    assert e.conflict.path == (pnode(coauthor.id), pnode(member.id), rnode(req.id))
    assert [n["type"] for n in path_json(s.graph, e.conflict)] == ["person", "person", "request"]


def test_joint_project_by_code_is_a_conflict(app, session, make_org, make_expert):
    agency = make_org(kind="agency")
    insider = make_expert(employer=agency)
    partner = make_expert()
    for p, role in ((insider, "lead"), (partner, "member")):
        session.add(
            ResearchProject(
                person_id=p.id,
                code="ĐT-2024-07",
                title="Đề tài nuôi tôm",
                level="city",
                role=role,
                status="ongoing",
            )
        )
    session.flush()
    e = _excluded(suggest(_profile(agency=agency), 3))[partner.id]
    assert e.conflict.steps == (JOINT_PROJECT, "employed")


def test_api_shows_coauthor_reason_and_path(
    client, session, coordinator, make_org, make_expert, make_request
):
    agency = make_org(kind="agency")
    insider = make_expert(employer=agency)
    coauthor = make_expert()
    for _ in range(3):
        make_expert()
    _paper(session, coauthor, [coauthor, insider])
    req = make_request(agency=agency)
    _user, token = coordinator
    r = client.get(f"/api/v1/requests/{req.id}/panel/suggestions?size=2", headers=bearer(token))
    assert r.status_code == 200, r.json
    item = next(e for e in r.json["excluded"] if e["expert_id"] == coauthor.id)
    assert item["reason"] == "coauthor"
    assert "Nuôi tôm tuần hoàn" in item["message"]
    assert [n["id"] for n in item["path"]] == [coauthor.id, insider.id, agency.id]
    assert item["path"][1]["via"] == COAUTHOR


def test_a_paper_with_many_linked_authors_makes_bounded_edges(app, session, make_person):
    people = [make_person(full_name=f"Tác Giả {i}", expertise=["vật lý"]) for i in range(60)]
    _paper(session, people[0], people, title="Higgs")
    eg = get_graph()
    pairs = [k for k in eg.scholarly.collaborations if set(k) <= {p.id for p in people}]
    n = MAX_LINKED_AUTHORS
    assert len(pairs) == n * (n - 1) // 2
    assert eg.edge_kinds(pnode(people[0].id), pnode(people[1].id)) == (COAUTHOR,)
    assert eg.edge_kinds(pnode(people[0].id), pnode(people[59].id)) == ()


def test_publications_feed_affinity_and_reasons_name_the_paper(app, session, make_expert):
    # Neither profile mentions mangroves; one expert has written about them.
    writer = make_expert(topic="sinh thái học", fields=("AGR-AQU",))
    other = make_expert(topic="sinh thái học", fields=("AGR-AQU",))
    _paper(
        session,
        writer,
        [writer],
        title="Phục hồi rừng ngập mặn ven biển Tiên Lãng",
        year=2023,
        keywords=["rừng ngập mặn"],
        abstract="Trồng lại rừng ngập mặn để chống xói lở bờ biển.",
    )
    s = suggest(_profile(title="Dự án phục hồi rừng ngập mặn ven biển"), 2)
    by_id = {c.person_id: c for c in s.panel}
    assert by_id[writer.id].affinity > by_id[other.id].affinity
    assert any("Phục hồi rừng ngập mặn ven biển Tiên Lãng" in r for r in by_id[writer.id].reasons)
    assert any("(2023)" in r for r in by_id[writer.id].reasons)


def test_english_papers_match_through_stems_and_skip_stop_words(app, session, make_expert):
    from expertnet.panel.affinity import terms

    assert "restor" in terms("Restoring the forests") and "restor" in terms("restoration")
    assert "the" not in terms("the between using")
    english = make_expert(topic="sinh thái học", fields=("AGR-AQU",))
    other = make_expert(topic="sinh thái học", fields=("AGR-AQU",))
    _paper(session, english, [english], title="Restoring mangrove forests on eroding coasts")
    s = suggest(_profile(title="Mangrove restoration and coastal erosion"), 2)
    by_id = {c.person_id: c for c in s.panel}
    assert by_id[english.id].affinity > by_id[other.id].affinity
    assert any("Restoring mangrove forests" in r for r in by_id[english.id].reasons)


def test_union_network_counts_collaboration_across_organisations_and_provinces(
    client, session, auth, make_org, make_expert, make_user
):
    hp = make_org(former_province="hai_phong", name="Hội Thủy sản")
    hd = make_org(former_province="hai_duong", name="Hội Nông học")
    a = make_expert(orgs=[hp])
    b = make_expert(orgs=[hd])
    c = make_expert(orgs=[hp])
    _paper(session, a, [a, b])  # across organisations and provinces
    _paper(session, a, [a, c], title="Tôm sú")  # same organisation
    from expertnet.panel.network import network_stats

    stats = network_stats(get_graph())["collaboration"]
    assert stats["coauthor_pairs"] == 2
    assert stats["cross_organization_pairs"] == 1 and stats["cross_province_pairs"] == 1
    assert stats["organization_pairs"][0]["pairs"] == 1
    user, _t = make_user("coordinator")
    client.set_cookie("expertnet_lang", "en")
    auth.login(user.email)
    page = client.get("/network")
    assert page.status_code == 200
    assert "Pairs across the two former provinces" in page.text


def _model(works):
    from expertnet.panel.affinity import AffinityModel

    texts = {pid: (["sinh thái học"], None, None, ()) for pid in (1, 2, 3)}
    texts[4] = (["rừng ngập mặn"], None, None, ())
    return AffinityModel.build(texts, {}, works=works, this_year=2026)


def test_works_evidence_rewards_recent_and_broad_work_and_stays_in_range():
    title = "Phục hồi rừng ngập mặn ven biển"
    m = _model(
        {
            1: [(2025, title)],
            2: [(1996, title)],
            3: [(2025, title), (2024, title + " Tiên Lãng"), (2023, "Rừng ngập mặn Cát Hải")],
        }
    )
    qvec = m.query_vector("Đề án phục hồi rừng ngập mặn")
    scores = dict(zip(m.person_ids.tolist(), m.text_scores(qvec).tolist(), strict=True))
    assert scores[1] > scores[2] > 0  # recent work counts more
    assert scores[3] > scores[1]  # breadth: several good works
    assert all(0 <= s <= 1 for s in scores.values())
    # Expert 4 has no works, but the request names their whole declared expertise.
    assert scores[4] == 1.0
    # Unrelated works do not lower a score: the record only adds evidence.
    other = _model({4: [(2025, "Kinh tế vận tải biển")]})
    assert other.text_scores(other.query_vector("Đề án phục hồi rừng ngập mặn"))[
        other.row_of[4]
    ] == pytest.approx(1.0)
