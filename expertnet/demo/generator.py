"""A synthetic union, generated as plain data: no database, no Flask.

``generate_union(n_people, seed)`` is a pure function of its arguments (and of the
installed Faker version, which only feeds organisation addresses): the same seed gives
the same union, so a demo, a benchmark and a bug report all talk about the same people.
Everything random flows from one ``random.Random(seed)``; nothing iterates a ``set`` of
strings, whose order would change with ``PYTHONHASHSEED``.

Speed matters (108,000 people must load in under two minutes including the database),
so names, employers and keyword pools are precomputed once and each person costs a few
dozen calls on the generator, never a Faker provider call.

Over 600 lines on purpose: one pure generator whose precomputed pools and the single
``random.Random`` must stay together to keep the output a function of the seed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from faker import Faker

from ..core.text import fold
from ..directory.models import DEGREE_RANK
from ..directory.taxonomy import DISCIPLINES, EXPERTISE, FIELDS_BY_CODE, area_of
from . import data
from .data import HD, HP, OrgSpec

T = TypeVar("T")

#: The year the demo union "is" in; a fixed year keeps output independent of the clock.
REFERENCE_YEAR = 2025
UNION_NAME = "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Hải Phòng"


@dataclass(frozen=True, slots=True)
class OrganizationData:
    code: str
    name: str
    short_name: str
    kind: str
    former_province: str | None
    parent_code: str | None
    address: str
    email: str
    phone: str
    website: str
    description: str
    #: Disciplines the organisation works in (the model has no column for them; they
    #: drive who joins and who is employed there, and are named in the description).
    field_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PersonData:
    full_name: str
    gender: str
    birth_year: int
    academic_title: str | None
    degree: str | None
    position: str | None
    #: An organisation of the demo, or None; ``employer_name`` is the free-text employer
    #: (a hospital, a school, a firm) when the employer is not an organisation here.
    employer_code: str | None
    employer_name: str | None
    email: str | None
    phone: str | None
    bio: str | None
    expertise: tuple[str, ...]
    field_codes: tuple[str, ...]
    public_profile: bool
    available: bool
    max_assignments: int

    @property
    def is_expert(self) -> bool:
        return bool(self.field_codes or self.expertise)


@dataclass(frozen=True, slots=True)
class MembershipData:
    #: Index into ``UnionData.people``.
    person: int
    org_code: str
    role: str
    started_on: date


@dataclass(frozen=True, slots=True)
class UnionData:
    seed: int
    organizations: tuple[OrganizationData, ...]
    people: tuple[PersonData, ...]
    #: Sorted by person index, so a loader can stream people and their memberships together.
    memberships: tuple[MembershipData, ...]


# --- Distributions ---------------------------------------------------------------------
# Degree mixes per professional profile, in per cent of members. Tuned so that at 108,000
# members there are some thousands of ThS and TS, a few hundred PGS and fewer GS.
_DEGREE_MIX: dict[str, tuple[tuple[str | None, float], ...]] = {
    "ENG": ((None, 27), ("CN", 12), ("KS", 45), ("ThS", 11), ("TS", 3.6), ("TSKH", 0.1)),
    "ARC": ((None, 15), ("CN", 5), ("KTS", 55), ("KS", 10), ("ThS", 12), ("TS", 3)),
    "NAT": ((None, 28), ("CN", 45), ("KS", 2), ("ThS", 17), ("TS", 7.5), ("TSKH", 0.3)),
    "MED": (
        (None, 20),
        ("CN", 18),
        ("BS", 30),
        ("BSCKI", 11),
        ("BSCKII", 4),
        ("ThS", 11),
        ("TS", 4.5),
        ("DS", 1),
    ),
    "PHA": ((None, 24), ("CN", 12), ("DS", 48), ("ThS", 12), ("TS", 3.5)),
    "NUR": ((None, 35), ("CN", 55), ("ThS", 9), ("TS", 0.6)),
    "TRD": (
        (None, 55),
        ("CN", 8),
        ("BS", 22),
        ("BSCKI", 7),
        ("BSCKII", 2),
        ("ThS", 4),
        ("TS", 1.5),
    ),
    "AGR": ((None, 40), ("CN", 12), ("KS", 35), ("ThS", 9), ("TS", 3.2)),
    "LAW": ((None, 22), ("CN", 48), ("LS", 14), ("ThS", 12), ("TS", 3.5)),
    "SOC": ((None, 30), ("CN", 50), ("ThS", 15), ("TS", 4.5), ("TSKH", 0.1)),
}

#: Chance that a member with this degree (or title) keeps an expert profile.
_EXPERT_CHANCE: dict[str | None, float] = {
    "GS": 1.0,
    "PGS": 1.0,
    "TSKH": 1.0,
    "TS": 0.92,
    "BSCKII": 0.8,
    "ThS": 0.37,
    "BSCKI": 0.35,
    "KTS": 0.18,
    "LS": 0.18,
    "KS": 0.045,
    "BS": 0.06,
    "DS": 0.06,
    "CN": 0.01,
    None: 0.002,
}

#: Share of women by profile; engineering is still mostly men, nursing mostly women.
_FEMALE_SHARE = {
    "ENG": 0.22,
    "ARC": 0.3,
    "NAT": 0.45,
    "MED": 0.55,
    "PHA": 0.7,
    "NUR": 0.85,
    "TRD": 0.35,
    "AGR": 0.35,
    "LAW": 0.35,
    "SOC": 0.6,
}

_POSITIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    # category: positions by seniority level 0 (junior) .. 3 (head)
    "university": (
        ("Trợ giảng", "Giảng viên"),
        ("Giảng viên", "Giảng viên chính"),
        ("Giảng viên chính", "Trưởng bộ môn", "Phó Trưởng khoa"),
        ("Giảng viên cao cấp", "Trưởng khoa", "Phó Hiệu trưởng"),
    ),
    "institute": (
        ("Nghiên cứu viên",),
        ("Nghiên cứu viên", "Nghiên cứu viên chính"),
        ("Nghiên cứu viên chính", "Trưởng phòng nghiên cứu"),
        ("Nghiên cứu viên cao cấp", "Phó Viện trưởng", "Phó Giám đốc Trung tâm"),
    ),
    "agency": (
        ("Chuyên viên",),
        ("Chuyên viên", "Chuyên viên chính"),
        ("Phó Trưởng phòng", "Trưởng phòng"),
        ("Trưởng phòng", "Phó Chánh Văn phòng", "Thanh tra viên chính"),
    ),
    "company": (
        ("Nhân viên", "Kỹ thuật viên"),
        ("Chuyên viên",),
        ("Trưởng phòng Kỹ thuật", "Trưởng phòng Kế hoạch", "Phó Giám đốc"),
        ("Giám đốc", "Phó Tổng Giám đốc", "Giám đốc kỹ thuật"),
    ),
    "doctor": (
        ("Bác sĩ",),
        ("Bác sĩ điều trị",),
        ("Phó Trưởng khoa", "Trưởng khoa"),
        ("Trưởng khoa", "Phó Giám đốc bệnh viện"),
    ),
    "nurse": (
        ("Điều dưỡng", "Kỹ thuật viên y", "Y sĩ"),
        ("Điều dưỡng", "Hộ sinh"),
        ("Điều dưỡng trưởng khoa",),
        ("Điều dưỡng trưởng bệnh viện",),
    ),
    "pharmacist": (
        ("Dược sĩ",),
        ("Dược sĩ",),
        ("Trưởng khoa Dược", "Chủ nhà thuốc"),
        ("Trưởng khoa Dược", "Giám đốc công ty dược"),
    ),
    "school": (
        ("Giáo viên",),
        ("Giáo viên",),
        ("Tổ trưởng chuyên môn", "Phó Hiệu trưởng"),
        ("Hiệu trưởng",),
    ),
    "farm": (
        ("Xã viên", "Kỹ thuật viên"),
        ("Kỹ thuật viên", "Cán bộ khuyến nông"),
        ("Phó Giám đốc hợp tác xã", "Chủ trang trại"),
        ("Giám đốc hợp tác xã", "Chủ trang trại"),
    ),
    "law": (
        ("Chuyên viên pháp lý",),
        ("Chuyên viên pháp lý", "Công chứng viên"),
        ("Công chứng viên", "Trưởng văn phòng"),
        ("Trưởng văn phòng",),
    ),
    "office": (
        ("Chuyên viên",),
        ("Chuyên viên",),
        ("Phó Trưởng phòng", "Trưởng phòng"),
        ("Giám đốc",),
    ),
}

_PERSONAL_DOMAINS = ("example.com", "example.net", "example.org")


def _profile(discipline: str) -> str:
    """The professional profile that sets a person's likely degrees and positions."""
    special = {
        "ENG-ARC": "ARC",
        "MED-PHA": "PHA",
        "MED-NUR": "NUR",
        "MED-TRD": "TRD",
        "SOC-LAW": "LAW",
    }
    if discipline in special:
        return special[discipline]
    area = area_of(discipline)
    return {"HUM": "SOC", "MED": "MED", "AGR": "AGR", "NAT": "NAT", "SOC": "SOC"}.get(area, "ENG")


