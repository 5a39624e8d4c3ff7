"""Long lists are paged or split, never cut at Slack's 50 blocks: everyone in a 200-student overview, every
slot of a long intake schedule, every student of a long matching proposal can be reached."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.app import web_client
from bot.flows.matching import render
from bot.i18n import Translator
from bot.views.blocks import MESSAGE_BLOCKS, in_messages, section
from bot.views.reminders import digest
from models import intake
from models.matching_runs import MatchProposal, MatchRun, RunStatus
from models.people import Role
from models.schools import Institution
from tests import factories
from tests.blocktext import text_of
from tests.conftest import NOW, Stack
from workspace.state import Message

STUDENTS = 200


def _cohort(wire: Stack, count: int = STUDENTS) -> dict[str, int]:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        ids = {"sup": sup.id or 0}
        for i in range(count):
            ids[f"U0S{i:03d}"] = (
                factories.student(s, f"U0S{i:03d}", f"Student {i:03d}", supervisor=sup).id or 0
            )
        s.commit()
    wire.sync_users()
    return ids


def _pages(wire: Stack, user: str, first: Message, action: str) -> list[Message]:
    """The message and every page after it, by clicking 'next' as the person would."""
    pages = [first]
    while _has_action(pages[-1], action):
        wire.ws.click(user, action, message=pages[-1])
        pages.append(_newest(wire, user))
        assert len(pages) < 50, "the pages never end"
    return pages


def _values(message: Message, action_id: str) -> list[str]:
    return [
        element.get("value")
        for block in message.blocks
        if block.get("type") == "actions"
        for element in block["elements"]
        if element.get("action_id") == action_id
    ]


def _has_action(message: Message, action_id: str) -> bool:
    return bool(_values(message, action_id))


def _newest(wire: Stack, user: str) -> Message:
    """The message the person sees last (a click replaces it in place)."""
    return wire.ws.messages(wire.ws.dm_channel(user))[-1]


def _mentioned(pages: list[Message]) -> set[str]:
    return {found for page in pages for found in re.findall(r"<@(U0S\d{3})>", text_of(page.blocks))}


def test_the_status_overview_of_200_students_shows_everyone_over_pages(wire: Stack) -> None:
    ids = _cohort(wire)
    everyone = {key for key in ids if key.startswith("U0S")}
    for user in ("U0COORD", "U0SUP"):
        wire.ws.slash_command(user, "/stage", "status")
        pages = _pages(wire, user, wire.ws.ephemerals(user)[-1], "status_page_next")
        assert len(pages) == STUDENTS // 20
        assert all(len(page.blocks) <= MESSAGE_BLOCKS for page in pages)
        assert _mentioned(pages) == everyone, user
        assert "181 tot 200 van 200" in text_of(pages[-1].blocks)
        wire.ws.click(user, "status_page_previous", message=pages[-1])
        assert _mentioned([_newest(wire, user)]) == {f"U0S{i:03d}" for i in range(160, 180)}


def test_the_students_list_of_200_students_shows_everyone_over_pages(wire: Stack) -> None:
    ids = _cohort(wire)
    for user in ("U0COORD", "U0SUP"):
        wire.ws.slash_command(user, "/stage", "studenten")
        pages = _pages(wire, user, wire.ws.ephemerals(user)[-1], "students_page_next")
        assert all(len(page.blocks) <= MESSAGE_BLOCKS for page in pages)
        assert _mentioned(pages) == {key for key in ids if key.startswith("U0S")}, user


def _slots(wire: Stack, supervisor_id: int, count: int) -> None:
    first = NOW.replace(hour=8) + timedelta(days=3)
    planned = [
        intake.PlannedSlot(
            first + timedelta(days=i // 20, minutes=20 * (i % 20)),
            first + timedelta(days=i // 20, minutes=20 * (i % 20) + 15),
            "B.204",
        )
        for i in range(count)
    ]
    with wire.session() as s:
        assert intake.publish(s, supervisor_id, planned, NOW) == count
        s.commit()


def _cancel_buttons(message: Message) -> list[str]:
    return [
        block["accessory"]["value"]
        for block in message.blocks
        if block.get("accessory", {}).get("action_id") == "intake_slot_cancel"
    ]


def test_a_long_intake_schedule_shows_every_slot_over_pages_and_a_cancel_keeps_the_page(wire: Stack) -> None:
    ids = _cohort(wire, 1)
    _slots(wire, ids["sup"], 100)
    answer = wire.ws.slash_command("U0SUP", "/stage", "intake")
    assert answer.ok
    pages = _pages(wire, "U0SUP", wire.ws.ephemerals("U0SUP")[-1], "intake_schedule_page_next")
    assert len(pages) == 3 and all(len(page.blocks) <= MESSAGE_BLOCKS for page in pages)
    shown = [value for page in pages for value in _cancel_buttons(page)]
    assert len(shown) == len(set(shown)) == 100  # every slot once, in order
    assert shown == sorted(shown, key=int)
    assert "81 tot 100 van 100" in text_of(pages[-1].blocks)

    wire.ws.click("U0SUP", "intake_schedule_page_previous", message=pages[-1])
    second = _newest(wire, "U0SUP")
    cancelled = _cancel_buttons(second)[5]
    wire.ws.click("U0SUP", "intake_slot_cancel", cancelled, message=second)
    after = _newest(wire, "U0SUP")
    assert len(after.blocks) <= MESSAGE_BLOCKS
    assert "41 tot 80 van 99" in text_of(after.blocks)  # still the second page, one slot fewer
    assert cancelled not in _cancel_buttons(after)


def _proposal_run(wire: Stack, ids: dict[str, int], conflicts: int) -> MatchRun:
    with wire.session() as s:
        school = Institution(code="ATH", name="Atheneum", city="Gent", levels=["aso"], grades=[1, 2, 3])
        s.add(school)
        s.flush()
        run = MatchRun(
            requested_by_id=ids["sup"],
            requested_at=NOW,
            status=RunStatus.DONE.value,
            seconds=1.5,
            conflicts=[
                {
                    "key": "matching.conflict.capacity",
                    "params": {
                        "subject": "Wiskunde",
                        "semester": 1,
                        "activity": "observation",
                        "students": 10 + i,
                        "places": 5,
                        "unplaced": 5 + i,
                    },
                }
                for i in range(conflicts)
            ],
        )
        s.add(run)
        s.flush()
        for key, student_id in ids.items():
            if key.startswith("U0S"):
                for course, semester in (("VDX1", 1), ("VDY1", 2)):
                    s.add(
                        MatchProposal(
                            run_id=run.id or 0, student_id=student_id, institution_id=school.id or 0,
                            course_code=course, activities=["observation", "co_teaching"], semester=semester,
                            level="aso", grade=2, rank=1,
                        )
                    )  # fmt: skip
        s.commit()
        s.refresh(run)
        return run


def test_a_long_matching_proposal_shows_every_student_over_pages_and_counts_the_conflicts_it_leaves_out(
    wire: Stack,
) -> None:
    ids = _cohort(wire, 45)
    run = _proposal_run(wire, ids, conflicts=40)
    t = Translator("nl", "Europe/Brussels")
    with wire.session() as s:
        blocks = render(s, wire.services, t, run, 0)
    web_client(wire.services).chat_postMessage(channel="U0SUP", text="voorstel", blocks=blocks)
    wire.services.outbox.settle()
    pages = _pages(wire, "U0SUP", _newest(wire, "U0SUP"), "match_page_next")
    assert "Studenten 41 tot 45 van 45" in text_of(pages[-1].blocks)
    wire.ws.click("U0SUP", "match_page_previous", message=pages[-1])
    assert "Studenten 21 tot 40 van 45" in text_of(_newest(wire, "U0SUP").blocks)
    names = {n for page in pages for n in re.findall(r"Student \d{3}", text_of(page.blocks))}
    assert len(names) == 45
    assert all(len(page.blocks) < MESSAGE_BLOCKS for page in pages)  # room for the notice above a page
    assert "… en nog 25 botsingen" in text_of(pages[0].blocks)


def test_a_long_answer_is_split_over_messages_in_order_never_cut() -> None:
    blocks = [section(f"deel {i}") for i in range(120)]
    parts = in_messages(blocks)
    assert [len(part) for part in parts] == [50, 50, 20]
    assert [b for part in parts for b in part] == blocks
    assert in_messages([]) == [[]]


def test_the_digest_names_the_first_fifty_blocked_students_and_counts_the_rest() -> None:
    t = Translator("nl", "Europe/Brussels")
    blocked = [f"U0S{i:03d}" for i in range(62)]
    blocks, _ = digest(t, 62, [], blocked)
    shown = text_of(blocks)
    assert "<@U0S049>" in shown and "<@U0S050>" not in shown
    assert "… en nog 12 studenten" in shown
    english = text_of(digest(Translator("en", "Europe/London"), 62, [], blocked)[0])
    assert "… and 12 more students" in english


def test_a_students_planning_of_many_placements_is_shown_compact_with_every_fact() -> None:
    from datetime import date

    from bot.views.planning import student_planning
    from models.catalogue import load_catalogue
    from models.placements import Placement
    from models.planning import PlanningVersion

    t = Translator("nl", "Europe/Brussels")
    rows = []
    for i in range(1, 10):
        placement = Placement(
            id=i, student_id=100, institution_id=3, course_code="VDX1", activities=["co_teaching"],
            semester=2, start=date(2027, 2, 1), end=date(2027, 5, 1), hours=60, level="aso", placed_at=NOW,
        )  # fmt: skip
        approved = PlanningVersion(
            id=i * 10, placement_id=i, student_id=100, number=1, status="approved", created_at=NOW
        )
        head = PlanningVersion(
            id=i * 10 + 1, placement_id=i, student_id=100, number=2, status="draft", created_at=NOW
        )
        rows.append((placement, None, head, approved))
    deadline = {i: date(2027, 1, 15) for i in range(1, 10)}
    blocks = student_planning(t, load_catalogue(), rows, {}, {}, deadline)
    assert len(blocks) <= MESSAGE_BLOCKS
    assert [b["block_id"] for b in blocks if b["type"] == "actions"] == [
        f"planning:{i}" for i in range(1, 10)
    ]
    shown = text_of(blocks)
    assert shown.count("Versie 1") == 9 and shown.count("Versie 2") == 9, shown
