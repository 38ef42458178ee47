"""ExpertIndex: sharded Whoosh index of experts; atomic rebuilds, safe writers, bitset ranking.

Over 600 lines on purpose: the shards, the writer lock and the atomic rebuild guard the
same files; keeping them in one module keeps the locking rules in one place.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import gc
import itertools
import json
import logging
import os
import shutil
import threading
import time
import traceback
import warnings
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.index import LockError
from whoosh.searching import Searcher

from . import bits as B
from .build import bulk_build, create_shard, shard_name
from .highlight import highlights
from .query import (
    MAX_PAGE,
    MAX_PER_PAGE,
    ParsedText,
    SearchQuery,
    SearchResult,
    corrected_text,
    parse_text,
)
from .ranking import PRIOR, Plan, adjacent_bits, by_name_page, top
from .ranking import plan as make_plan
from .schema import FACET_FIELDS, ZONES, facet_term, make_schema, phrase_needle, to_fields
from .text import fold, normalize_text

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
JOURNAL_FILE = "rebuild.journal"
WRITE_LOCK_FILE = "write.lock"
REBUILD_LOCK_FILE = "rebuild.lock"

# Cached per index generation; sound because a generation never changes.
TERM_CACHE_SIZE = 1024
FILTER_CACHE_SIZE = 64
# Per-segment term bitsets, shared by all generations of this process.
SEGMENT_CACHE_SIZE = 50000
# warm() preloads terms of these fields found in at least WARM_MIN_DF documents.
WARM_FIELDS = ("name", "key", "other", "exact", "bigram", "facet")
WARM_MIN_DF = 64
# A query that finds fewer documents than this gets a "did you mean" suggestion.
SUGGEST_BELOW = 3
MAX_PREFIX_TERMS = 200

Searchers = tuple[Searcher, ...]


class IndexUnavailable(Exception):
    """The index is missing or unreadable; rebuild it from the database."""


class IndexBusy(Exception):
    """Another writer held the index lock for longer than the timeout."""


@contextlib.contextmanager
def _file_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive fcntl lock on path, polling with backoff up to timeout seconds."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy(f"lock {path.name} held for more than {timeout}s") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class _LRU(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


# Process-wide cache of per-segment term bitsets: a Whoosh segment never changes once
# written (deletions are masked separately), so its bitsets survive every later commit.
_SEGMENT_CACHE = _LRU(SEGMENT_CACHE_SIZE)
_SEGMENT_LOCK = threading.Lock()


def _segment_term_bits(segid: str, leaf: Any, n: int, fieldname: str, text: str) -> int:
    key = (segid, fieldname, text)
    with _SEGMENT_LOCK:
        hit = _SEGMENT_CACHE.get(key)
        if hit is not None:
            _SEGMENT_CACHE.move_to_end(key)
    if hit is None:
        if (fieldname, text) in leaf:
            ids = array("i", leaf.postings(fieldname, text).all_ids())
        else:
            ids = array("i")
        # Rare terms are kept as id arrays (4 bytes each) instead of full-size bitsets.
        hit = B.from_ids(ids, n) if len(ids) * 32 > n else ids
        with _SEGMENT_LOCK:
            _SEGMENT_CACHE.get_or(key, lambda: hit)
    return hit if isinstance(hit, int) else B.from_ids(hit, n)


def _leaf_readers(reader: Any) -> list[tuple[Any, int]]:
    # An empty index has a placeholder reader without a segment (and without documents).
    return [(leaf, off) for leaf, off in reader.leaf_readers() if leaf.segment() is not None]


def _segment_name_keys(segid: str, leaf: Any) -> list[bytes]:
    key = (segid, "#name_key", "")
    with _SEGMENT_LOCK:
        hit = _SEGMENT_CACHE.get(key)
    if hit is None:
        hit = list(leaf.column_reader("name_key"))
        with _SEGMENT_LOCK:
            _SEGMENT_CACHE.get_or(key, lambda: hit)
    return hit  # type: ignore[no-any-return]


class _View:
    """One generation of every shard: a searcher pool plus document bitsets derived from it."""

    def __init__(self, ixs: list[windex.Index], gen_dir: str) -> None:
        self.ixs = ixs
        self.gen_dir = gen_dir
        first = tuple(ix.searcher() for ix in ixs)
        readers = [s.reader() for s in first]
        self.generation = tuple(r.generation() for r in readers)
        self.shard_offsets: list[int] = []
        self.segments: list[tuple[str, int, int]] = []
        offset = 0
        for r in readers:
            self.shard_offsets.append(offset)
            for leaf, leaf_offset in _leaf_readers(r):
                if leaf.doc_count_all() and not leaf.has_column("phrase_text"):
                    # Written before phrases were checked exactly: its answers would be
                    # wrong, so it counts as unusable and the caller rebuilds it.
                    for s in first:
                        s.close()
                    raise IndexUnavailable("the search index has an older format")
                self.segments.append(
                    (leaf.segment().segment_id(), offset + leaf_offset, leaf.doc_count_all())
                )
            offset += r.doc_count_all()
        self.size = offset
        self.doc_count = sum(s.doc_count() for s in first)
        self._pool: list[Searchers] = [first]
        self._cond = threading.Condition()
        self._retired = False
        self._lock = threading.RLock()  # guards the lazily built data below
        self._terms = _LRU(TERM_CACHE_SIZE)
        self._filters = _LRU(FILTER_CACHE_SIZE)
        self._seg_live: dict[str, int] = {}
        self._facets: dict[str, dict[Any, int]] | None = None
        self._live: int | None = None
        self._prior: list[tuple[int, int]] | None = None
        self._name_rank: array[int] | None = None
        self._by_name: array[int] | None = None

    # -- searcher pool -------------------------------------------------------------

    @contextlib.contextmanager
    def lease(self) -> Iterator[Searchers]:
        """Lend one searcher per shard, all of this generation, to one thread."""
        with self._cond:
            ss = self._pool.pop() if self._pool else None
        if ss is None:
            ss = self._open_extra()
        try:
            yield ss
        finally:
            with self._cond:
                if self._retired:
                    for s in ss:
                        s.close()
                else:
                    self._pool.append(ss)
                    self._cond.notify()

    def _open_extra(self) -> Searchers:
        ss = tuple(ix.searcher() for ix in self.ixs)
        if tuple(s.reader().generation() for s in ss) == self.generation:
            return ss
        # The index moved on since this view was made; its bitsets would not match the
        # new docnums, so wait for a searcher set of this generation instead.
        for s in ss:
            s.close()
        with self._cond:
            while not self._pool:
                self._cond.wait()
            return self._pool.pop()

    def up_to_date(self) -> bool:
        return all(
            ix.latest_generation() == g for ix, g in zip(self.ixs, self.generation, strict=True)
        )

    def retire(self) -> None:
        with self._cond:
            self._retired = True
            for ss in self._pool:
                for s in ss:
                    s.close()
            self._pool.clear()

    # -- per-document access -------------------------------------------------------

    def _leaves(self, ss: Searchers) -> list[tuple[str, Any, int, int]]:
        leaves = [leaf for s in ss for leaf, _ in _leaf_readers(s.reader())]
        return [
            (segid, leaf, offset, n)
            for (segid, offset, n), leaf in zip(self.segments, leaves, strict=True)
        ]

    def stored(self, ss: Searchers, docnum: int) -> dict[str, Any]:
        i = bisect.bisect_right(self.shard_offsets, docnum) - 1
        return ss[i].stored_fields(docnum - self.shard_offsets[i])  # type: ignore[no-any-return]

    # -- document bitsets ----------------------------------------------------------

    def _segment_live(self, segid: str, leaf: Any, n: int) -> int:
        live = self._seg_live.get(segid)
        if live is None:
            live = (1 << n) - 1
            segment = leaf.segment()
            if segment.has_deletions():
                # The few deleted docnums, not the many live ones, are turned into bits.
                live &= ~B.from_ids(segment.deleted_docs(), n)
            self._seg_live[segid] = live
        return live

    def term_bits(self, ss: Searchers, fieldname: str, text: str) -> int:
        """Return the live documents containing the term, as a bitset over global docnums."""
        key = (fieldname, text)
        with self._lock:
            cached = self._terms.get(key)
            if cached is not None:
                self._terms.move_to_end(key)
                return int(cached)
            total = 0
            for segid, leaf, offset, n in self._leaves(ss):
                seg = _segment_term_bits(segid, leaf, n, fieldname, text)
                if seg:
                    total |= (seg & self._segment_live(segid, leaf, n)) << offset
            self._terms.get_or(key, lambda: total)
            return total

    def phrase_bits(self, ss: Searchers, folded_words: list[str]) -> int:
        """Return the live documents where the words stand in this order in one section."""
        key = ("#phrase", tuple(folded_words))
        with self._lock:
            cached = self._terms.get(key)
            if cached is not None:
                self._terms.move_to_end(key)
                return int(cached)
        candidates = adjacent_bits(self, ss, folded_words)
        if len(folded_words) > 2 and candidates:
            candidates = self._verify_phrase(ss, candidates, phrase_needle(folded_words))
        with self._lock:
            self._terms.get_or(key, lambda: candidates)
        return candidates

    def _verify_phrase(self, ss: Searchers, candidates: int, needle: bytes) -> int:
        # The bigrams narrowed the set to documents with every pair; only those are read.
        kept = 0
        for _segid, leaf, offset, n in self._leaves(ss):
            local = (candidates >> offset) & ((1 << n) - 1)
            if not local:
                continue
            column = leaf.column_reader("phrase_text", translate=False)
            hits = [d for d in B.to_ids(local) if needle in column[d]]
            if hits:
                kept |= B.from_ids(hits, n) << offset
        return kept

    def prefix_bits(self, ss: Searchers, fieldname: str, prefix: str) -> int:
        """Return the documents with a word that starts with prefix (type-ahead)."""
        key = ("#prefix", fieldname, prefix)
        with self._lock:
            cached = self._terms.get(key)
            if cached is not None:
                return int(cached)
            terms: set[str] = set()
            for s in ss:
                for raw in itertools.islice(
                    s.reader().expand_prefix(fieldname, prefix), MAX_PREFIX_TERMS
                ):
                    terms.add(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
            total = 0
            for t in sorted(terms):
                total |= self.term_bits(ss, fieldname, t)
            self._terms.get_or(key, lambda: total)
            return total

    def live(self, ss: Searchers) -> int:
        with self._lock:
            if self._live is None:
                total = 0
                for segid, leaf, offset, n in self._leaves(ss):
                    total |= self._segment_live(segid, leaf, n) << offset
                self._live = total
            return self._live

    def facet_bits(self, ss: Searchers) -> dict[str, dict[Any, int]]:
        with self._lock:
            if self._facets is None:
                facets: dict[str, dict[Any, int]] = {f: {} for f in FACET_FIELDS}
                terms: set[str] = set()
                for s in ss:
                    for raw in s.reader().lexicon("facet"):
                        terms.add(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
                for term in sorted(terms):
                    fname, _, value = term.partition(":")
                    if fname not in facets:
                        continue
                    b = self.term_bits(ss, "facet", term)
                    if b:
                        key: Any = int(value) if fname == "organization" else value
                        facets[fname][key] = b
                self._facets = facets
            return self._facets

    def prior(self, ss: Searchers) -> list[tuple[int, int]]:
        """Return (bitset, weight) pairs that break ties in favour of senior experts."""
        with self._lock:
            if self._prior is None:
                pri = []
                for fname, value, weight in PRIOR:
                    b = self.term_bits(ss, "facet", facet_term(fname, value))
                    if b:
                        pri.append((b, weight))
                self._prior = pri
            return self._prior

    def name_order(self, ss: Searchers) -> tuple[array[int], array[int]]:
        """Return (rank by docnum, docnums in name order)."""
        with self._lock:
            if self._name_rank is None or self._by_name is None:
                keys: list[bytes] = []
                for segid, leaf, _offset, _n in self._leaves(ss):
                    keys.extend(_segment_name_keys(segid, leaf))
                order = sorted(range(len(keys)), key=keys.__getitem__)
                rank = array("i", bytes(4 * len(keys)))
                for i, d in enumerate(order):
                    rank[d] = i
                self._name_rank = rank
                self._by_name = array("i", order)
            return self._name_rank, self._by_name

    def filter_bits(self, ss: Searchers, sq: SearchQuery) -> int | None:
        """Return the bitset allowed by the query's filters, or None when unfiltered."""
        key = (
            tuple(sorted({int(o) for o in sq.organization or ()})),
            tuple(sorted({str(v) for v in sq.field or ()})),
            tuple(sorted({str(v) for v in sq.degree or ()})),
            tuple(sorted({str(v) for v in sq.academic_title or ()})),
            tuple(sorted({str(v) for v in sq.former_province or ()})),
            sq.available,
            bool(sq.public_only),
        )
        if not any(key[:5]) and key[5] is None and not key[6]:
            return None

        def make() -> int:
            result = self.live(ss)
            for fname, values in zip(FACET_FIELDS, key[:5], strict=True):
                if values:
                    # Several values of one filter widen (OR); different filters narrow (AND).
                    union = 0
                    for v in values:
                        union |= self.term_bits(ss, "facet", facet_term(fname, v))
                    result &= union
            if key[5] is not None:
                avail = self.term_bits(ss, "facet", "flag:available")
                result &= avail if key[5] else ~avail
            if key[6]:
                result &= self.term_bits(ss, "facet", "flag:public")
            return result

        with self._lock:
            return int(self._filters.get_or(key, make))

    def corrections(self, ss: Searchers, parsed: ParsedText) -> dict[str, str]:
        """Map each folded query word found nowhere in the index to its likeliest close term."""
        readers = [s.reader() for s in ss]
        out: dict[str, str] = {}
        all_words = list(parsed.words) + [w for ph in parsed.phrases for w in ph]
        for _exact, folded in all_words:
            if len(folded) < 3 or folded in out:
                continue
            if any((z, folded) in r for r in readers for z in ZONES):
                continue
            maxdist = 1 if len(folded) <= 5 else 2
            freq: dict[str, int] = {}
            for r in readers:
                for zone in ZONES:
                    # Whoosh's automaton counts a swap of two letters as 2 edits; ask for
                    # 2 and keep what is within maxdist by the transposition-aware distance.
                    for cand in r.terms_within(zone, folded, 2, prefix=1):
                        c = cand.decode("utf-8") if isinstance(cand, bytes) else cand
                        if _distance(folded, c) <= maxdist:
                            freq[c] = freq.get(c, 0) + r.doc_frequency(zone, c)
            if freq:
                out[folded] = min(freq, key=lambda c: (_distance(folded, c), -freq[c], c))
        return out

    def written_forms(self, ss: Searchers, parsed: ParsedText, corrections: dict[str, str]):
        """Each corrected word as Vietnamese writes it: of the forms the index holds (with
        their diacritics, or without), the one closest to what was typed, then the most
        frequent. "trườngg" → "trường", "Thuýy" → "thúy", "ann" → "an"."""
        typed = {f: e for e, f in list(parsed.words) + [w for ph in parsed.phrases for w in ph]}
        forms: dict[str, dict[str, int]] = {c: {c: 0} for c in corrections.values()}
        for s in ss:
            r = s.reader()
            for term in r.lexicon("exact"):
                t = term.decode("utf-8") if isinstance(term, bytes) else term
                f = fold(t)
                if f in forms:
                    forms[f][t] = forms[f].get(t, 0) + r.doc_frequency("exact", t)
        out = {}
        for folded, fixed in corrections.items():
            was = typed.get(folded, folded)
            out[folded] = min(
                forms[fixed].items(), key=lambda kv: (_distance(was, kv[0]), -kv[1], kv[0])
            )[0]
        return out


