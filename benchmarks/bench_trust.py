"""`make bench`: what trust on the share costs a merge (issue 15).

Everything runs in a temp dir (removed at the end), in this process, on real SQLite files, a
real share folder and real Ed25519 keys. The input is bench_sync's: 5 peers' segments with
100,000 field changes (people and objectives, then edits), made twice:

- **signed**: a protected board. The peers are enrolled PCs (certificates issued by the root),
  their people secretariat; every segment is signed and chained; the receiving PC has pinned
  the root. Its round reads and verifies the board's statements, checks every segment's
  signature, body digest and chain, and judges every change against the rules (sync.judge).
- **plain**: the same records unsigned, on a board that is not protected.

Measured in the same run, alternating, each a median: one `sync_round` on a fresh PC that
merges all 100,000 (signed, then plain), and verifying one signed 1,000-record segment
(`read_segment` + `SegmentCheck.check`: the signature, the body digest, the chain).

Targets (issue 15): the signed merge at most 1.3x the plain one; one 1,000-record segment
verified in under 5 ms. Exit status 1 when one is missed.

What the input does not exercise: the peers are secretariat, so the rules take their fast path
(no row lookups); an officer's changes also need their rows' history read (sync.judge.History, one
query per 500 rows per table). That cost is not measured here yet.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_sync import (
    MERGE_PEERS,
    MERGE_RECORDS,
    SEGMENT_RECORDS,
    BenchError,
    make_templates,
    peer_records,
    put_peer,
)

from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.capture import Actor
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.sync.hlc import unpack
from hescb_desktop.sync.publisher import chunks
from hescb_desktop.sync.round import sync_round
from hescb_desktop.sync.segments import (
    Record,
    Signer,
    read_segment,
    record_digest,
    segment_name,
    write_segment,
)
from hescb_desktop.sync.share import Share, replace_file
from hescb_desktop.sync.signing import fingerprint, new_key, public_bytes
from hescb_desktop.sync.snapshot import make_snapshot
from hescb_desktop.sync.trust import (
    build,
    issue,
    key_b64,
    load_statements,
    publish_own,
    write_root_pointer,
)
from hescb_desktop.sync.verify import SegmentCheck

TARGET_RATIO = 1.3
TARGET_VERIFY_S = 0.005
VERIFY_RECORDS = 1_000


def signed_share(root: Path, peers: list, schema: str) -> tuple[Share, str]:  # type: ignore[type-arg]
    """The peers' records on a protected board: root statement, certificates, signed segments."""
    share = Share(root / "signed-share")
    share.folder.mkdir()
    share.ensure_format()
    root_key = new_key()
    root_fp = fingerprint(public_bytes(root_key))
    root_device, founder = new_id(), new_id()
    at = peers[0].records[0].hlc - 1000
    statements = [
        issue(
            root_key,
            "root",
            at,
            {"device_id": root_device, "person_id": founder, "person_name": "Root", "legacy": {}},
        )
    ]
    keys = {}
    for n, peer in enumerate(peers):
        key = keys[peer.device_id] = new_key()
        statements.append(
            issue(
                root_key,
                "enrol",
                at + n + 1,
                {
                    "key": key_b64(key),
                    "device_id": peer.device_id,
                    "person_id": peer.user,
                    "name": f"Peer {n}",
                    "role": "secretariat",
                },
            )
        )
    write_root_pointer(share, root_fp)
    share.device_dir(root_device).mkdir(parents=True)
    (share.device_dir(root_device) / "segments").mkdir()
    publish_own(share, root_device, statements)
    for peer in peers:
        key = keys[peer.device_id]
        signer = Signer(key, fingerprint(public_bytes(key)), _digests(peer.records))
        folder = share.segments_dir(peer.device_id)
        folder.mkdir(parents=True, exist_ok=True)
        for chunk in chunks(peer.records, SEGMENT_RECORDS):
            write_segment(folder, chunk, schema, signer)
        replace_file(share.device_dir(peer.device_id) / "device.json", b"{}\n")
    return share, root_fp


def _digests(records: list[Record]) -> Callable[[int], str]:
    by_seq = {r.seq: r for r in records}
    return lambda seq: record_digest(by_seq[seq]) if seq in by_seq else ""


def fresh_receiver(root: Path, name: str, root_fp: str | None) -> ServiceContext:
    ctx = open_context(root / name)
    if root_fp is not None:
        write_identity(ctx.engine, root_fp, None)  # pinned, as after --trust-root
    return ctx


def merge_once(ctx: ServiceContext, share: Share, signed: bool) -> float:
    started = time.perf_counter()
    report = sync_round(
        ctx.engine,
        share,
        Actor(ctx.device_id, "Receiving PC"),
        ctx.clock,
        key=ctx.pc_key if signed else None,
    )
    seconds = time.perf_counter() - started
    if report.merged != MERGE_RECORDS or report.problems:
        raise BenchError(
            f"{'signed' if signed else 'plain'} merge: {report.summary()} {report.problems[:3]}"
        )
    return seconds


