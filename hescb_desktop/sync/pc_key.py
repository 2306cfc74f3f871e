"""This PC's signing key: made once, kept on this PC for this OS account, never on the share.

Where the operating system has a key store that `keyring` can use (Windows Credential Manager,
the macOS Keychain, a desktop Secret Service), the key is kept there under the PC's device id.
Elsewhere (or when HESCB_KEY_STORE=file) it is a file in the data folder, `pc-key.pem`, created
readable and writable by this account only (0600, created exclusively: never a moment readable
by others). A key file found readable by other accounts is refused: it may have been read, and
the PC should be revoked and enrolled again.

What the key signs and how other PCs come to trust it: sync/signing.py, sync/trust.py (issue 15).
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hescb_desktop.sync.signing import new_key

KEY_FILENAME = "pc-key.pem"
KEYRING_SERVICE = "HESCB Desktop PC key"
STORE_ENV = "HESCB_KEY_STORE"  # "file" forces the file in the data folder


class KeyStoreError(Exception):
    """The key cannot be kept or read safely; the message says why and what to do."""


def load_or_create(data_dir: Path, device_id: str) -> Ed25519PrivateKey:
    """This PC's key, made on first use."""
    found = load(data_dir, device_id)
    if found is not None:
        return found
    key = new_key()
    _store(data_dir, device_id, key)
    return key


def load(data_dir: Path, device_id: str) -> Ed25519PrivateKey | None:
    ring = _keyring()
    if ring is not None:
        text = ring.get_password(KEYRING_SERVICE, device_id)
        if text is not None:
            return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))
    path = data_dir / KEY_FILENAME
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyStoreError(f"cannot read this PC's key {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise KeyStoreError(f"this PC's key {path} is not a plain file")
    if os.name == "posix" and info.st_mode & 0o077:
        raise KeyStoreError(
            f"this PC's key {path} can be read by other accounts: it may have been copied; ask "
            "the secretariat to revoke this PC, then remove the file to make a new key"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise KeyStoreError(f"this PC's key {path} cannot be read: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreError(f"this PC's key {path} is not an Ed25519 key")
    return key


def _store(data_dir: Path, device_id: str, key: Ed25519PrivateKey) -> None:
    ring = _keyring()
    if ring is not None:
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        ring.set_password(KEYRING_SERVICE, device_id, base64.b64encode(raw).decode())
        return
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = data_dir / KEY_FILENAME
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise KeyStoreError(f"this PC's key {path} appeared while a new one was made") from exc
    except OSError as exc:
        raise KeyStoreError(f"cannot write this PC's key {path}: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def _keyring() -> Any:
    """The OS key store when there is a usable one (and the file is not asked for), else None."""
    if os.environ.get(STORE_ENV, "").lower() == "file":
        return None
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    ring = keyring.get_keyring()
    if isinstance(ring, fail.Keyring | null.Keyring):
        return None
    forced = os.environ.get(STORE_ENV, "").lower() == "keyring"
    if not forced and (type(ring).__module__.startswith("keyrings.alt") or _priority(ring) < 1):
        return None  # a plain-text or fallback store is no safer than our 0600 file
    return ring


def _priority(ring: Any) -> float:
    try:
        return float(ring.priority)
    except (AttributeError, TypeError, ValueError):
        return 0.0
