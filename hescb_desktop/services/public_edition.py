"""The public edition of a meeting's agenda, pack or minutes (issue 16, point 4).

What a council publishes on its website: Part I as the members have it, and each Part II item
as a stub, its agreed public title and the ground of its exemption (a paragraph of Schedule 12A
to the Local Government Act 1972, and/or the reason recorded, as a police item gives), never
its title, report, minute, resolutions or actions. One PDF (ReportLab, as every board document)
and the same content as accessible HTML (`reports/public_html.py`: ReportLab cannot tag a PDF,
and a published document must meet the Public Sector Bodies Accessibility Regulations 2018).

How no exempt text gets in:

1. The content is built from Part I only (`boardpacks`, `meetings.agenda_sheet`) with nothing
   above OFFICIAL (`allowed`), and without the pack's distribution list.
2. Every Part II item's own title (not a standard agenda heading such as "Exclusion of press and
   public") is replaced wherever it appears in the edition's text (a declaration of interest
   names the item it was made on) by that item's public title; actions raised under a Part II
   minute are left out of the action log.
3. The edition is then checked: if any exempt text (a Part II report's summary,
   recommendations or body, a Part II minute, its resolutions and actions) still appears, in
   whatever Part I text quotes it, the edition is refused naming where, and nothing is written.
   Only whole texts are looked for: a Part I minute paraphrasing a Part II report is the
   secretariat's to check, as on paper.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hescb_desktop.domain.enums import Marking, Part
from hescb_desktop.domain.errors import ValidationError
from hescb_desktop.domain.exemptions import Exemption, public_title
from hescb_desktop.domain.rules import STANDARD_AGENDA
from hescb_desktop.reports.agenda import AgendaSheet
from hescb_desktop.reports.content import MinuteItem, MinutesContent, PackContent, PackItem
from hescb_desktop.services import boardpacks, meetings
from hescb_desktop.storage.models import Action, AgendaItem, Decision, Minute, Paper
from hescb_desktop.storage.uow import UnitOfWork

DOCUMENTS = ("pack", "agenda", "minutes")
PUBLIC_MARKING = Marking.OFFICIAL
PUBLISHER = "HESCB secretariat"
_STANDARD_TITLES = frozenset(item.title.casefold() for item in STANDARD_AGENDA)
_EXCLUSION_NOTE = (
    "The Board is asked to exclude the press and public for the items that follow, which"
    " contain exempt information."
)
MIN_SECRET = 12  # shorter exempt texts ("Noted.") are not looked for: they mean nothing alone


class ExemptTextError(ValidationError):
    """The edition would carry exempt text: nothing is written."""


@dataclass(frozen=True)
class ExemptItem:
    number: str  # the item's number on the agenda ("11")
    title: str  # its own title (never printed in the public edition)
    public_title: str  # what is printed instead
    ground: str  # the exemption, in words
    recorded: bool  # whether a paragraph or a reason was recorded
    standard: bool  # a standard heading ("Exclusion of press and public"): printed as it is


@dataclass(frozen=True)
class PublicEdition:
    document: str  # "pack" | "agenda" | "minutes"
    title: str
    content: PackContent | AgendaSheet | MinutesContent
    exempt: tuple[ExemptItem, ...]
    warnings: tuple[str, ...]  # e.g. a Part II item with no exemption ground recorded


def exempt_items(uow: UnitOfWork, meeting_id: str) -> list[ExemptItem]:
    """The meeting's Part II agenda items, in agenda order, with what the public sees."""
    with uow:
        items = uow.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id, AgendaItem.deleted.is_(False))
            .order_by(AgendaItem.position, AgendaItem.id)
        ).all()
        return [_exempt(item) for item in items if item.part is Part.PART_II]


def _exempt(item: AgendaItem) -> ExemptItem:
    number = str(item.position)
    standard = item.title.casefold().strip() in _STANDARD_TITLES
    exemption = Exemption(item.exempt_paragraph, item.exempt_reason)
    return ExemptItem(
        number=number,
        title=item.title,
        public_title=item.title if standard else public_title(item.public_title, number),
        ground=_EXCLUSION_NOTE if standard else exemption.ground(),
        recorded=standard or exemption.recorded,
        standard=standard,
    )


