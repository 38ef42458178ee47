"""The contest in a real browser: from an author's entry to the public results.

An author files an entry through the public form, the secretariat screens it and seats
three judges with the batch assignment (previewed, then confirmed), the judges score it,
their disagreement is flagged and resolved by a re-score, the secretariat proposes the
results, a board member approves and publishes them, and the public reads them and
downloads the author's certificate and the decision on the awards.
"""

from __future__ import annotations

import re

import pytest
from browsing import PASSWORD, sign_in
from sqlalchemy import select

from expertnet.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "Thiết bị tự động cấp phôi cho máy tiện CNC tại phân xưởng cơ khí"
EDITION = "Hội thi Sáng tạo Kỹ thuật (thử nghiệm trình duyệt)"


@pytest.fixture
def contest_cast(live_app, users) -> dict:
    """An edition open for entries, its board and a three-juror sub-jury; the author's account.

    The author's account is made here directly (accounts by e-mail link are another piece).
    """
    from expertnet.auth.models import User
    from expertnet.auth.operations import create_user
    from expertnet.contest import operations as ops
    from expertnet.directory.models import Field, Organization, Person

    with live_app.app_context():
        field = db.session.scalar(
            select(Field).where(Field.parent_id.is_not(None)).order_by(Field.code)
        )
        taken = select(User.person_id).where(User.person_id.is_not(None))
        people = db.session.scalars(
            select(Person).where(~Person.id.in_(taken)).order_by(Person.id.desc()).limit(3)
        ).all()
        jurors = {}
        for i, person in enumerate(people):
            email = f"juror{i}@browser.expertnet.vn"
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = create_user(
                    email=email, name=f"Juror {i}", role="expert", password=PASSWORD,
                    person_id=person.id,
                )  # fmt: skip
            jurors[f"juror{i}"] = email
        users.update(jurors)
        author_email = "tac-gia@browser.expertnet.vn"
        if db.session.scalar(select(User).where(User.email == author_email)) is None:
            assoc = db.session.scalar(
                select(Organization).where(Organization.kind == "member_association")
            )
            create_user(
                email=author_email, name="Trần Văn Bình", role="liaison", password=PASSWORD,
                organization_id=assoc.id,
            )  # fmt: skip
        users["author"] = author_email
        board = [users["approver"]]
        second = "approver2@browser.expertnet.vn"
        if db.session.scalar(select(User).where(User.email == second)) is None:
            create_user(email=second, name="Approver Two", role="approver", password=PASSWORD)
        users["approver2"] = second
        board.append(second)
        sec = db.session.scalar(select(User).where(User.email == users["coordinator"]))
        edition = ops.create_edition(
            sec,
            {"name": EDITION, "number": 7, "fields": [field.code], "max_spread": 15},
        )
        board_ids = db.session.scalars(select(User.id).where(User.email.in_(board))).all()
        ops.set_members(
            edition,
            sec,
            {
                "board": list(board_ids),
                "jury": [{"expert_id": p.id, "field": field.code} for p in people],
            },
        )
        ops.perform_edition_action(edition, "announce", sec)
        ops.perform_edition_action(edition, "open_entries", sec)
        db.session.commit()
        return {"edition": edition.id, "field": field.code, "jurors": list(jurors)}


class Journey:
    def __init__(self, page, base, users, shots):
        self.page, self.base, self.users, self.shots = page, base, users, shots

    def as_(self, key: str | None) -> None:
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
        self.flash_ok()

    def flash_ok(self) -> None:
        assert self.page.locator(".flash-success").count() == 1, self.page.content()[:3000]

    def score(self, entry_url: str, key: str, points: tuple[int, int, int]) -> None:
        self.as_(key)
        self.go("/contests/judging")
        self.page.locator("main table a", has_text=TITLE).click()
        assert self.page.url == entry_url
        inputs = self.page.locator(
            "form.score-form input[type=text], form.score-form input[type=number]"
        )
        assert inputs.count() == 3
        for i, p in enumerate(points):
            inputs.nth(i).fill(str(p))
        self.page.fill("form.score-form textarea", "Giải pháp có tính mới, áp dụng hiệu quả.")
        self.page.click("form.score-form button[type=submit]")
        self.page.wait_for_load_state()
        self.flash_ok()


