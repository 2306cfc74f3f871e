"""The collaboration programme of DOMAIN.md as demo data: objectives, workstreams, milestones,
risks, dependencies and the register of opportunities. Day offsets are from the anchor date."""

from __future__ import annotations

from dataclasses import dataclass

ESTATES = "Estates"
TRAINING = "Training"
OPERATIONS = "Operational collaboration"
MISPERS = "Missing persons"
PREVENTION = "Prevention"
SAFEGUARDING = "Safeguarding"
CORPORATE = "Corporate services"

STAGES = ("Proposed", "Scoping", "In delivery", "Embedding", "Closed")


@dataclass(frozen=True)
class ObjectiveSeed:
    key: str
    title: str
    subject: str
    theme: str
    stage: str
    lead: str
    partners: tuple[str, ...]
    sro: str
    benefits: str
    description: str = ""
    start: int | None = None  # day offset
    target: int | None = None
    rag: tuple[str, ...] = ()  # per quarter, oldest first: time, cost, scope, resources as G/A/R
    override: str = ""  # a reason to override the latest overall to amber
    parent: str | None = None
    sensitive: bool = False
    milestones: tuple[tuple[str, int], ...] = ()
    risks: tuple[tuple[str, int, int, str], ...] = ()


# fmt: off
PROGRAMME = (
    ObjectiveSeed(
        "hq", "Joint headquarters facility", "the joint headquarters facility", ESTATES,
        "In delivery", "HC", ("HFRS", "HCC", "OPCC"), "dcc", "police,fire,public",
        "One headquarters at Welwyn Garden City for the police and fire chief officer teams and "
        "their shared support services, releasing two leased buildings.",
        -540, 420, ("GGGG", "GAGA", "AARA"),
        override="The cost pressure is met from the capital reserve the Commissioner agreed in "
        "principle; the Board accepts amber overall while the full business case is prepared.",
        milestones=(("Strategic outline case approved", -420), ("Executive suite open", -300),
                    ("Outline business case approved", -120),
                    ("Full business case to the Board", 40),
                    ("Refurbishment contractor appointed", 150),
                    ("Shared front office opens", 400)),
        risks=(("Refurbishment costs rise above the capital budget with construction inflation",
                4, 4, "Quarterly cost review; 10% contingency held; value engineering ready."),
               ("Staff of either service resist the move", 3, 3,
                "Joint engagement plan; representative bodies sit on the project board."),
               ("Security accreditation of fire service ICT in a police building delays the "
                "move", 2, 4, "Early work with the force's accreditation team.")),
    ),
    ObjectiveSeed(
        "hq_suite", "Executive suite co-location", "the co-location of the chief officer teams",
        ESTATES, "Closed", "HC", ("HFRS",), "dcc", "police,fire", start=-700, target=-300,
        rag=("GGGG", "GGGG"), parent="hq",
        milestones=(("Fire chief officers move into the suite", -330), ("Lessons learned", -280)),
    ),
    ObjectiveSeed(
        "hq_fm", "Shared facilities management and front office",
        "the shared facilities management contract", ESTATES, "Scoping", "HC", ("HFRS", "HCC"),
        "estates", "police,fire", start=-90, target=400, rag=("GAGA",), parent="hq",
        milestones=(("Soft market testing", 30), ("Procurement route agreed", 90)),
    ),
    ObjectiveSeed(
        "training", "Joint training facilities", "the joint training facilities", TRAINING,
        "Scoping", "HFRS", ("HC",), "dcfo", "police,fire",
        "Shared sites and courses for skills both services need: driving, first aid, incident "
        "command, public order support.", -200, 700, ("GGGA", "AGGA"),
        milestones=(("Training needs analysis complete", -60), ("Site options to the Board", 60),
                    ("Outline business case", 200)),
        risks=(("No suitable site within the county at an affordable price", 3, 4,
                "Options include existing police and fire sites and county council land."),),
    ),
    ObjectiveSeed(
        "driver", "Joint blue-light driver training", "joint blue-light driver training",
        TRAINING, "In delivery", "HFRS", ("HC",), "training", "police,fire", start=-300,
        target=120, rag=("GGGG", "GGGG", "AGGG"), parent="training",
        milestones=(("Common syllabus agreed", -200), ("First joint course", -120),
                    ("Instructors cross-accredited", 60)),
    ),
    ObjectiveSeed(
        "site", "Joint training centre site options appraisal",
        "the joint training centre site options", TRAINING, "Scoping", "HFRS", ("HC", "HCC"),
        "training", "police,fire", start=-120, target=200, rag=("GGGG",), parent="training",
    ),
    ObjectiveSeed(
        "drone", "Shared drone unit", "the shared drone unit", OPERATIONS, "Embedding", "HFRS",
        ("HC",), "acfo", "police,fire,public",
        "The fire service's drone unit, deployed for fires and for police searches for "
        "vulnerable missing people.", -800, -60, ("GGGG", "GGAG", "GGGG"),
        milestones=(("Operating safety case approved", -700),
                    ("Joint deployment protocol", -400),
                    ("Second drone and pilots", -120), ("Benefits review", 60)),
        risks=(("Pilot availability at night limits search support", 3, 3,
                "Night-qualified pilots on each watch; on-call rota shared with police."),),
    ),
    ObjectiveSeed(
        "drone_pilots", "Drone pilot recruitment and CAA permissions",
        "drone pilot recruitment and permissions", OPERATIONS, "Closed", "HFRS", (), "drone",
        "fire", start=-800, target=-400, rag=("GGGG",), parent="drone",
    ),
    ObjectiveSeed(
        "drone_night", "Night-time thermal imaging capability",
        "the night-time thermal imaging", OPERATIONS, "In delivery", "HFRS", ("HC",), "drone",
        "police,fire,public", start=-150, target=150, rag=("GGGG", "AGAG"), parent="drone",
        milestones=(("Thermal camera procured", -60), ("Night flying trials", 45)),
    ),
    ObjectiveSeed(
        "mispers", "Joint missing-person procedures", "the joint missing-person procedures",
        MISPERS, "In delivery", "HC", ("HFRS", "HCC"), "acc", "police,public",
        "One procedure across police, fire and the council for finding vulnerable missing "
        "people quickly, using the drone unit and fire service search skills.", -365, 180,
        ("GGGG", "AGGG", "AGGA"),
        milestones=(("Joint search protocol signed", -30), ("Herbert Protocol relaunch", 90),
                    ("Joint exercise", 150)),
        risks=(("Delays in sharing risk information about missing people", 3, 5,
                "Information sharing agreement refresh; duty officers' direct line."),),
    ),
    ObjectiveSeed(
        "search", "Joint search protocol with the drone unit", "the joint search protocol",
        MISPERS, "Embedding", "HC", ("HFRS",), "dsupt", "police,public", start=-365,
        target=-30, rag=("GGGG", "GGGG"), parent="mispers", sensitive=True,
    ),
    ObjectiveSeed(
        "herbert", "Herbert Protocol relaunch for people living with dementia",
        "the Herbert Protocol relaunch", MISPERS, "In delivery", "HC", ("HCC",), "dsupt",
        "police,public", start=-120, target=150, rag=("GGGG", "GGAG"), parent="mispers",
    ),
    ObjectiveSeed(
        "prevention", '"Prevention first" joint strategic planning',
        'the "prevention first" joint strategic plan', PREVENTION, "Scoping", "HFRS",
        ("HC", "HCC", "OPCC"), "cfo", "police,fire,public",
        "Plan prevention together: one assessment of community risk, shared priorities, joint "
        "visits to the most vulnerable.", -150, 500, ("GGGG", "GGGA"),
        milestones=(("Joint strategic assessment", 90),
                    ("Prevention strategy to the Board", 240)),
    ),
    ObjectiveSeed(
        "visits", "Joint home safety and crime prevention visits",
        "joint home safety and crime prevention visits", PREVENTION, "Proposed", "HFRS",
        ("HC",), "acfo", "police,fire,public", parent="prevention",
    ),
    ObjectiveSeed(
        "assessment", "Joint strategic assessment of community risk",
        "the joint strategic assessment", PREVENTION, "Scoping", "OPCC",
        ("HC", "HFRS", "HCC"), "policy", "public", start=-60, target=120, rag=("GGGG",),
        parent="prevention",
    ),
    ObjectiveSeed(
        "infoshare", "Information sharing to safeguard the most vulnerable",
        "information sharing to safeguard the most vulnerable", SAFEGUARDING, "In delivery",
        "HCC", ("HC", "HFRS"), "dcp", "police,fire,public",
        "Share what each partner knows about people at risk, lawfully and quickly.", -400, 300,
        ("AGGA", "AAGA", "RAGA"),
        milestones=(("Data protection impact assessment", -200), ("Agreement signed", 60),
                    ("Referral pathway live", 240)),
        risks=(("Partners' case systems cannot exchange referrals securely", 4, 4,
                "Interim secure e-mail route; joint ICT design authority."),),
    ),
    ObjectiveSeed(
        "isa", "Information sharing agreement refresh", "the information sharing agreement",
        SAFEGUARDING, "In delivery", "HCC", ("HC", "HFRS"), "infogov", "police,fire,public",
        start=-200, target=60, rag=("GGGG", "AGGG"), parent="infoshare", sensitive=True,
    ),
    ObjectiveSeed(
        "referrals", "Vulnerable person referral pathway",
        "the vulnerable person referral pathway", SAFEGUARDING, "Proposed", "HCC",
        ("HC", "HFRS"), "safeguarding", "public", parent="infoshare",
    ),
    ObjectiveSeed(
        "ohs", "Shared occupational health and wellbeing service",
        "the shared occupational health service", CORPORATE, "Closed", "HC", ("HFRS",), "dcfo",
        "police,fire", start=-720, target=-100, rag=("GGGG", "GGGG"),
        milestones=(("Single provider contract", -400), ("Service live", -160)),
    ),
)

