"""The student's planned lessons as iCalendar: an `.ics` file in the DM, and (HTTP mode only) a private feed
URL with a secret token per student, which a calendar program polls. Revoking makes a new token.

In Socket Mode Slack reaches the bot over a socket and nothing reaches it over HTTP: there is no feed then.
Per placement the approved planning is shown, else the one being worked on.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort
from icalendar import Calendar, Event, vText
from sqlmodel import Session

from bot.services import Services
from models import placements, planning

PRODUCT_ID = "-//Stagebot//Planning//NL"
FILENAME = "stageplanning.ics"
FEED_PATH = "/calendar/<token>.ics"


def lessons_calendar(
    session: Session, services: Services, student_id: int, stamp: datetime,
    *, placement_ids: set[int] | None = None, approved_only: bool = False,
) -> bytes:  # fmt: skip
    """Every planned lesson of the student as one event (UTC times; UIDs stable across versions' copies);
    a mentor's copy holds only their placement's approved lessons."""
    picture = planning.load(session, student_id)
    tz = ZoneInfo(services.settings.timezone)
    schools = placements.institutions(session, (p.institution_id for p in picture.placements))
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Stage")
    for placement in picture.placements:
        if placement_ids is not None and placement.id not in placement_ids:
            continue
        version = picture.approved(placement.id or 0)
        if version is None and not approved_only:
            version = picture.current(placement.id or 0)
        if version is None or version.id is None:
            continue
        course = services.catalogue.course(placement.course_code)
        course_label = (course.name.get("nl") if course else None) or placement.course_code
        school = schools.get(placement.institution_id)
        for lesson in picture.lessons.get(version.id, []):
            event = Event()
            event.add("uid", f"lesson-{placement.id}-{lesson.day.isoformat()}-{lesson.start:%H%M}@stagebot")
            event.add("dtstamp", stamp)
            event.add("dtstart", datetime.combine(lesson.day, lesson.start, tz).astimezone(ZoneInfo("UTC")))
            event.add("dtend", datetime.combine(lesson.day, lesson.end, tz).astimezone(ZoneInfo("UTC")))
            summary = " ".join(x for x in (course_label, lesson.class_name) if x)
            event.add("summary", summary)
            if lesson.topic:
                event.add("description", lesson.topic)
            place = ", ".join(x for x in (lesson.room, school.name if school else "") if x)
            if place:
                event.add("location", vText(place))
            calendar.add_component(event)
    return calendar.to_ical()


def feed_base_url(services: Services) -> str | None:
    """The public base of the HTTP app, or None (Socket Mode, or no public address configured)."""
    if services.settings.slack_app_token:
        return None
    base = services.settings.public_url
    return base.rstrip("/") if base else None


def feed_url(base: str, token: str) -> str:
    return base + FEED_PATH.replace("<token>", token)


def add_route(web: Flask, services: Services) -> None:
    """GET /calendar/<token>.ics: the student's lessons; an unknown or revoked token is a 404."""

    def feed(token: str) -> Response:
        with services.db.session() as session:
            student_id = planning.student_of_token(session, token)
            if student_id is None:
                abort(404)
            body = lessons_calendar(session, services, student_id, services.clock.now())
        return Response(body, mimetype="text/calendar")

    web.add_url_rule(FEED_PATH, "calendar_feed", feed, methods=["GET"])
