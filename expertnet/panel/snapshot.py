"""The directory part of the expert graph as arrays: built once, written once, mapped by all.

A snapshot holds no Python object per node. Edges are a CSR adjacency (sorted node ids,
row pointers, neighbour ids, a bit mask of edge kinds per edge); people are columns
(names as one UTF-8 blob with offsets, codes, flags, and CSR lists for their
organisations, provinces and fields). ``save`` writes each array as a ``.npy`` file in a
directory of the instance folder (renamed into place, so readers never see half a
snapshot) and ``load`` maps them (``np.load(mmap_mode="r")``): every process of a node
shares the same pages, and loading takes milliseconds. The affinity model and the
scholarly layer are arrays as well (``snapshot_arrays``); ``meta.pickle`` keeps only
small things (organisations, fields, the experts by field, shapes).

A profile edit does not rebuild anything: ``CSRGraph.patched`` and
``PeopleTable.patched`` return a copy that shares the arrays and carries the changed
rows in a small overlay (``panel.incremental`` reads them from the database).
"""

from __future__ import annotations

import bisect
import os
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.gcpause import gc_paused
from ..scholarly.graph_source import COAUTHOR, JOINT_PROJECT
from .snapshot_arrays import (
    affinity_arrays,
    affinity_from,
    scholarly_arrays,
    scholarly_from,
    search_sorted,
)

# The graph's edge kinds (``panel.graph`` names them too; it imports this module).
EMPLOYED, EXPERTISE, MEMBER, OFFICE, RELATIONSHIP = (
    "employed",
    "expertise",
    "member",
    "office",
    "relationship",
)

#: Bumped whenever the files' layout changes, or the affinity model's fields do
#: (format 2: the record-based affinity; 3: the affinity model and the scholarly layer
#: as mapped arrays, ``snapshot_arrays``): an old snapshot is then never read.
FORMAT = 3

#: Edge kinds of the directory graph, one bit each.
DIRECTORY_KINDS = (EMPLOYED, EXPERTISE, MEMBER, OFFICE, RELATIONSHIP, COAUTHOR, JOINT_PROJECT)
BIT = {k: 1 << i for i, k in enumerate(DIRECTORY_KINDS)}
#: mask -> the sorted tuple of its kinds (the tuples are shared, as the old graph's were).
KINDS_OF_MASK: tuple[tuple[str, ...], ...] = tuple(
    tuple(sorted(k for k in DIRECTORY_KINDS if m & BIT[k])) for m in range(1 << len(BIT))
)


_EMPTY_NODES = np.zeros(0, dtype=np.int64)
_EMPTY_MASKS = np.zeros(0, dtype=np.uint16)


def _int_array(values: Iterable[int], dtype: Any) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(dtype, copy=False)
    return np.fromiter(values, dtype=dtype)


def mask_of(kinds: Iterable[str]) -> int:
    m = 0
    for k in kinds:
        m |= BIT[k]
    return m


# --- the graph -------------------------------------------------------------------------


