"""`/stage` through the wire: signed slash commands in, the bot's answers and Web API calls out."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from sqlmodel import select

from models.people import Person, Role, Student
from models.problems import Problem
from models.progress import StepState
from tests import factories
from tests.blocktext import text_of
from tests.conftest import Stack
from workspace import sign_request


def _cohort(wire: Stack) -> dict[str, Person]:
    with wire.session() as s:
        coordinator = factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        counsellor = factories.person(s, "U0COUNS", "Karim Haddad", Role.COUNSELLOR)
        sup = factories.person(s, "U0SUPER", "Els Wouters", Role.SUPERVISOR)
        other_sup = factories.person(s, "U0SUPER2", "Bart Maes", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=sup)
        youssef = factories.student(s, "U0YOUSSEF", "Youssef Amrani", supervisor=sup, language="en")
        lotte = factories.student(s, "U0LOTTE", "Lotte Peeters", supervisor=other_sup)
        factories.progress(s, anna, INTAKE=StepState.DONE, DOCUMENTS=StepState.AWAITING_REVIEW)
        factories.progress(s, lotte, INTAKE=StepState.DONE, DOCUMENTS=StepState.DONE)
    wire.sync_users()
    return {
        "coordinator": coordinator,
        "counsellor": counsellor,
        "sup": sup,
        "other_sup": other_sup,
        "anna": anna,
        "youssef": youssef,
        "lotte": lotte,
    }


def test_student_status_shows_the_eight_steps_from_the_database_and_the_next_deadline(wire: Stack) -> None:
    _cohort(wire)
    answer = wire.ws.slash_command("U0ANNA", "/stage", "status")
    assert answer.status == 200
    body = answer.json
    assert body["response_type"] == "ephemeral"
    text = text_of(body["blocks"])
    assert "Jouw stage: stand van zaken" in text
    for number, name in enumerate(
        [
            "Intakegesprek",
            "Verbintenisverklaring",
            "Stagematching",
            "Stage-aanvraag",
            "Stageovereenkomst",
            "Contact met de school",
            "Stageplanning",
            "Goedkeuring opstart stage",
        ],
        start=1,
    ):
        assert f"*{number}. {name}" in text
    assert "✅ *1. Intakegesprek*: in orde" in text
    assert "⏳ *2. Verbintenisverklaring en uittreksel strafregister*: wacht op goedkeuring" in text
    assert "⬜ *3. Stagematching*: niet gestart" in text
    # Today is 28 November 2026: the next open deadline is the documents one for semester 2.
    assert "Documenten in orde voor semester 2*, uiterlijk 29 januari 2027 (nog 62 dagen)" in text
    # The ephemeral answer is what the workspace shows to Anna alone.
    assert any("Jouw stage" in text_of(m.blocks) for m in wire.ws.ephemerals("U0ANNA"))


def test_a_step_whose_deadline_passed_is_marked_late_where_it_is_the_students_move(wire: Stack) -> None:
    _cohort(wire)  # today is 28 November 2026: the intake (2 October) and documents (16 October) are past
    lotte = text_of(wire.ws.slash_command("U0LOTTE", "/stage", "status").json["blocks"])
    assert "⚠️ *Te laat*" not in lotte  # her intake and documents are done
    youssef = text_of(wire.ws.slash_command("U0YOUSSEF", "/stage", "status").json["blocks"])
    assert "⬜ *1. Intake meeting*: not started\n⚠️ *Overdue*: the deadline has passed (Internship" in youssef
    anna = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert "Te laat" not in anna  # her documents wait for the supervisor: not late on her side
    with wire.session() as s:
        factories.progress(s, s.get_one(Person, _person_id(wire, "U0ANNA")), DOCUMENTS=StepState.SENT_BACK)
    anna = text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    assert (
        "*2. Verbintenisverklaring en uittreksel strafregister*: teruggestuurd, actie nodig\n"
        "⚠️ *Te laat*: de deadline is voorbij (Verbintenisverklaring en uittreksel strafregister opgeladen, "
        "uiterlijk 16 oktober 2026)."
    ) in anna
    supervisor = text_of(wire.ws.slash_command("U0SUPER", "/stage", "status").json["blocks"])
    assert "<@U0YOUSSEF> · 0/8 stappen · volgende: Intakegesprek · ⚠️ te laat" in supervisor
    assert "volgende: Verbintenisverklaring en uittreksel strafregister · ⚠️ te laat" in supervisor


def _person_id(wire: Stack, slack_id: str) -> int:
    with wire.session() as s:
        return s.exec(select(Person.id).where(Person.slack_user_id == slack_id)).one()  # type: ignore[return-value]


def test_the_next_deadline_skips_steps_already_done(wire: Stack) -> None:
    _cohort(wire)
    text = text_of(wire.ws.slash_command("U0LOTTE", "/stage", "stand").json["blocks"])
    assert "Stageovereenkomst in orde voor semester 2*, uiterlijk 29 januari 2027" in text


def test_english_speakers_get_english(wire: Stack) -> None:
    _cohort(wire)
    text = text_of(wire.ws.slash_command("U0YOUSSEF", "/stage", "status").json["blocks"])
    assert "Your internship: where you stand" in text
    assert "⬜ *1. Intake meeting*: not started" in text
    assert "by 29 January 2027 (62 days left)" in text


def test_supervisor_sees_only_their_students_with_counts_per_step(wire: Stack) -> None:
    _cohort(wire)
    text = text_of(wire.ws.slash_command("U0SUPER", "/stage", "status").json["blocks"])
    assert "Jouw studenten: 2" in text
    assert "<@U0ANNA>" in text and "<@U0YOUSSEF>" in text
    assert "<@U0LOTTE>" not in text
    assert "*1. Intakegesprek*\n✅ 1 · ⬜ 1" in text
    assert "*2. Verbintenisverklaring en uittreksel strafregister*\n⏳ 1 · ⬜ 1" in text
    assert "<@U0ANNA> · 1/8 stappen · ⏳ 1 wacht op goedkeuring · volgende: Verbintenisverklaring" in text


def test_coordinator_sees_the_cohort(wire: Stack) -> None:
    _cohort(wire)
    text = text_of(wire.ws.slash_command("U0COORD", "/stage", "status").json["blocks"])
    assert "De cohorte: 3 studenten" in text
    assert all(f"<@{u}>" in text for u in ("U0ANNA", "U0YOUSSEF", "U0LOTTE"))
    assert "*2. Verbintenisverklaring en uittreksel strafregister*\n✅ 1 · ⏳ 1 · ⬜ 1" in text


def test_a_long_cohort_pages_and_the_next_button_replaces_the_message(wire: Stack) -> None:
    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        for i in range(45):
            factories.student(s, f"U0ST{i:03d}", f"Student {i:03d}")
    wire.sync_users()
    answer = wire.ws.slash_command("U0COORD", "/stage", "status")
    blocks = answer.json["blocks"]
    assert len(blocks) <= 50
    text = text_of(blocks)
    assert "Studenten 1 tot 20 van 45" in text
    assert "<@U0ST000>" in text and "<@U0ST020>" not in text
    message = wire.ws.ephemerals("U0COORD")[-1]
    wire.ws.click("U0COORD", "status_page_next", "20", message=message)
    replaced = [c for c in wire.ws.calls("response_url") if c.params.get("replace_original")]
    assert replaced, wire.ws.calls()
    page_two = text_of(replaced[-1].params["blocks"])
    assert "Studenten 21 tot 40 van 45" in page_two
    assert "<@U0ST020>" in page_two and "<@U0ST000>" not in page_two


def test_help_lists_what_the_callers_roles_may_use(wire: Stack) -> None:
    _cohort(wire)
    student_help = text_of(wire.ws.slash_command("U0ANNA", "/stage", "help").json["blocks"])
    supervisor_help = text_of(wire.ws.slash_command("U0SUPER", "/stage", "hulp").json["blocks"])
    assert "`/stage problem` (`probleem`)" in student_help
    assert "`/stage status` (`stand`)" in student_help
    assert "`/stage problem`" not in supervisor_help
    assert "`/stage contacts` (`contacten`)" in supervisor_help


def test_unknown_and_empty_subcommands_get_the_help(wire: Stack) -> None:
    _cohort(wire)
    unknown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "vliegtuig").json["blocks"])
    assert "Dat commando ken ik niet" in unknown
    assert "`/stage status`" in unknown
    empty = text_of(wire.ws.slash_command("U0ANNA", "/stage", "").json["blocks"])
    assert "Alles loopt via één commando" in empty


def test_a_subcommand_not_for_the_role_is_refused_with_the_help(wire: Stack) -> None:
    _cohort(wire)
    text = text_of(wire.ws.slash_command("U0SUPER", "/stage", "probleem iets").json["blocks"])
    assert "niet voor jouw rol" in text
    with wire.session() as s:
        assert s.exec(select(Problem)).all() == []


def test_an_unregistered_user_gets_a_friendly_word_in_their_language(wire: Stack) -> None:
    from workspace import User

    wire.ws.add_user(User(id="U0STRANGER", name="stranger", real_name="A Stranger", locale="en-US"))
    answer = wire.ws.slash_command("U0STRANGER", "/stage", "status")
    assert answer.status == 200
    assert "not registered in Stagebot yet" in answer.body
    assert "placement coordinator" in answer.body
    with wire.session() as s:
        assert s.exec(select(Person)).all() == []


def test_the_app_home_shows_the_checklist(wire: Stack) -> None:
    _cohort(wire)
    delivery = wire.ws.open_home("U0ANNA")
    assert delivery.status == 200
    home = wire.ws.home_view("U0ANNA")
    assert home is not None
    text = text_of(home.blocks)
    assert "Jouw stage: stand van zaken" in text
    assert "⏳ *2. Verbintenisverklaring" in text


def test_language_choice_is_kept(wire: Stack) -> None:
    _cohort(wire)
    answer = wire.ws.slash_command("U0ANNA", "/stage", "taal en")
    assert "From now on I will speak English with you." in answer.json["text"]
    assert "Your internship" in text_of(wire.ws.slash_command("U0ANNA", "/stage", "status").json["blocks"])
    back = wire.ws.slash_command("U0ANNA", "/stage", "language auto")
    assert "Nederlands" in back.json["text"]
    bad = wire.ws.slash_command("U0ANNA", "/stage", "taal fr")
    assert "Kies met `/stage taal nl`" in bad.json["text"]


def test_contacts_for_a_student(wire: Stack) -> None:
    _cohort(wire)
    text = text_of(wire.ws.slash_command("U0ANNA", "/stage", "contacten").json["blocks"])
    assert "*Vakstagebegeleider Wiskunde en Fysica*: <@U0SUPER>" in text
    assert text.count("<@U0SUPER>") == 1  # one person, one line
    assert "*Stagecoördinator*: <@U0COORD> · u0coord@example.edu" in text
    assert "*Studietrajectbegeleider*: <@U0COUNS>" in text


def test_problem_reaches_the_coordinator_with_context(wire: Stack) -> None:
    _cohort(wire)
    answer = wire.ws.slash_command("U0ANNA", "/stage", "probleem Mijn school <antwoordt> niet")
    assert "doorgegeven aan <@U0COORD>" in answer.json["text"]
    dm = wire.ws.messages(wire.ws.dm_channel("U0COORD"))
    assert len(dm) == 1
    text = text_of(dm[0].blocks)
    assert "Van <@U0ANNA>" in text
    assert "&lt;antwoordt&gt;" in text
    assert "Vakdidactieken: Wiskunde en Fysica" in text
    assert "1/8 stappen in orde" in text
    with wire.session() as s:
        problem = s.exec(select(Problem)).one()
        assert problem.text == "Mijn school <antwoordt> niet"
        assert problem.notified_at is not None


def test_an_empty_problem_changes_nothing(wire: Stack) -> None:
    _cohort(wire)
    answer = wire.ws.slash_command("U0ANNA", "/stage", "probleem   ")
    assert "Beschrijf je probleem" in answer.json["text"]
    with wire.session() as s:
        assert s.exec(select(Problem)).all() == []


def _problem_body() -> bytes:
    return urlencode(
        {
            "command": "/stage",
            "text": "problem forged",
            "user_id": "U0ANNA",
            "channel_id": "D0ANNA",
            "team_id": "T0LOCAL",
            "response_url": "http://127.0.0.1:9/none",
            "trigger_id": "1.2.3",
        }
    ).encode()


def test_a_bad_signature_is_refused_and_nothing_stored(wire: Stack) -> None:
    _cohort(wire)
    body = _problem_body()
    headers = sign_request("not-the-secret", body)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    assert wire.ws.post_raw(body, headers).status == 401
    with wire.session() as s:
        assert s.exec(select(Problem)).all() == []


def test_a_signature_older_than_five_minutes_is_refused(wire: Stack) -> None:
    _cohort(wire)
    body = _problem_body()
    headers = sign_request("test-signing-secret", body, timestamp=int(time.time()) - 6 * 60)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    assert wire.ws.post_raw(body, headers).status == 401
    fresh = sign_request("test-signing-secret", body)
    fresh["Content-Type"] = "application/x-www-form-urlencoded"
    assert wire.ws.post_raw(body, fresh).status == 200
    with wire.session() as s:
        assert [p.text for p in s.exec(select(Problem))] == ["forged"]


def test_the_locale_is_asked_from_slack_once_and_remembered(wire: Stack) -> None:
    from workspace import User

    with wire.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        factories.student(s, "U0NEW", "Noor Vermeulen", locale=None)
    wire.sync_users()
    wire.ws.add_user(User(id="U0NEW", name="noor", real_name="Noor Vermeulen", locale="en-GB"))
    first = wire.ws.slash_command("U0NEW", "/stage", "status")
    second = wire.ws.slash_command("U0NEW", "/stage", "status")
    assert "Your internship" in text_of(first.json["blocks"])
    assert "Your internship" in text_of(second.json["blocks"])
    assert len(wire.ws.calls("users.info")) == 1
    assert json.loads(json.dumps(wire.ws.calls("users.info")[0].params))["user"] == "U0NEW"


def test_a_retried_event_is_handled_once(wire: Stack) -> None:
    _cohort(wire)
    first = wire.ws.open_home("U0ANNA")
    assert len(wire.ws.calls("views.publish")) == 1
    again = wire.ws.redeliver(first, retry_num=1)
    assert again.status == 200
    assert len(wire.ws.calls("views.publish")) == 1


def test_a_dm_no_conversation_takes_gets_a_pointer_to_the_help(wire: Stack) -> None:
    _cohort(wire)
    delivery = wire.ws.send_dm("U0ANNA", "hallo, wanneer begint mijn stage?")
    assert delivery.status == 200
    replies = [m for m in wire.ws.messages(wire.ws.dm_channel("U0ANNA")) if m.user == "U0STAGEBOT"]
    assert len(replies) == 1 and "Typ `/stage help`" in replies[0].text


def test_one_person_who_supervises_x_y_and_in_general_is_named_once(wire: Stack) -> None:
    people = _cohort(wire)
    with wire.session() as s:
        student = s.get_one(Student, people["anna"].id)
        student.supervisor_id = people["sup"].id  # also her general supervisor
        s.add(student)
    contacts = text_of(wire.ws.slash_command("U0ANNA", "/stage", "contacten").json["blocks"])
    assert contacts.count("<@U0SUPER>") == 1
    wire.ws.slash_command("U0ANNA", "/stage", "probleem Mijn mentor is ziek")
    problem = text_of(wire.ws.messages(wire.ws.dm_channel("U0COORD"))[-1].blocks)
    assert problem.count("<@U0SUPER>") == 1
    wire.ws.slash_command("U0COORD", "/stage", "studenten")
    wire.ws.click(
        "U0COORD", "student_detail", str(people["anna"].id), message=wire.ws.ephemerals("U0COORD")[-1]
    )
    detail = text_of(wire.ws.ephemerals("U0COORD")[-1].blocks)
    assert detail.count("<@U0SUPER>") == 1
