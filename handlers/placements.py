"""Listeners of steps 3, 4 and 6: the assign modal, withdraw / change / place again, the request, the
school's answer and the school's contacts. Each checks who acts through models.access."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.delivery.notifier import send_dm
from bot.flows import placements as placement_answer
from bot.flows import school_links as school_request
from bot.flows import start as start_notice
from bot.i18n import Translator, person_translator
from bot.middleware import Scope, request_scope
from bot.views import placements as views
from bot.views.blocks import Block, mention, section
from bot.views.blocks import context as context_block
from bot.views.preferences import summary_lines
from handlers.values import number, own_school, picked_date, typed
from models import audit, free_text, placement_steps, placements, preferences, school_contacts
from models.access import may_place, runs_the_cohort
from models.people import Person, Student, find_student
from models.placements import Placement, Proposal, Refusal, RequestChannel
from models.school_contacts import Contact
from models.school_match import School
from models.schools import Institution, all_institutions

log = logging.getLogger(__name__)

BLOCK_OF_CHECK = {
    "placements.check.semester": views.SEMESTER,
    "placements.check.former_school": views.INSTITUTION,
    "placements.check.conflict": views.INSTITUTION,
    "placements.check.level_not_allowed": views.LEVEL,
    "placements.check.level_not_offered": views.LEVEL,
    "placements.check.grade_required": views.GRADE,
    "placements.check.grade_not_offered": views.GRADE,
    "placements.check.grade_not_secondary": views.GRADE,
}


# --- helpers ---------------------------------------------------------------------------------------------


def notify(client: WebClient, person: Person, text: str, blocks: list[Block]) -> None:
    """A DM that may fail without undoing what was stored: logged, the change stands."""
    try:
        send_dm(client, person.slack_user_id, text, blocks)
    except SlackApiError as error:
        log.warning("DM to %s refused: %s", person.slack_user_id, error.response.get("error"))


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(block) or {}


def _selected(values: dict[str, Any], block: str) -> str | None:
    element = _value(values, block)
    option = element.get("selected_option")
    if option:
        return str(option.get("value"))
    for key in ("value", "selected_date", "selected_user"):
        if element.get(key):
            return str(element[key]).strip() or None
    return None


def _too_long(text: str, limit: int) -> Refusal:
    """The one "too long" field error (as handlers.values.too_long), in the placement modals' form."""
    return Refusal("free_text.too_long", {"max": str(limit), "length": str(len(text))})


# --- the assign modal ------------------------------------------------------------------------------------


def assign_view(
    scope: Scope, student_id: int | None, *, prefill: Placement | None = None, replaces_id: int | None = None
) -> dict[str, Any]:
    session, t, catalogue = scope.session, scope.t, scope.services.catalogue
    schools = all_institutions(session)
    student: tuple[Person, Student] | None = None
    placed: list[tuple[Placement, Institution | None]] = []
    open_slots: list[placements.Slot] = []
    lines: list[str] = []
    if student_id is not None:
        student = (session.get_one(Person, student_id), session.get_one(Student, student_id))
        active = placements.of_student(session, student_id)
        by_id = {s.id: s for s in schools}
        placed = [(p, by_id.get(p.institution_id)) for p in active]
        open_slots = placements.open_slots(catalogue, active)
        latest = preferences.latest(session, student_id)
        if latest is not None:
            known = {s.id: School.of(s) for s in schools if s.id is not None}
            asked = summary_lines(t, preferences.Preferences.of(latest), known)[:5]
            lines = [t("placements.assign.preferences"), *asked]
    return views.assign_modal(
        t,
        catalogue,
        schools,
        student=student,
        placed=placed,
        open_slots=open_slots,
        preference_lines=lines,
        coordinator=runs_the_cohort(scope.actor),
        prefill=prefill,
        replaces_id=replaces_id,
    )


def choose_student(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """The supervisor picked a student in the modal: show that student's placements and preferences."""
    ack()
    view = body["view"]
    with request_scope(context) as scope:
        person, _ = find_student(scope.session, action.get("selected_user") or "")
        if person is None or not may_place(scope.session, scope.actor, person.id or 0):
            return
        updated = assign_view(scope, person.id)
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)


