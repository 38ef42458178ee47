"""The field taxonomy as data: six national areas, the disciplines beneath them, keywords.

The areas follow Vietnam's classification of science and technology fields (the six
first-level groups of Decision 12/2008/QĐ-BKHCN); the disciplines are those a city union
actually consults on, with the port, maritime and aquaculture fields Hải Phòng needs.
Codes are stable identifiers used by the API, the search index and imports: never rename
one, add a new code instead.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Field


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One node of the taxonomy: an area (no parent) or a discipline."""

    code: str
    name: str
    name_en: str
    parent: str | None = None


AREAS: tuple[FieldSpec, ...] = (
    FieldSpec("NAT", "Khoa học tự nhiên", "Natural sciences"),
    FieldSpec("ENG", "Khoa học kỹ thuật và công nghệ", "Engineering and technology"),
    FieldSpec("MED", "Khoa học y, dược", "Medical and health sciences"),
    FieldSpec("AGR", "Khoa học nông nghiệp", "Agricultural sciences"),
    FieldSpec("SOC", "Khoa học xã hội", "Social sciences"),
    FieldSpec("HUM", "Khoa học nhân văn", "Humanities"),
)

DISCIPLINES: tuple[FieldSpec, ...] = (
    # Natural sciences
    FieldSpec("NAT-MAT", "Toán học và thống kê", "Mathematics and statistics", "NAT"),
    FieldSpec("NAT-PHY", "Vật lý", "Physics", "NAT"),
    FieldSpec("NAT-CHE", "Hóa học", "Chemistry", "NAT"),
    FieldSpec("NAT-EAR", "Khoa học trái đất và biển", "Earth and marine sciences", "NAT"),
    FieldSpec("NAT-BIO", "Sinh học", "Biological sciences", "NAT"),
    # Engineering and technology
    FieldSpec(
        "ENG-IT",
        "Công nghệ thông tin và trí tuệ nhân tạo",
        "Information technology and artificial intelligence",
        "ENG",
    ),
    FieldSpec(
        "ENG-ELE",
        "Kỹ thuật điện, điện tử và tự động hóa",
        "Electrical and electronic engineering, automation",
        "ENG",
    ),
    FieldSpec("ENG-MEC", "Kỹ thuật cơ khí và chế tạo máy", "Mechanical engineering", "ENG"),
    FieldSpec("ENG-CON", "Kỹ thuật xây dựng", "Civil engineering and construction", "ENG"),
    FieldSpec("ENG-ARC", "Kiến trúc và quy hoạch đô thị", "Architecture and urban planning", "ENG"),
    FieldSpec("ENG-TRA", "Kỹ thuật giao thông", "Transport engineering", "ENG"),
    FieldSpec(
        "ENG-MAR",
        "Kỹ thuật hàng hải, cảng biển và đóng tàu",
        "Maritime and port engineering, shipbuilding",
        "ENG",
    ),
    FieldSpec("ENG-LOG", "Vận tải và logistics", "Transport and logistics", "ENG"),
    FieldSpec("ENG-ENE", "Kỹ thuật năng lượng", "Energy engineering", "ENG"),
    FieldSpec("ENG-CHE", "Kỹ thuật hóa học", "Chemical engineering", "ENG"),
    FieldSpec(
        "ENG-MAT",
        "Kỹ thuật vật liệu và luyện kim",
        "Materials engineering and metallurgy",
        "ENG",
    ),
    FieldSpec(
        "ENG-ENV",
        "Kỹ thuật và quản lý môi trường",
        "Environmental engineering and management",
        "ENG",
    ),
    FieldSpec(
        "ENG-WAT",
        "Thủy lợi và tài nguyên nước",
        "Hydraulic engineering and water resources",
        "ENG",
    ),
    FieldSpec("ENG-BIO", "Công nghệ sinh học", "Biotechnology", "ENG"),
    FieldSpec("ENG-FOO", "Công nghệ thực phẩm", "Food technology", "ENG"),
    # Medical and health sciences
    FieldSpec("MED-BAS", "Y học cơ sở", "Basic medicine", "MED"),
    FieldSpec("MED-CLI", "Y học lâm sàng", "Clinical medicine", "MED"),
    FieldSpec("MED-PUB", "Y tế công cộng và y học dự phòng", "Public health", "MED"),
    FieldSpec("MED-PHA", "Dược học", "Pharmacy", "MED"),
    FieldSpec("MED-TRD", "Y học cổ truyền", "Traditional medicine", "MED"),
    FieldSpec("MED-NUR", "Điều dưỡng", "Nursing", "MED"),
    # Agricultural sciences
    FieldSpec(
        "AGR-CRO", "Trồng trọt và bảo vệ thực vật", "Crop science and plant protection", "AGR"
    ),
    FieldSpec("AGR-ANI", "Chăn nuôi", "Animal husbandry", "AGR"),
    FieldSpec("AGR-VET", "Thú y", "Veterinary science", "AGR"),
    FieldSpec("AGR-AQU", "Nuôi trồng thủy sản", "Aquaculture and fisheries", "AGR"),
    FieldSpec("AGR-FOR", "Lâm nghiệp", "Forestry", "AGR"),
    FieldSpec("AGR-RUR", "Phát triển nông thôn", "Rural development", "AGR"),
    # Social sciences
    FieldSpec("SOC-ECO", "Kinh tế học và kinh doanh", "Economics and business", "SOC"),
    FieldSpec(
        "SOC-FIN",
        "Tài chính, ngân hàng và kế toán",
        "Finance, banking and accounting",
        "SOC",
    ),
    FieldSpec("SOC-LAW", "Luật học", "Law", "SOC"),
    FieldSpec("SOC-EDU", "Khoa học giáo dục", "Education", "SOC"),
    FieldSpec("SOC-PSY", "Tâm lý học", "Psychology", "SOC"),
    FieldSpec("SOC-SOC", "Xã hội học và công tác xã hội", "Sociology and social work", "SOC"),
    FieldSpec(
        "SOC-POL",
        "Chính trị học và quản lý nhà nước",
        "Political science and public administration",
        "SOC",
    ),
    FieldSpec("SOC-COM", "Báo chí và truyền thông", "Journalism and communication", "SOC"),
    FieldSpec("SOC-TOU", "Du lịch", "Tourism", "SOC"),
    # Humanities
    FieldSpec("HUM-HIS", "Lịch sử và khảo cổ học", "History and archaeology", "HUM"),
    FieldSpec("HUM-LAN", "Ngôn ngữ học và văn học", "Linguistics and literature", "HUM"),
    FieldSpec("HUM-CUL", "Văn hóa học", "Cultural studies", "HUM"),
    FieldSpec(
        "HUM-PHI", "Triết học, đạo đức và tôn giáo", "Philosophy, ethics and religion", "HUM"
    ),
    FieldSpec("HUM-ART", "Nghệ thuật", "Arts", "HUM"),
)

