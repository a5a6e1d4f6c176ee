"""API keys: generated with a checksum, stored only as an HMAC-SHA256 under a server secret."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import zlib
from pathlib import Path

LIVE_PREFIX = "oe_live_"
SANDBOX_PREFIX = "oe_test_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        digits.append(_ALPHABET[rest])
    return "".join(reversed(digits))


def generate_key(sandbox: bool) -> str:
    """A prefixed, 37-character random key with a CRC32 checksum, so that a leaked key is
    recognisable by secret scanners and a mistyped one is rejected without a lookup."""
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY))
    prefix = SANDBOX_PREFIX if sandbox else LIVE_PREFIX
    return prefix + body + _base62(zlib.crc32(body.encode()), _CHECKSUM)


_BODY = 37
_CHECKSUM = 6
_CHARS = frozenset(_ALPHABET)


def well_formed(key: str) -> bool:
    """Whether `key` has our shape and its checksum matches: checked before any hashing or
    lookup, so a mistyped or made-up key costs no database work."""
    for prefix in (LIVE_PREFIX, SANDBOX_PREFIX):
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            break
    else:
        return False
    if len(rest) != _BODY + _CHECKSUM or not _CHARS.issuperset(rest):
        return False
    body, checksum = rest[:_BODY], rest[_BODY:]
    return hmac.compare_digest(_base62(zlib.crc32(body.encode()), _CHECKSUM), checksum)


def hash_key(key: str, secret: bytes) -> str:
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def load_secret(configured: str | None, path: Path) -> bytes:
    """The server secret: from settings if given, else from a file created on first use."""
    if configured:
        return configured.encode()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as handle:
            handle.write(value)
        return value
