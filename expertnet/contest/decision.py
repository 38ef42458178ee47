"""The decision on the awards (Quyết định công nhận kết quả và tặng giải) and the certificates.

Both are made from the approved result lines (frozen by the board's approval), in DOCX and
PDF, in the union's administrative format (Nghị định 30/2020/NĐ-CP, the layout shared in
:mod:`expertnet.core.admindoc`). They exist once the results are approved; the public
reads them once the results are published, the secretariat and the board before (the same
rule as the results themselves). The text is Vietnamese by nature and is not translated.

The decision's register number is given by the union's office (văn thư) when it is signed,
so the number is left blank on the printed form ("Số:      /QĐ-LHH"), as in the union's
drafts; each certificate's number is derived from the edition, the entry and the author.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Response, send_file
from sqlalchemy import select

from workflows import EditionAction, EditionState

from ..auth.models import User
from ..core.admindoc import (
    DOCX_MEDIA_TYPE,
    LOCAL_TZ,
    PDF_MEDIA_TYPE,
    PLACE,
    UNION_NAME,
    UNION_NAME_SENTENCE,
    DocxDocument,
    PdfDocument,
    ascii_stem,
    nfc,
    vietnamese_date,
)
from ..extensions import db
from . import results
from .models import ContestHistory, Edition, Entry, EntryAuthor, ResultLine

#: The decision's number before the office registers it (blank for the number, NĐ 30/2020).
DECISION_NUMBER = "      /QĐ-LHH"
SIGNER_LINES = ("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH")
CERTIFICATE_SIGNER_LINES = ("TM. BAN TỔ CHỨC", "TRƯỞNG BAN")


def is_available(edition: Edition) -> bool:
    """The results are approved (and maybe published): the awards are final."""
    return edition.state in (EditionState.RESULTS_APPROVED, EditionState.PUBLISHED)


def can_download(edition: Edition, user) -> bool:
    return is_available(edition) and results.can_view_results(edition, user)


# --- what is printed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Award:
    level: str
    entry_number: int
    title: str
    field: str
    authors: tuple[str, ...]
    organization: str
    total: str


@dataclass(frozen=True)
class Decision:
    number: str
    place_date: str
    edition_title: str  # "Hội thi Sáng tạo Kỹ thuật thành phố Hải Phòng lần thứ 5"
    grounds: tuple[str, ...]
    article_1: str
    awards: tuple[tuple[str, tuple[Award, ...]], ...]  # by level, in rank order
    article_2: str
    article_3: str
    recipients: tuple[str, ...]
    signer_lines: tuple[str, ...]
    signer_name: str
    approved_at: datetime
    footnote: str


def edition_title(edition: Edition) -> str:
    return nfc(f"{edition.name} lần thứ {edition.number}")


def _approval(edition: Edition) -> tuple[datetime, User | None]:
    """When (local time) and by whom the results were approved."""
    row = db.session.scalar(
        select(ContestHistory)
        .where(
            ContestHistory.edition_id == edition.id,
            ContestHistory.entry_id.is_(None),
            ContestHistory.action == EditionAction.APPROVE_RESULTS.value,
        )
        .order_by(ContestHistory.id.desc())
    )
    at = row.at if row is not None else (edition.published_at or edition.updated_at)
    approver = db.session.get(User, edition.results_approved_by_id)
    return at.astimezone(LOCAL_TZ), approver


def _signer_name(edition: Edition, approver: User | None) -> str:
    chair = next((m for m in edition.board if m.chair and m.user is not None), None)
    if chair is not None:
        return nfc(chair.user.name)
    return nfc(approver.name if approver else "")


def awarded_lines(edition: Edition) -> list[ResultLine]:
    """The result lines with an award, best level first, then field and rank."""
    lines = [line for line in results.lines_of(edition) if line.award_level is not None]
    return sorted(
        lines,
        key=lambda ln: (ln.award_level.rank, ln.entry.field.code, ln.rank_in_field),
    )


def _authors_text(entry: Entry) -> str:
    names = [nfc(a.full_name) for a in entry.authors]
    return ("tác giả " if len(names) == 1 else "nhóm tác giả ") + ", ".join(names)


def decision_of(edition: Edition) -> Decision:
    """The decision's content, read from the approved result lines."""
    approved_at, approver = _approval(edition)
    title = edition_title(edition)
    by_level: dict[int, list[Award]] = defaultdict(list)
    names: dict[int, str] = {}
    for line in awarded_lines(edition):
        e, lv = line.entry, line.award_level
        names[lv.rank] = nfc(lv.name)
        by_level[lv.rank].append(
            Award(
                level=nfc(lv.name),
                entry_number=e.number,
                title=nfc(e.title),
                field=nfc(e.field.name),
                authors=tuple(nfc(a.full_name) for a in e.authors),
                organization=nfc(e.applying_organization_name),
                total=str(line.mean_total).replace(".", ","),  # Vietnamese decimal comma
            )
        )
    counts = ", ".join(f"{len(by_level[r])} {names[r]}" for r in sorted(by_level))
    total = sum(len(v) for v in by_level.values())
    organisers = [nfc(o) for o in (edition.organisers or "").replace("\n", ";").split(";")]
    return Decision(
        number=DECISION_NUMBER,
        place_date=f"{PLACE}, {vietnamese_date(approved_at)}",
        edition_title=title,
        grounds=(
            f"Căn cứ Điều lệ {UNION_NAME_SENTENCE};",
            f"Căn cứ Thể lệ {title};",
            "Căn cứ kết quả chấm điểm của Ban Giám khảo và đề nghị của Ban Tổ chức Hội thi,",
        ),
        article_1=(
            f"Công nhận kết quả và tặng giải {title} cho {total} giải pháp"
            + (f" ({counts})" if counts else "")
            + ", cụ thể như sau:"
        ),
        awards=tuple((names[r], tuple(by_level[r])) for r in sorted(by_level)),
        article_2=(
            "Các tác giả, nhóm tác giả có giải pháp đạt giải được cấp Giấy chứng nhận "
            "của Ban Tổ chức Hội thi."
        ),
        article_3=(
            "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Liên hiệp Hội, "
            "Ban Tổ chức Hội thi và các tác giả, nhóm tác giả có tên tại Điều 1 "
            "chịu trách nhiệm thi hành Quyết định này./."
        ),
        recipients=(
            "Như Điều 3;",
            *(f"{o};" for o in organisers if o),
            "Lưu: VT, BTC.",
        ),
        signer_lines=SIGNER_LINES,
        signer_name=_signer_name(edition, approver),
        approved_at=approved_at,
        footnote=f"Quyết định tặng giải {title}, tạo từ kết quả đã phê duyệt trên expertnet.",
    )


