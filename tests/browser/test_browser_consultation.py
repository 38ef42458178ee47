"""The whole consultation in a real browser: from an agency's request to its response."""

from __future__ import annotations

import re

import pytest
from browsing import PASSWORD, sign_in
from sqlalchemy import select

from expertnet.auth.models import User
from expertnet.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "Đề án cảng cạn ICD logistics Lạch Huyện giai đoạn 2026-2030"
# Words no other demo expert has, so the suggestions rank our three experts first.
EXPERTISE = ["cảng cạn ICD", "logistics Lạch Huyện"]


@pytest.fixture
def experts(live_app, users) -> list[int]:
    """Person ids of expert0..expert2, given the expertise the request asks for.

    The ``users`` fixture signs in the demo's titled experts, of whom the small demo may
    have fewer than three; the missing sign-ins are made here for untitled members.
    """
    from expertnet.auth.operations import create_user
    from expertnet.directory.models import Field, Person

    with live_app.app_context():
        field = db.session.scalar(
            select(Field).where(Field.parent_id.is_not(None)).order_by(Field.code)
        )
        ids = []
        for key in ("expert0", "expert1", "expert2"):
            email = users.get(key) or f"{key}@browser.expertnet.vn"
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                person = db.session.scalar(
                    select(Person)
                    .where(
                        ~Person.id.in_(select(User.person_id).where(User.person_id.is_not(None)))
                    )
                    .order_by(Person.id)
                )
                user = create_user(
                    email=email,
                    name=key.title(),
                    role="expert",
                    password=PASSWORD,
                    person_id=person.id,
                )
            users[key] = email
            person = user.person
            person.expertise = [*EXPERTISE, *(person.expertise or [])]
            person.available = True
            if field not in person.fields:
                person.fields.append(field)
            person.max_assignments = max(person.max_assignments or 0, 5)
            ids.append(person.id)
        db.session.commit()
    return ids


class Journey:
    def __init__(self, page, base, users, shots):
        self.page, self.base, self.users, self.shots = page, base, users, shots

    def as_(self, key: str | None) -> None:
        """Sign out everyone, sign in ``key`` (None: the public), read the pages in English."""
        self.page.context.clear_cookies()
        self.page.context.add_cookies([{"name": "expertnet_lang", "value": "en", "url": self.base}])
        if key is not None:
            sign_in(self.page, self.base, self.users[key])

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def act(self, action: str, comment: str | None = None) -> None:
        form = self.page.locator(f"form.action-{action}")
        if comment is not None:
            form.locator("textarea").fill(comment)
        form.locator("button[type=submit]").click()
        self.page.wait_for_load_state()

    def flash_ok(self) -> None:
        assert self.page.locator(".flash-success").count() == 1, self.page.content()[:3000]


