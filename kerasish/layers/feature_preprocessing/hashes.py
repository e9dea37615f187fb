"""The string hashes Keras's hashing layers use through TensorFlow, in plain Python (host side).

- `fingerprint64(data)`: FarmHash's `Fingerprint64` (farmhashna `Hash64`), behind TensorFlow's
  `tf.strings.to_hash_bucket_fast`, `Hashing(salt=None)` and the OOV buckets of the lookup layers.
- `siphash24(key, data)`: SipHash-2-4 with a 128-bit key `(k0, k1)`, behind `tf.strings.to_hash_bucket_strong`
  (`Hashing(salt=...)`).
- `hash_buckets(values, num_buckets, salt)`: either hash of every element of an array, modulo `num_buckets`,
  computed once per distinct value. Numbers are hashed through their decimal text (`tf.strings.as_string`),
  floats truncated to integers first, as Keras does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_MASK = (1 << 64) - 1
K0 = 0xC3A5C85C97CB3127
K1 = 0xB492B66FBE98F273
K2 = 0x9AE16A3B2F90404F


def _fetch64(data: bytes, i: int) -> int:
    return int.from_bytes(data[i:i + 8], "little")


def _fetch32(data: bytes, i: int) -> int:
    return int.from_bytes(data[i:i + 4], "little")


def _rotate(value: int, shift: int) -> int:
    return value if shift == 0 else ((value >> shift) | (value << (64 - shift))) & _MASK


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def _hash_len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _hash_len0to16(data: bytes, n: int) -> int:
    if n >= 8:
        mul = K2 + n * 2
        a = (_fetch64(data, 0) + K2) & _MASK
        b = _fetch64(data, n - 8)
        c = (_rotate(b, 37) * mul + a) & _MASK
        d = ((_rotate(a, 25) + b) * mul) & _MASK
        return _hash_len16(c, d, mul)
    if n >= 4:
        mul = K2 + n * 2
        a = _fetch32(data, 0)
        return _hash_len16((n + (a << 3)) & _MASK, _fetch32(data, n - 4), mul)
    if n > 0:
        a, b, c = data[0], data[n >> 1], data[n - 1]
        y = (a + (b << 8)) & 0xFFFFFFFF
        z = (n + (c << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * K2) ^ (z * K0)) & _MASK) * K2) & _MASK
    return K2


def _hash_len17to32(data: bytes, n: int) -> int:
    mul = K2 + n * 2
    a = (_fetch64(data, 0) * K1) & _MASK
    b = _fetch64(data, 8)
    c = (_fetch64(data, n - 8) * mul) & _MASK
    d = (_fetch64(data, n - 16) * K2) & _MASK
    return _hash_len16((_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK,
                       (a + _rotate((b + K2) & _MASK, 18) + c) & _MASK, mul)


def _hash_len33to64(data: bytes, n: int) -> int:
    mul = K2 + n * 2
    a = (_fetch64(data, 0) * K2) & _MASK
    b = _fetch64(data, 8)
    c = (_fetch64(data, n - 8) * mul) & _MASK
    d = (_fetch64(data, n - 16) * K2) & _MASK
    y = (_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK
    z = _hash_len16(y, (a + _rotate((b + K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_fetch64(data, 16) * mul) & _MASK
    f = _fetch64(data, 24)
    g = ((y + _fetch64(data, n - 32)) * mul) & _MASK
    h = ((z + _fetch64(data, n - 24)) * mul) & _MASK
    return _hash_len16((_rotate((e + f) & _MASK, 43) + _rotate(g, 30) + h) & _MASK,
                       (e + _rotate((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak_hash_len32_with_seeds(data: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = (_fetch64(data, i + k) for k in (0, 8, 16, 24))
    a = (a + w) & _MASK
    b = _rotate((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rotate(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(data: bytes) -> int:
    """FarmHash `Fingerprint64` of `data`: an unsigned 64-bit int, the same on every platform.

    Example:
      >>> fingerprint64(b"") == K2
      True
    """
    n = len(data)
    if n <= 16:
        return _hash_len0to16(data, n)
    if n <= 32:
        return _hash_len17to32(data, n)
    if n <= 64:
        return _hash_len33to64(data, n)
    seed = 81
    x = seed
    y = (seed * K1 + 113) & _MASK
    z = (_shift_mix((y * K2 + 113) & _MASK) * K2) & _MASK
    v = (0, 0)
    w = (0, 0)
    x = (x * K2 + _fetch64(data, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rotate((x + y + v[0] + _fetch64(data, i + 8)) & _MASK, 37) * K1) & _MASK
        y = (_rotate((y + v[1] + _fetch64(data, i + 48)) & _MASK, 42) * K1) & _MASK
        x ^= w[1]
        y = (y + v[0] + _fetch64(data, i + 40)) & _MASK
        z = (_rotate((z + w[0]) & _MASK, 33) * K1) & _MASK
        v = _weak_hash_len32_with_seeds(data, i, (v[1] * K1) & _MASK, (x + w[0]) & _MASK)
        w = _weak_hash_len32_with_seeds(data, i + 32, (z + w[1]) & _MASK, (y + _fetch64(data, i + 16)) & _MASK)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = K1 + ((z & 0xFF) << 1)
    i = last64
    w = ((w[0] + ((n - 1) & 63)) & _MASK, w[1])
    v = ((v[0] + w[0]) & _MASK, v[1])
    w = ((w[0] + v[0]) & _MASK, w[1])
    x = (_rotate((x + y + v[0] + _fetch64(data, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rotate((y + v[1] + _fetch64(data, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK
    y = (y + v[0] * 9 + _fetch64(data, i + 40)) & _MASK
    z = (_rotate((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak_hash_len32_with_seeds(data, i, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak_hash_len32_with_seeds(data, i + 32, (z + w[1]) & _MASK, (y + _fetch64(data, i + 16)) & _MASK)
    z, x = x, z
    return _hash_len16((_hash_len16(v[0], w[0], mul) + _shift_mix(y) * K0 + z) & _MASK,
                       (_hash_len16(v[1], w[1], mul) + x) & _MASK, mul)


def siphash24(key: tuple[int, int], data: bytes) -> int:
    """SipHash-2-4 of `data` under the 128-bit key `(k0, k1)` (two unsigned 64-bit ints).

    Example (the reference test vector: key bytes 0..15, message bytes 0..14):
      >>> k0, k1 = int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little")
      >>> hex(siphash24((k0, k1), bytes(range(15))))
      '0xa129ca6149be45e5'
    """
    k0, k1 = key[0] & _MASK, key[1] & _MASK
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(v0: int, v1: int, v2: int, v3: int, count: int) -> tuple[int, int, int, int]:
        for _ in range(count):
            v0 = (v0 + v1) & _MASK
            v1 = ((v1 << 13) | (v1 >> 51)) & _MASK
            v1 ^= v0
            v0 = ((v0 << 32) | (v0 >> 32)) & _MASK
            v2 = (v2 + v3) & _MASK
            v3 = ((v3 << 16) | (v3 >> 48)) & _MASK
            v3 ^= v2
            v0 = (v0 + v3) & _MASK
            v3 = ((v3 << 21) | (v3 >> 43)) & _MASK
            v3 ^= v0
            v2 = (v2 + v1) & _MASK
            v1 = ((v1 << 17) | (v1 >> 47)) & _MASK
            v1 ^= v2
            v2 = ((v2 << 32) | (v2 >> 32)) & _MASK
        return v0, v1, v2, v3

    n = len(data)
    whole = n - n % 8
    for i in range(0, whole, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m
        v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
        v0 ^= m
    last = int.from_bytes(data[whole:], "little") | ((n & 0xFF) << 56)
    v3 ^= last
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
    v0 ^= last
    v2 ^= 0xFF
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3


def as_text(value: Any, encoding: str = "utf-8") -> bytes:
    """The bytes TensorFlow hashes for one element: strings encoded, numbers as decimal text."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode(encoding)
    if isinstance(value, (float, np.floating)):
        value = int(value)  # Keras casts floats to int64 before hashing
    return str(int(value)).encode("ascii")


