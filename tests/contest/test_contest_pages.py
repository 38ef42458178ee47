"""The contest's public pages: editions, an edition, the results once published."""

from __future__ import annotations

from contest_data import edition_data

from expertnet.contest import operations as ops
from expertnet.contest.models import Entry, EntryAuthor, ResultLine
from expertnet.core.types import utcnow


def _published(session, contest):
    edition = ops.create_edition(contest.secretariat, edition_data())
    field_id = edition.fields[0].id
    entry = Entry(
        edition=edition, number=1, title="Bộ điều khiển <script>alert(1)</script> bơm tiêu",
        field_id=field_id, state="scored", version=3, filed_by_id=contest.secretariat.id,
        authors=[EntryAuthor(position=1, full_name="Trần Văn Bình", share=100)],
    )  # fmt: skip
    session.add(entry)
    session.flush()
    session.add(
        ResultLine(
            edition_id=edition.id, entry_id=entry.id, mean_total=88, adjusted_total=87.5,
            rank_in_field=1, proposed_level_id=edition.award_levels[0].id,
            award_level_id=edition.award_levels[0].id,
        )
    )  # fmt: skip
    return edition


def test_a_draft_is_not_listed_and_its_page_is_404_for_the_public(client, session, contest):
    edition = ops.create_edition(contest.secretariat, edition_data(name="Hội thi nháp"))
    session.commit()
    assert "Hội thi nháp" not in client.get("/contests/").get_data(as_text=True)
    assert client.get(f"/contests/{edition.id}").status_code == 404


def test_results_are_public_only_once_published_and_escaped(client, session, contest):
    edition = _published(session, contest)
    edition.state = "results_approved"
    edition.results_proposed_by_id = contest.secretariat.id
    edition.results_approved_by_id = contest.board[0].id
    session.commit()
    assert client.get(f"/contests/{edition.id}/results").status_code == 404
    edition.state, edition.published_at = "published", utcnow()
    session.commit()
    page = client.get(f"/contests/{edition.id}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Trần Văn Bình" in html and "88.00" in html and "87.50" in html
    assert edition.award_levels[0].name in html
    assert "<script>alert(1)</script>" not in html
    detail = client.get(f"/contests/{edition.id}").get_data(as_text=True)
    assert "Tính mới, tính sáng tạo" in detail or edition.criteria[0].name in detail
    assert edition.name in client.get("/contests/").get_data(as_text=True)
