"""Benchmark the Whoosh expert index against SQLite FTS5 on the same synthetic union."""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from search_index import ExpertIndex, SearchQuery, fold  # noqa: E402
from search_index.text import normalize_text  # noqa: E402

# -- fallback data generator ---------------------------------------------------------

FIELDS: dict[str, tuple[str, str, list[str]]] = {
    "ENG-IT": (
        "Công nghệ thông tin",
        "Information technology",
        [
            "trí tuệ nhân tạo",
            "học máy",
            "an toàn thông tin",
            "chuyển đổi số",
            "dữ liệu lớn",
            "phần mềm nguồn mở",
            "điện toán đám mây",
            "mạng máy tính",
            "thị giác máy tính",
            "xử lý ngôn ngữ tự nhiên",
            "hệ thống thông tin địa lý",
            "chính phủ điện tử",
        ],
    ),
    "AGR-AQU": (
        "Nuôi trồng thủy sản",
        "Aquaculture",
        [
            "nuôi trồng thủy sản",
            "nuôi tôm thẻ chân trắng",
            "bệnh học thủy sản",
            "thức ăn thủy sản",
            "khai thác hải sản",
            "nuôi cá lồng bè",
            "giống thủy sản",
            "môi trường ao nuôi",
            "chế biến thủy sản",
        ],
    ),
    "AGR-CRO": (
        "Trồng trọt",
        "Crop science",
        [
            "giống lúa",
            "bảo vệ thực vật",
            "phân bón hữu cơ",
            "nông nghiệp công nghệ cao",
            "cây ăn quả",
            "thổ nhưỡng",
            "nông nghiệp hữu cơ",
            "canh tác lúa nước",
        ],
    ),
    "ECO": (
        "Kinh tế",
        "Economics",
        [
            "kinh tế biển",
            "kinh tế phát triển",
            "tài chính ngân hàng",
            "đầu tư công",
            "kinh tế số",
            "logistics",
            "thương mại quốc tế",
            "quản trị doanh nghiệp",
            "kinh tế tuần hoàn",
            "thị trường bất động sản",
        ],
    ),
    "LAW": (
        "Luật",
        "Law",
        [
            "luật hành chính",
            "luật đất đai",
            "luật môi trường",
            "luật doanh nghiệp",
            "pháp luật lao động",
            "luật xây dựng",
            "tố tụng dân sự",
            "luật hình sự",
        ],
    ),
    "MED": (
        "Y học",
        "Medicine",
        [
            "y tế công cộng",
            "dịch tễ học",
            "tim mạch",
            "ung bướu",
            "nhi khoa",
            "ngoại khoa",
            "y học cổ truyền",
            "dinh dưỡng",
            "phục hồi chức năng",
            "sức khỏe nghề nghiệp",
        ],
    ),
    "ENG-CON": (
        "Xây dựng",
        "Construction",
        [
            "kết cấu bê tông",
            "địa kỹ thuật",
            "quy hoạch đô thị",
            "giao thông vận tải",
            "cầu đường",
            "vật liệu xây dựng",
            "kiến trúc",
            "công trình thủy lợi",
            "nền móng",
        ],
    ),
    "ENG-MAR": (
        "Hàng hải",
        "Maritime",
        [
            "cảng biển",
            "đóng tàu",
            "an toàn hàng hải",
            "vận tải biển",
            "luật hàng hải",
            "kỹ thuật tàu thủy",
            "logistics cảng biển",
        ],
    ),
    "ENV": (
        "Môi trường",
        "Environment",
        [
            "biến đổi khí hậu",
            "xử lý nước thải",
            "đánh giá tác động môi trường",
            "quản lý chất thải rắn",
            "ô nhiễm không khí",
            "năng lượng tái tạo",
            "đa dạng sinh học",
        ],
    ),
    "EDU": (
        "Giáo dục",
        "Education",
        [
            "giáo dục nghề nghiệp",
            "quản lý giáo dục",
            "giáo dục đại học",
            "phương pháp giảng dạy",
            "giáo dục STEM",
            "đánh giá chất lượng giáo dục",
        ],
    ),
    "ENG-ELE": (
        "Điện - Điện tử",
        "Electrical engineering",
        [
            "tự động hóa",
            "hệ thống điện",
            "điện tử công suất",
            "năng lượng mặt trời",
            "điều khiển học",
            "vi mạch",
        ],
    ),
    "SOC": (
        "Xã hội học",
        "Sociology",
        [
            "an sinh xã hội",
            "dân số",
            "bình đẳng giới",
            "phát triển cộng đồng",
            "lao động việc làm",
            "văn hóa",
            "du lịch",
        ],
    ),
    "HIS": (
        "Lịch sử",
        "History",
        ["lịch sử địa phương", "di sản văn hóa", "khảo cổ học", "bảo tàng học", "Hán Nôm"],
    ),
    "CHE": (
        "Hóa học",
        "Chemistry",
        ["hóa dầu", "hóa phân tích", "vật liệu nano", "hóa sinh", "công nghệ thực phẩm"],
    ),
}

