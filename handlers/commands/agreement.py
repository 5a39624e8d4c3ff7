"""`/stage agreement` (overeenkomst) for a student: what covers their internships; and `/stage agreements`
(overeenkomsten) for the coordinator: institutions without a valid agreement, and `add` to record one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import col, select

from bot.flows import start as start_notice
from bot.views.agreements import coordinator_overview, student_agreements
from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from models import agreements, placements
from models.agreements import AgreementError
from models.people import Person
from models.schools import by_code


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    session = scope.session
    active = placements.of_student(session, scope.actor.person_id)
    covers = agreements.student_coverage(session, scope.actor.person_id, active)
    schools = placements.institutions(session, (c.institution_id for c in covers))
    blocks = student_agreements(scope.t, [(c, schools.get(c.institution_id)) for c in covers])
    return reply(blocks, scope.t("agreements.header"))


def run_overview(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, session = scope.t, scope.session
    words = invocation.args.split()
    if words and words[0].lower() in ("add", "toevoegen"):
        text = _add(invocation, words[1:])
        return reply([section(text)], text)
    if words:
        text = t("agreements.add.usage")
        return reply([section(text)], text)
    rows = agreements.uncovered_institutions(session)
    schools = placements.institutions(session, (r.institution_id for r in rows))
    ids = sorted({s for r in rows for s in r.student_ids})
    found: Iterable[tuple[int | None, str]] = (
        session.exec(select(Person.id, Person.slack_user_id).where(col(Person.id).in_(ids))) if ids else []
    )
    students: dict[int, str] = {pid: slack_id for pid, slack_id in found if pid is not None}
    return reply(coordinator_overview(t, rows, schools, students), t("agreements.overview.text"))


def _add(invocation: Invocation, words: list[str]) -> str:
    """`add CODE FROM [UNTIL]`: a signed framework agreement the university has with an institution."""
    scope = invocation.scope
    t = scope.t
    if len(words) not in (2, 3):
        return t("agreements.add.usage")
    school = by_code(scope.session, {words[0]}).get(words[0])
    if school is None or school.id is None:
        return t("agreements.add.unknown", code=words[0])
    try:
        days = [date.fromisoformat(w) for w in words[1:]]
    except ValueError:
        return t("agreements.add.bad_date")
    try:
        agreements.add_framework(
            scope.session, school.id, days[0], days[1] if len(days) > 1 else None,
            actor_id=scope.actor.person_id, now=scope.now, signed_on=scope.today,
        )  # fmt: skip
    except AgreementError as error:
        return t(error.key, **error.params)
    for student_id in agreements.students_at(scope.session, school.id):  # step 8 may now be clear
        notices = start_notice.refresh(scope.session, scope.services, student_id, scope.now)
        start_notice.send(invocation.client, notices)  # outbox rows in this command's transaction
    return t("agreements.add.done", school=school.name, start=t.date(days[0], "medium"))
