"""Batch assignment of experts to several requests with per-expert load caps (min-cost flow).

The network: source → request (capacity = seats) → expert (capacity 1, cost = minus the
integer-scaled affinity) → sink (capacity = the expert's remaining load). networkx's
``max_flow_min_cost`` first fills as many seats as possible, then maximises total
affinity among those fillings; with ``fill_seats_first=False`` each request also gets
a zero-cost bypass to the sink, so an empty seat costs nothing and only affinity counts.
Costs are integers (affinity × ``SCALE``), so the network simplex is exact and
``milp_optimum`` can check it to the unit.

Pruning: each request keeps only its best ``K = total seats`` candidates. This never
loses the optimum: if an optimal plan gave request r an expert e outside its top K, at
most ``total seats − 1`` of r's top K are blocked (seated on r already or saturated by
other requests), so one of them is free and at least as good as e; moving r's seat
to it keeps the number of filled seats and does not lower the total.

Composition rules (organisation limits, provinces) are not part of the flow: the plan is
a season-level starting point and each panel is then adjusted with ``alternatives``.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

SCALE = 10_000


@dataclass(frozen=True)
class AssignmentProblem:
    seats: Mapping[Hashable, int]
    capacity: Mapping[int, int]
    #: (request key, expert id) -> affinity in [0, 1], only for allowed pairs.
    affinity: Mapping[tuple[Hashable, int], float]

    def weight(self, pair: tuple[Hashable, int]) -> int:
        return round(self.affinity[pair] * SCALE)

    @property
    def total_seats(self) -> int:
        return sum(self.seats.values())


@dataclass
class Assignment:
    pairs: list[tuple[Hashable, int]]
    total_affinity: float
    total_weight: int
    seats_filled: int
    by_request: dict[Hashable, list[int]] = field(default_factory=dict)
    pairs_considered: int = 0


def prune(problem: AssignmentProblem) -> list[tuple[Hashable, int]]:
    """Each request's best ``total seats`` candidates (lossless, see the module docstring)."""
    k = problem.total_seats
    by_request: dict[Hashable, list[tuple[int, int]]] = {}
    for (r, e), _a in problem.affinity.items():
        if problem.seats.get(r, 0) > 0 and problem.capacity.get(e, 0) > 0:
            by_request.setdefault(r, []).append((problem.weight((r, e)), e))
    kept: list[tuple[Hashable, int]] = []
    for r, cands in by_request.items():
        # Ties broken by the smaller expert id, the same way as the MILP check below.
        best = heapq.nsmallest(k, cands, key=lambda we: (-we[0], we[1]))
        kept.extend((r, e) for _w, e in best)
    return kept


def assign(problem: AssignmentProblem, *, fill_seats_first: bool = True) -> Assignment:
    """An optimal plan: most seats filled (if asked), then the greatest total affinity."""
    pairs = prune(problem)
    g = nx.DiGraph()
    source, sink = ("source",), ("sink",)
    experts = sorted({e for _r, e in pairs})
    for r, n in problem.seats.items():
        if n > 0:
            g.add_edge(source, ("r", r), capacity=n, weight=0)
            if not fill_seats_first:
                g.add_edge(("r", r), sink, capacity=n, weight=0)
    for e in experts:
        g.add_edge(("e", e), sink, capacity=problem.capacity[e], weight=0)
    for r, e in pairs:
        g.add_edge(("r", r), ("e", e), capacity=1, weight=-problem.weight((r, e)))
    chosen: list[tuple[Hashable, int]] = []
    if g.has_node(source) and g.has_node(sink):
        flow = nx.max_flow_min_cost(g, source, sink)
        for r, e in pairs:
            if flow[("r", r)].get(("e", e), 0) > 0:
                chosen.append((r, e))
    chosen.sort(key=lambda p: (str(p[0]), p[1]))
    by_request: dict[Hashable, list[int]] = {}
    for r, e in chosen:
        by_request.setdefault(r, []).append(e)
    return Assignment(
        pairs=chosen,
        total_affinity=sum(problem.affinity[p] for p in chosen),
        total_weight=sum(problem.weight(p) for p in chosen),
        seats_filled=len(chosen),
        by_request=by_request,
        pairs_considered=len(pairs),
    )


def milp_optimum(
    problem: AssignmentProblem,
    *,
    fill_seats_first: bool = True,
    relax: bool = False,
    time_limit: float | None = None,
) -> float:
    """The exact optimum of the same objective by scipy's MILP (the independent check).

    Returns the total integer weight. With ``fill_seats_first`` every pair's weight gets
    a bonus larger than any total of weights, which makes "most seats, then most
    affinity" one objective; the bonus is subtracted again from the answer.
    ``relax=True`` solves the LP relaxation instead (an upper bound for large instances).
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    pairs = [
        p
        for p in sorted(problem.affinity, key=lambda p: (str(p[0]), p[1]))
        if problem.seats.get(p[0], 0) > 0 and problem.capacity.get(p[1], 0) > 0
    ]
    if not pairs:
        return 0.0
    w = np.array([problem.weight(p) for p in pairs], dtype=np.float64)
    bonus = float(w.sum() + 1) if fill_seats_first else 0.0
    requests = sorted({r for r, _e in pairs}, key=str)
    experts = sorted({e for _r, e in pairs})
    r_index = {r: i for i, r in enumerate(requests)}
    e_index = {e: len(requests) + i for i, e in enumerate(experts)}
    rows, cols = [], []
    for j, (r, e) in enumerate(pairs):
        rows += [r_index[r], e_index[e]]
        cols += [j, j]
    a = coo_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(requests) + len(experts), len(pairs))
    )
    upper = np.array(
        [problem.seats[r] for r in requests] + [problem.capacity[e] for e in experts],
        dtype=np.float64,
    )
    res = milp(
        c=-(w + bonus),
        constraints=LinearConstraint(a.tocsr(), -np.inf, upper),
        integrality=np.zeros(len(pairs)) if relax else np.ones(len(pairs)),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit} if time_limit else None,
    )
    if not res.success:
        raise RuntimeError(f"MILP failed: {res.message}")
    value = -float(res.fun)
    if fill_seats_first:
        filled = float(np.round(res.x).sum()) if not relax else float(res.x.sum())
        value -= bonus * filled
    return value


def problem_from_profiles(
    profiles: Sequence[object],
    seats: Mapping[Hashable, int] | int,
    *,
    graph: object | None = None,
) -> AssignmentProblem:
    """Build the problem for several requests from the suggestion machinery.

    Allowed pairs are the experts a request's suggestions would consider (qualified,
    available, no excluding conflict, below their cap); capacity is each expert's cap
    minus their current load. ``profiles`` are ``RequestProfile``s, keyed by request id
    (or by position when a profile has none).
    """
    from .cache import get_graph
    from .conflicts import DEFAULT_RULES
    from .suggest import PanelConstraints, _evaluate

    eg = graph or get_graph()
    constraints = PanelConstraints()
    seat_map: dict[Hashable, int] = {}
    affinity: dict[tuple[Hashable, int], float] = {}
    capacity: dict[int, int] = {}
    for i, profile in enumerate(profiles):
        key = profile.request_id if profile.request_id is not None else f"#{i}"  # type: ignore[attr-defined]
        seat_map[key] = seats if isinstance(seats, int) else seats[key]
        ev = _evaluate(eg, profile, constraints, DEFAULT_RULES)  # type: ignore[arg-type]
        for person_id, fit, free in ev.candidates.headroom():
            affinity[(key, person_id)] = fit
            capacity[person_id] = free
    return AssignmentProblem(seats=seat_map, capacity=capacity, affinity=affinity)
