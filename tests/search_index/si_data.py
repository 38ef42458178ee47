"""Generated experts for the search_index tests: seeded fillers plus a few known people."""

from __future__ import annotations

import random
from typing import Any

ORGS = {
    1: "Hội Tin học Hải Phòng",
    2: "Hội Nghề cá Hải Dương",
    3: "Hội Luật gia thành phố",
    4: "Viện Kinh tế biển",
    5: "Hội Y học Hải Phòng",
    6: "Câu lạc bộ Doanh nhân",
}
FIELDS = {
    "ENG-IT": ["Công nghệ thông tin", "Information technology"],
    "AGR-AQU": ["Thủy sản", "Aquaculture"],
    "LAW": ["Luật", "Law"],
    "ECO": ["Kinh tế", "Economics"],
    "MED": ["Y học", "Medicine"],
}
# Filler vocabulary deliberately avoids the words the relevance labels are about.
FILLER_EXPERTISE = {
    "ENG-IT": ["an toàn thông tin", "mạng máy tính", "phần mềm", "cơ sở dữ liệu"],
    "AGR-AQU": ["khai thác hải sản", "nuôi cá lồng", "chế biến cá"],
    "LAW": ["luật hành chính", "luật doanh nghiệp", "tố tụng dân sự"],
    "ECO": ["kinh tế biển", "tài chính ngân hàng", "đầu tư công", "logistics"],
    "MED": ["tim mạch", "nhi khoa", "dịch tễ học"],
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Bùi", "Hồ", "Ngô", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Thanh", "Ngọc", "Xuân", "Quang"]
GIVEN = ["Bình", "Cường", "Hà", "Hải", "Hoa", "Khánh", "Lan", "Long", "Mai", "Nam", "Phong"]
DEGREES = ["TS", "ThS", "KS", "BS", "CN"]


def person(pid: int, full_name: str, **kw: Any) -> dict[str, Any]:
    """Return a complete person dict with sensible defaults for the fields not given."""
    fields = kw.pop("fields", ["ECO"])
    orgs = kw.pop("organization_ids", [4])
    doc: dict[str, Any] = {
        "id": pid,
        "full_name": full_name,
        "academic_title": None,
        "degree": "ThS",
        "position": "Chuyên viên",
        "bio": "",
        "expertise": [],
        "fields": fields,
        "field_names": [n for c in fields for n in FIELDS[c]],
        "organization_ids": orgs,
        "organization_names": [ORGS[o] for o in orgs],
        "employer_id": None,
        "employer_name": "",
        "former_provinces": ["hai_phong"],
        "available": True,
        "public": True,
    }
    doc.update(kw)
    return doc


KNOWN = [
    person(
        1,
        "Nguyễn Văn An",
        academic_title="GS",
        degree="TS",
        position="Viện trưởng",
        expertise=["trí tuệ nhân tạo", "học máy"],
        fields=["ENG-IT"],
        organization_ids=[1],
        bio="Chủ nhiệm đề tài về ứng dụng trí tuệ nhân tạo trong quản lý đô thị.",
    ),
    person(
        2,
        "Trần Thị Bích Thủy",
        academic_title="PGS",
        degree="TS",
        expertise=["nuôi trồng thủy sản", "bệnh học thủy sản"],
        fields=["AGR-AQU"],
        organization_ids=[2],
        former_provinces=["hai_duong"],
    ),
    person(
        3,
        "Đặng Quốc Dũng",
        degree="TS",
        expertise=["luật đất đai"],
        fields=["LAW"],
        organization_ids=[3],
    ),
    person(4, "Lê Thị Hồng", expertise=["bàn giao công nghệ"], fields=["ECO"]),
    person(5, "Vũ Văn Toàn", expertise=["ban quản lý dự án"], fields=["ECO"]),
    person(6, "Bùi Thị Hạnh", expertise=["bán lẻ"], fields=["ECO"]),
    person(7, "Phạm Minh Đức", degree="KS", expertise=["kết cấu thép"], fields=["ECO"]),
    person(
        8,
        "Hoàng Thị Hương",
        degree="BS",
        expertise=["y tế công cộng"],
        fields=["MED"],
        organization_ids=[5],
    ),
    person(
        9,
        "Ngô Thanh Tâm",
        expertise=["trí tuệ cảm xúc", "vật liệu nhân tạo"],
        fields=["ENG-IT"],
        organization_ids=[1],
    ),
    person(
        10,
        "Nguyễn Văn Anh",
        degree="ThS",
        expertise=["mạng máy tính"],
        fields=["ENG-IT"],
        organization_ids=[1],
    ),
    person(
        11,
        "Đỗ Thị Lan",
        expertise=["nuôi cá lồng"],
        bio="Từng tham gia dự án nuôi trồng thủy sản ven biển.",
        fields=["AGR-AQU"],
        organization_ids=[2],
        public=False,
    ),
    # Phrase cases: words of a phrase scattered over sections must not match it.
    person(
        12,
        "Tăng Thị Ngân",
        expertise=["lâm nghiệp"],
        bio="Kinh nghiệm về bảo vệ rừng, cải tạo môi trường nước.",
    ),
    person(13, "Tạ Quang Vinh", expertise=["bảo vệ môi trường"]),
    person(14, "Mạc Văn Tiến", expertise=["an toàn thực vật", "thực phẩm chức năng"]),
    person(15, "Kiều Thị Oanh", bio="Nghiên cứu an toàn thực phẩm học đường."),
    person(16, "Đinh Hoàng Hà", expertise=["quản lý kinh tế", "biển đảo"], organization_ids=[1]),
    person(17, "Âu Văn Khải", bio="Chuyên gia quản lý; đô thị thông minh."),
]


def fillers(n: int, seed: int = 7, start: int = 100) -> list[dict[str, Any]]:
    """Return n seeded filler people whose names and expertise avoid the labelled words."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        codes = rnd.sample(sorted(FIELDS), rnd.choice([1, 1, 2]))
        orgs = rnd.sample(sorted(ORGS), rnd.choice([1, 2]))
        out.append(
            person(
                start + i,
                f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}",
                academic_title=rnd.choice([None] * 8 + ["PGS", "GS"]),
                degree=rnd.choice(DEGREES),
                expertise=[rnd.choice(FILLER_EXPERTISE[c]) for c in codes],
                fields=codes,
                organization_ids=orgs,
                former_provinces=[rnd.choice(["hai_phong", "hai_duong"])],
                available=rnd.random() < 0.7,
                public=rnd.random() < 0.5,
                bio=rnd.choice(["", "Có nhiều năm kinh nghiệm tư vấn chính sách."]),
            )
        )
    return out


def union(n_fillers: int = 400) -> list[dict[str, Any]]:
    """Return the known people followed by n_fillers generated ones."""
    return [dict(p) for p in KNOWN] + fillers(n_fillers)
