"""Journal segments: immutable, checksummed JSON-lines files of one PC's change records.

    {"kind": "header", "format": 1, "app_version": ..., "schema": ..., "device_id": ...,
     "first_seq": ..., "last_seq": ...}
    {"seq": ..., "tx": ..., "hlc": ..., "table": ..., "row": ..., "col": ..., "value": "<json>",
     "prev_hlc": ..., "user": ..., "sum": "<sha256 of the record without sum, first 16 hex>"}
    ...
    {"kind": "trailer", "count": N, "sha256": "<sha256 of every byte before this line>"}

A reader takes a segment only when every line verifies; anything else raises SegmentError and
the caller leaves the file (and everything after it from that PC) alone.

On a protected board (issue 15) a segment is signed: its header (format 2) also names the
signing key (`signer`, a fingerprint), the SHA-256 of its record lines (`body_sha256`) and the
digest of its PC's record just before it (`prev`: a removed, replaced or reordered segment breaks
the chain), and the trailer carries `sig`, the PC's Ed25519 signature over the canonical header.
Whether the signer may write here is the trust layer's question (`sync/verify.py`).

A healing segment (`<first>-<last>.h<generation>.jsonl`, see healing.py) is a segment its PC
published again because a copy on the share was damaged or missing; its header also says what
it heals. A void one (header `"void": true`, no records) says that range holds no changes of
that PC (the file there was not its own).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hescb_desktop import __version__
from hescb_desktop.sync.share import check_format, read_bytes, write_new_file
from hescb_desktop.sync.signing import Purpose, canonical, sign, verify

SIGNED_FORMAT = 2  # the header format of a signed segment
UNSIGNED_FORMAT = 1

NAME = re.compile(r"^(\d{12})-(\d{12})(?:\.h(\d{1,4}))?\.jsonl$")


class SegmentError(Exception):
    """A segment that is incomplete, corrupt or not what its name says."""


class ForeignHeaderError(SegmentError):
    """A segment in one PC's folder whose header names another PC: a copy, never its own."""


class ReadBackError(SegmentError):
    """A segment this PC has just written does not read back as written."""


class Record(NamedTuple):
    """One field change as it travels (a NamedTuple: a merge reads 100,000 of them, and a tuple
    is made several times faster than a frozen dataclass)."""

    device_id: str
    seq: int
    tx: int
    hlc: int
    table: str
    row: str
    col: str
    value: str
    prev_hlc: int | None
    user: str


@dataclass(frozen=True)
class Segment:
    header: dict[str, Any]
    records: tuple[Record, ...]
    body_sha256: str = ""  # of the record lines as read
    signature: str = ""  # the trailer's `sig` (base64), "" when unsigned

    @property
    def signed(self) -> bool:
        return bool(self.header.get("signer"))

    @property
    def first_seq(self) -> int:
        return int(self.header["first_seq"])

    @property
    def last_seq(self) -> int:
        return int(self.header["last_seq"])


_KEYS = ("seq", "tx", "hlc", "table", "row", "col", "value", "prev_hlc", "user")
_FIELDS = itemgetter(*_KEYS)  # a record line's values in Record's order (after device_id)
_new_record = tuple.__new__  # Record without its Python-level __new__: 100,000 per merge


def segment_name(first: int, last: int) -> str:
    return f"{first:012d}-{last:012d}.jsonl"


def healing_name(first: int, last: int, generation: int) -> str:
    return f"{first:012d}-{last:012d}.h{generation}.jsonl"


