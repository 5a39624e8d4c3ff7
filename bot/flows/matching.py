"""Matching suggestions between Slack and the models: a proposal is a durable job, solved after the answer,
stored, and DMed to whoever asked (handlers/matching.py has its buttons)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session, col, select

from bot import durable_jobs
from bot.delivery.notifier import send_dm
from bot.i18n import Translator, person_translator
from bot.middleware import Scope
from bot.services import Services
from bot.views import matching as views
from bot.views.blocks import Block, section
from models import audit, matching, matching_runs, placements
from models.matching_runs import MatchRun
from models.people import Person, Student

TIME_LIMIT = 8.0  # seconds of solving; a cohort of 1,000 finishes in about that (bench/README.md)

PROPOSE_JOB = "matching.propose"


def propose_later(
    scope: Scope, client: WebClient, requester_id: int, cohort: bool, excluded: list[int]
) -> None:
    """Ask for a proposal: a durable job in the request's transaction, solved after the answer by this
    process or, should it stop first, by any other."""
    payload = {"requester": requester_id, "cohort": cohort, "excluded": list(excluded)}
    durable_jobs.record_in(scope.session, scope.services, client, PROPOSE_JOB, payload)


def propose_durable_job(services: Services, client: WebClient, payload: dict[str, Any]) -> None:
    """The durable job of PROPOSE_JOB (listed in bot.flows.registry)."""
    propose_job(
        services, client, int(payload["requester"]), bool(payload["cohort"]), list(payload["excluded"])
    )


def propose_job(
    services: Services, client: WebClient, requester_id: int, cohort: bool, excluded: list[int]
) -> None:
    """Build, solve and store a proposal, then DM it to the requester (runs after the ack). Run again after
    a crash it stores a new run; the DM is keyed by the job, so the requester gets one."""
    with services.db.session() as session:
        requester = session.get_one(Person, requester_id)
        run = matching_runs.start(session, requester_id, cohort, set(excluded), services.clock.now())
        ids = matching_runs.students_in_scope(session, requester_id, cohort)
        instance = matching_runs.load_instance(session, services.catalogue, ids, set(excluded))
        instance.students = [s for s in instance.students if s.units]
        result = matching.solve(instance, time_limit=TIME_LIMIT)
        matching_runs.store(session, run, result)
        audit.log(session, services.clock.now(), "matching.proposed", actor_id=requester_id,
                  subject=f"match_run:{run.id}", students=len(instance.students))  # fmt: skip
        session.commit()
        t = person_translator(requester, services.settings.timezone)
        blocks = render(session, services, t, run, 0)
    send_dm(client, requester.slack_user_id, t("matching.dm_text"), blocks)


def render(session: Session, services: Services, t: Translator, run: MatchRun, offset: int) -> list[Block]:
    assert run.id is not None
    proposals = matching_runs.proposals_of(session, run.id)
    ids = sorted({p.student_id for p in proposals})
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))} if ids else {}
    students = (
        {s.person_id: s for s in session.exec(select(Student).where(col(Student.person_id).in_(ids)))}
        if ids
        else {}
    )
    wanted = {p.institution_id for p in proposals} | {
        int(w["institution_id"]) for p in proposals for w in p.why_not
    }
    schools = placements.institutions(session, wanted)
    if not proposals and not run.conflicts:
        return [section(t("matching.nothing_open"))]
    return views.proposal_blocks(t, services.catalogue, run, proposals, people, students, schools, offset)  # type: ignore[arg-type]
