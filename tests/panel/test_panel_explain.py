"""Panel suggestions explain themselves in whole words, with one figure, chair and seats."""

from __future__ import annotations

import re

from helpers import csrf_from

from expertnet.panel.explain import matching_keywords
from expertnet.panel.suggest import RequestProfile, suggest

TITLE = "Đề án nâng cao năng lực y tế dự phòng thành phố Hải Phòng"


def test_the_experts_own_keywords_match_whole_and_with_their_accents():
    keywords = ["Y tế dự phòng", "Quy hoạch đô thị", "biển", "Kiểm soát dịch bệnh truyền nhiễm"]
    text = f"{TITLE}. Tăng cường kiểm soát dịch bệnh, phản biện chính sách."
    # Whole, or most of a longer keyword's syllable pairs ("kiểm soát dịch bệnh").
    assert matching_keywords(keywords, text) == [
        "Y tế dự phòng",
        "Kiểm soát dịch bệnh truyền nhiễm",
    ]
    assert matching_keywords(keywords, "Quy hoạch giao thông nông thôn") == []
    # "biển" (sea) is not "biện" (argue), and a syllable inside a word is no match.
    assert matching_keywords(["biển"], "phản biện chính sách biểu quyết") == []


def test_reasons_quote_keywords_never_fragments_or_folded_text(app, make_org, make_expert):
    org = make_org(former_province="hai_phong")
    expert = make_expert(
        topic="Y tế dự phòng", orgs=[org], fields=("MED-PUB",), extra_expertise=["Dịch tễ học"]
    )
    s = suggest(RequestProfile(request_id=None, title=TITLE, field_codes=("MED-PUB",)), 3)
    card = next(c for c in s.panel if c.person_id == expert.id)
    text = " ".join(card.reasons)
    assert "Expertise matches: Y tế dự phòng." in card.reasons
    assert "hai phong" not in text and "tế, phòng" not in text
    assert not any(r.startswith("Affinity") for r in card.reasons)


def test_without_a_keyword_the_requests_own_phrase_is_quoted(app, make_org, make_person):
    org = make_org(former_province="hai_phong")
    from expertnet.directory.models import Membership

    person = make_person(
        full_name="Trần Thị Mai",
        expertise=["Quản lý tài nguyên nước"],
        bio="Nhiều năm nghiên cứu biến đổi khí hậu và nước biển dâng ở vùng ven biển.",
    )
    person.memberships.append(Membership(organization=org))
    from expertnet.extensions import db

    db.session.flush()
    title = "Kế hoạch ứng phó nước biển dâng của thành phố"
    s = suggest(RequestProfile(request_id=None, title=title), 3)
    card = next(c for c in [*s.panel, *s.ranked] if c.person_id == person.id)
    assert "The request speaks of “nước biển dâng”, as does the expert's profile." in (card.reasons)


def _coordinator_client(app, coordinator, lang="vi"):
    user, _token = coordinator
    client = app.test_client()
    client.set_cookie("expertnet_lang", lang)
    page = client.get("/login")
    client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_from(page.text),
        },
    )
    user.locale = lang
    return client


def test_one_figure_written_the_vietnamese_way(
    app, make_org, make_expert, make_request, coordinator
):
    org = make_org(former_province="hai_phong")
    for _n in range(3):
        make_expert(orgs=[org], extra_expertise=["Quy hoạch nuôi trồng thủy sản ven biển"])
    req = make_request()
    page = _coordinator_client(app, coordinator).get(f"/requests/{req.id}/panel").text
    figures = re.findall(r'<strong class="affinity">([^<]+)</strong>', page)
    assert figures and all(re.fullmatch(r"[01],\d\d", f) for f in figures)
    assert "Mức độ phù hợp với hồ sơ đề nghị" not in page


def test_no_chair_proposed_when_the_panel_has_one_and_seats_left_follow_the_panel(
    app, session, make_org, make_expert, make_request, coordinator, invite
):
    hp = make_org(former_province="hai_phong")
    hd = make_org(former_province="hai_duong")
    experts = [
        make_expert(orgs=[org], extra_expertise=["Quy hoạch nuôi trồng thủy sản ven biển"])
        for org in (hp, hd, hp, hd, hp, hd, hp, hd)
    ]
    experts.append(make_expert(orgs=[hd], academic_title="PGS", degree="TS"))
    req = make_request()
    client = _coordinator_client(app, coordinator, "en")
    page = client.get(f"/requests/{req.id}/panel").text
    assert "proposed chair" in page and "5 seats left to fill" in page
    invite(req, experts[-1], state="accepted", role="chair")
    invite(req, experts[0], state="invited")
    session.expire_all()
    page = client.get(f"/requests/{req.id}/panel").text
    assert "proposed chair" not in page
    assert 'value="chair" selected' not in page
    assert "2 experts seated or invited" in page and "3 seats left to fill" in page
    first = re.search(r'<ol class="candidates">(.*?)</ol>', page, re.S).group(1)
    assert first.count('<li class="candidate">') == 3
    for person in experts[1:4]:
        invite(req, person, state="accepted")
    session.expire_all()
    page = client.get(f"/requests/{req.id}/panel").text
    assert "the usual 5 seats are filled" in page
    assert '<li class="candidate">' not in page
    # Asking for more seats still works.
    more = client.get(f"/requests/{req.id}/panel?size=2").text
    assert "2 seats left to fill" in more and '<li class="candidate">' in more
