"""Placements (steps 3, 4 and 6): the assign modal, the messages around a placement, the request overview,
the request, answer and contacts modals, and the lines the checklist and a student's detail show."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    datepicker,
    divider,
    escape,
    header,
    input_block,
    mention,
    plain,
    section,
)
from models.catalogue import ActivityKind, Catalogue
from models.people import Person, Student
from models.placements import MAX_REASON_LENGTH, Answer, Placement, Refusal, Slot
from models.school_contacts import MAX_FIELD_LENGTH, MAX_MENTORS, SchoolContacts
from models.schools import GRADES, Institution, Level

ASSIGN_CALLBACK = "placement_assign"
REQUEST_CALLBACK = "placement_request"
ANSWER_CALLBACK = "placement_answer"
CONTACTS_CALLBACK = "placement_contacts"
STUDENT_ACTION = "placement_student"
WITHDRAW_ACTION = "placement_withdraw"
SAVED_BLOCK = "placement_saved"  # the first line of the staff's confirmation
CHANGE_ACTION = "placement_change"
AGAIN_ACTION = "placement_again"
REQUEST_ACTION = "placement_request_open"
ANSWER_ACTION = "placement_answer_open"
CONTACTS_ACTION = "placement_contacts_open"
RESEND_ACTION = "school_links_resend"  # mail the school's people a fresh link
OPTION_LIMIT = 100

# Input blocks of the assign modal (block id = action id).
STUDENT, INSTITUTION, ACTIVITIES, SEMESTER, LEVEL, GRADE, OVERRIDE = (
    STUDENT_ACTION,
    "institution",
    "activities",
    "semester",
    "level",
    "grade",
    "override",
)
CHANNEL, ON, OUTCOME, REASON = "channel", "on", "outcome", "reason"
CONTACT_FIELDS = ("name", "email", "phone")
PEOPLE = ("contact", *(f"mentor{i}" for i in range(1, MAX_MENTORS + 1)), "school_mentor")
RULES, INTRODUCTION = "rules", "introduction"


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text[:75]), "value": value}


def _select(action_id: str, options: list[dict[str, Any]], initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id, "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def _text(
    action_id: str, value: str | None = None, *, multiline: bool = False, max_length: int = MAX_FIELD_LENGTH
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if value:
        element["initial_value"] = value
    return element


def modal(
    t: Translator, callback_id: str, title_key: str, blocks: list[Block], metadata: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(t(title_key)[:24]),
        "submit": plain(t("placements.modal.submit")[:24]),
        "close": plain(t("placements.modal.close")[:24]),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks[:100],
    }


def errors_reply(t: Translator, refusals: dict[str, list[Refusal]]) -> dict[str, Any]:
    """A view_submission answer that shows each block's reasons under it, the modal staying open."""
    return {
        "response_action": "errors",
        "errors": {
            block: " ".join(t(r.key, **_named(t, r.params)) for r in found)[:2000]
            for block, found in refusals.items()
        },
    }


def _named(t: Translator, params: dict[str, str]) -> dict[str, str]:
    """Activity kinds in a refusal are shown by their names in the reader's language."""
    if "activity" not in params:
        return params
    known = {kind.value for kind in ActivityKind}
    names = [activity_name(t, a) if a in known else a for a in params["activity"].split(", ")]
    return {**params, "activity": ", ".join(names)}


# --- names ---------------------------------------------------------------------------------------------


def activity_name(t: Translator, kind: str) -> str:
    return t(f"placements.activity.{kind}")


def level_name(t: Translator, level: str) -> str:
    return t(f"placements.level.{level}")


def course_name(t: Translator, catalogue: Catalogue, code: str, student: Student | None = None) -> str:
    course = catalogue.course(code)
    if course is None:
        return code
    name = course.name.get(t.language) or course.name["nl"]
    if student is not None and course.subject in ("X", "Y"):
        subject = student.subject_x if course.subject == "X" else student.subject_y
        name = f"{name} ({subject})"
    return name


def school_name(institution: Institution | None) -> str:
    return f"{escape(institution.name)} ({escape(institution.city)})" if institution else "?"