def verify_times(root: Path, runs: int) -> tuple[list[float], list[float]]:
    """One signed 1,000-record segment, read (parsed, checksums) and verified (signature, body
    digest, chain, enrolment) `runs` times: the two times apart."""
    ctx = open_context(root / "verify-template")
    tpl = make_templates(ctx)
    ctx.close()
    start_ms = unpack(tpl.person[0].hlc)[0]
    peer = peer_records(tpl, 1, VERIFY_RECORDS, start_ms)
    peer.user = new_id()
    records = [r._replace(user=peer.user) for r in peer.records]
    key = new_key()
    fp = fingerprint(public_bytes(key))
    signer = Signer(key, fp, lambda seq: "")
    share = Share(root / "verify-share")
    share.folder.mkdir()
    folder = share.segments_dir(peer.device_id)
    folder.mkdir(parents=True)
    path = write_segment(folder, records, tpl.schema, signer)
    root_key = new_key()
    statements = [
        issue(root_key, "root", 1, {"device_id": new_id(), "person_id": new_id(), "legacy": {}}),
        issue(
            root_key,
            "enrol",
            2,
            {
                "key": key_b64(key),
                "device_id": peer.device_id,
                "person_id": peer.user,
                "role": "secretariat",
            },
        ),
    ]
    state = build(statements, fingerprint(public_bytes(root_key)))
    receiver = open_context(root / "verify-receiver")
    check = SegmentCheck(receiver.engine, state)
    reads, checks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        segment = read_segment(path, peer.device_id)
        read = time.perf_counter()
        reason = check.check(peer.device_id, segment)
        checks.append(time.perf_counter() - read)
        reads.append(read - started)
        if reason or len(segment.records) != VERIFY_RECORDS:
            raise BenchError(f"verify: {reason or len(segment.records)}")
    receiver.close()
    assert path.name == segment_name(1, VERIFY_RECORDS)
    return reads, checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hescb-bench-trust-"))
    os.environ.setdefault("HESCB_KEY_STORE", "file")
    try:
        started = time.perf_counter()
        template = open_context(root / "template")
        tpl = make_templates(template)
        template.close()
        plain = Share(root / "plain-share")
        plain.folder.mkdir()
        plain.ensure_format()
        # an office share has a recent snapshot: neither round is the day's snapshot round (on
        # the signed share the receiver is not the secretariat's: it makes none)
        make_snapshot(
            template.db_path or Path(), plain, template.device_id, template.clock.now(), tpl.schema
        )
        start_ms = unpack(template.clock.now())[0] - 7 * 24 * 3600 * 1000
        per_peer = MERGE_RECORDS // MERGE_PEERS
        peers = []
        for i in range(MERGE_PEERS):
            peer = peer_records(tpl, i + 1, per_peer, start_ms)
            person = new_id()
            peer.records = [
                r._replace(
                    user=person,
                    value=r.value.replace(f'"{peer.user}"', f'"{person}"'),
                )
                for r in peer.records
            ]
            peer.user = person
            peers.append(peer)
        signed, root_fp = signed_share(root, peers, tpl.schema)
        for peer in peers:
            put_peer(plain, peer, tpl.schema)
        print(
            f"Set-up: {MERGE_RECORDS:,} field changes from {MERGE_PEERS} peers, signed and plain, "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        gc.collect()
        gc.freeze()
        signed_runs: list[float] = []
        plain_runs: list[float] = []
        for run in range(args.runs):
            for kind in ("signed", "plain"):
                ctx = fresh_receiver(root, f"{kind}-{run}", root_fp if kind == "signed" else None)
                share = signed if kind == "signed" else plain
                seconds = merge_once(ctx, share, kind == "signed")
                (signed_runs if kind == "signed" else plain_runs).append(seconds)
                if kind == "signed":
                    assert len(load_statements(ctx.engine)) == MERGE_PEERS + 1
                ctx.close()
                print(f"  run {run + 1} {kind}: {seconds:.2f} s", flush=True)
        reads, verify = verify_times(root, 30)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    s, p = statistics.median(signed_runs), statistics.median(plain_runs)
    v = statistics.median(verify)
    print()
    print(
        f"Trust benchmark: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.machine()}"
    )
    print(f"Merge of {MERGE_RECORDS:,} field changes from {MERGE_PEERS} peers, fresh PC:")
    print(f"signed+rules   median {s:7.3f} s  (runs: {' '.join(f'{x:.2f}' for x in signed_runs)})")
    print(f"plain          median {p:7.3f} s  (runs: {' '.join(f'{x:.2f}' for x in plain_runs)})")
    ratio_ok, verify_ok = s / p <= TARGET_RATIO, v < TARGET_VERIFY_S
    print(
        f"ratio          {s / p:.2f}x (target at most {TARGET_RATIO}x): "
        f"{'OK' if ratio_ok else 'MISSED'}"
    )
    print(
        f"verify one {VERIFY_RECORDS:,}-record segment: median {v * 1000:.2f} ms "
        f"(target under {TARGET_VERIFY_S * 1000:.0f} ms): {'OK' if verify_ok else 'MISSED'}; "
        f"reading it (parse, checksums) beside: median {statistics.median(reads) * 1000:.2f} ms"
    )
    return 0 if ratio_ok and verify_ok else 1


if __name__ == "__main__":
    sys.exit(main())