class _Picker(Generic[T]):
    """Weighted choice with the cumulative weights computed once, not on every call."""

    __slots__ = ("cum", "items")

    def __init__(self, pairs: Sequence[tuple[T, float]]):
        self.items = [p[0] for p in pairs]
        self.cum = list(itertools.accumulate(p[1] for p in pairs))

    def __call__(self, rng: random.Random) -> T:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _phone(rng: random.Random) -> str:
    digits = rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


# --- Organisations ---------------------------------------------------------------------


def _describe(spec: OrgSpec) -> str:
    fields = ", ".join(FIELDS_BY_CODE[c].name for c in spec.fields)
    lead = {
        "member_association": f"Hội thành viên của {UNION_NAME}.",
        "institute": f"Đơn vị khoa học và công nghệ trực thuộc {UNION_NAME}.",
        "club": f"Câu lạc bộ trực thuộc {UNION_NAME}.",
        "collective_member": f"Hội viên tập thể của {UNION_NAME}.",
    }.get(spec.kind, "")
    if spec.kind in ("member_association", "institute", "club") and spec.province == HD:
        lead += " Trước năm 2025 thuộc Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hải Dương."
    return f"{lead} Lĩnh vực: {fields}.".strip()


def _organizations(seed: int, rng: random.Random) -> tuple[OrganizationData, ...]:
    # Faker only names streets here (~120 calls): its vi_VN person names are few and in
    # Western order, so people's names come from the pools in ``data``; and its address
    # formats are southern ("hẻm", "khóm"), so the shape of the address is ours.
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    out = []
    for spec in data.ORGANIZATIONS:
        places = data.PLACES[spec.province or (HD if rng.random() < 0.2 else HP)]
        number = rng.randint(1, 320)
        street = fake.street_name()
        if rng.random() < 0.25:
            street = f"ngõ {rng.randint(2, 200)} {street}"
        address = f"Số {number} {street}, phường {rng.choice(places)}, thành phố Hải Phòng"
        host = f"{spec.code.lower()}.example.org"
        out.append(
            OrganizationData(
                code=spec.code,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                former_province=spec.province,
                parent_code=spec.parent,
                address=address,
                email=f"vanphong@{host}",
                phone=f"{data.AREA_CODES[spec.province]} {rng.randint(3500, 3999)} "
                f"{rng.randrange(1000):03d}",
                website=f"https://{host}",
                description=_describe(spec),
                field_codes=spec.fields,
            )
        )
    return tuple(out)


