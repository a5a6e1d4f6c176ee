"""HMAC-SHA1 from its two midstates, so the key itself need not be kept.

RFC 2104: HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), where K' is the key (hashed
first if longer than 64 bytes) padded to one 64-byte block. Each of those two first blocks
only ever enters SHA-1 as its first compression, so the 20-byte chaining values after them
(the midstates) are all a signer needs. They cannot be turned back into the key (that
would invert the compression function) and they are not the key's SHA-256 HMAC that API
authentication compares against. They do let their holder sign, like the key would.

`hashlib` cannot resume from a chaining value, hence this small SHA-1 (FIPS 180-4 §6.1)
that starts from one: the compression function and the final padding, whose length
counts the 64-byte key block already hashed.
"""

from __future__ import annotations

import hashlib
import struct

BLOCK = 64
STATES_SIZE = 40  # inner midstate, then outer midstate
_IPAD = bytes(0x36 for _ in range(BLOCK))
_OPAD = bytes(0x5C for _ in range(BLOCK))
_INITIAL = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
_WORDS = struct.Struct(">16I")
_STATE = struct.Struct(">5I")
_M = 0xFFFFFFFF

State = tuple[int, int, int, int, int]


def _compress(state: State, data: bytes | memoryview) -> State:
    """SHA-1's compression over `data` (a whole number of 64-byte blocks)."""
    h0, h1, h2, h3, h4 = state
    unpack = _WORDS.unpack_from
    for offset in range(0, len(data), BLOCK):
        w = list(unpack(data, offset))
        for t in range(16, 80):
            x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
            w.append(((x << 1) | (x >> 31)) & _M)
        a, b, c, d, e = h0, h1, h2, h3, h4
        for t in range(20):
            a, b, c, d, e = (
                ((((a << 5) | (a >> 27)) + (d ^ (b & (c ^ d))) + e + 0x5A827999 + w[t]) & _M),
                a,
                ((b << 30) | (b >> 2)) & _M,
                c,
                d,
            )
        for t in range(20, 40):
            a, b, c, d, e = (
                ((((a << 5) | (a >> 27)) + (b ^ c ^ d) + e + 0x6ED9EBA1 + w[t]) & _M),
                a,
                ((b << 30) | (b >> 2)) & _M,
                c,
                d,
            )
        for t in range(40, 60):
            a, b, c, d, e = (
                ((((a << 5) | (a >> 27)) + ((b & c) | (d & (b | c))) + e + 0x8F1BBCDC + w[t]) & _M),
                a,
                ((b << 30) | (b >> 2)) & _M,
                c,
                d,
            )
        for t in range(60, 80):
            a, b, c, d, e = (
                ((((a << 5) | (a >> 27)) + (b ^ c ^ d) + e + 0xCA62C1D6 + w[t]) & _M),
                a,
                ((b << 30) | (b >> 2)) & _M,
                c,
                d,
            )
        h0 = (h0 + a) & _M
        h1 = (h1 + b) & _M
        h2 = (h2 + c) & _M
        h3 = (h3 + d) & _M
        h4 = (h4 + e) & _M
    return h0, h1, h2, h3, h4


def sha1_resume(state: State, hashed: int, data: bytes) -> bytes:
    """The SHA-1 digest of a message whose first `hashed` bytes (a multiple of 64) left
    the chaining value `state`, and whose remaining bytes are `data`."""
    if hashed % BLOCK:
        raise ValueError("a midstate follows whole blocks")
    whole = len(data) - len(data) % BLOCK
    state = _compress(state, memoryview(data)[:whole])
    total_bits = (hashed + len(data)) * 8
    tail = data[whole:] + b"\x80"
    tail += b"\x00" * ((56 - len(tail)) % BLOCK) + struct.pack(">Q", total_bits)
    return _STATE.pack(*_compress(state, tail))


def _block_key(key: bytes) -> bytes:
    if len(key) > BLOCK:
        key = hashlib.sha1(key).digest()  # noqa: S324 - RFC 2104: long keys are hashed
    return key.ljust(BLOCK, b"\x00")


def midstates(key: bytes) -> bytes:
    """The 40 bytes kept in place of `key`: SHA-1's chaining values after the first block
    of K' ^ ipad and of K' ^ opad."""
    block = _block_key(key)
    inner = _compress(_INITIAL, bytes(k ^ p for k, p in zip(block, _IPAD, strict=True)))
    outer = _compress(_INITIAL, bytes(k ^ p for k, p in zip(block, _OPAD, strict=True)))
    return _STATE.pack(*inner) + _STATE.pack(*outer)


def _state(raw: bytes) -> State:
    a, b, c, d, e = _STATE.unpack(raw)
    return a, b, c, d, e


def hmac_sha1_hex(states: bytes, body: bytes) -> str:
    """`hmac.new(key, body, hashlib.sha1).hexdigest()`, from `midstates(key)` alone."""
    if len(states) != STATES_SIZE:
        raise ValueError(f"expected {STATES_SIZE} bytes of midstates")
    inner = sha1_resume(_state(states[:20]), BLOCK, body)
    return sha1_resume(_state(states[20:]), BLOCK, inner).hex()
