"""The four partners, their chief officers and staff (invented names), the executive suite's
rooms and the shared assets."""

from __future__ import annotations

import re

from hescb_desktop.domain.enums import ResourceKind
from hescb_desktop.services.demo.base import Demo, PersonInfo, RoomInfo, add
from hescb_desktop.services.entities import ORGANISATIONS, PEOPLE, RESOURCES
from hescb_desktop.storage.uow import UnitOfWork

# code, name, colour, e-mail domain
PARTNERS = (
    ("HC", "Hertfordshire Constabulary", "#1d4f91", "herts.police.uk"),
    ("HFRS", "Hertfordshire Fire and Rescue Service", "#c8102e", "hertfordshire.gov.uk"),
    ("HCC", "Hertfordshire County Council", "#00703c", "hertfordshire.gov.uk"),
    ("OPCC", "Office of the Police and Crime Commissioner", "#5b2c83", "hertscommissioner.org"),
)
DOMAINS = {code: domain for code, _, _, domain in PARTNERS}

# key, name, role, organisation. Every name is invented.
STAFF = (
    ("cc", "Rebecca Thornbury", "Chief Constable", "HC"),
    ("dcc", "Martin Ashdown", "Deputy Chief Constable", "HC"),
    ("acc", "Priya Kendal", "Assistant Chief Constable, Local Policing", "HC"),
    ("dsupt", "Daniel Brierley", "Detective Superintendent, Public Protection", "HC"),
    ("estates", "Graham Pellow", "Head of Joint Estates and Facilities", "HC"),
    ("ict", "Susan Okafor", "Head of Joint ICT", "HC"),
    ("secretary", "Claire Whitmore", "Board Secretary, Executive Suite", "HC"),
    ("progmgr", "Tom Haldane", "Collaboration Programme Manager", "HC"),
    ("suite", "Rosie Calder", "Executive Suite Officer", "HC"),
    ("cc_so", "Mark Ellison", "Staff Officer to the Chief Constable", "HC"),
    ("cfo", "Alastair Wren", "Chief Fire Officer", "HFRS"),
    ("cfo_so", "Jasmin Patel", "Staff Officer to the Chief Fire Officer", "HFRS"),
    ("dcfo", "Joanna Merriweather", "Deputy Chief Fire Officer", "HFRS"),
    ("acfo", "Kwame Asante", "Assistant Chief Fire Officer, Prevention and Protection", "HFRS"),
    ("training", "Helen Tarrant", "Head of Training and Development", "HFRS"),
    ("drone", "Lewis Garside", "Station Commander, Drone Unit", "HFRS"),
    ("dcp", "Catherine Aldous", "Director of Community Protection", "HCC"),
    ("safeguarding", "Nadia Hussain", "Head of Safeguarding Partnerships", "HCC"),
    ("property", "Trevor Linfield", "Head of Property", "HCC"),
    ("infogov", "Owen Pritchard", "Information Governance Manager", "HCC"),
    ("pcc", "Malcolm Featherstone", "Police and Crime Commissioner", "OPCC"),
    ("opcc_ce", "Fiona Carrick", "Chief Executive, OPCC", "OPCC"),
    ("opcc_cfo", "Stuart Benning", "Chief Finance Officer, OPCC", "OPCC"),
    ("policy", "Aisha Rahman", "Head of Policy and Commissioning", "OPCC"),
)
ME = "progmgr"  # whose settings the demo saves: owns open actions, so Home has some

# key, name, kind, owner, capacity, description
RESOURCE_LIST = (
    (
        "boardroom",
        "Executive Boardroom",
        ResourceKind.ROOM,
        "HC",
        24,
        "Executive suite, Constabulary HQ, Welwyn Garden City. Screen, phone, hearing loop.",
    ),
    (
        "room1",
        "Suite Meeting Room 1",
        ResourceKind.ROOM,
        "HC",
        8,
        "Executive suite, Constabulary HQ, Welwyn Garden City. Screen and camera.",
    ),
    (
        "room2",
        "Suite Meeting Room 2",
        ResourceKind.ROOM,
        "HC",
        8,
        "Executive suite, Constabulary HQ, Welwyn Garden City.",
    ),
    (
        "conference",
        "Chief Officers' Conference Room",
        ResourceKind.ROOM,
        "HC",
        14,
        "Executive suite, Constabulary HQ, Welwyn Garden City. Secure video link.",
    ),
    (
        "drone",
        "Shared drone unit",
        ResourceKind.ASSET,
        "HFRS",
        None,
        "Fire service drone unit with thermal imaging, deployed for fires and for police searches "
        "for vulnerable missing people. Two pilots on each deployment.",
    ),
    (
        "command",
        "Mobile command unit",
        ResourceKind.ASSET,
        "HFRS",
        10,
        "Joint police and fire incident command vehicle for major incidents and planned events.",
    ),
)

