"""Two editions of the Technical Creativity Contest, walked through the real operations.

One finished edition (the 5th, 2024–2025: results approved and published, the decision on
the awards and the certificates available) and one in judging (the 6th, 2026–2027: some
entries scored, one flagged because its judges disagree, the rest waiting). The entries
are plausible technical solutions of Hải Phòng and former Hải Dương enterprises, schools
and hospitals; the juries are demo experts of the fields, seated by the batch assignment
(conflicts with the authors and the shared workload cap hold).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..access.operations import ensure_account
from ..auth.models import User
from ..consultation.operations import workload
from ..contest import judging
from ..contest import operations as ops
from ..directory.models import Field, Organization, Person
from .requests import demo_address

NAME = "Hội thi Sáng tạo Kỹ thuật thành phố Hải Phòng"
ORGANISERS = (
    "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Hải Phòng; Sở Khoa học và Công nghệ; "
    "Liên đoàn Lao động thành phố; Thành đoàn Hải Phòng"
)

#: field -> entries: (title, applying organisation, where it is applied, the authors).
ENTRIES: dict[str, list[tuple[str, str, str, list[str]]]] = {
    "ENG-MEC": [
        (
            "Thiết bị tự động cấp phôi cho máy tiện CNC",
            "Công ty Cổ phần Cơ khí và Đóng tàu Tam Bạc",
            "Phân xưởng gia công cơ khí",
            ["Trần Văn Bình", "Lê Thị Hoa"],
        ),
        (
            "Cải tiến cơ cấu nâng hạ cần trục chân đế tại cảng Chùa Vẽ",
            "Công ty Cổ phần Cảng Hải Phòng",
            "Xí nghiệp Xếp dỡ Chùa Vẽ",
            ["Phạm Quốc Khánh"],
        ),
        (
            "Máy gieo hạt lúa theo hàng kéo tay cho ruộng nhỏ",
            "Trường Cao đẳng Kỹ thuật Công nghiệp Hải Dương",
            "Hợp tác xã nông nghiệp Cẩm Giàng",
            ["Nguyễn Văn Thành", "Vũ Đức Long", "Đỗ Thị Mai"],
        ),
        (
            "Đồ gá hàn tự động mối nối ống thép đường kính lớn",
            "Công ty TNHH Cơ khí Kim Thành",
            "Nhà máy kết cấu thép Kim Thành",
            ["Hoàng Minh Tuấn"],
        ),
    ],
    "ENG-IT": [
        (
            "Phần mềm quản lý hồ sơ bệnh án điện tử cho trạm y tế xã",
            "Công ty Cổ phần Phần mềm Duyên Hải",
            "Trạm y tế các xã huyện Thủy Nguyên (cũ)",
            ["Đặng Thu Trang", "Ngô Văn Hùng"],
        ),
        (
            "Hệ thống giám sát container lạnh bằng cảm biến IoT",
            "Công ty TNHH Logistics Đình Vũ",
            "Bãi container lạnh Đình Vũ",
            ["Bùi Anh Dũng"],
        ),
        (
            "Ứng dụng tra cứu thủ tục hành chính bằng trợ lý ảo tiếng Việt",
            "Trung tâm Phục vụ hành chính công Hải Dương",
            "Bộ phận một cửa các phường, xã",
            ["Phạm Thị Ngọc Anh", "Lương Văn Cường"],
        ),
        (
            "Nền tảng điều phối xe cứu thương theo thời gian thực",
            "Trung tâm Cấp cứu 115 Hải Phòng",
            "Trung tâm Cấp cứu 115",
            ["Trịnh Minh Đức"],
        ),
    ],
    "ENG-ENE": [
        (
            "Hệ thống điện mặt trời mái nhà kết hợp lưu trữ cho trường học",
            "Trường THPT Chuyên Trần Phú",
            "Khu nhà lớp học B",
            ["Nguyễn Thị Thanh Hương", "Đào Văn Sơn"],
        ),
        (
            "Giải pháp thu hồi nhiệt khói thải lò hơi nhà máy gạch",
            "Công ty Cổ phần Gạch Tuynel Chí Linh",
            "Nhà máy gạch Chí Linh",
            ["Vũ Văn Quang"],
        ),
        (
            "Biến tần điều khiển bơm tưới tiêu tiết kiệm điện",
            "Công ty TNHH MTV Khai thác công trình thủy lợi Hải Dương",
            "Trạm bơm Cống Câu",
            ["Phạm Văn Lực", "Nguyễn Đình Phúc"],
        ),
    ],
    "AGR-AQU": [
        (
            "Quy trình ương giống cá song chấm nâu trong bể xi măng",
            "Viện Nghiên cứu Hải sản",
            "Trại giống Cát Bà",
            ["Trần Thị Bích Ngọc", "Hoàng Văn Hải"],
        ),
        (
            "Lồng nuôi hàu bằng vật liệu HDPE chịu sóng gió",
            "Công ty Cổ phần Thủy sản Cát Bà",
            "Vùng nuôi vịnh Lan Hạ",
            ["Lê Văn Tâm"],
        ),
        (
            "Chế phẩm vi sinh xử lý đáy ao nuôi tôm thẻ chân trắng",
            "Trung tâm Khuyến nông Hải Dương",
            "Các hộ nuôi tôm huyện Thanh Hà (cũ)",
            ["Nguyễn Thị Lan", "Phạm Hữu Nghĩa"],
        ),
    ],
    "MED-CLI": [
        (
            "Quy trình phẫu thuật nội soi một lỗ cắt ruột thừa ở trẻ em",
            "Bệnh viện Trẻ em Hải Phòng",
            "Khoa Ngoại tổng hợp",
            ["Nguyễn Văn Khải", "Trần Thu Hà"],
        ),
        (
            "Bộ dụng cụ cố định gãy xương cẳng tay tự chế tạo",
            "Bệnh viện Đa khoa tỉnh Hải Dương (cũ)",
            "Khoa Chấn thương chỉnh hình",
            ["Vũ Hồng Phong"],
        ),
        (
            "Phần mềm nhắc lịch tái khám cho người bệnh đái tháo đường",
            "Bệnh viện Hữu nghị Việt Tiệp",
            "Khoa Nội tiết",
            ["Đỗ Minh Châu", "Lê Thị Yến"],
        ),
    ],
}

#: For each finished entry (field, index): the quality its judges see (mean points of 100).
QUALITY = (88, 79, 71, 62, 84, 75, 67, 58, 81, 69, 55, 86, 73, 64, 90, 77, 60)


def _authors(title_org: str, names: list[str], rng: random.Random) -> list[dict]:
    shares = {1: [100], 2: [60, 40], 3: [50, 30, 20]}[len(names)]
    return [
        {
            "full_name": name,
            "share": share,
            "employer": title_org,
            "email": f"tacgia{rng.randrange(10**6):06d}@demo.expertnet.vn",
            "phone": f"09{rng.randrange(10**8):08d}",
        }
        for name, share in zip(names, shares, strict=True)
    ]


def _candidates(session, field: Field) -> list[Person]:
    """Available experts of the field, then of its area (a small demo has few of each)."""
    found: list[Person] = []
    for codes in ([field.code], [f.code for f in field.parent.children] if field.parent else []):
        found += session.scalars(
            select(Person)
            .join(Person.fields)
            .where(Field.code.in_(codes), Person.available.is_(True), Person.max_assignments > 0)
            .order_by(Person.degree.desc(), Person.id)
            .limit(60)
        ).all()
    return list(dict.fromkeys(found))


def _jury(session, fields: list[Field], per_field: int, skip: set[int]) -> list[dict]:
    """Demo experts of each field with room under the shared cap, each with an account."""
    jury = []
    for field in fields:
        people = _candidates(session, field)
        load = workload(p.id for p in people)
        # Only experts with room under the shared cap (panels and juries together).
        chosen = [p for p in people if p.id not in skip and load[p.id] < p.max_assignments]
        chosen = chosen[:per_field]
        for i, person in enumerate(chosen):
            skip.add(person.id)
            if person.email is None:
                person.email = demo_address(person)
            if person.user is None:
                ensure_account(person)
            jury.append({"expert_id": person.id, "field": field.code, "chair": i == 0})
    session.flush()
    return jury


def _staffed(edition, secretariat) -> bool:
    """Seat the juries; False when a small demo has too few jurors to judge every entry."""
    judging.apply_plan(edition, secretariat)
    return all(
        len(e.active_judges) >= edition.min_judges for e in edition.entries if e.state == "eligible"
    )


def _score(edition, entry, quality: int, rng: random.Random, apart: int = 0) -> None:
    """Each judge scores near ``quality``; ``apart`` spreads them that far (a disagreement)."""
    criteria = edition.criteria
    for n, seat in enumerate(list(entry.active_judges)):
        offset = (n - 1) * apart if apart else rng.randint(-4, 4)
        total = max(10, min(98, quality + offset))
        points, left = {}, total
        for n, c in enumerate(criteria):
            share = round(total * c.max_points / 100) if n < len(criteria) - 1 else left
            share = max(0, min(c.max_points, share))
            points[str(c.id)] = share
            left -= share
        judge = seat.person.user
        comment = (
            "Giải pháp có tính mới, đã áp dụng hiệu quả."
            if total >= 70
            else "Cần bổ sung số liệu đánh giá hiệu quả kinh tế."
        )
        judging.save_score(entry, judge, points, comment)


def _edition(session, secretariat, board, number: int, fields: list[Field], dates: dict):
    edition = ops.create_edition(
        secretariat,
        {
            "name": NAME,
            "number": number,
            "organisers": ORGANISERS,
            "description": "Hội thi dành cho người lao động, cán bộ kỹ thuật, nhà khoa học, "
            "học sinh, sinh viên có giải pháp kỹ thuật đã được áp dụng trên địa bàn thành phố.",
            "fields": [f.code for f in fields],
            "min_judges": 3,
            "max_spread": Decimal(15),
            "judge_cap": 10,
            **dates,
        },
    )
    ops.set_members(edition, secretariat, {"board": [board.id]})
    ops.perform_edition_action(edition, "announce", secretariat)
    ops.perform_edition_action(edition, "open_entries", secretariat)
    return edition


def load_demo_contests(session, seed: int = 1) -> int:
    """Create the two editions; returns how many entries were filed."""
    rng = random.Random(seed)
    secretariat = session.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
    board = session.scalar(select(User).where(User.role == "approver").order_by(User.id))
    by_code = {f.code: f for f in session.scalars(select(Field).where(Field.code.in_(ENTRIES)))}
    if secretariat is None or board is None or len(by_code) < len(ENTRIES):
        return 0
    fields = [by_code[c] for c in ENTRIES]
    orgs = {o.name: o.id for o in session.scalars(select(Organization))}
    filed = 0

    # The 5th edition, 2024–2025: published.
    done = _edition(session, secretariat, board, 5, fields, {
        "entries_open_on": date(2024, 9, 1), "entries_close_on": date(2025, 3, 31),
        "judging_from": date(2025, 4, 15), "judging_until": date(2025, 5, 31),
        "results_on": date(2025, 6, 20),
    })  # fmt: skip
    ops.set_members(done, secretariat, {
        "board": [board.id], "jury": _jury(session, fields, 5, set()),
    })  # fmt: skip
    entries = []
    for code, items in ENTRIES.items():
        for title, org, where, names in items:
            entries.append(ops.create_entry(done, secretariat, {
                "title": title, "field": code,
                "description": f"{title}. Giải pháp đã được áp dụng tại {where}, "
                "nâng cao năng suất và bảo đảm an toàn lao động.",
                "applying_organization_name": org,
                "applying_organization_id": orgs.get(org),
                "applied_where": f"{where}, {org}",
                "applied_since": date(2023, rng.randint(1, 12), 1),
                "authors": _authors(org, names, rng),
            }))  # fmt: skip
    filed += len(entries)
    ops.perform_edition_action(done, "close_entries", secretariat)
    for n, entry in enumerate(entries):
        if n == len(entries) - 1:
            ops.perform_entry_action(entry, "mark_ineligible", secretariat, {
                "comment": "Giải pháp chưa có xác nhận của đơn vị áp dụng về thời gian áp dụng "
                "thực tế tối thiểu 6 tháng (Điều 5 Thể lệ).",
            })  # fmt: skip
        else:
            ops.perform_entry_action(entry, "mark_eligible", secretariat)
    if _staffed(done, secretariat):
        ops.perform_edition_action(done, "start_judging", secretariat)
        for entry, quality in zip(entries[:-1], QUALITY, strict=False):
            _score(done, entry, quality, rng)
        ops.perform_edition_action(done, "propose_results", secretariat)
        ops.perform_edition_action(done, "approve_results", board)
        ops.perform_edition_action(done, "publish", secretariat)

    # The 6th edition, 2026–2027: in judging.
    now = _edition(session, secretariat, board, 6, fields, {
        "entries_open_on": date(2026, 3, 1), "entries_close_on": date(2026, 9, 30),
        "judging_from": date(2026, 10, 15), "judging_until": date(2026, 12, 31),
        "results_on": date(2027, 1, 20),
    })  # fmt: skip
    ops.set_members(now, secretariat, {
        "board": [board.id], "jury": _jury(session, fields, 5, set()),
    })  # fmt: skip
    fresh = []
    for code, items in ENTRIES.items():
        for title, org, where, names in items[::-1][:2]:
            better = f"{title} (phiên bản cải tiến)"
            fresh.append(ops.create_entry(now, secretariat, {
                "title": better, "field": code,
                "description": f"Hoàn thiện giải pháp “{title}” sau hai năm áp dụng tại {where}.",
                "applying_organization_name": org,
                "applying_organization_id": orgs.get(org),
                "applied_where": f"{where}, {org}",
                "applied_since": date(2025, rng.randint(1, 12), 1),
                "authors": _authors(org, names[::-1], rng),
            }))  # fmt: skip
    filed += len(fresh)
    ops.perform_edition_action(now, "close_entries", secretariat)
    for entry in fresh:
        ops.perform_entry_action(entry, "mark_eligible", secretariat)
    if _staffed(now, secretariat):
        ops.perform_edition_action(now, "start_judging", secretariat)
        # Some entries scored, one whose judges disagree (flagged), the rest still waiting.
        for n, entry in enumerate(fresh[:4]):
            _score(now, entry, 60 + 6 * n, rng, apart=12 if n == 3 else 0)
    session.flush()
    return filed
