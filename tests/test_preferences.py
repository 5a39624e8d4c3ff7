"""Preferences through the wire: the modal, its errors, history, the lock and a supervisor reopening."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from models.audit import AuditEntry
from models.people import Role
from models.preferences import PreferenceReopening, PreferenceSubmission
from models.progress import Step, StepProgress
from models.schools import Institution
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack

BEFORE_DEADLINE = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)  # the deadline is 9 October 2026
AFTER_DEADLINE = datetime(2026, 10, 20, 10, 0, tzinfo=UTC)

SCHOOLS = [
    ("KA-BRUSSEL", "Koninklijk Atheneum Brussel", "Brussel"),
    ("SJB", "Sint-Jan Berchmanscollege", "Brussel"),
    ("COL-KANAAL", "Kanaalcollege", "Molenbeek"),
    ("TI-NOORD", "Technisch Instituut Brussel-Noord", "Schaarbeek"),
    ("LYC-JETTE", "Lyceum De Horizon", "Jette"),
    ("KUNST-ELS", "Kunsthumaniora Elsene", "Elsene"),
    ("ATH-ZENNE", "Atheneum Zennevallei", "Anderlecht"),
]


def setup(wire: Stack, *, now: datetime = BEFORE_DEADLINE, language: str | None = None) -> dict[str, int]:
    wire.services.clock.freeze(now)
    ids: dict[str, int] = {}
    with wire.session() as s:
        for code, name, city in SCHOOLS:
            school = Institution(code=code, name=name, city=city, levels=["aso"], grades=[1, 2, 3])
            s.add(school)
            s.flush()
            assert school.id is not None
            ids[code] = school.id
        sup = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        other = factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        factories.student(s, "U0BOB", "Bob Jacobs", supervisor=other)
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup, language=language)
        assert anna.id is not None
        ids["anna"] = anna.id
    wire.sync_users()
    return ids


def open_modal(wire: Stack, user: str = "U0ANNA", text: str = "voorkeuren"):
    answer = wire.ws.slash_command(user, "/stage", text)
    assert answer.ok
    views = wire.ws.open_views(user)
    assert views, "no modal was opened"
    return views[-1]


def submissions(wire: Stack) -> list[PreferenceSubmission]:
    with wire.session() as s:
        return list(s.exec(select(PreferenceSubmission).order_by(PreferenceSubmission.id)))


def ranked(ids: dict[str, int], codes: list[str]) -> dict[str, dict[str, object]]:
    """The schools chosen at choice 1, 2, ... of the form."""
    return {f"institutions_{n}": {f"institutions_{n}": str(ids[c])} for n, c in enumerate(codes, start=1)}


def full_values(ids: dict[str, int], codes: list[str]) -> dict[str, dict[str, object]]:
    return {
        **ranked(ids, codes),
        "regions": {"regions": "Brussel, Jette"},
        "levels": {"levels": ["aso", "tso"]},
        "grades": {"grades": ["2", "3"]},
        "tutoring_semester": {"tutoring_semester": "1"},
        "professional_semester": {"professional_semester": "2"},
        "alternatives": {"alternatives": ["museum"]},
        "former_schools": {"former_schools": [str(ids["ATH-ZENNE"])]},
        "relative_schools": {"relative_schools": [str(ids["KUNST-ELS"])]},
        "conflicts_note": {"conflicts_note": "Mijn tante geeft les op <het> Kanaalcollege"},
        "remarks": {"remarks": "Liefst met de trein bereikbaar"},
    }


def test_a_student_gives_preferences_by_modal_and_reads_them_back(wire: Stack) -> None:
    ids = setup(wire)
    view = open_modal(wire)
    assert view.callback_id == "preferences_modal"
    shown = text_of(view.blocks)
    assert "Voorkeursscholen (max. 5" in shown and "9 oktober 2026" in shown
    wire.ws.submit_view("U0ANNA", view, full_values(ids, ["SJB", "KA-BRUSSEL"]))

    assert wire.ws.open_views("U0ANNA") == []
    [row] = submissions(wire)
    assert row.institution_ids == [ids["SJB"], ids["KA-BRUSSEL"]]  # the ranks, not the list's order
    assert row.levels == ["aso", "tso"] and row.grades == [2, 3]
    assert (row.tutoring_semester, row.professional_semester) == (1, 2)
    assert row.alternatives == ["museum"] and row.regions == ["Brussel", "Jette"]
    assert row.former_school_ids == [ids["ATH-ZENNE"]] and row.relative_school_ids == [ids["KUNST-ELS"]]
    assert row.source == "modal"
    dm = text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "opgeslagen" in dm
    assert "1. Sint-Jan Berchmanscollege (Brussel)\n2. Koninklijk Atheneum Brussel (Brussel)" in dm
    assert "&lt;het&gt;" in dm  # typed text is escaped
    with wire.session() as s:
        step = s.get(StepProgress, (ids["anna"], int(Step.INTAKE)))
        assert step is not None and step.state == "in_progress"  # the intake is not held yet

    # Opening the modal again shows what counts now; a second submission is kept beside the first.
    again = open_modal(wire)
    selects = {b["block_id"]: b["element"] for b in again.blocks if b.get("block_id", "").startswith("inst")}
    assert [e.get("initial_option", {}).get("value") for e in selects.values()] == [
        str(ids["SJB"]),
        str(ids["KA-BRUSSEL"]),
        None,
        None,
        None,
    ]
    wire.ws.submit_view("U0ANNA", again, ranked(ids, ["COL-KANAAL"]))
    first, latest = submissions(wire)
    assert first.institution_ids == [ids["SJB"], ids["KA-BRUSSEL"]]
    assert latest.institution_ids == [ids["COL-KANAAL"]]


def test_the_checklist_shows_the_preferences_under_step_1(wire: Stack) -> None:
    ids = setup(wire)
    before = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Nog geen stagevoorkeuren doorgegeven" in before
    wire.ws.submit_view("U0ANNA", open_modal(wire), full_values(ids, ["SJB", "KA-BRUSSEL"]))
    status = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Stagevoorkeuren doorgegeven op 1 okt 2026 (2 voorkeursscholen)" in status


def test_the_ranking_is_the_choice_numbers_and_a_school_twice_is_an_error_under_its_second_rank(
    wire: Stack,
) -> None:
    ids = setup(wire)
    view = open_modal(wire)
    # Lyceum comes after Koninklijk Atheneum in the list of schools: ranked first, it stays first.
    twice = {**ranked(ids, ["LYC-JETTE", "SJB"]), "institutions_4": {"institutions_4": str(ids["LYC-JETTE"])}}
    wire.ws.submit_view("U0ANNA", view, twice)
    [still_open] = wire.ws.open_views("U0ANNA")
    assert still_open.errors == {"institutions_4": "Elke school mag maar één keer in je rangschikking staan."}
    assert submissions(wire) == []
    gap = {**ranked(ids, ["LYC-JETTE"]), "institutions_3": {"institutions_3": str(ids["KA-BRUSSEL"])}}
    wire.ws.submit_view("U0ANNA", still_open, gap)
    [row] = submissions(wire)
    assert row.institution_ids == [ids["LYC-JETTE"], ids["KA-BRUSSEL"]]  # an empty choice is skipped
    dm = text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "1. Lyceum De Horizon (Jette)\n2. Koninklijk Atheneum Brussel (Brussel)" in dm


def test_a_former_school_cannot_be_a_preferred_school(wire: Stack) -> None:
    ids = setup(wire)
    view = open_modal(wire)
    values = full_values(ids, ["ATH-ZENNE"])
    wire.ws.submit_view("U0ANNA", view, values)
    [still_open] = wire.ws.open_views("U0ANNA")
    assert "former_schools" in still_open.errors and "zelf school liep" in still_open.errors["former_schools"]
    assert submissions(wire) == []


def test_after_the_deadline_the_student_is_told_and_nothing_changes(wire: Stack) -> None:
    setup(wire, now=AFTER_DEADLINE)
    answer = wire.ws.slash_command("U0ANNA", "/stage", "voorkeuren")
    text = text_of(answer.json["blocks"])
    assert "vergrendeld" in text and "9 oktober 2026" in text and "Er is niets gewijzigd" in text
    assert wire.ws.open_views("U0ANNA") == []
    assert submissions(wire) == []


def test_a_lock_that_starts_while_the_modal_is_open_refuses_the_submission(wire: Stack) -> None:
    ids = setup(wire, now=datetime(2026, 10, 9, 21, 50, tzinfo=UTC))  # 23:50 in Brussels: still open
    view = open_modal(wire)
    wire.services.clock.freeze(datetime(2026, 10, 9, 22, 10, tzinfo=UTC))  # 00:10 on 10 October
    wire.ws.submit_view("U0ANNA", view, full_values(ids, ["SJB"]))
    [shown] = wire.ws.open_views("U0ANNA")
    assert "vergrendeld" in text_of(shown.blocks)
    assert submissions(wire) == []


def test_the_supervisor_sees_the_preferences_and_reopens_them_for_one_student(wire: Stack) -> None:
    ids = setup(wire)
    wire.ws.submit_view("U0ANNA", open_modal(wire), full_values(ids, ["SJB", "KA-BRUSSEL"]))
    wire.services.clock.freeze(AFTER_DEADLINE)

    wire.ws.slash_command("U0SUP", "/stage", "studenten")
    wire.ws.click("U0SUP", "student_detail", str(ids["anna"]), message=wire.ws.ephemerals("U0SUP")[-1])
    detail = wire.ws.ephemerals("U0SUP")[-1]
    shown = text_of(detail.blocks)
    assert "Stagevoorkeuren" in shown and "1. Sint-Jan Berchmanscollege (Brussel)" in shown
    assert "Mijn tante geeft les op &lt;het&gt; Kanaalcollege" in shown and "1 versie bewaard" in shown

    # Another supervisor cannot reopen: a forged click on their own student's button carrying Anna's id.
    wire.ws.slash_command("U0OTHER", "/stage", "studenten")
    wire.ws.click("U0OTHER", "student_detail", message=wire.ws.ephemerals("U0OTHER")[-1])
    own_detail = wire.ws.ephemerals("U0OTHER")[-1]
    wire.ws.click("U0OTHER", "preferences_reopen", str(ids["anna"]), message=own_detail)
    assert "Alleen de stagebegeleiders" in text_of(wire.ws.ephemerals("U0OTHER")[-1].blocks)
    with wire.session() as s:
        assert s.exec(select(PreferenceReopening)).all() == []
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "preferences.reopen_refused")).one()

    wire.ws.click("U0SUP", "preferences_reopen", str(ids["anna"]), message=detail)
    assert "heropend tot en met 27 oktober 2026" in text_of(wire.ws.ephemerals("U0SUP")[-1].blocks)
    told = text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert "<@U0SUP> heeft je stagevoorkeuren heropend" in told and "27 oktober 2026" in told

    # The student can edit again; the new version counts, the old one is kept.
    view = open_modal(wire)
    assert "27 oktober 2026" in text_of(view.blocks)
    wire.ws.submit_view("U0ANNA", view, ranked(ids, ["LYC-JETTE"]))
    assert [r.institution_ids for r in submissions(wire)][-1] == [ids["LYC-JETTE"]]
    assert len(submissions(wire)) == 2


def test_the_reopen_button_before_the_deadline_changes_nothing(wire: Stack) -> None:
    ids = setup(wire)
    wire.ws.slash_command("U0COORD", "/stage", "students")
    wire.ws.click("U0COORD", "student_detail", str(ids["anna"]), message=wire.ws.ephemerals("U0COORD")[-1])
    assert "Nog geen stagevoorkeuren" in text_of(wire.ws.ephemerals("U0COORD")[-1].blocks)
    wire.ws.click(
        "U0COORD", "preferences_reopen", str(ids["anna"]), message=wire.ws.ephemerals("U0COORD")[-1]
    )
    assert "niet vergrendeld" in text_of(wire.ws.ephemerals("U0COORD")[-1].blocks)
    with wire.session() as s:
        assert s.exec(select(PreferenceReopening)).all() == []


def test_the_modal_in_english(wire: Stack) -> None:
    ids = setup(wire, language="en")
    view = open_modal(wire, text="preferences")
    assert "Preferred schools (at most 5" in text_of(view.blocks) and "Choice 5" in text_of(view.blocks)
    twice = ranked(ids, ["SJB", "SJB"])
    wire.ws.submit_view("U0ANNA", view, twice)
    assert wire.ws.open_views("U0ANNA")[-1].errors == {
        "institutions_2": "Each school can be in your ranking only once."
    }
    wire.ws.submit_view("U0ANNA", wire.ws.open_views("U0ANNA")[-1], full_values(ids, ["KA-BRUSSEL"]))
    assert "Your internship preferences are saved" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)


def test_staff_cannot_use_the_students_command(wire: Stack) -> None:
    setup(wire)
    answer = wire.ws.slash_command("U0SUP", "/stage", "voorkeuren")
    assert "niet voor jouw rol" in text_of(answer.json["blocks"])
    assert wire.ws.open_views("U0SUP") == []