def _unavailable(e: BaseException, what: str) -> IndexUnavailable:
    """Log a storage failure and turn it into IndexUnavailable, closing what Whoosh left open."""
    # The traceback is logged as text: a kept LogRecord must not keep Whoosh's frames alive.
    log.warning("%s: %s", what, "".join(traceback.format_exception(e)).rstrip())
    err = IndexUnavailable(f"{what}: {e!r}")
    # Whoosh leaves the file it failed to parse open; it is only closed when this
    # exception's frames die, so let them die here, with the ResourceWarning expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        e.__traceback__ = None
        e.__context__ = None
        e.__cause__ = None
        del e
    return err


def _reap(err: IndexUnavailable) -> IndexUnavailable:
    """Collect the cycles a failed Whoosh open leaves behind, without ResourceWarnings."""
    # Called after the except block, when the original exception is gone for good.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    return err


def _clean_dir_name(name: str) -> str:
    name = name.strip()
    if not name or "/" in name or name.startswith("."):
        raise IndexUnavailable(f"bad CURRENT pointer {name!r}")
    return name


class ExpertIndex:
    """A folder with the current index generation (a Whoosh index per shard), locks, journal."""

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._lock = threading.Lock()
        self._view: _View | None = None
        self._view_key: tuple[int, int] | None = None
        self.path.mkdir(parents=True, exist_ok=True)
        if not (self.path / CURRENT_FILE).exists() and not self._generation_dirs():
            with _file_lock(self.path / WRITE_LOCK_FILE, self.lock_timeout):
                if not (self.path / CURRENT_FILE).exists():
                    name = self._new_generation_dir()
                    create_shard(self.path / name / shard_name(0))
                    self._point_to(name)

    # -- layout --------------------------------------------------------------------

    def _generation_dirs(self) -> list[str]:
        return sorted(p.name for p in self.path.glob("gen-*") if p.is_dir())

    def _new_generation_dir(self) -> str:
        name = f"gen-{time.time_ns()}-{os.getpid()}"
        (self.path / name).mkdir()
        return name

    def _point_to(self, name: str) -> None:
        tmp = self.path / f".{CURRENT_FILE}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(name)
        os.replace(tmp, self.path / CURRENT_FILE)

    def _current_name(self) -> str:
        try:
            return _clean_dir_name((self.path / CURRENT_FILE).read_text())
        except FileNotFoundError:
            raise IndexUnavailable("the search index does not exist") from None
        except OSError as e:
            raise IndexUnavailable(f"the search index pointer is unreadable: {e}") from e

    def _open(self, name: str) -> list[windex.Index]:
        d = self.path / name
        shards = sorted(p for p in d.glob("shard-*") if p.is_dir()) if d.is_dir() else []
        if not shards:
            raise IndexUnavailable(f"the search index folder {name} is missing")
        try:
            return [windex.open_dir(str(p), schema=self.schema) for p in shards]
        except Exception as e:
            err = _unavailable(e, "the search index cannot be opened")
        raise _reap(err)

    # -- reading -------------------------------------------------------------------

    def _current_view(self) -> _View:
        try:
            st = (self.path / CURRENT_FILE).stat()
        except FileNotFoundError:
            raise IndexUnavailable("the search index does not exist") from None
        key = (st.st_ino, st.st_mtime_ns)
        with self._lock:
            view = self._view
            try:
                if view is not None and self._view_key == key and view.up_to_date():
                    return view
                name = self._current_name()
                # On a damaged index Whoosh retries and drops half-opened files on the
                # floor; their ResourceWarnings say nothing we don't report anyway.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)
                    same = view is not None and view.gen_dir == name
                    ixs = view.ixs if view is not None and same else self._open(name)
                    new = _View(ixs, name)
            except IndexUnavailable:
                self._drop_view()
                raise
            except Exception as e:
                self._drop_view()
                err = _unavailable(e, "the search index is unreadable")
            else:
                if view is not None:
                    view.retire()
                self._view, self._view_key = new, key
                return new
        raise _reap(err)

    def _drop_view(self) -> None:
        if self._view is not None:
            self._view.retire()
        self._view = None
        self._view_key = None

    def _invalidate(self) -> None:
        with self._lock:
            self._drop_view()

    def close(self) -> None:
        """Close every open searcher (the object stays usable and reopens lazily)."""
        self._invalidate()

    def status(self) -> dict[str, Any]:
        """Return {"ok", "doc_count", "detail"} without raising."""
        try:
            view = self._current_view()
            with view.lease() as ss:
                # Touch every segment's files so a damaged index is reported here.
                for s in ss:
                    for fname in ("name", "facet"):
                        list(itertools.islice(s.reader().lexicon(fname), 1))
            rebuilding = (self.path / JOURNAL_FILE).exists()
            detail = "rebuilding" if rebuilding else ("empty" if view.doc_count == 0 else "ok")
            return {"ok": True, "doc_count": view.doc_count, "detail": detail}
        except IndexUnavailable as e:
            return {"ok": False, "doc_count": 0, "detail": str(e)}
        except Exception as e:
            self._invalidate()
            err = _unavailable(e, "the search index is unreadable")
        return {"ok": False, "doc_count": 0, "detail": str(_reap(err))}

    def warm(self, min_df: int = WARM_MIN_DF) -> int:
        """Preload the bitsets of every term in min_df+ documents; returns how many."""
        # A cold common term costs ~0.7 µs per posting to read through Whoosh (tens of ms
        # for a surname); servers call this once at start so the first users don't pay.
        view = self._current_view()
        loaded = 0
        with view.lease() as ss:
            for segid, leaf, _offset, n in view._leaves(ss):
                for fieldname in WARM_FIELDS:
                    for text, info in leaf.iter_field(fieldname):
                        if info.doc_frequency() >= min_df:
                            term = text.decode("utf-8") if isinstance(text, bytes) else text
                            _segment_term_bits(segid, leaf, n, fieldname, term)
                            loaded += 1
            view.live(ss)
            view.facet_bits(ss)
            view.prior(ss)
            view.name_order(ss)
        return loaded

    def doc_count(self) -> int:
        """Return the number of indexed people."""
        return self._current_view().doc_count

    def search(self, sq: SearchQuery) -> SearchResult:
        """Run a search; raises IndexUnavailable when the index is missing or corrupt."""
        view = self._current_view()
        try:
            with view.lease() as ss:
                return self._search(view, ss, sq)
        except IndexUnavailable:
            raise
        except Exception as e:
            # Whoosh reports damaged files as assorted low-level errors; all mean "rebuild".
            self._invalidate()
            err = _unavailable(e, "the search index is unreadable")
        raise _reap(err)

    def _search(self, view: _View, ss: Searchers, sq: SearchQuery) -> SearchResult:
        per_page = max(1, min(int(sq.per_page or 20), MAX_PER_PAGE))
        page = max(1, min(int(sq.page or 1), MAX_PAGE))
        parsed = parse_text(sq.text or "")
        allowed = view.filter_bits(ss, sq)
        notice = None
        suggestion = None

        plan: Plan | None = None
        if parsed.empty:
            matched = allowed if allowed is not None else view.live(ss)
        else:
            plan = make_plan(view, ss, parsed, sq.prefix)
            matched = plan.matched if allowed is None else plan.matched & allowed
            if matched.bit_count() < SUGGEST_BELOW:
                corrections = view.corrections(ss, parsed)
                if corrections:
                    # Shown as Vietnamese writes it: diacritics, and capitals if the
                    # query had them ("Nguyễn Thị Thuýy" → "Nguyễn Thị Thúy").
                    written = view.written_forms(ss, parsed, corrections)
                    suggestion = corrected_text(parsed, written, sq.text or "")
                    if not matched:
                        fixed = parse_text(suggestion)
                        fixed.last_word_is_open = parsed.last_word_is_open
                        retry = make_plan(view, ss, fixed, sq.prefix)
                        retry_matched = (
                            retry.matched if allowed is None else retry.matched & allowed
                        )
                        if retry_matched:
                            # Plain text: the caller escapes it when rendering HTML.
                            shown = normalize_text(sq.text).strip()[:80]
                            notice = (
                                f"No results for “{shown}”; showing results for “{suggestion}”."
                            )
                            parsed, plan, matched = fixed, retry, retry_matched
        total = matched.bit_count()
        start = (page - 1) * per_page
        end = start + per_page

        ranked: list[tuple[int, float]] = []
        if total > start:
            if plan is None or sq.sort in ("name", "full_name"):
                ranked = [(d, 0.0) for d in by_name_page(view, ss, matched, start, end)]
            else:
                ranked = top(plan.features + view.prior(ss), matched, start, end)

        terms = parsed.all_folded()
        prefix = parsed.words[-1][1] if parsed.words and parsed.last_word_is_open else None
        if prefix is not None and not sq.prefix:
            prefix = None
        hits = []
        for docnum, score in ranked:
            stored = view.stored(ss, docnum)
            data = stored.get("data") or {}
            hits.append(
                {
                    "id": int(stored["id"]),
                    "score": score,
                    "highlights": highlights(data, terms, prefix) if terms else {},
                }
            )

        facets: dict[str, dict[Any, int]] = {}
        if sq.facets:
            for fname, values in view.facet_bits(ss).items():
                counts = {}
                for value, b in values.items():
                    c = (matched & b).bit_count()
                    if c:
                        counts[value] = c
                facets[fname] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))
        return SearchResult(
            total=total,
            page=page,
            per_page=per_page,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            notice=notice,
        )

    # -- writing -------------------------------------------------------------------

    def _writer(self, ix: windex.Index) -> Any:
        """Open a Whoosh writer, retrying its lock with backoff (foreign writers included)."""
        delay = 0.01
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return ix.writer()
            except LockError:
                if time.monotonic() > deadline:
                    raise IndexBusy("the Whoosh writer lock stayed taken") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _apply(
        self, ixs: list[windex.Index], upserts: list[dict[str, Any]], removals: list[int]
    ) -> None:
        """Write upserts and removals into the shards: each id lives in exactly one shard."""
        keys = [str(int(d["id"])) for d in upserts] + [str(int(i)) for i in removals]
        holders: dict[str, list[int]] = {k: [] for k in keys}
        for i, ix in enumerate(ixs):
            with ix.reader() as r:
                for k in holders:
                    if ("id", k) in r:
                        holders[k].append(i)
        work: dict[int, tuple[list[dict[str, Any]], list[str]]] = {}
        for d in upserts:
            k = str(int(d["id"]))
            # A person already indexed is replaced in its own shard; a new one goes last.
            target = holders[k][0] if holders[k] else len(ixs) - 1
            work.setdefault(target, ([], []))[0].append(to_fields(d))
            for other in holders[k]:
                if other != target:
                    work.setdefault(other, ([], []))[1].append(k)
        for i in removals:
            k = str(int(i))
            for shard in holders[k]:
                work.setdefault(shard, ([], []))[1].append(k)
        for shard, (adds, deletes) in sorted(work.items()):
            w = self._writer(ixs[shard])
            try:
                for k in deletes:
                    w.delete_by_term("id", k)
                for f in adds:
                    w.update_document(**f)
            except BaseException:
                w.cancel()
                raise
            w.commit()

    def upsert(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Add or replace people by id; returns how many were written."""
        batch = [dict(d) for d in docs]
        if not batch:
            return 0
        for d in batch:
            to_fields(d)  # validate before taking any lock
        with _file_lock(self.path / WRITE_LOCK_FILE, self.lock_timeout):
            self._apply(self._open(self._current_name()), batch, [])
            self._journal({"op": "upsert", "docs": batch})
        self._invalidate()
        return len(batch)

    def remove(self, ids: Iterable[int]) -> int:
        """Remove people by id; returns how many ids were asked to be removed."""
        keys = [int(i) for i in ids]
        if not keys:
            return 0
        with _file_lock(self.path / WRITE_LOCK_FILE, self.lock_timeout):
            self._apply(self._open(self._current_name()), [], keys)
            self._journal({"op": "remove", "ids": keys})
        self._invalidate()
        return len(keys)

    def _journal(self, entry: dict[str, Any]) -> None:
        # Only while a rebuild runs: its fresh index must replay what happened meanwhile.
        path = self.path / JOURNAL_FILE
        if path.exists():
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def rebuild(
        self,
        docs: Iterable[Mapping[str, Any]],
        progress: Callable[[int], None] | None = None,
        procs: int | None = None,
        limitmb: int = 1024,
    ) -> int:
        """Index docs into a fresh folder and swap it in atomically; returns the doc count.

        Pass a lazy iterable (read from the database as it goes): changes committed after
        rebuild() starts are journaled by upsert()/remove() and replayed before the swap.
        """
        with _file_lock(self.path / REBUILD_LOCK_FILE, 3600):
            with _file_lock(self.path / WRITE_LOCK_FILE, self.lock_timeout):
                (self.path / JOURNAL_FILE).write_text("")
            name = self._new_generation_dir()
            try:
                n = bulk_build(self.path / name, docs, progress, procs, limitmb)
                with _file_lock(self.path / WRITE_LOCK_FILE, self.lock_timeout):
                    self._replay(self._open(name))
                    self._point_to(name)
                    (self.path / JOURNAL_FILE).unlink(missing_ok=True)
            except BaseException:
                with contextlib.suppress(OSError):
                    (self.path / JOURNAL_FILE).unlink()
                shutil.rmtree(self.path / name, ignore_errors=True)
                raise
            self._invalidate()
            self._cleanup(keep=name)
            return n

    def _replay(self, ixs: list[windex.Index]) -> None:
        path = self.path / JOURNAL_FILE
        if not path.exists():
            return
        for line in path.read_text("utf-8").splitlines():
            if not line:
                continue
            e = json.loads(line)
            if e["op"] == "upsert":
                self._apply(ixs, e["docs"], [])
            else:
                self._apply(ixs, [], e["ids"])

    def _cleanup(self, keep: str) -> None:
        # Keep the newest previous generation too: another process may still be reading it.
        gens = [g for g in self._generation_dirs() if g != keep]
        for g in gens[:-1]:
            shutil.rmtree(self.path / g, ignore_errors=True)


def _distance(a: str, b: str) -> int:
    """Return the Damerau-Levenshtein (optimal string alignment) distance of two words."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
