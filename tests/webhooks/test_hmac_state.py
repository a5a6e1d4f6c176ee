"""HMAC-SHA1 from stored midstates equals the standard library's HMAC with the key."""

from __future__ import annotations

import hashlib
import hmac
import random
import time

import pytest

from openenrich.webhooks.hmac_state import STATES_SIZE, hmac_sha1_hex, midstates, sha1_resume

RNG = random.Random(20261126)

KEY_SIZES = [0, 1, 20, 63, 64, 65, 128, 300]
BODY_SIZES = [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000]


def _bytes(size: int) -> bytes:
    return RNG.randbytes(size)


@pytest.mark.parametrize("key_size", KEY_SIZES)
@pytest.mark.parametrize("body_size", BODY_SIZES)
def test_matches_hmac_new(key_size: int, body_size: int) -> None:
    key, body = _bytes(key_size), _bytes(body_size)
    states = midstates(key)
    assert len(states) == STATES_SIZE
    assert hmac_sha1_hex(states, body) == hmac.new(key, body, hashlib.sha1).hexdigest()


def test_a_400_kb_body_and_its_speed() -> None:
    key = b"oe_live_" + _bytes(24).hex().encode()
    body = _bytes(400_000)
    states = midstates(key)
    started = time.perf_counter()
    signature = hmac_sha1_hex(states, body)
    elapsed = time.perf_counter() - started
    assert signature == hmac.new(key, body, hashlib.sha1).hexdigest()
    # About 0.3 s on a laptop; the bound only catches an accidental quadratic.
    assert elapsed < 5.0


def test_rfc_2202_vectors() -> None:
    cases = [
        (b"\x0b" * 20, b"Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
        (b"Jefe", b"what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (
            b"\xaa" * 80,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "aa4ae5e15272d00e95705637ce8a3b55ed402112",
        ),
    ]
    for key, body, expected in cases:
        assert hmac_sha1_hex(midstates(key), body) == expected


def test_sha1_resume_continues_a_plain_digest() -> None:
    """From the initial value with nothing hashed it is plain SHA-1; from a midstate it
    counts the bytes already hashed in the final length."""
    initial = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
    for size in (0, 3, 56, 64, 200):
        data = _bytes(size)
        assert sha1_resume(initial, 0, data) == hashlib.sha1(data).digest()
    with pytest.raises(ValueError):
        sha1_resume(initial, 10, b"")


def test_states_do_not_contain_the_key_and_differ_per_key() -> None:
    key = b"oe_live_0123456789abcdef0123456789abcdef"
    states = midstates(key)
    assert key not in states and key.hex().encode() not in states.hex().encode()
    assert midstates(key + b"x") != states
    assert len({midstates(_bytes(16)) for _ in range(20)}) == 20
    with pytest.raises(ValueError):
        hmac_sha1_hex(states[:20], b"body")
