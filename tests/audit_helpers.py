"""Helpers for the audit tests (issue 15, point 6): the intruder's raw SQL, a signed range."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3

from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.database import head_revision
from hescb_desktop.sync import signing
from hescb_desktop.sync.publisher import unpublished
from hescb_desktop.sync.segments import encode_segment
from hescb_desktop.sync.signing import Purpose


def raw(ctx: ServiceContext, sql: str, *params: object) -> list[tuple[object, ...]]:
    """The intruder: the database file opened with sqlite3, a statement run and committed."""
    assert ctx.db_path is not None
    with sqlite3.connect(ctx.db_path) as conn:
        found = conn.execute(sql, params).fetchall()
    conn.close()
    return found


def sign_own_range(ctx: ServiceContext) -> tuple[int, int]:
    """A signed_ranges row for this PC's change log so far, as a format-2 segment would leave
    it: the record lines' digest taken from the segment's own bytes, signed with a real key."""
    records = unpublished(ctx.engine, ctx.device_id)
    data = encode_segment(records, head_revision())
    lines = data.splitlines(keepends=True)
    key = signing.new_key()
    signer = signing.fingerprint(signing.public_bytes(key))
    first, last = records[0].seq, records[-1].seq
    header = {
        "kind": "header",
        "format": 2,
        "device_id": ctx.device_id,
        "first_seq": first,
        "last_seq": last,
        "signer": signer,
        "body_sha256": hashlib.sha256(b"".join(lines[1:-1])).hexdigest(),
        "prev": "",
    }
    signature = signing.sign(key, Purpose.SEGMENT, signing.canonical(header))
    raw(
        ctx,
        "INSERT INTO signed_ranges (device_id, first_seq, last_seq, signer, header, signature)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        ctx.device_id, first, last, signer, json.dumps(header),
        base64.b64encode(signature).decode(),
    )  # fmt: skip
    raw(ctx, "UPDATE change_log SET published = 1 WHERE device_id = ?", ctx.device_id)
    return first, last
