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
