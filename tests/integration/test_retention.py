"""The retention schedule and what it makes due (issue 16, point 5, as built so far): the
secretariat sets it, it syncs, every PC lists the same records as due; `retention` and
`dispose --dry-run` on the command line (scriptable and stable), with clean errors."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_cli import assert_refused, run
from trusted_office import TrustedOffice

from hescb_desktop.domain.enums import ActionStatus
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import NotAllowedError
from hescb_desktop.services import crud, retention
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.sync.verify import held_digest

pytestmark = pytest.mark.slow


@pytest.fixture
def office(tmp_path: Path) -> Iterator[TrustedOffice]:
    board = TrustedOffice(tmp_path)
    root = board.pc("root")
    crud.create(root.uow(), E.PEOPLE, {"name": "Olive Officer"})
    board.sync("root")
    board.add("officer", "Olive Officer", "officer")
    board.settle()
    yield board
    board.close()


def as_pc(name: str) -> None:
    os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"


def closed_action(ctx: ServiceContext, words: str, completed: date) -> str:
    row = crud.create(
        ctx.uow(),
        E.ACTIONS,
        {
            "description": words,
            "raised_on": completed - timedelta(days=30),
            "status": ActionStatus.CLOSED,
            "completed_on": completed,
            "reference": f"HESCB/{completed.year}/{completed.toordinal() % 1000:03d}",
            "ref_year": completed.year,
            "ref_number": completed.toordinal() % 1000,
        },
    ).value
    return row.id


def test_the_secretariat_sets_the_schedule_and_every_pc_lists_the_same_records(
    office: TrustedOffice,
) -> None:
    as_pc("root")
    root = office.pc("root")
    old = closed_action(root, "Closed long ago", date(2019, 5, 1))
    recent = closed_action(root, "Closed last year", date(2025, 11, 1))
    open_one = crud.create(
        root.uow(),
        E.ACTIONS,
        {"description": "Still open", "raised_on": date(2015, 1, 1), "reference": "HESCB/2015/1",
         "ref_year": 2015, "ref_number": 1},
    ).value.id  # fmt: skip
    on = date(2026, 12, 3)
    found = {d.id: d for d in retention.due(root, on) if d.kind == "closed-actions"}
    assert set(found) == {old}  # 6 years by default: the recent and the open one are kept
    assert (found[old].runs_from, found[old].due_on) == (date(2019, 5, 1), date(2025, 5, 1))
    rule = retention.set_rule(root, "closed-actions", "1 year")
    assert (rule.keep_years, rule.default, rule.set_by) == (1, False, "Sally Secretariat")
    office.settle()
    as_pc("officer")
    officer = office.pc("officer")
    ids = {d.id for d in retention.due(officer, on) if d.kind == "closed-actions"}
    assert ids == {old, recent} and open_one not in ids
    assert [r.period for r in retention.schedule(officer)] == [
        "permanent",
        "permanent",
        "1 year",
        "2 years",
    ]
    with pytest.raises(NotAllowedError, match="secretariat may edit retention rules"):
        retention.set_rule(officer, "closed-actions", "permanent")
    assert retention.schedule(officer)[2].keep_years == 1  # nothing changed
    as_pc("root")
    retention.set_rule(root, "closed-actions", "permanent")
    office.settle()
    as_pc("officer")
    assert not [d for d in retention.due(officer, on) if d.kind == "closed-actions"]


def test_a_repeating_calendar_item_is_due_only_once_its_last_occurrence_is_over(
    office: TrustedOffice,
) -> None:
    from datetime import UTC, datetime

    as_pc("root")
    root = office.pc("root")

    def event(summary: str, rrule: str) -> str:
        start = datetime(2020, 1, 6, 9, tzinfo=UTC)
        values = {"summary": summary, "start_utc": start, "end_utc": start + timedelta(hours=1),
                  "rrule": rrule}  # fmt: skip
        return crud.create(root.uow(), E.EVENTS, values).value.id

    once = event("Once, in 2020", "")
    weekly = event("Weekly until 2025", "FREQ=WEEKLY;UNTIL=20250630T000000Z")
    forever = event("Weekly for ever", "FREQ=WEEKLY")
    counted = event("Ten weeks", "FREQ=WEEKLY;COUNT=10")
    due = {d.id: d for d in retention.due(root, date(2026, 12, 3)) if d.kind == "calendar-items"}
    assert once in due and counted in due and weekly not in due and forever not in due
    assert due[counted].runs_from == date(2020, 3, 9)  # the tenth Monday
    later = {d.id for d in retention.due(root, date(2027, 7, 1))}
    assert weekly in later and forever not in later


def test_the_retention_and_dispose_commands(office: TrustedOffice) -> None:
    as_pc("root")
    old = closed_action(office.pc("root"), "Closed long ago", date(2018, 2, 1))
    data = office.root / "root"
    office.close()
    env = {"HESCB_TEST_ACCOUNT": "acct-root"}
    listed = run("--data-dir", data, "retention", "--json", **env)
    assert listed.returncode == 0, listed.stderr
    rules = json.loads(listed.stdout)["rules"]
    assert [r["kind"] for r in rules] == [
        "approved-minutes",
        "papers",
        "closed-actions",
        "calendar-items",
    ]
    assert set(rules[0]) == {
        "kind", "label", "covers", "runs_from", "keep_years", "period", "default", "set_by",
        "set_at",
    }  # fmt: skip
    plain = run("--data-dir", data, "retention", "list", **env)
    assert plain.stdout.splitlines()[2].split("\t")[:3] == ["closed-actions", "6 years", "default"]
    done = run("--data-dir", data, "retention", "set", "closed-actions", "10", "--json", **env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["keep_years"] == 10
    due = run("--data-dir", data, "dispose", "--dry-run", "--on", "2028-02-01", "--json", **env)
    assert due.returncode == 0, due.stderr
    said = json.loads(due.stdout)
    assert set(said) == {"on", "count", "due"} and said["on"] == "2028-02-01"
    mine = [d for d in said["due"] if d["id"] == old]
    assert mine and set(mine[0]) == {
        "kind", "table", "id", "reference", "title", "runs_from", "due_on"
    }  # fmt: skip
    assert (mine[0]["due_on"], mine[0]["title"]) == ("2028-02-01", "Closed long ago")
    text = run("--data-dir", data, "dispose", "--dry-run", "--on", "2028-02-01", **env)
    assert text.stdout.splitlines()[-1] == "1 record due for disposal on 2028-02-01"
    assert said["count"] == 1
    # bad input: one line on stderr, exit 2, nothing changed
    assert_refused(
        run("--data-dir", data, "retention", "set", "closed-actions", "0", **env), "1 to 100"
    )
    assert_refused(
        run("--data-dir", data, "retention", "set", "minutes", "5", **env), "approved-minutes"
    )
    assert_refused(run("--data-dir", data, "retention", "frob", **env), "retention set KIND PERIOD")
    assert_refused(
        run("--data-dir", data, "dispose", "--dry-run", "--on", "2028-02-30", **env), "not a date"
    )
    assert_refused(run("--data-dir", data, "dispose", **env), "give --dry-run")
    assert_refused(run("--data-dir", data, "dispose", "--dry-run", "--confirm", **env), "give")
    assert_refused(
        run("--data-dir", data, "dispose", "HESCB/2018/001", "--dry-run", **env), "--confirm"
    )
    officer = run(
        "--data-dir", office.root / "officer", "retention", "set", "papers", "3",
        HESCB_TEST_ACCOUNT="acct-officer",
    )  # fmt: skip
    assert_refused(officer, "secretariat may edit retention rules")
    again = run("--data-dir", data, "retention", "--json", **env)
    assert json.loads(again.stdout)["rules"][2]["keep_years"] == 10


def files_holding(folder: Path, word: str) -> list[str]:
    """Every file under `folder` whose bytes hold `word` (UTF-8, or UTF-16 as SQLite may)."""
    needles = (word.encode(), word.encode("utf-16-le"))
    return [
        str(p.relative_to(folder))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]


WORD = "Quixotically"  # typed into the record disposed of only


def test_a_disposal_removes_the_text_from_every_pc_one_offline_during_the_run(
    office: TrustedOffice,
) -> None:
    """Three PCs; one is offline while the secretariat disposes of a closed action (and its
    update) under the schedule; when it comes back it disposes too. Afterwards the word is in no
    file of any data folder; the certificate remains; everything else is as it was."""
    from hescb_desktop.services import actions as action_service
    from hescb_desktop.services.export import export_all

    as_pc("root")
    root = office.pc("root")
    crud.create(root.uow(), E.PEOPLE, {"name": "Vera Viewer"})
    office.sync("root")
    office.add("viewer", "Vera Viewer", "viewer")
    gone = closed_action(root, f"{WORD} hearing arranged", date(2018, 3, 1))
    action_service.add_update(root.uow(), gone, f"{WORD} panel met")
    kept = closed_action(root, "Kept: closed last month", date(2026, 11, 1))
    office.settle()
    assert files_holding(office.root / "viewer", WORD)  # it was there
    before = {n: export_all(office.pc(n).uow(write=False))["tables"] for n in office.pcs}
    # a segment's `prev` names the digest of the record before it, as signed: a disposed record
    # keeps answering with the digest it had (sync.verify.held_digest), on every PC
    (seq,) = office.rows(
        "officer",
        f"SELECT seq FROM change_log WHERE row_id = '{gone}' AND column_name = 'description'",
    )[0]
    device = root.device_id
    chained = {n: held_digest(office.pc(n).engine, device, seq) for n in office.pcs}
    assert len(set(chained.values())) == 1 and None not in chained.values()

    as_pc("root")
    cert = retention.dispose_due(root, on=date(2026, 12, 3))
    assert cert.counts == {"closed actions": 1} and cert.rule == "closed actions: 6 years"
    office.sync("root")
    office.sync("officer")  # the viewer's PC is offline meanwhile
    office.sync("root")
    for name in ("root", "officer"):
        assert files_holding(office.root / name, WORD) == [], name
    assert files_holding(office.root / "viewer", WORD)  # not yet: it is offline
    assert files_holding(office.share.folder, WORD)  # the viewer has not acknowledged it yet
    office.settle()  # it comes back
    office.settle()
    assert files_holding(office.share.folder, WORD) == []  # segments rewritten, snapshot rebuilt
    for name in office.pcs:
        assert files_holding(office.root / name, WORD) == [], name
        as_pc(name)
        held = retention.certificates(office.pc(name))
        assert [c.id for c in held] == [cert.id] and held[0].made_by == "Sally Secretariat"
        after = export_all(office.pc(name).uow(write=False))["tables"]
        changed = {t for t in after if after[t] != before[name][t]}
        assert changed <= {"actions", "action_updates", "disposals"}, changed
        rows = {r["id"]: r for r in after["actions"]}
        assert rows[gone]["description"] == "" and rows[gone]["deleted"]
        assert rows[kept] == {r["id"]: r for r in before[name]["actions"]}[kept]
    exports = [export_all(office.pc(n).uow(write=False))["tables"] for n in office.pcs]
    assert all(e == exports[0] for e in exports)
    assert {n: held_digest(office.pc(n).engine, device, seq) for n in office.pcs} == chained


def test_dispose_on_the_command_line_and_its_certificate(office: TrustedOffice) -> None:
    as_pc("root")
    root = office.pc("root")
    old = closed_action(root, f"{WORD} old business", date(2017, 6, 1))
    mistake = closed_action(root, f"{WORD} home address typed by mistake", date(2026, 11, 20))
    ref = crud.get(root.uow(write=False), E.ACTIONS, mistake).reference
    data = office.root / "root"
    office.close()
    aside = data / "hescb.sqlite.before-0017"  # as an upgrade sets the old file aside
    with sqlite3.connect(data / "hescb.sqlite") as src, sqlite3.connect(aside) as dst:
        src.backup(dst)
    assert files_holding(data, WORD) == ["hescb.sqlite", "hescb.sqlite.before-0017"]
    env = {"HESCB_TEST_ACCOUNT": "acct-root"}
    officer = run(
        "--data-dir", office.root / "officer", "dispose", "--confirm", "--on", "2026-12-03",
        HESCB_TEST_ACCOUNT="acct-officer",
    )  # fmt: skip
    assert_refused(officer, "only the secretariat disposes of records")
    done = run("--data-dir", data, "dispose", "--confirm", "--on", "2026-12-03", "--json", **env)
    assert done.returncode == 0, done.stderr
    cert = json.loads(done.stdout)
    assert set(cert) == {"id", "made_at", "made_by", "rule", "reason", "counts", "records"}
    assert (cert["counts"], cert["rule"], cert["records"]) == (
        {"closed actions": 1}, "closed actions: 6 years", 1
    )  # fmt: skip
    assert_refused(
        run("--data-dir", data, "dispose", "--confirm", "--on", "2026-12-03", **env),
        "nothing is due",
    )
    one = run("--data-dir", data, "dispose", ref, "--confirm", "--json", **env)
    assert one.returncode == 0, one.stderr  # as the contract writes it: no reason needed
    assert json.loads(one.stdout)["reason"] == "a secretariat decision (no reason given)"
    listed = run("--data-dir", data, "retention", "certificates", "--json", **env)
    held = json.loads(listed.stdout)["certificates"]
    assert [c["rule"] for c in held] == [f"one record: action {ref}", "closed actions: 6 years"]
    assert files_holding(data, WORD) == []
    assert not aside.exists()  # it held the text: deleted, and the user told
    from hescb_desktop.services import sync as sync_service
    from hescb_desktop.services.context import open_context

    ctx = open_context(data, create=False)
    try:
        told = sync_service.notices(ctx)
    finally:
        ctx.close()
    assert any("hescb.sqlite.before-0017" in n and "deleted" in n for n in told), told
    assert old  # named on the certificate, gone from every file of this PC


def test_the_chain_holds_across_a_disposal_and_a_pc_restored_from_the_new_snapshot(
    office: TrustedOffice,
) -> None:
    """The last change the secretariat's PC sent before the certificate is one it disposes of:
    the certificate's segment chains by the digest that change had, which every PC kept. A PC
    that joins afterwards starts from the snapshot made after the disposal (no text in it) and
    follows the chain too. An officer edits a disposed record while offline: when it comes back
    the edit is disposed of on every PC and its own segment rewritten."""
    from hescb_desktop.services import actions as action_service
    from hescb_desktop.services import sync as sync_service
    from hescb_desktop.sync.snapshot import newest_snapshot

    as_pc("root")
    root = office.pc("root")
    owned = crud.create(
        root.uow(),
        E.ACTIONS,
        {"description": "Olive's action", "owner_id": office.people["officer"],
         "raised_on": date(2017, 1, 1), "reference": "HESCB/2017/001", "ref_year": 2017,
         "ref_number": 1},
    ).value.id  # fmt: skip
    gone = closed_action(root, f"{WORD} disposed", date(2018, 3, 1))
    action_service.add_update(root.uow(), gone, f"{WORD} update, the last change sent")
    office.settle()
    as_pc("officer")  # offline from here: it records progress on its action, not yet sent
    action_service.add_update(office.pc("officer").uow(), owned, f"{WORD} officer's note")
    as_pc("root")
    cert = retention.dispose_record(root, "HESCB/2017/001", "entered in error")
    assert cert.records == 1
    retention.dispose_due(root, on=date(2026, 12, 3))
    for _ in range(3):
        report = office.sync("root")
        assert not report.problems, report.problems
    office.settle()
    office.settle()
    office.settle()
    for name in office.pcs:
        assert files_holding(office.root / name, WORD) == [], name
        assert not office.sync(name).problems
    assert files_holding(office.share.folder, WORD) == []
    snapshot = newest_snapshot(office.share)
    assert snapshot is not None
    # a new PC joins from that snapshot, then the board carries on
    crud.create(root.uow(), E.PEOPLE, {"name": "Nell Newcomer"})
    office.sync("root")
    office.add("late", "Nell Newcomer", "viewer")
    late = office.pcs["late"]
    office.pcs["late"] = sync_service.join_share(late, office.share.folder, discard_demo=False)
    as_pc("root")
    crud.create(root.uow(), E.PEOPLE, {"name": "After the join"})
    office.settle()
    report = office.sync("late")
    assert not report.problems, report.problems
    names = office.rows("late", "SELECT name FROM people WHERE name = 'After the join'")
    assert names == [("After the join",)]
    assert files_holding(office.root / "late", WORD) == []


def test_a_disposal_refuses_when_what_is_due_changed_since_it_was_confirmed(
    office: TrustedOffice,
) -> None:
    as_pc("root")
    root = office.pc("root")
    first = closed_action(root, "Listed and confirmed", date(2017, 6, 1))
    listed = [(d.table, d.id) for d in retention.due(root, date(2026, 12, 3))]
    closed_action(root, "Arrived after the list", date(2017, 7, 1))
    with pytest.raises(ValidationError, match="changed since it was listed"):
        retention.dispose_due(root, date(2026, 12, 3), expected=listed)
    assert retention.certificates(root) == []
    assert crud.get(root.uow(write=False), E.ACTIONS, first).description == "Listed and confirmed"