def placement_line(
    t: Translator,
    catalogue: Catalogue,
    p: Placement,
    institution: Institution | None,
    student: Student | None = None,
) -> str:
    what = ", ".join(activity_name(t, a) for a in p.activities)
    line = t(
        "placements.line",
        course=escape(course_name(t, catalogue, p.course_code, student)),
        activities=what,
        hours=p.hours,
        school=school_name(institution),
        start=t.date(p.start, "medium"),
        end=t.date(p.end, "medium"),
    )
    if p.grade:
        line += " · " + t("placements.line.grade", level=level_name(t, p.level), grade=p.grade)
    else:
        line += " · " + level_name(t, p.level)
    if not p.is_approved:
        line += " · " + t("placements.line.proposed")
    if p.answer == Answer.ACCEPTED:
        line += " · " + t("placements.line.accepted")
    elif p.requested_on:
        line += " · " + t("placements.line.requested", date=t.date(p.requested_on, "medium"))
    return line


def slot_line(t: Translator, catalogue: Catalogue, slot: Slot, student: Student | None) -> str:
    return t(
        "placements.slot",
        course=escape(course_name(t, catalogue, slot.course_code, student)),
        activity=activity_name(t, slot.kind),
        hours=slot.hours,
    )


# --- the assign modal -------------------------------------------------------------------------------------


def assign_modal(
    t: Translator,
    catalogue: Catalogue,
    schools: Sequence[Institution],
    *,
    student: tuple[Person, Student] | None,
    placed: list[tuple[Placement, Institution | None]],
    open_slots: list[Slot],
    preference_lines: list[str],
    coordinator: bool,
    prefill: Placement | None = None,
    replaces_id: int | None = None,
) -> dict[str, Any]:
    """The form a supervisor places with; once the student is known it shows what they have and asked for.

    ``prefill``: a placement whose choices fill the form (the one being changed, or the one refused);
    ``replaces_id``: the placement that the new one replaces (a change).
    """
    replaces = prefill
    blocks: list[Block] = []
    metadata: dict[str, Any] = {"student": None, "replaces": replaces_id}
    if student is None:
        element = {"type": "users_select", "action_id": STUDENT}
        block = input_block(STUDENT, t("placements.assign.student"), element)
        block["dispatch_action"] = True
        blocks.append(block)
    else:
        person, record = student
        metadata["student"] = person.id
        blocks.append(
            section(
                t(
                    "placements.assign.for",
                    who=mention(person.slack_user_id),
                    x=escape(record.subject_x),
                    y=escape(record.subject_y),
                )
            )
        )
        if replaces_id is not None:
            blocks.append(context(t("placements.assign.replacing")))
        if placed:
            lines = [placement_line(t, catalogue, p, school, record) for p, school in placed]
            blocks.append(section(t("placements.assign.placed") + "\n" + "\n".join(f"• {x}" for x in lines)))
        if open_slots:
            lines = [slot_line(t, catalogue, s, record) for s in open_slots]
            blocks.append(context(t("placements.assign.open") + " " + "; ".join(lines)))
        blocks.append(section("\n".join(preference_lines) or t("placements.assign.no_preferences")))
    initial_school = str(replaces.institution_id) if replaces else None
    if len(schools) <= OPTION_LIMIT:
        options = [_option(f"{s.name} ({s.city}) · {s.code}", str(s.id)) for s in schools]
        blocks.append(
            input_block(
                INSTITUTION, t("placements.assign.institution"), _select(INSTITUTION, options, initial_school)
            )
        )
    else:
        blocks.append(
            input_block(
                INSTITUTION,
                t("placements.assign.institution_code"),
                _text(INSTITUTION),
                hint=t("placements.assign.code_hint"),
            )
        )
    held = student[1] if student else None
    choices = [
        _option(
            f"{course_name(t, catalogue, c.code, held)}: {activity_name(t, a.kind.value)} ({a.hours} u)",
            f"{c.code}:{a.kind.value}",
        )
        for c in catalogue.courses
        for a in c.activities
    ][:OPTION_LIMIT]
    activities: dict[str, Any] = {"type": "multi_static_select", "action_id": ACTIVITIES, "options": choices}
    if replaces is not None:
        chosen = {f"{replaces.course_code}:{a}" for a in replaces.activities}
        initial = [o for o in choices if o["value"] in chosen]
        if initial:
            activities["initial_options"] = initial
    blocks.append(
        input_block(
            ACTIVITIES,
            t("placements.assign.activities"),
            activities,
            hint=t("placements.assign.activities_hint"),
        )
    )
    semesters = [_option(t("placements.semester", semester=s), str(s)) for s in (1, 2)]
    blocks.append(
        input_block(
            SEMESTER,
            t("placements.assign.semester"),
            _select(SEMESTER, semesters, str(replaces.semester) if replaces else None),
            optional=True,
            hint=t("placements.assign.semester_hint"),
        )
    )
    levels = [_option(level_name(t, level.value), level.value) for level in Level]
    blocks.append(
        input_block(
            LEVEL, t("placements.assign.level"), _select(LEVEL, levels, replaces.level if replaces else None)
        )
    )
    grades = [_option(t("placements.grade", grade=g), str(g)) for g in GRADES]
    initial_grade = str(replaces.grade) if replaces and replaces.grade else None
    blocks.append(
        input_block(
            GRADE,
            t("placements.assign.grade"),
            _select(GRADE, grades, initial_grade),
            optional=True,
            hint=t("placements.assign.grade_hint"),
        )
    )
    if coordinator:
        blocks.append(
            input_block(
                OVERRIDE,
                t("placements.assign.override"),
                _text(OVERRIDE, multiline=True, max_length=MAX_REASON_LENGTH),
                optional=True,
                hint=t("placements.assign.override_hint"),
            )
        )
    return modal(t, ASSIGN_CALLBACK, "placements.assign.title", blocks, metadata)


