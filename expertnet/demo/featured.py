"""A few hand-written public experts, so that a visitor's first searches find people.

The generated union is statistically right but anonymous: its public experts are a random
40 % of the experts, and a search for "biến đổi khí hậu" may find nobody. These profiles
are written the way the union's own member records read — title and degree, a position at
a named institute, a bio in full sentences — and cover what visitors ask first: climate
change, aquaculture, the environment, digital transformation, public health, the port and
logistics, urban planning, the economy. They are the seniors the demo's panels are chaired
by (``expertnet.demo.requests``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .generator import MembershipData, PersonData, UnionData

# (name, gender, born, title, degree, position, employer code, fields, keywords,
#  memberships as (organisation code, role), bio)
FEATURED = [
    ("Nguyễn Văn Thành", "male", 1964, "PGS", "TS", "Phó Viện trưởng", "TV-VTNMTB",
     ("NAT-EAR", "ENG-ENV"),
     ("biến đổi khí hậu", "nước biển dâng", "quản lý tổng hợp vùng bờ", "hải dương học"),
     (("HP-MOITRUONG", "vice_chair"),),
     "Nghiên cứu tác động của biến đổi khí hậu và nước biển dâng đối với vùng ven biển "
     "Hải Phòng; chủ nhiệm hai đề tài cấp bộ về quản lý tổng hợp vùng bờ."),
    ("Trần Thị Minh Hương", "female", 1972, None, "TS", "Trưởng phòng Khí tượng thủy văn",
     "VIEN-MTPTBV", ("NAT-EAR",),
     ("biến đổi khí hậu", "khí tượng", "thủy văn", "phòng chống thiên tai"),
     (("HD-MOITRUONG", "member"),),
     "Chuyên gia khí tượng thủy văn, xây dựng kịch bản biến đổi khí hậu cho tỉnh Hải Dương "
     "(cũ) và kế hoạch phòng chống thiên tai cấp huyện."),
    ("Phạm Đức Long", "male", 1968, "PGS", "TS", "Viện trưởng", "VIEN-NNTS",
     ("AGR-AQU",),
     ("nuôi trồng thủy sản", "nuôi biển", "giống thủy sản", "nuôi cá lồng bè"),
     (("HP-NTTS", "vice_chair"),),
     "Ba mươi năm nghiên cứu giống và công nghệ nuôi biển; chủ trì Chương trình phát triển "
     "nuôi trồng thủy sản bền vững vùng Cát Bà – Bạch Long Vĩ."),
    ("Vũ Thị Thu Hà", "female", 1979, None, "TS", "Nghiên cứu viên chính", "TV-VNCHS",
     ("AGR-AQU", "NAT-BIO"),
     ("nuôi trồng thủy sản", "bệnh tôm", "nguồn lợi thủy sản", "đa dạng sinh học biển"),
     (("HD-THUYSAN", "board_member"),),
     "Nghiên cứu bệnh trên tôm nuôi và bảo vệ nguồn lợi thủy sản ven bờ; ủy viên Ban Chấp hành "
     "Hội Thủy sản tỉnh Hải Dương (cũ)."),
    ("Đỗ Quang Huy", "male", 1970, None, "TS", "Giám đốc", "VIEN-MTPTBV",
     ("ENG-ENV",),
     ("quản lý chất thải rắn", "đánh giá tác động môi trường", "kinh tế tuần hoàn",
      "xử lý nước thải"),
     (("HP-MOITRUONG", "member"), ("HD-MOITRUONG", "member")),
     "Tư vấn đánh giá tác động môi trường cho các dự án khu xử lý chất thải rắn và khu công "
     "nghiệp; chuyên gia về kinh tế tuần hoàn."),
    ("Lê Thị Ngọc Anh", "female", 1976, "PGS", "TS", "Trưởng khoa Y tế công cộng",
     "VIEN-YDUOC", ("MED-PUB",),
     ("y tế công cộng", "dịch tễ học", "y tế cơ sở", "sức khỏe môi trường"),
     (("HP-YHOC", "board_member"),),
     "Giảng dạy và nghiên cứu dịch tễ học, y tế cơ sở; tham gia xây dựng mạng lưới trạm y tế "
     "xã sau sắp xếp đơn vị hành chính."),
    ("Hoàng Minh Tuấn", "male", 1981, None, "TS", "Viện trưởng", "VIEN-CNTT",
     ("ENG-IT",),
     ("chuyển đổi số", "chính phủ số", "an toàn thông tin", "dữ liệu mở"),
     (("HP-TINHOC", "vice_chair"),),
     "Tư vấn chuyển đổi số cho các sở, ngành; chủ nhiệm đề tài cấp thành phố về nền tảng "
     "dữ liệu dùng chung và an toàn thông tin."),
    ("Bùi Thanh Tùng", "male", 1966, "GS", "TSKH", "Giảng viên cao cấp", "VIEN-KTBIEN",
     ("SOC-ECO", "ENG-LOG"),
     ("kinh tế biển", "logistics", "cảng biển", "chuỗi cung ứng"),
     (("HP-KTBIEN", "vice_chair"), ("HP-LOGISTICS", "member")),
     "Nghiên cứu kinh tế biển và hệ thống cảng; thành viên nhiều hội đồng thẩm định quy hoạch "
     "cảng biển Hải Phòng."),
    ("Ngô Thị Lan", "female", 1974, None, "TS", "Phó Trưởng phòng Quy hoạch", "VIEN-HTDT",
     ("ENG-ARC", "ENG-CON"),
     ("quy hoạch đô thị", "hạ tầng kỹ thuật", "phát triển đô thị bền vững"),
     (("HP-KTS", "member"), ("HD-XAYDUNG", "member")),
     "Kiến trúc sư quy hoạch, tham gia lập quy hoạch chung đô thị Hải Dương và các khu đô "
     "thị mới ven sông Cấm."),
    ("Đinh Công Sơn", "male", 1969, None, "TS", "Chuyên gia cao cấp", "TV-TKGT",
     ("ENG-TRA", "ENG-CON"),
     ("giao thông vận tải", "cầu đường", "cảng biển", "hạ tầng giao thông"),
     (("HP-CAUDUONG", "vice_chair"),),
     "Thiết kế và thẩm tra nhiều công trình cầu, đường và bến cảng khu vực Lạch Huyện, "
     "Đình Vũ."),
    ("Mai Thị Hồng", "female", 1975, "PGS", "TS", "Trưởng bộ môn Kinh tế phát triển",
     "VIEN-KTBIEN", ("SOC-ECO", "SOC-EDU"),
     ("kinh tế phát triển", "chính sách công", "nhân lực chất lượng cao"),
     (("HD-KINHTE", "vice_chair"),),
     "Nghiên cứu chính sách công và phát triển nguồn nhân lực chất lượng cao; phản biện "
     "nhiều dự thảo nghị quyết của Hội đồng nhân dân."),
    ("Phan Văn Khải", "male", 1962, None, "TS", "Nguyên Phó Giám đốc Sở",
     "Sở Nông nghiệp và Phát triển nông thôn tỉnh Hải Dương (cũ)",
     ("AGR-RUR", "ENG-WAT"),
     ("phát triển nông thôn", "thủy lợi", "biến đổi khí hậu", "nông nghiệp thông minh"),
     (("HD-NONGTHON", "vice_chair"), ("HD-THUYLOI", "member")),
     "Ba mươi lăm năm công tác trong ngành nông nghiệp và thủy lợi; nghiên cứu thích ứng "
     "với biến đổi khí hậu trong sản xuất nông nghiệp vùng đồng bằng."),
]  # fmt: skip


def add_featured(union: UnionData) -> UnionData:
    """The union with the featured experts in place of its last generated people, so the
    demo keeps the size asked for; a union too small to spare them is left as it is."""
    if len(union.people) < 10 * len(FEATURED):
        return union
    codes = {o.code for o in union.organizations}
    keep = len(union.people) - len(FEATURED)
    people = list(union.people[:keep])
    # Memberships are sorted by person index: those of the people replaced are at the end.
    memberships = [m for m in union.memberships if m.person < keep]
    for name, gender, born, title, degree, position, employer, fields, words, orgs, bio in FEATURED:
        index = len(people)
        people.append(
            PersonData(
                full_name=name,
                gender=gender,
                birth_year=born,
                academic_title=title,
                degree=degree,
                position=position,
                employer_code=employer if employer in codes else None,
                employer_name=None if employer in codes else employer,
                email=None,
                phone=None,
                bio=bio,
                expertise=words,
                field_codes=fields,
                public_profile=True,
                available=True,
                max_assignments=4,
            )
        )
        for code, role in orgs:
            if code in codes:
                memberships.append(
                    MembershipData(
                        person=index, org_code=code, role=role, started_on=date(2015, 1, 1)
                    )
                )
    return replace(union, people=tuple(people), memberships=tuple(memberships))
