"""Need-to-know (issue 16, points 1 and 2): restricting a record to its readers, changing them,
and the keys each round keeps in step.

- **Restrict** (`restrict`): the record gets a readership of its own (named people and/or roles),
  a content key (sealed to each reader's PC, HPKE, `sync.sealing`) and a public title. Its
  content fields (`domain.restriction.CONTENT_COLUMNS`) are logged sealed from then on
  (`storage.restricted`): those of this PC not yet published are sealed where they lie, so a
  restriction made before the record was first synced means its text never reaches the share;
  the current text is logged again, sealed, so every PC's latest value is. What was already on
  the share in clear text cannot be called back, and the result says so (`already_shared`).
- **Readers** (`set_readers`): a reader added gets every key of the readership sealed to their
  PCs (they read the record's whole history); a reader removed makes a new key for what is
  written next (`rotated`): what they already read cannot be unread, and the app says so.
- **Each round** (`keep_keys`): this PC publishes its own public sealing key (signed with its
  signing key), opens the keys sealed to it (taken only if the readership's `key_check`, written
  by the secretariat or the record's owner, commits to that key), seals the keys it holds to
  readers' PCs that lack them (a PC enrolled later, one that was offline), and sets what each
  restricted record shows (`storage.restricted.refresh`).

Only the secretariat and the record's owner restrict a record or change its readers; a protected
board only (readers are people and PCs the board enrolled).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from uuid6 import uuid7

from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import (
    KIND_OF_TABLE,
    Identity,
    NotAllowedError,
    Relation,
    Role,
    operation_of,
)
from hescb_desktop.domain.restriction import (
    MAX_HANDLING,
    RESTRICTABLE,
    RESTRICTED_WITH,
    content_columns,
)
from hescb_desktop.services import papers
from hescb_desktop.services.context import ServiceContext
from hescb_desktop.services.entities import BY_TABLE
from hescb_desktop.storage.journal import ChangeLog, ContentKey
from hescb_desktop.storage.models import (
    Action,
    Minute,
    Paper,
    PcBoxKey,
    Person,
    Readership,
    Restriction,
    SealedKey,
)
from hescb_desktop.storage.restricted import board_id, refresh
from hescb_desktop.storage.sealed_values import FieldContext, SealError, is_sealed, seal_json
from hescb_desktop.sync import sealing
from hescb_desktop.sync.signing import Purpose, canonical, sign, verify
from hescb_desktop.sync.trust import TrustState, load_trust

NAMESPACE = uuid.UUID("0b6f4f0e-6a51-5d7c-8a43-5f1f6c1e9d21")
ROLE_WORDS = {
    "secretariat": Role.SECRETARIAT,
    "the secretariat": Role.SECRETARIAT,
    "officer": Role.OFFICER,
    "officers": Role.OFFICER,
    "chief officers": Role.OFFICER,
    "viewer": Role.VIEWER,
    "viewers": Role.VIEWER,
}
ROLE_LABEL = {
    Role.SECRETARIAT: "the secretariat",
    Role.OFFICER: "officers",
    Role.VIEWER: "viewers",
}


def restriction_id(table: str, record_id: str) -> str:
    """One restriction per record, the same id on every PC (two restricting it meet in one)."""
    return str(uuid.uuid5(NAMESPACE, f"restriction:{table}:{record_id}"))


def _box_row_id(pc: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"box:{pc}"))


def _sealed_row_id(key_id: str, reader_pc: str, sealer_pc: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"sealed:{key_id}:{reader_pc}:{sealer_pc}"))


# ------------------------------------------------------------------ records and readers
@dataclass(frozen=True)
class RecordRef:
    table: str
    id: str
    label: str  # "action HESCB/2026/054"
    owners: frozenset[str]


def find_record(ctx: ServiceContext, text_: str) -> RecordRef:
    """A record by its printed reference (an action's HESCB/2026/054, a paper's HESCB 43/26, a
    minute's 77/26) or its id (or the first 8 or more characters of it)."""
    wanted = text_.strip()
    if not wanted:
        raise ValidationError("name the record: a reference such as HESCB/2026/054, or an id")
    with ctx.uow(write=False) as uow:
        s = uow.session
        found: list[RecordRef] = []
        for table in RESTRICTABLE:
            model = BY_TABLE[table].model
            if len(wanted) >= 8:
                rows = s.scalars(
                    select(model).where(model.id.startswith(wanted), model.deleted.is_(False))
                ).all()
                found += [_ref(table, row) for row in rows]
        if not found:
            found += [
                _ref("actions", a)
                for a in s.scalars(
                    select(Action).where(Action.reference == wanted, Action.deleted.is_(False))
                )
            ]
            found += [
                _ref("papers", p)
                for p in s.scalars(select(Paper).where(Paper.deleted.is_(False)))
                if wanted.casefold() in (p.reference.casefold(), p.reference.split(" ")[-1])
            ]
            found += [
                _ref("minutes", m)
                for m in s.scalars(
                    select(Minute).where(Minute.reference == wanted, Minute.deleted.is_(False))
                )
            ]
    if not found:
        raise NotFoundError(
            f"no record {wanted!r}: give an action's, paper's or minute's reference, or an id"
        )
    if len(found) > 1:
        raise ValidationError(
            f"{wanted!r} names {len(found)} records ({', '.join(f.label for f in found[:4])}):"
            " give more of the id"
        )
    return found[0]


def _ref(table: str, row: Any) -> RecordRef:
    kind = RESTRICTABLE[table]
    shown = getattr(row, "reference", "") or (getattr(row, "title", "") or "")[:40] or row.id[:8]
    owners = {
        str(getattr(row, c))
        for c in ("owner_id", "presenter_id", "sro_id", "created_by")
        if getattr(row, c, None)
    }
    return RecordRef(table, row.id, f"{kind} {shown}", frozenset(owners))


@dataclass(frozen=True)
class ReaderSpec:
    people: tuple[tuple[str, str], ...]  # (id, name), as given
    roles: tuple[Role, ...]

    def label(self) -> str:
        parts = [name for _, name in self.people] + [ROLE_LABEL[r] for r in self.roles]
        if len(parts) <= 1:
            return "".join(parts)
        return ", ".join(parts[:-1]) + " and " + parts[-1]


def parse_readers(ctx: ServiceContext, given: str) -> ReaderSpec:
    """`"Sue Smith, Tom Haldane or secretariat"`: people by name (or id) and roles."""
    tokens = [
        t.strip()
        for t in given.replace(" or ", ",").replace(" and ", ",").replace(";", ",").split(",")
    ]
    tokens = [t for t in tokens if t]
    if not tokens:
        raise ValidationError("name the readers: people by name and/or a role (secretariat)")
    with ctx.uow(write=False) as uow:
        people = list(
            uow.session.execute(select(Person.id, Person.name).where(Person.deleted.is_(False)))
        )
    found: list[tuple[str, str]] = []
    roles: list[Role] = []
    for token in tokens:
        role = ROLE_WORDS.get(token.casefold())
        if role is not None:
            if role not in roles:
                roles.append(role)
            continue
        named = [(pid, name) for pid, name in people if token.casefold() in (pid, name.casefold())]
        if not named:
            raise NotFoundError(
                f"no person or role named {token!r}: the roles are secretariat, officers, viewers"
            )
        if len(named) > 1:
            raise ValidationError(f"{len(named)} people are named {token!r}: give their id")
        if named[0] not in found:
            found.append(named[0])
    return ReaderSpec(tuple(found), tuple(roles))


def _reader_people(state: TrustState, people: Iterable[str], roles: Iterable[str]) -> set[str]:
    wanted = set(people)
    role_set = {Role(r) for r in roles}
    for person in state.roles:
        if state.current_role(person) in role_set:
            wanted.add(person)
    return wanted


@dataclass(frozen=True)
class _Who:
    """A readership's readers as stored (JSON lists)."""

    people: str
    roles: str

    @classmethod
    def of(cls, readership: Readership) -> _Who:
        return cls(readership.people or "[]", readership.roles or "[]")


def _reader_pcs(ctx: ServiceContext, who: _Who) -> dict[str, bytes]:
    """Fingerprint -> public sealing key of every unrevoked PC whose person is a reader (its
    sealing key signed by that PC's own key, checked against its enrolment)."""
    state = load_trust(ctx.engine)
    readers = _reader_people(state, json.loads(who.people), json.loads(who.roles))
    with ctx.engine.connect() as conn:
        board = board_id(conn)
    with ctx.uow(write=False) as uow:
        boxes = list(
            uow.session.execute(
                select(PcBoxKey.pc, PcBoxKey.box_public, PcBoxKey.signature).where(
                    PcBoxKey.deleted.is_(False)
                )
            )
        )
    out: dict[str, bytes] = {}
    for pc, box_public, signature in boxes:
        cert = state.pcs.get(pc)
        if cert is None or cert.revoked_at is not None or cert.person_id not in readers:
            continue
        try:
            public = base64.b64decode(box_public, validate=True)
            ok = verify(
                cert.key,
                Purpose.SEALING_KEY,
                _box_payload(board, pc, public),
                base64.b64decode(signature, validate=True),
            )
        except ValueError:
            ok = False  # a damaged or crafted row: never sealed to
        if ok:
            out[pc] = public
    return out


def _box_payload(board: str, pc: str, public: bytes) -> bytes:
    return canonical({"board": board, "pc": pc, "box": base64.b64encode(public).decode()})


def _require_protected(ctx: ServiceContext) -> str:
    identity = ctx.identity
    with ctx.engine.connect() as conn:
        board = board_id(conn)
    if not identity.protected or not board:
        raise ValidationError(
            "restricting a record needs a protected board (people and PCs enrolled): ask the"
            " secretariat to protect it first"
        )
    return board


def why_not_restrict(identity: Identity, kind: str, owners: Iterable[str]) -> str:
    """ "" when this person may restrict a record of `kind` owned by `owners` (or change its
    readers), else why not: the secretariat and the record's owner may, on a protected board."""
    if not identity.protected:
        return (
            "restricting a record needs a protected board (people and PCs enrolled): ask the"
            " secretariat to protect it first"
        )
    if identity.role is Role.SECRETARIAT:
        return ""
    if identity.relation(frozenset(owners)) in (Relation.OWN, Relation.PRINCIPAL):
        return ""
    return (
        f"only the secretariat and the {kind}'s owner restrict it or change its readers:"
        " ask the secretariat"
    )


def _require_restrictor(ctx: ServiceContext, record: RecordRef) -> None:
    why = why_not_restrict(ctx.identity, RESTRICTABLE[record.table], record.owners)
    if why:
        raise NotAllowedError(why)


# ------------------------------------------------------------------ restricting
@dataclass(frozen=True)
class RestrictResult:
    record: RecordRef
    readers: str  # in words
    public_title: str
    reader_pcs: int  # PCs the key was sealed to
    this_pc_reads: bool
    already_shared: bool  # its text was on the share in clear before
    rotated: bool = False  # a reader removed: a new key for what is written next


def restrict(
    ctx: ServiceContext,
    record_text: str,
    readers_text: str,
    *,
    public_title: str = "",
    handling: str = "",
) -> RestrictResult:
    """Restrict a record to readers (or change them, if it is restricted already)."""
    board = _require_protected(ctx)
    record = find_record(ctx, record_text)
    _require_restrictor(ctx, record)
    spec = parse_readers(ctx, readers_text)
    public_title = " ".join(public_title.split())[:300]
    handling = handling.strip()
    if len(handling) > MAX_HANDLING:
        raise ValidationError(f"handling instructions are at most {MAX_HANDLING} characters")
    publish_box_key(ctx)
    people = sorted(pid for pid, _ in spec.people)
    roles = sorted(r.value for r in spec.roles)
    rid = restriction_id(record.table, record.id)
    with ctx.uow() as uow:
        s = uow.session
        existing = s.get(Restriction, rid)
        readership = (
            s.get(Readership, existing.readership_id)
            if existing is not None and not existing.deleted
            else None
        )
        rotated = False
        if readership is None:
            key_id, key = str(uuid7()), sealing.new_content_key()
            readership = Readership(
                label=spec.label(),
                people=json.dumps(people),
                roles=json.dumps(roles),
                handling=handling,
                key_id=key_id,
                key_check=sealing.key_check(key_id, key),
            )
            s.add(readership)
            s.flush()
            _hold(s, readership.id, key_id, key)
            s.flush()
        else:
            before = _reader_people(
                load_trust(ctx.engine),
                json.loads(readership.people or "[]"),
                json.loads(readership.roles or "[]"),
            )
            after = _reader_people(load_trust(ctx.engine), people, roles)
            readership.label = spec.label()
            readership.people = json.dumps(people)
            readership.roles = json.dumps(roles)
            readership.handling = handling or readership.handling
            if before - after:  # a reader removed: a new key for what is written next
                key_id, key = str(uuid7()), sealing.new_content_key()
                readership.key_id, readership.key_check = key_id, sealing.key_check(key_id, key)
                _hold(s, readership.id, key_id, key)
                s.flush()
                rotated = True
        if existing is None:
            s.add(
                Restriction(
                    id=rid,
                    table_name=record.table,
                    record_id=record.id,
                    readership_id=readership.id,
                    public_title=public_title,
                    handling=handling,
                )
            )
        else:
            existing.readership_id = readership.id
            existing.deleted = False
            existing.public_title = public_title or existing.public_title
            existing.handling = handling or existing.handling
        s.flush()
        files_shared = False
        if record.table == "papers":  # its files' bytes kept apart, sealed (services.papers)
            files_shared = papers.keep_apart(uow, record.id, ctx.device_id)
        shared = _seal_what_lies_here(ctx, s, record, board, readership) or files_shared
        uow.commit()
        readership_id = readership.id
    sealed_to = seal_keys_to_readers(ctx, readership_id)
    reads = _this_pc_reads(ctx, readership_id)
    if not reads:
        _forget_keys(ctx, readership_id)
    with ctx.engine.begin() as conn:
        refresh(conn)
    return RestrictResult(
        record, spec.label(), public_title, sealed_to, reads, shared, rotated=rotated
    )


def _hold(s: Session, readership_id: str, key_id: str, key: bytes) -> None:
    s.merge(
        ContentKey(key_id=key_id, readership_id=readership_id, key=base64.b64encode(key).decode())
    )


def _seal_what_lies_here(
    ctx: ServiceContext, s: Session, record: RecordRef, board: str, readership: Readership
) -> bool:
    """Seal this PC's unpublished logged content of the record (and its children) where it lies.
    Content that went to the share in clear before is logged again, sealed, where this person
    may change it. Returns whether any of it went to the share in clear before."""
    rows = [(record.table, record.id)]
    for child, (column, parent) in RESTRICTED_WITH.items():
        if parent == record.table:
            model = BY_TABLE[child].model
            rows += [
                (child, c.id)
                for c in s.scalars(select(model).where(getattr(model, column) == record.id))
            ]
    key = next(
        base64.b64decode(k.key)
        for k in s.scalars(select(ContentKey).where(ContentKey.key_id == readership.key_id))
    )
    shared = False
    identity = ctx.identity
    for table, rid in rows:
        columns = content_columns(table)
        foreign: set[str] = set()
        for entry in s.scalars(
            select(ChangeLog).where(
                ChangeLog.table_name == table,
                ChangeLog.row_id == rid,
                ChangeLog.column_name.in_(columns),
            )
        ):
            if is_sealed(entry.value):
                continue
            if entry.device_id == ctx.device_id and not entry.published:
                where = FieldContext(
                    board, table, rid, entry.column_name, readership.id, readership.key_id
                )
                entry.value = seal_json(key, entry.value, where)
            else:
                foreign.add(entry.column_name)
        shared = shared or bool(foreign)
        row = s.get(BY_TABLE[table].model, rid)
        if row is not None and foreign:
            # its text went out in clear: log it again, sealed, so every PC's latest value is
            # (where this person may change that field: else it stays as it was sent)
            for column in sorted(foreign):
                operation = operation_of(table, column, True)
                if identity.may(operation, KIND_OF_TABLE[table], record.owners):
                    flag_modified(row, column)
    s.flush()
    return shared


def seal_keys_to_readers(ctx: ServiceContext, readership_id: str | None = None) -> int:
    """Seal each key this PC holds to every reader PC of its readership that has no copy of it
    yet (from any PC). Returns how many were sealed."""
    with ctx.engine.connect() as conn:
        board = board_id(conn)
    if not board:
        return 0
    with ctx.uow(write=False) as uow:
        s = uow.session
        held = [
            (key_id, rid, encoded)
            for key_id, rid, encoded in s.execute(
                select(ContentKey.key_id, ContentKey.readership_id, ContentKey.key)
            )
            if readership_id is None or rid == readership_id
        ]
        readerships = {
            rid: _Who(people or "[]", roles or "[]")
            for rid, people, roles in s.execute(
                select(Readership.id, Readership.people, Readership.roles).where(
                    Readership.deleted.is_(False)
                )
            )
        }
        have = {(k, pc) for k, pc in s.execute(select(SealedKey.key_id, SealedKey.reader_pc))}
    me = ctx.fingerprint
    todo: list[SealedKey] = []
    for key_id, rid, encoded in held:
        who = readerships.get(rid)
        if who is None:
            continue
        key = base64.b64decode(encoded)
        for pc, public in _reader_pcs(ctx, who).items():
            if (key_id, pc) in have:
                continue
            context = sealing.KeyContext(board, rid, key_id, pc)
            todo.append(
                SealedKey(
                    id=_sealed_row_id(key_id, pc, me),
                    readership_id=rid,
                    key_id=key_id,
                    reader_pc=pc,
                    sealed=base64.b64encode(sealing.seal_key(key, public, context)).decode(),
                )
            )
    if todo:
        with ctx.uow() as uow:
            for row in todo:
                if uow.session.get(SealedKey, row.id) is None:
                    uow.session.add(row)
            uow.commit()
    return len(todo)


def _this_pc_reads(ctx: ServiceContext, readership_id: str) -> bool:
    with ctx.uow(write=False) as uow:
        found = uow.session.get(Readership, readership_id)
        who = _Who.of(found) if found is not None else None
    return who is not None and ctx.fingerprint in _reader_pcs(ctx, who)


def _forget_keys(ctx: ServiceContext, readership_id: str) -> None:
    """A PC whose person is not a reader reads with none of the readership's keys: it holds
    them in escrow until every reader's PC has a copy (`keep_keys`), then drops them."""
    with ctx.engine.begin() as conn:
        conn.execute(
            text("UPDATE content_keys SET escrow = 1 WHERE readership_id = :r"),
            {"r": readership_id},
        )


def _release_escrow(ctx: ServiceContext) -> int:
    """Drop each key held in escrow once every reader PC of its readership has a copy (and
    there is at least one); a readership this PC's person has joined since makes it a key it
    reads with. Returns how many were dropped."""
    with ctx.uow(write=False) as uow:
        s = uow.session
        held = list(
            s.execute(select(ContentKey.key_id, ContentKey.readership_id).where(ContentKey.escrow))
        )
        whos = {
            rid: _Who(people or "[]", roles or "[]")
            for rid, people, roles in s.execute(
                select(Readership.id, Readership.people, Readership.roles)
            )
        }
        have = {(k, pc) for k, pc in s.execute(select(SealedKey.key_id, SealedKey.reader_pc))}
    dropped = 0
    for key_id, rid in held:
        who = whos.get(rid)
        pcs = set(_reader_pcs(ctx, who)) if who is not None else set()
        with ctx.engine.begin() as conn:
            if ctx.fingerprint in pcs:  # a reader now: it reads with it
                conn.execute(
                    text("UPDATE content_keys SET escrow = 0 WHERE key_id = :k"), {"k": key_id}
                )
            elif pcs and all((key_id, pc) in have for pc in pcs):
                conn.execute(text("DELETE FROM content_keys WHERE key_id = :k"), {"k": key_id})
                dropped += 1
    return dropped


# ------------------------------------------------------------------ each round
def publish_box_key(ctx: ServiceContext) -> bool:
    """This PC's public sealing key, signed by its signing key, once. Returns whether it was
    written now."""
    with ctx.engine.connect() as conn:
        board = board_id(conn)
    if not board:
        return False
    pc = ctx.fingerprint
    public = sealing.box_public(ctx.pc_key)
    signature = sign(ctx.pc_key, Purpose.SEALING_KEY, _box_payload(board, pc, public))
    with ctx.uow() as uow:
        found = uow.session.get(PcBoxKey, _box_row_id(pc))
        if found is not None and found.box_public == base64.b64encode(public).decode():
            return False
        if found is None:
            uow.session.add(
                PcBoxKey(
                    id=_box_row_id(pc),
                    pc=pc,
                    box_public=base64.b64encode(public).decode(),
                    signature=base64.b64encode(signature).decode(),
                )
            )
        else:
            found.box_public = base64.b64encode(public).decode()
            found.signature = base64.b64encode(signature).decode()
        uow.commit()
    return True


def open_sealed_keys(ctx: ServiceContext) -> int:
    """Open the keys sealed to this PC that it does not hold yet; each is taken only if its
    readership committed to it (a `key_check` it carries or carried, from change_log). Returns
    how many were taken."""
    with ctx.engine.connect() as conn:
        board = board_id(conn)
    if not board:
        return 0
    me = ctx.fingerprint
    with ctx.uow(write=False) as uow:
        s = uow.session
        held = set(s.scalars(select(ContentKey.key_id)))
        sealed = [
            (key_id, rid, blob)
            for key_id, rid, blob in s.execute(
                select(SealedKey.key_id, SealedKey.readership_id, SealedKey.sealed).where(
                    SealedKey.reader_pc == me, SealedKey.deleted.is_(False)
                )
            )
            if key_id not in held
        ]
        checks: dict[str, set[str]] = {}
        for row_id, value in s.execute(
            select(ChangeLog.row_id, ChangeLog.value).where(
                ChangeLog.table_name == "readerships", ChangeLog.column_name == "key_check"
            )
        ):
            checks.setdefault(row_id, set()).add(json.loads(value))
    box = sealing.box_key(ctx.pc_key)
    taken: list[ContentKey] = []
    for key_id, rid, blob in sealed:
        if key_id in held:
            continue  # another copy opened already
        context = sealing.KeyContext(board, rid, key_id, me)
        try:
            key = sealing.open_key(base64.b64decode(blob), box, context)
        except (SealError, ValueError):
            continue  # not for this PC as it claims: skipped (another copy may open)
        if sealing.key_check(key_id, key) not in checks.get(rid, set()):
            continue  # a key its readership never committed to: a forgery, never taken
        taken.append(
            ContentKey(key_id=key_id, readership_id=rid, key=base64.b64encode(key).decode())
        )
        held.add(key_id)
    if taken:
        with ctx.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT OR IGNORE INTO content_keys (key_id, readership_id, key)"
                    " VALUES (:k, :r, :v)"
                ),
                [{"k": t.key_id, "r": t.readership_id, "v": t.key} for t in taken],
            )
    return len(taken)


