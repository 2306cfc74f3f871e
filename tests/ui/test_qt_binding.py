"""The Qt binding itself keeps Python's reference counts right.

PySide6 6.12.0 drops a reference to None on every call that returns nothing; on Python 3.11
(where None is not immortal) the app then aborts with "deallocating None" after some thousands
of painter calls (a board of 300 cards does that in seconds). pyproject.toml keeps it out.

Two checks: the installed binding is one pyproject.toml allows and not a release known to be
broken (this can fail on every Python); and, where None is mortal (before 3.12), calls that
return nothing leave its reference count alone. On 3.12+ None is immortal: its count never
moves, so what is checked there is that it is immortal (what keeps such a binding harmless).
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QImage, QPainter

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
BINDING = ("PySide6-Essentials", "PySide6-Addons")
KNOWN_BAD = {Version("6.12.0")}  # drops a reference to None on every call returning nothing
NONE_IS_IMMORTAL = sys.version_info >= (3, 12)


def pinned(name: str, dependencies: list[str]) -> Requirement:
    """The requirement pyproject.toml gives for `name`."""
    found = [r for r in map(Requirement, dependencies) if r.name.lower() == name.lower()]
    assert found, f"pyproject.toml does not pin {name}"
    return found[0]


def binding_problems(installed: dict[str, str], dependencies: list[str]) -> list[str]:
    """What is wrong with the installed binding: outside its pin, or a known-bad release."""
    problems = []
    for name, version in installed.items():
        if Version(version) in KNOWN_BAD:
            problems.append(f"{name} {version} is known to break reference counts")
        spec = pinned(name, dependencies).specifier
        if not spec.contains(version, prereleases=True):
            problems.append(f"{name} {version} is outside pyproject.toml's {spec}")
    return problems


def test_the_installed_binding_is_one_pyproject_allows() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    installed = {name: metadata.version(name) for name in BINDING}
    import PySide6  # the module in use, not only the distribution's metadata

    installed["PySide6-Essentials"] = PySide6.__version__
    assert binding_problems(installed, dependencies) == []


def test_the_check_refuses_the_known_bad_release() -> None:
    dependencies = ["PySide6-Essentials>=6.7"]  # a pin that would let it in
    assert binding_problems({"PySide6-Essentials": "6.12.0"}, dependencies) != []
    assert binding_problems({"PySide6-Essentials": "6.11.3"}, ["PySide6-Essentials<6.11"]) != []


def test_calls_returning_nothing_keep_none_alive() -> None:
    """Before 3.12, counted: the calls leave None's count alone. From 3.12 None is immortal (its
    count is pinned far out of reach, PEP 683), which is what makes such a binding harmless
    there: that is checked instead, so the test means something on every Python."""
    if NONE_IS_IMMORTAL:
        assert sys.getrefcount(None) >= 2**30 - 1, "None is not immortal on this Python"
        return
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    thing = QObject()
    before = sys.getrefcount(None)
    for _ in range(500):
        painter.setPen(Qt.PenStyle.NoPen)
        thing.setObjectName("x")
    painter.end()
    assert sys.getrefcount(None) - before > -100
