"""The matching problem as plain data: students' needs, institutions' offers, and each student's options.

Both the solver (``models.matching``) and the first-come pass (``models.matching_greedy``) work on these;
keeping them here lets each of the two import the problem without importing the other. Ties are broken by a
hash of stable ids (Slack id, school code), never by name or import order.
"""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from models.placements import UPPER_GRADES
from models.schools import SECONDARY_LEVELS, Level

PREFERENCE_WEIGHT = {1: 10, 2: 8, 3: 6, 4: 4, 5: 2}  # per hour, by rank
REGION_WEIGHT = 1  # per hour at an institution in one of the student's regions (not ranked)
HOUR_SCALE = 10
INSTITUTION_COST = 400  # one more institution for a student costs about 20 hours moved from 1st to 3rd
TIE_RANGE = 10  # the fair tie-break: 0..9 on each (student, institution) pair used
UNPLACED_COST = 10_000_000
UPPER_SHORT_COST = 100_000  # per missing hour in grades 2-3
FALLBACK = 4  # institutions outside the preferences and regions considered per course and semester
NEARBY = 3  # institutions in the student's regions (not ranked) considered per course and semester
SEED = "stagebot-matching"
STAGE2_FALLBACK = 3 * FALLBACK  # stage 2 is small: it can look wider
STAGE1_SHARE = 0.7  # of the time limit, for the first stage
GAP_LIMIT = 0.001  # stop once proven within 0.1 % of the preference score the best case would give


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{SEED}:{text}".encode()).digest()[:8], "big")


def _mix(a: int, b: int) -> int:
    """A 64-bit mix (splitmix64's finaliser) of two hashes: cheap enough to call per option."""
    z = (a ^ b) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def pair_hash(student_key: str, school_key: str) -> int:
    """A reproducible pseudo-random number per (student, institution), from stable ids only."""
    return _mix(_hash64(f"student:{student_key}"), _hash64(f"school:{school_key}"))


def tie(student_key: str, school_key: str) -> int:
    """A fair, reproducible tie-break per (student, institution): independent of names and import order."""
    return pair_hash(student_key, school_key) % TIE_RANGE


def order_key(student_key: str) -> bytes:
    return hashlib.sha256(f"{SEED}:order:{student_key}".encode()).digest()


# --- the instance -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """The open activities of one course of one student: placed together, at one place, in one semester."""

    course_code: str
    activities: tuple[str, ...]
    hours: int
    subject: str  # the school subject for a subject didactics course, "" otherwise
    semesters: tuple[int, ...]


@dataclass(frozen=True)
class HeldHours:
    institution_id: int
    hours: int
    upper: bool
    alternative: bool


@dataclass(frozen=True)
class StudentNeed:
    id: int
    key: str  # stable across imports (the Slack id)
    name: str
    units: tuple[Unit, ...]
    ranked: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()
    avoid: frozenset[int] = frozenset()
    alternatives_ok: bool = False
    levels: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()
    held: tuple[HeldHours, ...] = ()


@dataclass(frozen=True)
class School:
    id: int
    code: str
    name: str
    city: str
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offer:
    """Places an institution declared for one subject, semester and activity (already net of placements)."""

    institution_id: int
    subject: str
    semester: int
    activity: str
    places: int
    levels: tuple[str, ...]
    grades: tuple[int, ...] = ()

    @property
    def key(self) -> tuple[int, str, int, str]:
        return (self.institution_id, fold(self.subject), self.semester, self.activity)


@dataclass
class Instance:
    students: list[StudentNeed]
    schools: dict[int, School]
    offers: list[Offer]
    excluded: frozenset[int] = frozenset()


# --- the result ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """Where one unit goes, and which preference that meets (rank None: not among the student's choices)."""

    unit: Unit
    institution_id: int
    semester: int
    level: str
    grade: int | None
    rank: int | None
    region: bool