# --- People ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Pools:
    """Everything precomputed once per run so that each person is cheap."""

    family: _Picker[str]
    middle: dict[str, _Picker[str]]
    given: dict[str, tuple[str, ...]]
    degree: dict[str, _Picker[str | None]]
    union: tuple[OrgSpec, ...]
    union_pick: _Picker[OrgSpec]
    union_by_area: dict[str, tuple[OrgSpec, ...]]
    employers_by_field: dict[str, tuple[OrgSpec, ...]]
    free_employers: dict[tuple[str, str], tuple[tuple[str, str], ...]]
    ascii: dict[str, str]


def _free_employer_category(name: str) -> str:
    if name.startswith(
        ("Bệnh viện", "Trung tâm Y tế", "Trạm Y tế", "Phòng khám", "Trung tâm Kiểm soát")
    ):
        return "health"
    if name.startswith("Nhà thuốc"):
        return "pharmacy"
    if name.startswith("Trường"):
        return "school"
    if name.startswith(("Hợp tác xã", "Trang trại", "Trạm Khuyến nông", "Trung tâm Giống")):
        return "farm"
    if name.startswith(("Văn phòng Luật sư", "Phòng Công chứng")):
        return "law"
    if name.startswith(("Công ty", "Ngân hàng", "Ban Quản lý")):
        return "company"
    return "office"


