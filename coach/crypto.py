"""Encryption at rest of what people write: message text and the coach's stored answers.

Off unless ``COACH_ENCRYPTION_KEY`` is set. The key is a Fernet key (AES-128-CBC with an
HMAC-SHA256, from the ``cryptography`` package); several keys separated by commas rotate: the
first encrypts, every one decrypts. Make a key with
``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``.

Two column types do the work, so the repository code never sees ciphertext:
:class:`SealedText` stores ``fernet:<token>`` in a text column and :class:`SealedJSON` stores
``{"fernet": "<token>"}`` in a JSON column (the schema stays the same, encrypted or not). The
cipher belongs to one database engine (:func:`attach`), read from the engine's dialect, so two
stores in one process can use different keys. Rows written before encryption was turned on are
read as they are; an encrypted row without the right key reads as :data:`LOCKED`.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)

PREFIX = "fernet:"
JSON_KEY = "fernet"
LOCKED = "[encrypted: this server does not have the key]"
_ATTRIBUTE = "coach_cipher"


class BadKey(ValueError):
    """``COACH_ENCRYPTION_KEY`` is not a valid Fernet key."""


class Cipher:
    """Encrypts and decrypts text with one or more Fernet keys (the first encrypts)."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise BadKey("COACH_ENCRYPTION_KEY is empty.")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])
        except (ValueError, TypeError) as error:
            raise BadKey(
                "COACH_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes). "
                'Make one with python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from error

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()


def attach(engine: AsyncEngine, cipher: Cipher | None) -> None:
    """Make ``engine``'s sealed columns use ``cipher`` (None: store plain text)."""
    setattr(engine.sync_engine.dialect, _ATTRIBUTE, cipher)


def _cipher(dialect: Dialect) -> Cipher | None:
    cipher = getattr(dialect, _ATTRIBUTE, None)
    return cipher if isinstance(cipher, Cipher) else None


def _open(token: str, dialect: Dialect) -> str:
    cipher = _cipher(dialect)
    if cipher is None:
        log.warning("encrypted_row_without_key")
        return LOCKED
    try:
        return cipher.decrypt(token)
    except InvalidToken:
        log.warning("encrypted_row_with_another_key")
        return LOCKED


class SealedText(TypeDecorator[str]):
    """Text, encrypted when the engine has a cipher."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        cipher = _cipher(dialect)
        if value is None or cipher is None:
            return value
        return PREFIX + cipher.encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not value.startswith(PREFIX):
            return value
        return _open(value.removeprefix(PREFIX), dialect)


class SealedJSON(TypeDecorator[Any]):
    """JSON, stored as ``{"fernet": token}`` when the engine has a cipher."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        cipher = _cipher(dialect)
        if value is None or cipher is None:
            return value
        return {JSON_KEY: cipher.encrypt(json.dumps(value, ensure_ascii=False))}

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, dict) and set(value) == {JSON_KEY}:
            opened = _open(str(value[JSON_KEY]), dialect)
            return {"locked": True} if opened == LOCKED else json.loads(opened)
        return value
