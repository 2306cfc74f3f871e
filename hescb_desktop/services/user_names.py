"""Who a change or a row names, as a person's name (issue 15).

On a protected board every change records its person's id (`ServiceContext.user`), and so do a
row's `created_by` / `updated_by`; before, they held the name typed in Settings. Whatever shows
them to a person shows a name: the board's name for a person id, the text as recorded otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hescb_desktop.storage.models import Person


def user_names(session: Session) -> Callable[[str | None], str]:
    names: dict[str, str] = {
        pid: name for pid, name in session.execute(select(Person.id, Person.name))
    }

    def name(user: str | None) -> str:
        return names.get(user or "", user or "")

    return name
