"""The audit on a protected board (issue 15, point 6): real signed segments between enrolled PCs,
their signatures kept in `signed_ranges`, checked again from `change_log` with the signer's key
from the board's trust state. The intruder edits the officer's SQLite file with sqlite3."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_trust_sync import add_action
from trusted_office import TrustedOffice

from hescb_desktop.cli.selftest import SelftestError, check_journal
from hescb_desktop.domain.audit import AuditEntry
from hescb_desktop.services import audit
from hescb_desktop.services.sync import short_id
from hescb_desktop.sync.segments import encode_records
from hescb_desktop.sync.verify import range_records

TODAY = datetime.now(UTC).date()


@pytest.fixture
def office(tmp_path: Path) -> Iterator[TrustedOffice]:
    o = TrustedOffice(tmp_path)
    o.add("officer", "Olu Officer", "officer")
    o.settle()
    yield o
    o.close()


def _trail(office: TrustedOffice, pc: str) -> list[AuditEntry]:
    return audit.trail_for_days(office.pc(pc).engine, TODAY, TODAY)


def _sql(office: TrustedOffice, pc: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    path = office.pc(pc).db_path
    assert path is not None
    with sqlite3.connect(path) as conn:
        found = conn.execute(sql, params).fetchall()
    conn.close()
    return found


def test_signed_changes_are_verified_with_person_role_and_pc(office: TrustedOffice) -> None:
    action = add_action(office, "root", "officer", "Joint drone rota")
    office.settle()
    root = office.pc("root").device_id
    mine = [e for e in _trail(office, "officer") if e.row_id == action]
    assert mine and {e.verified for e in mine} == {"verified"}
    assert {e.person for e in mine} == {"Sally Secretariat"}
    assert {e.role for e in mine} == {"secretariat"}
    (pc,) = {e.pc for e in mine}
    assert pc.startswith(f"{short_id(root)} (") and pc != f"{short_id(root)} (this PC)"
    # on the root itself its own sent changes are verified too (its own signed ranges)
    assert {e.verified for e in _trail(office, "root") if e.row_id == action} == {"verified"}
    assert audit.range_problems(office.pc("officer").engine) == []
    assert check_journal(office.pc("officer").engine) == "tables agree with the change log"


def test_a_change_and_its_range_digest_rewritten_together_fail_the_signature(
    office: TrustedOffice,
) -> None:
    """The intruder rewrites the author of a merged change and, knowing the format, the digest in
    the kept header too: only the signature, checked with the root PC's key, catches it."""
    action = add_action(office, "root", "officer", "Joint drone rota")
    office.settle()
    root = office.pc("root").device_id
    _sql(office, "officer", "UPDATE change_log SET user = 'Chief Constable' WHERE row_id = ?",
         action)  # fmt: skip
    problems = audit.range_problems(office.pc("officer").engine)
    assert problems and all("digest does not match" in p.reason for p in problems)
    with pytest.raises(SelftestError, match="changed after it was signed"):
        check_journal(office.pc("officer").engine)
    for device, first, last, header_text in _sql(
        office, "officer", "SELECT device_id, first_seq, last_seq, header FROM signed_ranges"
        " WHERE device_id = ?", root
    ):  # fmt: skip
        conn = office.pc("officer").engine.connect()
        records = range_records(conn, str(device), int(str(first)), int(str(last)))
        conn.close()
        header = json.loads(str(header_text))
        header["body_sha256"] = hashlib.sha256(encode_records(records)).hexdigest()
        _sql(office, "officer", "UPDATE signed_ranges SET header = ? WHERE device_id = ?"
             " AND first_seq = ?", json.dumps(header), device, first)  # fmt: skip
    problems = audit.range_problems(office.pc("officer").engine)
    assert problems
    assert {p.reason for p in problems} == {"its signature does not match its PC's key"}
    assert {p.device_id for p in problems} == {root}
    failed = {e.verified for e in _trail(office, "officer") if e.row_id == action}
    assert failed == {"FAILED"}


def test_the_audit_command_shows_the_role_and_verified_on_a_protected_board(
    office: TrustedOffice,
) -> None:
    from test_cli import run

    action = add_action(office, "root", "officer", "Joint drone rota")
    office.settle()
    data = office.root / "officer"
    day = TODAY.isoformat()
    result = run("--data-dir", data, "audit", "--from", day, "--to", day, "--csv",
                 HESCB_TEST_ACCOUNT="acct-officer")  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    mine = [r for r in rows[1:] if r[5] == action]
    assert mine
    assert {(r[1], r[2], r[9]) for r in mine} == {("Sally Secretariat", "secretariat", "verified")}