def hash_buckets(values: Any, num_buckets: int, salt: tuple[int, int] | None = None) -> np.ndarray:
    """`hash(element) % num_buckets` for every element of `values` (an array of strings, bytes or numbers),
    FarmHash Fingerprint64 without `salt`, SipHash-2-4 keyed by `salt` with it, as an int64 array of
    `values`' shape. Each distinct value is hashed once."""
    values = np.asarray(values)
    if values.size == 0:
        return np.zeros(values.shape, np.int64)
    if values.dtype.kind == "f":  # Keras truncates floats to int64 first
        values = values.astype(np.int64)
    unique, inverse = np.unique(values, return_inverse=True)
    if salt is None:
        codes = [fingerprint64(as_text(v)) % num_buckets for v in unique.tolist()]
    else:
        codes = [siphash24(salt, as_text(v)) % num_buckets for v in unique.tolist()]
    return np.asarray(codes, np.int64)[inverse].reshape(values.shape)


#: `tf.sparse.cross_hashed`'s default `hash_key`, the seed of every crossed hash.
CROSS_HASH_KEY = 0xDECAFCAFFE


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TensorFlow's `FingerprintCat64`: combines two 64-bit fingerprints (how feature crosses chain hashes)."""
    mul = 0xC6A4A7935BD1E995
    result = fp1 ^ mul
    result ^= (_shift_mix((fp2 * mul) & _MASK) * mul) & _MASK
    result = (result * mul) & _MASK
    result = (_shift_mix(result) * mul) & _MASK
    return _shift_mix(result)


def cross_hash(values: tuple[Any, ...], num_buckets: int, encoding: str = "utf-8") -> int:
    """The bucket of one crossed feature, as `tf.sparse.cross_hashed`: strings enter by their Fingerprint64,
    integers as their own 64-bit value; the chain starts from `CROSS_HASH_KEY`."""
    hashed = CROSS_HASH_KEY
    for value in values:
        if isinstance(value, (str, bytes)):
            feature = fingerprint64(value.encode(encoding) if isinstance(value, str) else value)
        else:
            feature = int(value) & _MASK
        hashed = fingerprint_cat64(hashed, feature)
    return hashed % num_buckets if num_buckets > 0 else hashed % (2**63 - 1)
