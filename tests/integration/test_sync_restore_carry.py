"""A PC restarted from the share's snapshot carries its own later changes (issue 13, found while
trying `recover` as a user): some build on rows another PC made after the snapshot. Before,
the restore refused them all ("NOT NULL constraint failed") and the PC could not be restored
until the next day's snapshot; now they wait in change_log and apply when the row arrives."""

from __future__ import annotations

from sync_office import Office, content

from hescb_desktop.services import crud
from hescb_desktop.services import entities as E
from hescb_desktop.services import sync as sync_service
from hescb_desktop.sync.snapshot import newest_snapshot


def test_own_changes_to_rows_made_after_the_snapshot_survive_a_restore(office: Office) -> None:
    a, b = office.pc("a"), office.pc("b")
    crud.create(a.uow(), E.PEOPLE, {"name": "In the snapshot"})
    office.sync("a")  # the first round publishes the share's snapshot
    snapshot = newest_snapshot(office.share)
    assert snapshot is not None
    later = crud.create(a.uow(), E.PEOPLE, {"name": "Made after it"}).value
    office.sync("a")
    office.sync("b")
    crud.update(b.uow(), E.PEOPLE, later.id, {"role": "Sent from B"})  # on a's new row
    office.sync("b")
    crud.update(b.uow(), E.PEOPLE, later.id, {"email": "unsent@example.org"})  # not sent yet
    assert newest_snapshot(office.share) == snapshot  # the restore starts before a's new row

    office.pcs.pop("b")
    restored = sync_service.join_share(b, office.share.folder, discard_demo=False)
    office.pcs["b"] = restored
    office.settle()

    person = crud.get(restored.uow(write=False), E.PEOPLE, later.id)
    assert (person.role, person.email) == ("Sent from B", "unsent@example.org")
    assert content(restored) == content(a)
    assert crud.get(a.uow(write=False), E.PEOPLE, later.id).email == "unsent@example.org"
