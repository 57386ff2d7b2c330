"""The one privacy policy (PIPL; 举报人保密): what a viewer sees of a person and of a timeline.

Every surface — API, pages, timelines, lists, search, duplicates, exports, documents, public feeds,
hotline feedback, notifications, admin — asks these functions; none decides on its own (ADR 0012).

Three questions, each a table:
1. How secret is the person?  :func:`secrecy_of` — a 举报 is confidential whatever else is said,
   and stays so once it was (the reporter was promised); an anonymous report hides the name.
2. What is the viewer to the case?  :class:`Viewer` — the person themself, staff working it,
   a supervisor, other staff with read scope, or the public (other residents, feeds, partners).
3. What may the viewer see?  :data:`DISCLOSURE` (of the person), :data:`ROW_READERS` (of a
   timeline row by its :class:`Visibility`), :func:`may_unmask` (the logged full read).

Pure Python, no Django: tested from tables written out in tests/domain/test_privacy.py.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .enums import Action, EventKind, LabelledEnum

_PHONE = re.compile(r"^(\+?86)?(\d{3})(\d{4})(\d{4})$")


# ---- masking ------------------------------------------------------------------------------------

def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; anything else keeps only its last 4 characters."""
    if not phone:
        return ""
    digits = re.sub(r"[\s-]", "", phone)
    m = _PHONE.match(digits)
    if m:
        return f"{m.group(2)}****{m.group(4)}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """18-digit 居民身份证号: keep the region's first 3 and the last 4 characters."""
    if not id_number:
        return ""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_name(name: str) -> str:
    """张三丰 → 张**: the family name stays so staff can address the person politely."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


# ---- who is secret, who is looking --------------------------------------------------------------

class Secrecy(LabelledEnum):
    NORMAL = "normal", "一般"
    ANONYMOUS = "anonymous", "匿名"
    CONFIDENTIAL = "confidential", "举报人保密"


class Viewer(LabelledEnum):
    SELF = "self", "本人"                 # the reporter, applicant or party themself
    HANDLER = "handler", "承办人员"        # works the case: handler, centre, co-handler, mediator, office, lawyer
    SUPERVISOR = "supervisor", "督查人员"  # 督查 staff in scope, and system administrators
    STAFF = "staff", "其他工作人员"        # staff who may read the case but do not work it
    PUBLIC = "public", "公众"             # other residents, visitors, public feeds, partner systems


class Role(LabelledEnum):
    """What the person is to the case: the rules differ for someone who tells us about a problem
    and for someone whose own dispute or application is being handled."""

    REPORTER = "reporter", "报告人"     # of an event: handlers work the matter, not the person
    PARTY = "party", "当事人"           # a mediation party, a legal-aid applicant: handlers need them in full
    SUBJECT = "subject", "社区矫正对象"  # a person under community correction (corrections.scope)


class Disclosure(LabelledEnum):
    FULL = "full", "完整"
    MASKED = "masked", "脱敏"
    PSEUDONYM = "pseudonym", "代称"        # "举报人" / "匿名群众": the person exists, nothing of them shows
    HIDDEN = "hidden", "不显示"


class Visibility(LabelledEnum):
    """Who may read a timeline row or a note; stored on every row."""

    PUBLIC = "public", "公开"              # the reporter, other residents and public feeds
    INTERNAL = "internal", "内部"          # staff who may read the case
    CONFIDENTIAL = "confidential", "保密"  # supervisors only (unmask records)


V, S, D = Viewer, Secrecy, Disclosure
STAFF_VIEWERS = frozenset({V.HANDLER, V.SUPERVISOR, V.STAFF})

# What each viewer sees of the person, by secrecy.  Staff see a 举报 reporter as "举报人" — never
# masked (a family name and 4 digits can be enough to identify someone in a small village).
DISCLOSURE: dict[Secrecy, dict[Viewer, Disclosure]] = {
    S.NORMAL: {V.SELF: D.FULL, V.HANDLER: D.MASKED, V.SUPERVISOR: D.MASKED, V.STAFF: D.MASKED,
               V.PUBLIC: D.HIDDEN},
    S.ANONYMOUS: {V.SELF: D.FULL, V.HANDLER: D.PSEUDONYM, V.SUPERVISOR: D.PSEUDONYM, V.STAFF: D.PSEUDONYM,
                  V.PUBLIC: D.HIDDEN},
    S.CONFIDENTIAL: {V.SELF: D.FULL, V.HANDLER: D.PSEUDONYM, V.SUPERVISOR: D.PSEUDONYM, V.STAFF: D.PSEUDONYM,
                     V.PUBLIC: D.HIDDEN},
}

# A party's own case: the mediator writes their ID number into the agreement, the aid office
# checks the applicant's means.  Everyone else with read access (centres, supervisors) sees them
# masked; parties are never confidential in the 举报 sense.
PARTY_DISCLOSURE: dict[Viewer, Disclosure] = {
    V.SELF: D.FULL, V.HANDLER: D.FULL, V.SUPERVISOR: D.MASKED, V.STAFF: D.MASKED, V.PUBLIC: D.HIDDEN,
}

# A person under community correction: only the agency's staff (handlers) and the county's
# prosecutors (supervisors of the enforcement, every read logged) see the file at all
# (corrections.scope); what anyone else is shown — a grid team's 帮教 task — is masked.
SUBJECT_DISCLOSURE: dict[Viewer, Disclosure] = {
    V.SELF: D.FULL, V.HANDLER: D.FULL, V.SUPERVISOR: D.FULL, V.STAFF: D.MASKED, V.PUBLIC: D.HIDDEN,
}

# Who may ask for the full value (a logged read, with a reason).  A 举报 or anonymous reporter
# only by a supervisor: the handling unit may be the one reported on.
UNMASKERS: dict[Secrecy, frozenset[Viewer]] = {
    S.NORMAL: frozenset({V.HANDLER, V.SUPERVISOR}),
    S.ANONYMOUS: frozenset({V.SUPERVISOR}),
    S.CONFIDENTIAL: frozenset({V.SUPERVISOR}),
}

PSEUDONYMS = {S.ANONYMOUS: "匿名群众", S.CONFIDENTIAL: "举报人"}
REPORTER_WORD = "报告人"          # the person, to a viewer who may not see any of them
STAFF_WORD = "工作人员"           # staff, to the public: names of staff are not published
SYSTEM_WORD = "系统"

ROW_READERS: dict[Visibility, frozenset[Viewer]] = {
    Visibility.PUBLIC: frozenset(Viewer),
    Visibility.INTERNAL: STAFF_VIEWERS,
    Visibility.CONFIDENTIAL: frozenset({V.SUPERVISOR}),
}


def secrecy_of(kind: str, *, anonymous: bool = False, confidential: bool = False) -> Secrecy:
    """A 举报 is confidential whatever the flags say; a flagged case stays confidential."""
    if confidential or kind == EventKind.TIP_OFF:
        return S.CONFIDENTIAL
    if anonymous:
        return S.ANONYMOUS
    return S.NORMAL


def stays_confidential(new_kind: str, was_confidential: bool) -> bool:
    """The ``confidential`` flag after the kind changes: turning into a 举报 makes it confidential;
    turning away from one does not undo the promise made to the reporter."""
    return was_confidential or new_kind == EventKind.TIP_OFF


def disclosure(secrecy: Secrecy, viewer: Viewer, role: Role = Role.REPORTER) -> Disclosure:
    if role is Role.SUBJECT:
        return SUBJECT_DISCLOSURE[viewer]
    return PARTY_DISCLOSURE[viewer] if role is Role.PARTY else DISCLOSURE[secrecy][viewer]


def sees_in_full(viewer: Viewer, role: Role = Role.PARTY, secrecy: Secrecy = Secrecy.NORMAL) -> bool:
    """Whether the viewer reads the person's data in full (such reads are logged by the caller)."""
    return disclosure(secrecy, viewer, role) is D.FULL


