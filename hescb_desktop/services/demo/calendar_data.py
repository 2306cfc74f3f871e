"""Diary entries of the chief officers, bookings of the shared assets and recurring meetings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    summary: str
    minutes: int
    where: str  # a room key of the executive suite, or a place ({area} filled in)
    flag: str = ""  # "sensitive" (OFFICIAL-SENSITIVE, busy only), "private"
    with_key: str = ""  # another person attending


ROOMS = ("boardroom", "room1", "room2", "conference")
SLOTS = ((8, 30), (9, 30), (10, 0), (11, 0), (12, 30), (13, 30), (14, 0), (15, 0), (16, 0))

DIARIES: dict[str, tuple[tuple[str, ...], tuple[Entry, ...]]] = {
    "HC": (
        ("cc", "dcc", "acc"),
        (
            Entry("Chief Officer Group", 120, "conference"),
            Entry("Force Performance Board", 120, "boardroom"),
            Entry("Holding to account meeting with the Commissioner", 90, "room1", with_key="pcc"),
            Entry("1:1 with the Deputy Chief Constable", 60, "room2", with_key="dcc"),
            Entry("Eastern Region chief officers' meeting", 180, "Video call"),
            Entry("Station visit: {area}", 120, "{area} police station"),
            Entry("Media briefing", 30, "room2"),
            Entry("Gold group: critical incident review", 60, "conference", "sensitive"),
            Entry("Personal appointment", 60, "", "private"),
            Entry("{area} Community Safety Partnership", 120, "{area}"),
        ),
    ),
    "HFRS": (
        ("cfo", "dcfo", "acfo"),
        (
            Entry("Fire Service Management Board", 120, "conference"),
            Entry(
                "Briefing for the Cabinet Member for Community Safety", 60, "County Hall, Hertford"
            ),
            Entry("Station visit: {area}", 120, "{area} fire station"),
            Entry("NFCC regional meeting", 180, "Video call"),
            Entry("Incident command assessment", 180, "Fire service training centre"),
            Entry("Prevention team briefing", 60, "room1"),
            Entry("Gold group: major fire debrief", 90, "conference", "sensitive"),
            Entry("Personal appointment", 60, "", "private"),
            Entry("1:1 with the Deputy Chief Fire Officer", 60, "room2", with_key="dcfo"),
        ),
    ),
    "HCC": (
        ("dcp", "safeguarding", "property"),
        (
            Entry("Corporate Management Board", 120, "County Hall, Hertford"),
            Entry("Cabinet Member briefing: Community Safety", 60, "County Hall, Hertford"),
            Entry("{area} Community Safety Partnership", 120, "{area}"),
            Entry("Safeguarding Adults Board", 150, "County Hall, Hertford"),
            Entry("Local Resilience Forum executive", 120, "room2"),
            Entry("Property portfolio review", 90, "room1"),
        ),
    ),
    "OPCC": (
        ("pcc", "opcc_ce", "opcc_cfo"),
        (
            Entry("Police and Crime Panel", 180, "County Hall, Hertford"),
            Entry("Public engagement: {area}", 120, "{area}"),
            Entry(
                "Holding to account meeting with the Chief Constable", 90, "room1", with_key="cc"
            ),
            Entry("Commissioning board", 90, "room2"),
            Entry("Victims' services provider review", 60, "Video call"),
            Entry("Joint Audit Committee", 150, "County Hall, Hertford"),
            Entry("Personal appointment", 60, "", "private"),
        ),
    ),
}
WEEKEND = (
    Entry("Community engagement: {area} open day", 180, "{area}"),
    Entry("Strategic (Gold) commander on call", 480, "On call"),
)

# summary, minutes, organisation the booking serves, flag, only in the past (unplanned work)
DRONE = (
    ("Drone unit: missing person search support for HC", 240, "HC", "sensitive", True),
    ("Drone unit: fire scene survey", 180, "HFRS", "", True),
    ("Drone unit: pilot currency training", 120, "HFRS", "", False),
    ("Drone unit: maintenance and airworthiness checks", 240, "HFRS", "", False),
    ("Drone unit: joint search exercise with HC", 180, "HC", "", False),
    ("Drone unit: demonstration to the {area} Community Safety Partnership", 90, "HFRS", "", False),
)
WEEKEND_DRONE = ("Drone unit: weekend standby for missing person searches", 480, "HC", "", False)
COMMAND_UNIT = (
    ("Mobile command unit: {area} carnival", 480),
    ("Mobile command unit: joint major incident exercise", 360),
    ("Mobile command unit: maintenance", 240),
)

# summary, rrule, start, minutes, location (room key or place), owner, attendees
RECURRING = (
    (
        "Executive suite weekly planning meeting",
        "FREQ=WEEKLY;BYDAY=MO",
        (9, 0),
        30,
        "room1",
        "secretary",
        ("secretary", "progmgr", "dcc", "dcfo"),
    ),
    (
        "Joint duty officers' call",
        "FREQ=WEEKLY;BYDAY=TU,TH",
        (8, 0),
        15,
        "Video call",
        "acc",
        ("acc", "acfo"),
    ),
    (
        "Collaboration programme team meeting",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        (11, 0),
        60,
        "Video call",
        "progmgr",
        ("progmgr", "estates", "training", "infogov"),
    ),
    (
        "Chief officers' joint wellbeing check-in",
        "FREQ=MONTHLY;BYDAY=1FR",
        (12, 0),
        30,
        "Video call",
        "dcc",
        ("dcc", "dcfo", "opcc_ce"),
    ),
)
RRULE_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4}