# --- messages around a placement --------------------------------------------------------------------------


def placed_for_student(
    t: Translator,
    catalogue: Catalogue,
    placements: list[Placement],
    institution: Institution,
    student: Student,
    by: str,
) -> list[Block]:
    lines = "\n".join(f"• {placement_line(t, catalogue, p, institution, student)}" for p in placements)
    how = t("placements.next.lerarenstage") if institution.uses_lerarenstage else t("placements.next.email")
    blocks = [
        section(t("placements.dm.placed", who=mention(by), school=school_name(institution)) + "\n" + lines),
        section(t("placements.dm.next", how=how)),
    ]
    if institution.contact_name or institution.contact_email:
        contact = ", ".join(
            escape(x)
            for x in (institution.contact_name, institution.contact_email, institution.contact_phone)
            if x
        )
        blocks.append(context(t("placements.dm.school_contact", contact=contact)))
    blocks.append(
        actions(button(t("placements.request.record"), REQUEST_ACTION, str(institution.id), style="primary"))
    )
    return blocks


def placed_for_staff(
    t: Translator,
    catalogue: Catalogue,
    placements: list[Placement],
    institution: Institution,
    person: Person,
    student: Student,
) -> list[Block]:
    blocks = [
        {**section(t("placements.dm.confirmed", who=mention(person.slack_user_id))), "block_id": SAVED_BLOCK}
    ]
    for p in placements:
        blocks.append(section(placement_line(t, catalogue, p, institution, student)))
        blocks.append(
            actions(
                button(t("placements.change"), CHANGE_ACTION, str(p.id)),
                button(t("placements.withdraw"), WITHDRAW_ACTION, str(p.id), style="danger"),
                block_id=f"placement_{p.id}",
            )
        )
    return blocks


def ended_line(t: Translator, key: str, who: str, when: str) -> Block:
    return context(t(key, who=mention(who), when=when))