@dataclass(frozen=True)
class Certificate:
    number: str
    place_date: str
    edition_title: str
    name: str
    employer: str
    coauthor: bool
    entry_title: str
    field: str
    level: str
    signer_lines: tuple[str, ...]
    signer_name: str
    approved_at: datetime
    decision_note: str


def certificate_of(edition: Edition, line: ResultLine, author: EntryAuthor) -> Certificate:
    approved_at, approver = _approval(edition)
    entry = line.entry
    return Certificate(
        number=f"{edition.number:02d}.{entry.number:03d}.{author.position}/GCN-BTC",
        place_date=f"{PLACE}, {vietnamese_date(approved_at)}",
        edition_title=edition_title(edition),
        name=nfc(author.full_name),
        employer=nfc(author.employer or entry.applying_organization_name),
        coauthor=len(entry.authors) > 1,
        entry_title=nfc(entry.title),
        field=nfc(entry.field.name),
        level=nfc(line.award_level.name),
        signer_lines=CERTIFICATE_SIGNER_LINES,
        signer_name=_signer_name(edition, approver),
        approved_at=approved_at,
        decision_note=(
            "(Kèm theo Quyết định công nhận kết quả và tặng giải "
            f"{vietnamese_date(approved_at)} của {UNION_NAME_SENTENCE})"
        ),
    )


