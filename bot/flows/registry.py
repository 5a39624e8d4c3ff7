"""The one visible list of what the bot does in the background and what it reviews: every durable job kind
(bot/durable_jobs.py) with its function, and every kind of review (bot/flows/review.py). The web processes
and the scheduler register the jobs from here; handlers/review.py gives each review its listeners."""

from __future__ import annotations

from bot import durable_jobs
from bot.flows import documents, evaluations, export, hours, lio, matching, planning
from bot.flows.review import ReviewKind

JOB_KINDS: dict[str, durable_jobs.JobFunction] = {
    documents.RECEIVE_JOB: documents.receive_job,
    planning.READ_JOB: planning.read_job,
    lio.AFTER_APPLY_JOB: lio.after_apply_job,
    matching.PROPOSE_JOB: matching.propose_durable_job,
    export.EXPORT_JOB: export.export_job,
}

REVIEWS: tuple[ReviewKind, ...] = (
    documents.REVIEW, planning.REVIEW, lio.REVIEW, evaluations.REVIEW, hours.REVIEW,
)  # fmt: skip


def register_jobs() -> None:
    for kind, function in JOB_KINDS.items():
        durable_jobs.register(kind, function)