def after_withdrawal(t: Translator, blocks: list[Block], student_slack_id: str) -> list[Block]:
    """The staff's confirmation once a placement in it is withdrawn: its first line no longer says it is
    saved as it was."""
    left = any(
        str(b.get("block_id", "")).startswith("placement_") for b in blocks if b.get("type") == "actions"
    )
    key = "placements.dm.confirmed_partly" if left else "placements.dm.confirmed_withdrawn"
    line = {**section(t(key, who=mention(student_slack_id))), "block_id": SAVED_BLOCK}
    return [line if b.get("block_id") == SAVED_BLOCK else b for b in blocks]


def refused_for_supervisor(
    t: Translator,
    catalogue: Catalogue,
    placements: list[Placement],
    institution: Institution,
    person: Person,
    student: Student,
    reason: str | None,
) -> list[Block]:
    lines = "\n".join(f"• {placement_line(t, catalogue, p, institution, student)}" for p in placements)
    text = t(
        "placements.dm.refused_supervisor", who=mention(person.slack_user_id), school=school_name(institution)
    )
    blocks = [section(text + "\n" + lines)]
    if reason:
        blocks.append(context(t("placements.reason", reason=escape(reason))))
    value = f"{person.id}:{placements[0].id}"
    blocks.append(actions(button(t("placements.again"), AGAIN_ACTION, value, style="primary")))
    return blocks


# --- step 4: the request overview and its modals ------------------------------------------------------------


def request_overview(
    t: Translator,
    catalogue: Catalogue,
    student: Student,
    by_school: list[tuple[Institution, list[Placement]]],
) -> list[Block]:
    if not by_school:
        return [section(t("placements.request.none"))]
    blocks: list[Block] = [header(t("placements.request.header"))]
    for institution, group in by_school:
        lines = "\n".join(f"• {placement_line(t, catalogue, p, institution, student)}" for p in group)
        blocks.append(section(f"*{school_name(institution)}*\n{lines}"))
        buttons = []
        if any(p.answer == Answer.PENDING for p in group):
            buttons.append(button(t("placements.request.record"), REQUEST_ACTION, str(institution.id)))
            buttons.append(
                button(t("placements.answer.record"), ANSWER_ACTION, str(institution.id), style="primary")
            )
        else:
            buttons.append(button(t("placements.contacts.record"), CONTACTS_ACTION, str(institution.id)))
        blocks.append(actions(*buttons))
        if len(blocks) > 45:
            break
    blocks.append(context(t("placements.request.footer")))
    return blocks


def request_modal(t: Translator, institution: Institution, today: date) -> dict[str, Any]:
    channels = [
        _option(t("placements.channel.lerarenstage"), "lerarenstage"),
        _option(t("placements.channel.email"), "email"),
    ]
    initial = "lerarenstage" if institution.uses_lerarenstage else "email"
    blocks = [
        section(t("placements.request.intro", school=school_name(institution))),
        input_block(
            CHANNEL,
            t("placements.request.channel"),
            {**_select(CHANNEL, channels, initial), "type": "radio_buttons"},
        ),
        input_block(ON, t("placements.request.on"), datepicker(ON, today)),
    ]
    return modal(t, REQUEST_CALLBACK, "placements.request.title", blocks, {"institution": institution.id})


def answer_modal(t: Translator, institution: Institution, today: date) -> dict[str, Any]:
    outcomes = [
        _option(t("placements.answer.accepted"), "accepted"),
        _option(t("placements.answer.refused"), "refused"),
    ]
    blocks = [
        section(t("placements.answer.intro", school=school_name(institution))),
        input_block(
            OUTCOME, t("placements.answer.outcome"), {**_select(OUTCOME, outcomes), "type": "radio_buttons"}
        ),
        input_block(ON, t("placements.answer.on"), datepicker(ON, today)),
        input_block(
            REASON,
            t("placements.answer.reason"),
            _text(REASON, multiline=True, max_length=MAX_REASON_LENGTH),
            optional=True,
        ),
    ]
    return modal(t, ANSWER_CALLBACK, "placements.answer.title", blocks, {"institution": institution.id})


# --- step 6: the school's people ---------------------------------------------------------------------------