def awarded_author(entry: Entry, author_id: int) -> tuple[ResultLine, EntryAuthor] | None:
    """The entry's result line and the author, if the entry won an award."""
    author = next((a for a in entry.authors if a.id == author_id), None)
    line = db.session.scalar(select(ResultLine).where(ResultLine.entry_id == entry.id))
    if author is None or line is None or line.award_level is None:
        return None
    return line, author


# --- DOCX --------------------------------------------------------------------------------------


def _award_line(n: int, a: Award) -> str:
    authors = ("Tác giả: " if len(a.authors) == 1 else "Nhóm tác giả: ") + ", ".join(a.authors)
    org = f"; đơn vị áp dụng: {a.organization}" if a.organization else ""
    return f"{n}. Giải pháp “{a.title}” (lĩnh vực {a.field}). {authors}{org}; {a.total} điểm."


def decision_docx(d: Decision) -> bytes:
    out = DocxDocument(
        title=f"Quyết định công nhận kết quả và tặng giải {d.edition_title}",
        subject=d.number.strip(),
        comments=d.footnote,
        created=d.approved_at,
    )
    para = out.para
    out.masthead(d.number, d.place_date)
    para("QUYẾT ĐỊNH", bold=True, align="center", size=14, before=18)
    para(
        f"Về việc công nhận kết quả và tặng giải {d.edition_title}",
        bold=True,
        align="center",
        size=14,
        after=12,
    )
    para(f"BAN THƯỜNG VỤ {UNION_NAME}", bold=True, align="center", size=14, after=12)
    for text in d.grounds:
        para(text, italic=True, align="justify", after=6, first_line=10)
    para("QUYẾT ĐỊNH:", bold=True, align="center", size=14, before=6, after=6)
    p = para(align="justify", after=6, first_line=10)
    p.add_run("Điều 1. ").bold = True
    p.add_run(d.article_1)
    for level, awards in d.awards:
        para(f"{level}:", bold=True, after=6, first_line=10)
        for n, a in enumerate(awards, start=1):
            para(_award_line(n, a), align="justify", after=6, first_line=10)
    for label, text in (("Điều 2. ", d.article_2), ("Điều 3. ", d.article_3)):
        p = para(align="justify", after=6, first_line=10)
        p.add_run(label).bold = True
        p.add_run(text)
    p.paragraph_format.keep_with_next = True
    out.signature(d.recipients, d.signer_lines, d.signer_name)
    return out.render()


def certificate_docx(c: Certificate) -> bytes:
    out = DocxDocument(
        title=f"Giấy chứng nhận {c.level} {c.edition_title}",
        subject=c.number,
        comments=c.decision_note,
        created=c.approved_at,
        landscape=True,
    )
    para = out.para
    out.masthead(c.number, c.place_date, columns=(100, 157))
    para("GIẤY CHỨNG NHẬN", bold=True, align="center", size=28, before=18, after=6)
    para(f"BAN TỔ CHỨC {c.edition_title.upper()}", bold=True, align="center", size=14, after=6)
    para("CHỨNG NHẬN", bold=True, align="center", size=14, after=12)
    for label, value in _certificate_lines(c):
        p = para(align="center", after=6)
        p.add_run(label)
        p.add_run(value).bold = True
    para(c.decision_note, italic=True, align="center", size=12, before=6)
    out.signature((), c.signer_lines, c.signer_name, columns=(140, 117))
    return out.render(page_numbers=False)


