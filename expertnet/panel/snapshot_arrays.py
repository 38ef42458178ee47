"""The affinity model and the scholarly layer of a graph snapshot as mapped arrays.

``snapshot.save`` used to pickle them; at a million members that pickle was 772 MB and
every worker process unpickled a private copy of it (3.5 GB, a minute). Here each big
part is a few ``.npy`` arrays that ``snapshot.load`` maps read-only, so the processes of
a node share the pages, behind the same interfaces the callers read:

- sparse matrices: their ``data``/``indices``/``indptr`` arrays, in the index dtype scipy
  itself picks, so ``csr_matrix((data, indices, indptr))`` keeps the mapped arrays;
- strings to numbers (the vocabulary, the declared phrases, the surface forms):
  ``StringTable``, strings as one UTF-8 blob with offsets, found through sorted 64-bit
  hashes (``np.searchsorted``);
- each expert's keywords and paper titles: per-person offsets into string lists;
- the collaborations: sorted (a, b) pairs with a year, a kind and a title each.

Nothing here is ever written to: a patched model (``AffinityModel.patched``) builds new
rows beside them and overlays changed people (``Overlay``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np
from scipy import sparse

from ..scholarly.graph_source import COAUTHOR, JOINT_PROJECT, Collaboration

#: A year that is None (undated) in the year columns.
NO_YEAR = np.iinfo(np.int32).min
KINDS = (COAUTHOR, JOINT_PROJECT)

Arrays = dict[str, np.ndarray]
Getter = Callable[[str], np.ndarray]


def _year(y: int | None) -> int:
    return NO_YEAR if y is None else int(y)


def _unyear(y: int) -> int | None:
    return None if y == NO_YEAR else y


def _blob(strings: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, UTF-8 bytes) of strings: string i is ``blob[off[i]:off[i + 1]]``."""
    encoded = [s.encode() for s in strings]
    off = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=off[1:])
    return off, np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()