def contacts_modal(t: Translator, institution: Institution, record: SchoolContacts | None) -> dict[str, Any]:
    """Contact person, up to three subject mentors and the school mentor: name, e-mail and phone each."""
    stored: dict[str, dict[str, str] | None] = {"contact": None, "school_mentor": None}
    if record is not None:
        stored["contact"], stored["school_mentor"] = record.contact, record.school_mentor
        for i, mentor in enumerate(record.subject_mentors, start=1):
            stored[f"mentor{i}"] = mentor
    elif institution.contact_name:
        stored["contact"] = {
            "name": institution.contact_name,
            "email": institution.contact_email or "",
            "phone": institution.contact_phone or "",
        }
    blocks: list[Block] = [section(t("placements.contacts.intro", school=school_name(institution)))]
    for who in PEOPLE:
        label = t(f"placements.contacts.{'mentor' if who.startswith('mentor') else who}", number=who[-1])
        blocks.append(header(label))
        values = stored.get(who) or {}
        for part in CONTACT_FIELDS:
            blocks.append(
                input_block(
                    f"{who}_{part}",
                    t(f"placements.contacts.field.{part}"),
                    _text(f"{who}_{part}", values.get(part)),
                    optional=True,
                )
            )
    rules: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": RULES,
        "options": [_option(t("placements.contacts.rules_read"), "read")],
    }
    if record is not None and record.rules_read_on:
        rules["initial_options"] = rules["options"]
    blocks.append(input_block(RULES, t("placements.contacts.rules"), rules, optional=True))
    blocks.append(
        input_block(
            INTRODUCTION,
            t("placements.contacts.introduction"),
            datepicker(INTRODUCTION, record.introduction_on if record else None),
            optional=True,
        )
    )
    return modal(t, CONTACTS_CALLBACK, "placements.contacts.title", blocks, {"institution": institution.id})


def _person_text(value: dict[str, str]) -> str:
    return " · ".join(escape(value[k]) for k in CONTACT_FIELDS if value.get(k))


def contacts_lines(
    t: Translator, institution: Institution, record: SchoolContacts | None, missing: list[str]
) -> list[str]:
    lines = [f"*{school_name(institution)}*"]
    if record is not None:
        if record.contact:
            lines.append(t("placements.contacts.show.contact", who=_person_text(record.contact)))
        for mentor in record.subject_mentors:
            lines.append(t("placements.contacts.show.mentor", who=_person_text(mentor)))
        if record.school_mentor:
            lines.append(t("placements.contacts.show.school_mentor", who=_person_text(record.school_mentor)))
        if record.rules_read_on:
            lines.append(t("placements.contacts.show.rules", date=t.date(record.rules_read_on, "medium")))
        if record.introduction_on:
            lines.append(
                t("placements.contacts.show.introduction", date=t.date(record.introduction_on, "medium"))
            )
    if missing:
        lines.append(t("placements.contacts.show.missing", what=", ".join(t(k) for k in missing)))
    return lines


def school_people_blocks(
    t: Translator,
    schools: list[tuple[Institution, SchoolContacts | None, list[str]]],
    editable: bool,
    *,
    resend: bool = False,
    undelivered: dict[int, list[tuple[str, str]]] | None = None,
) -> list[Block]:
    """The school's people under `/stage contacts`, with a button to fill them in for the student and
    (when the bot mails the school side) one to send their links again, and the mails that could not be
    delivered."""
    if not schools:
        return []
    blocks: list[Block] = [divider(), header(t("placements.contacts.header"))]
    for institution, record, missing in schools:
        accessory = (
            button(t("placements.contacts.record"), CONTACTS_ACTION, str(institution.id))
            if editable
            else None
        )
        blocks.append(
            section("\n".join(contacts_lines(t, institution, record, missing)), accessory=accessory)
        )
        for email, error in (undelivered or {}).get(institution.id or 0, []):
            blocks.append(
                section(t("placements.contacts.undelivered", email=escape(email), error=escape(error)))
            )
        if resend:
            again = button(t("placements.contacts.resend"), RESEND_ACTION, str(institution.id))
            blocks.append(actions(again))
    return blocks
