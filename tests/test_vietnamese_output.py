"""No English on Vietnamese pages and files: every page and export, for every role.

A demo union (people, organisations, requests in every state, a published opinion) is
crawled as each role, following every link; the visible text of each page (text nodes
and the attributes people read: title, placeholder, aria-label, alt) and every cell and
sheet name of each export must hold no English message of the catalog and no raw enum
value (``female``, ``office``, ``requested_by`` …).
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from expertnet.consultation.models import (
    ConflictResolution,
    InvitationRole,
    InvitationState,
    MeetingKind,
    Position,
)
from expertnet.directory.models import (
    AcademicTitle,
    Gender,
    MembershipRole,
    OrganizationKind,
)
from workflows import Action, RequestKind, State

pytestmark = pytest.mark.slow

ROLES = ("public", "admin", "coordinator", "approver", "expert", "agency", "liaison")
#: Pages per URL shape (digits replaced) and per role: enough to see every template.
PER_SHAPE = 2
MAX_PAGES = 110
SKIP = re.compile(r"^/(logout|language|static/)|\.(pdf|docx)$|lang=en")

# Raw values that must never be shown: the enums' values and the network's edge kinds.
EDGE_KINDS = {"office", "employed", "expertise", "panel", "subject", "requested_by", "about"}
ENUM_VALUES = (
    {m.value for e in (Gender, MembershipRole, InvitationRole, InvitationState) for m in e}
    | {m.value for e in (Position, MeetingKind, ConflictResolution, OrganizationKind) for m in e}
    | {str(s) for s in State}
    | {str(a) for a in Action}
    | {str(k) for k in RequestKind}
    | EDGE_KINDS
) - {m.value for m in AcademicTitle}
# Values that are also Vietnamese words or fixed names shown on purpose.
ENUM_VALUES -= {"agency"}
_WORD = re.compile(r"[A-Za-z_]+")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|/\S*")


def _english_messages(repo_root: Path) -> set[str]:
    po = repo_root / "expertnet" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    out = set()
    for m in catalog:
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        msgstr = m.string if isinstance(m.string, str) else m.string[0]
        # Messages whose translation is the same word (PDF, DOCX, API, e-mail …) are fine.
        if msgid and msgstr and msgid != msgstr and re.search(r"[a-z]{2}", msgid):
            out.add(msgid.split("%(")[0].strip() or msgid)
    return {m for m in out if len(m) >= 4}


class _Visible(HTMLParser):
    """Collects what a reader sees or hears: text nodes and labelled attributes."""

    ATTRS = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    # Code is code: the import page lists the column names a file may use (full_name …).
    HIDDEN = ("script", "style", "code")

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._skip += 1
        d = dict(attrs)
        for a in self.ATTRS:
            if d.get(a):
                self.texts.append(d[a])
        if tag == "a" and d.get("href"):
            self.links.append(d["href"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _leftovers(texts, english: set[str]) -> list[str]:
    found = []
    for text in texts:
        if text in english:
            found.append(text)
            continue
        for line in text.splitlines():
            if line.strip() in english:
                found.append(line.strip())
        bare = _ADDRESS.sub(" ", text)
        found += [w for w in _WORD.findall(bare) if w in ENUM_VALUES]
    return found


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


@pytest.fixture
def demo(session, app):
    from expertnet.demo.accounts import create_demo_accounts
    from expertnet.demo.loader import load_demo
    from expertnet.demo.requests import load_demo_requests
    from expertnet.search.index import rebuild_index

    load_demo(session, n_people=600, seed=3)
    accounts = {role: (email, pw) for role, email, pw in create_demo_accounts(session, seed=3)}
    assert load_demo_requests(session, seed=3) > 0
    session.commit()
    rebuild_index()
    return accounts


def _crawl(client, english: set[str]) -> tuple[dict[str, list[str]], int]:
    problems: dict[str, list[str]] = {}
    seen_shapes: dict[str, int] = {}
    # Every request (one per state of the demo) and its sub-pages, then whatever links lead to.
    seeds = ["/", "/experts?q=Nguyễn", "/reports/activity", "/register", "/requests"]
    from sqlalchemy import select

    from expertnet.consultation.models import Request
    from expertnet.extensions import db

    ids = db.session.scalars(select(Request.id).order_by(Request.id)).all()
    seeds += [f"/requests/{i}{sub}" for i in ids for sub in ("", "/panel", "/opinion")]
    queue = deque(seeds)
    visited: set[str] = set()
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        if url in visited or parts.netloc not in ("", "localhost") or SKIP.search(url):
            continue
        visited.add(url)
        shape = _shape(parts.path)
        if url not in seeds and seen_shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
        res = client.get(url)
        if res.status_code != 200:
            continue
        pages += 1
        kind = res.mimetype
        if kind == "text/html":
            parser = _Visible()
            parser.feed(res.text)
            bad = _leftovers(parser.texts, english)
            for link in parser.links:
                target = urljoin(parts.path + "/", link) if not link.startswith("/") else link
                if not link.startswith(("#", "mailto:", "tel:", "http")):
                    queue.append(target.split("#")[0])
        elif kind == "text/csv":
            rows = list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))))
            bad = _leftovers([c for r in rows for c in r if c], english)
        elif "spreadsheetml" in kind:
            wb = load_workbook(io.BytesIO(res.data))
            cells = [ws.title for ws in wb.worksheets]
            cells += [
                str(v)
                for ws in wb.worksheets
                for row in ws.iter_rows(values_only=True)
                for v in row
                if isinstance(v, str)
            ]
            bad = _leftovers(cells, english)
        else:
            continue
        if bad:
            problems[url] = sorted(set(bad))
    return problems, pages


@pytest.mark.parametrize("role", ROLES)
def test_no_english_on_vietnamese_pages_and_exports(client, auth, demo, repo_root, role):
    english = _english_messages(repo_root)
    if role != "public":
        email, password = demo[role]
        auth.login(email, password)
        assert "/login" not in client.get("/account").request.path
    problems, pages = _crawl(client, english)
    assert pages >= 8, pages
    # The files a role may download, fetched directly as well.
    extra = []
    if role in ("admin", "coordinator", "approver"):
        extra += ["/experts/export.xlsx?q=Nguyễn", "/experts/export.csv?q=Nguyễn"]
    if role in ("admin", "coordinator", "approver", "liaison"):
        from sqlalchemy import select

        from expertnet.auth.models import User
        from expertnet.directory.models import Organization
        from expertnet.extensions import db

        # Ids are not 1, 2, … on PostgreSQL, whose sequences outlive rolled-back tests.
        org = str(db.session.scalar(select(Organization.id).order_by(Organization.id)))
        if role == "liaison":
            org = str(db.session.query(User).filter_by(email=demo[role][0]).one().organization_id)
        extra += [f"/organizations/{org}/roster.xlsx", f"/organizations/{org}/roster.csv"]
    for url in extra:
        more, _n = _crawl_one(client, url, english)
        problems.update(more)
    assert not problems, problems


def _crawl_one(client, url, english):
    """The problems of one downloaded file."""
    res = client.get(url)
    assert res.status_code == 200, url
    if res.mimetype == "text/csv":
        rows = list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))))
        cells = [c for r in rows for c in r if c]
    else:
        wb = load_workbook(io.BytesIO(res.data))
        cells = [ws.title for ws in wb.worksheets]
        cells += [
            str(v)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if isinstance(v, str)
        ]
    bad = _leftovers(cells, english)
    return ({url: sorted(set(bad))} if bad else {}), 1
