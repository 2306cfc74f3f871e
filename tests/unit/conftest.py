"""Unit-test fixtures: a real SQLite file per test, at the head schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hescb_desktop.services.context import ServiceContext, open_context


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[ServiceContext]:
    context = open_context(tmp_path)
    yield context
    context.close()