@dataclass(frozen=True)
class KeyReport:
    published: bool  # this PC's sealing key, first published now
    opened: int  # keys sealed to this PC, taken now
    sealed: int  # keys this PC sealed to readers' PCs now
    tables: frozenset[str]  # tables whose restricted rows now show otherwise


def _enrolled(ctx: ServiceContext) -> bool:
    """This PC is enrolled (not revoked) on a protected board: it may take part in keys."""
    if not ctx.identity.protected or not ctx.identity.person_id:
        return False
    cert = load_trust(ctx.engine).pcs.get(ctx.fingerprint)
    return cert is not None and cert.revoked_at is None


def _board_restricts(ctx: ServiceContext) -> bool:
    with ctx.engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM readerships WHERE deleted = 0 LIMIT 1"))
        return found.first() is not None


def keep_keys(ctx: ServiceContext) -> KeyReport:
    """After a round (its own journal recovered first, so nothing of this PC's is made twice):
    what this PC owes the board's keys, and the view. A PC publishes its sealing key once the
    board restricts anything (a board that restricts nothing carries none), and only once it is
    enrolled; a restricting PC seals to it the round after it is seen."""
    if not ctx.identity.protected or not _board_restricts(ctx):
        return KeyReport(False, 0, 0, frozenset())  # nothing restricted: no key to keep
    published = _enrolled(ctx) and publish_box_key(ctx)
    opened = open_sealed_keys(ctx)
    sealed = seal_keys_to_readers(ctx)
    _release_escrow(ctx)
    with ctx.engine.begin() as conn:
        tables = refresh(conn)
    return KeyReport(published, opened, sealed, frozenset(tables))


