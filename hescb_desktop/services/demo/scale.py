"""How much demo data to make: the first-run board (small) and the five-year benchmark (large).

`medium` (hidden from the command line) is a tenth of `large`, for the normal test run.
"""

from __future__ import annotations

from dataclasses import dataclass

from hescb_desktop.domain.errors import ValidationError

ALL_BODIES = ("HESCB", "JESG", "JTSG", "DUPB", "MPWG", "PFSG", "ISWG")


@dataclass(frozen=True)
class Scale:
    name: str
    days_back: int  # meetings, minutes and actions from this many days ago ...
    days_ahead: int  # ... to this many days ahead
    bodies: tuple[str, ...]
    cadence_days: int  # between meetings of one body
    reports: tuple[int, int]  # reports (papers) per meeting, standing reports included
    actions_per_report: tuple[int, int]
    extra_people: int  # beyond the named chief officers and staff
    generated_objectives: int  # beyond the programme of DOMAIN.md
    workstreams_each: int  # under each generated objective
    diary_back: int  # chief officers' diaries from this many days ago ...
    diary_ahead: int  # ... to this many ahead
    diary_per_day: float  # entries per organisation per working day
    drone_per_week: float
    extra_opportunities: int
    declaration_every: int  # one declaration of interest every N held meetings
    atomic: bool = True  # one transaction; else a commit every chunk (below)
    meetings_per_uow: int = 10
    days_per_uow: int = 60


SMALL = Scale(
    name="small",
    days_back=335,
    days_ahead=80,
    bodies=("HESCB", "JESG"),
    cadence_days=49,
    reports=(3, 5),
    actions_per_report=(1, 2),
    extra_people=0,
    generated_objectives=0,
    workstreams_each=0,
    diary_back=70,
    diary_ahead=45,
    diary_per_day=1.3,
    drone_per_week=2.0,
    extra_opportunities=0,
    declaration_every=6,
)

LARGE = Scale(
    name="large",
    days_back=1735,
    days_ahead=90,
    bodies=ALL_BODIES,
    cadence_days=51,
    reports=(4, 5),
    actions_per_report=(4, 6),
    extra_people=70,
    generated_objectives=40,
    workstreams_each=6,
    diary_back=1735,
    diary_ahead=90,
    diary_per_day=3.6,
    drone_per_week=5.0,
    extra_opportunities=60,
    declaration_every=5,
    atomic=False,
    meetings_per_uow=25,
    days_per_uow=120,
)

MEDIUM = Scale(
    name="medium",
    days_back=170,
    days_ahead=12,
    bodies=ALL_BODIES,
    cadence_days=51,
    reports=(4, 5),
    actions_per_report=(4, 6),
    extra_people=10,
    generated_objectives=2,
    workstreams_each=4,
    diary_back=170,
    diary_ahead=12,
    diary_per_day=3.6,
    drone_per_week=5.0,
    extra_opportunities=6,
    declaration_every=5,
)

SCALES = {s.name: s for s in (SMALL, MEDIUM, LARGE)}


def scale_named(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValidationError(f'unknown demo scale "{name}": use small or large') from None
