"""Each conflict-of-interest rule, with the path of graph nodes that makes it."""

from __future__ import annotations

from expertnet.panel.conflicts import (
    DEFAULT_RULES,
    EmployedByParty,
    MemberOfParty,
    path_json,
)
from expertnet.panel.graph import onode, pnode, rnode
from expertnet.panel.models import PersonRelationship
from expertnet.panel.suggest import RequestProfile, suggest


def _profile(agency=None, subjects=(), request_id=None, declared=()):
    return RequestProfile(
        request_id=request_id,
        title="Quy hoạch nuôi trồng thủy sản ven biển",
        field_codes=("AGR-AQU",),
        agency_id=agency.id if agency else None,
        subject_ids=tuple(o.id for o in subjects),
        declared_person_ids=frozenset(declared),
    )


def _excluded(s):
    return {e.person_id: e for e in s.excluded}


def test_employee_of_requesting_agency_is_excluded_with_path(app, make_org, make_expert):
    agency = make_org(kind="agency", name="Sở Nông nghiệp")
    insider = make_expert(employer=agency)
    outsider = make_expert()
    s = suggest(_profile(agency=agency), 3)
    excluded = _excluded(s)
    assert insider.id in excluded and outsider.id not in excluded
    e = excluded[insider.id]
    assert e.rule == "employed_by_party"
    assert e.conflict.path == (pnode(insider.id), onode(agency.id))
    assert [n["type"] for n in path_json(s.graph, e.conflict)] == ["person", "organization"]
    assert path_json(s.graph, e.conflict)[1]["via"] == "employed"
    assert outsider.id in {c.person_id for c in s.panel}


def test_office_holder_of_subject_organisation_is_excluded(app, make_org, make_expert):
    subject = make_org(name="Hội Nghề cá")
    chair = make_expert(orgs=[(subject, "chair")])
    s = suggest(_profile(subjects=[subject]), 3)
    e = _excluded(s)[chair.id]
    assert e.rule == "office_in_party"
    assert e.conflict.path == (pnode(chair.id), onode(subject.id))
    assert e.conflict.steps == ("office",)


def test_declared_conflict_on_the_invitation_excludes(app, make_expert, make_request, invite):
    req = make_request()
    declared = make_expert()
    invite(req, declared, state="accepted", conflict=True)
    s = suggest(_profile(request_id=req.id), 3)
    e = _excluded(s)[declared.id]
    assert e.rule == "declared"
    assert e.conflict.path == (pnode(declared.id), rnode(req.id))


def test_declared_conflict_in_the_profile_excludes_a_draft(app, make_expert):
    declared = make_expert()
    s = suggest(_profile(declared=[declared.id]), 3)
    assert _excluded(s)[declared.id].rule == "declared"


def test_relationship_to_an_insider_excludes_with_two_hop_path(
    app, session, make_org, make_expert, make_person
):
    subject = make_org(kind="enterprise", name="Công ty Thủy sản Biển Đông")
    insider = make_person(full_name="Trần Văn Giám Đốc", employer_id=subject.id)
    relative = make_expert()
    session.add(PersonRelationship(person_a_id=relative.id, person_b_id=insider.id, kind="family"))
    session.flush()
    s = suggest(_profile(subjects=[subject]), 3)
    e = _excluded(s)[relative.id]
    assert e.rule == "related_to_insider"
    assert e.conflict.path == (pnode(relative.id), pnode(insider.id), onode(subject.id))
    assert e.conflict.steps == ("relationship", "employed")
    assert "Trần Văn Giám Đốc" in e.reason


def test_plain_membership_of_subject_is_potential_not_excluded(app, make_org, make_expert):
    subject = make_org(name="Hội Nuôi trồng Thủy sản")
    member = make_expert(orgs=[subject])
    s = suggest(_profile(subjects=[subject]), 3)
    assert member.id not in _excluded(s)
    seat = next(c for c in s.panel if c.person_id == member.id)
    assert [c.rule for c in seat.potential_conflicts] == ["member_of_party"]
    assert seat.potential_conflicts[0].path == (pnode(member.id), onode(subject.id))
    assert any("Potential conflict" in r for r in seat.reasons)


def test_rules_are_configurable(app, make_org, make_expert):
    agency = make_org(kind="agency")
    insider = make_expert(employer=agency)
    without = [r for r in DEFAULT_RULES if not isinstance(r, EmployedByParty)]
    s = suggest(_profile(agency=agency), 3, rules=without)
    assert insider.id in {c.person_id for c in s.panel}
    strict = [*without, MemberOfParty(severity="exclude")]
    subject = make_org()
    member = make_expert(orgs=[subject])
    s = suggest(_profile(subjects=[subject]), 3, rules=strict)
    assert _excluded(s)[member.id].rule == "member_of_party"
