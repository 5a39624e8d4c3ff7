"""A whole cohort in a fresh database, for the export and question benchmarks: the people and schools of
bench/status_latency.py (imported with the real importers), each student's step progress, and beside it
what the sheets read: placements, planning versions with lessons, documents with decisions, framework
agreements and lerarenstage.be contracts, LIO applications. Written straight through the models."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from random import Random

from sqlmodel import Session, select

import models  # noqa: F401  (registers every table)
from bench.status_latency import (
    PEOPLE_COLUMNS,
    SCHOOL_COLUMNS,
    _csv,
    give_progress,
    import_csv,
    school_rows,
    staff_rows,
    student_rows,
)
from models.agreements import DigitalContract, FrameworkAgreement
from models.catalogue import Catalogue, Course, load_catalogue
from models.db import Database
from models.documents import Document, DocumentDecision
from models.lio import LioApplication
from models.migrate import upgrade
from models.people import Person, Student
from models.people_csv import import_people
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion
from models.schools import Institution
from models.schools_csv import import_schools

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@dataclass
class Cohort:
    db: Database
    catalogue: Catalogue
    students: int
    rows: int  # rows written besides people and schools


def build(students: int, schools: int, seed: int, url: str | None = None) -> Cohort:
    """A migrated database (a fresh SQLite file unless `url`) holding the cohort."""
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='stagebot-bench-')) / 'bench.db'}"
    db = Database(url)
    upgrade(db)
    rng = Random(seed)
    school_list = school_rows(schools, rng)
    import_csv(db, import_schools, _csv(SCHOOL_COLUMNS, school_list))
    people = staff_rows(rng) + student_rows(students, [s["code"] for s in school_list], rng)
    import_csv(db, import_people, _csv(PEOPLE_COLUMNS, people))
    slack_ids = [p["slack_id"] for p in people if p["roles"] == "student"]
    rows = give_progress(db, slack_ids, seed)
    catalogue = load_catalogue()
    rows += _records(db, catalogue, rng)
    return Cohort(db, catalogue, students, rows)


def _records(db: Database, catalogue: Catalogue, rng: Random) -> int:
    rows = 0
    with db.session() as session:
        school_ids = [i.id or 0 for i in session.exec(select(Institution))]
        students = list(session.exec(select(Student)))
        for n, institution_id in enumerate(school_ids):
            if n % 5 < 3:  # three schools in five have a framework agreement
                session.add(FrameworkAgreement(
                    institution_id=institution_id, valid_from=date(2025, 9, 1), status="signed",
                    school_signed_on=date(2025, 9, 1), university_signed_on=date(2025, 9, 2), created_at=NOW,
                ))  # fmt: skip
                rows += 1
        for s in students:
            rows += _student(session, catalogue, rng, s, school_ids)
        session.commit()
    return rows


def _student(
    session: Session, catalogue: Catalogue, rng: Random, student: Student, schools: list[int]
) -> int:
    sid, rows = student.person_id, 0
    extract = rng.choice(("approved", "approved", "awaiting_review", "rejected"))
    for n, (code, status) in enumerate((("commitment", "approved"), ("criminal_record", extract))):
        doc = Document(
            student_id=sid,
            type_code=code,
            version=1,
            status=status,
            sha256=f"{sid:032x}{n:032x}",
            size=120_000,
            kind="pdf",
            filename=f"{code}.pdf",
            slack_file_id=f"F{sid:08d}{n}",
            academic_year=catalogue.academic_year,
            issue_date=date(2026, 10, 1) if code == "criminal_record" else None,
            uploaded_at=NOW - timedelta(days=30),
        )
        session.add(doc)
        rows += 1
        if status != "awaiting_review":
            session.flush()
            assert doc.id is not None
            decided = NOW - timedelta(days=25)
            session.add(
                DocumentDecision(document_id=doc.id, approved=status == "approved", decided_at=decided)
            )
            rows += 1
    if rng.random() < 0.7:  # placed: every course, at one or two schools
        picked = rng.sample(schools, 2)
        for k, course in enumerate(catalogue.courses):
            rows += _placement(session, rng, sid, picked[k % 2], course)
        if rng.random() < 0.2:
            contract = DigitalContract(
                student_id=sid,
                institution_id=picked[0],
                start=date(2026, 10, 1),
                end=date(2027, 5, 31),
                student_signed_on=date(2026, 9, 20),
                updated_at=NOW,
            )
            session.add(contract)
            rows += 1
    if student.lio:
        application = LioApplication(
            student_id=sid,
            employer="School",
            level="secondary",
            teacher_hours=320,
            grades_2_3_hours=180,
            subject_x_hours=140,
            subject_y_hours=60,
            job_start=date(2026, 9, 1),
            job_end=date(2027, 6, 30),
            status=rng.choice(("pending", "approved")),
            submitted_at=NOW - timedelta(days=3),
        )
        session.add(application)
        rows += 1
    return rows


def _placement(session: Session, rng: Random, sid: int, school_id: int, course: Course) -> int:
    """One placement for the course's first period; four in ten with a planning of four lessons."""
    period = course.periods[0]
    placement = Placement(
        student_id=sid,
        institution_id=school_id,
        course_code=course.code,
        activities=[a.kind.value for a in course.activities],
        semester=period.semester,
        start=period.start,
        end=period.end,
        hours=sum(a.hours for a in course.activities),
        level="aso",
        grade=rng.choice((1, 2, 3)),
        placed_at=NOW - timedelta(days=20),
        answer="accepted",
    )
    session.add(placement)
    if rng.random() >= 0.4:
        return 1
    session.flush()
    assert placement.id is not None
    planning = PlanningVersion(
        placement_id=placement.id,
        student_id=sid,
        number=1,
        created_at=NOW - timedelta(days=5),
        status=rng.choice(("draft", "submitted", "approved")),
        submitted_at=NOW - timedelta(days=4),
    )
    session.add(planning)
    session.flush()
    assert planning.id is not None
    activity = course.activities[0].kind.value
    for day in range(4):
        lesson = PlannedLesson(
            version_id=planning.id,
            day=period.start + timedelta(days=day),
            start=time(10),
            end=time(10, 50),
            activity=activity,
            level="aso",
            grade=2,
        )
        session.add(lesson)
    return 6


def people_count(db: Database) -> int:
    with db.session() as session:
        return len(session.exec(select(Person.id)).all())