FIRST_NAMES = (
    "Adam",
    "Alison",
    "Amir",
    "Bethany",
    "Callum",
    "Carys",
    "Declan",
    "Deborah",
    "Elliot",
    "Esther",
    "Farah",
    "Gareth",
    "Gemma",
    "Harriet",
    "Imran",
    "Isla",
    "Jasper",
    "Joanne",
    "Karen",
    "Leon",
    "Lucy",
    "Marcus",
    "Megan",
    "Neil",
    "Olivia",
    "Patrick",
    "Rachel",
    "Rhys",
    "Sanjay",
    "Sophie",
    "Tariq",
    "Ursula",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zoe",
)
LAST_NAMES = (
    "Abbott",
    "Barraclough",
    "Chaudhry",
    "Dunmore",
    "Eastwood",
    "Fairbrother",
    "Goodall",
    "Hartnell",
    "Ingleby",
    "Jessop",
    "Kettering",
    "Lomax",
    "Mallory",
    "Norbury",
    "Oakes",
    "Pennington",
    "Quarmby",
    "Rowntree",
    "Sefton",
    "Tennant",
    "Underhill",
    "Varley",
    "Wainwright",
    "Yardley",
    "Ashworth",
    "Bramley",
    "Cotterill",
    "Danvers",
    "Elsworth",
)
EXTRA_ROLES = {
    "HC": (
        "Superintendent, {area}",
        "Chief Inspector, Partnerships",
        "Inspector, {area}",
        "Search Adviser (PolSA)",
        "Business Partner, Finance",
        "Project Manager",
    ),
    "HFRS": (
        "Group Commander, {area}",
        "Station Commander, {area}",
        "Watch Manager, Training",
        "Prevention Manager",
        "Business Partner, Finance",
        "Project Manager",
    ),
    "HCC": (
        "Community Safety Manager",
        "Senior Property Surveyor",
        "Data Protection Officer",
        "Emergency Planning Officer",
        "Safeguarding Lead, Adult Care Services",
    ),
    "OPCC": (
        "Policy Officer",
        "Commissioning Manager",
        "Head of Communications",
        "Performance and Scrutiny Officer",
    ),
}
AREAS = (
    "Broxbourne",
    "Dacorum",
    "East Herts",
    "Hertsmere",
    "North Herts",
    "St Albans",
    "Stevenage",
    "Three Rivers",
    "Watford",
    "Welwyn Hatfield",
)


def build_people(demo: Demo, uow: UnitOfWork) -> None:
    for code, name, colour, _ in PARTNERS:
        demo.orgs[code] = add(uow, ORGANISATIONS, {"code": code, "name": name, "colour": colour})
        demo.org_names[code] = name
    for key, name, role, org in STAFF:
        _person(demo, uow, key, name, role, org)
    _extra_people(demo, uow)
    for key, name, kind, owner, capacity, description in RESOURCE_LIST:
        rid = add(
            uow,
            RESOURCES,
            {
                "name": name,
                "kind": kind,
                "organisation_id": demo.orgs[owner],
                "capacity": capacity,
                "description": description,
            },
        )
        demo.rooms[key] = RoomInfo(key, rid, name)


def _person(demo: Demo, uow: UnitOfWork, key: str, name: str, role: str, org: str) -> None:
    local = ".".join(re.sub(r"[^a-z-]", "", part.lower()) for part in name.split())
    pid = add(
        uow,
        PEOPLE,
        {
            "name": name,
            "role": role,
            "organisation_id": demo.orgs[org],
            "email": f"{local}@{DOMAINS[org]}",
        },
    )
    demo.people[key] = PersonInfo(key, pid, name, role, org)


def _extra_people(demo: Demo, uow: UnitOfWork) -> None:
    taken = {p.name for p in demo.people.values()}
    orgs = ("HC", "HFRS", "HC", "HFRS", "HCC", "OPCC")
    for i in range(demo.scale.extra_people):
        name = f"{demo.pick(FIRST_NAMES)} {demo.pick(LAST_NAMES)}"
        while name in taken:
            name = f"{demo.pick(FIRST_NAMES)} {demo.pick(LAST_NAMES)}"
        taken.add(name)
        org = orgs[i % len(orgs)]
        role = demo.pick(EXTRA_ROLES[org]).format(area=demo.pick(AREAS))
        _person(demo, uow, f"x{i}", name, role, org)
