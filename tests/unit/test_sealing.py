"""Content keys sealed to readers' PCs and fields encrypted under them (issue 16, point 2: the
first brick). Real keys, real HPKE and ChaCha20-Poly1305 from `cryptography`."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hescb_desktop.storage.sealed_values import (
    FieldContext,
    SealError,
    is_sealed,
    open_json,
    seal_json,
)
from hescb_desktop.sync.sealing import (
    KeyContext,
    box_key,
    box_public,
    key_check,
    new_content_key,
    open_key,
    seal_key,
)
from hescb_desktop.sync.signing import new_key

READER = new_key()
OTHER = new_key()
KEY_CONTEXT = KeyContext("board-1", "part-ii-7", "key-1", "reader-fp")
WHERE = FieldContext("board-1", "agenda_items", "row-1", "title", "part-ii-7", "key-1")


def test_a_pcs_sealing_key_is_derived_from_its_signing_key_the_same_every_time() -> None:
    assert box_public(READER) == box_public(READER)
    assert len(box_public(READER)) == 32
    assert box_public(READER) != box_public(OTHER)


def test_a_content_key_sealed_to_a_reader_opens_only_there_and_only_for_its_context() -> None:
    key = new_content_key()
    sealed = seal_key(key, box_public(READER), KEY_CONTEXT)
    assert open_key(sealed, box_key(READER), KEY_CONTEXT) == key
    assert key not in sealed
    with pytest.raises(SealError, match="does not open here"):
        open_key(sealed, box_key(OTHER), KEY_CONTEXT)  # a PC that is not a reader
    for changed in (
        dataclasses.replace(KEY_CONTEXT, readership_id="part-ii-8"),
        dataclasses.replace(KEY_CONTEXT, key_id="key-2"),
        dataclasses.replace(KEY_CONTEXT, reader_pc="another-fp"),
        dataclasses.replace(KEY_CONTEXT, board_id="board-2"),
    ):
        with pytest.raises(SealError):
            open_key(sealed, box_key(READER), changed)
    altered = bytearray(sealed)
    altered[-1] ^= 1
    with pytest.raises(SealError):
        open_key(bytes(altered), box_key(READER), KEY_CONTEXT)


def test_sealing_refuses_what_is_not_a_key() -> None:
    with pytest.raises(SealError, match="32 bytes"):
        seal_key(b"short", box_public(READER), KEY_CONTEXT)
    with pytest.raises(SealError, match="public sealing key"):
        seal_key(new_content_key(), b"x" * 5, KEY_CONTEXT)


@settings(max_examples=60, deadline=None)
@given(plain=st.text(max_size=400))
def test_a_value_decrypts_to_what_was_encrypted(plain: str) -> None:
    key = new_content_key()
    text = seal_json(key, json.dumps(plain), WHERE)
    assert is_sealed(text)
    assert json.loads(text).startswith("\x00hescb-enc:v1:part-ii-7:key-1:")  # still a JSON string
    assert json.loads(open_json(key, text, WHERE)) == plain


def test_the_plain_text_is_nowhere_in_what_travels_and_each_copy_differs() -> None:
    key = new_content_key()
    word = '"Xylophonist misconduct hearing"'
    first, second = seal_json(key, word, WHERE), seal_json(key, word, WHERE)
    assert first != second  # a fresh nonce each time: equal texts are not seen as equal
    for text in (first, second):
        assert "Xylophonist" not in text
        assert b"Xylophonist" not in text.encode()


def test_typed_text_is_never_taken_for_a_sealed_value() -> None:
    for typed in ("hescb-enc:v1:a:b:AAAA", "\\u0000hescb-enc:v1:", ""):
        assert not is_sealed(json.dumps(typed))


def test_a_value_moved_to_another_field_or_row_or_altered_does_not_decrypt() -> None:
    key = new_content_key()
    text = seal_json(key, '"Part II: staffing matter"', WHERE)
    for elsewhere in (
        dataclasses.replace(WHERE, row_id="row-2"),
        dataclasses.replace(WHERE, column="summary"),
        dataclasses.replace(WHERE, table="minutes"),
        dataclasses.replace(WHERE, board_id="board-2"),
    ):
        with pytest.raises(SealError, match="does not decrypt"):
            open_json(key, text, elsewhere)
    for elsewhere in (
        dataclasses.replace(WHERE, key_id="key-2"),
        dataclasses.replace(WHERE, readership_id="everyone"),
    ):
        with pytest.raises(SealError, match="another readership or key"):
            open_json(key, text, elsewhere)
    with pytest.raises(SealError, match="does not decrypt"):
        open_json(new_content_key(), text, WHERE)
    inner = json.loads(text)
    flipped = json.dumps(inner[:-4] + ("AAAA" if inner[-4:] != "AAAA" else "BBBB"))
    with pytest.raises(SealError):
        open_json(key, flipped, WHERE)


def test_a_key_check_commits_to_the_key_and_its_id() -> None:
    key = new_content_key()
    assert key_check("k1", key) == key_check("k1", key)
    assert key_check("k1", key) != key_check("k2", key)
    assert key_check("k1", key) != key_check("k1", new_content_key())


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('"plain"', "not a sealed value"),
        ("not json", "not JSON"),
        (json.dumps("\x00hescb-enc:v1:r:k:not base64!"), "not base64"),
        (json.dumps("\x00hescb-enc:v1:r:k:AAAA"), "too short"),
        (json.dumps("\x00hescb-enc:v1:AAAA"), "without its readership"),
    ],
)
def test_what_is_not_an_encrypted_value_is_refused_with_why(text: str, why: str) -> None:
    with pytest.raises(SealError, match=why):
        open_json(new_content_key(), text, WHERE)
