"""ITimingCache.queryKeys / query / update with TimingCacheKey and TimingCacheValue (TensorRT 10).

CPU builds time nothing, so the entries here are written in kiln's serialized cache form (the same
bytes a GPU build's cache serializes to) and loaded with create_timing_cache: the C++ parser
checks them, and every read below goes back through the C++ cache's serialize()."""

import math

import pytest

import kiln as trt
from kiln import _timing_cache

KEYS = {
    "conv|sig-a|cuda.cudnn.convolution#3": (0.25, 4096),
    "conv|sig-a|cuda.cudnn.convolution#7": (0.5, 0),
    "matmul|sig-b|cuda.cublaslt.matrix_multiply#1": (0.125, 1 << 20),
}


def make_cache(entries=KEYS):
    config = trt.Builder(trt.Logger(trt.Logger.ERROR)).create_builder_config()
    cache = config.create_timing_cache(_timing_cache.serialize("", entries))
    assert cache is not None, trt.get_last_error()
    return cache


def test_checksum_matches_kiln():
    """A cache serialized by C++ parses here (checksum included), and bytes written here load."""
    cache = make_cache()
    assert cache.num_entries == 3  # the C++ parser accepted our checksum
    blob = bytes(memoryview(cache.serialize()))
    assert len(blob) > 32  # the four-lane path of the checksum
    assert _timing_cache.parse(blob) == ("", {k: v for k, v in KEYS.items()})
    corrupt = bytearray(blob)
    corrupt[20] ^= 1
    with pytest.raises(ValueError):
        _timing_cache.parse(bytes(corrupt))


def test_query_keys_and_query():
    cache = make_cache()
    keys = cache.queryKeys()
    assert sorted(str(k) for k in keys) == sorted(KEYS)
    key = trt.TimingCacheKey.parse("conv|sig-a|cuda.cudnn.convolution#3")
    assert key in keys
    value = cache.query(key)
    assert value.timingMSec == 0.25
    assert value.tacticHash == _timing_cache.tactic_hash(str(key))
    # The same tactic in another layer has the same hash; another configuration does not.
    other = cache.query(trt.TimingCacheKey.parse("conv|sig-a|cuda.cudnn.convolution#7"))
    assert other.tacticHash != value.tacticHash and other.timingMSec == 0.5
    missing = cache.query(trt.TimingCacheKey.parse("nope|x#0"))
    assert missing.tacticHash == 2**64 - 1 and missing.timingMSec < 0


def test_update_changes_and_deletes_entries():
    cache = make_cache()
    key = trt.TimingCacheKey.parse("matmul|sig-b|cuda.cublaslt.matrix_multiply#1")
    value = cache.query(key)
    assert cache.update(key, trt.TimingCacheValue(value.tacticHash, 2.0))
    assert cache.query(key).timingMSec == 2.0
    assert cache.num_entries == 3
    # The workspace stays, the other entries too.
    _, entries = _timing_cache.parse(bytes(memoryview(cache.serialize())))
    assert entries[str(key)] == (2.0, 1 << 20)
    assert entries["conv|sig-a|cuda.cudnn.convolution#3"] == (0.25, 4096)
    # NaN deletes the entry.
    assert cache.update(key, trt.TimingCacheValue(value.tacticHash, math.nan))
    assert cache.num_entries == 2 and cache.query(key).timingMSec < 0


def test_update_refuses_what_it_cannot_honour():
    cache = make_cache()
    key = trt.TimingCacheKey.parse("conv|sig-a|cuda.cudnn.convolution#3")
    good = cache.query(key).tacticHash
    assert not cache.update(trt.TimingCacheKey.parse("absent|x#0"), trt.TimingCacheValue(1, 1.0))
    assert "no entry 'absent|x#0'" in trt.get_last_error()
    assert not cache.update(key, trt.TimingCacheValue(good ^ 1, 1.0))
    assert "is not the tactic" in trt.get_last_error()
    assert not cache.update(key, trt.TimingCacheValue(good, -3.0))
    assert "negative" in trt.get_last_error()
    assert cache.query(key).timingMSec == 0.25  # unchanged
