"""Questions in plain words: how each is read (a table in both languages, and those that must be refused),
the answers over the wire on the demo cohort, a supervisor's own students only, paging and the Export
buttons, and a constant number of statements."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.demo import progress as demo
from bot.local import load_demo_data
from models.people import Role
from models.progress import Step, StepState
from models.questions import Query, Refusal, Topic, Vocabulary, parse
from models.schools import Institution
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.statements import counted

VOCABULARY = Vocabulary(("Wiskunde", "Fysica", "Engels"), ((7, "ATH-ZENNE", "Atheneum Zennevallei"),))

READINGS: list[tuple[str, Query]] = [
    ("wie mist nog een uittreksel", Query(Topic.DOCUMENT, negated=True, document="criminal_record")),
    ("who is missing an extract?", Query(Topic.DOCUMENT, negated=True, document="criminal_record")),
    ("wie heeft een goedgekeurde verbintenisverklaring", Query(Topic.DOCUMENT, document="commitment")),
    ("who has no commitment declaration", Query(Topic.DOCUMENT, negated=True, document="commitment")),
    (
        "wie heeft geen stageplaats voor wiskunde in semester 2",
        Query(Topic.PLACEMENT, negated=True, subject="Wiskunde", semester=2),
    ),
    (
        "who has no placement for mathematics in the second semester",
        Query(Topic.PLACEMENT, negated=True, subject="Wiskunde", semester=2),
    ),
    ("wie heeft een stageplaats bij Atheneum Zennevallei", Query(Topic.PLACEMENT, school=7)),
    ("who is placed at ATH-ZENNE", Query(Topic.PLACEMENT, school=7)),
    ("welke scholen hebben geen overeenkomst", Query(Topic.AGREEMENT, negated=True, schools=True)),
    ("which schools have no agreement?", Query(Topic.AGREEMENT, negated=True, schools=True)),
    ("wie heeft nog geen overeenkomst", Query(Topic.AGREEMENT, negated=True)),
    ("who has not submitted a planning", Query(Topic.PLANNING_SUBMITTED, negated=True)),
    ("wie heeft de planning nog niet ingediend", Query(Topic.PLANNING_SUBMITTED, negated=True)),
    ("wie heeft een goedgekeurde planning", Query(Topic.PLANNING_APPROVED)),
    ("whose planning is not approved", Query(Topic.PLANNING_APPROVED, negated=True)),
    ("wie is te laat met de planning", Query(Topic.PLANNING_LATE)),
    ("who is late with the planning", Query(Topic.PLANNING_LATE)),
    ("wie is te laat", Query(Topic.LATE)),
    ("who is overdue", Query(Topic.LATE)),
    ("wie zit in het LIO-traject", Query(Topic.LIO)),
    ("whose LIO application is pending", Query(Topic.LIO_PENDING)),
    ("wie heeft het intakegesprek nog niet gehad", Query(Topic.STEP, negated=True, step=Step.INTAKE)),
    ("who has not had the intake", Query(Topic.STEP, negated=True, step=Step.INTAKE)),
    ("wie mag starten", Query(Topic.STEP, step=Step.APPROVAL)),
    ("who cannot start yet", Query(Topic.STEP, negated=True, step=Step.APPROVAL)),
]

REFUSED: list[tuple[str, str]] = [
    ("", "empty"),
    ("   ?!", "empty"),
    ("wat is het weer morgen", "not_understood"),
    ("what is the capital of Belgium", "not_understood"),
    ("welke scholen liggen in Gent", "not_understood"),  # only agreements are asked of schools
    ("wie " + "heel " * 80 + "laat", "too_long"),
]


@pytest.mark.parametrize(("question", "expected"), READINGS, ids=[q for q, _ in READINGS])
def test_a_question_is_read_as_a_query(question: str, expected: Query) -> None:
    assert parse(question, VOCABULARY) == expected


@pytest.mark.parametrize(("question", "reason"), REFUSED, ids=[r for _, r in REFUSED])
def test_a_question_outside_the_grammar_is_refused(question: str, reason: str) -> None:
    assert parse(question, VOCABULARY) == Refusal(reason)


@pytest.fixture
def cohort(wire: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    monkeypatch.setattr(wire.services.settings, "documents_dir", tmp_path / "documents")
    load_demo_data(wire.services)
    with wire.session() as s:
        factories.person(s, "U0COORDEN", "Jane Coordinator", Role.COORDINATOR, language="en")
        s.commit()
    wire.sync_users()
    return wire


def _ask(wire: Stack, who: str, question: str) -> str:
    return text_of(wire.ws.slash_command(who, "/stage", question).json["blocks"])


def _mentioned(text: str) -> list[str]:
    return [line.split("<@")[1].split(">")[0] for line in text.splitlines() if line.startswith("• <@")]


# question (as typed after /stage) -> what the answer says it understood, and whom it lists
ANSWERS: list[tuple[str, str, str, list[str]]] = [
    ("U0DEMOCO01", "wie mist nog een uittreksel",
     "Ik begreep: studenten zonder goedgekeurd uittreksel",
     [demo.AMIRA, demo.AYLIN, demo.JONAS, demo.OLIVIA, demo.YASMINA]),
    ("U0COORDEN", "who is missing an extract",
     "I understood: students without an approved criminal-record extract",
     [demo.AMIRA, demo.AYLIN, demo.JONAS, demo.OLIVIA, demo.YASMINA]),
    ("U0DEMOCO01", "wie heeft geen stageplaats voor wiskunde in semester 2",
     "Ik begreep: studenten zonder stageplaats, voor Wiskunde, in semester 2", [demo.LUCAS, demo.YASMINA]),
    ("U0COORDEN", "who has no placement for maths in semester 2",
     "I understood: students without a placement, for Wiskunde, in semester 2", [demo.LUCAS, demo.YASMINA]),
    ("U0DEMOCO01", "wie heeft een stageplaats bij Atheneum Zennevallei",
     "Ik begreep: studenten met een stageplaats, bij Atheneum Zennevallei", [demo.EMMA, demo.PIETER]),
    ("U0DEMOCO01", "wie is te laat met de planning",
     "Ik begreep: studenten van wie de deadline van een planning voorbij is zonder ingediende planning",
     [demo.EMMA, demo.FATIMA, demo.MEHMET, demo.PIETER, demo.SARAH, demo.THOMAS]),
    ("U0COORDEN", "who has not submitted a planning",
     "I understood: students with a placement whose planning has not been submitted",
     [demo.EMMA, demo.FATIMA, demo.MEHMET, demo.PIETER, demo.SARAH, demo.THOMAS]),
    ("U0DEMOCO01", "wie zit in het LIO-traject", "Ik begreep: studenten in het LIO-traject", [demo.LUCAS]),
    ("U0COORDEN", "who has not had the intake",
     "I understood: students who have not finished step 1 (Intake meeting)", [demo.AYLIN, demo.YASMINA]),
]  # fmt: skip


@pytest.mark.parametrize(("who", "question", "reading", "students"), ANSWERS, ids=[a[1] for a in ANSWERS])
def test_the_answer_says_how_it_understood_and_lists_the_students(
    cohort: Stack, who: str, question: str, reading: str, students: list[str]
) -> None:
    text = _ask(cohort, who, question)
    assert reading in text, text
    assert _mentioned(text) == students


def test_which_schools_have_no_agreement_names_them_with_the_students_waiting(cohort: Stack) -> None:
    text = _ask(cohort, demo.COORDINATOR, "welke scholen hebben geen overeenkomst")
    assert "Ik begreep: scholen met geplaatste studenten zonder geldige overeenkomst" in text
    assert "• Kunsthumaniora Elsene · 2 studenten wachten" in text
    english = _ask(cohort, "U0COORDEN", "which schools have no agreement")
    assert "I understood: schools with placed students not covered by a valid agreement" in english
    assert "• Kunsthumaniora Elsene · 2 students waiting" in english


def test_a_supervisor_asks_about_their_own_students_only(cohort: Stack) -> None:
    text = _ask(cohort, demo.MARLEEN, "wie mist nog een uittreksel")
    assert "(jouw studenten)" in text
    assert _mentioned(text) == [demo.AYLIN, demo.YASMINA]  # not Amira, Jonas, Olivia: Tom's and Nadia's
    refused = _ask(cohort, demo.PIETER, "wie mist nog een uittreksel")
    assert "niet voor jouw rol" in refused and "<@" not in refused


def test_a_question_not_understood_gets_examples_that_work(cohort: Stack) -> None:
    text = _ask(cohort, demo.COORDINATOR, "wie wat waar")
    assert "Die vraag begrijp ik niet" in text
    assert "`/stage wie mist nog een uittreksel`" in text
    english = _ask(cohort, "U0COORDEN", "who is the best")
    assert "I do not understand that question" in english and "`/stage who is late`" in english
    for example in ("mist nog een uittreksel", "is te laat met de planning", "zit in het LIO-traject"):
        assert not isinstance(parse(example, Vocabulary()), Refusal)  # what follows `/stage wie`


def test_a_long_answer_is_paged_with_a_more_button(cohort: Stack) -> None:
    with cohort.session() as s:
        for n in range(60):
            factories.student(s, f"U0MORE{n:03d}", f"Zz Student {n:03d}")
        s.commit()
    cohort.sync_users()
    answer = cohort.ws.slash_command(demo.COORDINATOR, "/stage", "wie heeft het intakegesprek nog niet gehad")
    blocks = answer.json["blocks"]
    assert len(blocks) <= 50
    text = text_of(blocks)
    assert "62 studenten" in text and "1–50 van 62" in text and len(_mentioned(text)) == 50
    cohort.ws.click(demo.COORDINATOR, "questions_more", message=cohort.ws.ephemerals(demo.COORDINATOR)[-1])
    page = text_of(cohort.ws.ephemerals(demo.COORDINATOR)[-1].blocks)
    assert "51–62 van 62" in page and _mentioned(page) == [f"U0MORE{n:03d}" for n in range(48, 60)]
    assert "questions_more" not in str(cohort.ws.ephemerals(demo.COORDINATOR)[-1].blocks)


def test_the_export_button_sends_the_list_in_the_dm(cohort: Stack) -> None:
    cohort.ws.slash_command(demo.MARLEEN, "/stage", "wie mist nog een uittreksel")
    answer = cohort.ws.ephemerals(demo.MARLEEN)[-1]
    cohort.ws.click(demo.MARLEEN, "questions_export_xlsx", message=answer)
    cohort.ws.click(demo.MARLEEN, "questions_export_csv", message=answer)
    cohort.services.outbox.settle(timeout=30)
    files = {
        f["name"]: cohort.ws.state.files[f["id"]].content
        for m in cohort.ws.messages(demo.MARLEEN)
        for f in m.files
    }
    assert sorted(files) == ["studentenlijst.csv", "studentenlijst.xlsx"]
    sheet = load_workbook(io.BytesIO(files["studentenlijst.xlsx"]))["Studenten"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["Student", "Slack-id", "Toelichting"],
        ["Aylin Demir", demo.AYLIN, "niet opgeladen"],
        ["Yasmina El Amrani", demo.YASMINA, "niet opgeladen"],
    ]
    assert sheet.freeze_panes == "A2"
    assert list(csv.reader(io.StringIO(files["studentenlijst.csv"].decode("utf-8-sig")))) == rows


def test_a_question_takes_the_same_statements_for_a_larger_cohort(cohort: Stack) -> None:
    questions = [q for _, q, _, _ in ANSWERS] + ["welke scholen hebben geen overeenkomst", "wie is te laat"]

    def statements() -> list[int]:
        found = []
        for question in questions:
            with counted(cohort.services.db.engine) as seen:
                cohort.ws.slash_command(demo.COORDINATOR, "/stage", question)
            found.append(len(seen))
        return found

    before = statements()
    with cohort.session() as s:
        school = s.exec(select(Institution)).first()
        assert school is not None
        for n in range(30):
            someone = factories.student(s, f"U0MORE{n:03d}", f"Extra Student {n}", subject_x="Wiskunde")
            factories.progress(s, someone, INTAKE=StepState.DONE)
        s.commit()
    cohort.sync_users()
    assert statements() == before