def may_unmask(secrecy: Secrecy, viewer: Viewer) -> bool:
    return viewer in UNMASKERS[secrecy]


def findable_by_person(secrecy: Secrecy) -> bool:
    """Whether staff may find a report by its reporter's phone or name (the desk's search, a 台账):
    never an anonymous or 举报 one — trying names would tell a handler who tipped them off."""
    return secrecy is S.NORMAL


def may_read(visibility: str, viewer: Viewer) -> bool:
    return viewer in ROW_READERS[Visibility(visibility)]


def is_public(viewer: Viewer) -> bool:
    """The reporter themself reads the public view too: no staff notes, no internal countdowns."""
    return viewer in (V.SELF, V.PUBLIC)


@dataclass(frozen=True)
class Person:
    name: str
    phone: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class Shown:
    """A person as one viewer may see them."""

    name: str
    phone: str
    id_number: str
    masked: bool          # something is withheld (the page may offer a logged unmask)
    disclosure: Disclosure


def person_view(person: Person, secrecy: Secrecy, viewer: Viewer, role: Role = Role.REPORTER) -> Shown:
    how = disclosure(secrecy, viewer, role)
    if how is D.FULL:
        return Shown(person.name, person.phone, person.id_number, False, how)
    if how is D.MASKED:
        return Shown(mask_name(person.name), mask_phone(person.phone), mask_id_number(person.id_number), True, how)
    if how is D.PSEUDONYM:
        return Shown(PSEUDONYMS[secrecy], "", "", True, how)
    return Shown("", "", "", True, how)