def build(uow: UnitOfWork, meeting_id: str, document: str) -> PublicEdition:
    """The public edition's content (render it with `reports.public_html` and the document's
    PDF builder: `render_pdf`). Raises ExemptTextError if exempt text would remain."""
    if document not in DOCUMENTS:
        raise ValidationError(f"no public edition of {document!r}: choose {', '.join(DOCUMENTS)}")
    exempt = exempt_items(uow, meeting_id)
    secrets = _secrets(uow)
    content: PackContent | AgendaSheet | MinutesContent
    if document == "agenda":
        content = _agenda(uow, meeting_id, exempt)
    elif document == "minutes":
        content = _minutes(uow, meeting_id, exempt)
    else:
        content = _pack(uow, meeting_id, exempt, secrets.action_refs)
    content = _scrub(content, _renamer(secrets.titles))
    _check(content, secrets.texts)
    warnings = tuple(
        f"item {e.number} is exempt but no ground is recorded (a Schedule 12A paragraph or a"
        " reason): the public edition says only 'exempt information'"
        for e in exempt
        if not e.recorded
    )
    return PublicEdition(document, _title(content), content, tuple(exempt), warnings)


def render_pdf(edition: PublicEdition) -> bytes:
    from hescb_desktop.reports.agenda import build_agenda_pdf
    from hescb_desktop.reports.minutes import build_minutes_pdf
    from hescb_desktop.reports.pack import build_pack_pdf

    content = edition.content
    if isinstance(content, AgendaSheet):
        return build_agenda_pdf(content, author=PUBLISHER)
    if isinstance(content, MinutesContent):
        return build_minutes_pdf(content, author=PUBLISHER)
    return build_pack_pdf(content, author=PUBLISHER)


def render_html(edition: PublicEdition) -> str:
    from hescb_desktop.reports.public_html import agenda_html, minutes_html, pack_html

    content = edition.content
    if isinstance(content, AgendaSheet):
        return agenda_html(content)
    if isinstance(content, MinutesContent):
        return minutes_html(content)
    return pack_html(content)


def _title(content: PackContent | AgendaSheet | MinutesContent) -> str:
    from hescb_desktop.reports.agenda import agenda_title
    from hescb_desktop.reports.minutes import minutes_title
    from hescb_desktop.reports.pack import pack_title

    if isinstance(content, AgendaSheet):
        return agenda_title(content)
    if isinstance(content, MinutesContent):
        return minutes_title(content)
    return pack_title(content)


# ------------------------------------------------------------------ the three documents
def _agenda(uow: UnitOfWork, meeting_id: str, exempt: list[ExemptItem]) -> AgendaSheet:
    sheet = meetings.agenda_sheet(uow, meeting_id)
    by_number = {e.number: e for e in exempt}
    lines = [
        dataclasses.replace(line, title=by_number[str(line.number)].public_title)
        if line.part_two and str(line.number) in by_number
        else line
        for line in sheet.lines
    ]
    grounds = [f"Item {e.number}: {e.ground}" for e in exempt if not e.standard]
    return dataclasses.replace(
        sheet,
        lines=lines,
        marking=PUBLIC_MARKING,
        public=True,
        grounds=tuple(grounds),
    )


def _minutes(uow: UnitOfWork, meeting_id: str, exempt: list[ExemptItem]) -> MinutesContent:
    content = boardpacks.minutes_content(uow, meeting_id, Part.PART_I)
    with uow:
        part_two = uow.session.execute(
            select(Minute.reference, AgendaItem.position)
            .outerjoin(AgendaItem, AgendaItem.id == Minute.agenda_item_id)
            .where(
                Minute.meeting_id == meeting_id,
                Minute.deleted.is_(False),
                Minute.part == Part.PART_II,
            )
            .order_by(Minute.ref_year, Minute.ref_number, Minute.id)
        ).all()
    by_number = {e.number: e for e in exempt}
    stubs = []
    for ref, position in part_two:
        item = by_number.get(str(position))
        title = item.public_title if item is not None else "Exempt item"
        ground = item.ground if item is not None else Exemption(None, "").ground()
        stubs.append(MinuteItem(ref, f"{title} (Part II)", ground))
    return dataclasses.replace(
        content,
        marking=PUBLIC_MARKING,
        items=content.items + tuple(stubs),
        public=True,
    )


