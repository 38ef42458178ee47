"""Composition rules, unsatisfiable rules reported, workload, chair, alternatives, affinity."""

from __future__ import annotations

from expertnet.panel.cache import get_graph
from expertnet.panel.suggest import (
    PanelConstraints,
    RequestProfile,
    affinities,
    affinity_of,
    alternatives,
    suggest,
)

TOPIC = "nuôi trồng thủy sản"
TITLE = "Quy hoạch nuôi trồng thủy sản ven biển"


def _profile(title=TITLE, **kw):
    return RequestProfile(request_id=kw.pop("request_id", None), title=title, **kw)


def _ids(candidates):
    return [c.person_id for c in candidates]


def test_at_most_two_experts_from_one_member_organisation(app, make_org, make_expert):
    big = make_org(former_province="hai_phong")
    other = make_org(former_province="hai_duong")
    strong = [make_expert(orgs=[big], extra_expertise=[TITLE]) for _ in range(4)]
    weaker = [make_expert(orgs=[other]) for _ in range(2)]
    s = suggest(_profile(), 4)
    chosen = set(_ids(s.panel))
    assert len(chosen & {p.id for p in strong}) == 2
    assert len(chosen & {p.id for p in weaker}) == 2
    # Nobody is a GS, PGS or TS: said so, not silently ignored.
    assert [u.constraint for u in s.unmet] == ["senior"]


def test_both_former_provinces_are_represented_when_possible(app, make_org, make_expert):
    hp = make_org(former_province="hai_phong")
    hp2 = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    for org in (hp, hp, hp2, hp2):
        make_expert(orgs=[org], extra_expertise=[TITLE], degree="TS")
    from_hd = make_expert(orgs=[hd], fields=("AGR-ANI",))  # weaker fit
    s = suggest(_profile(field_codes=("AGR-AQU",)), 3)
    assert from_hd.id in _ids(s.panel)
    assert not s.unmet


def test_a_senior_member_is_swapped_in_and_proposed_as_chair(app, make_org, make_expert):
    hp = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    juniors = [
        make_expert(orgs=[org], extra_expertise=[TITLE], degree="ThS") for org in (hp, hd, hp)
    ]
    professor = make_expert(orgs=[hd], academic_title="PGS", degree="TS")
    s = suggest(_profile(), 3)
    assert professor.id in _ids(s.panel)
    assert s.chair_id == professor.id
    assert len(set(_ids(s.panel)) & {j.id for j in juniors}) == 2
    chair = next(c for c in s.panel if c.person_id == professor.id)
    assert chair.reasons[0].startswith("Proposed chair")


def test_unsatisfiable_rules_are_reported_with_reasons(app, make_org, make_expert):
    hp = make_org(former_province="hai_phong")
    make_expert(orgs=[hp], degree="ThS")
    make_expert(orgs=[hp], degree="ThS")
    make_expert(orgs=[hp], degree="ThS")
    s = suggest(_profile(), 4)
    codes = {u.constraint for u in s.unmet}
    assert codes == {"size", "province:hai_duong", "senior"}
    by = {u.constraint: u.message for u in s.unmet}
    assert "2 qualified" in by["size"]  # the third is over the per-organisation limit
    assert "Hải Dương" in by["province:hai_duong"]
    relaxed = suggest(
        _profile(),
        4,
        constraints=PanelConstraints(
            max_per_organization=None, both_provinces=False, senior_member=False
        ),
    )
    assert {u.constraint for u in relaxed.unmet} == {"size"}
    assert len(relaxed.panel) == 3


def test_experts_at_their_workload_cap_are_excluded(app, make_expert, make_request, invite):
    busy = make_expert(max_assignments=1)
    free = make_expert(max_assignments=1)
    other = make_request(title="Một việc khác")
    invite(other, busy, state="accepted")
    s = suggest(_profile(), 3)
    excluded = {e.person_id: e for e in s.excluded}
    assert excluded[busy.id].rule == "workload_cap"
    assert "1 of 1" in excluded[busy.id].reason
    assert free.id in _ids(s.panel)


def test_unavailable_and_already_invited_experts_are_left_out(
    app, make_expert, make_request, invite
):
    away = make_expert(available=False)
    invited = make_expert()
    req = make_request()
    invite(req, invited)
    s = suggest(_profile(request_id=req.id), 3)
    rules = {e.person_id: e.rule for e in s.excluded}
    assert rules[away.id] == "unavailable"
    assert rules[invited.id] == "already_invited"


def test_recent_declines_lower_the_score(app, make_expert, make_request, invite):
    a = make_expert()
    b = make_expert()
    invite(make_request(title="Khác"), a, state="declined")
    s = suggest(_profile(), 2)
    by = {c.person_id: c for c in s.panel}
    assert by[a.id].affinity == by[b.id].affinity
    assert by[a.id].score < by[b.id].score
    assert any("Declined 1" in r for r in by[a.id].reasons)


