"""Which student a command names: a mention (<@U…>), a Slack id, or (part of) a name, "@" allowed."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from models.people import Person, Student

_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def find_student(session: Session, text: str) -> tuple[Person | None, str | None]:
    """(the student, None), or (None, a message key: documents.student.not_found / .ambiguous)."""
    text = text.strip()
    if match := _MENTION.match(text):
        text = match[1]
    query = select(Person).join(Student, col(Student.person_id) == col(Person.id))
    if _SLACK_ID.match(text):
        found = session.exec(query.where(Person.slack_user_id == text)).first()
        return (found, None) if found else (None, "documents.student.not_found")
    name = text.removeprefix("@").strip().lower()
    if not name:
        return None, "documents.student.not_found"
    students = list(session.exec(query))
    exact = [p for p in students if p.name.lower() == name]
    partial = exact or [p for p in students if name in p.name.lower()]
    if len(partial) == 1:
        return partial[0], None
    return None, "documents.student.ambiguous" if partial else "documents.student.not_found"
