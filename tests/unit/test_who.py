"""Who is at the keyboard (issue 15, points 1 and 7): the demo's people in every role, the demo
(and only the demo) opened as any of them, and a protected demo as `init --demo` makes it.

The small demo is built once into a real SQLite file; each test opens its own copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Kind, NotAllowedError, Operation, Role
from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services import crud
from hescb_desktop.services.context import ServiceContext, memory_context, open_context
from hescb_desktop.services.demo import build_demo
from hescb_desktop.services.demo.people import STAFF
from hescb_desktop.services.demo.roles import BOARD_ROLES
from hescb_desktop.services.entities import PEOPLE
from hescb_desktop.services.who import (
    demo_people,
    is_demo_board,
    pc_fingerprint,
    protect_demo,
    view_as,
    who,
)
from hescb_desktop.storage.device import read_state
from hescb_desktop.storage.identity import write_identity
from hescb_desktop.sync import pc_key
from hescb_desktop.sync.board import remember_board
from hescb_desktop.sync.signing import fingerprint, public_bytes

ACCOUNT = "HERTS\\jtester"


@pytest.fixture(autouse=True)
def account(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HESCB_TEST_ACCOUNT", ACCOUNT)
    return ACCOUNT


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    context = open_context(folder)
    build_demo(context, today=date.today())
    context.close()
    return folder


@pytest.fixture
def demo(template: Path, tmp_path: Path) -> Iterator[ServiceContext]:
    folder = tmp_path / "demo"
    folder.mkdir()
    shutil.copy2(template / DB_FILENAME, folder / DB_FILENAME)
    context = open_context(folder)
    yield context
    context.close()


def named(ctx: ServiceContext, name: str) -> str:
    return next(p.person_id for p in demo_people(ctx) if p.name == name)


def test_the_demo_has_people_in_every_role(demo: ServiceContext) -> None:
    people = demo_people(demo)
    by_role = {role: [p.name for p in people if p.role is role] for role in Role}
    assert len(by_role[Role.SECRETARIAT]) >= 3
    assert {"Claire Whitmore", "Tom Haldane"} <= set(by_role[Role.SECRETARIAT])
    assert {"Rebecca Thornbury", "Alastair Wren"} <= set(by_role[Role.OFFICER])  # the chiefs
    assert by_role[Role.VIEWER]
    staff_officers = {p.name: [a.title for a in p.acts_for] for p in people if p.acts_for}
    assert staff_officers == {
        "Jasmin Patel": ["Chief Fire Officer"],
        "Mark Ellison": ["Chief Constable"],
    }
    assert [p.role for p in people] == sorted((p.role for p in people), key=list(Role).index)


def test_every_named_member_of_staff_has_a_board_role() -> None:
    assert set(BOARD_ROLES) == {key for key, *_ in STAFF}
    keys = {key for key, *_ in STAFF}
    assert all(set(acts_for) <= keys for _, acts_for in BOARD_ROLES.values())


def test_a_demo_is_left_unprotected_unless_asked(demo: ServiceContext) -> None:
    assert demo.identity.protected is False
    assert who(demo).name == "Tom Haldane"  # the name its changes are recorded under
    memory = memory_context()
    build_demo(memory, today=date.today())
    assert memory.identity.protected is False
    assert memory.user == "Tom Haldane"


def test_view_as_changes_who_is_at_the_keyboard(demo: ServiceContext) -> None:
    patel, wren = named(demo, "Jasmin Patel"), named(demo, "Alastair Wren")
    identity = view_as(demo, patel)
    assert identity == demo.identity
    assert (identity.person_id, identity.name, identity.role) == (
        patel,
        "Jasmin Patel",
        Role.OFFICER,
    )
    assert identity.acts_for == {wren} and identity.protected and identity.account == ACCOUNT
    assert demo.user == patel  # her changes are recorded as her
    seen = who(demo)
    assert [(p.name, p.title) for p in seen.principals] == [("Alastair Wren", "Chief Fire Officer")]
    assert seen.title == "Staff Officer to the Chief Fire Officer" and seen.demo
    # the rules now apply to her: the chief's diary yes, approving minutes no
    assert identity.may(Operation.EDIT, Kind.CALENDAR_ITEM, wren)
    with pytest.raises(NotAllowedError, match="Only the secretariat may approve minutes"):
        demo.require(Operation.APPROVE, Kind.MINUTE)

    viewer = next(p for p in demo_people(demo) if p.role is Role.VIEWER)
    assert view_as(demo, viewer.person_id).role is Role.VIEWER
    assert demo.identity == who(demo).identity


def test_view_as_keeps_the_root_and_can_be_someone_unknown(demo: ServiceContext) -> None:
    view_as(demo, named(demo, "Claire Whitmore"))
    root = pc_fingerprint(demo)
    stranger = view_as(demo, "")
    assert stranger.protected and stranger.person_id == "" and not stranger.known
    assert stranger.account == ACCOUNT
    assert not who(demo).known
    with pytest.raises(NotAllowedError, match="does not know the account"):
        demo.require(Operation.EDIT, Kind.ACTION)
    assert read_state(demo.engine)["trust_root"] == root  # one key, kept: the same root


def test_view_as_refuses_someone_not_of_the_demo(demo: ServiceContext) -> None:
    """A person of the directory who is not a user of the board (a name on papers)."""
    with demo.uow() as uow:
        visitor = crud.add(uow, PEOPLE, {"name": "Visiting Inspector"}).id
        uow.commit()
    assert visitor in everyone(demo)
    assert visitor not in {p.person_id for p in demo_people(demo)}
    with pytest.raises(ValidationError, match="not one of the demo board's people"):
        view_as(demo, visitor)
    assert demo.identity.protected is False  # nothing written


def test_view_as_is_refused_on_a_real_board(ctx: ServiceContext) -> None:
    """`ctx` (tests/unit/conftest.py) is a real board file that is not the demo."""
    assert not is_demo_board(ctx) and demo_people(ctx) == []
    with pytest.raises(ValidationError, match="only the demo board"):
        view_as(ctx, "")
    assert ctx.identity.protected is False
    write_identity(ctx.engine, "11111 22222 33333 44444 55555 66666", None)
    with pytest.raises(ValidationError, match="only the demo board"):
        view_as(ctx, "")
    assert ctx.identity.person_id == ""  # still the board's own answer


def test_view_as_is_refused_once_the_demo_is_shared(demo: ServiceContext) -> None:
    assert is_demo_board(demo)
    remember_board(demo.engine, "a-share-board-id")  # it founded or joined a share
    assert not is_demo_board(demo) and demo_people(demo) == [] and not who(demo).demo
    with pytest.raises(ValidationError, match="only the demo board"):
        view_as(demo, everyone(demo)[0])


def everyone(ctx: ServiceContext) -> list[str]:
    """Every person id of the board's directory."""
    return [p.id for p in crud.list_all(ctx.uow(write=False), PEOPLE)]


def test_protect_demo_makes_this_account_its_programme_manager(demo: ServiceContext) -> None:
    identity = protect_demo(demo)
    assert (identity.name, identity.role, identity.account) == (
        "Tom Haldane",
        Role.SECRETARIAT,
        ACCOUNT,
    )
    assert identity.protected and demo.user == identity.person_id
    assert demo.db_path is not None
    key = pc_key.load(demo.db_path.parent, demo.device_id)
    assert key is not None  # made in the data dir's file store (tests/conftest.py)
    assert read_state(demo.engine)["trust_root"] == fingerprint(public_bytes(key))
    assert who(demo).demo  # still the demo: View as stays offered
