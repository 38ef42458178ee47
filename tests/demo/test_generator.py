"""The synthetic union as pure data: composition, determinism, realism."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from expertnet.demo.generator import REFERENCE_YEAR, UnionData, generate_union
from expertnet.directory.models import (
    AcademicTitle,
    Degree,
    Gender,
    MembershipRole,
    OrganizationKind,
)
from expertnet.directory.schemas import PHONE_RE
from expertnet.directory.taxonomy import DISCIPLINES, EXPERTISE

N = 2000
DISCIPLINE_CODES = {d.code for d in DISCIPLINES}
UNION_KINDS = ("member_association", "institute", "club", "collective_member")


@pytest.fixture(scope="module")
def union() -> UnionData:
    return generate_union(N, seed=1)


def _nfc(text: str | None) -> bool:
    return text is None or unicodedata.is_normalized("NFC", text)


def test_union_has_the_composition_of_the_brief(union):
    kinds = Counter(o.kind for o in union.organizations)
    assert kinds["member_association"] == 49
    assert kinds["institute"] == 12
    assert kinds["club"] == 8
    assert kinds["collective_member"] == 15
    assert sum(kinds[k] for k in UNION_KINDS) == 84
    assert 10 <= kinds["agency"] <= 15
    assert kinds["university"] >= 4
    assert kinds["enterprise"] >= 5
    assert set(kinds) <= set(OrganizationKind.values())


def test_member_associations_come_29_from_hai_phong_and_20_from_hai_duong(union):
    provinces = Counter(
        o.former_province for o in union.organizations if o.kind == "member_association"
    )
    assert provinces == {"hai_phong": 29, "hai_duong": 20}


def test_organisations_have_distinct_codes_names_and_known_parents(union):
    codes = [o.code for o in union.organizations]
    names = [o.name for o in union.organizations]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    assert all(len(c) <= 32 and c.isascii() for c in codes)
    for o in union.organizations:
        assert o.parent_code is None or o.parent_code in codes
        assert o.field_codes and set(o.field_codes) <= DISCIPLINE_CODES
        assert PHONE_RE.match(o.phone)
    associations = [o for o in union.organizations if o.kind == "member_association"]
    assert all(o.name.startswith("Hội ") for o in associations)
    assert all("Hải Dương" in o.name for o in associations if o.former_province == "hai_duong")
    names_of = {o.code: o.name for o in union.organizations}
    assert names_of["UBND-HP"] == "Ủy ban nhân dân thành phố Hải Phòng"
    assert "Trường Đại học Hàng hải Việt Nam" in names


def test_same_seed_gives_the_same_union_and_another_seed_another(union):
    assert generate_union(N, seed=1) == union
    other = generate_union(N, seed=2)
    assert other.people != union.people
    assert [o.code for o in other.organizations] == [o.code for o in union.organizations]


def test_all_text_is_nfc(union):
    for o in union.organizations:
        assert all(_nfc(t) for t in (o.name, o.short_name, o.address, o.description))
    for p in union.people:
        texts = (p.full_name, p.position, p.employer_name, p.bio, *p.expertise)
        assert all(_nfc(t) for t in texts), p


def test_full_names_are_vietnamese_family_name_first(union):
    families = Counter(p.full_name.split()[0] for p in union.people)
    assert all(3 <= len(p.full_name.split()) <= 4 for p in union.people)
    share_nguyen = families["Nguyễn"] / N
    assert 0.25 < share_nguyen < 0.5
    assert families.most_common(4)[0][0] == "Nguyễn"
    assert {"Trần", "Lê", "Phạm"} <= {f for f, _ in families.most_common(6)}
    # Women are usually "… Thị …"; men never are.
    assert not any(" Thị " in p.full_name for p in union.people if p.gender == "male")
    assert len({p.full_name for p in union.people}) > N * 0.6


def test_emails_are_unique_ascii_and_some_are_missing(union):
    emails = [p.email for p in union.people if p.email]
    assert len(set(emails)) == len(emails)
    assert all(e.isascii() and e.count("@") == 1 and e == e.lower() for e in emails)
    assert all(e.split("@")[1].endswith(("example.com", "example.net", "example.org"))
               for e in emails)  # fmt: skip
    assert 0.6 * N < len(emails) < 0.95 * N


def test_phones_look_vietnamese_and_some_are_missing(union):
    phones = [p.phone for p in union.people if p.phone]
    assert 0.5 * N < len(phones) < 0.95 * N
    assert all(PHONE_RE.match(ph) and ph.startswith("0") for ph in phones)
    assert all(len(ph.replace(" ", "")) == 10 for ph in phones)


def test_people_values_fit_the_model_enums(union):
    for p in union.people:
        assert p.gender in Gender.values()
        assert p.degree is None or p.degree in Degree.values()
        assert p.academic_title is None or p.academic_title in AcademicTitle.values()
        assert REFERENCE_YEAR - 80 <= p.birth_year <= REFERENCE_YEAR - 22
        assert p.max_assignments >= 0
        assert len(p.full_name) <= 200 and (p.position is None or len(p.position) <= 200)


def test_titles_and_degrees_have_a_realistic_spread(union):
    degrees = Counter(p.degree for p in union.people)
    titles = Counter(p.academic_title for p in union.people)
    plain = sum(degrees[d] for d in (None, "CN", "KS", "BS", "DS", "LS", "KTS"))
    assert plain / N > 0.7  # most members are bachelors, engineers or have no degree
    assert 0.05 < degrees["ThS"] / N < 0.2
    assert 0.015 < (degrees["TS"] + degrees["TSKH"]) / N < 0.07
    assert 0 < titles["PGS"] < degrees["TS"] + degrees["TSKH"]
    assert titles["GS"] <= titles["PGS"]
    # A professor is a doctor first.
    assert all(p.degree in ("TS", "TSKH") for p in union.people if p.academic_title)


def test_about_a_tenth_are_experts_with_fields_keywords_and_bio(union):
    experts = [p for p in union.people if p.is_expert]
    assert 0.06 < len(experts) / N < 0.16
    for p in experts:
        assert p.field_codes and set(p.field_codes) <= DISCIPLINE_CODES
        assert len(set(p.field_codes)) == len(p.field_codes)
        assert len(p.expertise) >= 2
        allowed = {kw for code in p.field_codes for kw in EXPERTISE[code]}
        assert set(p.expertise) <= allowed
        assert p.bio and p.bio.endswith(".") and p.bio.count(".") <= 3
    for p in union.people:
        if not p.is_expert:
            assert not p.field_codes and not p.expertise and not p.public_profile
    public = sum(p.public_profile for p in experts) / len(experts)
    assert 0.3 < public < 0.5


def test_employer_is_an_organisation_or_a_name_never_both(union):
    kinds = {o.code: o.kind for o in union.organizations}
    with_org = [p for p in union.people if p.employer_code]
    assert with_org and any(p.employer_name for p in union.people)
    for p in union.people:
        assert not (p.employer_code and p.employer_name)
    assert {kinds[p.employer_code] for p in with_org} >= {"university", "agency", "enterprise"}
    assert all(kinds[p.employer_code] not in ("member_association", "club") for p in with_org)


def test_every_member_belongs_to_one_to_three_organisations(union):
    per_person = Counter(m.person for m in union.memberships)
    assert set(per_person) == set(range(N))
    spread = Counter(per_person.values())
    assert set(spread) == {1, 2, 3}
    assert 0.05 < (spread[2] + spread[3]) / N < 0.25
    pairs = [(m.person, m.org_code) for m in union.memberships]
    assert len(set(pairs)) == len(pairs)
    assert [m.person for m in union.memberships] == sorted(m.person for m in union.memberships)


def test_memberships_are_in_union_organisations_and_start_after_adulthood(union):
    kinds = {o.code: o.kind for o in union.organizations}
    for m in union.memberships:
        assert kinds[m.org_code] in UNION_KINDS
        assert m.role in MembershipRole.values()
        born = union.people[m.person].birth_year
        assert born + 18 <= m.started_on.year <= REFERENCE_YEAR


def test_every_union_organisation_has_a_board(union):
    roles: dict[str, Counter] = {}
    for m in union.memberships:
        roles.setdefault(m.org_code, Counter())[m.role] += 1
    union_orgs = [o for o in union.organizations if o.kind in UNION_KINDS]
    for o in union_orgs:
        r = roles[o.code]
        assert r["chair"] == 1, o.code
        assert r["secretary"] == 1, o.code
        assert r["vice_chair"] >= 1, o.code
        if o.kind == "member_association":
            assert r["vice_chair"] >= 2 and r["board_member"] >= 2, o.code


def test_chairs_are_more_senior_than_ordinary_members(union):
    def rank(i: int) -> float:
        p = union.people[i]
        return (p.degree in ("TS", "TSKH")) + (p.academic_title is not None) + p.is_expert

    chairs = [rank(m.person) for m in union.memberships if m.role == "chair"]
    members = [rank(m.person) for m in union.memberships if m.role == "member"]
    assert sum(chairs) / len(chairs) > 2 * sum(members) / len(members)


def test_an_empty_union_still_has_its_organisations():
    empty = generate_union(0, seed=1)
    assert len(empty.organizations) > 84 and not empty.people and not empty.memberships
    with pytest.raises(ValueError, match="n_people"):
        generate_union(-1, seed=1)


@pytest.mark.slow
def test_the_full_union_has_every_member_and_unique_addresses():
    # How long it takes is measured in bench/, not asserted here: tests never time things.
    union = generate_union(108_000, seed=1)
    assert len(union.people) == 108_000
    emails = [p.email for p in union.people if p.email]
    assert len(set(emails)) == len(emails)


def test_an_employer_has_one_rector_and_few_deputies():
    union = generate_union(30_000, seed=3)
    posts = Counter(
        (p.employer_code or p.employer_name, p.position)
        for p in union.people
        if p.employer_code or p.employer_name
    )
    rectors = [n for (_, post), n in posts.items() if post == "Hiệu trưởng"]
    deputies = [n for (_, post), n in posts.items() if post == "Phó Hiệu trưởng"]
    assert rectors and max(rectors) == 1
    assert deputies and max(deputies) <= 3
    heads = sum(n for (_, post), n in posts.items() if post.startswith(("Giám đốc", "Hiệu")))
    assert heads < 0.05 * sum(posts.values())
