"""What intake meetings add to step 1 of the student's checklist and to the staff's detail view.

Step 1 is shared with the preferences feature: the checklist shows the intake line, then theirs.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.i18n import Translator
from bot.status import preferences as preferences_details
from bot.views.blocks import Block, mention
from bot.views.intake import detail_blocks, when_text
from models import intake


def step_lines(session: Session, t: Translator, student_id: int) -> list[str]:
    """Under step 1: the booked or held intake (or how to book one), then the preferences line."""
    booked = intake.booking_of(session, student_id)
    if booked is None:
        line = t("intake.status.none")
    elif booked.booking.held_at is not None:
        line = t("intake.status.held", when=t.date(booked.booking.held_at.astimezone(t.tz).date(), "medium"))
    else:
        slot = booked.slot
        line = t(
            "intake.status.booked",
            when=when_text(t, slot.starts_at, slot.ends_at),
            who=mention(booked.supervisor.slack_user_id),
        )
    return [line, *preferences_details.step_lines(session, t, student_id)]


def detail_section(session: Session, t: Translator, student_id: int) -> list[Block]:
    """The intake and its note: the detail view is staff's (models.access.may_read_intake_notes)."""
    return detail_blocks(t, intake.booking_of(session, student_id))
