"""Matching suggestions (step 3): a proposed placement for every open activity of a group of students.

An ``Instance`` is plain data (students with their open courses, preferences and what they already hold;
institutions with the places they declared), so the solver can be tested and benchmarked without a
database; ``load_instance`` builds one from the database.

Solver: OR-Tools CP-SAT. The model is a 0/1 assignment with side constraints (hours in grades 2-3, hours
in alternative settings, "kept together" indicators); CP-SAT proves optimality on instances of this
size in seconds on two cores, needs no commercial licence, and ships as one wheel.

Hard constraints: declared places; levels and grades the institution offers for that activity; no former
school or declared conflict; every open course placed once, all its open activities at one institution
in one semester (the student's chosen semester when they gave one); at least 12 hours in grades 2-3;
at most 10 hours in an alternative setting (only for students who asked for one); active placements kept
(they hold their places). The "placed once" and "12 hours" constraints are elastic with a prohibitive
cost: when no complete solution exists, the optimum still places everyone it can and the slack names the
conflicting groups ("Wiskunde, semester 2, guided: 14 students, 9 places").

Objective: hours at the student's ranked preferences (1st best), then fewer institutions per student,
then the student's regions. Ties are broken by a hash of stable ids (Slack id, school code), never by
name or import order; the model is built in that hashed order too.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from models.catalogue import ActivityKind, Catalogue
from models.placements import ALTERNATIVE_MAX_HOURS, UPPER_GRADE_HOURS, UPPER_GRADES, Slot
from models.schools import SECONDARY_LEVELS, Level

PREFERENCE_WEIGHT = {1: 10, 2: 8, 3: 6, 4: 4, 5: 2}  # per hour, by rank
REGION_WEIGHT = 1  # per hour at an institution in one of the student's regions (not ranked)
HOUR_SCALE = 10
INSTITUTION_COST = 400  # one more institution for a student costs about 20 hours moved from 1st to 3rd
TIE_RANGE = 10  # the fair tie-break: 0..9 on each (student, institution) pair used
UNPLACED_COST = 10_000_000
UPPER_SHORT_COST = 100_000  # per missing hour in grades 2-3
FALLBACK = 10  # institutions beyond the preferences and regions considered per course
SEED = "stagebot-matching"


def fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def tie(student_key: str, school_key: str) -> int:
    """A fair, reproducible tie-break per (student, institution): independent of names and import order."""
    digest = hashlib.sha256(f"{SEED}:{student_key}:{school_key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % TIE_RANGE


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
    instance: Instance,
) -> tuple[dict[int, list[list[Option]]], dict[tuple[int, str, int, str], Offer]]:
    """Per student, per unit: the options worth a variable (preferences, regions and a fair fallback)."""
    offers = {o.key: o for o in instance.offers if o.places > 0}
    by_unit_key: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for inst, subject, semester, activity in offers:
        by_unit_key[(subject, semester, activity)].append(inst)
    region_schools: dict[str, list[int]] = defaultdict(list)
    for school in instance.schools.values():
        region_schools[fold(school.city)].append(school.id)
    result: dict[int, list[list[Option]]] = {}
    for student in instance.students:
        rank_of = {inst: r for r, inst in enumerate(student.ranked, start=1)}
        regions = {fold(r) for r in student.regions if r.strip()}
        near = {i for r in regions for i in region_schools.get(r, [])}
        per_unit: list[list[Option]] = []
        for index, unit in enumerate(student.units):
            options: list[Option] = []
            subject = fold(unit.subject)
            for semester in unit.semesters:
                keys = [(subject, semester, a) for a in unit.activities]
                hosts = set(by_unit_key.get(keys[0], []))
                for key in keys[1:]:
                    hosts &= set(by_unit_key.get(key, []))
                hosts -= student.avoid | instance.excluded
                preferred = [i for i in hosts if i in rank_of or i in near]
                others = sorted(
                    (i for i in hosts if i not in rank_of and i not in near),
                    key=lambda i: (tie(student.key, instance.schools[i].code), instance.schools[i].code),
                )
                chosen = preferred + (others if len(others) <= 2 * FALLBACK else others[:FALLBACK])
                for inst in sorted(chosen, key=lambda i: instance.schools[i].code):
                    school = instance.schools[inst]
                    unit_offers = [offers[(inst, *k)] for k in keys]
                    picked = pick_level(unit_offers, school, student)
                    if picked is None:
                        continue
                    options.append(
                        Option(
                            student.id, index, inst, semester, picked[0], picked[1],
                            tuple((inst, *k) for k in keys), rank_of.get(inst),
                            fold(school.city) in regions,
                        )
                    )  # fmt: skip
            per_unit.append(options)
        result[student.id] = per_unit
    return result, offers


def option_score(option: Option, hours: int) -> int:
    if option.rank is not None:
        return hours * PREFERENCE_WEIGHT.get(option.rank, 1) * HOUR_SCALE
    return hours * (REGION_WEIGHT if option.region else 0) * HOUR_SCALE


# --- solving ------------------------------------------------------------------------------------------------


def solve(instance: Instance, *, time_limit: float = 30.0, workers: int = 2) -> Result:
    """The best proposal CP-SAT finds within ``time_limit`` (optimal on the sizes of a real cohort)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    students = sorted(instance.students, key=lambda s: order_key(s.key))
    options, offers = build_options(instance)
    model = cp_model.CpModel()
    objective: list[tuple[object, int]] = []
    chosen_vars: list[tuple[object, Option]] = []
    unplaced_vars: dict[tuple[int, int], object] = {}
    use: dict[tuple[int, str, int, str], list[object]] = defaultdict(list)
    for student in students:
        held_schools = {h.institution_id for h in student.held}
        together: dict[int, object] = {}
        upper_terms: list[tuple[object, int]] = []
        alternative_terms: list[tuple[object, int]] = []
        for index, unit in enumerate(student.units):
            unit_vars = []
            for option in options[student.id][index]:
                var = model.NewBoolVar("")
                unit_vars.append(var)
                chosen_vars.append((var, option))
                objective.append((var, option_score(option, unit.hours)))
                for key in option.offer_keys:
                    use[key].append(var)
                if option.upper:
                    upper_terms.append((var, unit.hours))
                if option.alternative:
                    alternative_terms.append((var, unit.hours))
                if option.institution_id not in held_schools:
                    if option.institution_id not in together:
                        together[option.institution_id] = model.NewBoolVar("")
                    model.AddImplication(var, together[option.institution_id])
            missing = model.NewBoolVar("")
            unplaced_vars[(student.id, index)] = missing
            model.Add(sum(unit_vars) + missing == 1)
            objective.append((missing, -UNPLACED_COST))
        for inst, var in together.items():
            code = instance.schools[inst].code
            objective.append((var, -(INSTITUTION_COST + tie(student.key, code))))
        if student.units:
            held_upper = sum(h.hours for h in student.held if h.upper)
            need = max(0, UPPER_GRADE_HOURS - held_upper)
            if need:
                short = model.NewIntVar(0, need, "")
                model.Add(sum(v * h for v, h in upper_terms) + short >= need)
                objective.append((short, -UPPER_SHORT_COST))
            held_alternative = sum(h.hours for h in student.held if h.alternative)
            if alternative_terms:
                room = max(0, ALTERNATIVE_MAX_HOURS - held_alternative)
                model.Add(sum(v * h for v, h in alternative_terms) <= room)
    for key, variables in use.items():
        if len(variables) > offers[key].places:
            model.Add(sum(variables) <= offers[key].places)
    model.Maximize(sum(v * w for v, w in objective if w))
    _hint(model, instance, students, chosen_vars, unplaced_vars)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7
    status = solver.Solve(model)
    if status not in (
        cp_model.OPTIMAL,
        cp_model.FEASIBLE,
    ):  # pragma: no cover - the elastic model is feasible
        raise RuntimeError(f"CP-SAT found no solution ({solver.StatusName(status)})")
    by_id = {s.id: s for s in students}
    choices: dict[int, list[Choice]] = defaultdict(list)
    for var, option in chosen_vars:
        if solver.BooleanValue(var):
            unit = by_id[option.student].units[option.unit_index]
            choices[option.student].append(
                Choice(unit, option.institution_id, option.semester, option.level, option.grade,
                       option.rank, option.region)
            )  # fmt: skip
    unplaced = {
        s.id: [u for i, u in enumerate(s.units) if solver.BooleanValue(unplaced_vars[(s.id, i)])]
        for s in students
    }
    used: dict[tuple[int, str, int, str], int] = defaultdict(int)
    for student_choices in choices.values():
        for c in student_choices:
            for a in c.unit.activities:
                used[(c.institution_id, fold(c.unit.subject), c.semester, a)] += 1
    result = Result(
        choices=dict(choices),
        unplaced={k: v for k, v in unplaced.items() if v},
        why_not={},
        conflicts=[],
        seconds=time.perf_counter() - started,
        optimal=status == cp_model.OPTIMAL,
        objective=int(solver.ObjectiveValue()),
    )
    result.why_not = {s.id: why_not(instance, s, choices.get(s.id, []), offers, used) for s in students}
    result.conflicts = explain(instance, students, result, offers, options)
    return result