def _pools() -> _Pools:
    union = data.MEMBER_ASSOCIATIONS + data.INSTITUTES + data.CLUBS + data.COLLECTIVE_MEMBERS
    areas = ("NAT", "ENG", "MED", "AGR", "SOC", "HUM")
    union_by_area = {
        a: tuple(o for o in union if any(area_of(f) == a for f in o.fields)) for a in areas
    }
    # Employers that are organisations of the demo: outside bodies plus the union's own
    # institutes and collective members, which employ staff.
    employing = tuple(o for o in data.ORGANIZATIONS if o.kind not in ("member_association", "club"))
    employers_by_field: dict[str, tuple[OrgSpec, ...]] = {}
    for d in DISCIPLINES:
        exact = tuple(o for o in employing if d.code in o.fields)
        near = tuple(o for o in employing if any(area_of(f) == d.parent for f in o.fields))
        employers_by_field[d.code] = exact or near or data.UNIVERSITIES
    free: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for area, templates in data.EMPLOYER_TEMPLATES.items():
        for province in (HP, HD):
            names: list[str] = []
            for t in templates:
                if "{p}" in t:
                    names.extend(t.format(p=p) for p in data.PLACES[province])
                elif "{s}" in t:
                    names.extend(t.format(s=s) for s in data.SCHOOL_NAMES)
                else:
                    names.append(t)
            free[(area, province)] = tuple((n, _free_employer_category(n)) for n in names)
    given_m = tuple(dict.fromkeys(data.GIVEN_MALE))
    given_f = tuple(dict.fromkeys(data.GIVEN_FEMALE))
    # Every word a name can contain, folded to ASCII once, for e-mail addresses.
    words = {*given_m, *given_f, *data.SECOND_MIDDLE_FEMALE, *data.SECOND_MIDDLE_MALE}
    words |= {n for n, _ in (*data.FAMILY_NAMES, *data.MIDDLE_MALE, *data.MIDDLE_FEMALE)}
    return _Pools(
        family=_Picker(data.FAMILY_NAMES),
        middle={"male": _Picker(data.MIDDLE_MALE), "female": _Picker(data.MIDDLE_FEMALE)},
        given={"male": given_m, "female": given_f},
        degree={k: _Picker(v) for k, v in _DEGREE_MIX.items()},
        union=union,
        union_pick=_Picker([(o, o.weight) for o in union]),
        union_by_area=union_by_area,
        employers_by_field=employers_by_field,
        free_employers=free,
        ascii={w: fold(w) for w in sorted(words)},
    )