def _hash(s: str) -> int:
    digest = hashlib.blake2b(s.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def is_mapped(arr: Any) -> bool:
    """Does ``arr`` (or what it is a view of) live in a memory map?"""
    import mmap

    while arr is not None:
        if isinstance(arr, np.memmap | mmap.mmap):
            return True
        arr = getattr(arr, "base", None)
    return False


def search_sorted(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """``haystack.searchsorted(needles)`` (side left), the needles looked up in ascending
    order: in an array of millions (the co-author pairs, the graph's nodes) a search in
    random order misses the cache at every step, in order the next one starts where the
    last ended. Three to four times faster for thousands of needles, same answer."""
    if len(needles) < 256:
        return np.asarray(haystack.searchsorted(needles))
    order = np.argsort(needles, kind="stable")
    out = np.empty(len(needles), dtype=np.intp)
    out[order] = haystack.searchsorted(needles[order])
    return out


class StringTable(Mapping):
    """String -> int (or -> str with ``values``), mapped; strings numbered by position.

    ``off``/``blob`` hold the keys in their number order; ``hashes`` are the keys' 64-bit
    hashes sorted, ``rows`` the key number of each. A lookup hashes the key, binary-
    searches the hashes and compares the bytes (so a hash collision cannot mislead it).
    A bounded memo keeps the answers of recent look-ups (explanations ask the same terms
    again and again).
    """

    MEMO = 200_000

    def __init__(self, a: Mapping[str, np.ndarray], values: bool = False) -> None:
        self.a = a
        self.values_too = values
        self._memo: dict[str, int] = {}

    @staticmethod
    def arrays(keys: list[str], values: list[str] | None = None) -> Arrays:
        off, blob = _blob(keys)
        hashes = np.array([_hash(k) for k in keys], dtype=np.int64)
        order = np.argsort(hashes, kind="stable")
        out = {"off": off, "blob": blob, "hashes": hashes[order], "rows": order.astype(np.int64)}
        if values is not None:
            out["voff"], out["vblob"] = _blob(values)
        return out

    @classmethod
    def of_index(cls, index: Mapping[str, int]) -> Arrays:
        """Arrays of a {string: 0..n-1} mapping (the vocabulary, the phrases)."""
        keys = [""] * len(index)
        for s, j in index.items():
            keys[j] = s
        return cls.arrays(keys)

    def key(self, j: int) -> str:
        off = self.a["off"]
        return bytes(self.a["blob"][int(off[j]) : int(off[j + 1])]).decode()

    def _value(self, j: int) -> Any:
        if not self.values_too:
            return j
        off = self.a["voff"]
        return bytes(self.a["vblob"][int(off[j]) : int(off[j + 1])]).decode()

    def find(self, s: object) -> int:
        """The number of ``s``, -1 when absent."""
        if not isinstance(s, str):
            return -1
        j = self._memo.get(s)
        if j is not None:
            return j
        h = _hash(s)
        hashes = self.a["hashes"]
        i = int(np.searchsorted(hashes, h))
        j = -1
        want = s.encode()
        off, blob, rows = self.a["off"], self.a["blob"], self.a["rows"]
        while i < len(hashes) and int(hashes[i]) == h:
            r = int(rows[i])
            if bytes(blob[int(off[r]) : int(off[r + 1])]) == want:
                j = r
                break
            i += 1
        if len(self._memo) >= self.MEMO:
            self._memo.clear()
        self._memo[s] = j
        return j

    def __getitem__(self, s: str) -> Any:
        j = self.find(s)
        if j < 0:
            raise KeyError(s)
        return self._value(j)

    def __contains__(self, s: object) -> bool:
        return self.find(s) >= 0

    def __iter__(self) -> Iterator[str]:
        off, blob = self.a["off"], bytes(self.a["blob"])
        bounds = off.tolist()
        for i in range(len(bounds) - 1):
            yield blob[bounds[i] : bounds[i + 1]].decode()

    def __len__(self) -> int:
        return len(self.a["off"]) - 1

    def keys_list(self) -> list[str]:
        return list(self)


class ListTable(Mapping):
    """Int id -> list of (year, string), from sorted ids, per-id offsets into items, and
    the items' years and strings (each paper title of each expert)."""

    def __init__(self, a: Mapping[str, np.ndarray], years: bool = True) -> None:
        self.a = a
        self.years = years

    @staticmethod
    def arrays(items: Mapping[int, Iterable[Any]], years: bool = True) -> Arrays:
        ids = sorted(items)
        ptr = np.zeros(len(ids) + 1, dtype=np.int64)
        year: list[int] = []
        text: list[str] = []
        for n, pid in enumerate(ids):
            mine = list(items[pid])
            ptr[n + 1] = ptr[n] + len(mine)
            for it in mine:
                if years:
                    year.append(_year(it[0]))
                    text.append(it[1])
                else:
                    text.append(it)
        off, blob = _blob(text)
        out = {"ids": np.array(ids, dtype=np.int64), "ptr": ptr, "off": off, "blob": blob}
        if years:
            out["year"] = np.array(year, dtype=np.int32)
        return out

    def _row(self, pid: object) -> int:
        if not isinstance(pid, int | np.integer):
            return -1
        ids = self.a["ids"]
        i = int(np.searchsorted(ids, pid))
        return i if i < len(ids) and int(ids[i]) == pid else -1

    def _items(self, i: int) -> Any:
        a = self.a
        lo, hi = int(a["ptr"][i]), int(a["ptr"][i + 1])
        off = a["off"][lo : hi + 1].tolist()
        raw = bytes(a["blob"][off[0] : off[-1]]) if off else b""
        texts = [raw[off[k] - off[0] : off[k + 1] - off[0]].decode() for k in range(hi - lo)]
        if not self.years:
            return tuple(texts)
        return [(_unyear(y), t) for y, t in zip(a["year"][lo:hi].tolist(), texts, strict=True)]

    def __getitem__(self, pid: int) -> Any:
        i = self._row(pid)
        if i < 0:
            raise KeyError(pid)
        return self._items(i)

    def __contains__(self, pid: object) -> bool:
        return self._row(pid) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.a["ids"].tolist())

    def __len__(self) -> int:
        return len(self.a["ids"])


class Overlay(Mapping):
    """``base`` with some keys replaced (``over``) or removed (value None); never copies
    ``base`` (a patched model's keywords over the snapshot's)."""

    def __init__(self, base: Mapping, over: Mapping) -> None:
        if isinstance(base, Overlay):
            over = {**base.over, **over}
            base = base.base
        self.base, self.over = base, dict(over)
        self._len: int | None = None

    def __getitem__(self, k: Any) -> Any:
        if k in self.over:
            v = self.over[k]
            if v is None:
                raise KeyError(k)
            return v
        return self.base[k]

    def __contains__(self, k: object) -> bool:
        if k in self.over:
            return self.over[k] is not None
        return k in self.base

    def __iter__(self) -> Iterator[Any]:
        for k in self.base:
            if k not in self.over:
                yield k
        for k, v in self.over.items():
            if v is not None:
                yield k

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in self)
        return self._len


