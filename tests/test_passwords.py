"""Common and guessable passwords are refused wherever a password is set; nothing changes."""

from __future__ import annotations

import pytest
from helpers import csrf_from
from sqlalchemy import func, select

from expertnet.auth.models import User
from expertnet.auth.passwords import password_problem

WEAK = ["aaaaaaaaaa", "password12", "1234567890", "qwertyuiop", "matkhau123456", "Password123!"]
VI_MESSAGE = "Mật khẩu này quá phổ biến hoặc quá dễ đoán"


@pytest.mark.parametrize("password", WEAK)
def test_common_and_guessable_passwords_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["mat-khau-rat-dai", "correct horse battery", "tàu-cá|Lạch 7"])
def test_long_unpredictable_passwords_are_accepted(password):
    assert password_problem(password) is None


def test_a_password_made_of_the_account_email_is_refused():
    assert password_problem("hoang.minh.tuan2", ["hoang.minh.tuan@example.org"]) is not None


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "password12"])
def test_cli_refuses_a_weak_admin_password_with_one_error_line(runner, session, password):
    before = session.scalar(select(func.count(User.id)))
    res = runner.invoke(
        args=["users", "create", "--email", "root@example.org", "--name", "Quản trị",
              "--role", "admin", "--password", password]
    )  # fmt: skip
    assert res.exit_code != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "too common" in lines[0]
    assert session.scalar(select(func.count(User.id))) == before


def test_admin_page_refuses_a_weak_password_in_vietnamese(client, auth, make_user, session):
    admin, _ = make_user("admin")
    auth.login(admin.email)
    token = csrf_from(client.get("/admin/users/new").text)
    form = {"csrf_token": token, "email": "moi@example.org", "name": "Người mới",
            "role": "coordinator", "password": "password12", "active": "y"}  # fmt: skip
    res = client.post("/admin/users/new", data=form)
    assert res.status_code == 422
    assert VI_MESSAGE in res.text and 'id="password-err"' in res.text
    assert session.scalar(select(User).where(User.email == "moi@example.org")) is None


def test_account_page_refuses_a_weak_new_password_and_keeps_the_old(client, auth, make_user):
    user, _ = make_user("expert")
    auth.login(user.email)
    token = csrf_from(client.get("/account").text)
    res = client.post(
        "/account",
        data={"csrf_token": token, "name": user.name, "locale": "vi",
              "current_password": "correct horse battery", "new_password": "aaaaaaaaaa",
              "confirm": "aaaaaaaaaa"},
    )  # fmt: skip
    assert res.status_code == 422 and VI_MESSAGE in res.text
    assert user.check_password("correct horse battery")