def _name(rng: random.Random, pools: _Pools, gender: str) -> str:
    """A full name, family name first as Vietnamese write it: "Nguyễn Thị Thu Hằng"."""
    family = pools.family(rng)
    given = rng.choice(pools.given[gender])
    middle = pools.middle[gender](rng)
    while middle == given:  # "Nguyễn Thanh Thanh" is not a name anyone is given
        middle = pools.middle[gender](rng)
    second = ""
    if gender == "female" and middle == "Thị" and rng.random() < 0.3:
        second = rng.choice(data.SECOND_MIDDLE_FEMALE)
    elif gender == "male" and middle == "Văn" and rng.random() < 0.05:
        second = rng.choice(data.SECOND_MIDDLE_MALE)
    if second == given:
        second = ""
    parts = [family, middle, second, given] if second else [family, middle, given]
    return " ".join(parts)


def _email(
    rng: random.Random,
    pools: _Pools,
    full_name: str,
    birth_year: int,
    employer: OrgSpec | None,
    used: dict[str, int],
) -> str:
    words = full_name.split()
    given, family, middles = words[-1], words[0], words[1:-1]
    a = pools.ascii
    style = rng.random()
    if style < 0.45:  # "annv": given name and initials, the usual Vietnamese office style
        local = a[given] + a[family][0] + "".join(a[m][0] for m in middles)
    elif style < 0.8:
        local = f"{a[given]}.{a[family]}{''.join(a[m][0] for m in middles)}"
    else:
        local = f"{a[family]}{a[given]}{birth_year % 100:02d}"
    if employer is not None and rng.random() < 0.6:
        domain = f"{employer.code.lower()}.example.org"
    else:
        domain = rng.choice(_PERSONAL_DOMAINS)
    address = f"{local}@{domain}"
    n = used.get(address, 0)
    used[address] = n + 1
    if n:
        address = f"{local}{n + 1}@{domain}"
        # "an2" can collide with a real "an2"; bump until free (rare, cheap).
        while address in used:
            n += 1
            address = f"{local}{n + 1}@{domain}"
        used[address] = 1
    return address


def _level(age: int, degree: str | None, title: str | None, rng: random.Random) -> int:
    """Seniority 0 (junior) to 3 (head): a pyramid, heads are few and rarely young."""
    rank = DEGREE_RANK.get(degree or "", 0) + (2 if title else 0)
    if age < 32:
        return 0
    roll = rng.random()
    head = 0.03 + 0.04 * (rank >= 5) + 0.08 * (title is not None)
    if age >= 45 and roll < head:
        return 3
    if age >= 38 and roll < head + 0.12 + 0.1 * (rank >= 4):
        return 2
    return 1 if roll < 0.8 else 0


#: Posts an employer has only one (or a few) of; beyond that a person gets a lower post.
_POST_CAPS = {
    "Hiệu trưởng": 1, "Phó Hiệu trưởng": 3, "Phó Viện trưởng": 3, "Phó Giám đốc Trung tâm": 2,
    "Giám đốc": 1, "Phó Giám đốc": 3, "Phó Tổng Giám đốc": 3, "Giám đốc kỹ thuật": 1,
    "Phó Giám đốc bệnh viện": 3, "Điều dưỡng trưởng bệnh viện": 1, "Giám đốc hợp tác xã": 1,
    "Phó Giám đốc hợp tác xã": 2, "Phó Chánh Văn phòng": 2, "Trưởng văn phòng": 1,
    "Giám đốc công ty dược": 1, "Trưởng khoa Dược": 1, "Chủ trang trại": 1,
    "Chủ nhà thuốc": 1, "Trưởng phòng Kỹ thuật": 1, "Trưởng phòng Kế hoạch": 1,
}  # fmt: skip