POSITIONS = [
    "Giảng viên",
    "Trưởng khoa",
    "Phó trưởng khoa",
    "Nghiên cứu viên",
    "Giám đốc",
    "Phó giám đốc",
    "Trưởng phòng",
    "Chuyên viên",
    "Kỹ sư trưởng",
    "Bác sĩ điều trị",
    "Hiệu trưởng",
    "Viện trưởng",
    "Chủ nhiệm bộ môn",
    "Luật sư",
    "Kiến trúc sư",
]

ORG_PREFIXES = [
    ("association", 49, "Hội"),
    ("institute", 12, "Viện"),
    ("club", 8, "Câu lạc bộ"),
    ("collective", 15, "Trường"),
]

BIO_TEMPLATES = [
    "Có {y} năm kinh nghiệm nghiên cứu về {e1} và {e2}.",
    "Chủ nhiệm nhiều đề tài cấp thành phố về {e1}; tham gia phản biện các dự án {e2}.",
    "Tác giả của hơn {y} bài báo khoa học trong lĩnh vực {f}.",
    "Từng công tác tại {o}, chuyên sâu về {e1}.",
    "Tham gia tư vấn chính sách về {e2} cho Ủy ban nhân dân thành phố.",
]


@dataclasses.dataclass
class Union:
    """A generated union: people dicts in index format plus the vocabulary used for queries."""

    people: list[dict[str, Any]]
    phrases: list[str]
    names: list[str]


def fallback_union(n_people: int, seed: int) -> Union:
    """Generate n_people realistic Vietnamese experts without the demo generator."""
    from faker.providers.person.vi_VN import Provider as P

    rnd = random.Random(seed)
    orgs: list[tuple[int, str]] = []
    codes = list(FIELDS)
    oid = 1
    for _kind, count, prefix in ORG_PREFIXES:
        for i in range(count):
            fname = FIELDS[codes[i % len(codes)]][0]
            place = "Hải Phòng" if oid % 5 < 3 else "Hải Dương"
            orgs.append(
                (
                    oid,
                    f"{prefix} {fname} {place}"
                    + (f" {i // len(codes) + 1}" if i >= len(codes) else ""),
                )
            )
            oid += 1
    family = list(P.last_names)
    family_w = [38, 11, 9.5, 7, 4, 3.5, 2.5, 2, 1, 2] + [1.0] * (len(family) - 10)
    middles = [*P.middle_names, "Thị", "Văn", "Ngọc", "Minh", "Thanh", "Hồng"]
    givens = list(set(P.first_names_male) | set(P.first_names_female))
    people: list[dict[str, Any]] = []
    for pid in range(1, n_people + 1):
        full = f"{rnd.choices(family, family_w)[0]} {rnd.choice(middles)} {rnd.choice(givens)}"
        r = rnd.random()
        title = "GS" if r < 0.01 else ("PGS" if r < 0.04 else None)
        degree = (
            "TS"
            if title
            else rnd.choices(["TS", "ThS", "KS", "BS", "CN", None], [12, 28, 20, 8, 25, 7])[0]
        )
        fcodes = rnd.sample(codes, rnd.choice([1, 1, 2]))
        expertise = []
        for c in fcodes:
            expertise += rnd.sample(FIELDS[c][2], min(len(FIELDS[c][2]), rnd.choice([1, 2, 3])))
        member = rnd.sample(orgs, rnd.choice([1, 1, 1, 2]))
        employer = rnd.choice(orgs) if rnd.random() < 0.6 else None
        bio = " ".join(
            t.format(
                y=rnd.randint(3, 35),
                e1=rnd.choice(expertise),
                e2=rnd.choice(expertise),
                f=FIELDS[fcodes[0]][0].lower(),
                o=(employer or member[0])[1],
            )
            for t in rnd.sample(BIO_TEMPLATES, rnd.choice([1, 2, 3]))
        )
        people.append(
            {
                "id": pid,
                "full_name": full,
                "academic_title": title,
                "degree": degree,
                "position": rnd.choice(POSITIONS),
                "bio": bio,
                "expertise": expertise,
                "fields": fcodes,
                "field_names": [n for c in fcodes for n in FIELDS[c][:2]],
                "organization_ids": [o[0] for o in member],
                "organization_names": [o[1] for o in member],
                "employer_id": employer[0] if employer else None,
                "employer_name": employer[1] if employer else "",
                "former_provinces": ["hai_phong"] if rnd.random() < 0.6 else ["hai_duong"],
                "available": rnd.random() < 0.7,
                "public": rnd.random() < 0.4,
            }
        )
    phrases = sorted({e for _, _, es in FIELDS.values() for e in es})
    return Union(people, phrases, [p["full_name"] for p in people])


