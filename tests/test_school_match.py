"""Forgiving school-name matching: accents, abbreviations, initials, typos; unsure means suggestions."""

from __future__ import annotations

import pytest

from models import preference_answers as answers
from models.school_match import School, match_list, match_one, normalise

SCHOOLS = [
    School(1, "ATH-ZENNE", "Atheneum Zennevallei", "Anderlecht"),
    School(2, "COL-KANAAL", "Kanaalcollege", "Molenbeek"),
    School(3, "TI-NOORD", "Technisch Instituut Brussel-Noord", "Schaarbeek"),
    School(4, "KUNST-ELS", "Kunsthumaniora Elsene", "Elsene"),
    School(5, "KA-BRUSSEL", "Koninklijk Atheneum Brussel", "Brussel"),
    School(6, "SJB", "Sint-Jan Berchmanscollege", "Brussel"),
    School(7, "IHN", "Instituut voor Handel en Navigatie", "Antwerpen"),
    School(8, "OLV-MECH", "Onze-Lieve-Vrouwcollege", "Mechelen"),
    School(9, "SJBI", "Sint-Jozef Bisschoppelijk Instituut", "Antwerpen"),
]


def _names(text: str) -> list[str | None]:
    return [m.school.name if m.school else None for m in match_list(text, SCHOOLS)]


def test_the_issues_example_finds_both_schools_in_order() -> None:
    assert _names("Atheneum Brussel en Sint-Jan Berchmans") == [
        "Koninklijk Atheneum Brussel",
        "Sint-Jan Berchmanscollege",
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("KA Brussel", "Koninklijk Atheneum Brussel"),  # abbreviation
        ("sjb", "Sint-Jan Berchmanscollege"),  # the school's code
        ("St.-Jan Berchmans", "Sint-Jan Berchmanscollege"),  # St. for Sint
        ("OLV college", "Onze-Lieve-Vrouwcollege"),
        ("TI Noord", "Technisch Instituut Brussel-Noord"),
        ("Kanaalcolege", "Kanaalcollege"),  # a typo
        ("Atheneum Zennevalei", "Atheneum Zennevallei"),
        ("kunsthumaniora elsène", "Kunsthumaniora Elsene"),  # an accent too many
        ("Instituut voor Handel en Navigatie", "Instituut voor Handel en Navigatie"),  # "en" in the name
    ],
)
def test_forgiving_matches(typed: str, expected: str) -> None:
    assert _names(typed) == [expected]


def test_an_ambiguous_name_gives_suggestions_and_no_school() -> None:
    match = match_one("atheneum", SCHOOLS)
    assert match.school is None
    assert {s.name for s in match.suggestions} == {"Atheneum Zennevallei", "Koninklijk Atheneum Brussel"}


def test_an_unknown_name_is_not_guessed() -> None:
    match = match_one("xyzzy school", SCHOOLS)
    assert match.school is None and match.suggestions == ()


def test_lists_split_on_commas_numbers_and_new_lines() -> None:
    assert _names("1. Kanaalcollege\n2. KA Brussel; sjb") == [
        "Kanaalcollege",
        "Koninklijk Atheneum Brussel",
        "Sint-Jan Berchmanscollege",
    ]


def test_normalise_drops_accents_and_expands_abbreviations() -> None:
    assert normalise("KA Élsene") == "koninklijk atheneum elsene"


def test_typed_answers_in_both_languages() -> None:
    assert answers.levels("ASO, tso en BuSO") == (["aso", "tso", "special_secondary"], [])
    assert answers.levels("aso en vwo") == (["aso"], ["vwo"])
    assert answers.grades("2de en 3de graad") == ([2, 3], [])
    assert answers.grades("second and third") == ([2, 3], [])
    assert answers.semester("semester 2") == (2, True)
    assert answers.semester("geen voorkeur") == (None, True)
    assert answers.semester("3") == (None, False)
    assert answers.alternatives("museum of bedrijf") == (["museum", "company"], [])
    assert answers.free_list("Brussel, Vilvoorde en Brussel") == ["Brussel", "Vilvoorde"]
    assert answers.is_yes("Ja!") and answers.is_yes("yes") and not answers.is_yes("nee")