def _hint(
    model: object,
    instance: Instance,
    students: list[StudentNeed],
    chosen_vars: list[tuple[object, Option]],
    unplaced_vars: dict[tuple[int, int], object],
) -> None:
    """Start CP-SAT from the first-come proposal (in the fair hashed order): it then only improves."""
    from models.matching_greedy import solve_greedy

    ordered = Instance(students, instance.schools, instance.offers, instance.excluded)
    greedy, missing, _ = solve_greedy(ordered)
    taken = {
        (sid, c.unit.course_code, c.institution_id, c.semester) for sid, cs in greedy.items() for c in cs
    }
    by_id = {s.id: s for s in students}
    for var, option in chosen_vars:
        code = by_id[option.student].units[option.unit_index].course_code
        model.AddHint(var, (option.student, code, option.institution_id, option.semester) in taken)  # type: ignore[attr-defined]
    gaps = {(sid, u.course_code) for sid, units in missing.items() for u in units}
    for (sid, index), var in unplaced_vars.items():
        model.AddHint(var, (sid, by_id[sid].units[index].course_code) in gaps)  # type: ignore[attr-defined]


# --- explanations ------------------------------------------------------------------------------------------


def why_not(
    instance: Instance,
    student: StudentNeed,
    chosen: Sequence[Choice],
    offers: dict[tuple[int, str, int, str], Offer],
    used: dict[tuple[int, str, int, str], int],
) -> list[WhyNot]:
    """For each preference ranked better than what the student got: the first reason it was not used."""
    best = min((c.rank for c in chosen if c.rank is not None), default=None)
    worst_needed = max((c.rank or 99 for c in chosen), default=99)
    found: list[WhyNot] = []
    for rank, inst in enumerate(student.ranked, start=1):
        if rank >= worst_needed or (best is not None and rank == best and worst_needed == best):
            break
        if any(c.institution_id == inst for c in chosen) and all(c.institution_id == inst for c in chosen):
            continue
        if inst in instance.excluded:
            found.append(WhyNot(inst, rank, "matching.why.excluded"))
        elif inst in student.avoid:
            found.append(WhyNot(inst, rank, "matching.why.avoid"))
        elif not any(o.institution_id == inst for o in offers.values()):
            found.append(WhyNot(inst, rank, "matching.why.no_capacity"))
        else:
            found.append(_unit_reason(instance, student, chosen, inst, rank, offers, used))
    return found