def test_a_request_from_filing_to_the_agencys_response(page, live_server, users, shots, experts):
    j = Journey(page, live_server, users, shots)

    # 1. The agency files a request with a small PDF and submits it.
    j.as_("agency")
    page.click("nav.main-nav >> text=My requests")
    page.click("text=New request")
    page.select_option("#kind", "critique")
    page.fill("#title", TITLE)
    page.fill(
        "#summary",
        "Sở đề nghị Liên hiệp Hội phản biện đề án xây dựng cảng cạn ICD và trung tâm logistics.",
    )
    page.fill("#due_date", "2030-06-30")
    page.locator("#fields input[type=checkbox]").first.check()  # the field our experts share
    page.set_input_files(
        "#file",
        files=[{"name": "De-an-cang-can.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shots.take("agency-new-request")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    request_url = page.url
    rid = int(request_url.rsplit("/", 1)[1])
    j.flash_ok()
    assert page.locator("#documents a", has_text="De-an-cang-can.pdf").count() == 1
    assert page.locator("form.action-accept").count() == 0  # not the agency's to take
    shots.take("agency-draft")
    j.act("submit")
    j.flash_ok()
    shots.take("agency-submitted")

    # 2. A coordinator finds it in the triage queue, accepts it and opens the panel.
    j.as_("coordinator")
    j.go("/workbench")
    assert page.locator("#q-submitted a", has_text=TITLE).count() == 1
    shots.take("coordinator-workbench")
    page.locator("#q-submitted a", has_text=TITLE).click()
    j.act("accept", "Hồ sơ đầy đủ, Liên hiệp Hội tiếp nhận.")
    j.flash_ok()
    j.act("open_panel")
    j.flash_ok()
    page.click(".request-links >> text=Panel")
    page.wait_for_url(f"**/requests/{rid}/panel")
    shots.take("coordinator-panel-suggestions")

    # 3. ... and invites three experts from the suggestions, with their roles.
    for pid, role in zip(experts, ("chair", "secretary", "reviewer"), strict=True):
        form = page.locator(f'form[action$="form=s{pid}"]')
        assert form.count() == 1, f"expert {pid} is not among the suggestions"
        if not form.is_visible():
            page.click(".suggestions summary >> nth=0")
        form.locator("select").select_option(role)
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"**/requests/{rid}/panel")
        j.flash_ok()
    assert page.locator(".panel-table tbody tr").count() == 3
    shots.take("coordinator-panel-invited")

    # 4. The three experts accept, declaring no conflict.
    for n, key in enumerate(("expert0", "expert1", "expert2")):
        j.as_(key)
        page.click("nav.main-nav >> text=My panels")
        card = page.locator("article.invitation", has_text=TITLE)
        if n == 0:
            shots.take("expert-inbox-invitation")
        card.locator("form.answer-accept button[type=submit]").click()
        page.wait_for_load_state()
        j.flash_ok()
    shots.take("expert-inbox-accepted")

    # 5. The coordinator starts the review with an opinion deadline.
    j.as_("coordinator")
    j.go(f"/requests/{rid}")
    page.fill("#start_review-opinion_due_at", "2030-05-31T17:00")
    j.act("start_review")
    j.flash_ok()
    shots.take("coordinator-review-started")

    # 6. Each expert writes an opinion (Markdown) and submits it.
    positions = ("support_with_changes", "support_with_changes", "oppose")
    for n, key in enumerate(("expert0", "expert1", "expert2")):
        j.as_(key)
        j.go("/inbox")
        page.locator(f'#opinions-due a[href="/requests/{rid}/opinion"]').click()
        page.fill("#summary", f"Ý kiến phản biện số {n + 1}: đề án cần bổ sung.")
        page.select_option("#position", positions[n])
        page.fill("#assessment", "**Đề án** cần bổ sung:\n\n- đánh giá tác động môi trường\n")
        page.fill("#recommendations", "Bổ sung đánh giá tác động môi trường.\nLàm rõ nguồn vốn.")
        if n == 0:
            shots.take("expert-opinion-editor")
        page.click("button[value=submit]")
        page.wait_for_load_state()
        j.flash_ok()
        if n == 0:
            assert page.locator(".preview strong", has_text="Đề án").count() == 1
            shots.take("expert-opinion-submitted")

    # 7. The coordinator closes the review and consolidates, keeping a dissent.
    j.as_("coordinator")
    j.go(f"/requests/{rid}")
    j.act("close_review")
    j.flash_ok()
    page.click(".request-links >> text=Write the consolidated opinion")
    page.fill("#text", "Liên hiệp Hội cơ bản nhất trí với đề án, với các kiến nghị sau.")
    # "Add a recommendation" adds a row in place (the served script), keeping what is typed.
    rows = page.locator("fieldset.rec-row")
    before = rows.count()
    page.click("button[data-add-row]")
    assert rows.count() == before + 1
    assert page.url.endswith(f"/requests/{rid}/consolidation")
    assert page.input_value("#text").startswith("Liên hiệp Hội cơ bản nhất trí")
    added = rows.last.locator("textarea").first.get_attribute("name")
    assert re.fullmatch(r"recommendations-\d+-text", added), added
    # The draft starts from the opinions: both recommendations, endorsed by their authors.
    assert page.input_value("#recommendations-1-text") == "Làm rõ nguồn vốn."
    page.fill("#recommendations-0-text", "Bổ sung đánh giá tác động môi trường.")
    for pid in experts[:2]:
        page.check(f'input[name="recommendations-0-endorsed_by"][value="{pid}"]')
    page.uncheck(f'input[name="recommendations-0-endorsed_by"][value="{experts[2]}"]')
    page.select_option("#recommendations-0-dissents-0-expert_id", str(experts[2]))
    page.fill("#recommendations-0-dissents-0-text", "Chưa cần thiết ở giai đoạn này.")
    page.fill("#recommendations-1-text", "Làm rõ nguồn vốn đầu tư.")
    for pid in experts:
        page.check(f'input[name="recommendations-1-endorsed_by"][value="{pid}"]')
    shots.take("coordinator-consolidation-editor")
    page.click("main form button[value=save]")
    page.wait_for_load_state()
    j.flash_ok()
    j.go(f"/requests/{rid}")
    j.act("submit_consolidation")
    j.flash_ok()
    assert page.locator(f'form[action$="/requests/{rid}/actions/approve"]').count() == 0

    # 8. The approver sends it back with comments ...
    j.as_("approver")
    page.click("nav.main-nav >> text=Approvals")
    shots.take("approver-queue")
    page.locator("table.data a", has_text=TITLE).click()
    page.wait_for_load_state()
    shots.take("approver-reads-consolidation")
    j.act("send_back", "Đề nghị nêu rõ căn cứ pháp lý của kiến nghị 2.")
    j.flash_ok()

    # ... the coordinator revises (the dissent stays) and resubmits ...
    j.as_("coordinator")
    j.go(f"/requests/{rid}/consolidation")
    assert page.locator(".kept-dissent", has_text="Chưa cần thiết").count() == 1
    page.fill("#recommendations-1-text", "Làm rõ nguồn vốn đầu tư theo Luật Đầu tư công 2024.")
    page.click("main form button[value=save]")
    page.wait_for_load_state()
    j.flash_ok()
    j.go(f"/requests/{rid}")
    j.act("submit_consolidation")
    j.flash_ok()

    # ... and the approver approves: the opinion is published.
    j.as_("approver")
    j.go(f"/requests/{rid}")
    page.click("#action-approve a")
    page.wait_for_load_state()
    assert page.locator(".letter-preview", has_text="Luật Đầu tư công 2024").count() == 1
    shots.take("approver-letter-preview")
    page.check("#approve-confirm")
    page.click(".approve-confirm button[type=submit]")
    page.wait_for_load_state()
    j.flash_ok()
    assert page.locator(".published-note").count() == 1
    shots.take("approver-published")

    # 9. The public reads the opinion in the register.
    j.as_(None)
    page.click("nav.main-nav >> text=Published opinions")
    page.select_option("#kind", "critique")
    page.select_option("#field", index=1)  # the request's field; 0 is "any"
    page.click(".register-filters button[type=submit]")
    page.wait_for_load_state()
    shots.take("public-register")
    page.locator(".result-list a", has_text=TITLE).click()
    page.wait_for_load_state()
    assert page.locator(".dissent", has_text="Chưa cần thiết").count() == 1
    assert page.locator(".panel-list li").count() == 3
    shots.take("public-opinion")

    # 10. The agency records its response; the request closes.
    j.as_("agency")
    page.goto(request_url)
    page.click("text=Record the response")
    page.select_option("#responses-0-status", "adopted")
    page.select_option("#responses-1-status", "partially_adopted")
    page.fill("#responses-1-explanation", "Nguồn vốn ngân sách năm 2026 có hạn.")
    shots.take("agency-response-form")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    j.flash_ok()
    assert page.locator(".request-head .state-closed").count() == 1
    shots.take("agency-closed-timeline")
    page.click("text=Read the published opinion")
    assert page.locator(".response-partially_adopted").count() == 1
    shots.take("agency-published-with-response")