def test_an_entry_from_filing_to_the_public_results(page, live_server, users, shots, contest_cast):
    j = Journey(page, live_server, users, shots)
    eid = contest_cast["edition"]

    # 1. The author finds the edition and files an entry through its form, with a document.
    j.as_("author")
    j.go("/contests/")
    page.click(f"text={EDITION}")
    page.click("text=File an entry")
    page.fill("#title", TITLE)
    page.select_option("#field", contest_cast["field"])
    page.fill("#description", "Giảm 30% thời gian dừng máy, tiết kiệm 200 triệu đồng mỗi năm.")
    page.fill("#authors-0-share", "70")
    page.fill("#authors-0-employer", "Công ty CP Cơ khí Hải Phòng")
    page.fill("#authors-1-full_name", "Lê Thị Hoa")
    page.fill("#authors-1-share", "20")  # 90 in all: refused, naming the authors
    page.fill("#applying_organization_name", "Công ty CP Cơ khí Hải Phòng")
    page.fill("#applied_since", "2024-06-01")
    page.click("main form button[type=submit]")
    assert "must sum to 100" in page.locator(".error-summary").inner_text()
    page.fill("#authors-1-share", "30")
    page.set_input_files(
        "#file", files=[{"name": "Thuyet-minh.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shots.take("author-entry-form")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/contests/entries/\d+$"))
    entry_url = page.url
    j.flash_ok()
    assert page.locator("main a", has_text="Thuyet-minh.pdf").count() == 1
    assert "not screened the entry yet" in page.locator("#screening-outcome").inner_text()
    shots.take("author-entry")
    # While entries are open, the author's pages fit a phone (in Vietnamese) and pass axe.
    check_phone_pages(
        page.context.browser, live_server, users,
        {"author": [f"/contests/{eid}/entries/new", page.url.removeprefix(live_server),
                    f"/contests/entries/{page.url.rsplit('/', 1)[1]}/edit"]},
    )  # fmt: skip

    # 2. The secretariat closes entries, screens the entry and seats three judges.
    j.as_("coordinator")
    j.go(f"/contests/{eid}/manage")
    j.act("close_entries")
    row = page.locator("main tr", has_text=TITLE)
    row.locator("select").select_option("eligible")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    j.flash_ok()
    # The assignment is previewed first (nothing saved), then that very plan is confirmed.
    page.click("#preview-assignment")
    page.wait_for_load_state()
    planned = page.locator("#plan tr", has_text=TITLE).locator("li.planned-judge")
    assert planned.count() == 3
    shots.take("assignment-preview")
    preview = f"/contests/{eid}/assignments/preview"
    check_phone_pages(page.context.browser, live_server, users, {"coordinator": [preview]})
    page.click("#confirm-plan button[type=submit]")
    page.wait_for_load_state()
    j.flash_ok()
    assert "3 / 3" in page.locator("main tr", has_text=TITLE).inner_text()
    j.act("start_judging")
    shots.take("secretariat-desk")

    # 3. Three judges score it; the last score is far from the others: flagged.
    for key, pts in zip(
        contest_cast["jurors"], ((38, 27, 25), (36, 26, 26), (20, 15, 15)), strict=True
    ):
        j.score(entry_url, key, pts)
    shots.take("judge-scored")

    # 4. The secretariat sees the flag and asks for a re-score; the third judge re-scores.
    j.as_("coordinator")
    j.go(f"/contests/{eid}/manage")
    page.locator("#flagged a", has_text=TITLE).click()
    assert "Flagged for discussion" in page.locator("main").inner_text()
    j.act("request_rescore", "Tiểu ban thảo luận: đề nghị chấm lại tiêu chí hiệu quả.")
    for key, pts in zip(
        contest_cast["jurors"], ((38, 27, 25), (36, 26, 26), (35, 25, 25)), strict=True
    ):
        j.score(entry_url, key, pts)

    # 5. The secretariat proposes the results; a board member approves and publishes them.
    j.as_("coordinator")
    j.go(f"/contests/{eid}/manage")
    j.act("propose_results")
    j.as_("approver")
    j.go(f"/contests/{eid}/board")
    line = page.locator("main tr", has_text=TITLE)
    assert "87.67" in line.inner_text()
    shots.take("board-results")
    j.act("approve_results")
    j.act("publish")

    # 6. The public reads the results.
    j.as_(None)
    j.go("/contests/")
    page.click(f"text={EDITION}")
    page.locator("main a.button", has_text="Results").click()
    results = page.locator("main table.results")
    assert TITLE in results.inner_text() and "87.67" in results.inner_text()
    shots.take("public-results")
    # ... and downloads the first author's certificate and the decision on the awards, as PDF.
    line = results.locator("tr", has_text=TITLE)
    author = line.locator("td.certificates li", has_text="Trần Văn Bình")
    with page.expect_download() as got:
        author.get_by_role("link", name=re.compile(r"PDF")).click()
    download = got.value
    assert download.suggested_filename.endswith(".pdf")
    assert "Trần Văn Bình" in pdf_text(download.path())
    href = author.get_by_role("link", name=re.compile(r"PDF")).get_attribute("href")
    response = page.request.get(live_server + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert "Trần Văn Bình" in pdf_text(response.body())
    with page.expect_download() as got:
        page.locator("#decision a", has_text="PDF").click()
    text = pdf_text(got.value.path())
    assert TITLE[:30] in text and "Trần Văn Bình" in text

    # 7. Each role's contest pages, in Vietnamese, fit a 390 px phone and pass axe.
    entry_path = entry_url.removeprefix(live_server)
    phone_pages = {
        None: ["/contests/", f"/contests/{eid}", f"/contests/{eid}/results"],
        "author": ["/contests/entries/mine", entry_path],
        "coordinator": [f"/contests/{eid}/manage", entry_path, "/contests/new"],
        contest_cast["jurors"][0]: ["/contests/judging", entry_path],
        "approver": [f"/contests/{eid}/board"],
    }
    check_phone_pages(page.context.browser, live_server, users, phone_pages)


def pdf_text(source) -> str:
    """The text of every page of a PDF (a path or the bytes), as pypdf reads it."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def check_phone_pages(browser, base, users, phone_pages) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from test_browser_mobile import PHONE, _overflow

    axe, problems = Axe(), []
    for key, paths in phone_pages.items():
        context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if key is not None:
                sign_in(page, base, users[key])
            for path in paths:
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (key, path)
                assert page.locator("html").get_attribute("lang") == "vi"
                measured = _overflow(page)
                if measured["scroll"] > measured["viewport"]:
                    problems.append((key, path, measured))
                for violation in axe.run(page).response["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        problems.append((key, path, violation["id"], violation["help"]))
        finally:
            context.close()
    assert not problems, problems