def demo_union(n_people: int, seed: int) -> Union | None:
    """Use the lead's pure demo generator when it exists; None when it is absent."""
    try:
        from expertnet.demo.generator import generate_union
        from expertnet.directory.taxonomy import FIELDS_BY_CODE
    except ImportError:
        return None
    u = generate_union(n_people, seed)
    org_ids = {o.code: i for i, o in enumerate(u.organizations, 1)}
    orgs = {o.code: o for o in u.organizations}
    members: dict[int, list[str]] = {}
    for m in u.memberships:
        members.setdefault(m.person, []).append(m.org_code)
    people = []
    for i, p in enumerate(u.people):
        codes = list(dict.fromkeys(members.get(i, [])))
        employer = orgs.get(p.employer_code) if p.employer_code else None
        provinces = {orgs[c].former_province for c in codes} | (
            {employer.former_province} if employer else set()
        )
        people.append(
            {
                "id": i + 1,
                "full_name": p.full_name,
                "academic_title": p.academic_title,
                "degree": p.degree,
                "position": p.position or "",
                "bio": p.bio or "",
                "expertise": list(p.expertise),
                "fields": list(p.field_codes),
                "field_names": [
                    n
                    for c in p.field_codes
                    if c in FIELDS_BY_CODE
                    for n in (FIELDS_BY_CODE[c].name, FIELDS_BY_CODE[c].name_en)
                ],
                "organization_ids": [org_ids[c] for c in codes],
                "organization_names": [orgs[c].name for c in codes],
                "employer_id": org_ids.get(p.employer_code or ""),
                "employer_name": employer.name if employer else (p.employer_name or ""),
                "former_provinces": sorted(x for x in provinces if x),
                "available": p.available,
                "public": p.public_profile,
            }
        )
    phrases = sorted({e for p in people for e in p["expertise"]})
    return Union(people, phrases, [p["full_name"] for p in people])


# -- query sets ----------------------------------------------------------------------


def make_queries(u: Union, n: int, seed: int) -> dict[str, list[str]]:
    """Build n queries of each type, half of them typed without diacritics."""
    rnd = random.Random(seed)
    multi = [p for p in u.phrases if len(p.split()) >= 2]
    syllables = sorted(
        {w for p in u.phrases for w in p.split()}
        | {w for name in rnd.sample(u.names, min(200, len(u.names))) for w in name.split()}
    )
    out: dict[str, list[str]] = {"one term": [], "two terms": [], "phrase": [], "facets": []}
    for i in range(n):
        strip = i % 2 == 1

        def typed(s: str, strip: bool = strip) -> str:
            return fold(s) if strip else s

        out["one term"].append(typed(rnd.choice(syllables)))
        if rnd.random() < 0.5:
            name = rnd.choice(u.names).split()
            two = f"{name[0]} {name[-1]}"
        else:
            two = " ".join(rnd.choice(multi).split()[:2])
        out["two terms"].append(typed(two))
        out["phrase"].append('"' + typed(rnd.choice(multi)) + '"')
        out["facets"].append(typed(rnd.choice(syllables) if i % 3 else rnd.choice(multi)))
    return out


# -- FTS5 baseline -------------------------------------------------------------------


def fts_fold(s: str) -> str:
    """Prepare text the way the FTS5 baseline expects: NFC with đ/Đ folded to d/D."""
    return normalize_text(s).replace("đ", "d").replace("Đ", "D")


