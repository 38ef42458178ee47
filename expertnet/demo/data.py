"""Hand-written data behind the demo union: its organisations and Vietnamese name pools.

The organisations are plausible, not a copy of the real register: universities and the
city's departments carry their real names (a demo that invents "Sở Y tế" would only
confuse), associations are named the way Vietnamese unions name them, and enterprises
are mostly invented. Contact details are generated and point at reserved domains.

Over 600 lines on purpose: it is data (organisations, name pools), not logic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OrgSpec:
    """An organisation before the generator adds contact details."""

    code: str
    name: str
    short_name: str
    kind: str
    province: str | None
    fields: tuple[str, ...]
    #: Relative share of the union's individual members (union kinds only).
    weight: float = 0.0
    parent: str | None = None


HP, HD = "hai_phong", "hai_duong"


def _assoc(code: str, short: str, province: str, fields: str, weight: float) -> OrgSpec:
    """A member association: "Hội X thành phố Hải Phòng" or "Hội X tỉnh Hải Dương (cũ)"."""
    name = f"{short} thành phố Hải Phòng" if province == HP else f"{short} tỉnh Hải Dương (cũ)"
    short_name = short if province == HP else f"{short} (HD cũ)"
    return OrgSpec(
        code, name, short_name, "member_association", province, tuple(fields.split()), weight
    )


# Weights follow the real shape of such unions: medicine and gardening associations are
# large, a mathematics society is small.
MEMBER_ASSOCIATIONS: tuple[OrgSpec, ...] = (
    # 29 from former Hải Phòng
    _assoc("HP-LUATGIA", "Hội Luật gia", HP, "SOC-LAW", 3.0),
    _assoc("HP-YHOC", "Hội Y học", HP, "MED-CLI MED-BAS MED-PUB", 6.0),
    _assoc("HP-DUOC", "Hội Dược học", HP, "MED-PHA", 2.0),
    _assoc("HP-DONGY", "Hội Đông y", HP, "MED-TRD", 3.0),
    _assoc("HP-DIEUDUONG", "Hội Điều dưỡng", HP, "MED-NUR MED-CLI", 4.0),
    _assoc("HP-TINHOC", "Hội Tin học", HP, "ENG-IT", 2.5),
    _assoc("HP-CAUDUONG", "Hội Khoa học Kỹ thuật Cầu đường", HP, "ENG-TRA ENG-CON", 1.5),
    _assoc("HP-XAYDUNG", "Hội Xây dựng", HP, "ENG-CON ENG-MAT", 2.5),
    _assoc("HP-KTS", "Hội Kiến trúc sư", HP, "ENG-ARC", 1.0),
    _assoc("HP-KTBIEN", "Hội Kinh tế biển", HP, "SOC-ECO ENG-LOG ENG-MAR", 1.5),
    _assoc("HP-HANGHAI", "Hội Khoa học Kỹ thuật Hàng hải", HP, "ENG-MAR ENG-LOG", 3.0),
    _assoc("HP-LOGISTICS", "Hội Vận tải và Logistics", HP, "ENG-LOG SOC-ECO", 1.5),
    _assoc("HP-NTTS", "Hội Nuôi trồng Thủy sản", HP, "AGR-AQU", 3.0),
    _assoc("HP-NGHECA", "Hội Nghề cá", HP, "AGR-AQU ENG-FOO", 2.5),
    _assoc("HP-LAMVUON", "Hội Làm vườn", HP, "AGR-CRO AGR-RUR", 5.0),
    _assoc("HP-SVC", "Hội Sinh vật cảnh", HP, "AGR-CRO NAT-BIO", 2.0),
    _assoc("HP-THUYLOI", "Hội Thủy lợi", HP, "ENG-WAT", 1.0),
    _assoc(
        "HP-MOITRUONG", "Hội Bảo vệ Thiên nhiên và Môi trường", HP, "ENG-ENV NAT-BIO NAT-EAR", 1.5
    ),
    _assoc("HP-COKHI", "Hội Cơ khí", HP, "ENG-MEC ENG-MAT", 2.0),
    _assoc("HP-TDH", "Hội Tự động hóa", HP, "ENG-ELE ENG-IT", 1.0),
    _assoc("HP-NANGLUONG", "Hội Khoa học Kỹ thuật Năng lượng", HP, "ENG-ENE ENG-ELE", 1.0),
    _assoc("HP-HOAHOC", "Hội Hóa học", HP, "NAT-CHE ENG-CHE", 0.8),
    _assoc("HP-TOANHOC", "Hội Toán học", HP, "NAT-MAT NAT-PHY", 0.5),
    _assoc("HP-KINHTE", "Hội Khoa học Kinh tế", HP, "SOC-ECO SOC-FIN", 1.5),
    _assoc("HP-KETOAN", "Hội Kế toán và Kiểm toán", HP, "SOC-FIN", 1.5),
    _assoc("HP-TLGD", "Hội Khoa học Tâm lý - Giáo dục", HP, "SOC-EDU SOC-PSY", 2.0),
    _assoc("HP-LICHSU", "Hội Khoa học Lịch sử", HP, "HUM-HIS HUM-CUL", 1.0),
    _assoc("HP-NUTRITHUC", "Hội Nữ trí thức", HP, "SOC-SOC SOC-EDU MED-PUB", 1.5),
    _assoc("HP-CHANNUOI", "Hội Chăn nuôi - Thú y", HP, "AGR-ANI AGR-VET", 2.0),
    # 20 from former Hải Dương
    _assoc("HD-YHOC", "Hội Y học", HD, "MED-CLI MED-PUB", 4.0),
    _assoc("HD-LUATGIA", "Hội Luật gia", HD, "SOC-LAW", 2.0),
    _assoc("HD-DONGY", "Hội Đông y", HD, "MED-TRD", 2.5),
    _assoc("HD-DUOC", "Hội Dược học", HD, "MED-PHA", 1.0),
    _assoc("HD-LAMVUON", "Hội Làm vườn", HD, "AGR-CRO AGR-RUR", 5.0),
    _assoc("HD-GIONGCAY", "Hội Giống cây trồng", HD, "AGR-CRO ENG-BIO", 1.0),
    _assoc("HD-CHANNUOI", "Hội Chăn nuôi", HD, "AGR-ANI", 2.0),
    _assoc("HD-THUY", "Hội Thú y", HD, "AGR-VET AGR-ANI", 1.0),
    _assoc("HD-THUYSAN", "Hội Thủy sản", HD, "AGR-AQU", 1.5),
    _assoc("HD-TINHOC", "Hội Tin học", HD, "ENG-IT", 1.0),
    _assoc("HD-XAYDUNG", "Hội Xây dựng", HD, "ENG-CON ENG-ARC", 1.5),
    _assoc("HD-COKHI", "Hội Cơ khí", HD, "ENG-MEC", 1.0),
    _assoc("HD-DIENLUC", "Hội Điện lực", HD, "ENG-ENE ENG-ELE", 1.0),
    _assoc("HD-THUYLOI", "Hội Thủy lợi", HD, "ENG-WAT AGR-RUR", 1.0),
    _assoc("HD-MOITRUONG", "Hội Bảo vệ Thiên nhiên và Môi trường", HD, "ENG-ENV NAT-BIO", 1.0),
    _assoc("HD-KINHTE", "Hội Khoa học Kinh tế", HD, "SOC-ECO SOC-FIN", 1.0),
    _assoc("HD-TLGD", "Hội Khoa học Tâm lý - Giáo dục", HD, "SOC-EDU SOC-PSY", 1.5),
    _assoc("HD-LICHSU", "Hội Khoa học Lịch sử", HD, "HUM-HIS HUM-CUL", 0.8),
    _assoc("HD-NONGTHON", "Hội Khoa học Phát triển Nông thôn", HD, "AGR-RUR SOC-ECO", 1.0),
    _assoc("HD-NUTRITHUC", "Hội Nữ trí thức", HD, "SOC-SOC SOC-EDU MED-PUB", 1.0),
)


def _org(
    code: str,
    name: str,
    short: str,
    kind: str,
    province: str | None,
    fields: str,
    weight: float = 0.0,
    parent: str | None = None,
) -> OrgSpec:
    return OrgSpec(code, name, short, kind, province, tuple(fields.split()), weight, parent)


INSTITUTES: tuple[OrgSpec, ...] = tuple(
    _org(c, n, s, "institute", p, f, 0.25)
    for c, n, s, p, f in (
        (
            "VIEN-KTBIEN",
            "Viện Nghiên cứu Phát triển Kinh tế biển",
            "Viện KT biển",
            HP,
            "SOC-ECO ENG-MAR ENG-LOG",
        ),
        (
            "VIEN-MTPTBV",
            "Viện Khoa học Môi trường và Phát triển bền vững",
            "Viện MT&PTBV",
            HP,
            "ENG-ENV NAT-EAR",
        ),
        ("VIEN-CNTT", "Viện Công nghệ Thông tin và Chuyển đổi số", "Viện CNTT&CĐS", HP, "ENG-IT"),
        (
            "VIEN-YDUOC",
            "Viện Nghiên cứu Y dược học Ứng dụng",
            "Viện YDƯD",
            HD,
            "MED-CLI MED-PHA MED-TRD",
        ),
        (
            "VIEN-NNTS",
            "Viện Nghiên cứu Nông nghiệp và Thủy sản",
            "Viện NN&TS",
            HD,
            "AGR-AQU AGR-CRO",
        ),
        (
            "VIEN-HTDT",
            "Viện Kỹ thuật Xây dựng và Hạ tầng đô thị",
            "Viện XD&HTĐT",
            HP,
            "ENG-CON ENG-TRA ENG-ARC",
        ),
        (
            "TT-TVPB",
            "Trung tâm Tư vấn, Phản biện và Giám định xã hội",
            "TT TV-PB-GĐXH",
            None,
            "SOC-POL SOC-LAW SOC-ECO",
        ),
        (
            "TT-UDTB",
            "Trung tâm Ứng dụng Tiến bộ Khoa học và Công nghệ",
            "TT ƯDTB KH&CN",
            HD,
            "ENG-BIO AGR-RUR",
        ),
        ("TT-NLTT", "Trung tâm Nghiên cứu Năng lượng tái tạo", "TT NLTT", HP, "ENG-ENE"),
        ("TT-DAOTAO", "Trung tâm Đào tạo và Bồi dưỡng Nguồn nhân lực", "TT ĐT&BD", HD, "SOC-EDU"),
        (
            "TT-VHDL",
            "Trung tâm Nghiên cứu Văn hóa và Du lịch biển đảo",
            "TT VH&DLBĐ",
            HP,
            "HUM-CUL SOC-TOU",
        ),
        (
            "TT-CKTDH",
            "Trung tâm Chuyển giao Công nghệ Cơ khí - Tự động hóa",
            "TT CK-TĐH",
            HP,
            "ENG-MEC ENG-ELE",
        ),
    )
)

CLUBS: tuple[OrgSpec, ...] = tuple(
    _org(c, n, s, "club", p, f, 0.2)
    for c, n, s, p, f in (
        ("CLB-TTTRE", "Câu lạc bộ Trí thức trẻ", "CLB Trí thức trẻ", HP, "ENG-IT SOC-ECO"),
        (
            "CLB-NKHNU",
            "Câu lạc bộ Nhà khoa học nữ",
            "CLB Nhà khoa học nữ",
            HP,
            "MED-CLI SOC-EDU NAT-BIO",
        ),
        (
            "CLB-DNKHCN",
            "Câu lạc bộ Doanh nhân Khoa học và Công nghệ",
            "CLB Doanh nhân KH&CN",
            HP,
            "SOC-ECO ENG-IT",
        ),
        (
            "CLB-KNST",
            "Câu lạc bộ Khởi nghiệp Đổi mới sáng tạo",
            "CLB Khởi nghiệp",
            HD,
            "ENG-IT SOC-ECO ENG-FOO",
        ),
        ("CLB-KSHH", "Câu lạc bộ Kỹ sư Hàng hải", "CLB Kỹ sư Hàng hải", HP, "ENG-MAR"),
        ("CLB-DUONGSINH", "Câu lạc bộ Y học cổ truyền và Dưỡng sinh", "CLB YHCT", HD, "MED-TRD"),
        ("CLB-STKT", "Câu lạc bộ Sáng tạo Kỹ thuật", "CLB Sáng tạo KT", HD, "ENG-MEC ENG-ELE"),
        (
            "CLB-KHCT",
            "Câu lạc bộ Nhà khoa học cao tuổi",
            "CLB Nhà KH cao tuổi",
            None,
            "SOC-POL HUM-HIS ENG-CON",
        ),
    )
)

COLLECTIVE_MEMBERS: tuple[OrgSpec, ...] = tuple(
    _org(c, n, s, "collective_member", p, f, 0.15)
    for c, n, s, p, f in (
        (
            "TV-TKGT",
            "Công ty Cổ phần Tư vấn Thiết kế Giao thông Hải Phòng",
            "TKGT Hải Phòng",
            HP,
            "ENG-TRA ENG-CON",
        ),
        (
            "TV-XDDT",
            "Công ty Cổ phần Tư vấn Xây dựng Đô thị Hải Dương",
            "TVXD Hải Dương",
            HD,
            "ENG-CON ENG-ARC",
        ),
        ("TV-CDHH", "Trường Cao đẳng Hàng hải I", "CĐ Hàng hải I", HP, "ENG-MAR ENG-LOG"),
        ("TV-CDYTHP", "Trường Cao đẳng Y tế Hải Phòng", "CĐ Y tế Hải Phòng", HP, "MED-NUR MED-PHA"),
        ("TV-CDYTHD", "Trường Cao đẳng Y tế Hải Dương", "CĐ Y tế Hải Dương", HD, "MED-NUR MED-CLI"),
        ("TV-CDDL", "Trường Cao đẳng Du lịch Hải Phòng", "CĐ Du lịch", HP, "SOC-TOU"),
        ("TV-VNCHS", "Viện Nghiên cứu Hải sản", "Viện NC Hải sản", HP, "AGR-AQU NAT-BIO"),
        (
            "TV-VTNMTB",
            "Viện Tài nguyên và Môi trường biển",
            "Viện TN&MT biển",
            HP,
            "NAT-EAR ENG-ENV",
        ),
        ("TV-PMDH", "Công ty Cổ phần Phần mềm Duyên Hải", "Phần mềm Duyên Hải", HP, "ENG-IT"),
        ("TV-LOGDV", "Công ty TNHH Logistics Đình Vũ", "Logistics Đình Vũ", HP, "ENG-LOG"),
        ("TV-TSCB", "Công ty Cổ phần Thủy sản Cát Bà", "Thủy sản Cát Bà", HP, "AGR-AQU"),
        (
            "TV-GCTHD",
            "Công ty Cổ phần Giống cây trồng Hải Dương",
            "Giống cây trồng HD",
            HD,
            "AGR-CRO",
        ),
        (
            "TV-DTTB",
            "Công ty Cổ phần Cơ khí và Đóng tàu Tam Bạc",
            "Đóng tàu Tam Bạc",
            HP,
            "ENG-MAR ENG-MEC",
        ),
        (
            "TV-CDKTCN",
            "Trường Cao đẳng Kỹ thuật Công nghiệp Hải Dương",
            "CĐ KTCN Hải Dương",
            HD,
            "ENG-MEC ENG-ELE",
        ),
        (
            "TV-DUOCLT",
            "Công ty Cổ phần Dược và Thiết bị Y tế Lạch Tray",
            "Dược Lạch Tray",
            HP,
            "MED-PHA",
        ),
    )
)

AGENCIES: tuple[OrgSpec, ...] = (
    _org(
        "UBND-HP",
        "Ủy ban nhân dân thành phố Hải Phòng",
        "UBND thành phố",
        "agency",
        None,
        "SOC-POL SOC-ECO",
    ),
    *(
        _org(c, f"{n} thành phố Hải Phòng", n, "agency", None, f, parent="UBND-HP")
        for c, n, f in (
            ("SO-TC", "Sở Tài chính", "SOC-FIN SOC-ECO"),
            ("SO-XD", "Sở Xây dựng", "ENG-CON ENG-ARC ENG-TRA"),
            ("SO-YT", "Sở Y tế", "MED-CLI MED-PUB MED-PHA"),
            ("SO-NNMT", "Sở Nông nghiệp và Môi trường", "AGR-CRO AGR-AQU ENG-ENV ENG-WAT"),
            ("SO-KHCN", "Sở Khoa học và Công nghệ", "ENG-IT ENG-BIO NAT-PHY"),
            ("SO-GDDT", "Sở Giáo dục và Đào tạo", "SOC-EDU"),
            ("SO-TP", "Sở Tư pháp", "SOC-LAW"),
            ("SO-CT", "Sở Công Thương", "ENG-ENE ENG-LOG SOC-ECO"),
        )
    ),
    _org(
        "BQL-KKT",
        "Ban Quản lý Khu kinh tế Hải Phòng",
        "BQL Khu kinh tế",
        "agency",
        None,
        "SOC-ECO ENG-LOG",
        parent="UBND-HP",
    ),
    _org(
        "UBND-HONGBANG",
        "Ủy ban nhân dân phường Hồng Bàng",
        "UBND phường Hồng Bàng",
        "agency",
        HP,
        "SOC-POL",
        parent="UBND-HP",
    ),
    _org(
        "UBND-CATHAI",
        "Ủy ban nhân dân đặc khu Cát Hải",
        "UBND đặc khu Cát Hải",
        "agency",
        HP,
        "SOC-POL SOC-TOU",
        parent="UBND-HP",
    ),
    _org(
        "UBND-HAIDUONG",
        "Ủy ban nhân dân phường Hải Dương",
        "UBND phường Hải Dương",
        "agency",
        HD,
        "SOC-POL",
        parent="UBND-HP",
    ),
)

UNIVERSITIES: tuple[OrgSpec, ...] = tuple(
    _org(c, n, s, "university", p, f)
    for c, n, s, p, f in (
        (
            "DH-HP",
            "Trường Đại học Hải Phòng",
            "ĐH Hải Phòng",
            HP,
            "SOC-EDU SOC-ECO NAT-MAT HUM-LAN ENG-IT ENG-CON",
        ),
        (
            "DH-HHVN",
            "Trường Đại học Hàng hải Việt Nam",
            "ĐH Hàng hải VN",
            HP,
            "ENG-MAR ENG-LOG ENG-IT ENG-MEC ENG-ELE ENG-CON SOC-ECO SOC-LAW",
        ),
        (
            "DH-YDHP",
            "Trường Đại học Y Dược Hải Phòng",
            "ĐH Y Dược HP",
            HP,
            "MED-CLI MED-BAS MED-PUB MED-PHA MED-NUR",
        ),
        (
            "DH-HD",
            "Trường Đại học Hải Dương",
            "ĐH Hải Dương",
            HD,
            "SOC-ECO SOC-FIN AGR-CRO SOC-EDU",
        ),
        ("DH-SAODO", "Trường Đại học Sao Đỏ", "ĐH Sao Đỏ", HD, "ENG-MEC ENG-ELE ENG-IT ENG-FOO"),
        (
            "DH-KTYTHD",
            "Trường Đại học Kỹ thuật Y tế Hải Dương",
            "ĐH KTYT Hải Dương",
            HD,
            "MED-CLI MED-BAS MED-NUR",
        ),
        (
            "DH-QLCN",
            "Trường Đại học Quản lý và Công nghệ Hải Phòng",
            "ĐH QL&CN HP",
            HP,
            "ENG-IT SOC-ECO ENG-ENV HUM-LAN",
        ),
        ("DH-TD", "Trường Đại học Thành Đông", "ĐH Thành Đông", HD, "SOC-ECO SOC-LAW MED-PHA"),
    )
)

ENTERPRISES: tuple[OrgSpec, ...] = tuple(
    _org(c, n, s, "enterprise", p, f)
    for c, n, s, p, f in (
        ("DN-CANGHP", "Công ty Cổ phần Cảng Hải Phòng", "Cảng Hải Phòng", HP, "ENG-MAR ENG-LOG"),
        (
            "DN-NDPL",
            "Công ty Cổ phần Nhiệt điện Phả Lại",
            "Nhiệt điện Phả Lại",
            HD,
            "ENG-ENE ENG-ELE",
        ),
        ("DN-NHUA", "Công ty Cổ phần Nhựa Tiền Phong", "Nhựa Tiền Phong", HP, "ENG-CHE ENG-MAT"),
        (
            "DN-CAPNUOC",
            "Công ty Cổ phần Cấp nước Hải Phòng",
            "Cấp nước Hải Phòng",
            HP,
            "ENG-ENV ENG-WAT",
        ),
        (
            "DN-DONGTAU",
            "Công ty Cổ phần Đóng tàu Sông Cấm",
            "Đóng tàu Sông Cấm",
            HP,
            "ENG-MAR ENG-MEC",
        ),
        ("DN-XIMANG", "Công ty Xi măng Hải Phòng", "Xi măng Hải Phòng", HP, "ENG-MAT ENG-CHE"),
        ("DN-GPSO", "Công ty Cổ phần Giải pháp Số Hải Phòng", "Giải pháp Số HP", HP, "ENG-IT"),
        (
            "DN-NONGSAN",
            "Công ty Cổ phần Nông sản Thanh Hà",
            "Nông sản Thanh Hà",
            HD,
            "AGR-CRO ENG-FOO",
        ),
        ("DN-DIENHD", "Công ty Điện lực Hải Dương", "Điện lực Hải Dương", HD, "ENG-ELE ENG-ENE"),
        (
            "DN-LACHHUYEN",
            "Công ty Cổ phần Logistics Lạch Huyện",
            "Logistics Lạch Huyện",
            HP,
            "ENG-LOG",
        ),
        ("DN-XDBD", "Tổng công ty Xây dựng Bạch Đằng", "Xây dựng Bạch Đằng", HP, "ENG-CON ENG-TRA"),
        ("DN-THUYSAN", "Công ty TNHH Thủy sản Đồ Sơn", "Thủy sản Đồ Sơn", HP, "AGR-AQU ENG-FOO"),
    )
)

#: Every organisation, parents before children (the loader inserts in this order).
ORGANIZATIONS: tuple[OrgSpec, ...] = (
    MEMBER_ASSOCIATIONS
    + INSTITUTES
    + CLUBS
    + COLLECTIVE_MEMBERS
    + AGENCIES
    + UNIVERSITIES
    + ENTERPRISES
)

# --- Places, for addresses and free-text employers ------------------------------------

PLACES = {
    HP: (
        "Hồng Bàng",
        "Ngô Quyền",
        "Lê Chân",
        "Hải An",
        "Kiến An",
        "Đồ Sơn",
        "Dương Kinh",
        "Thủy Nguyên",
        "An Dương",
        "An Lão",
        "Kiến Thụy",
        "Tiên Lãng",
        "Vĩnh Bảo",
        "Cát Hải",
    ),
    HD: (
        "Hải Dương",
        "Chí Linh",
        "Kinh Môn",
        "Nam Sách",
        "Thanh Hà",
        "Kim Thành",
        "Gia Lộc",
        "Tứ Kỳ",
        "Ninh Giang",
        "Thanh Miện",
        "Bình Giang",
        "Cẩm Giàng",
    ),
}

#: Names Vietnamese schools are given after.
SCHOOL_NAMES = (
    "Trần Phú",
    "Ngô Quyền",
    "Lê Quý Đôn",
    "Thái Phiên",
    "Nguyễn Trãi",
    "Hồng Quang",
    "Chu Văn An",
    "Lê Hồng Phong",
    "Trần Nguyên Hãn",
    "Nguyễn Bỉnh Khiêm",
    "Mạc Đĩnh Chi",
    "Nguyễn Du",
    "Kim Đồng",
    "Võ Thị Sáu",
)

#: Free-text employers per area: "{p}" is a place. People also work for the
#: organisations above; these are the hospitals, schools and firms that are not in it.
EMPLOYER_TEMPLATES: dict[str, tuple[str, ...]] = {
    "NAT": (
        "Trường THPT {s}",
        "Trung tâm Quan trắc Môi trường {p}",
        "Trung tâm Khí tượng Thủy văn Hải Phòng",
        "Trường THCS {p}",
    ),
    "ENG": (
        "Công ty Cổ phần Xây dựng {p}",
        "Công ty TNHH Cơ khí {p}",
        "Công ty Cổ phần Tư vấn Thiết kế {p}",
        "Công ty TNHH Công nghệ {p}",
        "Công ty Cổ phần Vận tải biển {p}",
        "Ban Quản lý dự án khu vực {p}",
        "Công ty TNHH Điện tử {p}",
        "Công ty Cổ phần Môi trường Đô thị {p}",
    ),
    "MED": (
        "Bệnh viện Hữu nghị Việt Tiệp",
        "Bệnh viện Trẻ em Hải Phòng",
        "Bệnh viện Phụ sản Hải Phòng",
        "Bệnh viện Đa khoa tỉnh Hải Dương",
        "Bệnh viện Y học cổ truyền Hải Phòng",
        "Trung tâm Y tế khu vực {p}",
        "Trạm Y tế {p}",
        "Phòng khám Đa khoa {p}",
        "Nhà thuốc {p}",
        "Trung tâm Kiểm soát bệnh tật Hải Phòng",
    ),
    "AGR": (
        "Hợp tác xã Nông nghiệp {p}",
        "Hợp tác xã Thủy sản {p}",
        "Trạm Khuyến nông {p}",
        "Trang trại {p}",
        "Trung tâm Giống thủy sản {p}",
        "Chi cục Thủy sản Hải Phòng",
    ),
    "SOC": (
        "Văn phòng Luật sư {p}",
        "Phòng Công chứng {p}",
        "Trường THPT {s}",
        "Trường THCS {p}",
        "Ngân hàng Thương mại Cổ phần Chi nhánh {p}",
        "Báo Hải Phòng",
        "Công ty TNHH Kế toán {p}",
        "Trường Tiểu học {p}",
    ),
    "HUM": (
        "Bảo tàng Hải Phòng",
        "Trường THPT {s}",
        "Thư viện thành phố Hải Phòng",
        "Nhà Văn hóa {p}",
        "Đài Phát thanh và Truyền hình Hải Phòng",
    ),
}

# --- Vietnamese names ------------------------------------------------------------------

#: Family names with rough shares in the Red River delta (per cent); Nguyễn alone is
#: near 40 %, which is exactly why a name is never an identity.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 36.0),
    ("Trần", 10.5),
    ("Lê", 8.0),
    ("Phạm", 7.5),
    ("Hoàng", 4.0),
    ("Vũ", 5.0),
    ("Đặng", 2.0),
    ("Bùi", 2.5),
    ("Đỗ", 2.5),
    ("Ngô", 1.5),
    ("Phan", 1.5),
    ("Đào", 1.2),
    ("Đinh", 1.0),
    ("Dương", 1.0),
    ("Mai", 0.8),
    ("Trịnh", 0.8),
    ("Lương", 0.6),
    ("Hà", 0.6),
    ("Cao", 0.6),
    ("Lưu", 0.5),
    ("Đoàn", 0.6),
    ("Tạ", 0.4),
    ("Nghiêm", 0.3),
    ("Khúc", 0.3),
    ("Phí", 0.3),
    ("Tô", 0.4),
    ("Vương", 0.3),
    ("Lã", 0.2),
    ("Quách", 0.2),
    ("Hồ", 0.5),
    ("Lý", 0.3),
    ("Văn", 0.3),
    ("Trương", 0.5),
    ("Chu", 0.3),
)

MIDDLE_MALE: tuple[tuple[str, float], ...] = (
    ("Văn", 30),
    ("Đức", 10),
    ("Minh", 8),
    ("Quang", 7),
    ("Hữu", 7),
    ("Xuân", 5),
    ("Thanh", 5),
    ("Mạnh", 4),
    ("Trọng", 4),
    ("Công", 4),
    ("Đình", 4),
    ("Tiến", 3),
    ("Ngọc", 3),
    ("Thế", 3),
    ("Duy", 3),
    ("Hoàng", 2),
    ("Anh", 2),
    ("Việt", 2),
    ("Bá", 2),
    ("Khắc", 1),
    ("Trung", 1),
    ("Hải", 1),
    ("Tuấn", 1),
    ("Kim", 1),
)

MIDDLE_FEMALE: tuple[tuple[str, float], ...] = (
    ("Thị", 45),
    ("Thu", 6),
    ("Thanh", 6),
    ("Ngọc", 6),
    ("Minh", 4),
    ("Thúy", 3),
    ("Hồng", 3),
    ("Phương", 3),
    ("Kim", 3),
    ("Bích", 2),
    ("Hải", 2),
    ("Mai", 2),
    ("Diệu", 1),
    ("Khánh", 2),
    ("Quỳnh", 1),
    ("Hoài", 1),
    ("Lan", 1),
    ("Thùy", 2),
)

#: The second middle name in four-word names ("Nguyễn Thị Thu Hằng").
SECOND_MIDDLE_FEMALE = (
    "Thu",
    "Thanh",
    "Minh",
    "Ngọc",
    "Hồng",
    "Kim",
    "Phương",
    "Thúy",
    "Bích",
    "Mai",
    "Diệu",
    "Hải",
    "Lan",
    "Thùy",
)
SECOND_MIDDLE_MALE = ("Minh", "Quang", "Hải", "Tuấn", "Anh", "Thanh", "Hoàng", "Đức")

GIVEN_MALE = (
    "Anh",
    "An",
    "Bình",
    "Cường",
    "Công",
    "Chiến",
    "Dũng",
    "Duy",
    "Đạt",
    "Đức",
    "Giang",
    "Hải",
    "Hiếu",
    "Hiệp",
    "Hòa",
    "Hoàng",
    "Hùng",
    "Hưng",
    "Huy",
    "Khánh",
    "Khoa",
    "Kiên",
    "Lâm",
    "Long",
    "Lợi",
    "Luân",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Ngọc",
    "Nhật",
    "Phong",
    "Phúc",
    "Phương",
    "Quân",
    "Quang",
    "Quyết",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thanh",
    "Thịnh",
    "Thông",
    "Toàn",
    "Trung",
    "Tú",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
    "Hậu",
    "Hiển",
    "Khải",
    "Lực",
    "Tiến",
    "Tân",
    "Trọng",
    "Trường",
    "Thái",
    "Bảo",
    "Châu",
    "Định",
    "Điệp",
    "Khang",
    "Quý",
    "Thuận",
    "Tuyên",
    "Kiệt",
    "Đông",
    "Hào",
    "Thủy",
    "Lộc",
    "Dương",
    "Hà",
    "Hạnh",
    "Nhiên",
)

GIVEN_FEMALE = (
    "Anh",
    "Bích",
    "Chi",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hồng",
    "Huệ",
    "Hương",
    "Hường",
    "Huyền",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Ly",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Tâm",
    "Thanh",
    "Thảo",
    "Thắm",
    "Thoa",
    "Thơ",
    "Thu",
    "Thủy",
    "Thúy",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
    "Xuân",
    "Ánh",
    "Vi",
    "Dương",
    "Nhàn",
    "Hải",
    "Hậu",
    "Lụa",
    "Khánh",
    "Minh",
    "Nguyệt",
    "Diệp",
    "Hoài",
    "Lệ",
    "Phượng",
    "Sen",
    "Hoa",
    "Nhi",
    "Thùy",
)

#: Mobile prefixes of the three big carriers; landlines use the former provinces' codes.
MOBILE_PREFIXES = (
    "086",
    "096",
    "097",
    "098",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "091",
    "094",
    "088",
    "081",
    "082",
    "083",
    "084",
    "085",
    "090",
    "093",
    "089",
    "070",
    "076",
    "077",
    "078",
    "079",
)
AREA_CODES = {HP: "0225", HD: "0220", None: "0225"}