def is_system(actor_id: int | None, actor_name: str) -> bool:
    """A row no person wrote (the sweep, a follow of the main order): no account, no name or 系统."""
    return actor_id is None and actor_name in ("", SYSTEM_WORD)


def actor_label(*, is_subject: bool, actor_name: str, system: bool, secrecy: Secrecy, viewer: Viewer,
                subject: Person | None = None, role: Role = Role.REPORTER) -> str:
    """How a timeline row names who acted.

    The subject (reporter, applicant) is named as the policy names them — never by the stored
    account name, which is the real name; staff are named to staff and called "工作人员" in public."""
    if system:
        return SYSTEM_WORD
    if is_subject:
        shown = person_view(subject or Person(actor_name), secrecy, viewer, role)
        return shown.name or REPORTER_WORD
    return STAFF_WORD if is_public(viewer) else actor_name


# ---- timeline rows ------------------------------------------------------------------------------

A = Action
# The visibility a row is written with, by action.  Public rows tell the reporter (and the public
# feeds) where their matter stands; everything about how staff work it stays internal.
EVENT_ROW_VISIBILITY: dict[Action, Visibility] = {
    A.REPORT: Visibility.PUBLIC, A.ACCEPT: Visibility.PUBLIC, A.REJECT: Visibility.PUBLIC,
    A.DISPATCH: Visibility.PUBLIC, A.SIGN: Visibility.PUBLIC, A.RESOLVE: Visibility.PUBLIC,
    A.ANSWER: Visibility.PUBLIC, A.REVISIT: Visibility.PUBLIC, A.REOPEN: Visibility.PUBLIC,
    A.CLOSE: Visibility.PUBLIC, A.MERGE: Visibility.PUBLIC, A.FOLLOW: Visibility.PUBLIC,
    A.RETURN: Visibility.INTERNAL, A.REQUEST_EXTENSION: Visibility.INTERNAL,
    A.APPROVE_EXTENSION: Visibility.INTERNAL, A.DENY_EXTENSION: Visibility.INTERNAL,
    A.ESCALATE: Visibility.INTERNAL, A.SKIP_ESCALATE: Visibility.INTERNAL, A.AUTO_ESCALATE: Visibility.INTERNAL,
    A.WHISTLE: Visibility.INTERNAL, A.CHECK_IN: Visibility.INTERNAL, A.SUPERVISE: Visibility.INTERNAL,
    A.NOTE: Visibility.INTERNAL, A.VERIFY: Visibility.INTERNAL, A.VERIFY_FAIL: Visibility.INTERNAL,
    A.SLA_YELLOW: Visibility.INTERNAL, A.SLA_RED: Visibility.INTERNAL, A.SPLIT: Visibility.INTERNAL,
    A.RECLASSIFY: Visibility.INTERNAL, A.UNMASK: Visibility.CONFIDENTIAL,
    # The reporter follows their dispute into mediation and back: 已转人民调解 (which committee,
    # the case number), the agreement, or that it returned to the desk.
    A.TO_MEDIATION: Visibility.PUBLIC, A.MEDIATION_SUCCEEDED: Visibility.PUBLIC,
    A.MEDIATION_FAILED: Visibility.PUBLIC,
}