class Fts5:
    """SQLite FTS5 baseline with the same matching rules (all words, phrases) and facets."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            CREATE VIRTUAL TABLE fts USING fts5(name, body,
                tokenize = 'unicode61 remove_diacritics 2');
            CREATE TABLE person (id INTEGER PRIMARY KEY, degree TEXT, title TEXT,
                province TEXT, available INT, public INT);
            CREATE TABLE person_org (person_id INT, org_id INT);
            CREATE TABLE person_field (person_id INT, code TEXT);
            """
        )

    def build(self, people: Iterable[dict[str, Any]]) -> None:
        cur = self.db.cursor()
        for p in people:
            body = " ; ".join(
                [
                    p.get("position") or "",
                    p.get("employer_name") or "",
                    p.get("bio") or "",
                    *(p.get("expertise") or []),
                    *(p.get("field_names") or []),
                    *(p.get("organization_names") or []),
                ]
            )
            head = " ".join(
                x for x in (p.get("academic_title"), p.get("degree"), p["full_name"]) if x
            )
            cur.execute(
                "INSERT INTO fts(rowid, name, body) VALUES (?, ?, ?)",
                (p["id"], fts_fold(head), fts_fold(body)),
            )
            cur.execute(
                "INSERT INTO person VALUES (?, ?, ?, ?, ?, ?)",
                (
                    p["id"],
                    p.get("degree"),
                    p.get("academic_title"),
                    (p.get("former_provinces") or [None])[0],
                    int(bool(p.get("available"))),
                    int(bool(p.get("public"))),
                ),
            )
            cur.executemany(
                "INSERT INTO person_org VALUES (?, ?)",
                [(p["id"], o) for o in p.get("organization_ids") or []],
            )
            cur.executemany(
                "INSERT INTO person_field VALUES (?, ?)",
                [(p["id"], c) for c in p.get("fields") or []],
            )
        self.db.executescript(
            """
            CREATE INDEX person_org_p ON person_org(person_id);
            CREATE INDEX person_field_p ON person_field(person_id);
            """
        )
        self.db.commit()

    @staticmethod
    def match_expr(text: str) -> str:
        text = fts_fold(text)
        if text.startswith('"'):
            return '"' + text.strip('"').replace('"', " ") + '"'
        return " ".join('"' + w + '"' for w in text.split())

    def search(self, text: str, facets: bool) -> tuple[int, list[int], dict[str, Any]]:
        expr = self.match_expr(text)
        cur = self.db.cursor()
        rows = cur.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 4.0, 1.0) LIMIT 20",
            (expr,),
        ).fetchall()
        total = cur.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (expr,)).fetchone()[0]
        out: dict[str, Any] = {}
        if facets:
            cur.execute("DROP TABLE IF EXISTS temp.m")
            cur.execute(
                "CREATE TEMP TABLE m AS SELECT rowid AS id FROM fts WHERE fts MATCH ?", (expr,)
            )
            out["organization"] = cur.execute(
                "SELECT org_id, count(*) FROM person_org JOIN m ON m.id = person_id GROUP BY org_id"
            ).fetchall()
            out["field"] = cur.execute(
                "SELECT code, count(*) FROM person_field JOIN m ON m.id = person_id GROUP BY code"
            ).fetchall()
            for col in ("degree", "title", "province"):
                out[col] = cur.execute(
                    f"SELECT {col}, count(*) FROM person JOIN m USING (id) GROUP BY {col}"  # noqa: S608
                ).fetchall()
        return total, [r[0] for r in rows], out


