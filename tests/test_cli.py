"""The command line of API.md."""

from __future__ import annotations

from sqlalchemy import func, select

from expertnet.auth.models import ApiToken, User, hash_token
from expertnet.cli import main


def test_users_create_then_token_prints_only_the_token(runner, session, make_org):
    org = make_org(kind="agency")
    res = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "so.xd@example.gov.vn",
            "--name",
            "Sở Xây dựng",
            "--role",
            "agency",
            "--organization",
            str(org.id),
        ],
        input="mat-khau-rat-dai\n",
    )
    assert res.exit_code == 0, res.output
    user = session.scalar(select(User).where(User.email == "so.xd@example.gov.vn"))
    assert user.role == "agency" and user.check_password("mat-khau-rat-dai")
    res = runner.invoke(args=["users", "token", "--email", "so.xd@example.gov.vn"])
    assert res.exit_code == 0
    token = res.stdout.strip()
    assert "\n" not in token and token.startswith("exn_")
    assert session.scalar(select(func.count()).where(ApiToken.token_hash == hash_token(token))) == 1


def test_failing_command_prints_one_clear_line_and_exits_nonzero(runner):
    res = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--role",
            "emperor",
            "--password",
            "long-enough-pass",
        ]
    )
    assert res.exit_code != 0
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "unknown role" in lines[0]


def test_short_password_and_missing_organisation_are_refused(runner):
    res = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "coordinator",
            "--password",
            "short",
        ]
    )
    assert res.exit_code != 0 and "at least" in res.stderr
    res = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "b@example.org",
            "--name",
            "B",
            "--role",
            "agency",
            "--password",
            "long-enough-pass",
        ]
    )
    assert res.exit_code != 0 and "--organization" in res.stderr


def test_token_for_unknown_user_fails(runner):
    res = runner.invoke(args=["users", "token", "--email", "nobody@example.org"])
    assert res.exit_code != 0
    assert res.stderr.strip().startswith("error:")


def test_console_script_lists_the_commands_of_the_contract():
    from click.testing import CliRunner

    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    for command in ("init", "users", "demo", "index", "serve", "import", "remind"):
        if command in ("import", "remind"):
            continue  # arrive with the roster and workflow issues
        assert command in res.output
