"""Vietnamese first, English on request, remembered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from helpers import csrf_from


def test_vietnamese_is_the_default(client):
    page = client.get("/").text
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


def test_english_on_request_and_remembered(client):
    page = client.get("/?lang=en").text
    assert '<html lang="en">' in page
    assert "Sign in" in page
    assert '<html lang="en">' in client.get("/organizations").text


def test_language_switch_form_works_without_javascript(client):
    page = client.get("/").text
    res = client.post(
        "/language", data={"lang": "en", "next": "/organizations", "csrf_token": csrf_from(page)}
    )
    assert res.status_code == 302 and res.headers["Location"].endswith("/organizations")
    assert '<html lang="en">' in client.get("/organizations").text


def test_every_message_has_a_vietnamese_translation(repo_root: Path):
    po = repo_root / "expertnet" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    missing = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert not missing, f"untranslated: {missing[:10]}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


# --- words with two senses (msgctxt) ---------------------------------------------------------


def _catalog(repo_root: Path):
    po = repo_root / "expertnet" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        return read_po(fh)


def test_catalog_is_extracted_with_contexts(repo_root: Path, tmp_path: Path):
    """Every (context, message) in the code is in the catalog, so i18n.sh extracts pgettext."""
    import re
    import subprocess
    import sys

    script = (repo_root / "scripts" / "i18n.sh").read_text()
    keywords = re.findall(r"-k (\S+)", script)
    assert "NC_:1c,2" in keywords and "pgettext:1c,2" in keywords
    pot = tmp_path / "messages.pot"
    args = [a for k in keywords for a in ("-k", k)]
    pybabel = str(Path(sys.executable).parent / "pybabel")
    cmd = [pybabel, "-q", "extract", "-F", "babel.cfg", *args, "-o", str(pot), "--no-location", "."]
    subprocess.run(cmd, cwd=repo_root, check=True)
    with pot.open("rb") as fh:
        extracted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fh)}
    in_catalog = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in _catalog(repo_root)
    }
    contexts = {c for c, _ in extracted if c}
    assert {"panel seat", "organisation role", "request state", "invitation"} <= contexts
    assert not extracted - in_catalog, f"run scripts/i18n.sh: {sorted(extracted - in_catalog)[:5]}"


SENSES = [
    # (context, msgid, Vietnamese) — one English word, a translation per sense
    ("panel seat", "Member", "Ủy viên"),
    ("organisation role", "Member", "Hội viên"),
    ("panel seat", "Chair", "Chủ tịch Hội đồng"),
    ("organisation role", "Chair", "Chủ tịch"),
    ("panel seat", "Secretary", "Thư ký Hội đồng"),
    ("organisation role", "Secretary", "Thư ký"),
    ("request state", "Accepted", "Đã tiếp nhận"),
    ("invitation", "Accepted", "Đã nhận lời"),
    ("request action", "Accept", "Tiếp nhận hồ sơ"),
    ("invitation", "Accept", "Nhận lời"),
    ("request action", "Decline", "Từ chối tiếp nhận"),
    ("request state", "Declined", "Không được tiếp nhận"),
    ("invitation", "Declined", "Đã từ chối"),
    ("date", "Submitted", "Ngày gửi"),
    ("opinion", "Submitted", "Đã nộp"),
    ("date", "Filed", "Ngày tạo hồ sơ"),
    ("spreadsheet sheet", "Summary", "Tổng hợp"),
    ("person", "Name", "Họ và tên"),
    ("opinion stance", "Position", "Quan điểm"),
]


@pytest.mark.parametrize(("context", "msgid", "vietnamese"), SENSES)
def test_each_sense_has_its_own_translation(app, context, msgid, vietnamese):
    from flask_babel import force_locale, pgettext

    with app.test_request_context(), force_locale("vi"):
        assert pgettext(context, msgid) == vietnamese
    with app.test_request_context(), force_locale("en"):
        assert pgettext(context, msgid) == msgid


def test_enum_labels_use_their_sense(app):
    from flask_babel import force_locale

    from expertnet.consultation.models import InvitationRole, InvitationState
    from expertnet.core.i18n import tr
    from expertnet.directory.models import MembershipRole
    from workflows import Action, State

    with app.test_request_context(), force_locale("vi"):
        assert InvitationRole.member.label == "Ủy viên"
        assert MembershipRole.member.label == "Hội viên"
        assert InvitationRole.chair.label == "Chủ tịch Hội đồng"
        assert InvitationState.accepted.label == "Đã nhận lời"
        assert tr(State.ACCEPTED.label) == "Đã tiếp nhận"
        assert tr(State.DECLINED.label) == "Không được tiếp nhận"
        assert tr(Action.ACCEPT.label) == "Tiếp nhận hồ sơ"


def test_mail_greets_with_title_or_mr_ms(app):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from expertnet.consultation.notify import salutation
    from expertnet.directory.models import Person

    titled = Person(full_name="Trần Thị Hường", academic_title="PGS", degree="TS", gender="female")
    woman = Person(full_name="Trần Thị Hường", gender="female")
    man = Person(full_name="Bùi Thanh Tùng", gender="male")
    with app.test_request_context(), force_locale("vi"):
        assert salutation(SimpleNamespace(person=titled)) == "PGS.TS. Trần Thị Hường"
        assert salutation(SimpleNamespace(person=woman)) == "Bà Trần Thị Hường"
        assert salutation(SimpleNamespace(person=man)) == "Ông Bùi Thanh Tùng"
        agency = SimpleNamespace(person=None, name="Nguyễn Văn Nam")
        assert salutation(agency) == "Ông/Bà Nguyễn Văn Nam"
        body = app.jinja_env.get_template("mail/request_accepted.txt").render(
            user=agency, salutation=salutation, request=None, base_url="", title="X"
        )
        assert "Kính gửi Ông/Bà Nguyễn Văn Nam," in body


def test_one_date_format_in_pages_and_mail(app):
    """dd/mm/yyyy with a four-digit year; the time as HH:mm before it."""
    from datetime import UTC, date, datetime

    from flask_babel import force_locale, format_date, format_datetime

    from expertnet.consultation.notify import _localdt

    moment = datetime(2027, 1, 5, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội
    with app.test_request_context(), force_locale("vi"):
        assert format_date(date(2027, 1, 28), "medium") == "28/01/2027"
        assert format_datetime(moment, "short") == "08:30 05/01/2027"
        assert _localdt(moment) == "08:30 05/01/2027"
        assert _localdt(date(2027, 3, 9)) == "09/03/2027"
        macro = app.jinja_env.from_string(
            '{% from "consultation/_macros.html" import when %}{{ when(d) }}'
        )
        assert ">28/01/2027<" in macro.render(d=date(2027, 1, 28))


def test_counts_have_a_thousands_separator_and_decimals_a_comma(app):
    from flask_babel import force_locale

    from expertnet.reports.charts import number

    with app.test_request_context(), force_locale("vi"):
        assert number(3000) == "3.000"
        assert number(0.49) == "0,49"
        assert number(1.25) == "1,25"
        page = app.jinja_env.from_string(
            '{{ ngettext("%(num)s expert found", "%(num)s experts found", n, num=n|numberformat) }}'
        )
        assert page.render(n=3000) == "Tìm thấy 3.000 chuyên gia"


def test_chart_ticks_are_whole_counts_with_vietnamese_numbers(app):
    from flask_babel import force_locale

    from expertnet.reports.charts import Bar, vertical_bars

    with app.test_request_context(), force_locale("vi"):
        svg = str(vertical_bars("c", "t", "d", [Bar("T1", 5), Bar("T2", 3)]))
        ticks = re.findall(r'class="tick"[^>]*>([^<]*)<', svg)
        assert ticks == ["0", "1", "2", "3", "4", "5"]
        big = str(vertical_bars("c", "t", "d", [Bar("T1", 4200)]))
        assert "5.000" in big and "4.200" in big


def test_report_months_are_written_t1_to_t12(app):
    from flask_babel import force_locale

    from expertnet.reports.views import _month_names

    with app.test_request_context(), force_locale("vi"):
        assert _month_names()[0] == "T1" and _month_names()[11] == "T12"
    with app.test_request_context(), force_locale("en"):
        assert _month_names()[0] == "Jan"


def test_demo_request_summaries_say_what_is_asked():
    from expertnet.demo.requests import KIND_VERB, PLAN

    assert {kind for kind, *_rest in PLAN} <= set(KIND_VERB)
    assert not any("huyện" in title for _kind, title, *_rest in PLAN)


def test_panel_rule_names_the_seat_in_vietnamese(app):
    from flask_babel import force_locale

    from expertnet.core.i18n import tr
    from workflows import POLICIES, PanelSeat, RequestKind
    from workflows.guards import _panel_complete

    class Ctx:
        policy = POLICIES[RequestKind.CRITIQUE]

        class facts:
            panel = (PanelSeat(person_id=1, role="member"),)

    failure = _panel_complete(Ctx)
    with app.test_request_context(), force_locale("vi"):
        text = failure.message.render(tr)
    assert "Chủ tịch Hội đồng" in text and "chair" not in text