def _unit_reason(
    instance: Instance,
    student: StudentNeed,
    chosen: Sequence[Choice],
    inst: int,
    rank: int,
    offers: dict[tuple[int, str, int, str], Offer],
    used: dict[tuple[int, str, int, str], int],
) -> WhyNot:
    for choice in chosen:
        if choice.institution_id == inst or (choice.rank is not None and choice.rank <= rank):
            continue
        unit = choice.unit
        for semester in unit.semesters:
            keys = [(inst, fold(unit.subject), semester, a) for a in unit.activities]
            missing = [k for k in keys if k not in offers]
            if missing:
                continue
            full = [k for k in keys if used.get(k, 0) >= offers[k].places]
            if full:
                k = full[0]
                return WhyNot(inst, rank, "matching.why.full", {
                    "course": unit.course_code, "activity": k[3], "semester": str(semester),
                    "places": str(offers[k].places),
                })  # fmt: skip
            if pick_level([offers[k] for k in keys], instance.schools[inst], student) is None:
                return WhyNot(inst, rank, "matching.why.levels", {"course": unit.course_code})
            return WhyNot(inst, rank, "matching.why.together", {"course": unit.course_code})
        return WhyNot(inst, rank, "matching.why.not_offered", {
            "course": unit.course_code, "subject": unit.subject,
            "semesters": ", ".join(map(str, unit.semesters)),
        })  # fmt: skip
    return WhyNot(inst, rank, "matching.why.together", {"course": ""})


