"""Reading a student's typed answers in the preferences conversation (Dutch and English, as people type).

Each reader returns the values it understood and the words it did not, so the bot can ask again
precisely instead of guessing. Pure functions: no database, no Slack.
"""

from __future__ import annotations

import re
import unicodedata

from models.preferences import SEMESTERS, Alternative
from models.schools import Level

_SPLIT = re.compile(r"\s*(?:[,;/\n+&]|\s(?:en|and|of|or)\s)\s*", re.IGNORECASE)

YES = frozenset(
    {"ja", "yes", "j", "y", "ok", "oke", "oké", "klopt", "correct", "juist", "jep", "yep", "ja hoor"}
)
NONE = frozenset(
    {
        "geen",
        "nee",
        "neen",
        "no",
        "none",
        "niets",
        "nothing",
        "geen voorkeur",
        "no preference",
        "-",
        "n.v.t.",
        "nvt",
        "n/a",
    }
)
STOP = frozenset({"stop", "annuleer", "annuleren", "cancel", "quit"})
START = frozenset({"voorkeuren", "voorkeur", "preferences", "preference", "stagevoorkeuren"})

LEVEL_WORDS: dict[str, Level] = {
    "aso": Level.ASO,
    "algemeen": Level.ASO,
    "general": Level.ASO,
    "bso": Level.BSO,
    "beroeps": Level.BSO,
    "vocational": Level.BSO,
    "kso": Level.KSO,
    "kunst": Level.KSO,
    "arts": Level.KSO,
    "tso": Level.TSO,
    "technisch": Level.TSO,
    "technical": Level.TSO,
    "buso": Level.SPECIAL_SECONDARY,
    "buitengewoon": Level.SPECIAL_SECONDARY,
    "buitengewoon secundair": Level.SPECIAL_SECONDARY,
    "special": Level.SPECIAL_SECONDARY,
    "special secondary": Level.SPECIAL_SECONDARY,
    "sense": Level.SE_N_SE,
    "se n se": Level.SE_N_SE,
    "senso": Level.SE_N_SE,
    "hbo": Level.HBO,
    "hbo5": Level.HBO,
    "hoger": Level.HIGHER_ADULT,
    "volwassenen": Level.HIGHER_ADULT,
    "volwassenenonderwijs": Level.HIGHER_ADULT,
    "cvo": Level.HIGHER_ADULT,
    "hoger onderwijs": Level.HIGHER_ADULT,
    "higher": Level.HIGHER_ADULT,
    "adult": Level.HIGHER_ADULT,
    "higher adult": Level.HIGHER_ADULT,
    "higher and adult": Level.HIGHER_ADULT,
    "hoger en volwassenen": Level.HIGHER_ADULT,
}

ALTERNATIVE_WORDS: dict[str, Alternative] = {
    "museum": Alternative.MUSEUM,
    "musea": Alternative.MUSEUM,
    "museums": Alternative.MUSEUM,
    "online": Alternative.ONLINE,
    "online onderwijs": Alternative.ONLINE,
    "online education": Alternative.ONLINE,
    "bedrijf": Alternative.COMPANY,
    "bedrijven": Alternative.COMPANY,
    "company": Alternative.COMPANY,
    "companies": Alternative.COMPANY,
    "opleider": Alternative.COMPANY,
    "trainer": Alternative.COMPANY,
}

_GRADE_WORDS = {
    "1": 1,
    "2": 2,
    "3": 3,
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "first": 1,
    "second": 2,
    "third": 3,
}
_FILLER = frozenset({"graad", "graden", "grade", "grades", "de", "the", "semester", "sem", "in", "stage"})


def plain(text: str) -> str:
    """Lower case, accents gone, outer punctuation and spaces trimmed."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", folded).strip(" .!?\t")


def _words(text: str) -> list[str]:
    return [plain(w) for w in _SPLIT.split(text) if plain(w)]


def is_yes(text: str) -> bool:
    return plain(text) in {plain(w) for w in YES}


def is_none(text: str) -> bool:
    return plain(text) in NONE


def is_stop(text: str) -> bool:
    return plain(text) in STOP


def starts_conversation(text: str) -> bool:
    return plain(text) in START


def levels(text: str) -> tuple[list[str], list[str]]:
    """(levels understood, in the order typed, without repeats; words not understood)."""
    found: list[str] = []
    unknown: list[str] = []
    for word in _words(text):
        key = word.replace("-", " ")
        level = LEVEL_WORDS.get(key) or LEVEL_WORDS.get(key.replace(" ", ""))
        if level is None:
            unknown.append(word)
        elif level.value not in found:
            found.append(level.value)
    return found, unknown


def alternatives(text: str) -> tuple[list[str], list[str]]:
    found: list[str] = []
    unknown: list[str] = []
    for word in _words(text):
        alternative = ALTERNATIVE_WORDS.get(word)
        if alternative is None:
            unknown.append(word)
        elif alternative.value not in found:
            found.append(alternative.value)
    return found, unknown


def grades(text: str) -> tuple[list[int], list[str]]:
    """ "2de en 3de graad", "2, 3", "second and third" -> [2, 3]."""
    found: set[int] = set()
    unknown: list[str] = []
    for word in _words(text):
        tokens = [tok for tok in re.split(r"[\s-]+", word) if tok and tok not in _FILLER]
        for token in tokens:
            grade = _GRADE_WORDS.get(re.sub(r"(?<=\d)(?:de|ste|e|st|nd|rd|th)$", "", token))
            if grade is None:
                unknown.append(token)
            else:
                found.add(grade)
    return sorted(found), unknown


def semester(text: str) -> tuple[int | None, bool]:
    """(semester or None for no preference, understood?)."""
    if is_none(text):
        return None, True
    digits = {int(d) for d in re.findall(r"\d", plain(text))}
    words = plain(text)
    if not digits:
        digits = {
            n for word, n in (("eerste", 1), ("first", 1), ("tweede", 2), ("second", 2)) if word in words
        }
    if len(digits) == 1 and (only := digits.pop()) in SEMESTERS:
        return only, True
    return None, False


def free_list(text: str) -> list[str]:
    """Regions or municipalities as typed, without repeats; "geen" is the empty list."""
    if is_none(text):
        return []
    seen: list[str] = []
    for piece in _SPLIT.split(text):
        piece = piece.strip(" .\t")
        if piece and piece.lower() not in (s.lower() for s in seen):
            seen.append(piece[:100])
    return seen
