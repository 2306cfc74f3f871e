"""Who uses the demo board, in which role (issue 15): the demo's people carry a board role.

Every named member of staff of the demo (`people.STAFF`) is a user of the board: the executive
suite is the secretariat, chief officers and their staff are officers (two staff officers act
for their chiefs), and two readers are viewers. The generated extra people are directory
entries only (people the board writes about, who never open the app).

When the demo is built the mapping is kept in this PC's `local_state` (never synced), with the
flag that marks the database as the demo: `demo_board` = "1", `demo_people` = JSON
[{"id", "role", "acts_for": [ids]}] and `demo_me` (the programme manager, secretariat: the
person the PC's own account is when the demo is protected), read by `services.who` to offer
"View as…".
"""

from __future__ import annotations

import json

from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.permissions import Role
from hescb_desktop.services.demo.base import Demo
from hescb_desktop.services.demo.people import ME
from hescb_desktop.services.who import DEMO_FLAG, DEMO_ME, DEMO_PEOPLE
from hescb_desktop.storage.journal import LocalState
from hescb_desktop.storage.uow import UnitOfWork

SECRETARIAT, OFFICER, VIEWER = Role.SECRETARIAT, Role.OFFICER, Role.VIEWER

# person key (people.STAFF) -> (board role, the keys of the principals they act for)
BOARD_ROLES: dict[str, tuple[Role, tuple[str, ...]]] = {
    # the executive suite runs the board
    "secretary": (SECRETARIAT, ()),
    "progmgr": (SECRETARIAT, ()),
    "suite": (SECRETARIAT, ()),
    # chief officers and the heads who own actions and book the diary
    "cc": (OFFICER, ()),
    "dcc": (OFFICER, ()),
    "acc": (OFFICER, ()),
    "dsupt": (OFFICER, ()),
    "estates": (OFFICER, ()),
    "ict": (OFFICER, ()),
    "cfo": (OFFICER, ()),
    "dcfo": (OFFICER, ()),
    "acfo": (OFFICER, ()),
    "training": (OFFICER, ()),
    "drone": (OFFICER, ()),
    "dcp": (OFFICER, ()),
    "safeguarding": (OFFICER, ()),
    "property": (OFFICER, ()),
    "pcc": (OFFICER, ()),
    "opcc_ce": (OFFICER, ()),
    "policy": (OFFICER, ()),
    # staff officers, acting for their chiefs
    "cfo_so": (OFFICER, ("cfo",)),
    "cc_so": (OFFICER, ("cc",)),
    # they read the board (information governance, finance scrutiny)
    "infogov": (VIEWER, ()),
    "opcc_cfo": (VIEWER, ()),
}


def board_people(demo: Demo) -> list[dict[str, object]]:
    """The demo's users as stored: person id, role, the ids of the principals they act for."""
    return [
        {
            "id": demo.person(key).id,
            "role": role.value,
            "acts_for": [demo.person(p).id for p in acts_for],
        }
        for key, (role, acts_for) in BOARD_ROLES.items()
    ]


def mark_demo(demo: Demo, uow: UnitOfWork) -> None:
    """Mark this database as the demo board and keep who uses it in which role."""
    values = {
        DEMO_FLAG: "1",
        DEMO_PEOPLE: json.dumps(board_people(demo)),
        DEMO_ME: demo.person(ME).id,
    }
    with uow:
        for key, value in values.items():
            stmt = sqlite_insert(LocalState).values(key=key, value=value)
            uow.session.execute(
                stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value})
            )
        uow.commit()
