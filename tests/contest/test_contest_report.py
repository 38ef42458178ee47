"""The yearly report counts the contest: editions, entries by field and former province,
authors, awards, and the member organisations whose experts judged (page, API, XLSX)."""

from __future__ import annotations

import io

from contest_data import edition_data, entry_data
from openpyxl import load_workbook

from expertnet.contest import judging, results
from expertnet.contest import operations as ops


def _edition(session, contest, make_org, make_person, make_user):
    """A 2026 edition with its results published: three entries, one withdrawn."""
    hp = make_org(kind="enterprise", name="Công ty Cơ khí Hải Phòng", former_province="hai_phong")
    hd = make_org(kind="enterprise", name="Nhà máy Điện Hải Dương", former_province="hai_duong")
    assoc = make_org(kind="member_association", name="Hội Cơ khí", former_province="hai_phong")
    other = make_org(kind="member_association", name="Hội Tin học", former_province="hai_duong")
    jurors = []
    for i, name in enumerate(("Phạm Minh Đức", "Vũ Thị Lan", "Hoàng Văn Nam")):
        person = make_person(
            full_name=name,
            fields=["ENG-MEC", "ENG-IT"],
            organizations=[assoc] if i < 2 else [other],
        )
        jurors.append(make_user("expert", person=person)[0])
    sec = contest.secretariat
    edition = ops.create_edition(sec, edition_data(entries_close_on="2026-09-30", max_spread="30"))
    jury = [{"expert_id": u.person_id, "field": f} for u in jurors for f in ("ENG-MEC",)]
    ops.set_members(edition, sec, {"board": [u.id for u in contest.board], "jury": jury})
    ops.perform_edition_action(edition, "announce", sec)
    ops.perform_edition_action(edition, "open_entries", sec)
    first = entry_data(applying_organization_id=hp.id)
    first["authors"][1]["full_name"] = "Trần Văn Bình"  # the same name, another person
    first["authors"][1]["email"] = "binh2@example.vn"
    a = ops.create_entry(edition, contest.author, first)
    second = entry_data(title="Hệ thống giám sát lò hơi bằng cảm biến không dây")
    second["authors"][0]["employer_organization_id"] = hd.id
    b = ops.create_entry(edition, contest.author, second)
    c = ops.create_entry(edition, contest.author, entry_data(field="ENG-IT", title="Ứng dụng rút"))
    ops.perform_entry_action(c, "withdraw", contest.author)
    ops.perform_edition_action(edition, "close_entries", sec)
    for e in (a, b):
        ops.perform_entry_action(e, "mark_eligible", sec)
    judging.apply_plan(edition, sec)
    ops.perform_edition_action(edition, "start_judging", sec)
    crit = [cr.id for cr in edition.criteria]
    for e, pts in ((a, (38, 27, 25)), (b, (30, 20, 20))):
        for u in jurors:
            judging.save_score(e, u, dict(zip(map(str, crit), pts, strict=True)), "")
    ops.perform_edition_action(edition, "propose_results", sec)
    ops.perform_edition_action(edition, "approve_results", contest.board[0])
    ops.perform_edition_action(edition, "publish", sec)
    session.commit()
    assert len(results.lines_of(edition)) == 2
    return edition, assoc, other


def test_the_report_counts_the_contest(client, session, contest, make_org, make_person, make_user):
    edition, _assoc, other = _edition(session, contest, make_org, make_person, make_user)
    data = client.get("/api/v1/reports/activity?year=2026").json["contest"]
    assert [e["id"] for e in data["editions"]] == [edition.id]
    assert data["entries"] == 2 and data["entries_by_field"] == {"ENG-MEC": 2}
    assert data["entries_by_former_province"] == {"hai_duong": 1, "hai_phong": 1}
    # Trần Văn Bình ×2 (different e-mails) and Lê Thị Hoa, on both entries: three people.
    assert data["authors"] == 3
    levels = {lv.name for lv in edition.award_levels}
    assert sorted(data["awards"].values()) == [1, 1] and set(data["awards"]) <= levels
    judged = {r["name"]: (r["judges"], r["seats"]) for r in data["judges_by_organization"]}
    assert judged == {"Hội Cơ khí": (2, 4), "Hội Tin học": (1, 2)}
    assert data["judges"] == 3
    # Another year has none of it; one organisation's scope keeps its own judges.
    assert client.get("/api/v1/reports/activity?year=2025").json["contest"]["editions"] == []
    scoped = client.get(f"/api/v1/reports/activity?year=2026&organization={other.id}").json
    assert [r["name"] for r in scoped["contest"]["judges_by_organization"]] == ["Hội Tin học"]

    page = client.get("/reports/activity?year=2026&lang=en").get_data(as_text=True)
    assert "Technical Creativity Contest" in page and "Member organisations whose experts" in page
    assert "Hội Cơ khí" in page

    res = client.get("/reports/activity.xlsx?year=2026&lang=en")
    wb = load_workbook(io.BytesIO(res.data))
    rows = {r[0]: r[1] for r in wb["Contest"].iter_rows(min_row=2, values_only=True)}
    assert rows["Contest editions"] == 1 and rows["Entries"] == 2 and rows["Authors"] == 3
    assert rows["Former province: Former Hải Phòng"] == 1
    judges = list(wb["Contest judges"].iter_rows(min_row=2, values_only=True))
    assert {(r[1], r[3], r[4]) for r in judges} == {("Hội Cơ khí", 2, 4), ("Hội Tin học", 1, 2)}