# Public rows whose words are written for the reporter: the reason for a rejection, the answer,
# the reporter's own words on a revisit or reopen.  Every other row shows the public its label,
# time and status only — a handler's note is internal even on a public row.  The mediation rows'
# words are written by the system and name no party (committee, case number, outcome); why a
# mediation failed names the parties, so that row shows the reporter its label only.
EVENT_PUBLIC_TEXT: frozenset[Action] = frozenset({A.REJECT, A.ANSWER, A.REVISIT, A.REOPEN, A.TO_MEDIATION,
                                                  A.MEDIATION_SUCCEEDED})
# What a public feed republishes of those: revisit and reopen notes are written about the call
# ("电话回访王女士…"), so only the rejection's reason and the answer (through publish_text).
EVENT_FEED_TEXT: frozenset[Action] = frozenset({A.REJECT, A.ANSWER})


def row_visibility(action: str, table: Mapping[Any, Visibility] | None = None) -> Visibility:
    """The visibility a new row gets; an action missing from the table is internal (fail closed)."""
    # Tables are keyed by each kind's own action enum (StrEnum): its members hash and compare as
    # their code, so the code a caller holds finds them; hence Any for the key type.
    rows: Mapping[Any, Visibility] = EVENT_ROW_VISIBILITY if table is None else table
    return rows.get(action, Visibility.INTERNAL)


def file_visibility(row_visibility: str | None, *, by_reporter: bool) -> Visibility:
    """The visibility a new attachment gets: that of the timeline row it was uploaded with — the
    report's photos and a 办结 "after" photo are public (what FixMyStreet shows residents), a
    note's photo internal.  A file sent on its own is public when the reporter sent it (their own
    photo), internal from anyone else (fail closed: staff's photos show doors and faces)."""
    if row_visibility:
        return Visibility(row_visibility)
    return Visibility.PUBLIC if by_reporter else Visibility.INTERNAL


@dataclass(frozen=True)
class Row:
    """A timeline row as stored (whatever the kind of case)."""

    action: str
    visibility: str
    actor_name: str
    is_subject: bool     # the actor is the case's subject (reporter / applicant)
    system: bool
    note: str = ""
    reason: str = ""
    data: dict | None = None


def row_view(row: Row, *, secrecy: Secrecy, viewer: Viewer, subject: Person | None = None,
             public_text: Iterable[str] = EVENT_PUBLIC_TEXT, feed_text: Iterable[str] = EVENT_FEED_TEXT,
             role: Role = Role.REPORTER) -> dict | None:
    """A row as the viewer may see it, or None when they may not see it at all.  ``public_text``:
    actions whose words the subject reads; ``feed_text``: those the public reads."""
    if not may_read(row.visibility, viewer):
        return None
    if viewer is V.PUBLIC:
        public_text = feed_text
    # A row's words can name people: the public reads only words written for it; on a party's
    # case, staff who see the parties masked read no free text either (a session record lists
    # who attended).
    if is_public(viewer) or (role is Role.PARTY and not sees_in_full(viewer)):
        words = row.action in public_text
    else:
        words = True
    return {"actor": actor_label(is_subject=row.is_subject, actor_name=row.actor_name, system=row.system,
                                 secrecy=secrecy, viewer=viewer, subject=subject, role=role),
            "note": row.note if words else "", "reason": row.reason if words else "",
            "data": (row.data or {}) if words and not is_public(viewer) else {}}


