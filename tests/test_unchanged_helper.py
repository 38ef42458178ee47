"""The "nothing changed" check that refusal tests use (``tests/support/helpers.py``) fails
when a block writes any row, and passes when it writes none."""

from __future__ import annotations

import pytest
from helpers import snapshot, unchanged
from sqlalchemy import text


def test_a_block_that_writes_nothing_passes(session, make_org):
    make_org()
    with unchanged(session):
        session.execute(text("SELECT 1"))


def test_a_new_row_fails(session, make_org):
    with pytest.raises(AssertionError, match="organization"), unchanged(session):
        make_org()


def test_a_changed_row_fails(session, make_org):
    org = make_org()
    with pytest.raises(AssertionError, match="organization"), unchanged(session):
        org.name = "Tên khác"


def test_bookkeeping_tables_are_left_out(session, make_user):
    _user, _token = make_user("coordinator")
    assert "api_token" not in snapshot(session)
    assert "organization" in snapshot(session)
