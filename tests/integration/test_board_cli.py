"""`board` and `board-pdf` as real subprocesses on a real database; the PDF read back and its
pages rendered (pypdf, pdftotext)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_cli import assert_refused, run, sha

from hescb_desktop.domain.enums import Marking, Rag, RagDimension
from hescb_desktop.paths import DB_FILENAME
from hescb_desktop.services import crud, planning
from hescb_desktop.services.context import open_context
from hescb_desktop.services.entities import OBJECTIVES, ORGANISATIONS

pytestmark = pytest.mark.slow
TITLES = ("Joint HQ <phase 1> & fit-out", "Shared drone unit", "Łódź exchange 😀")


@pytest.fixture
def board_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    ctx = open_context(data)
    hc = crud.create(ctx.uow(), ORGANISATIONS, {"code": "HC", "name": "Police"}).value.id
    today = date.today()
    ids = []
    for n, (title, stage) in enumerate(
        zip(TITLES, ("In delivery", "In delivery", "Proposed"), strict=True)
    ):
        ids.append(
            crud.create(
                ctx.uow(),
                OBJECTIVES,
                {
                    "title": title,
                    "stage": stage,
                    "position": float(n),
                    "lead_organisation_id": hc,
                    "start_date": today - timedelta(days=200),
                    "target_date": today + timedelta(days=300),
                },
            ).value.id
        )
    planning.set_rag(ctx.uow(), ids[0], {RagDimension.COST: Rag.RED}, reason="overspend")
    planning.save_milestone(
        ctx.uow(),
        {
            "objective_id": ids[0],
            "title": "Planning consent",
            "due_date": today + timedelta(days=40),
        },
    )
    planning.add_dependency(ctx.uow(), ids[1], ids[0])
    planning.update_objective(ctx.uow(), ids[2], {"marking": Marking.OFFICIAL_SENSITIVE})
    ctx.close()
    return data


def test_board_lists_stage_rag_and_next_milestone(board_dir: Path) -> None:
    result = run("--data-dir", board_dir, "board")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["STAGE", "RAG", "OBJECTIVE", "NEXT", "MILESTONE"]
    assert lines[1].startswith("Proposed") and TITLES[2] in lines[1]
    assert "RED" in lines[2] and TITLES[0] in lines[2] and "Planning consent" in lines[2]
    assert TITLES[1] in lines[3]


def test_board_json_and_csv(board_dir: Path) -> None:
    rows = json.loads(run("--data-dir", board_dir, "board", "--json").stdout)
    assert [r["title"] for r in rows] == [TITLES[2], TITLES[0], TITLES[1]]
    first = rows[1]
    assert first["rag"]["overall"] == "red" and first["rag"]["cost"] == "red"
    assert first["next_milestone"]["title"] == "Planning consent"
    assert rows[0]["marking"] == "OFFICIAL-SENSITIVE"
    out = run("--data-dir", board_dir, "board", "--csv").stdout
    assert out.startswith("\ufeffTitle,Stage,")  # UTF-8 with a BOM, as `actions list --csv`
    table = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert table[0][0] == "Title" and [r[0] for r in table[1:]] == [r["title"] for r in rows]
    only = json.loads(run("--data-dir", board_dir, "board", "--json", "--stage", "proposed").stdout)
    assert [r["title"] for r in only] == [TITLES[2]]


def test_board_pdf_landscape_marked_on_every_page(board_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.pdf"
    result = run("--data-dir", board_dir, "board-pdf", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "OFFICIAL-SENSITIVE" in result.stdout  # the highest marking of what it holds
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height  # landscape
        text = page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") >= 2  # top and bottom
    board_text, roadmap_text = (p.extract_text() for p in reader.pages)
    assert "Planning board" in board_text and "Roadmap" in roadmap_text
    for title in TITLES[:2]:
        assert title in board_text.replace("\n", " ") or title in _pdftotext(out)
    assert "Today" in roadmap_text and "Planning consent" in board_text.replace("\n", " ")
    assert "Łódź exchange 😀" in _pdftotext(out)
    png = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(out), str(png)], check=True
    )
    assert next(tmp_path.glob("page*.png")).stat().st_size > 2000  # drawn, not blank


def _pdftotext(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("board", "--stage", "Nowhere"), ("no stage", "Nowhere")),
        (("board-pdf",), ("-o",)),
        (("board-pdf", "-o", "{dir}"), ("is a folder",)),
        (("board-pdf", "-o", "{dir}/x.txt"), (".pdf",)),
        (("board", "--json", "--csv"), ("not allowed",)),
    ],
)
def test_bad_input_refused_one_line(
    board_dir: Path, tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    before = sha(board_dir / DB_FILENAME)
    result = run("--data-dir", board_dir, *(a.replace("{dir}", str(tmp_path)) for a in args))
    assert_refused(result, *words)
    assert sha(board_dir / DB_FILENAME) == before
    assert not (tmp_path / "x.txt").exists()


def test_no_database_refused(tmp_path: Path) -> None:
    assert_refused(run("--data-dir", tmp_path / "none", "board"), "no database")
    assert not (tmp_path / "none" / DB_FILENAME).exists()
