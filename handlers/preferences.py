"""Preferences: the modal's submission, the DM conversation and a supervisor reopening them.

The conversation asks one question at a time and keeps its state in the database (a restart loses
nothing). School names are matched forgivingly; what was understood is shown and only taken once the
student confirms. The message listener only takes DMs without files from students who have a
preferences conversation going or who start one, so other features' DM listeners keep theirs.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.delivery.notifier import send_dm
from bot.i18n import translator
from bot.middleware import Scope, request_scope
from bot.views import preferences as views
from bot.views.blocks import section
from handlers.values import number, too_long, typed
from models import access, audit, intake, preferences
from models import preference_answers as answers
from models.people import Person
from models.preferences import MAX_RANKED, Preferences, Problem, Source
from models.school_match import Match, School, match_list
from models.schools import all_institutions

# The questions, in the order asked; school questions are answered with a typed list and confirmed.
QUESTIONS = (
    "institutions",
    "regions",
    "levels",
    "grades",
    "tutoring_semester",
    "professional_semester",
    "alternatives",
    "former_school_ids",
    "relative_school_ids",
    "remarks",
)
SCHOOL_QUESTIONS = {
    "institutions": "institution_ids",
    "former_school_ids": "former_school_ids",
    "relative_school_ids": "relative_school_ids",
}
CONFIRM = "confirm"


def school_list(session: Session) -> list[School]:
    return sorted((School.of(i) for i in all_institutions(session)), key=lambda s: (s.name, s.city))


def current_preferences(session: Session, student_id: int) -> Preferences:
    """The preferences that count now; before the first submission, the imported former schools."""
    row = preferences.latest(session, student_id)
    if row is not None:
        return Preferences.of(row)
    return Preferences(former_school_ids=tuple(preferences.imported_former_school_ids(session, student_id)))


# --- the modal ------------------------------------------------------------------------------------------


def _selected(values: dict[str, Any], block_id: str) -> list[str]:
    element = values.get(block_id, {}).get(block_id) or {}
    chosen = element.get("selected_options") or []
    return [str(option.get("value")) for option in chosen]


def _one(values: dict[str, Any], block_id: str) -> str:
    element = values.get(block_id, {}).get(block_id) or {}
    option = element.get("selected_option") or {}
    return str(option.get("value") or element.get("value") or "")


def _ids(values: list[str]) -> tuple[int, ...]:
    return tuple(int(v) for v in values if v.isdigit())


def ranked_ids(values: dict[str, Any]) -> tuple[int, ...]:
    """The schools in the order of their rank fields; a rank left empty is skipped."""
    return _ids([_one(values, views.rank_block(rank)) for rank in range(1, MAX_RANKED + 1)])


def preferences_from_modal(values: dict[str, Any]) -> Preferences:
    semester = {
        views.TUTORING: _one(values, views.TUTORING),
        views.PROFESSIONAL: _one(values, views.PROFESSIONAL),
    }
    return Preferences(
        institution_ids=ranked_ids(values),
        regions=tuple(answers.free_list(_one(values, views.REGIONS))) if _one(values, views.REGIONS) else (),
        levels=tuple(_selected(values, views.LEVELS_FIELD)),
        grades=_ids(_selected(values, views.GRADES)),
        tutoring_semester=int(semester[views.TUTORING]) or None
        if semester[views.TUTORING].isdigit()
        else None,
        professional_semester=int(semester[views.PROFESSIONAL]) or None
        if semester[views.PROFESSIONAL].isdigit()
        else None,
        alternatives=tuple(_selected(values, views.ALTERNATIVES)),
        former_school_ids=_ids(_selected(values, views.FORMER)),
        relative_school_ids=_ids(_selected(values, views.RELATIVES)),
        conflicts_note=_one(values, views.CONFLICTS).strip(),
        remarks=_one(values, views.REMARKS).strip(),
    )


FIELD_BLOCKS = {
    "institutions": views.rank_block(1),
    "former_schools": views.FORMER,
    "levels": views.LEVELS_FIELD,
    "grades": views.GRADES,
    "tutoring_semester": views.TUTORING,
    "professional_semester": views.PROFESSIONAL,
    "alternatives": views.ALTERNATIVES,
    "conflicts_note": views.CONFLICTS,
    "remarks": views.REMARKS,
}


def _block_of(field: str, problem: Problem, values: dict[str, Any]) -> str:
    """Where an error shows: a school chosen twice under its second rank, other ranking errors under the
    first rank, everything else under its own field."""
    if field != "institutions":
        return FIELD_BLOCKS[field]
    seen: set[str] = set()
    for rank in range(1, MAX_RANKED + 1):
        chosen = _one(values, views.rank_block(rank))
        if problem == Problem.DUPLICATE and chosen and chosen in seen:
            return views.rank_block(rank)
        seen.add(chosen)
    return views.rank_block(1)


def _problem_text(scope: Scope, problem: Problem, prefs: Preferences) -> str:
    return scope.t(f"preferences.error.{problem.value}", max=MAX_RANKED, count=len(prefs.institution_ids))


def submit_modal(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """Errors go under their field; a lock that began while the modal was open is explained in it."""
    values = body.get("view", {}).get("state", {}).get("values", {})
    with request_scope(context) as scope:
        t, session, student_id = scope.t, scope.session, scope.actor.person_id
        if not scope.actor.is_student:
            ack(response_action="update", view=views.locked_view(t, t("preferences.students_only")))
            return
        lock = preferences.lock_state(session, scope.services.catalogue, student_id, scope.today)
        if lock.locked:
            ack(response_action="update", view=views.locked_view(t, views.locked_text(t, lock)))
            return
        prefs = preferences_from_modal(values)
        found = preferences.problems(prefs)
        if found:
            errors = {
                _block_of(field, problem, values): _problem_text(scope, problem, prefs)
                for field, problem in found.items()
            }
            ack(response_action="errors", errors=errors)
            return
        preferences.submit(
            session, student_id, prefs, Source.MODAL, scope.now, refresh_step=intake.refresh_step
        )
        schools = {s.id: s for s in school_list(session)}
        blocks = views.saved_message(t, prefs, schools, lock.editable_until)
    ack()
    send_dm(client, scope.actor.slack_user_id, t("preferences.saved"), blocks)


# --- the conversation -----------------------------------------------------------------------------------


def _say(client: WebClient, channel: str, text: str) -> None:
    client.chat_postMessage(channel=channel, text=text, blocks=[section(text)])


def _question_text(scope: Scope, question: str) -> str:
    return scope.t(f"preferences.chat.q.{question}", max=MAX_RANKED)


def start_conversation(scope: Scope, client: WebClient, channel: str | None = None) -> None:
    """Open (or restart) the conversation and ask the first question in the student's DM."""
    preferences.save_conversation(scope.session, scope.actor.person_id, QUESTIONS[0], {}, {}, scope.now)
    text = scope.t("preferences.chat.intro") + "\n\n" + _question_text(scope, QUESTIONS[0])
    if channel is None:
        send_dm(client, scope.actor.slack_user_id, text, [section(text)])
    else:
        _say(client, channel, text)