# -- measurement ---------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of values, in the values' unit."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure(
    idx: ExpertIndex, fts: Fts5, queries: dict[str, list[str]], with_fts: bool = True
) -> list[dict[str, Any]]:
    """Time every query on Whoosh (and FTS5); return p50/p95 rows per query type."""
    rows = []
    for kind, qs in queries.items():
        facets = kind == "facets"
        w_ms = [timed(lambda q=q, f=facets: idx.search(SearchQuery(text=q, facets=f))) for q in qs]
        row: dict[str, Any] = {
            "kind": kind,
            "n": len(qs),
            "w50": percentile(w_ms, 50),
            "w95": percentile(w_ms, 95),
        }
        if with_fts:
            f_ms = [timed(lambda q=q, f=facets: fts.search(q, f)) for q in qs]
            row["f50"] = percentile(f_ms, 50)
            row["f95"] = percentile(f_ms, 95)
            row["ratio"] = row["w95"] / row["f95"] if row["f95"] else float("inf")
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--people", type=int, default=108_000)
    ap.add_argument("--queries", type=int, default=200, help="queries of each type")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--procs", type=int, default=None, help="indexing processes (default 2)")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    ap.add_argument("--markdown", type=Path, default=None, help="write result tables here")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    u = demo_union(args.people, args.seed)
    source = "expertnet.demo.generator"
    if u is None:
        u = fallback_union(args.people, args.seed)
        source = "bench/search.py fallback generator"
    print(f"data: {len(u.people)} people from {source} in {time.perf_counter() - t0:.1f} s")
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        work = Path(tmp)
        idx = ExpertIndex(work / "whoosh")
        t0, c0 = time.perf_counter(), _cpu()
        idx.rebuild(u.people, procs=args.procs)
        build_s, build_cpu = time.perf_counter() - t0, _cpu() - c0
        size = dir_size(work / "whoosh")
        print(
            f"whoosh: rebuild {build_s:.1f} s wall ({build_cpu:.1f} s CPU in all processes), "
            f"{size / 1e6:.1f} MB, {idx.doc_count()} docs"
        )

        fts = Fts5(work / "fts.sqlite")
        t0 = time.perf_counter()
        fts.build(u.people)
        fts_build_s = time.perf_counter() - t0
        fts_size = (work / "fts.sqlite").stat().st_size
        print(f"fts5:   build {fts_build_s:.1f} s, {fts_size / 1e6:.1f} MB")

        # Cold: the first queries after a rebuild, before warm(); each new term is read
        # from Whoosh's postings once. FTS5 is not re-timed here (its page cache is warm).
        cold = measure(idx, fts, make_queries(u, args.queries, args.seed + 1), with_fts=False)
        t0 = time.perf_counter()
        warmed = idx.warm()
        warm_s = time.perf_counter() - t0
        print(f"whoosh: warm() loaded {warmed} frequent terms in {warm_s:.1f} s")
        # Steady state: a fresh query set (not the cold one), as a warmed server sees it.
        rows = measure(idx, fts, make_queries(u, args.queries, args.seed + 2))
        load_after = os.getloadavg()
        for c, r in zip(cold, rows, strict=True):
            r["c50"], r["c95"] = c["w50"], c["w95"]
            print(
                f"{r['kind']:10} n={r['n']}  whoosh p50 {r['w50']:6.1f} ms p95 {r['w95']:6.1f} ms"
                f" (cold p95 {r['c95']:6.1f})  |  fts5 p50 {r['f50']:6.1f} ms"
                f" p95 {r['f95']:6.1f} ms  |  ratio p95 {r['ratio']:.2f}"
            )
        print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
        fts.db.close()
        idx.close()

    if args.markdown:
        lines = [
            f"People: {len(u.people)} ({source}); {args.queries} queries of each type, half "
            f"typed without diacritics; machine load average {load_before[0]:.1f} before and "
            f"{load_after[0]:.1f} after the run (2 cores).",
            "",
            "| index | build wall (s) | build CPU (s) | size (MB) |",
            "|---|---:|---:|---:|",
            f"| Whoosh (search_index, {args.procs or 2} shards) | {build_s:.1f} "
            f"| {build_cpu:.1f} | {size / 1e6:.1f} |",
            f"| SQLite FTS5 | {fts_build_s:.1f} | – | {fts_size / 1e6:.1f} |",
            "",
            f"warm(): {warmed} frequent terms preloaded in {warm_s:.1f} s.",
            "",
            "| query type | Whoosh p50 (ms) | Whoosh p95 (ms) | Whoosh cold p95 (ms) "
            "| FTS5 p50 (ms) | FTS5 p95 (ms) | p95 ratio Whoosh/FTS5 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            lines.append(
                f"| {r['kind']} | {r['w50']:.1f} | {r['w95']:.1f} | {r['c95']:.1f} "
                f"| {r['f50']:.1f} | {r['f95']:.1f} | {r['ratio']:.2f} |"
            )
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


def _cpu() -> float:
    """Return CPU seconds used by this process and its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


if __name__ == "__main__":
    raise SystemExit(main())