def explain(
    instance: Instance,
    students: Sequence[StudentNeed],
    result: Result,
    offers: dict[tuple[int, str, int, str], Offer],
    options: dict[int, list[list[Option]]],
) -> list[Conflict]:
    """Name the groups the elastic constraints had to give way for, with their numbers.

    Capacity: per (subject, semester, activity), the students who needed it against the places declared
    (net of placements kept). A student with no allowed institution at all for a course is named apart,
    as is a student who cannot reach the hours in grades 2-3."""
    conflicts: list[Conflict] = []
    places: dict[tuple[str, int, str], int] = defaultdict(int)
    for offer in offers.values():
        places[(fold(offer.subject), offer.semester, offer.activity)] += offer.places
    Group = tuple[str, tuple[int, ...], str]
    demand: dict[Group, set[int]] = defaultdict(set)
    labels: dict[str, str] = {}
    for student in students:
        for unit in student.units:
            labels[fold(unit.subject)] = unit.subject
            for activity in unit.activities:
                demand[(fold(unit.subject), unit.semesters, activity)].add(student.id)
    short: dict[Group, set[int]] = defaultdict(set)
    by_id = {s.id: s for s in students}
    for student_id, units in sorted(result.unplaced.items(), key=lambda kv: (by_id[kv[0]].name, kv[0])):
        student = by_id[student_id]
        for unit in units:
            if not options[student_id][student.units.index(unit)]:
                conflicts.append(Conflict("matching.conflict.no_option", {
                    "student": student.name, "course": unit.course_code, "subject": unit.subject,
                    "semesters": ", ".join(map(str, unit.semesters)),
                }))  # fmt: skip
                continue
            for activity in unit.activities:
                short[(fold(unit.subject), unit.semesters, activity)].add(student_id)
    for group in sorted(short):
        wanted = len(demand[group])
        available = sum(places.get((group[0], semester, group[2]), 0) for semester in group[1])
        params = {
            "subject": labels.get(group[0], group[0]), "semester": ", ".join(map(str, group[1])),
            "activity": group[2], "students": str(wanted), "places": str(available),
            "unplaced": str(len(short[group])),
        }  # fmt: skip
        key = "matching.conflict.capacity" if wanted > available else "matching.conflict.fit"
        conflicts.append(Conflict(key, params))
    for student in students:
        reached = sum(h.hours for h in student.held if h.upper) + sum(
            c.unit.hours for c in result.choices.get(student.id, []) if _upper(c)
        )
        if student.units and student.id not in result.unplaced and reached < UPPER_GRADE_HOURS:
            conflicts.append(Conflict("matching.conflict.upper_grades", {
                "student": student.name, "hours": str(reached), "min": str(UPPER_GRADE_HOURS),
            }))  # fmt: skip
    return conflicts


def _upper(choice: Choice) -> bool:
    return choice.level in SECONDARY_LEVELS and choice.grade in UPPER_GRADES


def units_of(
    catalogue: Catalogue,
    subject_x: str,
    subject_y: str,
    open_slots: Sequence[Slot],
    *,
    tutoring_semester: int | None = None,
    professional_semester: int | None = None,
) -> tuple[Unit, ...]:
    """The student's open activities grouped per course, with the semesters the course may take place in
    (the one the student chose for the tutoring internship and professional teaching, when they did)."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for slot in open_slots:
        wanted[slot.course_code].append(slot.kind)
    units = []
    for course in catalogue.courses:
        if course.code not in wanted:
            continue
        kinds = {a.kind.value for a in course.activities}
        chosen = None
        if ActivityKind.TUTORING.value in kinds:
            chosen = tutoring_semester
        elif ActivityKind.WORKPLACE_TASK.value in kinds or ActivityKind.INDEPENDENT.value in kinds:
            chosen = professional_semester
        semesters = (chosen,) if chosen in course.semesters else course.semesters
        subject = {"X": subject_x, "Y": subject_y}.get(course.subject or "", "")
        activities = tuple(a.kind.value for a in course.activities if a.kind.value in wanted[course.code])
        hours = sum(a.hours for a in course.activities if a.kind.value in activities)
        units.append(Unit(course.code, activities, hours, subject, tuple(semesters)))
    return tuple(units)
