"""The migrations build exactly the tables the models describe, on every backend, and upgrade a database
the previous release filled without losing its rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, select

from models import outbox, pending_jobs, scheduler_ticks, used_links
from models.agreements import FrameworkAgreement
from models.audit import AuditEntry
from models.db import Database
from models.documents import Document, DocumentDecision
from models.leases import Lease
from models.migrate import include_object, status, upgrade
from models.pending_jobs import PendingJob
from models.people import Person, PersonRole, Student
from models.placements import PlacedActivity, Placement
from models.planning import PlannedLesson, PlanningVersion
from models.progress import StepProgress
from models.reminders import Reminder
from tests.conftest import BACKENDS


def test_migrations_match_the_models(migrated_database: Database) -> None:
    with migrated_database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


# --- An upgrade of a database the previous release filled ---------------------------------------------------

OLD_RELEASE = ("0010", "0011", "0014")  # the heads of the previous release (planning, LIO, pending jobs)
UPGRADE_SCHEMA = "upgrade_from_previous_release"
AT = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with nothing in it; on PostgreSQL a schema of its own in the test database (the shared
    migrated one is left alone)."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'previous-release.db'}")
        yield database
        database.dispose()
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    admin = Database(base.render_as_string(hide_password=False))
    with admin.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {UPGRADE_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {UPGRADE_SCHEMA}"))
    own = base.update_query_dict({"options": f"-csearch_path={UPGRADE_SCHEMA}"})
    database = Database(own.render_as_string(hide_password=False))
    yield database
    database.dispose()
    with admin.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {UPGRADE_SCHEMA} CASCADE"))
    admin.dispose()


def _fill_as_the_previous_release(database: Database) -> dict[str, int]:
    """Representative rows written with plain inserts into the tables as revision 0014 left them (the
    database assigns the ids, as it did then); returns the ids."""
    meta = MetaData()
    meta.reflect(database.engine)
    t = meta.tables
    ids: dict[str, int] = {}

    with database.engine.begin() as c:

        def add(table: str, **values: Any) -> Any:
            """Insert one row; its primary key (the id the database gave it)."""
            return c.execute(t[table].insert().values(**values)).inserted_primary_key[0]

        ids["school"] = add(
            "institution",
            code="ATH1",
            name="Atheneum Brussel",
            city="Brussel",
            levels=["aso"],
            grades=[2, 3],
            uses_lerarenstage=True,
        )
        for who, slack, name, role in (
            ("student", "U0ANNA", "Anna De Smet", "student"),
            ("supervisor", "U0BRAM", "Bram Claes", "supervisor"),
            ("coordinator", "U0HILDE", "Hilde Claes", "coordinator"),
        ):
            ids[who] = add(
                "person",
                slack_user_id=slack,
                name=name,
                email=f"{slack.lower()}@example.org",
                language="nl",
                slack_locale="nl-BE",
                created_at=AT,
            )
            add("person_role", person_id=ids[who], role=role)
        anna = ids["student"]
        add(
            "student",
            person_id=anna,
            subject_x="Wiskunde",
            subject_y="Fysica",
            supervisor_x_id=ids["supervisor"],
            supervisor_y_id=None,
            supervisor_id=ids["supervisor"],
            lio=False,
        )
        add("step_progress", student_id=anna, step=2, state="done", updated_at=AT)
        add("step_progress", student_id=anna, step=7, state="awaiting_review", updated_at=AT)
        ids["document"] = add(
            "document",
            student_id=anna,
            type_code="extract",
            version=1,
            status="approved",
            sha256="a" * 64,
            size=48213,
            kind="pdf",
            filename="uittreksel.pdf",
            slack_file_id="F0EXTRACT",
            academic_year="2026-2027",
            issue_date=date(2026, 9, 20),
            expires_too_soon=False,
            uploaded_at=AT,
            uploaded_by_id=anna,
            purged_at=None,
            review_messages=[{"channel": "D0BRAM", "ts": "1.2"}],
            renewal_asked_at=None,
        )
        add(
            "document_decision",
            document_id=ids["document"],
            approved=True,
            reason=None,
            decided_by_id=ids["supervisor"],
            decided_at=AT,
        )
        ids["placement"] = add(
            "placement",
            student_id=anna,
            institution_id=ids["school"],
            course_code="VDX1",
            activities=["observation", "co_teaching"],
            semester=1,
            start=date(2026, 11, 9),
            end=date(2026, 12, 4),
            hours=4,
            level="aso",
            grade=2,
            status="active",
            approval="approved",
            approved_by_id=ids["coordinator"],
            approved_at=AT,
            placed_by_id=ids["coordinator"],
            placed_at=AT,
            override_reason=None,
            replaces_id=None,
            ended_at=None,
            ended_by_id=None,
            request_channel="email",
            requested_on=date(2026, 10, 1),
            answer="accepted",
            answered_on=date(2026, 10, 2),
            refusal_reason=None,
        )
        ids["version"] = add(
            "planning_version",
            placement_id=ids["placement"],
            student_id=anna,
            number=1,
            status="submitted",
            created_at=AT,
            submitted_at=AT,
            late=False,
            decided_by_id=None,
            decided_at=None,
            reason=None,
            typing_until=None,
        )
        lesson = {
            "version_id": ids["version"],
            "day": date(2026, 11, 10),
            "start": time(10, 0),
            "end": time(10, 50),
            "activity": "observation",
            "class_name": "5B",
            "grade": 2,
            "level": "aso",
            "room": "204",
            "topic": "breuken",
            "mentor": "mevr. Peeters",
        }
        ids["lesson"] = add("planned_lesson", **lesson)
        add("planned_lesson", **lesson)  # stored twice by two clicks at once: the upgrade keeps the first
        add("planned_lesson", **{**lesson, "day": date(2026, 11, 12), "activity": "co_teaching"})
        ids["framework"] = add(
            "framework_agreement",
            institution_id=ids["school"],
            valid_from=date(2026, 9, 1),
            valid_until=None,
            status="sent",
            sent_on=date(2026, 9, 2),
            created_at=AT,
            created_by_id=ids["coordinator"],
        )
        add(
            "framework_agreement",
            institution_id=ids["school"],
            valid_from=date(2026, 9, 1),
            valid_until=None,
            status="draft",
            created_at=AT,
            created_by_id=ids["coordinator"],
        )
        add(
            "reminder",
            recipient="U0ANNA",
            kind="deadline",
            subject="preferences",
            due=date(2026, 10, 5),
            sent_at=AT,
        )
        add("snooze", recipient="U0BRAM", until=date(2026, 10, 8))
        ids["job"] = add(
            "pending_job",
            kind="document_fetch",
            payload={"file": "F0EXTRACT", "student": "U0ANNA"},
            created_at=AT,
            attempts=1,
            last_error="timeout",
        )
        add(
            "audit_entry",
            at=AT,
            actor_id=ids["supervisor"],
            student_id=anna,
            action="document.approved",
            subject=f"document:{ids['document']}",
            detail={"type": "extract", "version": 1},
        )
        add("processed_event", event_id="Ev0PREVIOUS", received_at=AT)
        add("lease", name="scheduler", holder="old-host:7", expires_at=AT)
    return ids


def test_an_upgrade_keeps_the_previous_releases_data_and_the_new_tables_work(
    empty_database: Database,
) -> None:
    database = empty_database
    for head in OLD_RELEASE:
        upgrade(database, head)
    assert status(database).pending  # the previous release's schema, not this one's
    ids = _fill_as_the_previous_release(database)

    upgrade(database)

    assert status(database).up_to_date
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    with database.session() as s:
        anna = s.get(Person, ids["student"])
        assert anna is not None and (anna.name, anna.created_at) == ("Anna De Smet", AT)
        assert sorted(r.role for r in s.exec(select(PersonRole)).all()) == [
            "coordinator",
            "student",
            "supervisor",
        ]
        student = s.get(Student, ids["student"])
        assert student is not None and student.supervisor_x_id == ids["supervisor"]
        steps = {(p.step, p.state) for p in s.exec(select(StepProgress)).all()}
        assert steps == {(2, "done"), (7, "awaiting_review")}
        document = s.get(Document, ids["document"])
        assert document is not None
        assert (document.sha256, document.uploaded_at, document.review_messages) == (
            "a" * 64,
            AT,
            [{"channel": "D0BRAM", "ts": "1.2"}],
        )
        (decision,) = s.exec(select(DocumentDecision)).all()
        assert decision.document_id == ids["document"] and decision.approved
        placement = s.get(Placement, ids["placement"])
        assert placement is not None and placement.activities == ["observation", "co_teaching"]
        held = {(h.course_code, h.activity, h.placement_id) for h in s.exec(select(PlacedActivity)).all()}
        assert held == {("VDX1", "observation", ids["placement"]), ("VDX1", "co_teaching", ids["placement"])}
        version = s.get(PlanningVersion, ids["version"])
        assert version is not None and version.status == "submitted"
        lessons = s.exec(select(PlannedLesson).order_by(PlannedLesson.day)).all()  # type: ignore[arg-type]
        assert lessons[0].id == ids["lesson"]
        assert [lesson.day.day for lesson in lessons] == [10, 12]  # the twin went, the rest stayed
        (framework,) = s.exec(select(FrameworkAgreement)).all()
        assert framework.id == ids["framework"] and framework.status == "sent"
        (reminder,) = s.exec(select(Reminder)).all()
        assert (reminder.recipient, reminder.subject, reminder.sent_at) == ("U0ANNA", "preferences", AT)
        job = s.get(PendingJob, ids["job"])
        assert job is not None and job.payload == {"file": "F0EXTRACT", "student": "U0ANNA"}
        (entry,) = s.exec(select(AuditEntry)).all()
        assert entry.detail == {"type": "extract", "version": 1}
        lease = s.get(Lease, "scheduler")
        assert lease is not None and lease.expires_at == AT
    later = AT + timedelta(days=1)
    with database.session() as s:  # the old tables take new rows (their id sequences carry on) ...
        assert pending_jobs.add(s, "document_fetch", {"file": "F0NEW"}, later) > ids["job"]
        s.add(Person(slack_user_id="U0NEW", name="Nieuwe Student", created_at=later))
        s.flush()
        # ... and the new ones work beside them
        assert outbox.enqueue(s, "upgrade:1", "D0ANNA", "chat.postMessage", {"text": "hallo"}, later)
        outbox.remember_dm_channel(s, "U0ANNA", "D0ANNA")
        assert used_links.claim(s, "n" * 16, later, later + timedelta(minutes=10))
        assert not used_links.claim(s, "n" * 16, later, later + timedelta(minutes=10))
    scheduler_ticks.record(database, "scheduler", "new-host:1", later)
    with database.session() as s:
        assert [row.method for row in outbox.unsent(s)] == ["chat.postMessage"]
        assert outbox.dm_channel(s, "U0ANNA") == "D0ANNA"
        tick = scheduler_ticks.last(s, "scheduler")
        assert tick is not None and (tick.holder, tick.ticked_at) == ("new-host:1", later)
        assert len(s.exec(select(Person)).all()) == 4
