"""Board papers: writing them (with the next reference, HESCB 43/26), attaching PDFs (the paper
itself when it was made elsewhere, or appendices), and reading the attached bytes back.

Attached bytes are stored once per content hash in `attachment_blobs` (base64 in a synced row),
so they reach every PC through the ordinary change log; see docs/architecture.md for the limits.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import PurePath
from typing import Any

from sqlalchemy import select

from hescb_desktop.domain.dto import AttachmentDTO, PaperDTO
from hescb_desktop.domain.errors import NotFoundError, ValidationError
from hescb_desktop.domain.permissions import Kind, Operation
from hescb_desktop.domain.rules import SerialRef
from hescb_desktop.reports.frame import AttachmentError, read_attachment
from hescb_desktop.services import crud
from hescb_desktop.services.entities import ATTACHMENT_BLOBS, ATTACHMENTS, MEETINGS, PAPERS
from hescb_desktop.services.references import next_paper_ref
from hescb_desktop.services.results import Result, changes_of
from hescb_desktop.storage.journal import ChangeLog
from hescb_desktop.storage.models import (
    Attachment,
    AttachmentBlob,
    Meeting,
    Paper,
    Restriction,
)
from hescb_desktop.storage.uow import UnitOfWork

BODY_PREFIX = "HESCB"
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024  # one synced row carries the whole file (base64)
ROLES = ("paper", "appendix")


def create_paper(uow: UnitOfWork, values: Mapping[str, Any]) -> Result[PaperDTO]:
    """A new paper with the next reference of the year of its meeting (or of today)."""
    uow.require(Operation.CREATE, Kind.PAPER, uow.actor.user)
    fields = dict(values)
    for key in ("reference", "ref_year", "ref_number"):
        if key in fields:
            raise ValidationError(f"paper: the {key.replace('_', ' ')} is given automatically")
    with uow:
        year = date.today().year
        meeting_id = fields.get("meeting_id")
        if meeting_id:
            meeting = crud.load(uow.session, MEETINGS, str(meeting_id))
            year = meeting.start_utc.year
        ref = next_paper_ref(uow.session, year)
        fields.update(reference=f"{BODY_PREFIX} {ref}", ref_year=ref.year, ref_number=ref.number)
        paper = crud.add(uow, PAPERS, fields)
        dto = PAPERS.to_dto(paper)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id,)))


def update_paper(uow: UnitOfWork, paper_id: str, values: Mapping[str, Any]) -> Result[PaperDTO]:
    for key in ("reference", "ref_year", "ref_number"):
        if key in values:
            raise ValidationError(f"paper: the {key.replace('_', ' ')} cannot be changed")
    with uow:
        uow.require(Operation.EDIT, Kind.PAPER, crud.load(uow.session, PAPERS, paper_id).created_by)
        dto = PAPERS.to_dto(crud.change(uow, PAPERS, paper_id, values))
        uow.commit()
    return Result(dto, changes_of(uow, (paper_id,)))


def find_paper(uow: UnitOfWork, text: str) -> PaperDTO:
    """The live paper with reference `text` ("HESCB 43/26" or "43/26")."""
    ref = SerialRef.parse(text)
    with uow:
        rows = uow.session.scalars(
            select(Paper).where(
                Paper.deleted.is_(False),
                Paper.ref_year == ref.year,
                Paper.ref_number == ref.number,
            )
        ).all()
        if not rows:
            raise NotFoundError(f"no paper with the reference {text.strip()}")
        if len(rows) > 1:  # two PCs took the same number offline; the merge renumbers one
            raise ValidationError(
                f"two papers carry {text.strip()} until the next sync renumbers one: "
                + "; ".join(r.title for r in rows)
            )
        return PAPERS.to_dto(rows[0])


def attach_file(
    uow: UnitOfWork, paper_id: str, filename: str, data: bytes, *, role: str = "appendix"
) -> Result[AttachmentDTO]:
    """Attach a PDF to a paper as the paper itself (`role="paper"`, replacing any earlier one)
    or as its next appendix. A file that is not a PDF, is encrypted or is corrupt is refused
    with a message naming it, and nothing is stored."""
    name = PurePath(filename.replace("\\", "/")).name or "attachment.pdf"
    if role not in ROLES:
        raise ValidationError(f"attachment: role must be one of {', '.join(ROLES)}")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"{name} is {len(data) / 1048576:.1f} MB: attachments are limited to "
            f"{MAX_ATTACHMENT_BYTES // 1048576} MB (compress it or split it)"
        )
    try:
        pages = len(read_attachment(name, data).pages)
    except AttachmentError as exc:
        raise ValidationError(str(exc)) from exc
    sha = hashlib.sha256(data).hexdigest()
    with uow:
        paper = crud.load(uow.session, PAPERS, paper_id)
        uow.require(Operation.EDIT, Kind.PAPER, paper.created_by)
        existing = _live_attachments(uow, paper_id)
        if role == "paper":
            for old in existing:
                if old.role == "paper":
                    old.deleted = True
        position = max((a.position for a in existing if a.role == role), default=0) + 1
        keep_bytes(uow, paper_id, sha, data)
        row = crud.add(
            uow,
            ATTACHMENTS,
            {
                "paper_id": paper_id,
                "filename": name,
                "sha256": sha,
                "size": len(data),
                "media_type": "application/pdf",
                "role": role,
                "position": position,
                "page_count": pages,
            },
        )
        dto = ATTACHMENTS.to_dto(row)
        uow.commit()
    return Result(dto, changes_of(uow, (dto.id, paper_id)))


def remove_attachment(uow: UnitOfWork, attachment_id: str) -> Result[None]:
    """Tombstone the attachment (the bytes stay: another paper may share them)."""
    return crud.delete(uow, ATTACHMENTS, attachment_id)


def attachments_of(uow: UnitOfWork, paper_id: str) -> list[AttachmentDTO]:
    with uow:
        return [ATTACHMENTS.to_dto(a) for a in _live_attachments(uow, paper_id)]


def _live_attachments(uow: UnitOfWork, paper_id: str) -> list[Attachment]:
    return list(
        uow.session.scalars(
            select(Attachment)
            .where(Attachment.paper_id == paper_id, Attachment.deleted.is_(False))
            .order_by(Attachment.role, Attachment.position, Attachment.id)
        )
    )


def keep_bytes(uow: UnitOfWork, paper_id: str, sha: str, data: bytes) -> bool:
    """Keep a file's bytes for a paper, unless they are kept already. A restricted paper's file
    is kept in a blob of its own, naming the paper, so that its bytes are sealed for the paper's
    readership (`domain.restriction.RESTRICTED_WITH`); any other paper's in the blob shared by
    every paper that attaches the same file. Returns whether a blob was added."""
    own = paper_id if _is_restricted(uow, paper_id) else None
    held = uow.session.scalar(
        select(AttachmentBlob.id)
        .where(
            AttachmentBlob.sha256 == sha,
            AttachmentBlob.deleted.is_(False),
            AttachmentBlob.paper_id.is_(None) if own is None else AttachmentBlob.paper_id == own,
        )
        .limit(1)
    )
    if held is not None:
        return False
    crud.add(
        uow,
        ATTACHMENT_BLOBS,
        {
            "sha256": sha,
            "size": len(data),
            "data_b64": base64.b64encode(data).decode(),
            "paper_id": own,
        },
    )
    return True


def keep_apart(uow: UnitOfWork, paper_id: str, device_id: str) -> bool:
    """A paper just restricted: its files' bytes kept in blobs of its own, sealed from now on.
    A shared blob only this paper uses whose bytes have not left this PC yet becomes the paper's
    own (its logged bytes are then sealed where they lie: they never reach the share in clear);
    any other is copied, and stays (other papers may attach the same file, and what went to the
    share in clear cannot be taken back). Returns whether some file's bytes went to the share in
    clear before."""
    shared = False
    for attachment in _live_attachments(uow, paper_id):
        sha = attachment.sha256
        blobs = [b for b in _blobs(uow, sha) if b.paper_id in (None, paper_id)]
        if any(b.paper_id == paper_id for b in blobs):
            continue
        for blob in blobs:
            if _sent(uow, blob.id, device_id):
                shared = True
            elif not _used_elsewhere(uow, sha, paper_id):
                blob.paper_id = paper_id
                uow.session.flush()
                break
        else:
            data = stored_bytes(uow, sha)
            if data is not None:
                keep_bytes(uow, paper_id, sha, data)
    return shared


def _sent(uow: UnitOfWork, blob_id: str, device_id: str) -> bool:
    """Whether a blob's bytes left this PC (published, or another PC's)."""
    found = uow.session.scalar(
        select(ChangeLog.seq)
        .where(
            ChangeLog.table_name == "attachment_blobs",
            ChangeLog.row_id == blob_id,
            ChangeLog.column_name == "data_b64",
            (ChangeLog.device_id != device_id) | ChangeLog.published.is_(True),
        )
        .limit(1)
    )
    return found is not None


def _used_elsewhere(uow: UnitOfWork, sha: str, paper_id: str) -> bool:
    found = uow.session.scalar(
        select(Attachment.id)
        .where(
            Attachment.sha256 == sha,
            Attachment.paper_id != paper_id,
            Attachment.deleted.is_(False),
        )
        .limit(1)
    )
    return found is not None


def _is_restricted(uow: UnitOfWork, paper_id: str) -> bool:
    found = uow.session.scalar(
        select(Restriction.id).where(
            Restriction.table_name == "papers",
            Restriction.record_id == paper_id,
            Restriction.deleted.is_(False),
        )
    )
    return found is not None


def _blobs(uow: UnitOfWork, sha: str) -> list[AttachmentBlob]:
    """The live blobs holding the bytes with this hash: the shared one first."""
    return list(
        uow.session.scalars(
            select(AttachmentBlob)
            .where(AttachmentBlob.sha256 == sha, AttachmentBlob.deleted.is_(False))
            .order_by(AttachmentBlob.paper_id.is_not(None), AttachmentBlob.id)
        )
    )


def blob_bytes(uow: UnitOfWork, sha: str) -> bytes | None:
    """The bytes with this hash, or None when they have not arrived (yet) on this PC. Bytes that
    do not match their hash are treated as missing."""
    with uow:
        return stored_bytes(uow, sha)


def stored_bytes(uow: UnitOfWork, sha: str) -> bytes | None:
    """`blob_bytes` inside a unit of work that is already open: from the first blob whose bytes
    match their hash (a restricted paper's blob holds a placeholder on a PC that does not read
    it)."""
    for blob in _blobs(uow, sha):
        try:
            data = base64.b64decode(blob.data_b64, validate=True)
        except ValueError:
            continue
        if hashlib.sha256(data).hexdigest() == sha:
            return data
    return None


def meeting_of(uow: UnitOfWork, paper: PaperDTO) -> Meeting | None:
    if not paper.meeting_id:
        return None
    return uow.session.get(Meeting, paper.meeting_id)
