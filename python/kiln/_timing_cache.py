"""ITimingCache.query / queryKeys / update, TimingCacheKey and TimingCacheValue (TensorRT 10).

kiln's timing cache (docs/tuning.md) holds one measured time per (layer signature, tactic,
configuration): its keys are strings "<signature>|<tactic>#<configuration id>". TensorRT's
TimingCacheKey is opaque; kiln's is that string (``str(key)``, ``TimingCacheKey.parse(text)``).
A TimingCacheValue gives the entry's tactic as ``tacticHash`` (a 64-bit hash of the
"<tactic>#<configuration id>" part of the key) and its time as ``timingMSec``.

The entries are read from and written back through the cache's documented serialized form
(magic KILNTCCH, format version 1, the device string, the entries in key order, a 64-bit checksum),
so nothing here reaches into the C++ core: update() rebuilds the entries and loads them with
reset() + combine().
"""

from __future__ import annotations

import math
import struct

_MASK = (1 << 64) - 1
_M1 = 0x9E3779B97F4A7C15
_M2 = 0xBB67AE8584CAA73B
_M3 = 0x3C6EF372FE94F82B
_M4 = 0xA54FF53A5F1D36F1
_MAGIC = b"KILNTCCH"
_FORMAT_VERSION = 1
INVALID_TACTIC_HASH = _MASK  # TensorRT's TimingCacheValue::kINVALID_TACTIC_HASH (UINT64_MAX)


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _MASK


def _mix(acc: int, word: int) -> int:
    return (_rotl(((acc ^ word) * _M2) & _MASK, 29) * _M1) & _MASK


def checksum64(data: bytes, seed: int = 0) -> int:
    """kiln's checksum64 (src/core/checksum.cpp), the one closing a serialized timing cache."""
    size = len(data)
    p = 0
    h = seed ^ _M4
    if size >= 32:
        lane = [(seed + _M1) & _MASK, (seed + _M2) & _MASK, seed ^ _M3, (seed - _M4) & _MASK]
        while size - p >= 32:
            for i in range(4):
                lane[i] = _mix(lane[i], int.from_bytes(data[p + 8 * i:p + 8 * i + 8], "little"))
            p += 32
        for v in lane:
            h = ((h ^ _mix(0, v)) * _M1 + _M4) & _MASK
    h = (h + size * _M3) & _MASK
    while size - p >= 8:
        h = (_rotl(h ^ _mix(0, int.from_bytes(data[p:p + 8], "little")), 27) * _M1 + _M4) & _MASK
        p += 8
    if p < size:
        last = int.from_bytes(data[p:] + bytes(8 - (size - p)), "little")
        h = (_rotl(h ^ _mix(0, last), 23) * _M1 + _M2) & _MASK
    h ^= h >> 33
    h = (h * _M2) & _MASK
    h ^= h >> 29
    h = (h * _M3) & _MASK
    h ^= h >> 32
    return h


def parse(blob: bytes):
    """(device, {key: (time_ms, workspace)}) of a serialized cache (the C++ side validated it)."""
    if len(blob) == 0:
        return "", {}
    if blob[:8] != _MAGIC or int.from_bytes(blob[-8:], "little") != checksum64(blob[:-8]):
        raise ValueError("not a valid kiln timing cache")
    pos = 8
    (version,) = struct.unpack_from("<I", blob, pos)
    pos += 4
    if version != _FORMAT_VERSION:
        raise ValueError(f"timing cache format version {version}; this kiln reads {_FORMAT_VERSION}")

    def string():
        nonlocal pos
        (n,) = struct.unpack_from("<I", blob, pos)
        pos += 4
        text = blob[pos:pos + n].decode()
        pos += n
        return text

    device = string()
    (count,) = struct.unpack_from("<I", blob, pos)
    pos += 4
    entries = {}
    for _ in range(count):
        key = string()
        time_ms, workspace = struct.unpack_from("<fq", blob, pos)
        pos += 12
        entries[key] = (time_ms, workspace)
    return device, entries