class CSRGraph:
    """An undirected graph of integer nodes with a kind mask per edge, in CSR arrays.

    ``over`` maps a node to its whole current row ({neighbour: mask}) when an edit changed
    it; ``gone`` holds removed nodes. Both are small and never mutated once published.
    """

    __slots__ = ("_counts", "_n_edges", "gone", "indptr", "masks", "nbrs", "nodes", "over")

    def __init__(
        self,
        nodes: np.ndarray,
        indptr: np.ndarray,
        nbrs: np.ndarray,
        masks: np.ndarray,
        over: dict[int, dict[int, int]] | None = None,
        gone: frozenset[int] = frozenset(),
        counts: Counter[str] | None = None,
        n_edges: int | None = None,
    ) -> None:
        self.nodes, self.indptr, self.nbrs, self.masks = nodes, indptr, nbrs, masks
        self.over = over or {}
        self.gone = gone
        self._counts = counts
        self._n_edges = n_edges

    @classmethod
    def from_edges(
        cls, nodes: Iterable[int], u: Iterable[int], v: Iterable[int], m: Iterable[int]
    ) -> CSRGraph:
        """Build from edge lists (duplicates merged by OR of their masks) and a node list."""
        u, v = _int_array(u, np.int64), _int_array(v, np.int64)
        m = _int_array(m, np.uint16)
        keep = u != v
        u, v, m = u[keep], v[keep], m[keep]
        uu, vv, mm = np.concatenate([u, v]), np.concatenate([v, u]), np.concatenate([m, m])
        order = np.lexsort((vv, uu))
        uu, vv, mm = uu[order], vv[order], mm[order]
        if len(uu):
            first = np.r_[True, (uu[1:] != uu[:-1]) | (vv[1:] != vv[:-1])]
            starts = np.flatnonzero(first)
            mm = np.bitwise_or.reduceat(mm, starts).astype(np.uint16)
            uu, vv = uu[starts], vv[starts]
        all_nodes = np.union1d(np.fromiter(nodes, dtype=np.int64), uu)
        rows = np.searchsorted(all_nodes, uu)
        indptr = np.zeros(len(all_nodes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(all_nodes)), out=indptr[1:])
        return cls(all_nodes, indptr, vv, mm)

    # networkx-like reading API used by the graph's readers and tests

    def _row(self, n: int) -> int:
        i = int(np.searchsorted(self.nodes, n))
        return i if i < len(self.nodes) and int(self.nodes[i]) == n else -1

    def __contains__(self, n: object) -> bool:
        if not isinstance(n, int | np.integer):
            return False
        n = int(n)
        if n in self.over:
            return True
        return n not in self.gone and self._row(n) >= 0

    def neighbours(self, n: int) -> Iterator[tuple[int, tuple[str, ...]]]:
        """(neighbour, kinds) of ``n``, by neighbour id."""
        row = self.over.get(n)
        if row is not None:
            for m in sorted(row):
                yield m, KINDS_OF_MASK[row[m]]
            return
        if n in self.gone:
            return
        i = self._row(n)
        if i < 0:
            return
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        for m, mask in zip(self.nbrs[a:b].tolist(), self.masks[a:b].tolist(), strict=True):
            yield m, KINDS_OF_MASK[mask]

    def row_arrays(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The row of ``n`` as two arrays, neighbours (ascending) and their edge masks.

        Read-only views of the mapped arrays for an unpatched row: no Python object per
        edge, so a row of 50,000 members is filtered in microseconds.
        """
        row = self.over.get(n)
        if row is not None:
            nbrs = sorted(row)
            return (
                np.array(nbrs, dtype=np.int64),
                np.array([row[m] for m in nbrs], dtype=np.uint16),
            )
        if n in self.gone:
            return _EMPTY_NODES, _EMPTY_MASKS
        i = self._row(n)
        if i < 0:
            return _EMPTY_NODES, _EMPTY_MASKS
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.nbrs[a:b], self.masks[a:b]

    def rows_arrays(self, ns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows of many nodes at once: (position in ``ns`` of each entry's node,
        neighbours, masks), node by node in ``ns`` order, each row as ``row_arrays``.

        One gather over the arrays for the unpatched rows; thousands of rows (an
        organisation's staff) cost what one row read one by one costs.
        """
        ns = np.asarray(ns, dtype=np.int64)
        i = np.minimum(search_sorted(self.nodes, ns), max(len(self.nodes) - 1, 0))
        plain = (self.nodes[i] == ns) if len(self.nodes) else np.zeros(len(ns), dtype=bool)
        special = np.zeros(len(ns), dtype=bool)
        if self.over or self.gone:
            keys = np.fromiter((*self.over, *self.gone), dtype=np.int64)
            special = np.isin(ns, keys)
            plain &= ~special
        which = np.flatnonzero(plain)
        starts = self.indptr[i[which]]
        lens = self.indptr[i[which] + 1] - starts
        total = int(lens.sum())
        owner = np.repeat(which, lens)
        # Each entry's place in the flat arrays: its row's start plus its rank in the row.
        ends = np.cumsum(lens)
        pos = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lens), lens)
        nbrs, masks = self.nbrs[pos], self.masks[pos]
        if special.any():
            parts = [(owner, nbrs, masks)]
            for k in np.flatnonzero(special).tolist():
                nb, mk = self.row_arrays(int(ns[k]))
                parts.append((np.full(len(nb), k, dtype=np.int64), nb, mk))
            owner = np.concatenate([p[0] for p in parts])
            nbrs = np.concatenate([p[1] for p in parts])
            masks = np.concatenate([p[2] for p in parts]).astype(np.uint16)
            order = np.argsort(owner, kind="stable")
            owner, nbrs, masks = owner[order], nbrs[order], masks[order]
        return owner, nbrs, masks

    def row_masks(self, n: int) -> dict[int, int]:
        """The row of ``n`` as {neighbour: mask} (a copy, for patching)."""
        row = self.over.get(n)
        if row is not None:
            return dict(row)
        if n in self.gone:
            return {}
        i = self._row(n)
        if i < 0:
            return {}
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        return dict(zip(self.nbrs[a:b].tolist(), self.masks[a:b].tolist(), strict=True))

    def edge_kinds(self, u: int, v: int) -> tuple[str, ...]:
        row = self.over.get(u)
        if row is not None:
            return KINDS_OF_MASK[row.get(v, 0)]
        if u in self.gone:
            return ()
        i = self._row(u)
        if i < 0:
            return ()
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        j = a + int(np.searchsorted(self.nbrs[a:b], v))
        if j < b and int(self.nbrs[j]) == v:
            return KINDS_OF_MASK[int(self.masks[j])]
        return ()

    def has_edge(self, u: int, v: int) -> bool:
        return bool(self.edge_kinds(u, v))

    def number_of_nodes(self) -> int:
        added = sum(1 for n in self.over if self._row(n) < 0)
        return len(self.nodes) - len(self.gone) + added

    def number_of_edges(self) -> int:
        if self._n_edges is None:
            self._n_edges = len(self.nbrs) // 2
        return self._n_edges

    def kind_counts(self) -> Counter[str]:
        """Edges by kind (an edge of two kinds counts for each)."""
        if self._counts is None:
            src = np.repeat(self.nodes, np.diff(self.indptr))
            counts: Counter[str] = Counter()
            masks = self.masks[src < self.nbrs]
            for mask, n in zip(*np.unique(masks, return_counts=True), strict=True):
                for k in KINDS_OF_MASK[int(mask)]:
                    counts[k] += int(n)
            self._counts = counts
        return Counter(self._counts)

    def patched(self, rows: Mapping[int, dict[int, int]], removed: Iterable[int] = ()) -> CSRGraph:
        """A copy with the rows of some nodes replaced (and mirrored on their neighbours).

        ``rows`` gives the complete new row of each changed node; a row may name nodes
        whose own rows are then updated to agree. ``removed`` nodes lose every edge.
        """
        over = dict(self.over)
        gone = set(self.gone)
        counts = self.kind_counts()
        n_edges = self.number_of_edges()
        changed = dict(rows)
        for n in removed:
            changed[n] = {}
        touched: dict[int, dict[int, int]] = {}

        def current(n: int) -> dict[int, int]:
            if n not in touched:
                touched[n] = self.row_masks(n) if n not in over else dict(over[n])
            return touched[n]

        for n, new_row in changed.items():
            old_row = current(n)
            for m in set(old_row) | set(new_row):
                old_mask, new_mask = old_row.get(m, 0), new_row.get(m, 0)
                if old_mask == new_mask:
                    continue
                other = current(m)
                # Count each edge once: when both ends changed, the first one seen does.
                if other.get(n, 0) != new_mask:
                    for k in KINDS_OF_MASK[old_mask]:
                        counts[k] -= 1
                    for k in KINDS_OF_MASK[new_mask]:
                        counts[k] += 1
                    n_edges += (new_mask != 0) - (old_mask != 0)
                if new_mask:
                    other[n] = new_mask
                else:
                    other.pop(n, None)
            touched[n] = dict(new_row)
        for n, row in touched.items():
            over[n] = row
            gone.discard(n)
        for n in removed:
            over.pop(n, None)
            gone.add(n)
        return CSRGraph(
            self.nodes,
            self.indptr,
            self.nbrs,
            self.masks,
            over,
            frozenset(gone),
            +counts,
            n_edges,
        )


