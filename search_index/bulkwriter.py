"""A Whoosh segment writer for bulk builds: postings gathered per term, written per block.

Whoosh's ``SegmentWriter`` handles every posting several times in Python: a 5-tuple into
its sorting pool, a sort of all of them at commit, then per posting a read of the
document's field length back from the just-written length column and one
``add_posting`` call. A rebuild of ~50 postings per person spent most of its time there.

``BulkWriter`` writes the same segment (the stored fields, columns and lengths through
Whoosh's own per-document writer, the terms and postings through its own field writer)
but keeps, per field and term, the list of documents in memory: documents arrive in
docnum order, so each list is already sorted, and the field lengths are known when the
document is added. At commit each term's postings go to Whoosh's posting writer a block
(128 postings) at a time. The files are byte for byte those of ``SegmentWriter``
(``tests/search_index/test_bulk_writer.py`` compares them), so readers need no change.

It relies on the internals of whoosh-reloaded 2.7.5's W3 codec (pinned in pyproject).
Memory: about 8 bytes per posting plus one list per distinct term, all held until commit
(the stock pool held a ~100-byte tuple per posting up to ``limitmb``).
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from typing import Any

from whoosh import formats
from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter


def _quantised(length: int) -> int:
    """The length Whoosh's posting writer sees: stored as a byte, read back (0: none)."""
    lb = length_to_byte(length)
    return byte_to_length(lb) if lb else 0


class BulkWriter(SegmentWriter):
    """``SegmentWriter`` for a fresh segment of many documents (no updates, no deletes)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if not isinstance(self.fieldwriter, W3FieldWriter):
            raise TypeError("BulkWriter writes the W3 codec only")
        # field name -> {term (str for word lists, bytes otherwise) -> docnums}
        self._fast: dict[str, defaultdict[str, list[int]]] = {}
        # field name -> {term bytes -> [(docnum, weight, value bytes)]}
        self._slow: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}
        # field name -> quantised field length of every document so far (0: none)
        self._lengths: dict[str, list[int]] = {}
        self._qcache: dict[int, int] = {}

    def _fast_field(self, field: Any) -> bool:
        # Word lists of an Existence field: the terms are the distinct list items, each
        # with frequency 1 and weight field_boost (what Existence.word_values yields).
        return type(field.format) is formats.Existence and not field.separate_spelling()

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        if any(name.startswith("_") for name in fields):
            raise ValueError("BulkWriter takes no boosts or _stored_ values")
        schema = self.schema
        names = sorted(fields)
        self._check_fields(schema, names)
        pdw = self.perdocwriter
        docnum = self.docnum
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    if isinstance(value, list) and self._fast_field(field):
                        terms = set(value)
                        postings = self._fast.get(name)
                        if postings is None:
                            postings = self._fast[name] = defaultdict(list)
                        for t in terms:
                            postings[t].append(docnum)
                        if field.scorable:
                            length = len(terms)
                    else:
                        slow = self._slow.setdefault(name, {})
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if field.scorable:
                                length += freq
                            slow.setdefault(tbytes, []).append((docnum, weight, vbytes))
                    if field.vector:
                        raise ValueError("BulkWriter writes no term vectors")
                    lengths = self._lengths.setdefault(name, [])
                    if len(lengths) < docnum:
                        lengths.extend([0] * (docnum - len(lengths)))
                    q = self._qcache.get(length)
                    if q is None:
                        q = self._qcache[length] = _quantised(length)
                    lengths.append(q)
                pdw.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    pdw.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fw = self.fieldwriter
        n = self.docnum
        for name in sorted(set(self._fast) | set(self._slow)):
            field = self.schema[name]
            lengths = self._lengths[name]
            lengths.extend([0] * (n - len(lengths)))
            terms: list[tuple[bytes, Any]] = [
                (t.encode("utf-8"), docs) for t, docs in self._fast.get(name, {}).items()
            ]
            terms += [(t, None) for t in self._slow.get(name, {})]
            terms.sort(key=lambda kv: kv[0])
            fw.start_field(name, field)
            slow = self._slow.get(name, {})
            weight = float(field.format.field_boost)
            for tbytes, docs in terms:
                fw.start_term(tbytes)
                if docs is None:
                    for docnum, w, vbytes in slow[tbytes]:
                        fw.add(docnum, w, vbytes or b"", lengths[docnum] or None)
                else:
                    self._write_blocks(fw._postwriter, docs, lengths, weight)
                fw.finish_term()
            fw.finish_field()
        fw.close()

    @staticmethod
    def _write_blocks(pw: Any, docs: list[int], lengths: list[int], weight: float) -> None:
        """What ``add_posting`` for each document would leave behind, a block at a time."""
        limit = pw._blocklimit
        for i in range(0, len(docs), limit):
            if i:
                pw._write_block()
            chunk = docs[i : i + limit]
            pw._ids = array("I", chunk)
            pw._weights = array("f", [weight]) * len(chunk)
            if weight > pw._maxweight:
                pw._maxweight = weight
            ls = [x for x in map(lengths.__getitem__, chunk) if x]
            if ls:
                pw._minlength = min(ls)
                pw._maxlength = max(ls)

    def _close_segment(self) -> None:
        super()._close_segment()
        self._fast.clear()
        self._slow.clear()
        self._lengths.clear()
