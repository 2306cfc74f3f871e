"""Every mutation through the services leaves change_log rows; nothing can bypass it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text, update

from hescb_desktop.domain.enums import ActionStatus, Rag, RagDimension
from hescb_desktop.services import actions, crud, objectives
from hescb_desktop.services import entities as E
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.storage.capture import BypassError
from hescb_desktop.storage.journal import ChangeLog
from hescb_desktop.storage.models import Person


def log(ctx: ServiceContext) -> list[ChangeLog]:
    with ctx.uow(write=False) as uow:
        rows = list(uow.session.scalars(select(ChangeLog).order_by(ChangeLog.seq)))
        uow.session.expunge_all()
    return rows


def test_create_logs_every_field_with_increasing_seq_and_hlc(ctx: ServiceContext) -> None:
    org = crud.create(ctx.uow(), E.ORGANISATIONS, {"code": "HFRS", "name": "Fire"}).value
    rows = log(ctx)
    assert {r.column_name for r in rows} >= {"code", "name", "colour", "deleted", "created_by"}
    assert all(r.row_id == org.id and r.table_name == "organisations" for r in rows)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert len({r.hlc for r in rows}) == 1  # one flush, one stamp: the fields win together
    assert all(r.device_id == ctx.device_id and r.prev_hlc is None for r in rows)
    assert json.loads(next(r.value for r in rows if r.column_name == "code")) == "HFRS"


def test_create_leaves_out_only_the_nulls_a_peer_would_insert_anyway(ctx: ServiceContext) -> None:
    """A new row's NULL in a column with no server default is not logged: a peer's insert of
    the row leaves that column NULL too. Every other field is logged, NULL or not."""
    from sqlalchemy import inspect as sa_inspect

    from hescb_desktop.storage.capture import implied_null
    from hescb_desktop.storage.models import Person

    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Patel"}).value
    logged = {r.column_name for r in log(ctx) if r.row_id == person.id}
    for attr in sa_inspect(Person).column_attrs:
        if attr.key == "id":
            continue
        value = getattr(person, attr.key)
        expect_logged = value is not None or not implied_null(attr.columns[0])
        assert (attr.key in logged) == expect_logged, attr.key
    assert "deleted_at" not in logged and "deleted" in logged


def test_update_logs_only_changed_fields_with_prev_hlc(ctx: ServiceContext) -> None:
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Patel", "role": "DCFO"}).value
    before = {r.column_name: r.hlc for r in log(ctx)}
    crud.update(ctx.uow(), E.PEOPLE, person.id, {"role": "Chief Fire Officer", "name": "Sam Patel"})
    changed = [r for r in log(ctx) if r.prev_hlc is not None]
    assert {r.column_name for r in changed} == {"role", "updated_at", "updated_by"}
    role = next(r for r in changed if r.column_name == "role")
    assert role.prev_hlc == before["role"]
    assert json.loads(role.value) == "Chief Fire Officer"


def test_delete_is_a_logged_tombstone(ctx: ServiceContext) -> None:
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Alex Moore"}).value
    crud.delete(ctx.uow(), E.PEOPLE, person.id)
    assert crud.list_all(ctx.uow(write=False), E.PEOPLE) == []
    kept = crud.list_all(ctx.uow(write=False), E.PEOPLE, include_deleted=True)
    assert len(kept) == 1 and kept[0].deleted and kept[0].deleted_by == ctx.user
    stamp = max(r.hlc for r in log(ctx))
    deletion = {r.column_name: r for r in log(ctx) if r.hlc == stamp}
    assert {"deleted", "deleted_at", "deleted_by"} <= set(deletion)
    # `deleted` was logged (false) at creation, so the deletion names the value it replaced;
    # deleted_at was an empty field never logged, so nothing was seen before it
    assert deletion["deleted"].prev_hlc is not None
    assert deletion["deleted_at"].prev_hlc is None


def test_every_service_mutation_writes_increasing_hlc(ctx: ServiceContext) -> None:
    """One of each kind of service call; the log grows each time, hlc and seq strictly rise."""
    org = crud.create(ctx.uow(), E.ORGANISATIONS, {"code": "HC", "name": "Constabulary"}).value
    owner = crud.create(ctx.uow(), E.PEOPLE, {"name": "Jo", "organisation_id": org.id}).value
    obj = crud.create(ctx.uow(), E.OBJECTIVES, {"title": "Joint HQ"}).value
    calls = [
        lambda: actions.raise_action(
            ctx.uow(), {"description": "Scope", "owner_id": owner.id, "raised_on": date(2026, 1, 5)}
        ),
        lambda: objectives.set_rag(
            ctx.uow(), obj.id, {RagDimension.TIME: Rag.AMBER}, on=date(2026, 1, 6)
        ),
        lambda: crud.update(ctx.uow(), E.OBJECTIVES, obj.id, {"stage": "Scoping"}),
        lambda: crud.delete(ctx.uow(), E.PEOPLE, owner.id),
    ]
    seen = log(ctx)
    for call in calls:
        call()
        rows = log(ctx)
        new = rows[len(seen) :]
        assert new, call
        assert min(r.hlc for r in new) > max(r.hlc for r in seen)
        seen = rows
    hlcs = [r.hlc for r in seen]
    assert hlcs == sorted(hlcs)


def test_action_update_keeps_history(ctx: ServiceContext) -> None:
    a = actions.raise_action(
        ctx.uow(), {"description": "Draft SOP", "raised_on": date(2026, 3, 1)}
    ).value
    actions.add_update(ctx.uow(), a.id, "Started drafting", ActionStatus.IN_PROGRESS)
    actions.add_update(ctx.uow(), a.id, "With legal")
    updates = crud.list_all(ctx.uow(write=False), E.ACTION_UPDATES)
    assert [u.note for u in updates] == ["Started drafting", "With legal"]
    after = crud.get(ctx.uow(write=False), E.ACTIONS, a.id)
    assert after.latest_update == "With legal" and after.status is ActionStatus.IN_PROGRESS


def test_hard_delete_is_refused(ctx: ServiceContext) -> None:
    person = crud.create(ctx.uow(), E.PEOPLE, {"name": "Kim"}).value
    with ctx.uow() as uow, pytest.raises(BypassError, match="never deleted"):
        uow.session.delete(uow.session.get(Person, person.id))
        uow.session.flush()
    assert len(crud.list_all(ctx.uow(write=False), E.PEOPLE)) == 1


def test_bulk_update_is_refused(ctx: ServiceContext) -> None:
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Kim"})
    with ctx.uow() as uow, pytest.raises(BypassError, match="bypasses the change log"):
        uow.session.execute(update(Person).values(role="x"))
    assert crud.list_all(ctx.uow(write=False), E.PEOPLE)[0].role == ""


def test_rolled_back_unit_of_work_writes_nothing(ctx: ServiceContext) -> None:
    with ctx.uow() as uow:
        crud.add(uow, E.PEOPLE, {"name": "Never saved"})
        # no commit
    assert crud.list_all(ctx.uow(write=False), E.PEOPLE) == []
    assert log(ctx) == []


def test_seq_survives_reopen(tmp_path_factory: pytest.TempPathFactory) -> None:
    from hescb_desktop.services.context import open_context

    where = tmp_path_factory.mktemp("reopen")
    first = open_context(where)
    crud.create(first.uow(), E.PEOPLE, {"name": "A"})
    last_seq, last_hlc = max(r.seq for r in log(first)), max(r.hlc for r in log(first))
    first.close()
    second = open_context(where)
    assert second.device_id == first.device_id and not second.new_device
    crud.create(second.uow(), E.PEOPLE, {"name": "B"})
    new = [r for r in log(second) if r.seq > last_seq]
    assert new and min(r.seq for r in new) == last_seq + 1
    assert min(r.hlc for r in new) > last_hlc
    with second.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    second.close()


def test_one_commit_shares_one_tx(ctx: ServiceContext) -> None:
    with ctx.uow() as uow:
        crud.add(uow, E.PEOPLE, {"name": "One"})
        crud.add(uow, E.PEOPLE, {"name": "Two"})
        uow.commit()
    crud.create(ctx.uow(), E.PEOPLE, {"name": "Three"})
    rows = log(ctx)
    txs = sorted({r.tx for r in rows})
    assert len(txs) == 2
    assert txs[0] == 1
    assert all(r.tx <= r.seq for r in rows)
    assert {r.row_id for r in rows if r.tx == txs[1]} == {rows[-1].row_id}


def test_grouped_fields_are_logged_together(ctx: ServiceContext) -> None:
    ev = crud.create(
        ctx.uow(),
        E.EVENTS,
        {
            "summary": "Board",
            "start_utc": "2026-05-01T09:00:00+00:00",
            "end_utc": "2026-05-01T10:00:00+00:00",
        },
    ).value
    crud.update(ctx.uow(), E.EVENTS, ev.id, {"end_utc": "2026-05-01T11:00:00+00:00"})
    changed = {r.column_name for r in log(ctx) if r.prev_hlc is not None}
    times = {"start_utc", "end_utc", "all_day", "timezone", "rrule", "rdates"}
    derived = {"long_span", "until_utc"}  # the calendar's window columns (issue 5)
    assert changed == times | derived | {"updated_at", "updated_by"}
    crud.update(ctx.uow(), E.EVENTS, ev.id, {"summary": "HESCB"})
    last_tx = log(ctx)[-1].tx
    assert {r.column_name for r in log(ctx) if r.tx == last_tx} == {
        "summary",
        "updated_at",
        "updated_by",
    }


def test_an_edit_on_top_of_a_value_stamped_far_ahead_wins_without_dragging_the_clock(
    ctx: ServiceContext,
) -> None:
    """A value stamped in 2099 (a board poisoned before the clock bound): editing it must win
    over it (prev + 1), but this PC's clock (hlc_last, the clock's last) stays within its wall
    clock + the bound, so its next edits of other records are dated now, not in 2099."""
    from hescb_desktop.storage.journal import LocalState
    from hescb_desktop.sync.hlc import ceiling, pack, wall_ms

    first = crud.create(ctx.uow(), E.PEOPLE, {"name": "Sam Patel", "role": "DCFO"}).value
    other = crud.create(ctx.uow(), E.PEOPLE, {"name": "Ali Khan", "role": "CFO"}).value
    far = pack(4_070_908_800_000, 0)  # 2099-01-01
    with ctx.engine.begin() as conn:  # as a merge before the bound stored it
        conn.execute(
            text("UPDATE change_log SET hlc = :far WHERE row_id = :r AND column_name = 'role'"),
            {"far": far, "r": first.id},
        )
    crud.update(ctx.uow(), E.PEOPLE, first.id, {"role": "Chief Fire Officer"})
    edit = [r for r in log(ctx) if r.row_id == first.id and r.column_name == "role"][-1]
    assert edit.hlc > far and edit.prev_hlc == far  # sorts after the value it replaced
    with ctx.engine.connect() as conn:
        last = int(
            conn.execute(select(LocalState.value).where(LocalState.key == "hlc_last")).scalar_one()
        )
    assert last <= ceiling(wall_ms())
    assert ctx.clock.last <= ceiling(wall_ms())
    crud.update(ctx.uow(), E.PEOPLE, other.id, {"role": "ACFO"})
    later = [r for r in log(ctx) if r.row_id == other.id and r.column_name == "role"][-1]
    assert later.hlc <= ceiling(wall_ms())