# --- people ----------------------------------------------------------------------------


class _Vocab:
    """Strings to small codes and back (titles, degrees, provinces, field codes)."""

    def __init__(self, values: Iterable[str]) -> None:
        self.items = sorted(set(values))
        self.index = {s: i for i, s in enumerate(self.items)}


def _csr_lists(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=ptr[1:])
    flat = np.fromiter((v for x in lists for v in x), dtype=np.int64, count=int(ptr[-1]))
    return ptr, flat


#: What a panel candidate is made of: (academic title, degree, max assignments, union
#: organisations, provinces), as ``PersonInfo`` has them.
PanelFacts = tuple[str | None, str | None, int, tuple[int, ...], frozenset[str]]


def _gather(ptr: np.ndarray, flat: np.ndarray, rows: np.ndarray) -> list[list[int]]:
    """The lists ``flat[ptr[r]:ptr[r + 1]]`` of the ``rows``, read with one gather."""
    lo, hi = ptr[rows], ptr[rows + 1]
    lens = hi - lo
    ends = np.cumsum(lens)
    pos = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    pos += np.repeat(lo - (ends - lens), lens)
    values = flat[pos].tolist()
    bounds = [0, *ends.tolist()]
    return [values[bounds[k] : bounds[k + 1]] for k in range(len(rows))]


