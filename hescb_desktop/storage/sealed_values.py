"""A restricted field's value in the change log: encrypted under its readership's content key
(issue 16, point 2). ChaCha20-Poly1305 from `cryptography`, a random 96-bit nonce per value, the
associated data binding the board, table, row, column, readership and key, so a ciphertext moved
to another field or row (a hostile share) does not decrypt.

A sealed value is still a JSON string, so every reader of the change log that only passes values
along (segments, snapshots, conflicts, the audit) handles it as before:
`"\\u0000hescb-enc:v1:<readership>:<key id>:<base64(nonce || ciphertext)>"`. A NUL cannot be
typed in the app or on a command line, so no typed text is ever taken for one. What it holds,
once decrypted, is the field's plain JSON text.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

KEY_BYTES = 32
NONCE_BYTES = 12
SEALED_PREFIX = "\x00hescb-enc:v1:"
JSON_PREFIX = json.dumps(SEALED_PREFIX)[:-1]  # how a sealed value's JSON text starts
_VALUE_LABEL = "HESCB Desktop field v1"


class SealError(Exception):
    """A sealed key or an encrypted value that does not open with what was given."""


@dataclass(frozen=True)
class FieldContext:
    """Where an encrypted value belongs: it decrypts only there."""

    board_id: str  # the board's root fingerprint
    table: str
    row_id: str
    column: str
    readership_id: str
    key_id: str

    def associated(self) -> bytes:
        return orjson.dumps(
            {
                "label": _VALUE_LABEL,
                "board": self.board_id,
                "table": self.table,
                "row": self.row_id,
                "column": self.column,
                "readership": self.readership_id,
                "key": self.key_id,
            },
            option=orjson.OPT_SORT_KEYS,
        )


def is_sealed(json_text: str | None) -> bool:
    return json_text is not None and json_text.startswith(JSON_PREFIX)


def seal_json(content_key: bytes, plain_json: str, where: FieldContext) -> str:
    """The sealed JSON text of a field whose plain JSON text is `plain_json`."""
    if len(content_key) != KEY_BYTES:
        raise SealError(f"a content key is {KEY_BYTES} bytes, not {len(content_key)}")
    nonce = os.urandom(NONCE_BYTES)
    sealed = ChaCha20Poly1305(content_key).encrypt(nonce, plain_json.encode(), where.associated())
    body = base64.b64encode(nonce + sealed).decode()
    return json.dumps(f"{SEALED_PREFIX}{where.readership_id}:{where.key_id}:{body}")


def sealed_parts(json_text: str) -> tuple[str, str, bytes]:
    """(readership id, key id, nonce || ciphertext) of a sealed value."""
    try:
        text = orjson.loads(json_text)
    except orjson.JSONDecodeError as exc:
        raise SealError("a sealed value that is not JSON") from exc
    if not isinstance(text, str) or not text.startswith(SEALED_PREFIX):
        raise SealError("not a sealed value")
    parts = text[len(SEALED_PREFIX) :].split(":")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise SealError("a sealed value without its readership and key")
    try:
        raw = base64.b64decode(parts[2], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SealError("a sealed value that is not base64") from exc
    if len(raw) < NONCE_BYTES + 16:
        raise SealError("a sealed value too short to hold anything")
    return parts[0], parts[1], raw


def open_json(content_key: bytes, json_text: str, where: FieldContext) -> str:
    """The plain JSON text of a sealed value, only for the field it was made for."""
    readership, key_id, raw = sealed_parts(json_text)
    if (readership, key_id) != (where.readership_id, where.key_id):
        raise SealError("the value names another readership or key")
    try:
        plain = ChaCha20Poly1305(content_key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], where.associated()
        )
    except InvalidTag as exc:
        raise SealError(
            "the value does not decrypt: another key, another field or row, or altered"
        ) from exc
    try:
        text = plain.decode()
        orjson.loads(text)
    except (UnicodeDecodeError, orjson.JSONDecodeError) as exc:
        raise SealError("the decrypted value is not a field's JSON") from exc
    return text
