"""Form markup: ARIA attributes are valid and a sign-in error is said once."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_from

NONE_ATTR = re.compile(r'\s(aria-[a-z]+|required)="None"')


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/login"),
        (None, "/register"),
        ("admin", "/account"),
        ("admin", "/admin/users/new"),
        ("agency", "/requests/new"),
        ("coordinator", "/contests/new"),
    ],
)
def test_form_fields_never_render_aria_attributes_as_none(client, auth, make_user, role, path):
    if role:
        make_user(role, email="u@example.org")
        auth.login("u@example.org")
    page = client.get(path)
    assert page.status_code == 200
    assert not NONE_ATTR.search(page.text), NONE_ATTR.search(page.text).group(0)


def test_form_with_errors_marks_the_field_invalid_and_describes_it(client):
    page = client.get("/login")
    answer = client.post(
        "/login", data={"email": "", "password": "", "csrf_token": csrf_from(page.text)}
    )
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.text
    assert 'aria-describedby="email-err"' in answer.text
    assert not NONE_ATTR.search(answer.text)


def test_wrong_password_is_said_once(client, make_user):
    make_user("coordinator", email="c@example.org")
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": "c@example.org", "password": "nope", "csrf_token": csrf_from(page.text)},
    )
    assert answer.status_code == 422
    message = "Thư điện tử hoặc mật khẩu không đúng."
    assert answer.text.count(message) == 1, answer.text