class PeopleTable(Mapping):
    """Person id -> ``PersonInfo``, read from column arrays; the object is made when asked.

    ``over`` holds people changed since the snapshot (None: deleted).
    """

    COLUMNS = (
        "ids",
        "name_off",
        "names",
        "title",
        "degree",
        "employer",
        "flags",
        "max_assignments",
        "uo_ptr",
        "uo",
        "prov_ptr",
        "prov",
        "fc_ptr",
        "fc",
    )
    PUBLIC, AVAILABLE, EXPERT = 1, 2, 4

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        vocab: dict[str, list[str]],
        over: dict[int, Any] | None = None,
    ) -> None:
        self.a = arrays
        self.vocab = vocab
        self.over: dict[int, Any] = over or {}
        self._len: int | None = None

    @classmethod
    def from_infos(cls, people: Mapping[int, Any]) -> PeopleTable:
        ids = sorted(people)
        infos = [people[i] for i in ids]
        titles = _Vocab(p.academic_title for p in infos if p.academic_title)
        degrees = _Vocab(p.degree for p in infos if p.degree)
        provs = _Vocab(v for p in infos for v in p.provinces)
        codes = _Vocab(c for p in infos for c in p.field_codes)
        encoded = [p.full_name.encode() for p in infos]
        name_off = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=name_off[1:])
        uo_ptr, uo = _csr_lists([list(p.union_orgs) for p in infos])
        prov_ptr, prov = _csr_lists([sorted(provs.index[v] for v in p.provinces) for p in infos])
        fc_ptr, fc = _csr_lists([[codes.index[c] for c in p.field_codes] for p in infos])
        flags = np.array(
            [
                (cls.PUBLIC if p.public else 0)
                | (cls.AVAILABLE if p.available else 0)
                | (cls.EXPERT if p.is_expert else 0)
                for p in infos
            ],
            dtype=np.uint8,
        )
        arrays = {
            "ids": np.array(ids, dtype=np.int64),
            "name_off": name_off,
            "names": np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(),
            "title": np.array(
                [titles.index[p.academic_title] if p.academic_title else -1 for p in infos],
                dtype=np.int16,
            ),
            "degree": np.array(
                [degrees.index[p.degree] if p.degree else -1 for p in infos], dtype=np.int16
            ),
            "employer": np.array(
                [-1 if p.employer_id is None else p.employer_id for p in infos], dtype=np.int64
            ),
            "flags": flags,
            "max_assignments": np.array([p.max_assignments for p in infos], dtype=np.int32),
            "uo_ptr": uo_ptr,
            "uo": uo,
            "prov_ptr": prov_ptr,
            "prov": prov,
            "fc_ptr": fc_ptr,
            "fc": fc,
        }
        vocab = {
            "title": titles.items,
            "degree": degrees.items,
            "prov": provs.items,
            "fc": codes.items,
        }
        return cls(arrays, vocab)

    def _row(self, pid: int) -> int:
        ids = self.a["ids"]
        i = int(np.searchsorted(ids, pid))
        return i if i < len(ids) and int(ids[i]) == pid else -1

    def _make(self, i: int) -> Any:
        from .graph import PersonInfo

        a, v = self.a, self.vocab
        title, degree, employer = int(a["title"][i]), int(a["degree"][i]), int(a["employer"][i])
        flags = int(a["flags"][i])
        uo = a["uo"][int(a["uo_ptr"][i]) : int(a["uo_ptr"][i + 1])].tolist()
        prov = a["prov"][int(a["prov_ptr"][i]) : int(a["prov_ptr"][i + 1])].tolist()
        fc = a["fc"][int(a["fc_ptr"][i]) : int(a["fc_ptr"][i + 1])].tolist()
        name = bytes(a["names"][int(a["name_off"][i]) : int(a["name_off"][i + 1])]).decode()
        return PersonInfo(
            full_name=name,
            academic_title=v["title"][title] if title >= 0 else None,
            degree=v["degree"][degree] if degree >= 0 else None,
            employer_id=employer if employer >= 0 else None,
            public=bool(flags & self.PUBLIC),
            available=bool(flags & self.AVAILABLE),
            max_assignments=int(a["max_assignments"][i]),
            is_expert=bool(flags & self.EXPERT),
            union_orgs=tuple(uo),
            provinces=frozenset(v["prov"][x] for x in prov),
            field_codes=tuple(v["fc"][x] for x in fc),
        )

    def panel_facts(self, pids: Sequence[int]) -> list[PanelFacts]:
        """(academic title, degree, max assignments, union orgs, provinces) of each of
        ``pids``, as their ``PersonInfo`` has them, without making the records: one
        gather over the columns for all of them (a suggestion's 200 ranked candidates).
        """
        a, v = self.a, self.vocab
        ids = a["ids"]
        want = np.asarray(pids, dtype=np.int64)
        rows = np.minimum(np.searchsorted(ids, want), max(len(ids) - 1, 0))
        found = (ids[rows] == want).tolist() if len(ids) else [False] * len(want)
        title, degree = a["title"][rows].tolist(), a["degree"][rows].tolist()
        cap = a["max_assignments"][rows].tolist()
        uo = _gather(a["uo_ptr"], a["uo"], rows)
        prov = _gather(a["prov_ptr"], a["prov"], rows)
        titles, degrees, provs = v["title"], v["degree"], v["prov"]
        sets: dict[tuple[int, ...], frozenset[str]] = {}
        out: list[PanelFacts] = []
        for k, pid in enumerate(pids):
            if pid in self.over:
                p = self.over[pid]
                if p is None:
                    raise KeyError(pid)
                out.append(
                    (p.academic_title, p.degree, p.max_assignments, p.union_orgs, p.provinces)
                )
                continue
            if not found[k]:
                raise KeyError(pid)
            t, d, codes = title[k], degree[k], tuple(prov[k])
            provinces = sets.get(codes)
            if provinces is None:
                provinces = sets[codes] = frozenset(provs[x] for x in codes)
            out.append(
                (
                    titles[t] if t >= 0 else None,
                    degrees[d] if d >= 0 else None,
                    int(cap[k]),
                    tuple(uo[k]),
                    provinces,
                )
            )
        return out

    def __getitem__(self, pid: int) -> Any:
        if pid in self.over:
            info = self.over[pid]
            if info is None:
                raise KeyError(pid)
            return info
        if not isinstance(pid, int | np.integer):
            raise KeyError(pid)
        i = self._row(int(pid))
        if i < 0:
            raise KeyError(pid)
        return self._make(i)

    def __contains__(self, pid: object) -> bool:
        if pid in self.over:
            return self.over[pid] is not None  # type: ignore[index]
        return isinstance(pid, int | np.integer) and self._row(int(pid)) >= 0

    def __iter__(self) -> Iterator[int]:
        base = self.a["ids"].tolist()
        for pid in base:
            if pid not in self.over or self.over[pid] is not None:
                yield pid
        start = len(base)
        for pid, info in self.over.items():
            if info is not None and (start == 0 or self._row(pid) < 0):
                yield pid

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in self)
        return self._len

    def expert_ids(self) -> list[int]:
        """Ids of the experts, ascending."""
        a = self.a
        base = a["ids"][(a["flags"] & self.EXPERT) != 0].tolist()
        if not self.over:
            return base
        out = {p for p in base if p not in self.over}
        out.update(p for p, info in self.over.items() if info is not None and info.is_expert)
        return sorted(out)

    def patched(self, changes: Mapping[int, Any]) -> PeopleTable:
        over = dict(self.over)
        over.update(changes)
        return PeopleTable(self.a, self.vocab, over)


