"""Chase e-mails as Outlook-ready drafts (issue 18, point 6): pure functions, the standard
library's `email` package, no mail server.

`chase_draft` makes an RFC 5322 message (`email.policy.SMTP`: CRLF line ends, headers folded
and encoded as RFC 2047 words where they are not ASCII) with `X-Unsent: 1`, which Outlook opens
as an unsent draft (the user checks it and presses Send; the app sends nothing). The body is
UTF-8 plain text with an HTML alternative; attachments go in when there are any (the project
has no cover sheet template yet, so the chase sends none today).

Nothing a user typed reaches a header raw: names and subjects are made one line (every line
break and control character dropped) and set through `email.headerregistry`, and an address
that does not parse as one plain address is not used (the draft then has an empty To).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from hescb_desktop.domain.printable import strip_controls
from hescb_desktop.domain.rules import highest_marking
from hescb_desktop.domain.timezones import LONDON
from hescb_desktop.services.reminders import ChaseItem, chase_summary

BOARD = "HESCB"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class ChasePerson:
    """Someone chased, invited or sending: the board's person."""

    id: str
    name: str
    email: str = ""
    organisation: str = ""  # its code ("HFRS")


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    mime_type: str  # "application/pdf"
    data: bytes


# ------------------------------------------------------------------ words
def british_date(day: date) -> str:
    """ "Fri 4 December 2026" (English names whatever the PC's locale)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    """ "Fri 4 Dec 2026" (the chase list's columns)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def item_state(item: ChaseItem, today: date) -> str:
    """ "overdue by 3 days", "due today", "due in 2 days"."""
    days = (item.due_on - today).days
    if days < 0:
        late = -days
        return f"overdue by {late} day{'s' if late != 1 else ''}"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


def one_line(text: str) -> str:
    """User text for a header: controls and line breaks gone, white space runs one space."""
    return " ".join(strip_controls(text).split())


def mail_address(person: ChasePerson) -> Address | None:
    """The person's address for To/From, or None when they have none or it is not one plain
    ASCII address (a list, a name and address, anything with a line break in it)."""
    raw = person.email.strip()
    if not raw or not raw.isascii() or any(c in raw for c in ' \t\r\n<>,;:"()[]\\'):
        return None
    local, at, domain = raw.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or "@" in local:
        return None
    try:
        return Address(display_name=one_line(person.name), addr_spec=raw)
    except (ValueError, IndexError):
        return None


def draft_subject(items: Sequence[ChaseItem]) -> str:
    """ "HESCB: 2 actions overdue, 1 due this week", the marking first when it is sensitive."""
    marking = highest_marking(i.marking for i in items)
    head = f"{marking.value}: " if marking.rank > 0 else ""
    return f"{head}{BOARD}: {chase_summary(items)}"


# ------------------------------------------------------------------ the draft
def chase_draft(
    person: ChasePerson,
    items: Sequence[ChaseItem],
    sender: ChasePerson | None,
    today: date,
    *,
    subject: str | None = None,
    now: datetime | None = None,
    attachments: Sequence[MailAttachment] = (),
) -> bytes:
    """The chase e-mail to `person` listing `items` (theirs), as the bytes of an .eml draft."""
    msg = EmailMessage(policy=policy.SMTP)
    to = mail_address(person)
    msg["To"] = to if to is not None else ""
    frm = mail_address(sender) if sender is not None else None
    if frm is not None:
        msg["From"] = frm
    msg["Subject"] = one_line(subject if subject is not None else draft_subject(items))
    msg["Date"] = format_datetime((now or datetime.now(LONDON)).astimezone(LONDON))
    msg["X-Unsent"] = "1"
    msg["X-HESCB-Marking"] = highest_marking(i.marking for i in items).value
    # quoted-printable: the file is ASCII, and a long line of text cannot break it
    body = _text_body(person, items, sender, today)
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    msg.add_alternative(
        _html_body(person, items, sender, today),
        subtype="html",
        charset="utf-8",
        cte="quoted-printable",
    )
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        msg.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=safe_file_name(attachment.filename, ""),
        )
    return msg.as_bytes()


