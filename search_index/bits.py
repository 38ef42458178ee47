"""Document sets as Python big integers: bit n set means docnum n is in the set."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Bit offsets of every byte value, so decoding a set costs one lookup per non-zero byte.
# Runs of non-zero bytes: decoding skips empty stretches of a sparse set at C speed.
_NONZERO = re.compile(rb"[^\x00]+")

_BYTE_BITS: tuple[tuple[int, ...], ...] = tuple(
    tuple(i for i in range(8) if b >> i & 1) for b in range(256)
)


def from_ids(ids: Iterable[int], size: int) -> int:
    """Return the bitset of the given docnums (each below size)."""
    buf = bytearray((size + 8) // 8)
    for d in ids:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


def to_ids(bits: int) -> list[int]:
    """Return the docnums of a bitset in ascending order."""
    if not bits:
        return []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    out: list[int] = []
    extend = out.extend
    table = _BYTE_BITS
    for run in _NONZERO.finditer(data):
        for i in range(run.start(), run.end()):
            base = i << 3
            extend([base + o for o in table[data[i]]])
    return out


def first_ids(bits: int, k: int) -> list[int]:
    """Return the k smallest docnums of a bitset."""
    out: list[int] = []
    if k <= 0 or not bits:
        return out
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    table = _BYTE_BITS
    for run in _NONZERO.finditer(data):
        for i in range(run.start(), run.end()):
            base = i << 3
            for o in table[data[i]]:
                out.append(base + o)
                if len(out) >= k:
                    return out
    return out