def _pack(
    uow: UnitOfWork, meeting_id: str, exempt: list[ExemptItem], action_refs: frozenset[str]
) -> PackContent:
    pack = boardpacks.pack_content(uow, meeting_id, Part.PART_I, allowed=PUBLIC_MARKING)
    by_number = {e.number: e for e in exempt}
    items: list[PackItem] = []
    for item in pack.items:
        found = by_number.get(item.number)
        if item.kind == "part2" or found is not None:
            stub = found or ExemptItem(
                item.number, item.title, "Exempt item", Exemption(None, "").ground(), False, False
            )
            items.append(
                dataclasses.replace(
                    item, title=stub.public_title, kind="exempt", paper=None, note=stub.ground
                )
            )
        else:
            items.append(item)
    actions = tuple(a for a in pack.actions if a.reference not in action_refs)
    return dataclasses.replace(
        pack,
        items=tuple(items),
        actions=actions,
        marking=PUBLIC_MARKING,
        distribution=(),
        public=True,
    )


# ------------------------------------------------------------------ keeping exempt text out
@dataclass(frozen=True)
class _Secrets:
    titles: dict[str, str]  # an exempt item's (or report's) own title -> what replaces it
    texts: dict[str, str]  # exempt text -> where it comes from ("Part II minute 84/26")
    action_refs: frozenset[str]  # actions raised under a Part II minute


def _secrets(uow: UnitOfWork) -> _Secrets:
    """Every Part II title and text the board holds (any meeting's: the previous meeting's
    minutes travel in a pack)."""
    titles: dict[str, str] = {}
    texts: dict[str, str] = {}
    with uow:
        s = uow.session
        items = s.scalars(
            select(AgendaItem).where(AgendaItem.part == Part.PART_II, AgendaItem.deleted.is_(False))
        ).all()
        by_paper: dict[str, str] = {}
        for item in items:
            stub = _exempt(item)
            if not stub.standard:
                titles[item.title] = stub.public_title
            if item.paper_id:
                by_paper[item.paper_id] = stub.public_title
        for paper in s.scalars(
            select(Paper).where(Paper.part == Part.PART_II, Paper.deleted.is_(False))
        ):
            titles.setdefault(paper.title, by_paper.get(paper.id, "an exempt report"))
            for name in ("summary", "recommendations", "body_text"):
                texts[getattr(paper, name)] = f"the {name.replace('_', ' ')} of {paper.reference}"
        minutes = s.scalars(
            select(Minute).where(Minute.part == Part.PART_II, Minute.deleted.is_(False))
        ).all()
        ids = [m.id for m in minutes]
        for minute in minutes:
            texts[minute.summary] = f"Part II minute {minute.reference}"
        refs: set[str] = set()
        if ids:
            for d in s.scalars(select(Decision).where(Decision.minute_id.in_(ids))):
                texts[d.text] = "a resolution of a Part II minute"
            for a in s.scalars(select(Action).where(Action.minute_id.in_(ids))):
                texts[a.description] = f"action {a.reference} (raised in Part II)"
                refs.add(a.reference)
    titles = {k: v for k, v in titles.items() if k.strip() and k.casefold() not in _STANDARD_TITLES}
    texts = {k.strip(): v for k, v in texts.items() if len(k.strip()) >= MIN_SECRET}
    return _Secrets(titles, texts, frozenset(refs))


def _renamer(titles: dict[str, str]) -> Callable[[str], str]:
    if not titles:
        return lambda text: text
    ordered = sorted(titles, key=len, reverse=True)  # a longer title first: it may hold another
    pattern = re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)
    folded = {t.casefold(): titles[t] for t in ordered}

    def rename(text: str) -> str:
        return pattern.sub(lambda m: folded.get(m.group(0).casefold(), "an exempt item"), text)

    return rename


def _scrub(value: Any, rename: Callable[[str], str]) -> Any:
    """The same content with `rename` applied to every piece of text in it (a list value, a
    str enum, is kept as it is)."""
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return rename(value)
    if isinstance(value, tuple):
        return tuple(_scrub(v, rename) for v in value)
    if isinstance(value, list):
        return [_scrub(v, rename) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _scrub(getattr(value, f.name), rename)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _strings(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))


def _check(content: Any, texts: dict[str, str]) -> None:
    if not texts:
        return
    folded = {" ".join(k.split()).casefold(): v for k, v in texts.items()}
    for text in _strings(content):
        flat = " ".join(text.split()).casefold()
        for secret, where in folded.items():
            if secret in flat:
                raise ExemptTextError(
                    f"the public edition would carry exempt text ({where}), quoted in: "
                    f"{' '.join(text.split())[:80]}… Edit that text, then make the edition again"
                )
