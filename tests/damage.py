"""Test helper: damage a closed database file the way a disk does, behind the app's back.

Both keep the file's size and put its modification time back (to the nanosecond), so the
clean-close marker beside it still matches on size and time.
"""

from __future__ import annotations

import os
from pathlib import Path

PAGE = 4096


def _rewrite(path: Path, change: dict[int, int]) -> None:
    st = path.stat()
    data = bytearray(path.read_bytes())
    for offset, value in change.items():
        data[offset] = value
    with path.open("r+b") as fh:  # in place: same inode, same size
        fh.write(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def _find(path: Path, needle: bytes) -> int:
    offset = path.read_bytes().find(needle)
    assert offset >= 0, f"{needle!r} is not in {path}"
    return offset


def rot_text(path: Path, needle: bytes) -> None:
    """Flip a bit in each byte of `needle` where it is stored (inside a table's page): the
    page stays well formed, so SQLite's own checks see nothing; only the bytes differ."""
    at = _find(path, needle)
    _rewrite(path, {at + i: b ^ 0x01 for i, b in enumerate(needle)})


def break_page(path: Path, needle: bytes) -> int:
    """Overwrite the b-tree header of the page that holds `needle`: the rows on that page can no
    longer be read and SQLite's quick check fails. Returns the page number (1-based)."""
    page = _find(path, needle) // PAGE
    start = page * PAGE
    _rewrite(path, {start + i: 0xA5 for i in range(12)})
    return page + 1


def pages_of(path: Path, table: str) -> set[int]:
    """The pages (1-based) of `table`'s b-tree, from SQLite's dbstat (read only)."""
    import sqlite3

    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {
            int(p) for (p,) in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))
        }
    finally:
        conn.close()


def break_page_of(path: Path, table: str, needle: bytes) -> int:
    """break_page on the page of `table` that holds `needle` (the same text may also be in
    change_log's copy of the value, or in an index)."""
    pages = pages_of(path, table)
    data = path.read_bytes()
    at = data.find(needle)
    while at >= 0 and at // PAGE + 1 not in pages:
        at = data.find(needle, at + 1)
    assert at >= 0, f"{needle!r} is not in a page of {table}"
    start = at // PAGE * PAGE
    _rewrite(path, {start + i: 0xA5 for i in range(12)})
    return at // PAGE + 1
