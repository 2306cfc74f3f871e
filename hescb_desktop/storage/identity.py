"""This PC's person, as the board's signed enrolment says, kept in `local_state` (issue 15).

The trust layer (`sync/trust.py`) works out who this PC's key belongs to from the signed
statements on the share (or, on the board's root PC, from its own founding statement) and writes
it here; the services read it for every check. Keys:

    trust_root        the board's root fingerprint this PC pinned ("" or absent: not protected)
    trust_person_id   the person this PC's key is enrolled for ("" : not enrolled yet)
    trust_person_name their name as the board has it
    trust_role        secretariat / officer / viewer
    trust_acts_for    the principals (person ids, comma-separated) they act for
    trust_account     the operating-system account of this PC's user
"""

from __future__ import annotations

import getpass
import os
import sys

from sqlalchemy import Engine
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.permissions import UNPROTECTED, Identity, Role
from hescb_desktop.storage.device import read_state
from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import LocalState

KEYS = (
    "trust_root",
    "trust_person_id",
    "trust_person_name",
    "trust_role",
    "trust_acts_for",
    "trust_account",
)


def os_account() -> str:
    """The operating-system account at the keyboard: DOMAIN\\user on Windows, the login name
    elsewhere (`getpass.getuser()`). HESCB_TEST_ACCOUNT names another, for tests that run
    several PCs as one OS user (it changes only the name offered on enrolment: what a PC may do
    follows its key's signed certificate, never this name)."""
    given = os.environ.get("HESCB_TEST_ACCOUNT", "").strip()
    if given:
        return given
    if sys.platform == "win32":  # exercised on Windows only
        domain = os.environ.get("USERDOMAIN", "")
        user = os.environ.get("USERNAME", "") or getpass.getuser()
        return f"{domain}\\{user}" if domain else user
    return getpass.getuser()


def identity_from_state(state: dict[str, str]) -> Identity:
    if not state.get("trust_root"):
        return UNPROTECTED
    try:
        role = Role(state.get("trust_role", "") or "viewer")
    except ValueError:
        role = Role.VIEWER
    person = state.get("trust_person_id", "")
    return Identity(
        person_id=person,
        name=state.get("trust_person_name", ""),
        role=role if person else Role.VIEWER,
        account=state.get("trust_account", "") or os_account(),
        acts_for=frozenset(p for p in state.get("trust_acts_for", "").split(",") if p),
    )


# Who is at the keyboard changes only through write_identity (enrolment, a role set, the demo's
# View as) and the settings' display name: each says so here, so a context may keep what it read
# (one connection fewer for every unit of work) until the generation of its database moves on.
_generations: dict[str, int] = {}


def identity_generation(engine: Engine) -> int:
    return _generations.get(str(engine.url), 0)


def identity_changed(engine: Engine) -> None:
    key = str(engine.url)
    _generations[key] = _generations.get(key, 0) + 1


def read_identity(engine: Engine) -> Identity:
    return identity_from_state(read_state(engine))


def write_identity(engine: Engine, root: str, identity: Identity | None) -> None:
    """Remember the pinned root and who this PC's key is enrolled for (None: not enrolled)."""
    values = {
        "trust_root": root,
        "trust_person_id": identity.person_id if identity else "",
        "trust_person_name": identity.name if identity else "",
        "trust_role": identity.role.value if identity else Role.VIEWER.value,
        "trust_acts_for": ",".join(sorted(identity.acts_for)) if identity else "",
        "trust_account": identity.account if identity and identity.account else os_account(),
    }
    with writer(engine).begin() as conn:
        for key, value in values.items():
            stmt = sqlite_insert(LocalState).values(key=key, value=value)
            conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
    identity_changed(engine)
