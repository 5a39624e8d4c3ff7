"""Long content is split over blocks, never cut: what a supervisor approves is what they can read."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.flows import planning as planning_flow
from bot.flows import review
from bot.i18n import Translator
from bot.views import planning as views
from bot.views.blocks import SECTION_LIMIT, line_sections, section
from models.catalogue import load_catalogue
from models.placements import Placement
from models.planning import PlannedLesson, PlanningVersion

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _lessons(count: int) -> list[PlannedLesson]:
    first = date(2027, 2, 1)
    return [
        PlannedLesson(
            version_id=1,
            day=first + timedelta(days=i // 3),
            start=time(8 + i % 3 * 2, 30),
            end=time(9 + i % 3 * 2, 20),
            activity="co_teaching",
            level="aso",
            grade=3,
            class_name=f"{i % 6 + 1}A",
            topic=f"Onderwerp nummer {i + 1} over breuken en verhoudingen",
            mentor="Mevr. Peeters",
        )
        for i in range(count)
    ]


def _texts(blocks: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")


def test_the_review_of_a_sixty_lesson_planning_lists_every_lesson_within_slacks_limits() -> None:
    t = Translator("nl", "Europe/Brussels")
    placement = Placement(
        id=1, student_id=2, institution_id=3, course_code="VDX1", activities=["co_teaching"], semester=2,
        start=date(2027, 2, 1), end=date(2027, 5, 1), hours=60, level="aso", placed_at=NOW,
    )  # fmt: skip
    version = PlanningVersion(
        id=1, placement_id=1, student_id=2, number=1, status="submitted", created_at=NOW
    )
    lessons = _lessons(60)
    body = views.review_message(t, load_catalogue(), "U0STUDENT", placement, None, version, lessons, {})
    # the whole DM as bot.flows.review sends it: an open version's buttons need no database
    blocks = [*body, review.state_block(t, None, planning_flow.REVIEW, version)]  # type: ignore[arg-type]
    text = _texts(blocks)
    for i in range(60):
        assert f"Onderwerp nummer {i + 1} over" in text
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if b.get("type") == "section")
    assert blocks[-1]["type"] == "actions"  # the buttons are still there


def test_lines_are_split_over_sections_in_order_and_a_too_long_text_shows_it_was_shortened() -> None:
    lines = [f"regel {i:03d} " + "x" * 90 for i in range(100)]
    blocks = line_sections(lines)
    assert len(blocks) > 1
    assert _texts(blocks).split("\n") == lines
    cut = section("y" * (SECTION_LIMIT + 10))["text"]["text"]
    assert len(cut) == SECTION_LIMIT and cut.endswith("…")
