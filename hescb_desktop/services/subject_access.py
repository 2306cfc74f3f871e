"""Subject access (issue 16, point 6): everything the board holds about one person, for a
subject access request (UK GDPR, Article 15), as one PDF and one JSON bundle.

A record is about the person when a reference names them (an action's owner, an agenda item's
presenter, an attendee, a declaration, an objective's SRO, a meeting's chair or clerk, ...: every
synced column that refers to `people`), when they recorded or last changed it (on a protected
board `created_by`, `updated_by` and `deleted_by` are person ids), or when its text names them
(their name, whole, in any text field). Records deleted (tombstoned) are included and said so:
the board still holds them.

A restricted record (`services.restrict`) is included only for a secretariat member whose PC
reads it; otherwise it is counted, with its public title and readership, as withheld, so the
person answering the request knows to ask a reader. Only the secretariat makes a bundle.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, text

from hescb_desktop.domain.enums import Marking
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Kind, Operation, Role
from hescb_desktop.domain.restriction import CONTENT_COLUMNS, RESTRICTABLE
from hescb_desktop.domain.subject_access import SubjectAccess, SubjectRecord, Withheld
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import ALL, BY_TABLE
from hescb_desktop.storage.base import Base
from hescb_desktop.storage.models import Person
from hescb_desktop.storage.restricted import held_keys, restricted_rows

_SKIP = frozenset({"id", "deleted_at", "deleted_by", "created_at", "updated_at"})
_WHO = ("created_by", "updated_by", "deleted_by")
_WHO_SAYS = {
    "created_by": "recorded it",
    "updated_by": "last changed it",
    "deleted_by": "deleted it",
}
_TEXT_TYPES = ("VARCHAR", "TEXT")
_NOT_ABOUT_PEOPLE = frozenset(
    {"attachment_blobs", "sealed_keys", "pc_box_keys", "readerships", "conflict_resolutions"}
)


def _kind(table: str) -> str:
    return RESTRICTABLE.get(table) or BY_TABLE[table].label


def _person_columns(table: Table) -> list[str]:
    return [
        c.name
        for c in table.columns
        if any(fk.column.table.name == "people" for fk in c.foreign_keys)
    ]


def _text_columns(table: Table) -> list[str]:
    return [
        c.name
        for c in table.columns
        if c.name not in _SKIP | set(_WHO)
        and any(t in str(c.type).upper() for t in _TEXT_TYPES)
        and not any(fk for fk in c.foreign_keys)
        and c.name not in ("data_b64", "sha256", "media_type", "timezone", "rrule", "ics_uid")
    ]


def _title(table: str, row: dict[str, Any]) -> str:
    ref = str(row.get("reference") or "")
    name = ""
    for column in (*CONTENT_COLUMNS.get(table, ()), "title", "name", "summary", "interest"):
        if row.get(column):
            name = str(row[column])
            break
    text_ = f"{ref} {name}".strip() or str(row["id"])[:8]
    return " ".join(text_.split())[:200]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(getattr(value, "value", value))


def find_person(ctx: ServiceContext, text_: str) -> tuple[str, str, str]:
    """(id, name, email) of the person named or with that id."""
    wanted = text_.strip()
    if not wanted:
        raise ValidationError("name the person: their name as the board holds it, or their id")
    with ctx.uow(write=False) as uow:
        found = [
            (pid, name, email)
            for pid, name, email in uow.session.execute(
                select(Person.id, Person.name, Person.email)
            )
            if pid == wanted or name.casefold() == wanted.casefold()
        ]
    if not found:
        raise NotFoundError(f"no person named {wanted!r} on this board")
    if len(found) > 1:
        raise ValidationError(f"{len(found)} people are named {wanted!r}: give their id")
    return found[0]


def subject_access(ctx: ServiceContext, person_text: str) -> SubjectAccess:
    ctx.require(Operation.ADMINISTER, Kind.DIRECTORY)  # the secretariat answers requests
    person_id, name, email = find_person(ctx, person_text)
    identity = ctx.identity
    result = SubjectAccess(
        person_id,
        name,
        email,
        "",
        datetime.now(UTC).replace(microsecond=0).isoformat(),
        identity.name or ctx.user,
    )
    mention = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE) if name else None
    with ctx.engine.connect() as conn:
        names = {str(pid): str(n) for pid, n in conn.execute(select(Person.id, Person.name))}
        restricted = restricted_rows(conn)
        keys = held_keys(conn)
        reader_ok = identity.role is Role.SECRETARIAT or not identity.protected
        labels = {
            str(rid): (str(label), str(public))
            for rid, label, public in conn.execute(
                text(
                    "SELECT r.record_id, s.label, r.public_title FROM restrictions r"
                    " JOIN readerships s ON s.id = r.readership_id WHERE r.deleted = 0"
                )
            )
        }
        for spec in ALL:
            table = Base.metadata.tables[spec.table]
            if spec.table in _NOT_ABOUT_PEOPLE:
                continue
            person_cols = _person_columns(table)
            text_cols = _text_columns(table)
            for row in conn.execute(select(table)).mappings():
                values = dict(row)
                why = [
                    f"named as {c.removesuffix('_id').replace('_', ' ')}"
                    for c in person_cols
                    if values.get(c) == person_id
                ]
                why += [
                    {
                        "created_by": "recorded it",
                        "updated_by": "last changed it",
                        "deleted_by": "deleted it",
                    }[c]
                    for c in _WHO
                    if values.get(c) == person_id
                ]
                if spec.table == "people" and values["id"] == person_id:
                    why.append("their own entry")
                    result.role = str(values.get("role") or "")
                key = (spec.table, str(values["id"]))
                found = restricted.get(key)
                readable = found is None or (reader_ok and found.key_id in keys)
                if not readable and found is not None and spec.table in RESTRICTABLE:
                    # its text is not here to search: listed, whether or not it names them
                    label, public = labels.get(found.record_id, (found.label, found.public_title))
                    reason = ", ".join(why) or "its text cannot be read here: it may name them"
                    result.withheld.append(
                        Withheld(_kind(spec.table), spec.table, key[1], public, label, reason)
                    )
                    continue
                if not readable:
                    continue  # a restricted record's child: withheld with its parent
                if mention is not None and any(
                    mention.search(str(values.get(c) or "")) for c in text_cols
                ):
                    why.append("named in its text")
                if not why:
                    continue
                created = values.get("created_at")
                result.records.append(
                    SubjectRecord(
                        kind=_kind(spec.table),
                        table=spec.table,
                        id=key[1],
                        title=_title(spec.table, values),
                        why=tuple(why),
                        when=created.date().isoformat() if isinstance(created, datetime) else "",
                        deleted=bool(values.get("deleted")),
                        marking=_as_text(values.get("marking")) or Marking.OFFICIAL.value,
                        fields={
                            k: names.get(str(v), _as_text(v))
                            if k in person_cols or k in _WHO
                            else _as_text(v)
                            for k, v in values.items()
                            if k not in ("id",) and v not in (None, "")
                        },
                    )
                )
        result.changes = int(
            conn.execute(
                text("SELECT count(*) FROM change_log WHERE user = :p"), {"p": person_id}
            ).scalar()
            or 0
        )
    result.records.sort(key=lambda r: (r.kind, r.when, r.title))
    return result


def write_bundle(found: SubjectAccess, folder: Path) -> tuple[Path, Path]:
    """The PDF and the JSON in `folder` (made if its parent exists); their paths."""
    from hescb_desktop.reports.subject_access import build_subject_access_pdf

    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} is a file: give a folder")
    if not folder.parent.is_dir():
        raise ValidationError(f"cannot write into {folder}: {folder.parent} does not exist")
    folder.mkdir(exist_ok=True)
    stem = "subject-access-" + re.sub(r"[^A-Za-z0-9]+", "-", found.name).strip("-").lower()
    stem += f"-{found.made_at[:10]}"
    pdf, data = folder / f"{stem}.pdf", folder / f"{stem}.json"
    pdf.write_bytes(build_subject_access_pdf(found))
    data.write_text(
        json.dumps(found.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return pdf, data