def serialize(device: str, entries) -> bytes:
    """The serialized form of a cache made on `device` with `entries` {key: (time_ms, workspace)}."""
    out = bytearray(_MAGIC)
    out += struct.pack("<I", _FORMAT_VERSION)
    d = device.encode()
    out += struct.pack("<I", len(d)) + d
    out += struct.pack("<I", len(entries))
    for key in sorted(entries, key=lambda k: k.encode()):  # std::map order: bytewise
        k = key.encode()
        time_ms, workspace = entries[key]
        out += struct.pack("<I", len(k)) + k + struct.pack("<fq", time_ms, workspace)
    out += struct.pack("<Q", checksum64(bytes(out)))
    return bytes(out)


def tactic_hash(key: str) -> int:
    """The tacticHash of a kiln key: checksum64 of its "<tactic>#<configuration id>" part."""
    return checksum64(key.rpartition("|")[2].encode())


class TimingCacheKey:
    """The key of a timing-cache entry: kiln's "<signature>|<tactic>#<configuration id>" text."""

    def __init__(self, text: str = ""):
        self._text = str(text)

    @staticmethod
    def parse(text: str) -> "TimingCacheKey":
        """The key whose text is `text` (as ``str(key)`` gives it)."""
        return TimingCacheKey(text)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"TimingCacheKey({self._text!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, TimingCacheKey) and other._text == self._text

    def __hash__(self) -> int:
        return hash(self._text)


class TimingCacheValue:
    """A cache entry's value: ``tacticHash`` (the tactic of the key) and ``timingMSec``.

    An invalid value (what query returns for an unknown key) has tacticHash
    ``INVALID_TACTIC_HASH`` (2**64 - 1) and a negative timingMSec."""

    def __init__(self, tacticHash: int = INVALID_TACTIC_HASH, timingMSec: float = -1.0):  # noqa: N803
        self.tacticHash = int(tacticHash)
        self.timingMSec = float(timingMSec)

    def __repr__(self) -> str:
        return f"TimingCacheValue(tacticHash={self.tacticHash:#x}, timingMSec={self.timingMSec})"


def _entries(cache):
    return parse(bytes(memoryview(cache.serialize())))


def _query_keys(self):
    """The keys of every entry, in the cache's order."""
    return [TimingCacheKey(k) for k in _entries(self)[1]]


def _query(self, key):
    """The value of `key`'s entry, or an invalid value (tacticHash 2**64 - 1, timingMSec -1).

    The invalid value is returned when the cache has no such entry."""
    entry = _entries(self)[1].get(str(key))
    if entry is None:
        return TimingCacheValue()
    return TimingCacheValue(tactic_hash(str(key)), entry[0])


def _update(self, key, value):
    """Updates `key`'s entry: a valid timingMSec replaces its time, NaN deletes the entry.

    False, with the reason logged, when the cache has no such entry, when value.tacticHash is not
    the key's tactic (a kiln key names its tactic), or when timingMSec is negative."""
    from . import _kiln

    device, entries = _entries(self)
    text = str(key)
    if text not in entries:
        return _refuse(f"ITimingCache.update: the cache has no entry '{text}' (queryKeys() lists "
                       "them; update changes entries, it does not add them)")
    timing = float(value.timingMSec)
    if math.isnan(timing):
        del entries[text]
    else:
        if int(value.tacticHash) != tactic_hash(text):
            return _refuse(f"ITimingCache.update: tacticHash {int(value.tacticHash):#x} is not the "
                           f"tactic of '{text}' ({tactic_hash(text):#x}, query(key).tacticHash)")
        if timing < 0:
            return _refuse(f"ITimingCache.update: timingMSec {timing} is negative; pass a time in "
                           "ms, or NaN to delete the entry")
        entries[text] = (timing, entries[text][1])
    logger = _kiln.Logger(_kiln.Logger.ERROR)
    replacement = _kiln.Builder(logger).create_builder_config().create_timing_cache(
        serialize(device, entries))
    if replacement is None:
        return False
    self.reset()
    if entries and not self.combine(replacement, False):
        return False
    return True


def _refuse(message: str) -> bool:
    from . import _kiln

    if _kiln.get_strict():
        raise _kiln.Error(message)
    _kiln._report_failure(None, "ITimingCache.update", message)
    return False


def install(kiln) -> None:
    cache = kiln.ITimingCache
    cache.query = _query
    cache.queryKeys = _query_keys
    cache.update = _update