def _item_lines(item: ChaseItem, today: date) -> tuple[str, str]:
    """(the reference, due date and state; the text or why there is none)."""
    head = f"{item.reference}: due {british_date(item.due_on)} ({item_state(item, today)})"
    if item.withheld:
        text = "Restricted: the details are in the app for its readers."
    else:
        text = " ".join(strip_controls(item.title).split())
    if item.meeting:
        text = f"{text} [raised at {item.meeting}]" if text else f"Raised at {item.meeting}."
    return head, text


def _greeting(person: ChasePerson) -> str:
    name = one_line(person.name)
    return f"Dear {name}," if name else "Dear colleague,"


def _sign_off(sender: ChasePerson | None) -> str:
    name = one_line(sender.name) if sender is not None else ""
    return name or f"The {BOARD} secretariat"


def _text_body(
    person: ChasePerson, items: Sequence[ChaseItem], sender: ChasePerson | None, today: date
) -> str:
    marking = highest_marking(i.marking for i in items).value
    lines = [
        marking,
        "",
        _greeting(person),
        "",
        f"This is a reminder from the {BOARD} secretariat: as at {british_date(today)} you "
        f"have {chase_summary(items)}.",
        "",
    ]
    for item in items:
        head, text = _item_lines(item, today)
        lines.append(f"- {head}")
        if text:
            lines.append(f"  {text}")
    lines += [
        "",
        "Please send an update, or propose the item complete, before the next meeting.",
        "",
        "Thank you,",
        _sign_off(sender),
        "",
        marking,
        "",
    ]
    return "\n".join(lines)


def _html_body(
    person: ChasePerson, items: Sequence[ChaseItem], sender: ChasePerson | None, today: date
) -> str:
    e = html.escape
    marking = e(highest_marking(i.marking for i in items).value)
    rows = []
    for item in items:
        head, text = _item_lines(item, today)
        rows.append(
            f"<li><strong>{e(head)}</strong>" + (f"<br>{e(text)}" if text else "") + "</li>"
        )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<p style="text-align:center;font-weight:bold">{marking}</p>'
        f"<p>{e(_greeting(person))}</p>"
        f"<p>This is a reminder from the {BOARD} secretariat: as at {e(british_date(today))} "
        f"you have {e(chase_summary(items))}.</p>"
        f"<ul>{''.join(rows)}</ul>"
        "<p>Please send an update, or propose the item complete, before the next meeting.</p>"
        f"<p>Thank you,<br>{e(_sign_off(sender))}</p>"
        f'<p style="text-align:center;font-weight:bold">{marking}</p>'
        "</body></html>\n"
    )


# ------------------------------------------------------------------ file names
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{n}" for p in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
NAME_LIMIT = 80  # characters of the stem: the folder's path and Outlook's own copies add more


def safe_file_name(stem: str, suffix: str, *, fallback: str = "file") -> str:
    """`stem` + `suffix` as a file name Windows takes: no reserved characters, no reserved
    device name (CON, NUL, COM1: even with an extension), no trailing dot or space, at most
    NAME_LIMIT characters before the suffix."""
    text = unicodedata.normalize("NFC", stem)
    text = _NOT_IN_NAMES.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip(" .-")
    text = re.sub(r"-{2,}", "-", text)
    text = text[:NAME_LIMIT].rstrip(" .") or fallback
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = f"_{text}"
    return f"{text}{suffix}"


def unique_names(stems: Sequence[str], suffix: str) -> list[str]:
    """A safe file name for each stem, numbered where two would be the same (Windows ignores
    case)."""
    out: list[str] = []
    taken: set[str] = set()
    for stem in stems:
        name = safe_file_name(stem, suffix)
        n = 2
        while name.casefold() in taken:
            name = safe_file_name(f"{stem[: NAME_LIMIT - 4]} {n}", suffix)
            n += 1
        taken.add(name.casefold())
        out.append(name)
    return out
