"""Preferences by DM conversation: one question at a time, forgiving school names, confirm and correct."""

from __future__ import annotations

from sqlmodel import select

from models.preferences import PreferenceConversation, PreferenceSubmission
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.test_preferences import AFTER_DEADLINE, setup, submissions


def say(wire: Stack, text: str, user: str = "U0ANNA", *, handled: bool = True) -> str:
    """The student writes in their DM; returns what the conversation answered to it.

    A message the conversation does not take (`handled=False`) gets only the general pointer to the help.
    """
    before = len(wire.ws.messages(user))
    delivery = wire.ws.send_dm(user, text)
    assert delivery.ok, delivery.body
    answers = [m for m in wire.ws.messages(user)[before:] if m.user == wire.ws.bot_user_id]
    said = "\n".join(text_of(m.blocks) or m.text for m in answers)
    if not handled:
        assert "/stage help" in said and len(answers) == 1, said
        return ""
    return said


def conversation(wire: Stack, student_id: int) -> PreferenceConversation | None:
    with wire.session() as s:
        return s.get(PreferenceConversation, student_id)


def test_a_student_gives_preferences_in_the_dm_and_corrects_a_school(wire: Stack) -> None:
    ids = setup(wire)
    first = say(wire, "voorkeuren")
    assert "één vraag per keer" in first and "*1/10*" in first

    # Forgiving matching: the issue's own example; an unsure name gets suggestions, nothing is taken yet.
    answer = say(wire, "Atheneum Brussel en Sint-Jan Berchmans, atheneum")
    assert "_Atheneum Brussel_ → Koninklijk Atheneum Brussel (Brussel)" in answer
    assert "_Sint-Jan Berchmans_ → Sint-Jan Berchmanscollege (Brussel)" in answer
    assert "_atheneum_: die school ken ik niet zeker. Bedoel je:" in answer
    assert "Atheneum Zennevallei (Anderlecht)" in answer
    assert submissions(wire) == []

    # The student corrects by typing the list again, then confirms.
    answer = say(wire, "KA Brussel, sjb, Atheneum Zennevalei")
    assert "Atheneum Zennevallei (Anderlecht)" in answer and "Klopt dit?" in answer
    row = conversation(wire, ids["anna"])
    assert row is not None and row.question == "institutions"  # stored: a restart loses nothing
    assert "*2/10*" in say(wire, "ja")

    assert "*3/10*" in say(wire, "Brussel en Jette")
    assert "Dit niveau ken ik niet: vwo" in say(wire, "aso, vwo")  # asked again, nothing lost
    assert "*4/10*" in say(wire, "ASO en TSO")
    assert "*5/10*" in say(wire, "2de en 3de graad")
    assert "Antwoord met *1*, *2*" in say(wire, "zomer")
    assert "*6/10*" in say(wire, "semester 1")
    assert "*7/10*" in say(wire, "geen voorkeur")
    assert "*8/10*" in say(wire, "museum")
    answer = say(wire, "Kanaalcollege")
    assert "Kanaalcollege (Molenbeek)" in answer
    assert "*9/10*" in say(wire, "ja")
    assert "*10/10*" in say(wire, "nee")
    summary = say(wire, "Ik heb geen auto")
    assert "Dit heb ik begrepen" in summary
    assert "1. Koninklijk Atheneum Brussel (Brussel)\n2. Sint-Jan Berchmanscollege (Brussel)" in summary
    assert "*Graden:* 2, 3" in summary and "*Tutorstage:* semester 1" in summary

    # Correct one answer from the summary by its number, then save.
    assert "*2/10*" in say(wire, "2")
    assert "Dit heb ik begrepen" in say(wire, "Brussel, Vilvoorde")
    saved = say(wire, "ja")
    assert "opgeslagen" in saved

    [row_saved] = submissions(wire)
    assert row_saved.source == "conversation"
    assert row_saved.institution_ids == [ids["KA-BRUSSEL"], ids["SJB"], ids["ATH-ZENNE"]]
    assert row_saved.regions == ["Brussel", "Vilvoorde"]
    assert row_saved.levels == ["aso", "tso"] and row_saved.grades == [2, 3]
    assert (row_saved.tutoring_semester, row_saved.professional_semester) == (1, None)
    assert row_saved.alternatives == ["museum"]
    assert row_saved.former_school_ids == [ids["COL-KANAAL"]] and row_saved.relative_school_ids == []
    assert row_saved.remarks == "Ik heb geen auto"
    assert conversation(wire, ids["anna"]) is None

    # The conversation is over: a plain DM is no longer taken by this feature.
    assert say(wire, "bedankt", handled=False) == ""


def test_more_than_five_schools_in_the_chat_is_refused(wire: Stack) -> None:
    setup(wire)
    say(wire, "voorkeuren")
    answer = say(wire, "KA Brussel, sjb, Kanaalcollege, TI Noord, Lyceum De Horizon, Kunsthumaniora Elsene")
    assert "Kies hoogstens 5 scholen (je koos er 6)" in answer
    assert "Klopt dit" not in answer
    assert submissions(wire) == []


def test_stop_ends_the_conversation_without_saving(wire: Stack) -> None:
    ids = setup(wire)
    say(wire, "voorkeuren")
    say(wire, "Kanaalcollege")
    assert "niets opgeslagen" in say(wire, "stop")
    assert conversation(wire, ids["anna"]) is None
    with wire.session() as s:
        assert s.exec(select(PreferenceSubmission)).all() == []


def test_the_chat_after_the_deadline_tells_the_student_why(wire: Stack) -> None:
    ids = setup(wire, now=AFTER_DEADLINE)
    answer = say(wire, "voorkeuren")
    assert "vergrendeld" in answer and "9 oktober 2026" in answer
    assert conversation(wire, ids["anna"]) is None


def test_the_command_starts_the_chat_and_it_speaks_english(wire: Stack) -> None:
    ids = setup(wire, language="en")
    reply = wire.ws.slash_command("U0ANNA", "/stage", "preferences chat")
    assert "I sent you a direct message" in text_of(reply.json["blocks"])
    dm = [m for m in wire.ws.messages("U0ANNA") if m.ephemeral_to is None]
    assert "one question at a time" in text_of(dm[-1].blocks)
    answer = say(wire, "Kanaal college and xyzzy")
    assert "_xyzzy_: I cannot find that school in the list." in answer
    assert "Answer *yes* to keep only the schools found" in answer
    assert "*2/10*" in say(wire, "yes")
    assert conversation(wire, ids["anna"]).answers["institution_ids"] == [ids["COL-KANAAL"]]  # type: ignore[union-attr]


def test_dms_of_others_and_files_are_left_to_other_features(wire: Stack) -> None:
    ids = setup(wire)
    say(wire, "voorkeuren")
    # The supervisor's DM and a student's file are not answers to the preferences questions.
    assert say(wire, "voorkeuren", user="U0SUP", handled=False) == ""
    wire.ws.upload_file("U0ANNA", "cv.pdf", b"%PDF-1.4", "application/pdf")
    row = conversation(wire, ids["anna"])
    assert row is not None and row.question == "institutions" and row.pending == {}