# ------------------------------------------------------------------ who reads
@dataclass(frozen=True)
class ReaderPc:
    pc: str  # fingerprint
    person: str  # name
    pc_name: str
    has_key: bool  # the current key is sealed to it


@dataclass(frozen=True)
class ReadersInfo:
    record: RecordRef
    restricted: bool
    readers: str  # in words ("" when not restricted)
    people: tuple[str, ...]  # names
    roles: tuple[str, ...]
    handling: str
    public_title: str
    pcs: tuple[ReaderPc, ...]
    this_pc_reads: bool


def readers(ctx: ServiceContext, record_text: str) -> ReadersInfo:
    record = find_record(ctx, record_text)
    with ctx.uow(write=False) as uow:
        s = uow.session
        found = s.get(Restriction, restriction_id(record.table, record.id))
        readership = (
            s.get(Readership, found.readership_id)
            if found is not None and not found.deleted
            else None
        )
        if found is None or readership is None:
            return ReadersInfo(record, False, "", (), (), "", "", (), True)
        names = {pid: name for pid, name in s.execute(select(Person.id, Person.name))}
        who = _Who.of(readership)
        label, people_json, roles_json = readership.label, readership.people, readership.roles
        handling = found.handling or readership.handling
        public_title = found.public_title
        sealed = set(
            s.scalars(select(SealedKey.reader_pc).where(SealedKey.key_id == readership.key_id))
        )
    state = load_trust(ctx.engine)
    pcs = tuple(
        ReaderPc(pc, names.get(cert.person_id, cert.person_id), cert.pc_name, pc in sealed)
        for pc in sorted(_reader_pcs(ctx, who))
        if (cert := state.pcs[pc]) is not None
    )
    return ReadersInfo(
        record,
        True,
        label,
        tuple(names.get(p, p) for p in json.loads(people_json or "[]")),
        tuple(json.loads(roles_json or "[]")),
        handling,
        public_title,
        pcs,
        any(p.pc == ctx.fingerprint for p in pcs),
    )


def restricted_ids(ctx: ServiceContext, table: str) -> dict[str, tuple[str, str]]:
    """record id -> (readers in words, public title), for a page marking its restricted rows."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Restriction.record_id, Readership.label, Restriction.public_title)
            .join(Readership, Readership.id == Restriction.readership_id)
            .where(Restriction.table_name == table, Restriction.deleted.is_(False))
        )
        return {rid: (label, public) for rid, label, public in rows}