def _proposals(
    t: Translator, scope: Scope, values: dict[str, Any]
) -> tuple[list[Proposal], dict[str, list[Refusal]]]:
    """The modal's choices as one proposal per course (a school may get activities of several courses)."""
    catalogue = scope.services.catalogue
    errors: dict[str, list[Refusal]] = {}
    chosen = [str(o.get("value")) for o in _value(values, views.ACTIVITIES).get("selected_options") or []]
    by_course: dict[str, list[str]] = {}
    for item in chosen:
        code, _, kind = item.partition(":")
        by_course.setdefault(code, []).append(kind)
    if not by_course:
        errors[views.ACTIVITIES] = [Refusal("placements.check.no_activities")]
    level = _selected(values, views.LEVEL) or ""
    grade = number(_selected(values, views.GRADE))
    semester = number(_selected(values, views.SEMESTER))
    proposals = []
    for code, kinds in by_course.items():
        course = catalogue.course(code)
        if course is None:
            errors.setdefault(views.ACTIVITIES, []).append(
                Refusal("placements.check.unknown_course", {"course": code})
            )
            continue
        own = semester
        if own is None:
            if len(course.semesters) == 1:
                own = course.semesters[0]
            else:
                errors.setdefault(views.SEMESTER, []).append(
                    Refusal(
                        "placements.check.semester_needed", {"course": views.course_name(t, catalogue, code)}
                    )
                )
                continue
        proposals.append(Proposal(code, tuple(kinds), own, level, grade))
    return proposals, errors


