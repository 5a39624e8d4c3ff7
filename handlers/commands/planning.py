"""`/stage planning` (planning): a student's lessons per placement with what to do next;
`template` sends the spreadsheet to fill in, `calendar` the lessons as an .ics file (and the private feed
URL in HTTP mode; `calendar new` revokes the old URL), `bells SCHOOL` + lines: a school's lesson hours."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.views import planning as views
from bot.views.blocks import section
from bot.web import calendar_feed
from handlers.commands.registry import Invocation, Reply, reply
from models import bell_schedules, placements, planning, planning_sheet
from models.schools import by_code

TEMPLATE_WORDS = ("template", "sjabloon")
CALENDAR_WORDS = ("calendar", "kalender", "agenda")
BELL_WORDS = ("bells", "lesuren", "bell")
TEMPLATE_NAME = "stageplanning.xlsx"


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    word, _, rest = invocation.args.partition(" ")
    word = word.lower()
    if word in BELL_WORDS:
        return bells(invocation, rest.strip())
    if not scope.actor.is_student:
        text = scope.t("planning.students_only")
        return reply([section(text)], text)
    if word in TEMPLATE_WORDS:
        return _upload(invocation, planning_sheet.template(), TEMPLATE_NAME, "planning.template.comment")
    if word in CALENDAR_WORDS:
        return calendar(invocation, renew=rest.strip().lower() in ("new", "nieuw", "revoke", "intrekken"))
    return overview(invocation)


def overview(invocation: Invocation) -> Reply:
    scope = invocation.scope
    t, catalogue = scope.t, scope.services.catalogue
    picture = planning.load(scope.session, scope.actor.person_id)
    schools = placements.institutions(scope.session, (p.institution_id for p in picture.placements))
    rows = []
    for p in picture.placements:
        rows.append(
            (p, schools.get(p.institution_id), picture.current(p.id or 0), picture.approved(p.id or 0))
        )
    required = {p.id or 0: planning.required_hours(catalogue, p) for p in picture.placements}
    deadline = {p.id or 0: p.start - timedelta(days=catalogue.planning_lead_days) for p in picture.placements}
    blocks = views.student_planning(t, catalogue, rows, picture.lessons, required, deadline, scope.today)
    return reply(blocks, t("planning.header"))


def _upload(invocation: Invocation, content: bytes, filename: str, comment_key: str, **params: str) -> Reply:
    scope = invocation.scope
    comment = scope.t(comment_key, **params)
    try:
        channel = invocation.client.conversations_open(users=scope.actor.slack_user_id)["channel"]["id"]
        invocation.client.files_upload_v2(
            channel=channel, filename=filename, content=content, title=filename, initial_comment=comment
        )
    except SlackApiError:
        text = scope.t("planning.upload_failed")
        return reply([section(text)], text)
    text = scope.t("planning.sent_in_dm")
    return reply([section(text)], text)


def calendar(invocation: Invocation, *, renew: bool) -> Reply:
    scope = invocation.scope
    content = calendar_feed.lessons_calendar(scope.session, scope.services, scope.actor.person_id, scope.now)
    base = calendar_feed.feed_base_url(scope.services)
    if base is None:
        return _upload(invocation, content, calendar_feed.FILENAME, "planning.calendar.no_feed")
    token = planning.feed_token(scope.session, scope.actor.person_id, now=scope.now, renew=renew)
    key = "planning.calendar.renewed" if renew else "planning.calendar.feed"
    return _upload(invocation, content, calendar_feed.FILENAME, key, url=calendar_feed.feed_url(base, token))


def bells(invocation: Invocation, text: str) -> Reply:
    """`/stage planning bells SCHOOLCODE` then one period a line: "1 8u25-9u15"."""
    scope = invocation.scope
    t = scope.t
    code, _, lines = text.partition("\n") if "\n" in text.split(" ", 1)[0] else text.partition(" ")
    school = by_code(scope.session, {code.strip()}).get(code.strip()) if code.strip() else None
    if school is None or school.id is None:
        message = t("planning.bells.usage")
        return reply([section(message)], message)
    own = {p.institution_id for p in placements.of_student(scope.session, scope.actor.person_id)}
    if not scope.actor.is_staff and school.id not in own:
        message = t("planning.bells.not_your_school")
        return reply([section(message)], message)
    if not lines.strip():
        known = bell_schedules.schedule_of(scope.session, school.id)
        listed = "\n".join(f"{n}. {views.time_text(s)}–{views.time_text(e)}" for n, (s, e) in known.items())
        message = t("planning.bells.show", school=school.name, periods=listed or t("planning.bells.none"))
        return reply([section(message)], message)
    schedule, bad = bell_schedules.parse_schedule(lines.replace(";", "\n"))
    if bad or not schedule:
        message = t("planning.bells.bad", lines=", ".join(str(n) for n in bad) or "-")
        return reply([section(message)], message)
    bell_schedules.save_schedule(
        scope.session, school.id, schedule, actor_id=scope.actor.person_id, now=scope.now
    )
    message = t("planning.bells.saved", school=school.name, count=len(schedule))
    return reply([section(message)], message)
