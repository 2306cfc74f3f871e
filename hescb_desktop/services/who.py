"""Who is at the keyboard, in words the window can show; and the demo opened as any of its people.

`who(ctx)` reads this PC's identity (`ctx.identity`, from the board's signed enrolment) with
the names the board holds: the person, their role, the principals they act for ("for the Chief
Fire Officer"). On a board not yet upgraded (not protected) the person is the name this PC has
recorded changes under since before issue 15 (the old Settings display name, kept readable and
no longer edited).

The demo board (only the demo: `local_state.demo_board` = "1", set when it is built, and never
once it has been shared with other PCs) can be viewed as any of its people (`demo_people`,
`view_as`), so every screen can be tried in every role. `protect_demo` makes it a protected
board whose root is this PC and whose person at the keyboard is the OS account, as one of the
demo's secretariat (what `init --demo` and the app's first-run demo do).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlalchemy import select

from hescb_desktop.domain.dto import PersonDTO
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.permissions import Identity, Role
from hescb_desktop.services import crud
from hescb_desktop.services.context import DEFAULT_USER, ServiceContext
from hescb_desktop.services.entities import ORGANISATIONS, PEOPLE
from hescb_desktop.services.settings import load_settings, save_settings
from hescb_desktop.services.trust import found_demo
from hescb_desktop.storage.device import read_state
from hescb_desktop.storage.identity import os_account, write_identity
from hescb_desktop.storage.journal import SyncPeer
from hescb_desktop.sync import pc_key
from hescb_desktop.sync.board import BOARD_KEY

# local_state keys the demo writes when it is built (services.demo.roles)
DEMO_FLAG = "demo_board"  # "1": this database is the demo board
DEMO_PEOPLE = "demo_people"  # JSON [{"id", "role", "acts_for": [ids]}]
DEMO_ME = "demo_me"  # the person an OS account is on the demo ("" : none)


@dataclass(frozen=True)
class Principal:
    """Someone a staff officer acts for: their name and their post ("Chief Fire Officer")."""

    person_id: str
    name: str
    title: str


@dataclass(frozen=True)
class Who:
    """The person at the keyboard, as the window shows them."""

    identity: Identity
    name: str  # the person's name; on a board not protected, the name changes are recorded as
    title: str  # their post on the board's directory ("" if none)
    principals: tuple[Principal, ...]
    demo: bool  # this is the demo board: it may be viewed as any of its people

    @property
    def protected(self) -> bool:
        return self.identity.protected

    @property
    def known(self) -> bool:
        """False only on a protected board that does not know this PC's account."""
        return self.identity.known

    @property
    def account(self) -> str:
        return self.identity.account or os_account()


@dataclass(frozen=True)
class DemoPerson:
    """One of the demo board's users, offered by "View as…"."""

    person_id: str
    name: str
    title: str
    role: Role
    acts_for: tuple[Principal, ...]
    organisation_code: str = ""


def who(ctx: ServiceContext) -> Who:
    state = read_state(ctx.engine)
    identity = ctx.identity
    wanted = {identity.person_id, *identity.acts_for} - {""}
    people = _people(ctx, wanted) if wanted else {}
    if identity.protected:
        person = people.get(identity.person_id)
        name = identity.name or (person.name if person else "")
        title = person.role if person else ""
    else:
        name, title = state.get("display_name", "").strip() or DEFAULT_USER, ""
    principals = tuple(_principal(p, people) for p in sorted(identity.acts_for))
    return Who(identity, name, title, principals, _is_demo(ctx, state))


def is_demo_board(ctx: ServiceContext) -> bool:
    """The demo board, not yet shared with other PCs: it may be viewed as any of its people."""
    return _is_demo(ctx, read_state(ctx.engine))


