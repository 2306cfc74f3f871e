"""This PC's user settings (display name, organisation, share folder). Kept in the local
database's unsynced `local_state`, so the GUI and the command line see the same values."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.storage.identity import identity_changed
from hescb_desktop.storage.journal import LocalState
from hescb_desktop.storage.uow import UnitOfWork

_KEYS = {
    "display_name": "display_name",
    "organisation_code": "organisation_code",
    "share_folder": "share_folder",
    "first_run_choice": "first_run_choice",
}


@dataclass(frozen=True)
class UserSettings:
    display_name: str = ""
    organisation_code: str = ""
    share_folder: str = ""
    first_run_choice: str = ""  # "", "demo", "empty" or "join": "" means first run not done


def load_settings(uow: UnitOfWork) -> UserSettings:
    with uow:
        rows = dict(uow.session.execute(select(LocalState.key, LocalState.value)).all())
    return UserSettings(**{field: rows.get(key, "") for field, key in _KEYS.items()})


def save_settings(uow: UnitOfWork, settings: UserSettings) -> UserSettings:
    if len(settings.display_name) > 120:
        raise ValidationError("display name: at most 120 characters")
    if settings.first_run_choice not in ("", "demo", "empty", "join"):
        raise ValidationError(f"unknown first-run choice {settings.first_run_choice!r}")
    with uow:
        for field, key in _KEYS.items():
            value = str(getattr(settings, field))
            stmt = sqlite_insert(LocalState).values(key=key, value=value)
            uow.session.execute(
                stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value})
            )
        uow.commit()
    identity_changed(uow.engine)  # the display name: who changes are recorded as, unprotected
    return settings