def is_preferences_message(event: dict[str, Any], context: BoltContext) -> bool:
    """A student's plain DM (no file, edit or bot) while their conversation runs, or one that starts it."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("files") or event.get("bot_id"):
        return False
    actor = context.get("actor")
    session: Session | None = context.get("session")
    if actor is None or session is None or not actor.is_student:
        return False
    if answers.starts_conversation(str(event.get("text") or "")):
        return True
    active = preferences.conversation(session, actor.person_id) is not None
    session.commit()  # end the read; the listener opens its own unit of work
    return active


def _dedupe(matches: list[Match]) -> list[Match]:
    seen: set[int] = set()
    kept = []
    for m in matches:
        if m.school is not None and m.school.id in seen:
            continue
        if m.school is not None:
            seen.add(m.school.id)
        kept.append(m)
    return kept


class _Turn:
    """One answer to the open question: what to store, and what to say back."""

    def __init__(self, scope: Scope, row: preferences.PreferenceConversation) -> None:
        self.scope = scope
        self.question = row.question
        self.answers = dict(row.answers)
        self.pending = dict(row.pending)
        self.lines: list[str] = []
        self.finished = False

    def t(self, key: str, **params: Any) -> str:
        return self.scope.t(key, **params)

    def advance(self) -> None:
        """The next question, or the summary when coming back from a correction or past the last."""
        back_to_confirm = self.pending.pop("correcting", False)
        index = QUESTIONS.index(self.question) + 1 if self.question in QUESTIONS else len(QUESTIONS)
        self.pending = {}
        if back_to_confirm or index >= len(QUESTIONS):
            self.ask_confirm()
        else:
            self.question = QUESTIONS[index]
            self.lines.append(_question_text(self.scope, self.question))

    def ask_confirm(self) -> None:
        self.question = CONFIRM
        prefs = Preferences.from_json(self.answers)
        schools = {s.id: s for s in school_list(self.scope.session)}
        numbered = [
            f"{n}. {line}" for n, line in enumerate(views.summary_lines(self.scope.t, prefs, schools), 1)
        ]
        self.lines += [
            self.t("preferences.chat.summary"),
            "\n".join(numbered),
            self.t("preferences.chat.confirm"),
        ]

    def school_answer(self, text: str) -> None:
        field = SCHOOL_QUESTIONS[self.question]
        if "ids" in self.pending and answers.is_yes(text):
            self.answers[field] = self.pending["ids"]
            if self.pending.get("unmatched") and field != "institution_ids":
                note = self.t(f"preferences.chat.note.{field}", names=", ".join(self.pending["unmatched"]))
                self.answers["conflicts_note"] = "\n".join(
                    x for x in (self.answers.get("conflicts_note", ""), note) if x
                )
            self.advance()
            return
        if answers.is_none(text):
            self.answers[field] = []
            self.advance()
            return
        matches = _dedupe(match_list(text, school_list(self.scope.session)))
        ids = [m.school.id for m in matches if m.school is not None]
        unmatched = [m.typed for m in matches if m.school is None]
        self.lines += views.match_lines(self.scope.t, matches) or [self.t("preferences.chat.nothing")]
        if field == "institution_ids" and len(ids) > MAX_RANKED:
            self.lines.append(self.t("preferences.error.too_many", max=MAX_RANKED, count=len(ids)))
            self.pending = {k: v for k, v in self.pending.items() if k == "correcting"}
        elif not ids:
            self.lines.append(self.t("preferences.chat.retry_schools"))
            self.pending = {k: v for k, v in self.pending.items() if k == "correcting"}
        else:
            self.pending = {**self.pending, "ids": ids, "unmatched": unmatched}
            key = "preferences.chat.confirm_schools" if not unmatched else "preferences.chat.confirm_partial"
            self.lines.append(self.t(key))

    def answer(self, text: str) -> None:
        q = self.question
        if q in SCHOOL_QUESTIONS:
            self.school_answer(text)
        elif q == "regions":
            self.answers["regions"] = answers.free_list(text)
            self.advance()
        elif q in ("levels", "alternatives"):
            read = answers.levels if q == "levels" else answers.alternatives
            found, unknown = ([], []) if answers.is_none(text) else read(text)
            if unknown:
                self.lines.append(self.t(f"preferences.chat.unknown_{q}", words=", ".join(unknown)))
            else:
                self.answers[q] = found
                self.advance()
        elif q == "grades":
            found_grades, unknown = ([], []) if answers.is_none(text) else answers.grades(text)
            if unknown:
                self.lines.append(self.t("preferences.chat.unknown_grades", words=", ".join(unknown)))
            else:
                self.answers["grades"] = found_grades
                self.advance()
        elif q in ("tutoring_semester", "professional_semester"):
            semester, understood = answers.semester(text)
            if not understood:
                self.lines.append(self.t("preferences.chat.unknown_semester"))
            else:
                self.answers[q] = semester
                self.advance()
        elif q == "remarks":
            remarks = "" if answers.is_none(text) else typed(text)
            if long := too_long(self.scope.t, remarks, preferences.MAX_TEXT):
                self.lines.append(long)  # asked again: nothing cut off silently
            else:
                self.answers["remarks"] = remarks
                self.advance()
        else:
            self.confirm(text)

    def confirm(self, text: str) -> None:
        if answers.is_yes(text):
            self.save()
            return
        choice = answers.plain(text)
        if choice.isdigit() and 1 <= int(choice) <= len(QUESTIONS):
            self.question = QUESTIONS[int(choice) - 1]
            self.pending = {"correcting": True}
            self.lines.append(_question_text(self.scope, self.question))
            return
        self.lines.append(self.t("preferences.chat.confirm_help", last=len(QUESTIONS)))

    def save(self) -> None:
        scope = self.scope
        student_id = scope.actor.person_id
        lock = preferences.lock_state(scope.session, scope.services.catalogue, student_id, scope.today)
        if lock.locked:
            self.lines.append(views.locked_text(scope.t, lock))
            self.finished = True
            return
        prefs = Preferences.from_json(self.answers)
        found = preferences.problems(prefs)
        if found:
            field, problem = next(iter(found.items()))
            self.lines.append(_problem_text(scope, problem, prefs))
            self.question = QUESTIONS[0] if field == "institutions" else "former_school_ids"
            self.pending = {"correcting": True}
            self.lines.append(_question_text(scope, self.question))
            return
        preferences.submit(
            scope.session, student_id, prefs, Source.CONVERSATION, scope.now, refresh_step=intake.refresh_step
        )
        self.lines.append(self.t("preferences.saved"))
        if lock.editable_until is not None:
            self.lines.append(self.t("preferences.saved.until", date=scope.t.date(lock.editable_until)))
        self.finished = True


def on_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    text = str(event.get("text") or "").strip()
    channel = str(event["channel"])
    with request_scope(context) as scope:
        student_id = scope.actor.person_id
        row = preferences.conversation(scope.session, student_id)
        lock = preferences.lock_state(scope.session, scope.services.catalogue, student_id, scope.today)
        if row is None or answers.starts_conversation(text):
            if lock.locked:
                reply = views.locked_text(scope.t, lock)
            else:
                start_conversation(scope, client, channel)
                return
        elif answers.is_stop(text):
            preferences.end_conversation(scope.session, student_id)
            reply = scope.t("preferences.chat.stopped")
        else:
            turn = _Turn(scope, row)
            turn.answer(text)
            if turn.finished:
                preferences.end_conversation(scope.session, student_id)
            else:
                preferences.save_conversation(
                    scope.session, student_id, turn.question, turn.answers, turn.pending, scope.now
                )
            reply = "\n\n".join(turn.lines)
    _say(client, channel, reply)


# --- a supervisor reopens -------------------------------------------------------------------------------


def reopen(
    ack: Ack, action: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    """Only the student's supervisor or the coordinator; a refusal is logged, an open lock left alone."""
    ack()
    student_id = number(action.get("value"))
    if student_id is None:
        return
    student_slack_id, student_text = None, ""
    with request_scope(context) as scope:
        t, session = scope.t, scope.session
        student = session.get(Person, student_id)
        if student is None or not access.may_review(session, scope.actor, student_id):
            audit.log(
                session,
                scope.now,
                "preferences.reopen_refused",
                actor_id=scope.actor.person_id,
                student_id=student_id,
            )
            text = t("preferences.reopen.not_allowed")
        else:
            lock = preferences.lock_state(session, scope.services.catalogue, student_id, scope.today)
            if not lock.locked:
                until = lock.editable_until
                text = (
                    t("preferences.reopen.still_open", date=t.date(until))
                    if until
                    else t("preferences.reopen.no_lock")
                )
            else:
                until = preferences.reopen(session, student_id, scope.actor.person_id, scope.now, scope.today)
                text = t("preferences.reopen.done", date=t.date(until))
                student_slack_id = student.slack_user_id
                student_t = translator(
                    student.language, student.slack_locale, scope.services.settings.timezone
                )
                student_text = student_t(
                    "preferences.reopen.told",
                    date=student_t.date(until),
                    who=f"<@{scope.actor.slack_user_id}>",
                )
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=[section(text)])
    if student_slack_id:
        send_dm(client, student_slack_id, student_text, [section(student_text)])


def register(app: App) -> None:
    app.view(views.CALLBACK_ID)(submit_modal)
    app.event("message", matchers=[is_preferences_message])(on_message)
    app.action(views.REOPEN_ACTION)(reopen)
