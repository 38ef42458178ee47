"""Batch assignment by min-cost flow equals the exact MILP optimum on small instances."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expertnet.panel.assign import AssignmentProblem, assign, milp_optimum, problem_from_profiles
from expertnet.panel.suggest import RequestProfile


@st.composite
def problems(draw) -> AssignmentProblem:
    n_requests = draw(st.integers(1, 4))
    n_experts = draw(st.integers(1, 7))
    seats = {f"r{r}": draw(st.integers(0, 3)) for r in range(n_requests)}
    capacity = {e: draw(st.integers(0, 3)) for e in range(n_experts)}
    affinity = {}
    for r in seats:
        for e in capacity:
            if draw(st.booleans()):
                # Coarse values make ties, which is where flows and MILPs disagree if wrong.
                affinity[(r, e)] = draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]))
    return AssignmentProblem(seats=seats, capacity=capacity, affinity=affinity)


def _feasible(p: AssignmentProblem, pairs) -> bool:
    per_request: dict = {}
    per_expert: dict = {}
    for r, e in pairs:
        per_request[r] = per_request.get(r, 0) + 1
        per_expert[e] = per_expert.get(e, 0) + 1
    return (
        len(set(pairs)) == len(pairs)
        and all(per_request[r] <= p.seats[r] for r in per_request)
        and all(per_expert[e] <= p.capacity[e] for e in per_expert)
        and all(pair in p.affinity for pair in pairs)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_min_cost_flow_equals_milp_filling_seats_first(problem):
    plan = assign(problem, fill_seats_first=True)
    assert _feasible(problem, plan.pairs)
    assert plan.total_weight == round(milp_optimum(problem, fill_seats_first=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_min_cost_flow_equals_milp_for_affinity_alone(problem):
    plan = assign(problem, fill_seats_first=False)
    assert _feasible(problem, plan.pairs)
    assert plan.total_weight == round(milp_optimum(problem, fill_seats_first=False))


def test_pruning_keeps_the_optimum_when_experts_compete():
    # Everyone prefers expert 0, who can take one seat: the others must fill in.
    seats = {"a": 2, "b": 2}
    capacity = {0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    affinity = {(r, e): 1.0 - e / 10 for r in seats for e in capacity}
    problem = AssignmentProblem(seats, capacity, affinity)
    plan = assign(problem)
    assert plan.seats_filled == 4
    assert plan.total_weight == round(milp_optimum(problem))


def test_problem_from_profiles_respects_caps_and_conflicts(app, make_org, make_expert):
    agency = make_org(kind="agency")
    insider = make_expert(employer=agency)
    experts = [make_expert(max_assignments=1) for _ in range(3)]
    profiles = [
        RequestProfile(request_id=None, title="Nuôi trồng thủy sản", agency_id=agency.id),
        RequestProfile(request_id=None, title="Thủy sản ven biển", field_codes=("AGR-AQU",)),
    ]
    problem = problem_from_profiles(profiles, 2)
    assert all(e != insider.id for r, e in problem.affinity if r == "#0")
    assert problem.capacity[experts[0].id] == 1
    plan = assign(problem)
    assert plan.seats_filled == 4
    assert insider.id not in plan.by_request["#0"]
    for p in experts:
        assert sum(1 for _r, e in plan.pairs if e == p.id) <= 1