def _position(
    category: str,
    profile: str,
    degree: str | None,
    level: int,
    rng: random.Random,
    employer: str | None = None,
    posts: dict[tuple[str, str], int] | None = None,
) -> str:
    """A plausible post for this kind of employer; capped posts are given out once each."""
    if category in ("health", "pharmacy"):
        if profile == "PHA" or degree == "DS" or category == "pharmacy":
            category = "pharmacist"
        elif degree in ("BS", "BSCKI", "BSCKII") or (
            profile in ("MED", "TRD") and degree in ("TS", "ThS")
        ):
            category = "doctor"
        else:
            category = "nurse"
    if category == "law" and degree == "LS" and level >= 1:
        return "Luật sư"
    if category == "company" and degree in ("KS", "KTS") and level <= 1:
        return "Kiến trúc sư" if degree == "KTS" else "Kỹ sư"
    for lvl in range(level, -1, -1):
        post = rng.choice(_POSITIONS[category][lvl])
        cap = _POST_CAPS.get(post)
        if cap is None or employer is None or posts is None:
            return post
        taken = posts.get((employer, post), 0)
        if taken < cap:
            posts[(employer, post)] = taken + 1
            return post
    return _POSITIONS[category][0][0]


def _org_category(org: OrgSpec) -> str:
    if org.kind == "collective_member":
        # Collective members are schools, institutes and firms; their posts differ.
        if org.name.startswith("Trường"):
            return "university"
        if org.name.startswith("Viện"):
            return "institute"
        return "company"
    return {"university": "university", "institute": "institute", "agency": "agency"}.get(
        org.kind, "company"
    )


#: Where a retired expert most likely worked, by profile (their former post is shown).
_RETIRED_FROM = {
    "ENG": ("company", "agency", "university", "institute"),
    "ARC": ("company", "agency", "university"),
    "NAT": ("university", "institute", "school", "agency"),
    "MED": ("health",), "PHA": ("pharmacy", "health"), "NUR": ("health",), "TRD": ("health",),
    "AGR": ("agency", "farm", "institute", "university"),
    "LAW": ("law", "agency", "university"),
    "SOC": ("university", "agency", "school", "office"),
}  # fmt: skip


def _bio(
    rng: random.Random,
    position: str | None,
    employer: str | None,
    fields: list[str],
    keywords: list[str],
    age: int,
    degree: str | None,
    retired: bool,
) -> str:
    field = _lower_first(FIELDS_BY_CODE[fields[0]].name)
    years = max(3, age - 24 - rng.randint(0, 4))
    kw = keywords[0]
    if retired and position:
        first = f"{position}, hơn {years} năm công tác trong lĩnh vực {field}."
    elif position and employer:
        first = f"{position} tại {employer}, {years} năm kinh nghiệm về {kw}."
    else:
        first = f"Chuyên gia {field}, nhiều năm kinh nghiệm về {kw}."
    rest = keywords[1:]
    if not rest or rng.random() < 0.35:
        return first
    second_kw = " và ".join(rest[:2])
    options = [
        f"Quan tâm đến {second_kw}.",
        f"Đã tham gia tư vấn, phản biện nhiều đề án, dự án của thành phố về {second_kw}.",
        f"Sẵn sàng tham gia các hội đồng tư vấn, phản biện về {field}.",
    ]
    if degree in ("TS", "TSKH"):
        options.append(f"Chủ nhiệm và tham gia nhiều đề tài khoa học cấp thành phố về {rest[0]}.")
    return f"{first} {rng.choice(options)}"


