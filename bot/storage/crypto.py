"""Personal fields encrypted at rest, and phone numbers found by a keyed hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.types import Text, TypeDecorator


class KeyError_(ValueError):
    """HOTLINE_DATA_KEYS is missing or malformed."""


class DataKeys:
    """The Fernet keys from HOTLINE_DATA_KEYS, newest first, and the hash keys derived from them."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise KeyError_("HOTLINE_DATA_KEYS holds no key")
        fernets = []
        self.hash_keys: list[bytes] = []
        for position, key in enumerate(keys, 1):
            try:
                fernets.append(Fernet(key.strip().encode()))
                raw = base64.urlsafe_b64decode(key.strip().encode())
            except (ValueError, TypeError) as exc:
                raise KeyError_(
                    f"HOTLINE_DATA_KEYS: key {position} is not a Fernet key "
                    "(make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())')"
                ) from exc
            self.hash_keys.append(
                HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline lookup")
                .derive(raw)
            )
        self.fernet = MultiFernet(fernets)

    def encrypt(self, text: str) -> str:
        return self.fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def rotate(self, token: str) -> str:
        """Re-encrypt a stored value under the newest key."""
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def lookup_hash(self, value: str) -> str:
        """The keyed hash under the newest key: what new rows store."""
        return self.lookup_hashes(value)[0]

    def lookup_hashes(self, value: str) -> list[str]:
        """The keyed hash under every key, newest first, so rows from before a rotation match."""
        data = value.encode("utf-8")
        return [hmac.new(key, data, hashlib.sha256).hexdigest() for key in self.hash_keys]


_keys: DataKeys | None = None


def configure(keys: DataKeys) -> None:
    """Set the keys the encrypted column types use in this process."""
    global _keys
    _keys = keys


def current() -> DataKeys:
    if _keys is None:
        raise RuntimeError("data keys are not configured; create the app first")
    return _keys


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token: unreadable without HOTLINE_DATA_KEYS."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else current().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return current().decrypt(value)
        except InvalidToken:
            raise RuntimeError(
                "a stored value cannot be decrypted: HOTLINE_DATA_KEYS lacks the key it was "
                "written with"
            ) from None


class EncryptedJSON(TypeDecorator):
    """A JSON value (answers, media lists) stored encrypted."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return current().encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        if value is None:
            return None
        return json.loads(EncryptedText().process_result_value(value, dialect))
