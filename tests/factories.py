"""Test data written straight through the models, the way the importers store it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from models.people import Person, PersonRole, Role, Student
from models.progress import Step, StepState, record


def person(
    session: Session,
    slack_id: str,
    name: str,
    *roles: Role,
    language: str | None = None,
    locale: str | None = "nl-BE",
) -> Person:
    someone = Person(
        slack_user_id=slack_id,
        name=name,
        email=f"{slack_id.lower()}@example.edu",
        language=language,
        slack_locale=locale,
    )
    session.add(someone)
    session.flush()
    assert someone.id is not None
    for role in roles:
        session.add(PersonRole(person_id=someone.id, role=role.value))
    return someone


def student(
    session: Session,
    slack_id: str,
    name: str,
    *,
    supervisor: Person | None = None,
    subject_x: str = "Wiskunde",
    subject_y: str = "Fysica",
    lio: bool = False,
    **kwargs: object,
) -> Person:
    someone = person(session, slack_id, name, Role.STUDENT, **kwargs)  # type: ignore[arg-type]
    assert someone.id is not None
    session.add(
        Student(
            person_id=someone.id,
            subject_x=subject_x,
            subject_y=subject_y,
            supervisor_x_id=supervisor.id if supervisor else None,
            supervisor_y_id=supervisor.id if supervisor else None,
            lio=lio,
        )
    )
    session.flush()
    return someone


def progress(session: Session, who: Person, **states: StepState) -> None:
    """progress(session, anna, INTAKE=StepState.DONE, DOCUMENTS=StepState.AWAITING_REVIEW)"""
    assert who.id is not None
    for step_name, state in states.items():
        record(session, who.id, Step[step_name], state, datetime(2026, 10, 1, tzinfo=UTC))
