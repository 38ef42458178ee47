"""Administrators manage accounts; liaisons keep their organisation's contact details."""

from __future__ import annotations

from helpers import csrf_from, unchanged
from sqlalchemy import select

from expertnet.auth.models import User


def test_admin_creates_an_account_with_errors_named(client, auth, make_user, make_org, session):
    admin, _ = make_user("admin")
    org = make_org(kind="agency", name="Sở Tài chính")
    auth.login(admin.email)
    token = csrf_from(client.get("/admin/users/new").text)
    with unchanged(session):
        bad = client.post(
            "/admin/users/new",
            data={"csrf_token": token, "email": "x", "name": "", "role": "agency"},
        )
    assert bad.status_code == 422
    assert 'id="email-err"' in bad.text and 'id="name-err"' in bad.text
    with unchanged(session):
        no_org = client.post(
            "/admin/users/new",
            data={
                "csrf_token": token,
                "email": "stc@example.org",
                "name": "Sở Tài chính",
                "role": "agency",
                "password": "mat-khau-du-dai",
            },
        )
    assert no_org.status_code == 422 and 'id="organization-err"' in no_org.text
    ok = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "email": "stc@example.org",
            "name": "Sở Tài chính",
            "role": "agency",
            "organization": str(org.id),
            "password": "mat-khau-du-dai",
            "active": "y",
        },
    )
    assert ok.status_code == 302
    assert "stc@example.org" in client.get("/admin/users").text


def test_admin_cannot_remove_own_admin_access(client, auth, make_user, session):
    admin, _ = make_user("admin")
    auth.login(admin.email)
    url = f"/admin/users/{admin.id}"
    token = csrf_from(client.get(url).text)
    with unchanged(session):
        res = client.post(
            url,
            data={
                "csrf_token": token,
                "email": admin.email,
                "name": admin.name,
                "role": "coordinator",
                "active": "y",
            },
        )
    assert res.status_code == 422
    session.expire_all()
    assert session.get(User, admin.id).role == "admin"


def test_admin_deactivates_an_account(client, auth, make_user, session):
    admin, _ = make_user("admin")
    other, _ = make_user("coordinator")
    auth.login(admin.email)
    url = f"/admin/users/{other.id}"
    token = csrf_from(client.get(url).text)
    res = client.post(
        url,
        data={"csrf_token": token, "email": other.email, "name": other.name, "role": "coordinator"},
    )
    assert res.status_code == 302
    assert session.scalar(select(User.active).where(User.id == other.id)) is False


def test_liaison_edits_contact_details_but_not_identity(client, auth, make_user, session):
    liaison, _ = make_user("liaison")
    org = liaison.organization
    name = org.name
    auth.login(liaison.email)
    url = f"/organizations/{org.id}/edit"
    token = csrf_from(client.get(url).text)
    res = client.post(
        url,
        data={
            "csrf_token": token,
            "name": "Tên Mới",
            "kind": "club",
            "phone": "0225 3842 123",
            "address": "Số 1 Lạch Tray",
        },
    )
    assert res.status_code == 302, res.text
    session.expire_all()
    assert org.name == name and org.kind == "member_association"
    assert org.phone == "0225 3842 123" and org.address == "Số 1 Lạch Tray"


def test_organisation_form_names_a_bad_field(client, auth, make_user, make_org, session):
    admin, _ = make_user("admin")
    org = make_org()
    auth.login(admin.email)
    url = f"/organizations/{org.id}/edit"
    token = csrf_from(client.get(url).text)
    with unchanged(session):
        res = client.post(
            url,
            data={
                "csrf_token": token,
                "name": org.name,
                "kind": org.kind,
                "email": "not-mail",
                "website": "nope",
            },
        )
    assert res.status_code == 422
    assert 'id="email-err"' in res.text and 'id="website-err"' in res.text


def test_changes_to_organisations_and_memberships_are_audited(client, make_user, make_org, session):
    from helpers import bearer

    from expertnet.audit.models import AuditEntry

    user, token = make_user("coordinator")
    org = make_org()
    res = client.post(
        "/api/v1/experts",
        json={"full_name": "Kiều Văn Sổ", "organizations": [org.id]},
        headers=bearer(token),
    )
    assert res.status_code == 201
    entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "membership")
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None and entry.action == "create"
    assert entry.changes["organization_id"][1] == org.id
    assert entry.actor_user_id == user.id


def test_the_new_account_form_starts_from_the_least_powerful_role(client, auth, make_user):
    from expertnet.admin.views import ROLE_ORDER
    from expertnet.auth.models import Role

    assert sorted(ROLE_ORDER) == sorted(Role)  # every role offered, once
    admin, _ = make_user("admin")
    auth.login(admin.email)
    page = client.get("/admin/users/new").text
    assert '<option selected value="expert">' in page or '<option value="expert" selected>' in page
    options = page[page.index('name="role"') :]
    assert options.index('value="expert"') < options.index('value="admin"')
    # The hint fits a new account: there is no current password to keep.
    assert "Để trống nếu giữ nguyên" not in page and "khó đoán" in page
    edit = client.get(f"/admin/users/{admin.id}").text
    assert "Để trống" in edit
