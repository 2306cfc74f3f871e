"""Restricted records (issue 16, points 1, 2 and 7) on a protected board of three PCs and one
share, real SQLite files and a real share folder: the secretariat's (root), a reader's and a
non-reader's. A unique word typed into a restricted record is found by a byte search of every
file of the reader's PC only: never on the share (segments, snapshots), never on the non-reader's
PC (database, WAL, anything else); readers added and removed (one PC offline meanwhile); a key
forged by an enrolled PC is never taken; the command line's `restrict` and `readers`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from test_cli import assert_refused, run
from trusted_office import TrustedOffice

from hescb_desktop.domain.restriction import PLACEHOLDER
from hescb_desktop.services import actions as action_service
from hescb_desktop.services import boardpacks, crud, restrict
from hescb_desktop.services.entities import ACTIONS, PEOPLE
from hescb_desktop.storage.models import SealedKey
from hescb_desktop.storage.restricted import NotReaderError
from hescb_desktop.sync import sealing
from hescb_desktop.sync.snapshot import make_snapshot

pytestmark = pytest.mark.slow

WORD = "Xylophonist"  # typed into the restricted record only


@pytest.fixture
def office(tmp_path: Path) -> Iterator[TrustedOffice]:
    board = TrustedOffice(tmp_path)
    root = board.pc("root")
    for name in ("Rita Reader", "Nora Nonreader"):
        crud.create(root.uow(), PEOPLE, {"name": name})
    board.sync("root")
    board.add("reader", "Rita Reader", "officer")
    board.add("other", "Nora Nonreader", "officer")
    board.settle()
    yield board
    board.close()


def as_pc(office: TrustedOffice, name: str) -> None:
    os.environ["HESCB_TEST_ACCOUNT"] = f"acct-{name}"


def raise_action(office: TrustedOffice, words: str, owner: str = "reader") -> str:
    as_pc(office, "root")
    done = action_service.raise_action(
        office.pc("root").uow(),
        {
            "description": words,
            "owner_id": office.people[owner],
            "due_date": date(2027, 1, 15),
            "raised_on": date(2026, 12, 1),
        },
    )
    return done.value.reference


def files_holding(folder: Path, word: str) -> list[str]:
    """Every file under `folder` whose bytes hold `word` (UTF-8, or UTF-16 as SQLite may)."""
    needles = (word.encode(), word.encode("utf-16-le"))
    return [
        str(p.relative_to(folder))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]


def description(office: TrustedOffice, pc: str, ref: str) -> str:
    rows = office.rows(pc, f"SELECT description FROM actions WHERE reference = '{ref}'")
    return str(rows[0][0])


def pdf_text(data: bytes, path: Path) -> str:
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_word_is_on_readers_pcs_only_never_on_the_share(
    office: TrustedOffice, tmp_path: Path
) -> None:
    ref = raise_action(office, f"{WORD} misconduct hearing: arrange the panel")
    done = restrict.restrict(
        office.pc("root"),
        ref,
        "Rita Reader, secretariat",
        public_title="Part II: staffing matter",
        handling="Do not copy",
    )
    assert (done.readers, done.this_pc_reads, done.already_shared) == (
        "Rita Reader and the secretariat",
        True,
        False,  # restricted before its first sync: the text never reached the share
    )
    office.settle()
    office.settle()
    assert WORD in description(office, "reader", ref)
    assert WORD in description(office, "root", ref)
    shown = description(office, "other", ref)
    assert shown.startswith(f"{PLACEHOLDER} - readership: Rita Reader and the secretariat")
    assert shown.endswith("Part II: staffing matter")
    # a snapshot from a reader's PC carries the text only sealed
    reader = office.pc("reader")
    assert reader.db_path is not None
    make_snapshot(reader.db_path, office.share, reader.device_id, reader.clock.now(), "0014")
    assert files_holding(office.share.folder, WORD) == []
    assert files_holding(office.root / "other", WORD) == []
    assert files_holding(office.root / "reader", WORD) != []
    # the reader prints it; the non-reader's print shows the placeholder
    as_pc(office, "reader")
    rows = boardpacks.open_actions(reader.uow(write=False), None)
    from hescb_desktop.reports.action_log import build_action_log_pdf

    prints = tmp_path / "prints"
    prints.mkdir()
    printed = pdf_text(
        build_action_log_pdf(rows, board="HESCB", title="Action log", author="t"),
        prints / "reader.pdf",
    )
    assert WORD in printed
    as_pc(office, "other")
    rows = boardpacks.open_actions(office.pc("other").uow(write=False), None)
    printed = pdf_text(
        build_action_log_pdf(rows, board="HESCB", title="Action log", author="t"),
        prints / "other.pdf",
    )
    assert WORD not in printed and PLACEHOLDER in printed
    # who reads it, as the readers command says
    info = restrict.readers(office.pc("root"), ref)
    assert info.restricted and info.handling == "Do not copy"
    assert {p.person for p in info.pcs} == {"Rita Reader", "Sally Secretariat"}
    assert all(p.has_key for p in info.pcs)


def test_restricting_a_record_already_shared_says_so_and_hides_it_from_then_on(
    office: TrustedOffice,
) -> None:
    ref = raise_action(office, f"{WORD} budget line for the joint estate")
    office.settle()
    assert WORD in description(office, "other", ref)  # everyone read it before
    done = restrict.restrict(office.pc("root"), ref, "Rita Reader")
    assert done.already_shared and not done.this_pc_reads  # the secretariat is not a reader
    assert description(office, "root", ref).startswith(PLACEHOLDER)
    office.settle()
    office.settle()
    assert description(office, "other", ref).startswith(PLACEHOLDER)
    assert WORD in description(office, "reader", ref)
    # the secretariat's PC held the key only until Rita's PC had a copy: never to read with
    assert description(office, "root", ref).startswith(PLACEHOLDER)
    assert office.rows("root", "SELECT count(*) FROM content_keys") == [(0,)]
    # the restriction's own new values are sealed on the share: only the old segments hold it
    hits = files_holding(office.share.folder, WORD)
    assert hits and all("/segments/" in h for h in hits)


def test_a_non_reader_cannot_change_the_text_and_nothing_is_written(
    office: TrustedOffice,
) -> None:
    ref = raise_action(office, f"{WORD} vetting review")
    restrict.restrict(office.pc("root"), ref, "Rita Reader")
    root = office.pc("root")
    found = action_service.find_action(root.uow(write=False), ref)
    before = office.rows("root", "SELECT count(*) FROM change_log")
    as_pc(office, "root")
    with pytest.raises(NotReaderError, match="restricted to Rita Reader"):
        crud.update(root.uow(), ACTIONS, found.id, {"description": "overwritten"})
    assert office.rows("root", "SELECT count(*) FROM change_log") == before
    assert description(office, "root", ref).startswith(PLACEHOLDER)


def test_a_reader_added_while_their_pc_is_away_reads_when_it_comes_back(
    office: TrustedOffice,
) -> None:
    ref = raise_action(office, f"{WORD} succession plan")
    restrict.restrict(office.pc("root"), ref, "Rita Reader, secretariat")
    office.sync("root")
    office.sync("reader")
    office.sync("root")
    # Nora's PC is away; she is added as a reader meanwhile
    done = restrict.restrict(office.pc("root"), ref, "Rita Reader, Nora Nonreader, secretariat")
    # her PC has not said its sealing key yet (a PC publishes it once the board restricts
    # something, and hers has been away since before): sealed to her once it has
    assert not done.rotated and done.reader_pcs == 0
    office.sync("root")
    office.sync("reader")
    assert office.rows("other", "SELECT count(*) FROM actions") == [(0,)]  # away all along
    office.sync("other")  # back: the record arrives, shown restricted; its sealing key goes out
    assert description(office, "other", ref).startswith(PLACEHOLDER)
    office.sync("other")
    office.sync("root")  # seals the key to it
    office.sync("root")
    office.sync("other")  # and it opens
    assert WORD in description(office, "other", ref)


def test_a_reader_removed_reads_what_they_read_but_not_what_is_written_next(
    office: TrustedOffice,
) -> None:
    ref = raise_action(office, f"{WORD} first draft of the review")
    restrict.restrict(office.pc("root"), ref, "Rita Reader, Nora Nonreader, secretariat")
    office.settle()
    office.settle()
    assert WORD in description(office, "other", ref)
    done = restrict.restrict(office.pc("root"), ref, "Rita Reader, secretariat")
    assert done.rotated
    root = office.pc("root")
    found = action_service.find_action(root.uow(write=False), ref)
    as_pc(office, "root")
    crud.update(root.uow(), ACTIONS, found.id, {"description": "Quokka second draft"})
    office.settle()
    office.settle()
    assert description(office, "reader", ref) == "Quokka second draft"
    assert description(office, "other", ref).startswith(PLACEHOLDER)
    assert files_holding(office.root / "other", "Quokka") == []
    assert files_holding(office.share.folder, "Quokka") == []
    # what Nora read stays readable to her (cannot be unread): the old key is still hers
    assert len(office.rows("other", "SELECT key_id FROM content_keys")) == 1


def test_a_key_sealed_by_someone_else_under_the_readerships_id_is_never_taken(
    office: TrustedOffice,
) -> None:
    """An enrolled PC seals a key of its own choosing to a reader under the readership's key id,
    hoping the reader takes it and writes with it: the readership's key_check refuses it."""
    ref = raise_action(office, f"{WORD} forged key attempt")
    restrict.restrict(office.pc("root"), ref, "Nora Nonreader, secretariat")
    office.settle()
    reader = office.pc("reader")  # Rita is not a reader of this one
    with reader.engine.connect() as conn:
        readership_id, key_id = conn.execute(text("SELECT id, key_id FROM readerships")).one()
        board = conn.execute(text("SELECT value FROM local_state WHERE key='trust_root'")).scalar()
    forged = sealing.new_content_key()
    context = sealing.KeyContext(board, readership_id, key_id, reader.fingerprint)
    blob = sealing.seal_key(forged, sealing.box_public(reader.pc_key), context)
    with office.modified_app("other") as uow:
        uow.session.add(
            SealedKey(
                readership_id=readership_id,
                key_id=key_id,
                reader_pc=reader.fingerprint,
                sealed=base64.b64encode(blob).decode(),
            )
        )
        uow.commit()
    office.settle()
    assert restrict.open_sealed_keys(reader) == 0
    assert office.rows("reader", "SELECT count(*) FROM content_keys") == [(0,)]
    assert description(office, "reader", ref).startswith(PLACEHOLDER)


