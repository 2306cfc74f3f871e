"""Signatures for what a PC puts on the share (issue 15; TRUST.md), with `cryptography`'s Ed25519.

Every signed thing is canonical bytes (`canonical`: JSON with sorted keys, no spaces, UTF-8)
signed under a purpose: the signed message is a domain-separation prefix naming the purpose and
the format (`b"hescb segment v2\\n"`) followed by the bytes, so a signature made for one kind of
file is never valid for another. A PC is known by its fingerprint: a SHA-256 of its raw public
key, shown as six groups of five digits for a person to read out by phone and compare
(`fingerprint`). Nothing here is hand-made cryptography: keys, signing, verifying and hashing
are `cryptography`'s.

Used by `trust.py` (the board's signed statements) and `segments.py` (signed segments).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = 2  # the journal format these signatures belong to
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
FINGERPRINT_GROUPS, GROUP_DIGITS = 6, 5


class Purpose(StrEnum):
    """What a signature is for: each has its own prefix."""

    SEGMENT = "segment"
    MANIFEST = "snapshot manifest"
    ACK = "ack"
    DEVICE = "device"
    ENROLMENT_REQUEST = "enrolment request"
    CERTIFICATE = "certificate"  # a PC approved (enrolled) by a secretariat PC
    REVOCATION = "revocation"
    STATEMENT = "trust statement"  # the board's root, a PC enrolled or revoked, a role set
    SEALING_KEY = "sealing key"  # a PC's public X25519 key, that keys are sealed to (issue 16)


class SignatureError(ValueError):
    """A key or signature that is not well formed (not: one that does not verify)."""


def prefix(purpose: Purpose) -> bytes:
    return f"hescb {purpose.value} v{FORMAT}\n".encode()


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value that is signed: keys sorted, no spaces, UTF-8."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes_raw()


def load_public(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != PUBLIC_KEY_BYTES:
        raise SignatureError(f"a PC's public key is {PUBLIC_KEY_BYTES} bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(key: Ed25519PrivateKey, purpose: Purpose, payload: bytes) -> bytes:
    return key.sign(prefix(purpose) + payload)


def verify(public: bytes, purpose: Purpose, payload: bytes, signature: bytes) -> bool:
    """Whether `signature` is `public`'s over `payload` for `purpose`. A malformed key or
    signature is simply not valid (it came from the share: anyone may have written it)."""
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        load_public(public).verify(signature, prefix(purpose) + payload)
    except (InvalidSignature, SignatureError, ValueError):
        return False
    return True


def digest(data: bytes) -> str:
    """The SHA-256 of `data` in hex: what a segment's header names its predecessor by."""
    return hashlib.sha256(data).hexdigest()


def fingerprint(public: bytes) -> str:
    """Six groups of five digits from the SHA-256 of the public key, e.g.
    "04213 88710 ..." (about 100 bits): what a person reads out by phone to enrol a PC."""
    if len(public) != PUBLIC_KEY_BYTES:
        raise SignatureError(f"a PC's public key is {PUBLIC_KEY_BYTES} bytes, not {len(public)}")
    number = int.from_bytes(hashlib.sha256(b"hescb fingerprint\n" + public).digest(), "big")
    groups = []
    for _ in range(FINGERPRINT_GROUPS):
        number, group = divmod(number, 10**GROUP_DIGITS)
        groups.append(f"{group:0{GROUP_DIGITS}d}")
    return " ".join(groups)


def same_fingerprint(typed: str, fingerprint_: str) -> bool:
    """A fingerprint as a person typed it (spaces, dashes or none) against the real one."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    return digits == fingerprint_.replace(" ", "") and len(typed.strip()) > 0