@dataclass(frozen=True)
class WhyNot:
    """Why a better-ranked institution was not chosen: a message key and its parameters."""

    institution_id: int
    rank: int
    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Conflict:
    """A group that could not be served: message key and parameters (e.g. demand and places)."""

    key: str
    params: dict[str, str]


@dataclass
class Result:
    choices: dict[int, list[Choice]]
    unplaced: dict[int, list[Unit]]
    why_not: dict[int, list[WhyNot]]
    conflicts: list[Conflict]
    seconds: float
    optimal: bool
    objective: int = 0

    @property
    def complete(self) -> bool:
        return not any(self.unplaced.values())


def main_rank(choices: Sequence[Choice]) -> int | None:
    """The preference a student's proposal meets: the rank of the institution with most of their hours."""
    hours: dict[int, int] = defaultdict(int)
    ranks: dict[int, int | None] = {}
    for c in choices:
        hours[c.institution_id] += c.unit.hours
        ranks[c.institution_id] = c.rank
    if not hours:
        return None
    best = max(hours, key=lambda i: (hours[i], -(ranks[i] or 99)))
    return ranks[best]


@dataclass(frozen=True)
class Quality:
    students: int
    first: int
    top3: int
    unplaced_units: int
    institutions_per_student: float


def quality(
    students: Sequence[StudentNeed], choices: dict[int, list[Choice]], unplaced: dict[int, list[Unit]]
) -> Quality:
    with_units = [s for s in students if s.units]
    ranks = [main_rank(choices.get(s.id, [])) for s in with_units]
    schools = [len({c.institution_id for c in choices.get(s.id, [])}) for s in with_units]
    return Quality(
        students=len(with_units),
        first=sum(1 for r in ranks if r == 1),
        top3=sum(1 for r in ranks if r is not None and r <= 3),
        unplaced_units=sum(len(u) for u in unplaced.values()),
        institutions_per_student=(sum(schools) / len(schools)) if schools else 0.0,
    )


# --- options: where a unit may go ------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    student: int
    unit_index: int
    institution_id: int
    semester: int
    level: str
    grade: int | None
    offer_keys: tuple[tuple[int, str, int, str], ...]
    rank: int | None
    region: bool

    @property
    def upper(self) -> bool:
        return self.level in SECONDARY_LEVELS and self.grade in UPPER_GRADES

    @property
    def alternative(self) -> bool:
        return self.level == Level.ALTERNATIVE


def pick_level(
    offers: Sequence[Offer], school: School, student: StudentNeed
) -> tuple[str, int | None] | None:
    """One level and grade every activity's offer allows (an upper grade when possible: it only helps the
    12-hour rule), following the student's stated levels and grades where they leave a choice."""
    levels = set(offers[0].levels)
    for offer in offers[1:]:
        levels &= set(offer.levels)
    if school.levels:
        levels &= set(school.levels)
    if not student.alternatives_ok:
        levels.discard(Level.ALTERNATIVE.value)
    if not levels:
        return None
    grades: set[int] | None = None
    for offer in offers:
        if offer.grades:
            grades = set(offer.grades) if grades is None else grades & set(offer.grades)
    liked = set(student.levels)
    order = [lv.value for lv in Level]

    def level_rank(level: str) -> tuple[int, int, int]:
        secondary = level in SECONDARY_LEVELS
        upper_possible = secondary and bool((grades or set()) & UPPER_GRADES)
        return (0 if upper_possible else 1, 0 if level in liked else 1, order.index(level))

    for level in sorted(levels, key=level_rank):
        if level in SECONDARY_LEVELS:
            if not grades:
                continue
            wanted = sorted(grades, key=lambda g: (g not in UPPER_GRADES, g not in student.grades, g))
            return level, wanted[0]
        return level, None
    return None


