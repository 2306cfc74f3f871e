"""Restricted text on the share: content keys sealed to readers' PCs, fields encrypted under them
(issue 16, point 2).

- **Each PC's sealing key** is an X25519 key derived from its Ed25519 signing key
  (`sync.pc_key`) by HKDF-SHA256 under a label of its own: nothing more to keep or lose, and
  the public half travels in a record the PC signs itself (`pc_box_keys`). `box_key`,
  `box_public`.
- **A content key** (32 random bytes) per readership, a new one (a new key id) each time a
  reader is removed. It is sealed to each reader
  PC's public sealing key with HPKE (RFC 9180, base mode: X25519, HKDF-SHA256,
  ChaCha20-Poly1305), the `info` binding the board, the readership, the key id and the reader
  PC, so a sealed key copied to another readership or PC does not open. `seal_key`, `open_key`.
- **A field's value** is encrypted under its readership's content key: `storage.sealed_values`
  (the change capture seals there, below this layer).

All from `cryptography` (hpke, x25519, hkdf, aead); nothing here is hand-made cryptography.
A failure to open or decrypt is a `SealError` (what was tried and why it does not open), never a
partial value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hescb_desktop.storage.sealed_values import SealError

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
KEY_BYTES = 32
_BOX_LABEL = b"HESCB Desktop PC sealing key v1"
_SEAL_LABEL = "HESCB Desktop content key v1"
_CHECK_LABEL = b"HESCB Desktop content key check v1\x00"


@dataclass(frozen=True)
class KeyContext:
    """What a sealed content key is for: opened only under the same."""

    board_id: str
    readership_id: str
    key_id: str
    reader_pc: str  # the reader PC's signing-key fingerprint

    def info(self) -> bytes:
        return _canonical(
            {
                "label": _SEAL_LABEL,
                "board": self.board_id,
                "readership": self.readership_id,
                "key": self.key_id,
                "pc": self.reader_pc,
            }
        )


def _canonical(obj: dict[str, object]) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


# ------------------------------------------------------------------ each PC's sealing key
def box_key(signing_key: Ed25519PrivateKey) -> X25519PrivateKey:
    """This PC's X25519 sealing key, derived from its signing key (the same every time)."""
    seed = signing_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    derived = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_BOX_LABEL).derive(
        seed
    )
    return X25519PrivateKey.from_private_bytes(derived)


def box_public(signing_key: Ed25519PrivateKey) -> bytes:
    """The raw public half of this PC's sealing key (32 bytes), as its enrolment carries it."""
    return (
        box_key(signing_key)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


# ------------------------------------------------------------------ content keys
def new_content_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_check(key_id: str, content_key: bytes) -> str:
    """The commitment a readership carries to its current key: a PC takes a key it opened only
    if it matches, so a PC sealing some other key under the same id (to read what readers write
    next) is found out."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(_CHECK_LABEL + key_id.encode() + b"\x00" + content_key)
    return digest.finalize().hex()


def seal_key(content_key: bytes, reader_public: bytes, context: KeyContext) -> bytes:
    """The content key sealed to one reader PC (only its sealing key opens it)."""
    if len(content_key) != KEY_BYTES:
        raise SealError(f"a content key is {KEY_BYTES} bytes, not {len(content_key)}")
    try:
        public = X25519PublicKey.from_public_bytes(reader_public)
    except ValueError as exc:
        raise SealError(f"not a PC's public sealing key: {exc}") from exc
    return SUITE.encrypt(content_key, public, info=context.info())


def open_key(sealed: bytes, box: X25519PrivateKey, context: KeyContext) -> bytes:
    """The content key a sealed key holds for this PC, under this context."""
    try:
        key = SUITE.decrypt(sealed, box, info=context.info())
    except (InvalidTag, ValueError) as exc:
        raise SealError(
            "the content key does not open here: not sealed to this PC, for another"
            " readership or version, or altered"
        ) from exc
    if len(key) != KEY_BYTES:
        raise SealError("the sealed content key has the wrong length")
    return key


__all__ = [
    "KEY_BYTES",
    "KeyContext",
    "SealError",
    "box_key",
    "box_public",
    "key_check",
    "new_content_key",
    "open_key",
    "seal_key",
]