def parse_name(name: str) -> tuple[int, int] | None:
    """The seq range a segment's name (plain or healing) covers."""
    m = NAME.match(name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def generation(name: str) -> int:
    """0 for a segment as first published, n for its n-th healing copy."""
    m = NAME.match(name)
    return int(m.group(3)) if m and m.group(3) else 0


def _line(obj: dict[str, Any]) -> bytes:
    return (
        json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode()


def _record_sum(body: dict[str, Any]) -> str:
    return hashlib.sha256(_line(body)).hexdigest()[:16]


def record_digest(rec: Record) -> str:
    """The SHA-256 of a record as it travels (its line without the sum): what the next
    segment's `prev` names it by."""
    body = {k: v for k, v in rec._asdict().items() if k != "device_id"}
    return hashlib.sha256(_line(body)).hexdigest()


@dataclass(frozen=True)
class Signer:
    """What signs this PC's segments: its key, the key's fingerprint, and the digest of its own
    record `seq` ("" when it holds none: a first segment, or numbers that hold nothing)."""

    key: Ed25519PrivateKey
    fingerprint: str
    digest_of: Callable[[int], str]


def segment_header(device_id: str, first: int, last: int, schema: str) -> dict[str, Any]:
    return {
        "kind": "header",
        "format": UNSIGNED_FORMAT,
        "app_version": __version__,
        "schema": schema,
        "device_id": device_id,
        "first_seq": first,
        "last_seq": last,
    }


def encode_segment(records: list[Record], schema: str, signer: Signer | None = None) -> bytes:
    first, last = records[0], records[-1]
    return encode(segment_header(first.device_id, first.seq, last.seq, schema), records, signer)


def encode_records(records: list[Record]) -> bytes:
    """The record lines of a segment, exactly as written (what `body_sha256` covers)."""
    out = bytearray()
    for rec in records:
        body = {k: v for k, v in rec._asdict().items() if k != "device_id"}
        out += _line({**body, "sum": _record_sum(body)})
    return bytes(out)


def encode(header: dict[str, Any], records: list[Record], signer: Signer | None = None) -> bytes:
    body = encode_records(records)
    trailer: dict[str, Any] = {"kind": "trailer", "count": len(records)}
    if signer is not None:
        header = {
            **header,
            "format": SIGNED_FORMAT,
            "signer": signer.fingerprint,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "prev": signer.digest_of(int(header["first_seq"]) - 1),
        }
        signature = sign(signer.key, Purpose.SEGMENT, canonical(header))
        trailer["sig"] = base64.b64encode(signature).decode()
    out = _line(header) + body
    trailer["sha256"] = hashlib.sha256(out).hexdigest()
    return out + _line(trailer)


def write_segment(
    folder: Path, records: list[Record], schema: str, signer: Signer | None = None
) -> Path:
    """Publish records as a new segment; an existing file of that name must hold the same bytes."""
    return write_verified(
        folder / segment_name(records[0].seq, records[-1].seq),
        encode_segment(records, schema, signer),
    )


def write_verified(path: Path, data: bytes) -> Path:
    if not write_new_file(path, data) and read_bytes(path) != data:
        raise SegmentError(f"{path.name} already exists on the share with other contents")
    if read_bytes(path) != data:  # re-read and verify what the share now holds
        raise ReadBackError(f"{path.name} did not read back as written")
    return path


def read_segment(path: Path, device: str | None = None) -> Segment:
    """The segment at `path`, verified. `device`: the PC whose folder holds it (a reader passes
    it): a header naming another PC is refused, and the records are that folder's PC's."""
    try:
        data = read_bytes(path)
    except OSError as exc:
        raise SegmentError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    lines = data.splitlines(keepends=True)
    if len(lines) < 2 or not data.endswith(b"\n"):
        raise SegmentError(f"{path.name} is incomplete")
    header, trailer = _parse(lines[0], path), _parse(lines[-1], path)
    if header.get("kind") != "header" or trailer.get("kind") != "trailer":
        raise SegmentError(f"{path.name} is incomplete (no header or trailer)")
    _check_header(header, path)
    _check_dated(header, path)
    check_format(header, f"segment {path.name}")
    if hashlib.sha256(data[: len(data) - len(lines[-1])]).hexdigest() != trailer.get("sha256"):
        raise SegmentError(f"{path.name} fails its checksum{_which_record(lines[1:-1], path)}")
    # the file's checksum covers every byte, so each record's own sum is checked only to name
    # the bad one when the file fails
    body = data[len(lines[0]) : len(data) - len(lines[-1])]
    _check_folder(header, device, path)
    records = _records(body, device or header["device_id"], path)
    _check_range(path, header, trailer, records)
    sig = trailer.get("sig", "")
    sig = sig if isinstance(sig, str) else ""
    return Segment(header, records, hashlib.sha256(body).hexdigest(), sig)


def _parse(line: bytes, path: Path) -> dict[str, Any]:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise SegmentError(f"{path.name} has a line that is not JSON") from exc
    if not isinstance(obj, dict):
        raise SegmentError(f"{path.name} has a line that is not a JSON object")
    return obj


def _which_record(lines: list[bytes], path: Path) -> str:
    for line in lines:
        try:
            obj = _parse(line, path)
        except SegmentError:
            return " (a record is not JSON)"
        given = obj.pop("sum", None)
        if given != _record_sum(obj):
            return f" (record {obj.get('seq')})"
    return ""


def _records(body: bytes, device: str, path: Path) -> tuple[Record, ...]:
    """Every record line parsed in one go, as one JSON array (a third of the time of one by one)."""
    try:
        array = b"[" + body.rstrip(b"\n").replace(b"\n", b",") + b"]"
        objs = orjson.loads(array) if body else []
    except orjson.JSONDecodeError as exc:
        raise SegmentError(f"{path.name} has a line that is not JSON") from exc
    try:  # keys a newer app may add are ignored here; the format gate guards real changes
        return tuple([_new_record(Record, (device, *_FIELDS(o))) for o in objs])
    except (KeyError, TypeError) as exc:
        raise SegmentError(f"{path.name}: a record is malformed") from exc


# ------------------------------------------------------------- hostile files (issue 13)
MAX_SEQ = 2**63 - 1  # SQLite's largest integer: a larger one would fail the insert


def _check_header(header: dict[str, Any], path: Path) -> None:
    """The header's fields have the types this app writes (else int() or a lookup would fail)."""
    fields = (header.get("format"), header.get("first_seq"), header.get("last_seq"))
    if not all(type(v) is int and 0 <= v <= MAX_SEQ for v in fields):
        raise SegmentError(f"{path.name} is malformed (its header's numbers)")
    device = header.get("device_id")
    if not isinstance(device, str) or not 0 < len(device) <= 64:
        raise SegmentError(f"{path.name} is malformed (its header's PC)")


def _check_dated(header: dict[str, Any], path: Path) -> None:
    """A healing copy's `dated` (see `dated_by_author`): [seq, hlc, prev_hlc or null] lists."""
    dated = header.get("dated")
    if dated is None:
        return
    ok = isinstance(dated, list) and all(
        isinstance(e, list)
        and len(e) == 3
        and type(e[0]) is int
        and type(e[1]) is int
        and (e[2] is None or type(e[2]) is int)
        and all(v is None or 0 <= v <= MAX_SEQ for v in e)
        for e in dated
    )
    if not ok:
        raise SegmentError(f"{path.name} is malformed (its header's dates)")


def dated_by_author(header: dict[str, Any]) -> dict[int, tuple[int, int | None]]:
    """The stamps (and prev stamps) a healing copy's author stored for its records that the
    share's time re-dated (`healing.write_copy`): seq -> (hlc, prev_hlc). The copy is a later
    file than the original, so its readers take these rather than date the records afresh by
    the copy's time (clockguard.IncomingCheck); empty for any other segment."""
    return {int(e[0]): (int(e[1]), e[2]) for e in header.get("dated") or ()}


def _check_folder(header: dict[str, Any], device: str | None, path: Path) -> None:
    """The folder names the PC: a header claiming another PC is never taken as that PC."""
    if device is not None and header["device_id"] != device:
        other = str(header["device_id"]).replace("-", "")[-8:]
        raise ForeignHeaderError(
            f"{path.name} is refused: its header names another PC (PC {other})"
        )


def _check_range(
    path: Path, header: dict[str, Any], trailer: dict[str, Any], records: tuple[Record, ...]
) -> None:
    void = header.get("void") is True  # a healing segment for numbers that hold nothing
    if not records and not void:
        raise SegmentError(f"{path.name}: holds no records")
    seqs = [r.seq for r in records]
    if seqs and set(map(type, seqs)) != {int}:  # 2.0 or true would equal 2 or 1 below
        raise SegmentError(f"{path.name}: a record is malformed (its number)")
    first, last = int(header["first_seq"]), int(header["last_seq"])
    expected = [] if void else list(range(first, last + 1))
    if seqs != expected or trailer.get("count") != len(records) or first > last:
        raise SegmentError(f"{path.name}: records do not match the header's range")
    if parse_name(path.name) != (first, last):
        raise SegmentError(f"{path.name}: name does not match the header's range")


def signed_by(segment: Segment, signer: Signer) -> bool:
    """Whether `segment` carries a valid signature of `signer`'s key over a header that matches
    its records."""
    header = segment.header
    if header.get("signer") != signer.fingerprint:
        return False
    if header.get("body_sha256") != segment.body_sha256:
        return False
    try:
        signature = base64.b64decode(segment.signature, validate=True)
    except ValueError:
        return False
    public = signer.key.public_key().public_bytes_raw()
    return verify(public, Purpose.SEGMENT, canonical(header), signature)