def build_options(
    instance: Instance, fallback: int = FALLBACK
) -> tuple[dict[int, list[list[Option]]], dict[tuple[int, str, int, str], Offer]]:
    """Per student, per unit: the options worth a variable (preferences, regions and a fair fallback).

    The fallback is the FALLBACK institutions that follow the student's own point on a hash ring of the
    institutions (both from stable ids): no institution is everybody's fallback, no student is favoured,
    and a student's fallbacks for different courses overlap (which helps keeping them at one place).
    Hosts and levels are computed once per kind of unit and kind of student: this runs for every student
    of the cohort."""
    offers = {o.key: o for o in instance.offers if o.places > 0}
    by_unit_key: dict[tuple[str, int, str], set[int]] = defaultdict(set)
    for inst, subject, semester, activity in offers:
        by_unit_key[(subject, semester, activity)].add(inst)
    region_schools: dict[str, set[int]] = defaultdict(set)
    for school in instance.schools.values():
        region_schools[fold(school.city)].add(school.id)
    school_hash = {i: _hash64(f"school:{s.code}") for i, s in instance.schools.items()}
    school_region = {i: fold(s.city) for i, s in instance.schools.items()}
    hosts_of: dict[tuple[str, int, tuple[str, ...]], tuple[set[int], list[int], list[int]]] = {}
    level_of: dict[tuple[object, ...], tuple[str, int | None] | None] = {}
    blocked = instance.excluded
    result: dict[int, list[list[Option]]] = {}
    for student in instance.students:
        rank_of = {inst: r for r, inst in enumerate(student.ranked, start=1)}
        regions = {fold(r) for r in student.regions if r.strip()}
        ranked = set(rank_of)
        near = {i for r in regions for i in region_schools.get(r, ())}
        start = _hash64(f"student:{student.key}")
        profile = (student.alternatives_ok, student.levels, student.grades)
        per_unit: list[list[Option]] = []
        for index, unit in enumerate(student.units):
            options: list[Option] = []
            subject = fold(unit.subject)
            for semester in unit.semesters:
                signature = (subject, semester, unit.activities)
                if signature not in hosts_of:
                    common = set(by_unit_key.get((subject, semester, unit.activities[0]), ()))
                    for activity in unit.activities[1:]:
                        common &= by_unit_key.get((subject, semester, activity), set())
                    ring = sorted(common, key=lambda i: school_hash[i])
                    hosts_of[signature] = (common, ring, [school_hash[i] for i in ring])
                hosts, ring, ring_hashes = hosts_of[signature]
                preferred = [i for i in ranked & hosts if i not in student.avoid and i not in blocked]
                nearby: list[int] = []
                others: list[int] = []
                # the fallback: the next institutions on a hash ring from the student's own point
                at = bisect.bisect_left(ring_hashes, start)
                for step in range(len(ring)):
                    i = ring[(at + step) % len(ring)]
                    if i in ranked or i in student.avoid or i in blocked:
                        continue
                    if i in near:
                        if len(nearby) < NEARBY:
                            nearby.append(i)
                    elif len(others) < fallback:
                        others.append(i)
                    if len(nearby) == NEARBY and len(others) == fallback:
                        break
                preferred += nearby
                for inst in sorted(preferred + others, key=lambda i: instance.schools[i].code):
                    keys = tuple((inst, subject, semester, a) for a in unit.activities)
                    cache_key = (keys, *profile)
                    if cache_key not in level_of:
                        unit_offers = [offers[k] for k in keys]
                        level_of[cache_key] = pick_level(unit_offers, instance.schools[inst], student)
                    picked = level_of[cache_key]
                    if picked is None:
                        continue
                    options.append(
                        Option(student.id, index, inst, semester, picked[0], picked[1], keys,
                               rank_of.get(inst), school_region[inst] in regions)
                    )  # fmt: skip
            per_unit.append(options)
        result[student.id] = per_unit
    return result, offers


def option_score(option: Option | Choice, hours: int) -> int:
    if option.rank is not None:
        return hours * PREFERENCE_WEIGHT.get(option.rank, 1) * HOUR_SCALE
    return hours * (REGION_WEIGHT if option.region else 0) * HOUR_SCALE