def submit_assign(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    with request_scope(context) as scope:
        outcome = _assign_once(scope, meta, values)
        if isinstance(outcome, dict):
            ack(outcome)
            return
    ack()
    for person, text, blocks in outcome:
        notify(client, person, text, blocks)


Message = tuple[Person, str, list[Block]]


def _assign_once(
    scope: Scope, meta: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any] | list[Message]:
    """Two submissions at once (a double click, two supervisors): the database keeps one placement of
    each activity, and the other submission, checked again, is told what is placed."""
    for attempt in (1, 2):
        try:
            return _assign(scope, meta, values)
        except IntegrityError:
            scope.session.rollback()
            if attempt == 2:
                raise
        except placements.ChangedMeanwhile:
            scope.session.rollback()
            return views.errors_reply(
                scope.t, {views.INSTITUTION: [Refusal("placements.check.changed_meanwhile")]}
            )
    raise AssertionError("unreachable")


def _assign(scope: Scope, meta: dict[str, Any], values: dict[str, Any]) -> dict[str, Any] | list[Message]:
    """Check and store the modal's placements: the errors to show in the modal, or the DMs to send."""
    session, t, catalogue = scope.session, scope.t, scope.services.catalogue
    fixed = meta.get("student") is not None
    where = views.INSTITUTION if fixed else views.STUDENT
    if fixed:
        person = session.get(Person, int(meta["student"]))
        is_student = person is not None and session.get(Student, person.id) is not None
    else:
        person, _ = find_student(session, _selected(values, views.STUDENT) or "")
        is_student = person is not None
    if person is None or not is_student:
        return views.errors_reply(t, {where: [Refusal("placements.check.not_a_student")]})
    assert person.id is not None
    if not may_place(session, scope.actor, person.id):
        audit.log(
            session,
            scope.now,
            "placement.refused_not_allowed",
            actor_id=scope.actor.person_id,
            student_id=person.id,
        )
        return views.errors_reply(t, {where: [Refusal("placements.check.not_your_student")]})
    institution = _institution(session, _selected(values, views.INSTITUTION))
    if institution is None:
        return views.errors_reply(t, {views.INSTITUTION: [Refusal("placements.check.unknown_institution")]})
    replaces = placements.get(session, int(meta["replaces"])) if meta.get("replaces") else None
    if replaces is not None and (replaces.student_id != person.id or not replaces.is_active):
        return views.errors_reply(t, {views.INSTITUTION: [Refusal("placements.check.changed_meanwhile")]})
    proposals, errors = _proposals(t, scope, values)
    held = placements.held_of(p for p in placements.of_student(session, person.id) if p is not replaces)
    former, conflicts = _avoid(session, person.id)
    override = typed(_selected(values, views.OVERRIDE))
    if free_text.too_long(override, placements.MAX_REASON_LENGTH):
        errors.setdefault(views.OVERRIDE, []).append(_too_long(override, placements.MAX_REASON_LENGTH))
    coordinator = runs_the_cohort(scope.actor)
    overridden = False
    for proposal in proposals:
        found = placements.check_placement(
            catalogue, proposal, institution, held, former_school_ids=former, conflict_ids=conflicts
        )
        for refusal in found:
            if refusal.overridable and coordinator and override:
                overridden = True
                continue
            if refusal.overridable and coordinator:
                refusal = Refusal(refusal.key + "_coordinator", refusal.params, True)
            errors.setdefault(
                BLOCK_OF_CHECK.get(refusal.key.removesuffix("_coordinator"), views.ACTIVITIES), []
            ).append(refusal)
        course = catalogue.course(proposal.course_code)
        hours = placements.proposal_hours(course, proposal.activities) if course else 0
        held.append(
            placements.Held(proposal.course_code, proposal.activities, hours, proposal.level, proposal.grade)
        )
    if errors:
        return views.errors_reply(t, errors)
    created = [
        placements.place(
            session, catalogue, person.id, institution, proposal,
            actor_id=scope.actor.person_id, now=scope.now,
            override_reason=override if overridden else None,
            replaces=replaces if index == 0 else None,
        )
        for index, proposal in enumerate(proposals)
    ]  # fmt: skip
    school_request.ask(session, scope.services, person, institution)  # the contact person answers by mail
    starts = start_notice.refresh(session, scope.services, person.id, scope.now)
    student = session.get_one(Student, person.id)
    actor = session.get_one(Person, scope.actor.person_id)
    st = person_translator(person, scope.services.settings.timezone)
    student_blocks = views.placed_for_student(
        st, catalogue, created, institution, student, actor.slack_user_id
    )
    if replaces is not None:
        student_blocks.insert(0, section(st("placements.dm.changed")))
    staff_blocks = views.placed_for_staff(t, catalogue, created, institution, person, student)
    return [
        (person, st("placements.dm.placed_text"), student_blocks),
        (actor, t("placements.dm.confirmed_text"), staff_blocks),
        *((person, notice.text, [section(notice.text)]) for notice in starts),  # "you may start"
    ]


def _institution(session: Session, chosen: str | None) -> Institution | None:
    if not chosen:
        return None
    if chosen.isdigit():
        return session.get(Institution, int(chosen))
    from models.schools import by_code

    return by_code(session, {chosen.strip()}).get(chosen.strip())


def _avoid(session: Session, student_id: int) -> tuple[set[int], set[int]]:
    """Former schools (imported or declared) and schools with a declared conflict of interest."""
    former = placements.former_school_ids(session, student_id)
    latest = preferences.latest(session, student_id)
    if latest is not None:
        former |= set(latest.former_school_ids)
        return former, set(latest.relative_school_ids)
    return former, set()


# --- withdraw, change, place again ---------------------------------------------------------------------


def _placement_for_staff(scope: Scope, value: str | None) -> Placement | None:
    placement = placements.get(scope.session, number(value) or 0)
    if placement is None or not may_place(scope.session, scope.actor, placement.student_id):
        audit.log(scope.session, scope.now, "placement.refused_not_allowed", actor_id=scope.actor.person_id,
                  subject=f"placement:{value}")  # fmt: skip
        return None
    return placement


def withdraw(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    with request_scope(context) as scope:
        t = scope.t
        placement = _placement_for_staff(scope, action.get("value"))
        if placement is None:
            respond(response_type="ephemeral", replace_original=False, text=t("placements.not_allowed"))
            return
        done = placements.withdraw(scope.session, placement, actor_id=scope.actor.person_id, now=scope.now)
        if not done:  # ended already, maybe by a click at the same moment: who, and when
            respond(response_type="ephemeral", replace_original=False, text=_ended_already(scope, placement))
            return
        starts = start_notice.refresh(scope.session, scope.services, placement.student_id, scope.now)
        person = scope.session.get_one(Person, placement.student_id)
        school = scope.session.get(Institution, placement.institution_id)
        st = person_translator(person, scope.services.settings.timezone)
        line = views.placement_line(st, scope.services.catalogue, placement, school)
    blocks = body.get("message", {}).get("blocks", [])
    ended = views.ended_line(
        t, "placements.withdrawn_by", scope.actor.slack_user_id, t.datetime(scope.now, "short")
    )
    shown = [ended if b.get("block_id") == f"placement_{placement.id}" else b for b in blocks]
    if done:
        shown = views.after_withdrawal(t, shown, person.slack_user_id)
    respond(replace_original=True, text=t("placements.withdrawn"), blocks=shown)
    text = st("placements.dm.withdrawn", line=line)
    notify(client, person, text, [section(text)])
    start_notice.send(client, starts)


def _ended_already(scope: Scope, placement: Placement) -> str:
    by = scope.session.get(Person, placement.ended_by_id) if placement.ended_by_id else None
    if by is None or placement.ended_at is None:
        return scope.t("placements.already_ended")
    return scope.t(
        "placements.already_ended_by",
        who=mention(by.slack_user_id),
        when=scope.t.datetime(placement.ended_at, "short"),
    )


def change(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    with request_scope(context) as scope:
        placement = _placement_for_staff(scope, action.get("value"))
        if placement is None or not placement.is_active:
            key = "placements.not_allowed" if placement is None else "placements.already_ended"
            respond(response_type="ephemeral", replace_original=False, text=scope.t(key))
            return
        modal = assign_view(scope, placement.student_id, prefill=placement, replaces_id=placement.id)
    client.views_open(trigger_id=body["trigger_id"], view=modal)


def place_again(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    student_part, _, placement_part = str(action.get("value", "")).partition(":")
    with request_scope(context) as scope:
        student_id = number(student_part) or 0
        if not may_place(scope.session, scope.actor, student_id):
            respond(response_type="ephemeral", replace_original=False, text=scope.t("placements.not_allowed"))
            return
        refused = placements.get(scope.session, number(placement_part) or 0)
        prefill = refused if refused is not None and refused.student_id == student_id else None
        modal = assign_view(scope, student_id, prefill=prefill)
    client.views_open(trigger_id=body["trigger_id"], view=modal)


# --- step 4: the request and the answer -----------------------------------------------------------------


def student_modal_opener(kind: str) -> Callable[..., None]:
    """The listener for one of the student's forms (request, answer, contacts): one body, three buttons."""

    def open_form(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        _open_student_modal(ack, body, action, context, client, respond, kind)

    return open_form


def _open_student_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
    kind: str,
) -> None:
    ack()
    with request_scope(context) as scope:
        school = own_school(scope, action.get("value"), pending=kind != "contacts")
        if school is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=scope.t("placements.request.not_yours"),
            )
            return
        if kind == "request":
            modal = views.request_modal(scope.t, school, scope.today)
        elif kind == "answer":
            modal = views.answer_modal(scope.t, school, scope.today)
        else:
            record = school_contacts.of_student(scope.session, scope.actor.person_id).get(school.id or 0)
            modal = views.contacts_modal(scope.t, school, record)
    client.views_open(trigger_id=body["trigger_id"], view=modal)


def _day_errors(t: Translator, day: date | None, today: date) -> list[Refusal]:
    if day is None:
        return [Refusal("placements.error.date_needed")]
    if day > today:
        return [Refusal("placements.error.date_future")]
    return []


def submit_request(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    with request_scope(context) as scope:
        t = scope.t
        school = own_school(scope, str(meta.get("institution")), pending=True)
        channel = _selected(values, views.CHANNEL)
        day = picked_date(values, views.ON)
        errors: dict[str, list[Refusal]] = {}
        if school is None:
            errors[views.CHANNEL] = [Refusal("placements.request.not_yours")]
        elif channel not in {c.value for c in RequestChannel}:
            errors[views.CHANNEL] = [Refusal("placements.error.channel")]
        if found := _day_errors(t, day, scope.today):
            errors[views.ON] = found
        if errors:
            ack(views.errors_reply(t, errors))
            return
        assert school is not None and school.id is not None and day is not None and channel is not None
        placements.record_request(
            scope.session, scope.actor.person_id, school.id, RequestChannel(channel), day, now=scope.now
        )
        placement_steps.refresh(scope.session, scope.services.catalogue, scope.actor.person_id, scope.now)
        text = t("placements.request.recorded", school=views.school_name(school), date=t.date(day, "medium"),
                 channel=t(f"placements.channel.{channel}"))  # fmt: skip
        me = scope.session.get_one(Person, scope.actor.person_id)
    ack()
    blocks = [
        section(text),
        views.actions(
            views.button(t("placements.answer.record"), views.ANSWER_ACTION, str(school.id), style="primary")
        ),
    ]
    notify(client, me, text, blocks)


def submit_answer(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    with request_scope(context) as scope:
        session, t = scope.session, scope.t
        school = own_school(scope, str(meta.get("institution")), pending=True)
        outcome = _selected(values, views.OUTCOME)
        reason = (_selected(values, views.REASON) or "").strip()
        day = picked_date(values, views.ON)
        errors: dict[str, list[Refusal]] = {}
        if school is None:
            errors[views.OUTCOME] = [Refusal("placements.request.not_yours")]
        elif outcome not in ("accepted", "refused"):
            errors[views.OUTCOME] = [Refusal("placements.error.outcome")]
        elif outcome == "refused" and not reason:
            errors[views.REASON] = [Refusal("placements.error.reason")]
        elif len(reason) > 500:
            errors[views.REASON] = [Refusal("placements.error.reason_long")]
        if found := _day_errors(t, day, scope.today):
            errors[views.ON] = found
        if errors:
            ack(views.errors_reply(t, errors))
            return
        assert school is not None and school.id is not None and day is not None
        me = session.get_one(Person, scope.actor.person_id)
        accepted = outcome == "accepted"
        outcome_of = placement_answer.record(
            session, scope.services, me, school, accepted, day, reason=reason or None, now=scope.now
        )
        if outcome_of is None:  # the same answer was recorded a moment ago (a second submission)
            ack(views.errors_reply(t, {views.OUTCOME: [Refusal("placements.answer.already_recorded")]}))
            return
        messages, starts = outcome_of
    ack()
    for person, text, blocks in messages:
        notify(client, person, text, blocks)
    start_notice.send(client, starts)


# --- step 6: the school's contacts ----------------------------------------------------------------------


def submit_contacts(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    with request_scope(context) as scope:
        t = scope.t
        school = own_school(scope, str(meta.get("institution")), pending=False)
        if school is None or school.id is None:
            ack(views.errors_reply(t, {"contact_name": [Refusal("placements.request.not_yours")]}))
            return
        people: dict[str, Contact] = {}
        errors: dict[str, list[Refusal]] = {}
        for who in views.PEOPLE:
            parts = {
                part: typed(_selected(values, f"{who}_{part}"), multiline=False)
                for part in views.CONTACT_FIELDS
            }
            for part, text in parts.items():
                if free_text.too_long(text, school_contacts.MAX_FIELD_LENGTH):
                    errors[f"{who}_{part}"] = [_too_long(text, school_contacts.MAX_FIELD_LENGTH)]
            contact = Contact(parts["name"], parts["email"], parts["phone"])
            for key in school_contacts.contact_problems(contact):
                block = f"{who}_{key.rsplit('.', 1)[-1]}"
                errors.setdefault(block, []).append(Refusal(key))
            people[who] = contact
        introduction = picked_date(values, views.INTRODUCTION)
        rules = bool(_value(values, views.RULES).get("selected_options"))
        if errors:
            ack(views.errors_reply(t, errors))
            return
        record = school_contacts.save(
            scope.session, scope.actor.person_id, school.id,
            contact=people["contact"],
            subject_mentors=[people[w] for w in views.PEOPLE if w.startswith("mentor")],
            school_mentor=people["school_mentor"],
            rules_read=rules, introduction_on=introduction, now=scope.now,
        )  # fmt: skip
        placement_steps.refresh(scope.session, scope.services.catalogue, scope.actor.person_id, scope.now)
        lines = views.contacts_lines(t, school, record, school_contacts.missing(record))
        me = scope.session.get_one(Person, scope.actor.person_id)
        school_request.ask_mentors(scope.session, scope.services, me, school)  # they confirm by mail
    ack()
    text = t("placements.contacts.saved")
    notify(
        client,
        me,
        text,
        [section(text), section("\n".join(lines)), context_block(t("placements.contacts.saved_hint"))],
    )


def resend_links(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """ "Link opnieuw sturen": the student's school's people get a fresh link by mail."""
    ack()
    with request_scope(context) as scope:
        school = own_school(scope, action.get("value"), pending=False)
        if school is None:
            text = scope.t("placements.request.not_yours")
        else:
            me = scope.session.get_one(Person, scope.actor.person_id)
            sent = school_request.resend(scope.session, scope.services, me, school)
            name = views.school_name(school)
            text = (
                scope.t.ngettext("placements.contacts.resent", sent, school=name)
                if sent
                else scope.t("placements.contacts.resent_none", school=name)
            )
    respond(response_type="ephemeral", replace_original=False, text=text)


def register(app: App) -> None:
    app.action(views.STUDENT_ACTION)(choose_student)
    app.view(views.ASSIGN_CALLBACK)(submit_assign)
    app.action(views.WITHDRAW_ACTION)(withdraw)
    app.action(views.CHANGE_ACTION)(change)
    app.action(views.AGAIN_ACTION)(place_again)
    app.action(views.REQUEST_ACTION)(student_modal_opener("request"))
    app.action(views.ANSWER_ACTION)(student_modal_opener("answer"))
    app.action(views.CONTACTS_ACTION)(student_modal_opener("contacts"))
    app.view(views.REQUEST_CALLBACK)(submit_request)
    app.view(views.ANSWER_CALLBACK)(submit_answer)
    app.view(views.CONTACTS_CALLBACK)(submit_contacts)
    app.action(views.RESEND_ACTION)(resend_links)
