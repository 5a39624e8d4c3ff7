"""The demo cohort in mid-year: who has done what, so a newcomer meets a believable programme, not 0/8.

`seed_progress` replays a plausible history through the real model operations (intake meetings published,
booked and held; preferences given; documents uploaded and reviewed; placements, the schools' answers,
agreements and the school's people), each with its own moment relative to `now`, so the states, the audit
log and the reminders agree with each other on whatever day the workspace starts. It never writes a step's
state itself: every feature records its own, as it does for a real click.

It runs once per database: when any demo student already has a step recorded (an earlier start, or
someone who played with the demo), it changes nothing.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.flows.documents import store_of
from bot.services import Services
from models import agreements, documents, evaluations, intake, lio, placement_steps, placements, preferences
from models import school_contacts as contacts
from models.bell_schedules import parse_schedule, save_schedule
from models.catalogue import Catalogue
from models.document_checks import check
from models.document_store import DocumentStore
from models.documents import DocumentConfig, InternshipWindow, load_document_config
from models.people import Person
from models.placements import Proposal, RequestChannel
from models.progress import StepProgress
from models.schools import Institution

# --- who is who in the demo (bot/demo/people.csv and schools.csv) ----------------------------------------

COORDINATOR = "U0DEMOCO01"  # Hilde Claes
MARLEEN, TOM, NADIA = "U0DEMOSV01", "U0DEMOSV02", "U0DEMOSV03"
YASMINA, PIETER, AMIRA, LUCAS = "U0DEMOST01", "U0DEMOST02", "U0DEMOST03", "U0DEMOST04"
EMMA, MEHMET, FATIMA, JONAS = "U0DEMOST05", "U0DEMOST06", "U0DEMOST07", "U0DEMOST08"
SARAH, THOMAS, AYLIN, OLIVIA = "U0DEMOST09", "U0DEMOST10", "U0DEMOST11", "U0DEMOST12"
STUDENTS = (YASMINA, PIETER, AMIRA, LUCAS, EMMA, MEHMET, FATIMA, JONAS, SARAH, THOMAS, AYLIN, OLIVIA)

SENT_BACK_REASON = (
    "Dit is een uittreksel model 596.1. Voor een stage met minderjarigen heb je model 596.2 nodig: "
    "vraag het aan bij je gemeente en laad het opnieuw op."
)
SLOT_MINUTES = 30
_DAY = "1 8u25-9u15\n2 9u15-10u05\n3 10u20-11u10\n4 11u10-12u00\n5 12u50-13u40\n6 13u40-14u30\n7 14u40-15u30"
_EARLY = "1 8u15-9u05\n2 9u05-9u55\n3 10u10-11u00\n4 11u00-11u50\n5 12u45-13u35\n6 13u35-14u25\n7 14u35-15u25"
# the lesson hours of the schools where demo students are placed (bell_schedules)
BELL_TIMES = {
    "ATH-ZENNE": _DAY,
    "LYC-JETTE": _EARLY,
    "TI-NOORD": _EARLY,
    "KUNST-ELS": _DAY,
    "COL-KANAAL": _DAY,
}


@dataclass
class Demo:
    """What every scene of the history needs: the session, the people and schools by key, the clock."""

    session: Session
    catalogue: Catalogue
    config: DocumentConfig
    window: InternshipWindow
    store: DocumentStore
    now: datetime
    tz: ZoneInfo
    people: dict[str, Person]
    schools: dict[str, Institution]

    def id(self, slack_id: str) -> int:
        person_id = self.people[slack_id].id
        assert person_id is not None
        return person_id

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def day(self, days_ago: int) -> date:
        """A working day (Monday to Friday) about `days_ago` days before today, in local time."""
        day = self.now.astimezone(self.tz).date() - timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)


def seed_progress(services: Services, now: datetime) -> bool:
    """Bring the demo cohort to mid-year; False (and nothing changed) when it was done before.

    One transaction: the cohort is seeded whole or not at all.
    """
    with services.db.session() as session:
        people = {
            p.slack_user_id: p
            for p in session.exec(
                select(Person).where(col(Person.slack_user_id).in_([*STUDENTS, MARLEEN, TOM, NADIA]))
            )
        }
        if len(people) < len(STUDENTS) + 3:
            return False  # not the demo people (e.g. someone's own database): leave it alone
        ids = [p.id for key, p in people.items() if key in STUDENTS]
        if session.exec(select(StepProgress).where(col(StepProgress.student_id).in_(ids))).first():
            return False
        coordinator = session.exec(select(Person).where(Person.slack_user_id == COORDINATOR)).first()
        if coordinator is not None:
            people[COORDINATOR] = coordinator
        demo = Demo(
            session=session,
            catalogue=services.catalogue,
            config=load_document_config(),
            window=InternshipWindow.of(services.catalogue),
            store=store_of(services),
            now=now,
            tz=ZoneInfo(services.settings.timezone),
            people=people,
            schools={s.code: s for s in session.exec(select(Institution))},
        )
        _history(demo)
    return True


def _history(demo: Demo) -> None:
    """The cohort, from nearly done to just starting (the README's "Try it" names them)."""
    _framework(demo, "ATH-ZENNE", signed_days_ago=400)
    for code, schedule in BELL_TIMES.items():  # so "woensdag 3e lesuur" works at every demo placement
        _bell_times(demo, code, schedule)

    # Nearly done: steps 1 to 6 finished; the planning for semester 2 is what is left.
    for index, (student, supervisor) in enumerate(((PIETER, TOM), (SARAH, NADIA), (EMMA, NADIA))):
        _intake_held(demo, student, supervisor, days_ago=60, index=index)
        _preferences(demo, student, days_ago=56)
        _documents(demo, student, days_ago=50, reviewer=supervisor)
    _placed_and_accepted(demo, PIETER, TOM, "ATH-ZENNE", _full_programme("aso"), days_ago=40)
    _placed_and_accepted(demo, SARAH, NADIA, "LYC-JETTE", _full_programme("aso"), days_ago=39)
    _contract(demo, SARAH, "LYC-JETTE", days_ago=24)
    programme = _full_programme("tso")
    _placed_and_accepted(demo, EMMA, NADIA, "TI-NOORD", programme[1:5], days_ago=38)
    _placed_and_accepted(demo, EMMA, NADIA, "ATH-ZENNE", [_lil("aso"), _pl("aso")], days_ago=37)
    _contract(demo, EMMA, "TI-NOORD", days_ago=22)
    for student in (PIETER, SARAH, EMMA):
        _school_people(demo, student, days_ago=12)
    # Pieter's tutoring mentor has the evaluation to fill in: the first tick mails her the link (the
    # local workspace's mailbox shows it), and what she submits reaches Tom's DM.
    _pending_evaluation(demo, PIETER, "LIL", days_ago=2)

    # In the middle.
    for index, (student, supervisor) in enumerate(
        ((MEHMET, MARLEEN), (THOMAS, TOM), (FATIMA, TOM), (JONAS, NADIA), (OLIVIA, TOM), (AMIRA, TOM))
    ):
        _intake_held(demo, student, supervisor, days_ago=64 - 2 * index, index=index + 3)
        _preferences(demo, student, days_ago=53 - index % 3)
    # Mehmet and Fatima: accepted by a school without an agreement: the coordinator has one to draw up.
    _documents(demo, MEHMET, days_ago=45, reviewer=MARLEEN)
    _placed_and_accepted(demo, MEHMET, MARLEEN, "KUNST-ELS", _full_programme("aso"), days_ago=30)
    _documents(demo, FATIMA, days_ago=44, reviewer=TOM)
    _placed_and_accepted(demo, FATIMA, TOM, "KUNST-ELS", _full_programme("aso")[1:3], days_ago=26)
    # Thomas asked his school on lerarenstage.be last week and waits for the answer.
    _documents(demo, THOMAS, days_ago=43, reviewer=TOM)
    _place(demo, THOMAS, TOM, "COL-KANAAL", _full_programme("aso"), days_ago=20)
    _request(demo, THOMAS, "COL-KANAAL", days_ago=6)
    # Jonas: both documents wait for his supervisors; Olivia: her extract does.
    _upload(demo, JONAS, "commitment", days_ago=5)
    _upload(demo, JONAS, "criminal_record", days_ago=5, issued_days_ago=12)
    commitment = _upload(demo, OLIVIA, "commitment", days_ago=20)
    _decide(demo, commitment, TOM, approved=True, days_ago=18)
    _upload(demo, OLIVIA, "criminal_record", days_ago=4, issued_days_ago=9, image=True)
    # Amira: her extract was sent back with the reason; she has to upload the right model.
    commitment = _upload(demo, AMIRA, "commitment", days_ago=15)
    _decide(demo, commitment, TOM, approved=True, days_ago=14)
    extract = _upload(demo, AMIRA, "criminal_record", days_ago=8, issued_days_ago=30)
    _decide(demo, extract, TOM, approved=False, days_ago=6, reason=SENT_BACK_REASON)

    # Lucas teaches already: his LIO application waits for the study-path counsellor.
    _intake_held(demo, LUCAS, NADIA, days_ago=57, index=9)
    _preferences(demo, LUCAS, days_ago=55)
    _documents(demo, LUCAS, days_ago=35, reviewer=NADIA)
    _lio_application(demo, LUCAS, days_ago=3)

    # Just starting: Aylin booked one of Marleen's coming slots; Yasmina had given nothing by the
    # deadline, so Marleen reopened her preferences (and two slots are still free for her intake).
    slots = _coming_slots(demo, MARLEEN, count=3)
    intake.book(demo.session, demo.id(AYLIN), slots[0], demo.ago(1))
    reopened = demo.ago(1)
    preferences.reopen(
        demo.session,
        demo.id(YASMINA),
        demo.id(MARLEEN),
        reopened,
        reopened.astimezone(demo.tz).date(),
    )


# --- step 1: intake and preferences ----------------------------------------------------------------------


def _intake_held(demo: Demo, student: str, supervisor: str, *, days_ago: int, index: int) -> None:
    """A slot published ten days ahead, booked a week ahead, the meeting held and noted."""
    day = demo.day(days_ago)
    start = demo.at(day, 13) + timedelta(minutes=SLOT_MINUTES * index)
    slot = intake.PlannedSlot(start, start + timedelta(minutes=SLOT_MINUTES), "Lokaal B.204")
    intake.publish(demo.session, demo.id(supervisor), [slot], start - timedelta(days=10))
    demo.session.flush()
    slot_id = demo.session.exec(
        select(intake.IntakeSlot.id).where(
            intake.IntakeSlot.supervisor_id == demo.id(supervisor), intake.IntakeSlot.starts_at == start
        )
    ).one()
    assert slot_id is not None
    booking = intake.book(demo.session, demo.id(student), slot_id, start - timedelta(days=7))
    note = "Gemotiveerd; wil graag in de 2de en 3de graad staan. Voorkeur voor een school in Brussel."
    intake.mark_held(
        demo.session, booking.id or 0, demo.id(supervisor), note, start + timedelta(minutes=SLOT_MINUTES)
    )


def _coming_slots(demo: Demo, supervisor: str, *, count: int) -> list[int]:
    """Free slots on the second working day from now (so they can still be booked, 24 h ahead)."""
    day = demo.now.astimezone(demo.tz).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    first = demo.at(day, 14)
    planned = [
        intake.PlannedSlot(
            first + timedelta(minutes=SLOT_MINUTES * i),
            first + timedelta(minutes=SLOT_MINUTES * (i + 1)),
            "Lokaal B.204",
        )
        for i in range(count)
    ]
    intake.publish(demo.session, demo.id(supervisor), planned, demo.ago(2))
    demo.session.flush()
    return [
        slot_id
        for slot_id in demo.session.exec(
            select(col(intake.IntakeSlot.id))
            .where(
                intake.IntakeSlot.supervisor_id == demo.id(supervisor),
                col(intake.IntakeSlot.starts_at) >= first,
            )
            .order_by(col(intake.IntakeSlot.starts_at))
        )
        if slot_id is not None
    ]


def _preferences(demo: Demo, student: str, *, days_ago: int) -> None:
    """Three schools that are not the student's former ones, Brussels, the upper grades."""
    former = placements.former_school_ids(demo.session, demo.id(student))
    ranked = [
        demo.schools[code].id
        for code in ("ATH-ZENNE", "LYC-JETTE", "KUNST-ELS", "COL-KANAAL", "TI-NOORD")
        if code in demo.schools and demo.schools[code].id not in former
    ][:3]
    chosen = preferences.Preferences(
        institution_ids=tuple(i for i in ranked if i is not None),
        regions=("Brussel", "Vlaams-Brabant"),
        levels=("aso", "tso"),
        grades=(2, 3),
        tutoring_semester=2,
        professional_semester=2,
        remarks="Ik combineer graag mijn stages op één school.",
    )
    assert not preferences.problems(chosen)
    preferences.submit(
        demo.session,
        demo.id(student),
        chosen,
        preferences.Source.MODAL,
        demo.ago(days_ago),
        refresh_step=intake.refresh_step,
    )


# --- step 2: documents -----------------------------------------------------------------------------------


def _documents(demo: Demo, student: str, *, days_ago: int, reviewer: str) -> None:
    """The two documents every student uploads once, then approved two days later (an LIO student's
    proof of the job comes with the LIO application)."""
    for doctype in demo.config.required_types(lio=False):
        issued = days_ago + 10 if doctype.needs_issue_date else None
        document = _upload(demo, student, doctype.code, days_ago=days_ago, issued_days_ago=issued)
        _decide(demo, document, reviewer, approved=True, days_ago=days_ago - 2)


def _upload(
    demo: Demo,
    student: str,
    type_code: str,
    *,
    days_ago: float,
    issued_days_ago: int | None = None,
    image: bool = False,
) -> documents.Document:
    """A small real file, checked as an upload is, stored by its hash, accepted as a new version."""
    doctype = demo.config.type(type_code)
    assert doctype is not None
    name = demo.people[student].name
    title = f"{doctype.label('nl')} - {name} (demo)"
    content = _png(name) if image else _pdf(title)
    result = check(content, doctype.formats, doctype.max_bytes)
    assert result.ok and result.kind is not None, result.refusal
    digest, _ = demo.store.put(content)
    issued = None if issued_days_ago is None else demo.day(issued_days_ago)
    filename = f"{type_code}-{_ascii(name).lower().replace(' ', '-')}.{result.kind.value}"
    outcome = documents.accept(
        demo.session,
        demo.config,
        documents.Upload(
            student_id=demo.id(student),
            type_code=type_code,
            sha256=digest,
            size=len(content),
            kind=result.kind,
            filename=filename,
            slack_file_id=f"FDEMO{digest[:10].upper()}",
            academic_year=demo.catalogue.academic_year,
            issue_date=issued,
            uploaded_by_id=demo.id(student),
        ),
        demo.ago(days_ago),
        demo.window,
    )
    return outcome.document


def _decide(
    demo: Demo,
    document: documents.Document,
    reviewer: str,
    *,
    approved: bool,
    days_ago: float,
    reason: str | None = None,
) -> None:
    documents.decide(
        demo.session,
        demo.config,
        document,
        approved=approved,
        reason=reason,
        actor_id=demo.id(reviewer),
        now=demo.ago(days_ago),
    )


# --- steps 3 to 6: placements, the school's answer, agreements, the school's people -----------------------


def _lil(level: str) -> Proposal:
    return Proposal("LIL", ("tutoring",), 2, level, 2)


def _pl(level: str) -> Proposal:
    return Proposal("PL", ("guided", "independent", "workplace_task"), 2, level, 3)


def _full_programme(level: str) -> list[Proposal]:
    """Every activity of the catalogue: semester 1 for the first subject didactics, else semester 2."""
    return [
        _lil(level),
        Proposal("VDX1", ("observation", "co_teaching"), 1, level, 3),
        Proposal("VDY1", ("observation", "co_teaching"), 1, level, 2),
        Proposal("VDX2", ("co_teaching", "guided"), 2, level, 3),
        Proposal("VDY2", ("co_teaching", "guided"), 2, level, 2),
        _pl(level),
    ]


def _place(
    demo: Demo, student: str, supervisor: str, school: str, proposals: Iterable[Proposal], *, days_ago: int
) -> None:
    """Place as a supervisor does: every rule checked first (demo data that breaks one is a bug)."""
    session, catalogue, student_id = demo.session, demo.catalogue, demo.id(student)
    institution = demo.schools[school]
    for proposal in proposals:
        held = placements.held_of(placements.of_student(session, student_id))
        refusals = placements.check_placement(
            catalogue,
            proposal,
            institution,
            held,
            former_school_ids=placements.former_school_ids(session, student_id),
            conflict_ids=preferences.conflict_institution_ids(session, student_id),
        )
        assert not refusals, (student, school, proposal, refusals)
        placements.place(
            session,
            catalogue,
            student_id,
            institution,
            proposal,
            actor_id=demo.id(supervisor),
            now=demo.ago(days_ago),
        )
    placement_steps.refresh(session, catalogue, student_id, demo.ago(days_ago))


def _request(demo: Demo, student: str, school: str, *, days_ago: int) -> None:
    institution = demo.schools[school]
    channel = RequestChannel.LERARENSTAGE if institution.uses_lerarenstage else RequestChannel.EMAIL
    placements.record_request(
        demo.session,
        demo.id(student),
        institution.id or 0,
        channel,
        demo.day(days_ago),
        now=demo.ago(days_ago),
    )
    placement_steps.refresh(demo.session, demo.catalogue, demo.id(student), demo.ago(days_ago))


def _placed_and_accepted(
    demo: Demo, student: str, supervisor: str, school: str, proposals: list[Proposal], *, days_ago: int
) -> None:
    """Placed, asked a few days later, and accepted by the school a week after that."""
    _place(demo, student, supervisor, school, proposals, days_ago=days_ago)
    _request(demo, student, school, days_ago=days_ago - 3)
    answered = days_ago - 8
    placements.record_answer(
        demo.session,
        demo.id(student),
        demo.schools[school].id or 0,
        True,
        demo.day(answered),
        reason=None,
        now=demo.ago(answered),
    )
    placement_steps.refresh(demo.session, demo.catalogue, demo.id(student), demo.ago(answered))


def _framework(demo: Demo, school: str, *, signed_days_ago: int) -> None:
    """A framework agreement the university and the school signed long ago, open-ended."""
    signed = demo.day(signed_days_ago)
    agreements.add_framework(
        demo.session,
        demo.schools[school].id or 0,
        signed,
        None,
        actor_id=demo.id(COORDINATOR) if COORDINATOR in demo.people else None,
        now=demo.ago(signed_days_ago),
        signed_on=signed,
    )


def _bell_times(demo: Demo, school: str, schedule: str) -> None:
    """The school's lesson hours, entered once (a month ago) for everyone placed there."""
    periods, bad = parse_schedule(schedule)
    assert not bad, f"demo bell times of {school}"
    actor = COORDINATOR if COORDINATOR in demo.people else TOM
    school_id = demo.schools[school].id or 0
    save_schedule(demo.session, school_id, periods, actor_id=demo.id(actor), now=demo.ago(30))


def _contract(demo: Demo, student: str, school: str, *, days_ago: int) -> None:
    """The student's lerarenstage.be contract, signed by all three parties over a few days."""
    student_id, institution_id = demo.id(student), demo.schools[school].id or 0
    own = [p for p in placements.of_student(demo.session, student_id) if p.institution_id == institution_id]
    agreements.save_contract(
        demo.session,
        student_id,
        institution_id,
        min(p.start for p in own),
        max(p.end for p in own),
        {
            "student": demo.day(days_ago + 4),
            "school": demo.day(days_ago + 2),
            "university": demo.day(days_ago),
        },
        now=demo.ago(days_ago),
        today=demo.ago(days_ago).astimezone(demo.tz).date(),
    )
    placement_steps.refresh(demo.session, demo.catalogue, student_id, demo.ago(days_ago))


MENTORS = {
    "ATH-ZENNE": ("Griet Van Damme", "Jan Claessens"),
    "LYC-JETTE": ("Sanne Peeters", "Karim Aouad"),
    "TI-NOORD": ("Dirk Vos", "Nora El Idrissi"),
}


def _school_people(demo: Demo, student: str, *, days_ago: int) -> None:
    """Step 6 for each school the student was accepted at: contact, mentors, rules read, introduction."""
    student_id = demo.id(student)
    schools = {p.institution_id for p in placements.of_student(demo.session, student_id)}
    for institution in demo.schools.values():
        if institution.id not in schools:
            continue
        subject_mentor, school_mentor = MENTORS.get(institution.code, ("Ann Smets", "Luc Janssen"))
        domain = (institution.contact_email or "school.example").split("@")[-1]
        contacts.save(
            demo.session,
            student_id,
            institution.id,
            contact=contacts.Contact(
                institution.contact_name or "Secretariaat",
                institution.contact_email or "",
                institution.contact_phone or "",
            ),
            subject_mentors=[contacts.Contact(subject_mentor, _email(subject_mentor, domain))],
            school_mentor=contacts.Contact(school_mentor, _email(school_mentor, domain)),
            rules_read=True,
            introduction_on=demo.day(days_ago - 5),
            now=demo.ago(days_ago),
        )
    placement_steps.refresh(demo.session, demo.catalogue, student_id, demo.ago(days_ago))


def _pending_evaluation(demo: Demo, student: str, course: str, *, days_ago: int) -> None:
    """The mentor's evaluation of the course's activities with a form, not yet mailed."""
    for placement in placements.of_student(demo.session, demo.id(student)):
        if placement.course_code == course:
            evaluations.create_for(demo.session, placement, demo.ago(days_ago))


def _email(name: str, domain: str) -> str:
    return f"{_ascii(name).lower().replace(' ', '.')}@{domain}"


# --- LIO -------------------------------------------------------------------------------------------------


def _lio_application(demo: Demo, student: str, *, days_ago: int) -> None:
    """A part-time teaching job: eligible, not exempt; the proof waits for review beside it."""
    first_year = int(demo.catalogue.academic_year.split("-")[0])
    job = lio.Job(
        employer="Sint-Guido-Instituut, Anderlecht",
        level=lio.Level.SECONDARY,
        teacher_hours=320,
        grades_2_3_hours=180,
        subject_x_hours=140,
        subject_y_hours=60,
        start=date(first_year, 9, 1),
        end=date(first_year + 1, 6, 30),
    )
    assert not lio.problems(job)
    _upload(demo, student, "lio_proof", days_ago=days_ago)
    lio.apply(demo.session, demo.id(student), job, demo.id(student), demo.ago(days_ago))


# --- small real files ------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _pdf(title: str) -> bytes:
    """A one-page A4 PDF that says what it is, written by hand (offsets counted) so it needs no library."""
    line = _ascii(title).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 16 Tf 72 770 Td ({line}) Tj 0 -24 Td (Voorbeeld uit de demo van Stagebot) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out + trailer.encode("ascii")


def _png(seed: str, size: int = 8) -> bytes:
    """A tiny coloured PNG (a 'photo' of a paper form); the colour follows the name, so files differ."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    colour = bytes((zlib.crc32(seed.encode()) >> shift) & 0xFF for shift in (0, 8, 16))
    rows = b"".join(b"\x00" + colour * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