# ---- public surfaces ----------------------------------------------------------------------------

# Kinds never published whatever their category says: a 举报 names a wrongdoer, a dispute names
# neighbours, a 求助 can point at a vulnerable person's door.
NEVER_PUBLIC_KINDS = frozenset({EventKind.TIP_OFF, EventKind.DISPUTE, EventKind.HELP})


def publishable(kind: str, *, category_public: bool, confidential: bool) -> bool:
    return category_public and not confidential and kind not in NEVER_PUBLIC_KINDS


_EARTH_M_PER_DEG = 111_320.0
_HOUSE_NUMBER = re.compile(r"\d+\s*(号楼|号院|栋|幢|单元|室|号|楼|层|户|[A-Za-z]座)?")


def generalise_point(lon: float | None, lat: float | None, metres: float) -> tuple[float | None, float | None]:
    """Snap a point to the centre of a grid cell ``metres`` wide: a public map shows the block,
    not the door.  0 keeps the point (a city may decide so for street lights)."""
    if lon is None or lat is None or metres <= 0:
        return lon, lat
    dlat = metres / _EARTH_M_PER_DEG
    centre_lat = (math.floor(lat / dlat) + 0.5) * dlat
    # The cell's width from its own centre line, so every point of one row of cells shares it.
    dlon = metres / (_EARTH_M_PER_DEG * max(math.cos(math.radians(centre_lat)), 0.01))
    return round((math.floor(lon / dlon) + 0.5) * dlon, 6), round(centre_lat, 6)


_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")


def redact_text(text: str) -> str:
    """Free text on a public surface: mobile and ID numbers a resident typed into a description are
    masked like the fields are (a public feed republishes what residents write)."""
    if not text:
        return ""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def redact_people(text: str, people: Iterable[Person]) -> str:
    """Free text shown to someone who sees these people masked: each one's full name, phone and
    ID number are replaced by their masked forms, and other mobile/ID numbers too (redact_text).
    Names of one character are left alone (they would mask every such character in the text)."""
    if not text:
        return ""
    swaps: dict[str, str] = {}
    for p in people:
        for value, masked in ((p.id_number, mask_id_number(p.id_number)), (p.phone, mask_phone(p.phone)),
                              (p.name, mask_name(p.name))):
            if value and len(value) >= 2:
                swaps.setdefault(value, masked)
    if swaps:
        # One pass, longest first: "张三" must not cut "张三丰" into "张*丰" before it is found,
        # and a mask once written is not searched again.
        found = re.compile("|".join(re.escape(v) for v in sorted(swaps, key=len, reverse=True)))
        text = found.sub(lambda m: swaps[m.group(0)], text)
    return redact_text(text)


_DOOR = re.compile(r"\d+(?=\s*(?:号楼|号院|栋|幢|单元|室|号|弄|户))")


def mask_person_names(text: str) -> str:
    """Every word jieba's part-of-speech tagger reads as a person's name (nr: 张三丰, 王老板, 李师傅)
    masked like a name field: residents name neighbours and shopkeepers in what they write, and a
    public feed must not republish them.  jieba is loaded on first use (about 1 s)."""
    if not text:
        return ""
    import jieba.posseg
    return "".join(mask_name(w.word) if w.flag.startswith("nr") and len(w.word) >= 2 else w.word
                   for w in jieba.posseg.cut(text))


def publish_text(text: str, people: Iterable[Person] = ()) -> str:
    """Text on a public feed: the people we know of masked (redact_people), any other person's name
    too (mask_person_names), and house, building and room numbers starred — the place was
    generalised to a street and a 100 m cell, the words must not undo it."""
    return _DOOR.sub("**", mask_person_names(redact_people(text, people)))


def generalise_address(address: str) -> str:
    """'新华西路88号3栋201室' → '新华西路': numbers and what follows them (house, building, room)
    are cut; a public feed names the street."""
    if not address:
        return ""
    m = _HOUSE_NUMBER.search(address)
    return (address[:m.start()] if m else address).strip(" ,，-")
