"""Reading publication files: every format, entry by entry, bad entries named with a reason."""

from __future__ import annotations

import pytest

from expertnet.scholarly.importers import (
    ImportFormatError,
    normalize_doi,
    normalize_orcid,
    parse_file,
    person_name,
    title_key,
)


def test_bibtex_decodes_latex_and_keeps_vietnamese_name_order(fixture_bytes):
    parsed = parse_file(fixture_bytes("publications.bib"), "x.bib")
    assert parsed.format == "bibtex"
    first = parsed.works[0]
    assert first.title == "Quản lý chất lượng nước in whiteleg shrimp ponds"
    assert [a.name for a in first.authors] == ["Nguyễn Văn An", "Trần Thị Bình", "John Smith"]
    assert first.doi == "10.1234/vjas.2023.21.4.455"
    assert first.pages == "455–463"
    assert first.language == "vi"
    assert first.keywords == ["nuôi tôm", "chất lượng nước"]
    assert [w.type for w in parsed.works] == ["journal_article", "conference_paper", "book"]
    assert parsed.works[2].isbn == "978-604-60-0000-1"


def test_bibtex_bad_entries_are_reported_one_by_one(fixture_bytes):
    parsed = parse_file(fixture_bytes("publications.bib"), "x.bib")
    reasons = {r.entry.split(":")[0]: r.reason for r in parsed.rejected}
    assert "noyear" in reasons and "year" in reasons["noyear"]
    assert any("BibTeX" in r.reason for r in parsed.rejected)
    assert len(parsed.works) == 3  # the good ones still come in


def test_ris_entries_with_pages_keywords_and_a_missing_title(fixture_bytes):
    parsed = parse_file(fixture_bytes("publications.ris"), "x.ris")
    assert parsed.format == "ris"
    article, report = parsed.works
    assert article.venue == "Journal of Coastal Research"
    assert article.pages == "101–109"
    assert article.doi == "10.2112/jcoastres-d-20-00001.1"
    assert article.keywords == ["mangrove", "coastal protection"]
    assert article.language == "en"
    assert report.type == "report"
    assert [r.reason for r in parsed.rejected] == ["The work has no title."]


def test_csl_json_drops_a_script_url_and_rejects_a_blank_title(fixture_bytes):
    parsed = parse_file(fixture_bytes("publications.csl.json"), "x.json")
    assert parsed.format == "csl"
    article, chapter = parsed.works
    assert article.year == 2022 and article.language == "vi"
    assert [a.name for a in article.authors] == ["Nguyễn Văn An", "Hoàng Minh"]
    assert chapter.type == "chapter" and chapter.url is None
    assert len(parsed.rejected) == 1


def test_recorded_crossref_answer_is_read(fixture_bytes):
    parsed = parse_file(fixture_bytes("crossref_work.json"), "work.json")
    assert parsed.format == "crossref"
    (work,) = parsed.works
    assert work.doi == "10.1371/journal.pone.0033693"
    assert work.year == 2012
    assert work.venue == "PLoS ONE"
    assert work.authors[0].name == "Shankar Sadasivan"
    assert len(work.authors) == 6


def test_recorded_orcid_works_are_read_and_a_handle_is_no_doi(fixture_bytes):
    parsed = parse_file(fixture_bytes("orcid_works.json"), "works.json")
    assert parsed.format == "orcid"
    seal, etd = parsed.works
    assert seal.doi == "10.3354/meps09890" and seal.type == "journal_article"
    assert seal.year == 2012
    assert etd.doi is None and etd.type == "conference_paper"


def test_openalex_abstract_is_rebuilt_from_the_inverted_index(fixture_bytes):
    parsed = parse_file(fixture_bytes("openalex_works.json"), "oa.json")
    assert parsed.format == "openalex"
    (work,) = parsed.works
    assert work.abstract.startswith("Intensive shrimp ponds need aeration;")
    assert work.authors[0].orcid == "0000-0002-1825-0097"
    assert work.venue == "Aquaculture"


def test_csv_list_with_vietnamese_headers_and_a_bad_doi():
    data = (
        "Tên bài báo,Tác giả,Năm,Tạp chí,doi,loại\n"
        "Nuôi tôm thẻ chân trắng,Nguyễn Văn An; Trần Thị Bình,2022,Tạp chí Thủy sản,,bài báo\n"
        "Bài có DOI sai,Nguyễn Văn An,2021,X,not-a-doi,\n"
    ).encode()
    parsed = parse_file(data, "list.csv")
    assert parsed.format == "csv"
    (work,) = parsed.works
    assert [a.name for a in work.authors] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert work.type == "journal_article"
    assert parsed.rejected[0].entry == "row 3"
    assert "DOI" in parsed.rejected[0].reason


def test_csv_formulas_are_refused_like_rosters():
    with pytest.raises(ImportFormatError):
        parse_file(b'title,year\n=HYPERLINK("x"),2020\n', "list.csv")


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"\x00\x01\x02binary", b"just some words", b"{not json"],
)
def test_unreadable_files_are_refused_whole(data):
    with pytest.raises(ImportFormatError):
        parse_file(data, "file.dat")


def test_thousands_of_authors_are_bounded():
    authors = " and ".join(f"Author{i}, A" for i in range(1200))
    bib = f"@article{{big, title={{Higgs}}, year=2012, author={{{authors}}}}}".encode()
    (work,) = parse_file(bib, "x.bib").works
    assert len(work.authors) == 500
    assert work.authors_truncated == 700


def test_identifiers_are_normalised():
    assert normalize_doi("https://doi.org/10.1000/ABC.1") == "10.1000/abc.1"
    assert normalize_doi("doi:10.1000/x") == "10.1000/x"
    assert normalize_doi("http://hdl.handle.net/2080/2662") is None
    assert normalize_orcid("https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"
    assert normalize_orcid("0000-0002-1825-0098") is None  # wrong check digit
    assert title_key("Nuôi tôm: thẻ chân trắng!") == title_key("nuoi TOM the chan trang")
    assert person_name("Smith", "John") == "John Smith"
    assert person_name("Nguyễn", "Văn An") == "Nguyễn Văn An"
