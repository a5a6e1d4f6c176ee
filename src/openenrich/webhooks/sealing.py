"""Signing material the server must read back (a workspace's Standard Webhooks secret, the
HMAC-SHA1 midstates behind `X-Signature-SHA1`) is stored encrypted with Fernet
(AES-128-CBC + HMAC-SHA256) under a key derived by HKDF-SHA256 from the server secret, so a
database dump alone cannot sign. API keys themselves are never sealed: only their midstates
are kept (see `hmac_state`), which do not give the key back even with the server secret."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"openenrich webhook sealing v1"


class Sealer:
    def __init__(self, server_secret: bytes, info: bytes = _INFO) -> None:
        """`info` separates the keys of different uses of the same server secret."""
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            server_secret
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The plain text, or None if it was sealed under another server secret."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:
            return None
