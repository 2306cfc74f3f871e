"""`make bench`: what restricted records cost a merge (issue 16).

Everything runs in a temp dir (removed at the end), in this process, on real SQLite files and a
real share folder. The input is bench_sync's: 5 peers' segments with 100,000 field changes
(people and objectives, then edits), made twice:

- **restricted**: 10% of the fields are restricted content, sealed (ChaCha20-Poly1305) under a
  readership's content key: the text fields of enough objectives, with their readership and
  restriction records. The receiving PC is a reader (it holds the key), so the merge opens every
  sealed value, and the view (`storage.restricted.refresh`, run after every round) sets each
  restricted row from its winning value.
- **plain**: the same records with their values in clear text, no restriction.

The restricted input also carries one readership and one restriction per restricted objective
(about 20,000 records more than the plain one's 100,000): the ratio errs on the costly side.

Measured in the same run, alternating, each a median: one `sync_round` on a fresh PC that merges
all of it, followed by the view. Target (issue 16): the restricted merge at most 1.5x the plain
one. Exit status 1 when it is missed.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_sync import (
    MERGE_PEERS,
    MERGE_RECORDS,
    BenchError,
    PeerWriter,
    forget_device,
    make_templates,
    peer_records,
    put_peer,
    round_on,
)

from hescb_desktop.domain.restriction import content_columns
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.storage.base import new_id
from hescb_desktop.storage.restricted import refresh
from hescb_desktop.storage.sealed_values import FieldContext, seal_json
from hescb_desktop.sync import sealing
from hescb_desktop.sync.hlc import unpack
from hescb_desktop.sync.segments import Record
from hescb_desktop.sync.share import Share

TARGET_RATIO = 1.5
SHARE_RESTRICTED = 0.10


def restrict_peers(peers: list[PeerWriter], key_id: str, key: bytes) -> int:
    """Seal the content fields of objectives, peer by peer, until 10% of all fields are sealed;
    one readership and one restriction per objective are added (as peer 1's commits). Returns
    how many fields were sealed."""
    wanted = int(MERGE_RECORDS * SHARE_RESTRICTED)
    sealed = 0
    readership = new_id()
    restricted: list[str] = []
    for peer in peers:
        if sealed >= wanted:
            break
        rows: set[str] = set()
        out: list[Record] = []
        for rec in peer.records:
            if (
                rec.table == "objectives"
                and rec.col in content_columns("objectives")
                and sealed < wanted
                and (rec.row in rows or len(rows) * 2 < wanted)
            ):
                rows.add(rec.row)
                where = FieldContext("", rec.table, rec.row, rec.col, readership, key_id)
                rec = rec._replace(value=seal_json(key, rec.value, where))
                sealed += 1
            out.append(rec)
        peer.records[:] = out
        restricted += sorted(rows)
    first = peers[0]
    stamp = json.dumps("2026-12-01T09:00:00.000000Z")
    who = json.dumps(first.user)
    common = [
        ("created_at", stamp),
        ("updated_at", stamp),
        ("created_by", who),
        ("updated_by", who),
    ]
    first.add_tx(
        [
            ("readerships", readership, col, value, None)
            for col, value in [
                ("label", json.dumps("Chief officers and the secretariat")),
                ("people", json.dumps("[]")),
                ("roles", json.dumps('["secretariat"]')),
                ("handling", json.dumps("")),
                ("key_id", json.dumps(key_id)),
                ("key_check", json.dumps(sealing.key_check(key_id, key))),
                *common,
            ]
        ]
    )
    for row in restricted:
        restriction = new_id()
        first.add_tx(
            [
                ("restrictions", restriction, col, value, None)
                for col, value in [
                    ("table_name", json.dumps("objectives")),
                    ("record_id", json.dumps(row)),
                    ("readership_id", json.dumps(readership)),
                    ("public_title", json.dumps("Restricted objective")),
                    *common,
                ]
            ]
        )
    return sealed


def make_share(
    root: Path, name: str, tpl_ctx: ServiceContext, restricted: bool
) -> tuple[Share, int, int]:
    tpl = make_templates(tpl_ctx)
    start_ms = unpack(tpl_ctx.clock.now())[0] - 7 * 24 * 3600 * 1000
    per_peer = MERGE_RECORDS // MERGE_PEERS
    peers = [peer_records(tpl, i + 1, per_peer, start_ms) for i in range(MERGE_PEERS)]
    sealed = restrict_peers(peers, KEY_ID, KEY) if restricted else 0
    share = Share(root / name)
    share.folder.mkdir()
    share.ensure_format()
    for peer in peers:
        put_peer(share, peer, tpl.schema)
    return share, sum(len(p.records) for p in peers), sealed


KEY_ID = new_id()
KEY = sealing.new_content_key()


def merge_once(root: Path, name: str, share: Share, records: int, reader: bool) -> float:
    ctx = open_context(root / name)
    if reader:
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO content_keys (key_id, readership_id, key) VALUES (?, ?, ?)",
                (KEY_ID, "bench", base64.b64encode(KEY).decode()),
            )
    try:
        started = time.perf_counter()
        report = round_on(ctx, share)
        with ctx.engine.begin() as conn:
            refresh(conn)
        seconds = time.perf_counter() - started
        if report.merged != records or report.problems:
            raise BenchError(f"{name}: {report.summary()} {report.problems[:3]}")
        if reader:
            with ctx.engine.connect() as conn:
                hidden = conn.exec_driver_sql(
                    "SELECT count(*) FROM objectives WHERE title LIKE 'Restricted item%'"
                ).scalar()
            if hidden:
                raise BenchError(f"{hidden} restricted objectives not opened on a reader's PC")
        forget_device(share, ctx.device_id)
        return seconds
    finally:
        ctx.close()
        shutil.rmtree(root / name, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    root = Path(tempfile.mkdtemp(prefix="hescb-bench-restricted-"))
    try:
        started = time.perf_counter()
        tpl_ctx = open_context(root / "template")
        plain, plain_records, _ = make_share(root, "plain-share", tpl_ctx, restricted=False)
        tpl_ctx.close()
        tpl_ctx = open_context(root / "template2")
        sealed_share, sealed_records, sealed = make_share(
            root, "restricted-share", tpl_ctx, restricted=True
        )
        tpl_ctx.close()
        print(
            f"Set-up: {plain_records:,} field changes from {MERGE_PEERS} peers (plain); "
            f"{sealed_records:,} with {sealed:,} sealed ({sealed / sealed_records:.0%}) and their "
            f"restrictions, in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        gc.collect()
        gc.freeze()
        plain_s: list[float] = []
        sealed_s: list[float] = []
        for run in range(args.runs):
            plain_s.append(merge_once(root, f"plain-{run}", plain, plain_records, False))
            sealed_s.append(merge_once(root, f"sealed-{run}", sealed_share, sealed_records, True))
            print(f"  run {run + 1}: plain {plain_s[-1]:.2f} s, restricted {sealed_s[-1]:.2f} s")
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    base, restricted = statistics.median(plain_s), statistics.median(sealed_s)
    ratio = restricted / base
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"merge + view, plain (baseline, this run): median {base:.2f} s")
    print(f"merge + view, 10% restricted (reader's PC): median {restricted:.2f} s")
    ok = ratio <= TARGET_RATIO
    verdict = "met" if ok else "MISSED"
    print(f"target         restricted at most {TARGET_RATIO}x plain: {ratio:.2f}x, {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