def _person(
    rng: random.Random,
    pools: _Pools,
    org: OrgSpec,
    used_emails: dict[str, int],
    posts: dict[tuple[str, str], int],
) -> PersonData:
    # The primary organisation decides the discipline, which decides everything else.
    discipline = org.fields[0] if rng.random() < 0.55 else rng.choice(org.fields)
    profile = _profile(discipline)
    gender = "female" if rng.random() < _FEMALE_SHARE[profile] else "male"
    full_name = _name(rng, pools, gender)
    birth_year = round(rng.triangular(REFERENCE_YEAR - 80, REFERENCE_YEAR - 24, 1975))
    age = REFERENCE_YEAR - birth_year

    degree = pools.degree[profile](rng)
    if degree in ("TS", "TSKH") and age < 30:
        degree = "ThS"
    elif degree == "BSCKII" and age < 35:
        degree = "BSCKI"
    title = None
    if degree in ("TS", "TSKH"):
        roll = rng.random()
        if age >= 55 and roll < 0.035:
            title = "GS"
        elif age >= 40 and roll < 0.16:
            title = "PGS"

    chance = _EXPERT_CHANCE[title or degree]
    if org.kind == "institute":
        chance = min(1.0, chance * 1.5)
    is_expert = rng.random() < chance

    fields: list[str] = []
    keywords: list[str] = []
    if is_expert:
        fields.append(discipline)
        if rng.random() < 0.45:
            roll = rng.random()
            if roll < 0.6 and len(org.fields) > 1:
                extra = rng.choice(org.fields)
            elif roll < 0.9:
                extra = rng.choice([d.code for d in DISCIPLINES if d.parent == area_of(discipline)])
            else:
                extra = rng.choice(DISCIPLINES).code
            if extra not in fields:
                fields.append(extra)
        k = rng.choice((2, 3, 3, 4, 4, 5, 6))
        own = EXPERTISE[discipline]
        keywords = rng.sample(own, min(k, len(own)))
        if len(fields) > 1:
            keywords.append(rng.choice(EXPERTISE[fields[1]]))
        keywords = list(dict.fromkeys(keywords))

    # Employment: most people over 62 are retired; experts and the highly qualified
    # work for universities, institutes and agencies more often than other members.
    retired = age >= 62 and rng.random() < 0.85
    employer: OrgSpec | None = None
    employer_name: str | None = None
    position: str | None = None
    if retired:
        if is_expert:
            category = rng.choice(_RETIRED_FROM[profile])
            level = rng.choice((2, 2, 2, 3))
            position = "Nguyên " + _position(category, profile, degree, level, rng)
        elif rng.random() < 0.5:
            position = "Cán bộ hưu trí"
    elif degree is None and not is_expert and rng.random() < 0.4:
        pass  # farmers, workers, the self-employed: no employer on record
    else:
        level = _level(age, degree, title, rng)
        rank = DEGREE_RANK.get(degree or "", 0)
        if rng.random() < (0.6 if is_expert else 0.25) + (0.15 if rank >= 5 else 0.0):
            candidates = pools.employers_by_field[discipline]
            if rank >= 5 or title:
                academic = [o for o in candidates if o.kind in ("university", "institute")]
                if academic and rng.random() < 0.75:
                    candidates = tuple(academic)
            employer = rng.choice(candidates)
            category = _org_category(employer)
            position = _position(category, profile, degree, level, rng, employer.code, posts)
        else:
            province = org.province or (HD if rng.random() < 0.4 else HP)
            area = area_of(discipline)
            name, category = rng.choice(pools.free_employers[(area, province)])
            employer_name = name
            position = _position(category, profile, degree, level, rng, name, posts)

    has_email = rng.random() < (0.95 if is_expert else 0.7)
    email = _email(rng, pools, full_name, birth_year, employer, used_emails) if has_email else None
    phone = _phone(rng) if rng.random() < (0.9 if is_expert else 0.65) else None
    bio = None
    if is_expert:
        employer_label = employer.name if employer else employer_name
        bio = _bio(rng, position, employer_label, fields, keywords, age, degree, retired)
    return PersonData(
        full_name=full_name,
        gender=gender,
        birth_year=birth_year,
        academic_title=title,
        degree=degree,
        position=position,
        employer_code=employer.code if employer else None,
        employer_name=employer_name,
        email=email,
        phone=phone,
        bio=bio,
        expertise=tuple(keywords),
        field_codes=tuple(fields),
        public_profile=is_expert and rng.random() < 0.4,
        available=not is_expert or rng.random() < 0.88,
        max_assignments=rng.choice((1, 2, 2, 3, 3, 3, 3, 4, 5)) if is_expert else 3,
    )


# --- Memberships -----------------------------------------------------------------------


