"""The intake meeting as an `.ics` file, attached in the DM so it lands in the person's own calendar.

One event per booking: its UID stays the same when the student moves the meeting and SEQUENCE grows,
so calendar programs update the event instead of adding a second one. Slack attaches files with the
upload flow of files.upload v2 (files.getUploadURLExternal, then files.completeUploadExternal).
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vText
from slack_sdk import WebClient

PRODUCT_ID = "-//Stagebot//Intake//NL"
FILENAME = "intakegesprek.ics"


def intake_event(
    *,
    booking_id: int,
    sequence: int,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    place: str,
    stamp: datetime,
    cancelled: bool = False,
) -> bytes:
    """An iCalendar file with one event (times in UTC, which every calendar program reads)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"intake-{booking_id}@stagebot")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    event.add("description", description)
    if place:
        event.add("location", vText(place))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def send_invite(client: WebClient, slack_user_id: str, content: bytes, title: str, comment: str) -> None:
    """Attach the invite in the bot's DM with the person. Raises SlackApiError when Slack refuses."""
    channel = client.conversations_open(users=slack_user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=channel, filename=FILENAME, content=content, title=title, initial_comment=comment
    )