# --- files -----------------------------------------------------------------------------


def snapshot_dir(root: str | os.PathLike[str], version: int) -> Path:
    return Path(root) / f"v{version}-f{FORMAT}"


def save(eg: Any, root: str | os.PathLike[str]) -> Path:
    """Write the directory part of ``eg`` under ``root``; returns its directory.

    Written to a temporary directory first and renamed into place: a reader sees the
    whole snapshot or none. An existing snapshot of the same version is kept.
    """
    graph: CSRGraph = eg.graph
    people: PeopleTable = eg.people
    if graph.over or graph.gone or people.over:
        raise ValueError("only an unpatched snapshot is written")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    final = snapshot_dir(root, eg.version[0])
    if final.exists():
        return final
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        scholarly = eg.scholarly
        # The affinity model and the scholarly layer are arrays too (``snapshot_arrays``):
        # only their small rest is pickled. The works' texts fed affinity and are not
        # read again: left out.
        extra: dict[str, np.ndarray] = {}
        affinity_meta = None
        if eg.affinity is not None:
            extra, affinity_meta = affinity_arrays(eg.affinity)
        if scholarly is not None:
            extra.update(scholarly_arrays(scholarly.collaborations, scholarly.titles))
        for name, arr in (
            ("g_nodes", graph.nodes),
            ("g_indptr", graph.indptr),
            ("g_nbrs", graph.nbrs),
            ("g_masks", graph.masks),
            *((f"p_{k}", people.a[k]) for k in PeopleTable.COLUMNS),
            *extra.items(),
        ):
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
        meta = {
            "format": FORMAT,
            "version": eg.version[0],
            "vocab": people.vocab,
            "orgs": eg.orgs,
            "fields": eg.fields,
            "experts_by_field": {
                k: np.array(sorted(v), dtype=np.int64) for k, v in eg.experts_by_field.items()
            },
            "affinity": affinity_meta,
            "arrays": sorted(extra),
            "scholarly": scholarly is not None,
            "build_seconds": eg.build_seconds,
        }
        with open(tmp / "meta.pickle", "wb") as fh:
            pickle.dump(meta, fh, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process wrote it first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def load(path: str | os.PathLike[str], mmap: bool = True) -> Any:
    """The snapshot in ``path`` as an ``ExpertGraph`` without its consultation layer."""
    from ..scholarly.graph_source import ScholarlyLayer
    from .graph import ExpertGraph

    path = Path(path)
    mode = "r" if mmap else None
    with open(path / "meta.pickle", "rb") as fh, gc_paused():
        meta = pickle.load(fh)  # noqa: S301 - written by this program into the instance folder
    if meta.get("format") != FORMAT:
        raise ValueError(f"snapshot format {meta.get('format')} is not {FORMAT}")

    def arr(name: str) -> np.ndarray:
        # A plain ndarray view of the map (``np.asarray``): still the shared file pages,
        # but indexing it skips ``np.memmap``'s per-access subclass bookkeeping, which
        # was a quarter of a suggestion's CPU (pair and row look-ups by the thousand).
        return np.asarray(np.load(path / f"{name}.npy", mmap_mode=mode, allow_pickle=False))

    graph = CSRGraph(arr("g_nodes"), arr("g_indptr"), arr("g_nbrs"), arr("g_masks"))
    people = PeopleTable({k: arr(f"p_{k}") for k in PeopleTable.COLUMNS}, meta["vocab"])
    fields = meta["fields"]
    present = set(meta["arrays"])
    scholarly = ScholarlyLayer()
    if meta["scholarly"]:
        scholarly.collaborations, scholarly.titles = scholarly_from(arr)  # type: ignore[assignment]
    affinity = None
    if meta["affinity"] is not None:
        affinity = affinity_from(arr, meta["affinity"], present)
    return ExpertGraph(
        version=(meta["version"], 0),
        graph=graph,
        people=people,
        orgs=meta["orgs"],
        fields=fields,
        field_by_code={f.code: f for f in fields.values()},
        experts_by_field=ExpertsByField(meta["experts_by_field"]),
        affinity=affinity,
        scholarly=scholarly,
        build_seconds=meta["build_seconds"],
    )


class ExpertsByField(Mapping):
    """Field code -> set of expert ids, stored as sorted arrays; a set is made when asked."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self._a = dict(arrays)

    def __getitem__(self, code: str) -> set[int]:
        return set(self._a[code].tolist())

    def __iter__(self) -> Iterator[str]:
        return iter(self._a)

    def __len__(self) -> int:
        return len(self._a)

    def patched(self, removed: Iterable[int], added: Mapping[int, Iterable[str]]) -> ExpertsByField:
        """A copy in which ``removed`` people leave every field and ``added`` join theirs."""
        gone = np.array(sorted(set(removed) | set(added)), dtype=np.int64)
        joined: dict[str, list[int]] = {}
        for pid, codes in added.items():
            for c in codes:
                joined.setdefault(c, []).append(pid)
        out: dict[str, np.ndarray] = {}
        for code in set(self._a) | set(joined):
            base = self._a.get(code, np.zeros(0, dtype=np.int64))
            kept = base[~np.isin(base, gone)] if len(gone) else base
            if code in joined:
                kept = np.union1d(kept, np.array(joined[code], dtype=np.int64))
            if len(kept):
                out[code] = kept
        return ExpertsByField(out)


def version_of(path: str | os.PathLike[str]) -> int:
    """The data version of the snapshot in ``path`` (from its name)."""
    return int(Path(path).name[1 : -len(f"-f{FORMAT}")])


def latest(root: str | os.PathLike[str], at_most: int) -> Path | None:
    """The newest snapshot under ``root`` of a version ≤ ``at_most`` (this format)."""
    root = Path(root)
    if not root.is_dir():
        return None
    found: list[int] = []
    suffix = f"-f{FORMAT}"
    for p in root.iterdir():
        name = p.name
        if name.startswith("v") and name.endswith(suffix):
            try:
                found.append(int(name[1 : -len(suffix)]))
            except ValueError:
                continue
    found.sort()
    i = bisect.bisect_right(found, at_most)
    return snapshot_dir(root, found[i - 1]) if i else None


def prune(root: str | os.PathLike[str], keep: int = 2) -> None:
    """Delete all but the ``keep`` newest snapshots (a process still mapping one keeps its
    pages: unlinked files stay readable while mapped)."""
    root = Path(root)
    if not root.is_dir():
        return
    suffix = f"-f{FORMAT}"
    snaps = sorted(
        (p for p in root.iterdir() if p.name.startswith("v") and p.name.endswith(suffix)),
        key=lambda p: int(p.name[1 : -len(suffix)]) if p.name[1 : -len(suffix)].isdigit() else -1,
    )
    for p in snaps[:-keep]:
        shutil.rmtree(p, ignore_errors=True)
