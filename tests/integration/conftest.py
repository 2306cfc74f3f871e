"""Fixtures for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_office import Office


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    """A few PCs and one share; every PC's database is closed afterwards."""
    o = Office(tmp_path)
    yield o
    for ctx in o.pcs.values():
        ctx.close()