def _certificate_lines(c: Certificate) -> Sequence[tuple[str, str]]:
    role = "Đồng tác giả giải pháp: " if c.coauthor else "Tác giả giải pháp: "
    lines = [("Ông/Bà: ", c.name)]
    if c.employer:
        lines.append(("Đơn vị: ", c.employer))
    lines += [
        (role, f"“{c.entry_title}”"),
        ("Lĩnh vực: ", c.field),
        ("Đã đạt: ", f"{c.level} {c.edition_title}"),
    ]
    return lines


# --- PDF ---------------------------------------------------------------------------------------


def decision_pdf(d: Decision) -> bytes:
    out = PdfDocument(
        title=f"Quyết định công nhận kết quả và tặng giải {d.edition_title}",
        subject=d.number.strip(),
        keywords=d.footnote,
        created=d.approved_at,
    )
    out.masthead(d.number, d.place_date)
    out.centered("QUYẾT ĐỊNH", "B", 14, 7, after=0)
    out.centered(f"Về việc công nhận kết quả và tặng giải {d.edition_title}", "B", 14, 7, after=4)
    out.centered(f"BAN THƯỜNG VỤ {UNION_NAME}", "B", 14, 7, after=4)
    for text in d.grounds:
        out.body(text, "I")
    out.centered("QUYẾT ĐỊNH:", "B", 14, 7, after=2)
    out.body(f"Điều 1. {d.article_1}")
    for level, awards in d.awards:
        out.body(f"{level}:", "B")
        for n, a in enumerate(awards, start=1):
            out.body(_award_line(n, a))
    out.body(f"Điều 2. {d.article_2}")
    out.closing_and_signature(f"Điều 3. {d.article_3}", d.recipients, d.signer_lines, d.signer_name)
    return out.render()


def certificate_pdf(c: Certificate) -> bytes:
    out = PdfDocument(
        title=f"Giấy chứng nhận {c.level} {c.edition_title}",
        subject=c.number,
        keywords=c.decision_note,
        created=c.approved_at,
        landscape=True,
        page_numbers=False,
    )
    out.masthead(c.number, c.place_date, left_w=100)
    out.centered("GIẤY CHỨNG NHẬN", "B", 28, 13, after=0)
    out.centered(f"BAN TỔ CHỨC {c.edition_title.upper()}", "B", 14, 7, after=0)
    out.centered("CHỨNG NHẬN", "B", 14, 7, after=3)
    for label, value in _certificate_lines(c):
        out.centered(f"{label}{value}", "", 14, 7.5, after=0)
    out.centered(c.decision_note, "I", 12, 6, after=3)
    out.signature((), c.signer_lines, c.signer_name, left_w=140)
    return out.render()


# --- responses ---------------------------------------------------------------------------------


def _send(data: bytes, fmt: str, name: str, public: bool) -> Response:
    response = send_file(
        io.BytesIO(data),
        mimetype=DOCX_MEDIA_TYPE if fmt == "docx" else PDF_MEDIA_TYPE,
        as_attachment=True,
        download_name=f"{name}.{fmt}",
        max_age=0,
    )
    # Before publication only the secretariat and the board read them: keep them private.
    response.headers["Cache-Control"] = "public, max-age=0" if public else "private, no-store"
    return response


def decision_response(edition: Edition, fmt: str) -> Response:
    d = decision_of(edition)
    data = decision_docx(d) if fmt == "docx" else decision_pdf(d)
    name = ascii_stem(f"Quyet dinh tang giai {edition.name} {edition.number}")
    return _send(data, fmt, name, results.is_public(edition))


def certificate_response(
    edition: Edition, line: ResultLine, author: EntryAuthor, fmt: str
) -> Response:
    c = certificate_of(edition, line, author)
    data = certificate_docx(c) if fmt == "docx" else certificate_pdf(c)
    name = ascii_stem(f"Giay chung nhan {c.number} {author.full_name}")
    return _send(data, fmt, name, results.is_public(edition))