#: Every node, areas first, so that a parent is always inserted before its children.
FIELDS: tuple[FieldSpec, ...] = AREAS + DISCIPLINES

FIELDS_BY_CODE: dict[str, FieldSpec] = {f.code: f for f in FIELDS}

#: Expertise keywords an expert of each discipline plausibly lists on a profile, as they
#: are written in Vietnamese CVs; the demo generator draws from them and search tests
#: rely on them being real phrases, not placeholders.
EXPERTISE: dict[str, tuple[str, ...]] = {
    "NAT-MAT": (
        "toán ứng dụng",
        "xác suất thống kê",
        "thống kê kinh tế",
        "tối ưu hóa",
        "mô hình toán học",
        "phân tích dữ liệu",
        "lý thuyết đồ thị",
        "giải tích số",
        "điều tra chọn mẫu",
    ),
    "NAT-PHY": (
        "vật lý chất rắn",
        "quang học",
        "vật lý hạt nhân",
        "an toàn bức xạ",
        "vật lý địa cầu",
        "vật liệu nano",
        "công nghệ laser",
        "vật lý kỹ thuật",
    ),
    "NAT-CHE": (
        "hóa phân tích",
        "hóa hữu cơ",
        "hóa vô cơ",
        "hóa môi trường",
        "phân tích kiểm nghiệm",
        "hợp chất thiên nhiên",
        "xúc tác",
        "an toàn hóa chất",
    ),
    "NAT-EAR": (
        "địa chất công trình",
        "thủy văn",
        "khí tượng",
        "biến đổi khí hậu",
        "hải dương học",
        "địa chất thủy văn",
        "viễn thám",
        "hệ thống thông tin địa lý",
        "xói lở bờ biển",
        "nước biển dâng",
    ),
    "NAT-BIO": (
        "đa dạng sinh học",
        "sinh thái học",
        "vi sinh vật học",
        "di truyền học",
        "sinh học biển",
        "bảo tồn thiên nhiên",
        "thực vật học",
        "động vật học",
    ),
    "ENG-IT": (
        "trí tuệ nhân tạo",
        "học máy",
        "an toàn thông tin",
        "chuyển đổi số",
        "dữ liệu lớn",
        "điện toán đám mây",
        "hệ thống thông tin quản lý",
        "phát triển phần mềm",
        "chính quyền số",
        "Internet vạn vật",
        "xử lý ngôn ngữ tự nhiên",
        "thị giác máy tính",
        "cơ sở dữ liệu",
        "mạng máy tính",
        "đô thị thông minh",
    ),
    "ENG-ELE": (
        "tự động hóa",
        "điều khiển công nghiệp",
        "hệ thống điện",
        "điện tử công suất",
        "viễn thông",
        "robot công nghiệp",
        "hệ thống SCADA",
        "đo lường và điều khiển",
        "thiết bị điện",
        "vi mạch bán dẫn",
    ),
    "ENG-MEC": (
        "chế tạo máy",
        "cơ khí chính xác",
        "công nghệ hàn",
        "gia công CNC",
        "cơ điện tử",
        "động cơ đốt trong",
        "bảo trì công nghiệp",
        "thiết kế cơ khí",
        "kỹ thuật nhiệt lạnh",
        "an toàn thiết bị nâng",
    ),
    "ENG-CON": (
        "kết cấu công trình",
        "nền móng",
        "địa kỹ thuật",
        "vật liệu xây dựng",
        "quản lý dự án xây dựng",
        "kinh tế xây dựng",
        "giám sát thi công",
        "công trình ngầm",
        "bê tông cốt thép",
        "dự toán công trình",
        "thẩm tra thiết kế",
    ),
    "ENG-ARC": (
        "quy hoạch đô thị",
        "thiết kế kiến trúc",
        "kiến trúc cảnh quan",
        "bảo tồn di sản kiến trúc",
        "quy hoạch nông thôn mới",
        "nhà ở xã hội",
        "kiến trúc xanh",
        "chỉnh trang đô thị",
        "quy hoạch chung thành phố",
    ),
    "ENG-TRA": (
        "cầu đường",
        "thiết kế cầu",
        "đường ô tô",
        "giao thông đô thị",
        "an toàn giao thông",
        "quy hoạch giao thông",
        "đường sắt",
        "hạ tầng giao thông",
        "cầu dây văng",
    ),
    "ENG-MAR": (
        "khai thác cảng biển",
        "công trình cảng",
        "đóng tàu",
        "thiết kế tàu thủy",
        "an toàn hàng hải",
        "điều khiển tàu biển",
        "máy tàu thủy",
        "luồng hàng hải",
        "cảng nước sâu",
        "công trình biển",
        "luật hàng hải quốc tế",
    ),
    "ENG-LOG": (
        "logistics",
        "chuỗi cung ứng",
        "vận tải đa phương thức",
        "kinh tế vận tải biển",
        "quản trị kho bãi",
        "dịch vụ cảng biển",
        "vận tải container",
        "trung tâm logistics",
        "hải quan điện tử",
        "cảng cạn",
    ),
    "ENG-ENE": (
        "năng lượng tái tạo",
        "điện mặt trời",
        "điện gió ngoài khơi",
        "tiết kiệm năng lượng",
        "nhiệt điện",
        "lưới điện thông minh",
        "kiểm toán năng lượng",
        "hydro xanh",
        "chuyển dịch năng lượng",
    ),
    "ENG-CHE": (
        "công nghệ hóa học",
        "hóa dầu",
        "công nghệ polyme",
        "phân bón",
        "sơn và chất phủ",
        "chống ăn mòn",
        "công nghệ vật liệu vô cơ",
        "an toàn quá trình",
    ),
    "ENG-MAT": (
        "vật liệu composite",
        "luyện kim",
        "vật liệu kim loại",
        "ăn mòn kim loại",
        "vật liệu mới",
        "công nghệ xi măng",
        "gốm sứ",
        "vật liệu tái chế",
    ),
    "ENG-ENV": (
        "xử lý nước thải",
        "quản lý chất thải rắn",
        "đánh giá tác động môi trường",
        "quan trắc môi trường",
        "ô nhiễm không khí",
        "kinh tế tuần hoàn",
        "cấp thoát nước",
        "môi trường biển",
        "phát triển bền vững",
        "giảm phát thải khí nhà kính",
    ),
    "ENG-WAT": (
        "công trình thủy lợi",
        "đê điều",
        "phòng chống thiên tai",
        "tài nguyên nước",
        "xâm nhập mặn",
        "tiêu thoát nước",
        "quản lý lưu vực sông",
        "an toàn hồ đập",
    ),
    "ENG-BIO": (
        "công nghệ gen",
        "nuôi cấy mô",
        "công nghệ vi sinh",
        "chế phẩm sinh học",
        "công nghệ enzyme",
        "sinh học phân tử",
        "công nghệ lên men",
    ),
    "ENG-FOO": (
        "an toàn thực phẩm",
        "chế biến thủy sản",
        "bảo quản sau thu hoạch",
        "kiểm nghiệm thực phẩm",
        "dinh dưỡng",
        "truy xuất nguồn gốc",
        "chế biến nông sản",
    ),
    "MED-BAS": (
        "giải phẫu học",
        "sinh lý học",
        "dược lý học",
        "vi sinh y học",
        "miễn dịch học",
        "hóa sinh y học",
        "giải phẫu bệnh",
        "ký sinh trùng",
    ),
    "MED-CLI": (
        "nội khoa",
        "ngoại khoa",
        "tim mạch",
        "ung bướu",
        "nhi khoa",
        "sản phụ khoa",
        "hồi sức cấp cứu",
        "chẩn đoán hình ảnh",
        "bệnh truyền nhiễm",
        "phục hồi chức năng",
        "y học biển",
        "răng hàm mặt",
        "nội tiết",
        "thần kinh",
    ),
    "MED-PUB": (
        "y tế dự phòng",
        "dịch tễ học",
        "dinh dưỡng cộng đồng",
        "sức khỏe môi trường",
        "quản lý bệnh viện",
        "kiểm soát bệnh truyền nhiễm",
        "sức khỏe nghề nghiệp",
        "chính sách y tế",
        "bảo hiểm y tế",
        "chăm sóc sức khỏe ban đầu",
    ),
    "MED-PHA": (
        "dược lâm sàng",
        "bào chế",
        "kiểm nghiệm thuốc",
        "dược liệu",
        "quản lý dược",
        "cảnh giác dược",
        "hóa dược",
        "đấu thầu thuốc",
    ),
    "MED-TRD": (
        "y học cổ truyền",
        "châm cứu",
        "thuốc nam",
        "xoa bóp bấm huyệt",
        "đông y",
        "dưỡng sinh",
        "bào chế thuốc cổ truyền",
    ),
    "MED-NUR": (
        "chăm sóc người bệnh",
        "kiểm soát nhiễm khuẩn",
        "chăm sóc người cao tuổi",
        "hộ sinh",
        "quản lý điều dưỡng",
        "điều dưỡng cộng đồng",
    ),
    "AGR-CRO": (
        "bảo vệ thực vật",
        "giống cây trồng",
        "nông nghiệp hữu cơ",
        "canh tác lúa",
        "cây ăn quả",
        "vải thiều Thanh Hà",
        "làm vườn",
        "nông nghiệp công nghệ cao",
        "phân bón hữu cơ",
        "sinh vật cảnh",
        "rau an toàn",
    ),
    "AGR-ANI": (
        "chăn nuôi lợn",
        "chăn nuôi gia cầm",
        "thức ăn chăn nuôi",
        "giống vật nuôi",
        "nuôi ong",
        "chăn nuôi an toàn sinh học",
        "xử lý chất thải chăn nuôi",
    ),
    "AGR-VET": (
        "thú y",
        "dịch tả lợn châu Phi",
        "cúm gia cầm",
        "vắc xin thú y",
        "kiểm dịch động vật",
        "bệnh lây truyền từ động vật sang người",
    ),
    "AGR-AQU": (
        "nuôi trồng thủy sản",
        "bệnh tôm",
        "nuôi tôm thẻ chân trắng",
        "nuôi biển",
        "giống thủy sản",
        "khai thác thủy sản",
        "nuôi cá lồng bè",
        "nguồn lợi thủy sản",
        "môi trường ao nuôi",
        "nuôi nhuyễn thể",
        "thức ăn thủy sản",
    ),
    "AGR-FOR": (
        "rừng ngập mặn",
        "trồng rừng",
        "quản lý rừng bền vững",
        "phòng cháy chữa cháy rừng",
        "lâm sản ngoài gỗ",
        "chứng chỉ rừng",
    ),
    "AGR-RUR": (
        "nông thôn mới",
        "kinh tế hợp tác xã",
        "khuyến nông",
        "chương trình OCOP",
        "sinh kế nông thôn",
        "chuyển đổi cơ cấu cây trồng",
        "liên kết chuỗi giá trị nông sản",
    ),
    "SOC-ECO": (
        "kinh tế phát triển",
        "kinh tế biển",
        "quản trị doanh nghiệp",
        "kinh tế đầu tư",
        "thương mại quốc tế",
        "khu công nghiệp",
        "kinh tế số",
        "marketing",
        "đánh giá hiệu quả dự án",
        "thu hút đầu tư nước ngoài",
        "kinh tế đô thị",
    ),
    "SOC-FIN": (
        "tài chính công",
        "ngân sách nhà nước",
        "kế toán",
        "kiểm toán",
        "ngân hàng",
        "chính sách thuế",
        "đầu tư công",
        "thẩm định giá",
        "quản lý nợ công",
    ),
    "SOC-LAW": (
        "luật hành chính",
        "luật dân sự",
        "luật đất đai",
        "luật hình sự",
        "luật kinh tế",
        "luật hàng hải",
        "xây dựng pháp luật",
        "thẩm định văn bản quy phạm pháp luật",
        "trợ giúp pháp lý",
        "luật môi trường",
        "giải quyết tranh chấp",
    ),
    "SOC-EDU": (
        "quản lý giáo dục",
        "giáo dục nghề nghiệp",
        "phương pháp giảng dạy",
        "giáo dục STEM",
        "kiểm định chất lượng giáo dục",
        "giáo dục hòa nhập",
        "chương trình giáo dục phổ thông",
        "khuyến học",
        "đào tạo nguồn nhân lực",
    ),
    "SOC-PSY": (
        "tâm lý học giáo dục",
        "tham vấn tâm lý",
        "sức khỏe tâm thần",
        "tâm lý học xã hội",
        "tâm lý trẻ em",
        "tâm lý học lao động",
    ),
    "SOC-SOC": (
        "xã hội học",
        "công tác xã hội",
        "an sinh xã hội",
        "bình đẳng giới",
        "dân số và phát triển",
        "lao động việc làm",
        "giảm nghèo bền vững",
    ),
    "SOC-POL": (
        "quản lý nhà nước",
        "hành chính công",
        "cải cách hành chính",
        "chính sách công",
        "tổ chức bộ máy",
        "chính quyền địa phương",
        "đánh giá chính sách",
        "sắp xếp đơn vị hành chính",
    ),
    "SOC-COM": (
        "báo chí",
        "truyền thông",
        "quan hệ công chúng",
        "truyền thông chính sách",
        "xuất bản",
        "truyền thông số",
    ),
    "SOC-TOU": (
        "du lịch biển đảo",
        "du lịch sinh thái",
        "quản trị khách sạn",
        "du lịch văn hóa tâm linh",
        "phát triển sản phẩm du lịch",
        "du lịch cộng đồng",
    ),
    "HUM-HIS": (
        "lịch sử Việt Nam",
        "lịch sử địa phương",
        "khảo cổ học",
        "Hán Nôm",
        "di tích lịch sử",
        "bảo tàng học",
        "lịch sử Đảng",
    ),
    "HUM-LAN": (
        "ngôn ngữ học",
        "văn học Việt Nam",
        "dịch thuật",
        "tiếng Anh chuyên ngành",
        "văn học dân gian",
        "lý luận phê bình văn học",
    ),
    "HUM-CUL": (
        "di sản văn hóa",
        "văn hóa dân gian",
        "lễ hội truyền thống",
        "bảo tồn di sản",
        "tín ngưỡng dân gian",
        "văn hóa doanh nghiệp",
        "gốm Chu Đậu",
    ),
    "HUM-PHI": (
        "triết học",
        "đạo đức học",
        "tôn giáo học",
        "tư tưởng Hồ Chí Minh",
        "lý luận chính trị",
    ),
    "HUM-ART": (
        "mỹ thuật",
        "âm nhạc",
        "nhiếp ảnh",
        "sân khấu",
        "thiết kế đồ họa",
        "nghệ thuật truyền thống",
    ),
}


def area_of(code: str) -> str:
    """The area code of a discipline (``ENG-IT`` → ``ENG``), or the code of an area itself."""
    return code.split("-", 1)[0]


def ensure_fields(session: Session) -> int:
    """Insert the taxonomy nodes that are missing and flush; return how many were added.

    Existing rows are left as they are, whatever their names: an administrator may have
    corrected a name, and running ``expertnet init`` again must not undo that.
    """
    existing: dict[str, Field] = {
        f.code: f
        for f in session.scalars(select(Field).where(Field.code.in_(list(FIELDS_BY_CODE))))
    }
    added = 0
    # Areas go first and are flushed so that the disciplines can point at their ids.
    for level in (AREAS, DISCIPLINES):
        for spec in level:
            if spec.code in existing:
                continue
            node = Field(
                code=spec.code,
                name=unicodedata.normalize("NFC", spec.name),
                name_en=spec.name_en,
                parent=existing[spec.parent] if spec.parent else None,
            )
            session.add(node)
            existing[spec.code] = node
            added += 1
        session.flush()
    return added
