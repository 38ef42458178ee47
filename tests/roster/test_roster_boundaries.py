"""A roster import stays inside its organisation: people of other organisations are never
shown, merged or linked by the liaison; a coordinator confirms or rejects each link."""

from __future__ import annotations

import io

import pytest
from helpers import bearer, csrf_from, unchanged
from roster_helpers import count_people, csv_text
from sqlalchemy import select

from expertnet.audit.models import AuditEntry
from expertnet.directory.models import Membership
from expertnet.roster.models import PendingLink


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("expertnet_lang", "en")


@pytest.fixture
def setup(make_user, make_org, make_person, org):
    other = make_org(name="Hội Y học thành phố")
    employer = make_org(name="Trạm Y tế An Dương", kind="institute")
    hidden = make_person(
        full_name="Trương Xuân Nhiên",
        email="truongnhien51@example.com",
        phone="0355 561 882",
        birth_year=1951,
        employer=employer,
        organizations=[other],
        public_profile=False,
    )
    liaison, token = make_user("liaison", organization=org)
    coordinator, _ = make_user("coordinator")
    return {"hidden": hidden, "other": other, "liaison": liaison, "token": token,
            "coordinator": coordinator}  # fmt: skip


PROBE = [
    ["full_name", "email", "phone", "birth_year"],
    ["Nobody Test", "truongnhien51@example.com", "", ""],
    ["Someone Else", "", "0355561882", ""],
    ["Trương Xuân Nhiên", "", "", "1951"],
]


def _upload(client, org, rows):
    page = client.get(f"/organizations/{org.id}/roster/import")
    res = client.post(
        f"/organizations/{org.id}/roster/import",
        data={
            "csrf_token": csrf_from(page.text),
            "file": (io.BytesIO(csv_text(rows).encode()), "probe.csv"),
        },
        content_type="multipart/form-data",
    )
    assert res.status_code == 302, res.text
    return res.headers["Location"]


def test_preview_is_no_reverse_lookup_of_people_of_other_organisations(
    client, auth, session, org, setup
):
    hidden = setup["hidden"]
    auth.login(setup["liaison"].email)
    preview_url = _upload(client, org, PROBE)
    page = client.get(preview_url).text
    for secret in ("Xuân Nhiên", "1951", "Trạm Y tế", f"#{hidden.id}", f"p{hidden.id}"):
        assert secret not in page.replace("Trương Xuân Nhiên</td>", ""), secret
    assert page.count("Matches an existing person of another organisation.") == 3
    assert "Nobody Test" in page and "Someone Else" in page
    # The report of the preview says no more than the page.
    report = client.get(_report_link(page))
    assert report.status_code == 200
    text = report.get_data(as_text=True)
    assert "1951" not in text.replace(",1951", "") and "Trạm Y tế" not in text
    assert f"#{hidden.id}" not in text


def _report_link(page: str) -> str:
    marker = "/roster/reports/"
    start = page.index(marker)
    return page[page.rindex('"', 0, start) + 1 : page.index('"', start)]


def test_confirm_cannot_add_another_organisations_person(client, auth, session, org, setup):
    hidden, token = setup["hidden"], setup["token"]
    auth.login(setup["liaison"].email)
    preview_url = _upload(client, org, PROBE)
    page = client.get(preview_url)
    before = count_people(session)
    res = client.post(
        preview_url,
        data={
            "csrf_token": csrf_from(page.text),
            "decision-2": f"p{hidden.id}",
            "decision-3": f"p{hidden.id}",
            "decision-4": "new",
        },
    )
    assert res.status_code == 302
    session.expire_all()
    assert hidden.organization_ids() == {setup["other"].id}
    assert hidden.phone == "0355 561 882" and hidden.version == 1
    assert count_people(session) == before  # no duplicate either
    assert client.get(f"/api/v1/experts/{hidden.id}", headers=bearer(token)).status_code == 404
    links = session.scalars(select(PendingLink)).all()
    assert {(x.person_id, x.organization_id, x.state) for x in links} == {
        (hidden.id, org.id, "pending")
    }
    assert len(links) == 1  # one open link per person and organisation


def _decide(client, link, decision):
    page = client.get("/roster/links")
    return client.post(
        f"/roster/links/{link.id}/{decision}", data={"csrf_token": csrf_from(page.text)}
    )


def _import_probe(client, auth, session, org, setup):
    auth.login(setup["liaison"].email)
    preview_url = _upload(client, org, PROBE[:2])
    client.post(preview_url, data={"csrf_token": csrf_from(client.get(preview_url).text)})
    auth.logout()
    return session.scalars(select(PendingLink)).one()


def test_coordinator_confirms_a_link_and_the_person_joins_the_roster(
    client, auth, session, org, setup
):
    link = _import_probe(client, auth, session, org, setup)
    auth.login(setup["coordinator"].email)
    listing = client.get("/roster/links")
    assert listing.status_code == 200 and "Trương Xuân Nhiên" in listing.text
    assert _decide(client, link, "confirm").status_code == 302
    session.expire_all()
    assert link.state == "confirmed" and link.decided_by_id == setup["coordinator"].id
    assert org.id in setup["hidden"].organization_ids()
    actions = session.execute(
        select(AuditEntry.entity_type, AuditEntry.action, AuditEntry.actor_user_id).where(
            AuditEntry.entity_type.in_(["roster_pending_link", "membership"])
        )
    ).all()
    assert ("roster_pending_link", "create", setup["liaison"].id) in actions
    assert ("roster_pending_link", "update", setup["coordinator"].id) in actions
    assert ("membership", "create", setup["coordinator"].id) in actions
    # Decided once: a second decision changes nothing.
    with unchanged(session):
        again = _decide(client, link, "reject")
    assert again.status_code == 302
    session.expire_all()
    assert link.state == "confirmed"
    memberships = session.scalars(
        select(Membership).where(Membership.person_id == setup["hidden"].id)
    ).all()
    assert sorted(m.organization_id for m in memberships) == sorted([org.id, setup["other"].id])


def test_coordinator_rejects_a_link_and_nothing_changes(client, auth, session, org, setup):
    link = _import_probe(client, auth, session, org, setup)
    auth.login(setup["coordinator"].email)
    assert _decide(client, link, "reject").status_code == 302
    session.expire_all()
    assert link.state == "rejected" and link.decided_at is not None
    assert setup["hidden"].organization_ids() == {setup["other"].id}


@pytest.mark.parametrize("role", ["liaison", "expert", "approver", "agency"])
def test_only_coordinators_and_admins_decide_links(
    client, auth, session, org, setup, make_user, role
):
    link = _import_probe(client, auth, session, org, setup)
    user = setup["liaison"] if role == "liaison" else make_user(role)[0]
    auth.login(user.email)
    assert client.get("/roster/links").status_code == 403
    token = csrf_from(client.get("/account").text)
    with unchanged(session):
        res = client.post(f"/roster/links/{link.id}/confirm", data={"csrf_token": token})
    assert res.status_code == 403
    session.expire_all()
    assert link.state == "pending"
    assert setup["hidden"].organization_ids() == {setup["other"].id}


def test_the_command_line_import_links_rather_than_merges(
    session, org, setup, write_csv, run_import
):
    result = run_import(write_csv(PROBE), org)
    assert (result.created, result.merged, result.updated) == (0, 0, 0)
    assert [p.row for p in result.pending] == [2, 3, 4]
    assert result.summary()["pending_links"] == 3
    assert setup["hidden"].organization_ids() == {setup["other"].id}
