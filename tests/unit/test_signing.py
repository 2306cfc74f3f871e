"""Signing primitives and this PC's key store (issue 15): real Ed25519 keys, real files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hescb_desktop.sync import pc_key
from hescb_desktop.sync.signing import (
    Purpose,
    canonical,
    digest,
    fingerprint,
    new_key,
    public_bytes,
    same_fingerprint,
    sign,
    verify,
)

PAYLOAD = canonical({"device": "pc-1", "first": 1, "last": 20, "body": digest(b"records")})


def test_a_signature_verifies_for_its_key_purpose_and_bytes_only() -> None:
    key, other = new_key(), new_key()
    signature = sign(key, Purpose.SEGMENT, PAYLOAD)
    assert verify(public_bytes(key), Purpose.SEGMENT, PAYLOAD, signature)
    assert not verify(public_bytes(other), Purpose.SEGMENT, PAYLOAD, signature)
    # a segment's signature is not an ack's, nor a certificate's (domain separation)
    for purpose in set(Purpose) - {Purpose.SEGMENT}:
        assert not verify(public_bytes(key), purpose, PAYLOAD, signature)
    altered = PAYLOAD.replace(b'"last":20', b'"last":21')
    assert altered != PAYLOAD and not verify(public_bytes(key), Purpose.SEGMENT, altered, signature)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not verify(public_bytes(key), Purpose.SEGMENT, PAYLOAD, flipped)


@pytest.mark.parametrize(
    ("public", "signature"),
    [
        (b"", b"\0" * 64),
        (b"\0" * 31, b"\0" * 64),
        (b"\xff" * 32, b"\0" * 64),  # not a point on the curve
        (None, b""),
        (None, b"\0" * 65),
    ],
)
def test_crafted_keys_and_signatures_are_not_valid_and_raise_nothing(
    public: bytes | None, signature: bytes
) -> None:
    raw = public if public is not None else public_bytes(new_key())
    assert verify(raw, Purpose.SEGMENT, PAYLOAD, signature) is False


def test_canonical_bytes_do_not_depend_on_key_order() -> None:
    assert canonical({"b": 1, "a": [1, "é"]}) == canonical({"a": [1, "é"], "b": 1})
    assert canonical({"b": 1, "a": 2}) == b'{"a":2,"b":1}'
    assert canonical({"a": "é"}) == '{"a":"é"}'.encode()


def test_a_fingerprint_is_six_groups_of_five_digits_to_read_out() -> None:
    key = new_key()
    shown = fingerprint(public_bytes(key))
    assert re.fullmatch(r"\d{5}( \d{5}){5}", shown), shown
    assert fingerprint(public_bytes(key)) == shown
    assert fingerprint(public_bytes(new_key())) != shown
    assert same_fingerprint(shown.replace(" ", "-"), shown)
    assert same_fingerprint(shown.replace(" ", ""), shown)
    assert not same_fingerprint(shown[:-1] + ("1" if shown[-1] != "1" else "2"), shown)
    assert not same_fingerprint("", shown)


@pytest.fixture
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pc_key.STORE_ENV, "file")


@pytest.mark.usefixtures("file_store")
def test_the_key_is_made_once_readable_by_this_account_only(tmp_path: Path) -> None:
    key = pc_key.load_or_create(tmp_path, "device-1")
    path = tmp_path / pc_key.KEY_FILENAME
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    again = pc_key.load_or_create(tmp_path, "device-1")
    assert public_bytes(again) == public_bytes(key)
    elsewhere = tmp_path / "other-pc"
    elsewhere.mkdir()
    assert public_bytes(pc_key.load_or_create(elsewhere, "device-2")) != public_bytes(key)


@pytest.mark.usefixtures("file_store")
def test_a_key_file_others_could_read_is_refused(tmp_path: Path) -> None:
    """File modes are POSIX's (CI and the Linux PCs); Windows keeps the key in its Credential
    Manager through keyring."""
    assert os.name == "posix"
    pc_key.load_or_create(tmp_path, "device-1")
    path = tmp_path / pc_key.KEY_FILENAME
    path.chmod(0o644)
    with pytest.raises(pc_key.KeyStoreError, match="can be read by other accounts"):
        pc_key.load(tmp_path, "device-1")


@pytest.mark.usefixtures("file_store")
def test_a_damaged_or_strange_key_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / pc_key.KEY_FILENAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    os.close(fd)
    with pytest.raises(pc_key.KeyStoreError, match="cannot be read"):
        pc_key.load(tmp_path, "device-1")
    path.unlink()
    path.mkdir()
    with pytest.raises(pc_key.KeyStoreError, match="not a plain file"):
        pc_key.load(tmp_path, "device-1")


def test_with_an_os_key_store_the_key_lives_there_not_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real keyring backend (keyrings.alt's file store standing in for Windows Credential
    Manager, which CI does not have)."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setenv(pc_key.STORE_ENV, "keyring")  # a plain-text store is used only if asked
    ring = PlaintextKeyring()
    ring.file_path = str(tmp_path / "keyring.cfg")  # type: ignore[misc]
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        data = tmp_path / "data"
        data.mkdir()
        key = pc_key.load_or_create(data, "device-1")
        assert not (data / pc_key.KEY_FILENAME).exists()
        assert ring.get_password(pc_key.KEYRING_SERVICE, "device-1")
        assert public_bytes(pc_key.load(data, "device-1")) == public_bytes(key)  # type: ignore[arg-type]
        assert pc_key.load(data, "device-2") is None
    finally:
        keyring.set_keyring(previous)