DEPENDENCIES = (
    ("mispers", "drone"), ("search", "drone_night"), ("prevention", "infoshare"),
    ("visits", "isa"), ("site", "hq"), ("hq_fm", "hq_suite"), ("referrals", "isa"),
)

# title, description, raiser, raised (offset), outcome, reason or assessment, adopted objective
OPPORTUNITIES = (
    ("Shared drone unit for police searches for missing people",
     "Deploy the fire service drone for police searches.", "acfo", -900, "adopted",
     "Faster searches of open ground; one unit instead of two.", "drone"),
    ("One headquarters for police and fire chief officers",
     "Move the fire chief officer team into the police headquarters.", "dcc", -760, "adopted",
     "Closer working and lower building costs.", "hq"),
    ("Joint blue-light driver training", "One syllabus and shared instructors.", "training",
     -420, "adopted", "Courses were half-empty in each service.", "driver"),
    ("Shared occupational health service", "One provider for both services.", "dcfo", -740,
     "adopted", "Better contract price and shorter waits.", "ohs"),
    ("Merge police and fire control rooms", "One control room for 999 calls to both services.",
     "cfo", -600, "declined",
     "Mobilising systems are on separate contracts to 2029 and fire control is in a regional "
     "consortium. Revisit when the contracts are renewed.", None),
    ("Shared custody and fire station site at Stevenage", "Build one site for both.",
     "estates", -500, "declined",
     "The site is too small for both; custody needs are met elsewhere.", None),
    ("Firefighters gaining entry for concern-for-welfare calls",
     "Fire crews force entry when police ask, freeing officers.", "acc", -80, "under_review",
     "Pilot in Watford considered; legal advice on powers of entry awaited.", None),
    ("Joint procurement of fleet maintenance", "One workshop contract for both fleets.",
     "estates", -45, "under_review", "Fleet managers comparing contract end dates.", None),
    ("Shared learning management system", "One e-learning platform.", "training", -20,
     "under_review", "", None),
)
# fmt: on