def test_alternatives_for_one_seat_keep_the_rest_valid(app, make_org, make_expert):
    hp = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    hp_people = [make_expert(orgs=[hp], extra_expertise=[TITLE]) for _ in range(3)]
    hd_people = [make_expert(orgs=[hd]) for _ in range(2)]
    s = suggest(_profile(), 3, constraints=PanelConstraints(senior_member=False))
    panel = _ids(s.panel)
    seat = next(p for p in panel if p in {h.id for h in hd_people})
    alts = alternatives(_profile(), panel, seat, constraints=PanelConstraints(senior_member=False))
    # The only Hải Dương candidate left keeps both provinces; a third Hải Phòng member
    # would break the limit of two per organisation.
    assert _ids(alts) == [next(h.id for h in hd_people if h.id != seat)]
    assert alts[0].reasons
    assert all(p.id not in _ids(alts) for p in hp_people)


def test_affinity_is_comparable_across_requests(app, make_org, make_expert):
    expert = make_expert(extra_expertise=["tôm thẻ chân trắng"])
    make_expert(topic="luật đất đai", fields=("SOC-LAW",))
    agency = make_org(kind="agency")
    subject = make_org()
    one = _profile(title=TITLE, summary="Nuôi tôm thẻ chân trắng", field_codes=("AGR-AQU",))
    two = RequestProfile(
        request_id=999,
        title=TITLE,
        summary="Nuôi tôm thẻ chân trắng",
        field_codes=("AGR-AQU",),
        agency_id=agency.id,
        subject_ids=(subject.id,),
    )
    eg = get_graph()
    a1 = affinities(eg, one)[expert.id][0]
    a2 = affinities(eg, two)[expert.id][0]
    assert a1 == a2 == affinity_of(eg, expert.id, two)
    assert 0 < a1 <= 1
    # In suggestions of different sizes and other contexts, the same number is reported.
    s1 = suggest(one, 1)
    s2 = suggest(two, 2)
    assert s1.panel[0].affinity == a1
    assert next(c for c in s2.panel if c.person_id == expert.id).affinity == a1
    # A different text gives a different, lower number, still in [0, 1].
    other = affinities(eg, _profile(title="Quy hoạch đất đai", field_codes=("SOC-LAW",)))
    assert other.get(expert.id, (0.0,))[0] < a1


def test_a_profile_matching_its_own_text_scores_highest(app, make_expert):
    exact = make_expert(topic="kè biển chống xói lở", fields=("ENG-WAT",))
    make_expert(topic="xây dựng dân dụng", fields=("ENG-CON",))
    fits = affinities(get_graph(), _profile(title="kè biển chống xói lở", field_codes=("ENG-WAT",)))
    best = max(fits, key=lambda p: fits[p][0])
    assert best == exact.id
    # The text names one of the expert's three declared phrases (their keyword; not yet
    # their field's two names), the code names the field.
    assert 0.7 <= fits[exact.id][0] <= 1.0
    # Naming the field in the text as well is a closer match to their own profile.
    closer = affinities(
        get_graph(),
        _profile(
            title="kè biển chống xói lở — thủy lợi và tài nguyên nước", field_codes=("ENG-WAT",)
        ),
    )
    assert fits[exact.id][0] < closer[exact.id][0] <= 1.0
    assert closer[exact.id][0] >= 0.75


def test_field_overlap_equals_the_reference_definition(app, make_expert):
    from expertnet.panel.affinity import FIELD_WEIGHT, TEXT_WEIGHT, field_match

    people = [
        make_expert(topic="x", fields=f)
        for f in (("AGR-AQU",), ("AGR-ANI",), ("AGR",), ("SOC-LAW",), ("AGR-AQU", "SOC-LAW"))
    ]
    eg = get_graph()
    for codes in (("AGR-AQU",), ("AGR",), ("AGR-AQU", "SOC-ECO"), ("SOC-LAW", "AGR-CRO")):
        fits = affinities(eg, _profile(title="zzz", field_codes=codes))
        for p in people:
            a, t, f = fits.get(p.id, (0.0, 0.0, 0.0))
            assert f == field_match(eg.people[p.id].field_codes, codes)
            assert a == round(TEXT_WEIGHT * t + FIELD_WEIGHT * f, 6)


def test_reasons_are_translated_only_for_the_experts_shown(app, make_org, make_expert, monkeypatch):
    """Exclusion and conflict reasons of experts nobody looks at cost no translation."""
    from expertnet.panel import i18n

    hp = make_org(former_province="hai_phong")
    for _ in range(3):
        make_expert(orgs=[hp], degree="TS")
    left_out = [make_expert(orgs=[hp], available=False) for _ in range(12)]
    calls: list[str] = []
    real = i18n.gettext

    def counting(message, **variables):
        calls.append(message)
        return real(message, **variables)

    monkeypatch.setattr(i18n, "gettext", counting)
    with app.test_request_context("/", headers={"Accept-Language": "vi"}):
        s = suggest(_profile(), 3)
        unavailable = [e for e in s.excluded if e.rule == "unavailable"]
        assert {e.person_id for e in unavailable} == {p.id for p in left_out}
        made = len(calls)
        assert "Marked as not available for panels." not in calls
        shown = str(unavailable[0].reason)
        assert len(calls) == made + 1 and shown != "Marked as not available for panels."
        assert unavailable[0].reason == shown