def test_restricting_is_the_secretariats_and_the_owners(office: TrustedOffice) -> None:
    ref = raise_action(office, f"{WORD} owned by Rita", owner="reader")
    office.settle()
    as_pc(office, "other")
    from hescb_desktop.domain.permissions import NotAllowedError

    with pytest.raises(NotAllowedError, match="only the secretariat and the action's owner"):
        restrict.restrict(office.pc("other"), ref, "Nora Nonreader")
    as_pc(office, "reader")
    done = restrict.restrict(office.pc("reader"), ref, "Rita Reader")  # her own action
    assert done.this_pc_reads


def test_the_restrict_and_readers_commands(office: TrustedOffice) -> None:
    ref = raise_action(office, f"{WORD} for the command line")
    data = office.root / "root"
    office.close()
    env = {"HESCB_TEST_ACCOUNT": "acct-root"}
    result = run(
        "--data-dir", data, "restrict", ref, "--readers", "Rita Reader or secretariat",
        "--public-title", "Part II: staffing", "--json", **env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout)
    assert set(said) == {
        "record", "table", "id", "readers", "public_title", "reader_pcs", "this_pc_reads",
        "already_shared", "rotated",
    }  # fmt: skip
    assert (
        said["record"] == f"action {ref}" and said["readers"] == "Rita Reader and the secretariat"
    )
    shown = run("--data-dir", data, "readers", ref, "--json", **env)
    assert shown.returncode == 0, shown.stderr
    info = json.loads(shown.stdout)
    assert set(info) == {
        "record", "table", "id", "restricted", "readers", "people", "roles", "handling",
        "public_title", "this_pc_reads", "pcs",
    }  # fmt: skip
    assert info["restricted"] and info["roles"] == ["secretariat"]
    assert set(info["pcs"][0]) == {"pc", "person", "pc_name", "has_key"}
    plain = run("--data-dir", data, "readers", ref, **env)
    assert (
        plain.stdout.splitlines()[0]
        == f"action {ref}: restricted to Rita Reader and the secretariat"
    )
    # bad input: one line, exit 2, nothing changed
    assert_refused(
        run("--data-dir", data, "restrict", "HESCB/2026/999", "--readers", "secretariat", **env),
        "no record",
    )
    assert_refused(
        run("--data-dir", data, "restrict", ref, "--readers", "Nobody Known", **env), "Nobody Known"
    )
    assert_refused(
        run("--data-dir", data, "restrict", ref, "--readers", " , ", **env), "name the readers"
    )
    assert_refused(run("--data-dir", data, "readers", "", **env), "name the record")