class CollaborationTable(Mapping):
    """(smaller id, larger id) -> ``Collaboration``, from pairs sorted by (a, b)."""

    def __init__(self, a: Mapping[str, np.ndarray]) -> None:
        self.a = a
        self._keys: np.ndarray | None = None

    @staticmethod
    def arrays(collabs: Mapping[tuple[int, int], Collaboration]) -> Arrays:
        if isinstance(collabs, CollaborationTable):  # made as arrays by the build
            return dict(collabs.a)
        keys = sorted(collabs)
        pool: dict[str, int] = {}
        tid = np.empty(len(keys), dtype=np.int64)
        year = np.empty(len(keys), dtype=np.int32)
        kind = np.empty(len(keys), dtype=np.uint8)
        for n, k in enumerate(keys):
            c = collabs[k]
            tid[n] = pool.setdefault(c.title, len(pool))
            year[n] = _year(c.year)
            kind[n] = KINDS.index(c.kind)
        off, blob = _blob(pool)  # dicts keep insertion order: title i is pool's i-th
        return {
            "a": np.array([k[0] for k in keys], dtype=np.int64),
            "b": np.array([k[1] for k in keys], dtype=np.int64),
            "year": year,
            "kind": kind,
            "title": tid,
            "off": off,
            "blob": blob,
        }

    def _find(self, key: object) -> int:
        if not isinstance(key, tuple) or len(key) != 2:
            return -1
        x, y = key
        if not isinstance(x, int | np.integer) or not isinstance(y, int | np.integer):
            return -1
        keys = self._sorted_keys()
        if not (0 <= x < 2**31 and 0 <= y < 2**31):
            return -1
        k = (int(x) << 32) | int(y)
        i = int(keys.searchsorted(k))
        return i if i < len(keys) and int(keys[i]) == k else -1

    def _sorted_keys(self) -> np.ndarray:
        keys = self._keys
        if keys is None:
            # (a, b) as one sorted int64 (person ids < 2**31): one search per look-up.
            keys = self._keys = (self.a["a"] << 32) | self.a["b"]
        return keys

    def find_many(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The row of each pair (x[i], y[i]) in either order, or -1: one search for all."""
        x = np.asarray(x, dtype=np.int64)
        y = np.asarray(y, dtype=np.int64)
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        ok = (lo >= 0) & (hi < 2**31)
        k = (lo << 32) | np.where(ok, hi, 0)
        keys = self._sorted_keys()
        if not len(keys):
            return np.full(len(k), -1, dtype=np.int64)
        i = np.minimum(search_sorted(keys, k), len(keys) - 1)
        return np.where(ok & (keys[i] == k), i, -1).astype(np.int64)

    def years(self, rows: np.ndarray) -> np.ndarray:
        """The year of each row (``NO_YEAR``: undated or ongoing)."""
        return np.asarray(self.a["year"][rows])

    def at(self, i: int) -> Collaboration:
        """The collaboration of row ``i`` (a row ``find_many`` gave)."""
        return self._make(i)

    def _make(self, i: int) -> Collaboration:
        a = self.a
        t = int(a["title"][i])
        title = bytes(a["blob"][int(a["off"][t]) : int(a["off"][t + 1])]).decode()
        return Collaboration(_unyear(int(a["year"][i])), KINDS[int(a["kind"][i])], title)

    def __getitem__(self, key: tuple[int, int]) -> Collaboration:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return self._make(i)

    def __contains__(self, key: object) -> bool:
        return self._find(key) >= 0

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.a["a"].tolist(), self.a["b"].tolist(), strict=True)

    def __len__(self) -> int:
        return len(self.a["a"])

    def items(self) -> Iterator[tuple[tuple[int, int], Collaboration]]:  # type: ignore[override]
        for i, key in enumerate(self):
            yield key, self._make(i)

    def values(self) -> Iterator[Collaboration]:  # type: ignore[override]
        for i in range(len(self)):
            yield self._make(i)


# --- the affinity model ----------------------------------------------------------------

_MATRICES = ("matrix", "record", "declared", "work_counts")
_VECTORS = (
    "person_ids",
    "idf",
    "record_idf",
    "phrase_idf",
    "declared_mass",
    "work_owner",
    "work_weight",
)


def _csr_arrays(m: sparse.csr_matrix) -> Arrays:
    """A CSR matrix's arrays in the index dtype scipy's constructor keeps as they are."""
    m = m.tocsr()
    idx = sparse.get_index_dtype((m.indices, m.indptr), maxval=max(m.shape), check_contents=True)
    return {
        "data": np.ascontiguousarray(m.data),
        "indices": np.ascontiguousarray(m.indices, dtype=idx),
        "indptr": np.ascontiguousarray(m.indptr, dtype=idx),
    }


def affinity_arrays(model: Any) -> tuple[Arrays, dict[str, Any]]:
    """The arrays (by file name) and the small rest (for the pickle) of an
    ``AffinityModel``."""
    arrays: Arrays = {}
    meta: dict[str, Any] = {"avg_length": model.avg_length, "shapes": {}}
    for name in _MATRICES:
        m = getattr(model, name)
        if m is None:
            continue
        meta["shapes"][name] = tuple(int(x) for x in m.shape)
        for part, arr in _csr_arrays(m).items():
            arrays[f"a_{name}_{part}"] = arr
    for name in _VECTORS:
        v = getattr(model, name)
        if v is not None:
            arrays[f"a_{name}"] = np.ascontiguousarray(v)
    for prefix, t in (
        ("a_vocab_", StringTable.of_index(model.vocabulary)),
        ("a_phrase_", StringTable.of_index(model.phrases)),
        ("a_surface_", StringTable.arrays(list(model.surface), list(model.surface.values()))),
        ("a_kw_", ListTable.arrays(model.keywords, years=False)),
    ):
        arrays.update({prefix + k: v for k, v in t.items()})
    return arrays, meta


def _parts(get: Getter, prefix: str, names: Iterable[str]) -> dict[str, np.ndarray]:
    return {n: get(prefix + n) for n in names}


def affinity_from(get: Getter, meta: Mapping[str, Any], present: set[str]) -> Any:
    """The ``AffinityModel`` over the arrays ``get(name)`` returns (mapped)."""
    from .affinity import AffinityModel, RowOf

    kw: dict[str, Any] = {}
    for name, shape in meta["shapes"].items():
        kw[name] = sparse.csr_matrix(
            (get(f"a_{name}_data"), get(f"a_{name}_indices"), get(f"a_{name}_indptr")),
            shape=shape,
        )
    for name in _VECTORS:
        if f"a_{name}" in present:
            kw[name] = get(f"a_{name}")
    str_parts = ("off", "blob", "hashes", "rows")
    return AffinityModel(
        row_of=RowOf(kw["person_ids"]),
        vocabulary=StringTable(_parts(get, "a_vocab_", str_parts)),  # type: ignore[arg-type]
        phrases=StringTable(_parts(get, "a_phrase_", str_parts)),  # type: ignore[arg-type]
        surface=StringTable(_parts(get, "a_surface_", (*str_parts, "voff", "vblob")), values=True),
        keywords=ListTable(_parts(get, "a_kw_", ("ids", "ptr", "off", "blob")), years=False),  # type: ignore[arg-type]
        avg_length=meta["avg_length"],
        **kw,
    )


def scholarly_arrays(collaborations: Mapping, titles: Mapping) -> Arrays:
    out = {f"s_c_{k}": v for k, v in CollaborationTable.arrays(collaborations).items()}
    out.update({f"s_t_{k}": v for k, v in ListTable.arrays(titles).items()})
    return out


def scholarly_from(get: Getter) -> tuple[CollaborationTable, ListTable]:
    c = CollaborationTable(_parts(get, "s_c_", ("a", "b", "year", "kind", "title", "off", "blob")))
    t = ListTable(_parts(get, "s_t_", ("ids", "ptr", "off", "blob", "year")))
    return c, t