# title, theme, lead, partners: the pool for generated objectives (large scale)
OBJECTIVE_POOL = (
    ("Joint fleet workshop", CORPORATE, "HFRS", ("HC",)),
    ("Shared vehicle telematics", CORPORATE, "HC", ("HFRS",)),
    ("Joint procurement of protective equipment", CORPORATE, "HFRS", ("HC",)),
    ("Shared HR and payroll system", CORPORATE, "HCC", ("HFRS", "HC")),
    ("Joint ICT service desk", CORPORATE, "HC", ("HFRS",)),
    ("Shared records management", CORPORATE, "HC", ("HFRS", "OPCC")),
    ("Joint legal services", CORPORATE, "HCC", ("HC", "HFRS")),
    ("Joint communications and media team", CORPORATE, "OPCC", ("HC", "HFRS")),
    ("Joint business continuity", CORPORATE, "HCC", ("HC", "HFRS")),
    ("Energy and carbon reduction on the shared estate", ESTATES, "HCC", ("HC", "HFRS")),
    ("Joint first aid and trauma training", TRAINING, "HFRS", ("HC",)),
    ("Joint incident command training", TRAINING, "HFRS", ("HC",)),
    ("Shared learning management system", TRAINING, "HC", ("HFRS",)),
    ("Joint cadets and youth engagement", PREVENTION, "HFRS", ("HC", "OPCC")),
    ("Road safety partnership", PREVENTION, "HFRS", ("HC", "HCC")),
    ("Water safety campaign", PREVENTION, "HFRS", ("HC",)),
    ("Arson reduction", PREVENTION, "HFRS", ("HC",)),
    ("Community safety hubs", PREVENTION, "HCC", ("HC", "HFRS")),
    ("Rural crime and wildfire prevention", PREVENTION, "HC", ("HFRS",)),
    ("Domestic abuse referrals from fire safety visits", SAFEGUARDING, "HFRS", ("HC", "HCC")),
    ("Dementia-friendly services", SAFEGUARDING, "HCC", ("HC", "HFRS")),
    ("Hoarding and fire risk referrals", SAFEGUARDING, "HFRS", ("HCC",)),
    ("Joint high-rise evacuation procedures", OPERATIONS, "HFRS", ("HC",)),
    ("Flood response coordination", OPERATIONS, "HFRS", ("HC", "HCC")),
    ("Joint fire investigation and forensics", OPERATIONS, "HFRS", ("HC",)),
    ("Shared body-worn video", OPERATIONS, "HC", ("HFRS",)),
    ("Drone support for wildfires", OPERATIONS, "HFRS", ("HC",)),
    ("Emergency planning with the Local Resilience Forum", OPERATIONS, "HCC", ("HC", "HFRS")),
    ("Gaining entry for concern-for-welfare calls", MISPERS, "HFRS", ("HC",)),
    ("Joint return interviews for children missing from care", MISPERS, "HCC", ("HC",)),
    ("Water rescue support for missing person searches", MISPERS, "HFRS", ("HC",)),
    ("Search dogs and drone joint deployments", MISPERS, "HC", ("HFRS",)),
)
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
PHASES = (
    "options appraisal",
    "business case",
    "procurement",
    "pilot in {area}",
    "roll-out across the county",
    "staff consultation",
    "information sharing agreement",
    "training and awareness",
    "ICT integration",
    "benefits review",
)
RISK_POOL = (
    (
        "Funding for {s} is not confirmed in both services' budgets",
        3,
        4,
        "Both chief finance officers sign off the business case before commitments are made.",
    ),
    (
        "Key staff for {s} are drawn back to operational duties",
        3,
        3,
        "Backfill agreed; the project board reviews resourcing monthly.",
    ),
    (
        "ICT systems of the partners cannot support {s}",
        2,
        4,
        "Joint ICT design authority reviews the solution early.",
    ),
    (
        "Representative bodies oppose changes to working practices for {s}",
        2,
        3,
        "Early consultation; equality impact assessment published.",
    ),
)
PATHS_TO_GREEN = (
    "Recovery plan agreed at the project board; revised milestones to the next meeting.",
    "Additional project resource from both services for the next quarter.",
    "Scope reduced to the core deliverables; the rest moved to a second phase.",
    "Budget gap closed by reprofiling the capital programme; awaiting both CFOs' sign-off.",
)
RAG_REASONS = {
    "G": "Quarterly review: on track against the plan.",
    "A": "Quarterly review: issues being managed by the project board.",
    "R": "Quarterly review: off track; the Board's intervention is needed.",
}