def test_an_unprotected_board_cannot_restrict(tmp_path: Path) -> None:
    data = tmp_path / "plain"
    assert run("--data-dir", data, "init").returncode == 0
    result = run("--data-dir", data, "restrict", "HESCB/2026/001", "--readers", "secretariat")
    assert_refused(result)


def test_history_shows_readers_the_text_and_the_audit_trail_never(
    office: TrustedOffice,
) -> None:
    from hescb_desktop.services import audit
    from hescb_desktop.services import sync as sync_service

    ref = raise_action(office, f"{WORD} history check")
    restrict.restrict(office.pc("root"), ref, "Rita Reader, secretariat")
    office.settle()
    office.settle()
    for pc, sees in (("reader", True), ("other", False)):
        ctx = office.pc(pc)
        action = action_service.find_action(ctx.uow(write=False), ref)
        for rows in (
            audit.record_history(ctx, "actions", action.id),
            sync_service.history(ctx, "actions", action.id),
        ):
            shown = [str(r.value) for r in rows if r.column == "description"]
            assert shown, pc
            assert any(WORD in v for v in shown) is sees, (pc, shown)
            assert not any("hescb-enc" in v for v in shown)
            if not sees:
                assert all(v == PLACEHOLDER for v in shown)
    assert (
        audit.short_value(
            office.rows("reader", "SELECT value FROM change_log WHERE column_name = 'description'")[
                -1
            ][0]
        )
        == "(restricted)"
    )