def _joined(rng: random.Random, birth_year: int) -> date:
    first = min(REFERENCE_YEAR, max(birth_year + 22, 1990))
    return date(rng.randint(first, REFERENCE_YEAR), rng.randint(1, 12), rng.randint(1, 28))


def _seniority(p: PersonData) -> float:
    title = {"GS": 4.0, "PGS": 3.0}.get(p.academic_title or "", 0.0)
    age = REFERENCE_YEAR - p.birth_year
    # Boards are led by the senior and qualified, but not by the very old.
    age_score = min(age, 68) / 15 - (2.0 if age > 75 else 0.0)
    return DEGREE_RANK.get(p.degree or "", 0) + title + age_score + (1.5 if p.is_expert else 0)


def _memberships(
    rng: random.Random, pools: _Pools, people: Sequence[PersonData], primary: Sequence[OrgSpec]
) -> tuple[MembershipData, ...]:
    n = len(people)
    joined: dict[tuple[int, str], date] = {}
    members: dict[str, list[int]] = {o.code: [] for o in pools.union}

    def join(i: int, org: OrgSpec) -> bool:
        if (i, org.code) in joined:
            return False
        joined[(i, org.code)] = _joined(rng, people[i].birth_year)
        members[org.code].append(i)
        return True

    for i, (person, org) in enumerate(zip(people, primary, strict=True)):
        join(i, org)
        # Some people belong to two or three organisations; experts more often.
        extra = 0
        roll = rng.random()
        if roll < (0.3 if person.is_expert else 0.08):
            extra = 2 if rng.random() < 0.2 else 1
        area = area_of(person.field_codes[0] if person.field_codes else org.fields[0])
        for _ in range(extra):
            for _attempt in range(3):
                pool = pools.union_by_area[area] if rng.random() < 0.7 else pools.union
                if join(i, rng.choice(pool)):
                    break

    # Every union organisation has a few members, even in a tiny demo.
    if n:
        for org in pools.union:
            want = min(5, n)
            while len(members[org.code]) < want:
                join(rng.randrange(n), org)

    roles: dict[tuple[int, str], str] = {}
    for org in pools.union:
        ids = members[org.code]
        ranked = sorted(ids, key=lambda i: _seniority(people[i]) + rng.random() * 2, reverse=True)
        size = len(ranked)
        if org.kind == "member_association":
            vices = 2 + (size >= 60) + (size >= 500)
            board = min(15, max(2, size // 8))
        else:
            vices = 1 + (size >= 40)
            board = min(5, size // 10)
        if not ranked:
            continue
        roles[(ranked[0], org.code)] = "chair"
        rest = ranked[1:]
        for i in rest[:vices]:
            roles[(i, org.code)] = "vice_chair"
        rest = rest[vices:]
        if rest:
            # The secretary does the work: a qualified member, not necessarily the most senior.
            sec = rest.pop(rng.randrange(min(len(rest), 3 * vices + 3)))
            roles[(sec, org.code)] = "secretary"
        for i in rest[:board]:
            roles[(i, org.code)] = "board_member"

    out = [
        MembershipData(
            person=i, org_code=code, role=roles.get((i, code), "member"), started_on=started
        )
        for (i, code), started in joined.items()
    ]
    out.sort(key=lambda m: m.person)  # stable: keeps join order within a person
    return tuple(out)


def generate_union(n_people: int, seed: int = 1) -> UnionData:
    """The synthetic union: its organisations, ``n_people`` members and their memberships."""
    if n_people < 0:
        raise ValueError("n_people must not be negative")
    rng = random.Random(seed)
    organizations = _organizations(seed, rng)
    pools = _pools()
    used_emails: dict[str, int] = {}
    posts: dict[tuple[str, str], int] = {}
    primary = [pools.union_pick(rng) for _ in range(n_people)]
    people = tuple(_person(rng, pools, org, used_emails, posts) for org in primary)
    memberships = _memberships(rng, pools, people, primary)
    return UnionData(seed=seed, organizations=organizations, people=people, memberships=memberships)
