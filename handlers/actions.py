"""Buttons of the overviews: paging through status and students, opening a student's detail view."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.middleware import request_scope
from bot.status.answer import status_blocks
from bot.status.student_detail import detail_blocks
from bot.views.blocks import in_messages, section
from bot.views.home import home_view
from bot.views.status import PAGE_ACTION
from bot.views.student_detail import DETAIL_ACTION, LIST_PAGE_ACTION
from handlers.commands.students import students_blocks
from handlers.values import number
from models import audit
from models.access import may_see_student


def _number(action: dict[str, Any]) -> int:
    return number(action.get("value")) or 0


def page_status(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """The offset comes from the button; what may be seen is decided again from who clicked."""
    ack()
    with request_scope(context) as scope:
        blocks = status_blocks(scope, _number(action))
    if body.get("container", {}).get("type") == "view":
        client.views_publish(user_id=scope.actor.slack_user_id, view=home_view(scope.t, blocks))
    else:
        respond(replace_original=True, text=scope.t("status.text"), blocks=blocks)


def page_students(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    with request_scope(context) as scope:
        blocks = students_blocks(scope, _number(action))
    respond(replace_original=True, text=scope.t("students.text"), blocks=blocks)


def open_detail(ack: Ack, action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    """A student's record as staff see it (staff-only notes included), shown only to the person who asked;
    refusals are logged. A student never opens this view, not even their own."""
    ack()
    student_id = _number(action)
    with request_scope(context) as scope:
        if scope.actor.is_staff and may_see_student(scope.session, scope.actor, student_id):
            blocks = detail_blocks(scope.session, scope.t, student_id, scope.actor)
            text = scope.t("students.text")
        else:
            audit.log(
                scope.session,
                scope.now,
                "student.view_refused",
                actor_id=scope.actor.person_id,
                student_id=student_id,
            )
            text = scope.t("students.not_allowed")
            blocks = [section(text)]
    for part in in_messages(blocks):
        respond(response_type="ephemeral", replace_original=False, text=text, blocks=part)


def register(app: App) -> None:
    app.action(re.compile(f"^{PAGE_ACTION}_(previous|next)$"))(page_status)
    app.action(re.compile(f"^{LIST_PAGE_ACTION}_(previous|next)$"))(page_students)
    app.action(DETAIL_ACTION)(open_detail)
