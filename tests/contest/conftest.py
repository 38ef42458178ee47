"""Fixtures for the contest: a secretariat, a board, a jury, and an edition open for entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from contest_data import edition_data


@dataclass
class Contest:
    secretariat: Any
    board: list[Any]
    author: Any
    outsider: Any


@pytest.fixture
def contest(make_user) -> Contest:
    secretariat, _ = make_user("coordinator")
    board = [make_user("approver")[0] for _ in range(2)]
    author, _ = make_user("liaison", email="binh@example.vn")
    outsider, _ = make_user("expert")
    return Contest(secretariat, board, author, outsider)


@pytest.fixture
def open_edition(session, contest):
    from expertnet.contest import operations as ops

    edition = ops.create_edition(contest.secretariat, edition_data())
    ops.set_members(edition, contest.secretariat, {"board": [u.id for u in contest.board]})
    ops.perform_edition_action(edition, "announce", contest.secretariat)
    ops.perform_edition_action(edition, "open_entries", contest.secretariat)
    return edition


@pytest.fixture
def judged(session, contest, make_person, make_user):
    """Four entries in ENG-MEC scored by the same three judges; judge C is 6 points harsher."""
    from expertnet.contest import judging
    from expertnet.contest import operations as ops
    from expertnet.contest.models import Entry, EntryAuthor

    edition = ops.create_edition(
        contest.secretariat,
        edition_data(
            award_levels=[
                {"name": "Giải Nhất", "min_total": "85", "quota": 1},
                {"name": "Giải Nhì", "min_total": "75", "quota": 1},
                {"name": "Giải Khuyến khích", "min_total": "60"},
            ]
        ),
    )
    judges = []
    for name in ["Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam"]:
        person = make_person(full_name=name, fields=["ENG-MEC"])
        judges.append(make_user("expert", person=person)[0])
    ops.set_members(
        edition,
        contest.secretariat,
        {
            "board": [u.id for u in contest.board],
            "jury": [{"expert_id": u.person_id, "field": "ENG-MEC"} for u in judges],
        },
    )
    field_id = next(f.id for f in edition.fields if f.code == "ENG-MEC")
    for n in range(4):
        session.add(
            Entry(
                edition=edition, number=n + 1, title=f"Giải pháp {n + 1}", field_id=field_id,
                state="eligible", version=1, filed_by_id=contest.secretariat.id,
                applying_organization_name="Công ty Cảng Hải Phòng",
                authors=[EntryAuthor(position=1, full_name=f"Tác giả {n + 1}", share=100)],
            )
        )  # fmt: skip
    edition.state = "closed"
    session.flush()
    judging.apply_plan(edition, contest.secretariat)
    ops.perform_edition_action(edition, "start_judging", contest.secretariat)
    # Judge totals per entry (A, B, C): 90/90/84, 80/80/74, 86/86/80, 50/50/44.
    wanted = [(90, 90, 84), (80, 80, 74), (86, 86, 80), (50, 50, 44)]
    for entry, totals in zip(edition.entries, wanted, strict=True):
        for judge, total in zip(judges, totals, strict=True):
            c1, c2 = 40 if total >= 70 else 30, 30 if total >= 70 else 10
            criteria = {
                str(c.id): p
                for c, p in zip(edition.criteria, (c1, c2, total - c1 - c2), strict=True)
            }
            judging.save_score(entry, judge, criteria, "Nhận xét")
    assert all(e.state == "scored" for e in edition.entries)
    return edition, judges