def test_subject_access_holds_everything_about_a_person_but_what_this_pc_does_not_read(
    office: TrustedOffice, tmp_path: Path
) -> None:
    from hescb_desktop.services import subject_access

    open_ref = raise_action(office, "Quarterly estates walk-round", owner="reader")
    read_ref = raise_action(office, f"{WORD} restricted, read here", owner="reader")
    hidden_ref = raise_action(office, "Vetting panel for Rita Reader", owner="other")
    restrict.restrict(office.pc("root"), read_ref, "Rita Reader, secretariat")
    restrict.restrict(
        office.pc("root"), hidden_ref, "Nora Nonreader", public_title="Part II: vetting"
    )
    office.settle()
    as_pc(office, "root")
    found = subject_access.subject_access(office.pc("root"), "Rita Reader")
    titles = {r.title for r in found.records}
    assert any(t.startswith(open_ref) for t in titles)
    assert any(t.startswith(read_ref) and WORD in t for t in titles)  # a reader here: included
    assert [(w.public_title, w.readership, w.why) for w in found.withheld] == [
        ("Part II: vetting", "Nora Nonreader", "its text cannot be read here: it may name them")
    ]  # its text names her, but this PC does not read it: listed for a reader to check
    assert not any(hidden_ref in t for t in titles)
    own = next(r for r in found.records if r.table == "people")
    assert own.why == ("their own entry",) or "their own entry" in own.why
    pdf, data = subject_access.write_bundle(found, tmp_path / "sar")
    bundle = json.loads(data.read_text(encoding="utf-8"))
    assert bundle["person"]["name"] == "Rita Reader"
    assert len(bundle["records"]) == len(found.records) and len(bundle["withheld"]) == 1
    printed = pdf_text(pdf.read_bytes(), tmp_path / "read.pdf")
    assert WORD in printed and "Vetting panel" not in printed and "Part II: vetting" in printed
    # an officer cannot make one
    as_pc(office, "reader")
    from hescb_desktop.domain.permissions import NotAllowedError

    with pytest.raises(NotAllowedError):
        subject_access.subject_access(office.pc("reader"), "Rita Reader")