def demo_people(ctx: ServiceContext) -> list[DemoPerson]:
    """The demo's users with their roles, secretariat first; [] on any other board."""
    state = read_state(ctx.engine)
    if not _is_demo(ctx, state):
        return []
    people = _people(ctx)
    codes = {o.id: o.code for o in crud.list_all(ctx.uow(write=False), ORGANISATIONS)}
    found = []
    for entry in json.loads(state.get(DEMO_PEOPLE, "") or "[]"):
        person = people.get(str(entry.get("id", "")))
        if person is None or person.deleted:
            continue  # removed from the demo's directory since: not offered
        acts_for = tuple(_principal(str(p), people) for p in entry.get("acts_for", ()))
        role = Role(entry.get("role", Role.VIEWER.value))
        code = codes.get(person.organisation_id or "", "")
        found.append(DemoPerson(person.id, person.name, person.role, role, acts_for, code))
    order = list(Role)
    return sorted(found, key=lambda p: (order.index(p.role), p.name))


def view_as(ctx: ServiceContext, person_id: str) -> Identity:
    """Open the demo as one of its people ("" : as an account the board does not know), in
    their organisation (the Settings' organisation follows them). Refused (ValidationError) on
    any board but the demo: there the person comes from this PC's enrolment, never from a
    choice in the app."""
    state = read_state(ctx.engine)
    if not _is_demo(ctx, state):
        raise ValidationError(_REFUSED)
    root = state.get("trust_root", "") or pc_fingerprint(ctx)
    if not person_id:
        write_identity(ctx.engine, root, None)
        return ctx.identity
    chosen = next((p for p in demo_people(ctx) if p.person_id == person_id), None)
    if chosen is None:
        raise ValidationError("that person is not one of the demo board's people")
    write_identity(ctx.engine, root, _identity(chosen))
    if chosen.organisation_code:
        settings = load_settings(ctx.uow(write=False))
        save_settings(ctx.uow(), replace(settings, organisation_code=chosen.organisation_code))
    return ctx.identity


def protect_demo(ctx: ServiceContext) -> Identity:
    """The demo made a protected board: this PC its root, this OS account one of its
    secretariat (the programme manager, whose name the demo's Settings always carried)."""
    me = read_state(ctx.engine).get(DEMO_ME, "")
    people = demo_people(ctx)
    person = next((p for p in people if p.person_id == me), None)
    if person is None:
        raise ValidationError("this is not a demo board (or its programme manager was removed)")
    # the same signed statements a real board has: its root (this PC, the programme manager)
    # and every demo person's role, so the audit, `people` and the merge see the same roles
    found_demo(
        ctx,
        person.person_id,
        person.name,
        [(p.person_id, p.name, p.role.value, [a.person_id for a in p.acts_for]) for p in people],
    )
    write_identity(ctx.engine, ctx.fingerprint, _identity(person))
    return ctx.identity


def pc_fingerprint(ctx: ServiceContext) -> str:
    """This PC's key's fingerprint (made on first use; ServiceContext.pc_key: an in-memory
    board's key lasts the session)."""
    try:
        return ctx.fingerprint
    except pc_key.KeyStoreError as exc:
        raise ValidationError(str(exc)) from exc


_REFUSED = (
    "only the demo board can be viewed as another person: on a real board who you are comes "
    "from this PC's enrolment"
)


def _is_demo(ctx: ServiceContext, state: dict[str, str]) -> bool:
    """The demo flag, on a board never shared: a PC remembers the share's board id when it
    founds, joins or first syncs with a share (sync.board), and peers once it has merged."""
    if state.get(DEMO_FLAG) != "1" or state.get(BOARD_KEY):
        return False
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(select(SyncPeer.device_id).limit(1)) is None


def _identity(person: DemoPerson) -> Identity:
    return Identity(
        person_id=person.person_id,
        name=person.name,
        role=person.role,
        account=os_account(),
        acts_for=frozenset(p.person_id for p in person.acts_for),
    )


def _people(ctx: ServiceContext, ids: set[str] | None = None) -> dict[str, PersonDTO]:
    where = PEOPLE.model.id.in_(sorted(ids)) if ids is not None else None
    rows = crud.list_all(ctx.uow(write=False), PEOPLE, include_deleted=True, where=where)
    return {p.id: p for p in rows}


def _principal(person_id: str, people: dict[str, PersonDTO]) -> Principal:
    person = people.get(person_id)
    if person is None:
        return Principal(person_id, "", "")
    return Principal(person_id, person.name, person.role)
