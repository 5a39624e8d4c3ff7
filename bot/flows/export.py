"""What follows a request for an export (`/stage export`, the Export button under an answer): a
"preparing…" message in the asker's DM at once, the file built after the answer by a durable job, the
message updated in place (with progress while a big cohort is read) and the file sent in the same DM.

Who may have what is decided again in the job, from the asker's roles at that moment.
"""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

from bot import durable_jobs
from bot.delivery.notifier import send_dm
from bot.delivery.outbox import DeferredClient
from bot.i18n import Translator, person_translator
from bot.middleware import Scope
from bot.services import Services
from bot.views.blocks import section
from models import audit, cohort_export, questions
from models.access import COHORT_READERS, STAFF_WITH_STUDENTS, runs_the_cohort
from models.documents import load_document_config
from models.people import Actor, Person, resolve_actor

EXPORT_JOB = "export.build"
FORMATS = ("xlsx", "csv")
PROGRESS_AFTER = 2.0  # seconds: a quicker export shows no progress, only "preparing…" and then "done"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def start(scope: Scope, client: WebClient, *, fmt: str, question: str | None = None) -> None:
    """The "preparing…" DM and the job, both in the request's transaction (a retried request makes
    neither twice)."""
    text = scope.t("export.preparing")
    ts = send_dm(client, scope.actor.slack_user_id, text, [section(text)])
    payload = {"requester": scope.actor.person_id, "format": fmt, "question": question, "ts": ts}
    durable_jobs.record_in(scope.session, scope.services, client, EXPORT_JOB, payload)


def export_job(services: Services, client: WebClient, payload: dict[str, Any]) -> None:
    """The durable job of EXPORT_JOB (registered with the others in handlers.register)."""
    fmt = payload["format"] if payload.get("format") in FORMATS else "xlsx"
    question = payload.get("question")
    with services.db.session() as session:
        person = session.get_one(Person, int(payload["requester"]))
        actor = resolve_actor(session, person.slack_user_id)
        t = person_translator(person, services.settings.timezone)
        progress = _Progress(client, person.slack_user_id, str(payload["ts"]), t)
        if actor is None or not _allowed(actor, question):
            progress.finish(t("export.not_allowed"))
            return
        if question is None:
            filename, content = cohort_file(session, services, t, fmt, progress)
        else:
            filename, content = question_file(session, services, actor, t, fmt, question)
        audit.log(session, services.clock.now(), "export.sent", actor_id=actor.person_id,
                  subject="question" if question else "cohort", format=fmt)  # fmt: skip
        session.commit()
    client.files_upload_v2(
        channel=person.slack_user_id, filename=filename, content=content, title=filename,
        initial_comment=t("export.file_comment"),
    )  # fmt: skip
    progress.finish(t("export.done", file=filename))


def _allowed(actor: Actor, question: str | None) -> bool:
    """The cohort: the coordinator and admin; a question's list: whoever may ask questions."""
    return runs_the_cohort(actor) if question is None else actor.has(*STAFF_WITH_STUDENTS)


def context(
    services: Services, t: Translator, student_ids: frozenset[int] | None = None
) -> cohort_export.Context:
    return cohort_export.Context(
        services.catalogue, load_document_config(), t.language, services.settings.timezone, student_ids
    )


def cohort_file(
    session: Session, services: Services, t: Translator, fmt: str, progress: cohort_export.Progress | None
) -> tuple[str, bytes]:
    """The whole cohort: a workbook, or (asked for CSV) a zip with one CSV file per sheet."""
    sheets = cohort_export.cohort_sheets(session, context(services, t), progress)
    stem = f"{t('export.file_stem')}-{services.catalogue.academic_year}"
    if fmt == "csv":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for sheet in sheets:
                archive.writestr(cohort_export.csv_name(sheet), cohort_export.to_csv(sheet, t))
        return f"{stem}.zip", out.getvalue()
    return f"{stem}.xlsx", cohort_export.to_xlsx(sheets, t)


def question_file(
    session: Session, services: Services, actor: Actor, t: Translator, fmt: str, question: str
) -> tuple[str, bytes]:
    """The students an answer lists, asked again now with the asker's own scope."""
    from bot.views.questions import detail_text  # the view owns how a detail reads

    found = ask(session, services, actor, t, question)
    rows = [(f.name, f.slack_user_id or "", detail_text(t, f)) for f in found] if found is not None else []
    sheet = cohort_export.list_sheet(rows)
    stem = t("export.question_stem")
    if fmt == "csv":
        return f"{stem}.csv", cohort_export.to_csv(sheet, t).encode("utf-8-sig")
    return f"{stem}.xlsx", cohort_export.to_xlsx([sheet], t)


def ask(
    session: Session, services: Services, actor: Actor, t: Translator, question: str
) -> list[questions.Found] | None:
    """A question answered for this asker (a supervisor: their own students); None when not understood."""
    query = questions.parse(question, questions.vocabulary(session))
    if isinstance(query, questions.Refusal):
        return None
    return questions.answer(session, facts(services, actor, t), query)


def facts(services: Services, actor: Actor, t: Translator) -> questions.Facts:
    today = services.clock.now().astimezone(t.tz).date()
    supervisor = None if actor.has(*COHORT_READERS) else actor.person_id
    return questions.Facts(services.catalogue, load_document_config(), today, t.language, supervisor)


class _Progress:
    """Updates the "preparing…" message in place: after each sheet once the export has taken longer than
    PROGRESS_AFTER, and with the outcome at the end. Each update has its own key, so a job run again
    after a crash writes the same rows (sent once)."""

    def __init__(self, client: WebClient, channel: str, ts: str, t: Translator) -> None:
        self.client, self.channel, self.ts, self.t = client, channel, ts, t
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if time.monotonic() - self.started < PROGRESS_AFTER:
            return
        self._update(self.t("export.progress", done=done, total=total), f"progress:{done}")

    def finish(self, text: str) -> None:
        self._update(text, "finish")

    def _update(self, text: str, name: str) -> None:
        blocks = [section(text)]
        if isinstance(self.client, DeferredClient):
            payload = {"channel": self.channel, "ts": self.ts, "text": text, "blocks": blocks}
            self.client.enqueue("chat.update", payload, self.channel, key=f"{self.client.key_prefix}:{name}")
        else:
            self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=blocks)
