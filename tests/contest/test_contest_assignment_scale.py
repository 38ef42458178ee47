"""The batch assignment at the scale of a real edition: 300 entries, 60 jurors in 5 sub-juries.

Correctness, not speed, is asserted: every entry gets its three judges from its own
sub-jury, nobody in conflict with the authors, nobody over the cap. The time is printed
(``-s``) for the record; the 5 s target is measured by ``bench/contest.py``.
"""

from __future__ import annotations

import time

from contest_data import edition_data

from expertnet.contest import judging
from expertnet.contest import operations as ops
from expertnet.contest.models import Entry, EntryAuthor

FIELDS = ["ENG-MEC", "ENG-IT", "ENG-ENE", "ENG-CON", "ENG-CHE"]


def test_300_entries_60_jurors_are_assigned_within_conflicts_and_caps(
    session, contest, make_org, make_person
):
    companies = [make_org(kind="enterprise", name=f"Công ty {i}") for i in range(20)]
    edition = ops.create_edition(contest.secretariat, edition_data(fields=FIELDS, judge_cap=17))
    jury = []
    for f, code in enumerate(FIELDS):
        for i in range(12):
            person = make_person(
                full_name=f"Giám khảo {code} {i}", fields=[code], expertise=[f"chuyên môn {i}"]
            )
            # Every third juror works at one of the companies whose staff file entries.
            if i % 3 == 0:
                person.employer_id = companies[(f * 12 + i) % 20].id
            jury.append({"expert_id": person.id, "field": code})
    session.flush()
    ops.set_members(edition, contest.secretariat, {"jury": jury})
    fields = {f.code: f for f in edition.fields}
    for n in range(300):
        code = FIELDS[n % 5]
        session.add(
            Entry(
                edition=edition, number=n + 1, title=f"Giải pháp kỹ thuật số {n + 1}",
                description="Cải tiến quy trình sản xuất, tiết kiệm năng lượng.",
                field_id=fields[code].id, state="eligible", version=1,
                filed_by_id=contest.secretariat.id,
                authors=[EntryAuthor(position=1, full_name=f"Tác giả {n}", share=100,
                                     employer_organization_id=companies[n % 20].id)],
            )
        )  # fmt: skip
    edition.state = "closed"
    session.flush()

    started = time.perf_counter()
    created = judging.apply_plan(edition, contest.secretariat)
    elapsed = time.perf_counter() - started
    print(f"\nassignment of 300 entries x 60 jurors: {elapsed:.2f} s, {len(created)} seats")

    employer = {j["expert_id"]: None for j in jury}
    from expertnet.directory.models import Person

    for pid in employer:
        employer[pid] = session.get(Person, pid).employer_id
    subjury = {j["expert_id"]: fields[j["field"]].id for j in jury}
    load: dict[int, int] = {}
    for entry in edition.entries:
        judges = entry.active_judges
        assert len(judges) == 3, entry.number
        company = entry.authors[0].employer_organization_id
        for j in judges:
            assert subjury[j.person_id] == entry.field_id
            assert employer[j.person_id] != company
            load[j.person_id] = load.get(j.person_id, 0) + 1
    assert max(load.values()) <= 17
    assert len(created) == 900