def test_the_subject_access_command(office: TrustedOffice, tmp_path: Path) -> None:
    raise_action(office, "Fleet telematics review", owner="reader")
    data = office.root / "root"
    office.close()
    env = {"HESCB_TEST_ACCOUNT": "acct-root"}
    out = tmp_path / "bundle"
    result = run("--data-dir", data, "subject-access", "Rita Reader", "-o", out, **env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("subject access: Rita Reader: ")
    pdf, js = (Path(line.split(": ", 1)[1]) for line in lines[1:3])
    assert pdf.parent == out and pdf.suffix == ".pdf" and js.suffix == ".json"
    bundle = json.loads(js.read_text(encoding="utf-8"))
    assert set(bundle) == {
        "person", "made_at", "made_by", "marking", "changes_made_by_them", "records", "withheld",
    }  # fmt: skip
    assert set(bundle["records"][0]) == {
        "kind", "table", "id", "title", "why", "when", "deleted", "marking", "fields",
    }  # fmt: skip
    assert_refused(run("--data-dir", data, "subject-access", "Nobody", "-o", out, **env), "Nobody")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert_refused(
        run("--data-dir", data, "subject-access", "Rita Reader", "-o", a_file, **env), "a file"
    )
    officer = {"HESCB_TEST_ACCOUNT": "acct-reader"}
    refused = run(
        "--data-dir", office.root / "reader", "subject-access", "Rita Reader", "-o", out, **officer
    )
    assert_refused(refused, "secretariat")


def pdf_with(words: str) -> bytes:
    """A one-page PDF whose words lie in its bytes as written (no compression)."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=0)
    page.drawString(72, 720, words)
    page.showPage()
    page.save()
    return out.getvalue()


def test_a_restricted_papers_files_reach_its_readers_only(office: TrustedOffice) -> None:
    """A file attached before the restriction (not yet synced) and one attached after: their
    bytes reach the share and the non-reader's PC only sealed; the reader prints them."""
    from hescb_desktop.services import papers

    as_pc(office, "root")
    root = office.pc("root")
    paper = papers.create_paper(root.uow(), {"title": "Conduct report", "part": "II"}).value
    before = pdf_with(f"{WORD} appendix A: the panel's findings")
    papers.attach_file(root.uow(), paper.id, "Appendix A - findings.pdf", before)
    done = restrict.restrict(root, paper.id, "Rita Reader, secretariat", public_title="Staffing")
    assert not done.already_shared  # the file had not left this PC: its bytes are sealed
    after = pdf_with(f"{WORD} appendix B: the officer's reply")
    papers.attach_file(root.uow(), paper.id, "Appendix B - reply.pdf", after)
    office.settle()
    office.settle()
    chunks = [base64.b64encode(data)[400:480].decode() for data in (before, after)]
    for folder in (office.share.folder, office.root / "other"):
        for needle in (WORD, "Appendix A - findings", *chunks):
            assert files_holding(folder, needle) == [], (folder.name, needle)
    reader, other = office.pc("reader"), office.pc("other")
    for data in (before, after):
        sha = hashlib.sha256(data).hexdigest()
        assert papers.blob_bytes(reader.uow(write=False), sha) == data
        assert papers.blob_bytes(other.uow(write=False), sha) is None
    names = sorted(a.filename for a in papers.attachments_of(other.uow(write=False), paper.id))
    assert names and all(n.startswith(PLACEHOLDER) or n == "" for n in names)
    names = sorted(a.filename for a in papers.attachments_of(reader.uow(write=False), paper.id))
    assert names == ["Appendix A - findings.pdf", "Appendix B - reply.pdf"]
    as_pc(office, "reader")
    printed = boardpacks.paper_content(reader.uow(write=False), paper.id)
    assert [a.data for a in printed.appendices] == [before, after]
    as_pc(office, "other")
    with pytest.raises(boardpacks.PackProblemsError, match="only their readers print them"):
        boardpacks.paper_content(other.uow(write=False), paper.id)


def test_restricting_a_paper_whose_file_was_shared_keeps_the_file_apart_from_then_on(
    office: TrustedOffice,
) -> None:
    """The file went to every PC in clear before: the app says so; the paper's own copy of the
    bytes is sealed, and a public paper attaching the same file still uses the shared bytes."""
    from hescb_desktop.services import papers

    as_pc(office, "root")
    root = office.pc("root")
    paper = papers.create_paper(root.uow(), {"title": "Estates options"}).value
    data = pdf_with("Estates options appendix")
    papers.attach_file(root.uow(), paper.id, "options.pdf", data)
    office.settle()
    done = restrict.restrict(root, paper.id, "Rita Reader, secretariat")
    assert done.already_shared
    office.settle()
    office.settle()
    sha = hashlib.sha256(data).hexdigest()
    own = office.rows(
        "other", f"SELECT data_b64 FROM attachment_blobs WHERE paper_id = '{paper.id}'"
    )
    assert len(own) == 1 and not str(own[0][0]).startswith("JVBER")  # not the bytes: a placeholder
    assert papers.blob_bytes(office.pc("reader").uow(write=False), sha) == data
    public = papers.create_paper(root.uow(), {"title": "Public estates note"}).value
    papers.attach_file(root.uow(), public.id, "options.pdf", data)
    shared = office.rows("root", f"SELECT count(*) FROM attachment_blobs WHERE sha256 = '{sha}'")
    assert shared == [(2,)]  # the shared blob and the paper's own: no third copy


def test_an_officers_restriction_of_another_persons_record_is_refused_on_every_merge(
    office: TrustedOffice,
) -> None:
    """A modified app on an officer's PC writes a restriction of Rita's action (its text would
    then be readable only by whom the officer chose): every other PC refuses it on merge, as it
    does any change beyond the writer's role. Restricting the officer's own action is theirs."""
    ritas = raise_action(office, "Rita's action: review the joint estate", owner="reader")
    noras = raise_action(office, "Nora's action: draft the drone policy", owner="other")
    office.settle()
    ids = {
        ref: office.rows("root", f"SELECT id FROM actions WHERE reference = '{ref}'")[0][0]
        for ref in (ritas, noras)
    }
    from hescb_desktop.storage.models import Readership, Restriction

    with office.modified_app("other") as uow:
        readership = Readership(label="Nora", people="[]", roles="[]", key_id="k", key_check="c")
        uow.session.add(readership)
        uow.session.flush()
        uow.session.add(
            Restriction(
                id=restrict.restriction_id("actions", ids[ritas]),
                table_name="actions",
                record_id=ids[ritas],
                readership_id=readership.id,
                public_title="hidden",
            )
        )
        uow.commit()
    as_pc(office, "other")
    restrict.restrict(office.pc("other"), noras, "Nora Nonreader, secretariat")
    office.settle()
    office.settle()
    for pc in ("root", "reader"):
        held = {r[0] for r in office.rows(pc, "SELECT record_id FROM restrictions")}
        assert held == {ids[noras]}, pc  # her own: taken; Rita's: refused
        refused = [r for r in office.refused(pc) if r[0] == "restrictions"]
        assert refused and all("only their own records" in r[2] for r in refused), refused
        assert description(office, pc, ritas) == "Rita's action: review the joint estate"
