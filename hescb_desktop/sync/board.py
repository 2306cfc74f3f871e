"""Which board's share this PC belongs to: the board id it remembers (`local_state`).

A PC remembers the board id of its share when it founds or joins it, or on its first round with
a share that has one. From then on a folder without the share's FORMAT, or with another board
id, is a share that is unavailable (not mounted, moved away), never a new share to write into.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from hescb_desktop.storage.engine import writer
from hescb_desktop.storage.journal import LocalState
from hescb_desktop.sync.merger import put_state
from hescb_desktop.sync.share import Share

BOARD_KEY = "share_board_id"


def remembered_board(engine: Engine) -> str | None:
    with engine.connect() as conn:
        value = conn.scalar(select(LocalState.value).where(LocalState.key == BOARD_KEY))
    return str(value) if value else None


def remember_board(engine: Engine, board_id: str) -> None:
    with writer(engine).begin() as conn:
        put_state(conn, BOARD_KEY, board_id)


def identify_share(engine: Engine, share: Share) -> Share:
    """The share, checked to be this PC's board's (founded if this PC belongs to none yet);
    raises ShareError when it is not. Remembers the board id the first time."""
    remembered = remembered_board(engine)
    found = share.identify(remembered)
    if found.board_id is not None and found.board_id != remembered:
        remember_board(engine, found.board_id)
    return found
