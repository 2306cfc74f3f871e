"""The sync services the app and the command line use: conflicts, history, joining a share."""

from __future__ import annotations

from pathlib import Path

import pytest

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.services.context import ServiceContext, open_context
from hescb_desktop.services.settings import UserSettings, load_settings, save_settings


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


def pc(tmp_path: Path, name: str, user: str) -> ServiceContext:
    ctx = open_context(tmp_path / name)
    save_settings(ctx.uow(), UserSettings(display_name=user))
    return ctx


def test_conflict_listed_then_the_other_value_brought_back(tmp_path: Path, share: Path) -> None:
    a, b = pc(tmp_path, "a", "Alice (HC)"), pc(tmp_path, "b", "Bob (HFRS)")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    sync_service.run_sync(a, share)
    sync_service.run_sync(b, share)
    crud.update(a.uow(), E.PEOPLE, person.id, {"role": "Chief Fire Officer"})
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "Deputy Chief Fire Officer"})
    sync_service.run_sync(a, share)
    sync_service.run_sync(b, share)
    conflicts = sync_service.list_conflicts(b)
    assert len(conflicts) == 1
    row = conflicts[0]
    assert row.column == "role"
    assert {row.kept_user, row.lost_user} == {"Alice (HC)", "Bob (HFRS)"}
    sync_service.resolve_conflict(b, row.id, use_other=True)
    assert crud.get(b.uow(write=False), E.PEOPLE, person.id).role == row.lost_value
    assert sync_service.list_conflicts(b) == []
    sync_service.run_sync(b, share)
    sync_service.run_sync(a, share)
    assert crud.get(a.uow(write=False), E.PEOPLE, person.id).role == row.lost_value
    status = sync_service.sync_status(b, str(share))
    assert status.last_synced is not None
    assert status.pending == 0
    assert status.peers == 1


def test_restore_a_record_another_pc_deleted(tmp_path: Path, share: Path) -> None:
    a, b = pc(tmp_path, "a", "Alice"), pc(tmp_path, "b", "Bob")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    sync_service.run_sync(a, share)
    sync_service.run_sync(b, share)
    crud.delete(a.uow(), E.PEOPLE, person.id)
    crud.update(b.uow(), E.PEOPLE, person.id, {"email": "sam@herts.example"})
    sync_service.run_sync(b, share)
    sync_service.run_sync(a, share)
    (conflict,) = sync_service.list_conflicts(a)
    assert conflict.kind == "deleted"
    sync_service.resolve_conflict(a, conflict.id, use_other=True)
    restored = crud.get(a.uow(write=False), E.PEOPLE, person.id)
    assert restored.email == "sam@herts.example"
    assert not restored.deleted


def test_history_names_who_changed_what_from_which_pc(tmp_path: Path, share: Path) -> None:
    a, b = pc(tmp_path, "a", "Alice"), pc(tmp_path, "b", "Bob")
    person = crud.create(a.uow(), E.PEOPLE, {"name": "Sam"}).value
    sync_service.run_sync(a, share)
    sync_service.run_sync(b, share)
    crud.update(b.uow(), E.PEOPLE, person.id, {"role": "Head of Estates"})
    sync_service.run_sync(b, share)
    sync_service.run_sync(a, share)
    rows = sync_service.history(a, "people", person.id)
    role = [r for r in rows if r.column == "role"]
    assert [r.value for r in role] == ["", "Head of Estates"]
    assert role[0].user == "Alice"
    assert role[0].device.startswith("this PC")
    assert role[1].user == "Bob"
    assert role[1].device.startswith("PC ")
    assert [r.at for r in rows] == sorted(r.at for r in rows)


def test_demo_is_never_published_onto_a_share_with_data(tmp_path: Path, share: Path) -> None:
    real = pc(tmp_path, "real", "Alice")
    crud.create(real.uow(), E.PEOPLE, {"name": "Real person"})
    sync_service.run_sync(real, share)
    demo = pc(tmp_path, "demo", "Demo user")
    crud.create(demo.uow(), E.PEOPLE, {"name": "Demo person"})
    save_settings(demo.uow(), UserSettings(display_name="Demo user", first_run_choice="demo"))
    with pytest.raises(ValidationError, match="demo board"):
        sync_service.run_sync(demo, share)
    with pytest.raises(ValidationError, match="discard it"):
        sync_service.join_share(demo, share, discard_demo=False)
    segments = list(share.rglob("*.jsonl"))
    joined = sync_service.join_share(demo, share, discard_demo=True)
    names = {p.name for p in crud.list_all(joined.uow(write=False), E.PEOPLE)}
    assert names == {"Real person"}
    sync_service.run_sync(joined, share)
    assert not any(b"Demo person" in p.read_bytes() for p in share.rglob("*.jsonl"))
    assert len(list(share.rglob("*.jsonl"))) >= len(segments)
    settings = load_settings(joined.uow(write=False))
    assert settings.share_folder == str(share)
    assert settings.first_run_choice == "join"
    assert any((tmp_path / "demo").glob("hescb.sqlite.demo-*"))  # set aside, not destroyed
    joined.close()
    real.close()


def test_joining_keeps_what_this_pc_typed(tmp_path: Path, share: Path) -> None:
    a = pc(tmp_path, "a", "Alice")
    crud.create(a.uow(), E.PEOPLE, {"name": "On the share"})
    sync_service.run_sync(a, share)
    b = pc(tmp_path, "b", "Bob")
    crud.create(b.uow(), E.PEOPLE, {"name": "Typed on B before joining"})
    joined = sync_service.join_share(b, share, discard_demo=False)
    names = {p.name for p in crud.list_all(joined.uow(write=False), E.PEOPLE)}
    assert names == {"On the share", "Typed on B before joining"}
    assert load_settings(joined.uow(write=False)).display_name == "Bob"
    joined.close()
    a.close()
