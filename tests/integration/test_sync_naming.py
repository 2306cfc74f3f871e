"""What the app's sync views ask of the services: records named, references followed, PCs named,
grouped fields resolved together, and the demo guard asked before a round."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.settings import UserSettings, save_settings


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


def pc(tmp_path: Path, name: str, user: str, choice: str = "") -> ServiceContext:
    ctx = open_context(tmp_path / name)
    save_settings(ctx.uow(), UserSettings(display_name=user, first_run_choice=choice))
    return ctx


def test_records_are_named_as_people_name_them(tmp_path: Path) -> None:
    a = pc(tmp_path, "a", "Alice")
    sam = crud.create(a.uow(), E.PEOPLE, {"name": "Sam Smith"}).value
    action = crud.create(
        a.uow(),
        E.ACTIONS,
        {
            "description": "Agree the joint estates plan\nwith the detail below",
            "reference": "HESCB/2026/014",
            "ref_year": 2026,
            "ref_number": 14,
            "raised_on": "2026-03-12",
            "owner_id": sam.id,
        },
    ).value
    assert sync_service.describe_record(a, "people", sam.id) == "Person: Sam Smith"
    assert (
        sync_service.describe_record(a, "actions", action.id)
        == "Action: HESCB/2026/014 — Agree the joint estates plan"
    )
    assert sync_service.describe_value(a, "actions", "owner_id", sam.id) == "Sam Smith"
    assert sync_service.describe_value(a, "actions", "description", "x") is None
    assert sync_service.describe_value(a, "actions", "owner_id", None) is None
    crud.delete(a.uow(), E.PEOPLE, sam.id)
    assert sync_service.describe_record(a, "people", sam.id) == "Person: Sam Smith (deleted)"
    gone = "01a212e7-bd3b-758b-a7f2-54dc072988b9"
    assert sync_service.describe_record(a, "people", gone) == "Person: 072988b9"
    assert sync_service.describe_record(a, "no_such_table", gone) == "no_such_table: 072988b9"
    a.close()


def test_pcs_are_named_from_this_pcs_point_of_view(tmp_path: Path, share: Path) -> None:
    a, b = pc(tmp_path, "a", "Alice"), pc(tmp_path, "b", "Bob")
    crud.create(b.uow(), E.PEOPLE, {"name": "Sam"})
    sync_service.run_sync(b, share)
    sync_service.run_sync(a, share)
    names = sync_service.device_names(a)
    assert names[a.device_id].startswith("this PC")
    assert names[b.device_id] == f"PC {b.device_id[-8:]}"
    assert names[a.device_id] == "this PC"
    a.close()
    b.close()


def test_fields_that_belong_together_are_resolved_together(tmp_path: Path, share: Path) -> None:
    a, b = pc(tmp_path, "a", "Alice"), pc(tmp_path, "b", "Bob")
    start = datetime(2026, 3, 12, 10, tzinfo=UTC)
    event = crud.create(
        a.uow(),
        E.EVENTS,
        {"summary": "Board", "start_utc": start, "end_utc": start + timedelta(hours=1)},
    ).value
    sync_service.run_sync(a, share)
    sync_service.run_sync(b, share)
    later = start + timedelta(days=1)
    crud.update(
        a.uow(), E.EVENTS, event.id, {"start_utc": later, "end_utc": later + timedelta(hours=2)}
    )
    crud.update(
        b.uow(), E.EVENTS, event.id, {"start_utc": start, "end_utc": start + timedelta(hours=3)}
    )
    sync_service.run_sync(a, share)
    sync_service.run_sync(b, share)
    conflicts = sync_service.list_conflicts(b)
    assert {c.column for c in conflicts} >= {"start_utc", "end_utc"}
    alice, bob = (later, later + timedelta(hours=2)), (start, start + timedelta(hours=3))
    before = crud.get(b.uow(write=False), E.EVENTS, event.id)
    kept = (before.start_utc, before.end_utc)
    assert kept in (alice, bob)
    first = next(c for c in conflicts if c.column == "start_utc")
    sync_service.resolve_conflict(b, first.id, use_other=True)
    assert not [c for c in sync_service.list_conflicts(b) if c.column in ("start_utc", "end_utc")]
    after = crud.get(b.uow(write=False), E.EVENTS, event.id)
    # the start and end that lost come back together: never one PC's start with the other's end
    assert (after.start_utc, after.end_utc) == (bob if kept == alice else alice)
    a.close()
    b.close()


def test_the_demo_guard_can_be_asked_before_a_round(tmp_path: Path, share: Path) -> None:
    real = pc(tmp_path, "real", "Alice")
    demo = pc(tmp_path, "demo", "Demo user", choice="demo")
    assert not sync_service.demo_blocks_share(demo, share)  # nothing on the share yet
    crud.create(real.uow(), E.PEOPLE, {"name": "Real person"})
    sync_service.run_sync(real, share)
    assert sync_service.demo_blocks_share(demo, share)
    assert not sync_service.demo_blocks_share(real, share)
    with pytest.raises(sync_service.ValidationError, match="demo board"):
        sync_service.run_sync(demo, share)
    real.close()
    demo.close()
