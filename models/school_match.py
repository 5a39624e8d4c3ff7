"""Forgiving school-name matching for what students type ("KA Brussel", "sint jan berchmans", "Kanaalcolege").

Students write school names the way they say them: without accents, with the usual Flemish abbreviations
(KA, TI, OLV, St.), as initials (SJB) or with a typo. A name is taken as understood only when one school
stands out clearly; otherwise the student gets suggestions and nothing is taken until they confirm.
Pure functions over a list of schools: no database, no Slack.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from models.schools import Institution

# Abbreviations as Flemish students write them, expanded before comparing (normalised, lower case).
ABBREVIATIONS: dict[str, str] = {
    "ka": "koninklijk atheneum",
    "kta": "koninklijk technisch atheneum",
    "go": "go",
    "ath": "atheneum",
    "ti": "technisch instituut",
    "vti": "vrij technisch instituut",
    "sti": "stedelijk instituut",
    "st": "sint",
    "olv": "onze lieve vrouw",
    "col": "college",
    "coll": "college",
    "lyc": "lyceum",
    "inst": "instituut",
    "cvo": "cvo",
    "buso": "buso",
    "hum": "humaniora",
}

SURE = 88  # a score at least this high, clearly ahead of the next school, is taken as understood
MARGIN = 6
SUGGEST = 55  # below this a school is not worth suggesting
MAX_SUGGESTIONS = 3

_SEPARATORS = re.compile(r"[,;\n/]+|\s+\d+[.)]\s+|^\s*\d+[.)]\s+")
_CONJUNCTION = re.compile(r"\s+(?:en|and|&|\+)\s+", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class School:
    """The little of a school that matching needs (also what views show)."""

    id: int
    code: str
    name: str
    city: str

    @classmethod
    def of(cls, institution: Institution) -> School:
        assert institution.id is not None
        return cls(institution.id, institution.code, institution.name, institution.city)


@dataclass(frozen=True)
class Match:
    """One name as typed: the school understood (or None) and what else it may have meant."""

    typed: str
    school: School | None
    suggestions: tuple[School, ...] = ()


def normalise(text: str) -> str:
    """Lower case, accents and punctuation gone, abbreviations written out."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = _NOT_WORD.sub(" ", plain).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def _initials(name: str) -> str:
    return "".join(word[0] for word in normalise(name).split() if word)


def _keys(school: School) -> tuple[str, str]:
    name = normalise(school.name)
    return name, f"{name} {normalise(school.city)}"


def _score(query: str, school: School) -> float:
    """Whole words in any order (with or without the city), a typo in the name, or a name written
    together ("berchmans college"); partial matches only for long enough queries, so "de" matches nothing."""
    name, with_city = _keys(school)
    squeezed = query.replace(" ", "")
    together = fuzz.partial_ratio(squeezed, name.replace(" ", "")) if len(squeezed) >= 8 else 0.0
    return max(
        fuzz.token_set_ratio(query, name),
        fuzz.token_set_ratio(query, with_city),
        fuzz.ratio(query, name),
        together,
    )


def match_one(typed: str, schools: Sequence[School]) -> Match:
    """The school meant by one typed name, or suggestions when no school clearly stands out."""
    typed = typed.strip(" .-\t")
    bare = _NOT_WORD.sub("", typed.lower())
    if not bare:
        return Match(typed, None)
    by_code = [s for s in schools if _NOT_WORD.sub("", s.code.lower()) == bare]
    if len(by_code) == 1:
        return Match(typed, by_code[0])
    if " " not in typed.strip() and 2 <= len(bare) <= 6:
        by_initials = [s for s in schools if _initials(s.name) == bare]
        if len(by_initials) == 1:
            return Match(typed, by_initials[0])
    query = normalise(typed)
    ranked = process.extract(query, list(schools), scorer=lambda q, s, **_: _score(q, s), limit=None)
    ranked = sorted(ranked, key=lambda r: (-r[1], r[0].name))
    if not ranked:
        return Match(typed, None)
    best_school, best, _ = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= SURE and best - runner_up >= MARGIN:
        return Match(typed, best_school)
    suggestions = tuple(s for s, score, _ in ranked[:MAX_SUGGESTIONS] if score >= SUGGEST)
    return Match(typed, None, suggestions)


def split_names(text: str) -> list[str]:
    """Pieces of a typed list: commas, semicolons, new lines and numbering always split."""
    return [piece.strip() for piece in _SEPARATORS.split(text) if piece and piece.strip(" .-\t")]


def _has_conjunction(name: str) -> bool:
    return bool(_CONJUNCTION.search(f" {name} "))


def match_list(text: str, schools: Iterable[School]) -> list[Match]:
    """Every name in a typed list, in order; "A en B" is two schools unless only the whole is one."""
    pool = list(schools)
    found: list[Match] = []
    for piece in split_names(text):
        parts = [part for part in _CONJUNCTION.split(piece) if part.strip()]
        whole = match_one(piece, pool)
        if len(parts) == 1 or (whole.school is not None and _has_conjunction(whole.school.name)):
            found.append(whole)
            continue
        split = [match_one(part, pool) for part in parts]
        found.extend(split if any(m.school for m in split) or whole.school is None else [whole])
    return found
