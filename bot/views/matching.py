"""The matching proposal as a reviewable DM: per student where each course goes, which preference that
meets and why not a better one; buttons to accept all, accept one student, or exclude an institution.

Pages of STUDENTS_PER_PAGE students (two blocks each) keep a message well under Slack's 50 blocks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context, escape, section
from bot.views.placements import activity_name, course_name, level_name, school_name
from models.capacity import InstitutionCapacity
from models.catalogue import Catalogue
from models.matching_runs import MatchProposal, MatchRun, ProposalStatus
from models.people import Person, Student
from models.schools import Institution

ACCEPT_ALL = "match_accept_all"
ACCEPT_ONE = "match_accept_one"
EXCLUDE = "match_exclude"
PAGE = "match_page"  # + "_previous" / "_next" (a message sent before had one "match_page" button)
STUDENTS_PER_PAGE = 20
MAX_EXCLUDE_BUTTONS = 4
SHOWN_CONFLICTS = 15  # the first conflicts, then how many more: a few to solve first is what helps
# A page is at most 45 blocks (intro, conflicts, 'accept all', two a student, the paging): room for a notice.


def conflict_line(t: Translator, conflict: dict[str, object]) -> str:
    params = {k: escape(str(v)) for k, v in dict(conflict["params"]).items()}  # type: ignore[call-overload]
    for key in ("activity", "with"):
        if key in params:
            params[key] = activity_name(t, params[key])
    if conflict["key"] == "matching.conflict.fit":  # a run stored before the reasons were named: the old ones
        reasons = params.get("reasons", "avoid;level").split(";")
        params["reasons"] = ", ".join(t(f"matching.reason.{r}") for r in reasons if r)
    return t(str(conflict["key"]), **params)


def preference_met(t: Translator, p: MatchProposal) -> str:
    if p.rank is not None:
        return t("matching.met.rank", rank=p.rank)
    return t("matching.met.region") if p.region else t("matching.met.none")


def proposal_line(
    t: Translator, catalogue: Catalogue, p: MatchProposal, school: Institution | None, student: Student | None
) -> str:
    where = (
        t("placements.line.grade", level=level_name(t, p.level), grade=p.grade)
        if p.grade
        else level_name(t, p.level)
    )
    line = t(
        "matching.line",
        course=escape(course_name(t, catalogue, p.course_code, student)),
        activities=", ".join(activity_name(t, a) for a in p.activities),
        semester=p.semester,
        school=school_name(school),
        level=where,
        met=preference_met(t, p),
    )
    if p.status == ProposalStatus.ACCEPTED:
        line += " · " + t("matching.accepted")
    elif p.status == ProposalStatus.REFUSED:
        line += " · " + t("matching.refused")
    return line


def why_lines(
    t: Translator, catalogue: Catalogue, p: MatchProposal, schools: dict[int, Institution]
) -> list[str]:
    lines = []
    for reason in p.why_not:
        params = {k: str(v) for k, v in reason.get("params", {}).items()}
        if params.get("course"):
            params["course"] = escape(course_name(t, catalogue, params["course"]))
        if "activity" in params:
            params["activity"] = activity_name(t, params["activity"])
        if "subject" in params:
            params["subject"] = escape(params["subject"])
        if params.get("places", "").isdigit():  # a count: the text takes its plural form
            params["count"] = params["places"]
        because = t(str(reason["key"]), **params)
        school = school_name(schools.get(int(reason["institution_id"])))
        lines.append(t("matching.why", rank=reason["rank"], school=school, because=because))
    return lines


def proposal_blocks(
    t: Translator,
    catalogue: Catalogue,
    run: MatchRun,
    proposals: Sequence[MatchProposal],
    people: dict[int, Person],
    students: dict[int, Student],
    schools: dict[int, Institution],
    offset: int = 0,
) -> list[Block]:
    by_student: dict[int, list[MatchProposal]] = defaultdict(list)
    for p in proposals:
        by_student[p.student_id].append(p)
    order = sorted(by_student, key=lambda sid: (people[sid].name.casefold(), sid))
    open_count = sum(1 for p in proposals if p.status == ProposalStatus.OPEN)
    intro = t.ngettext("matching.intro", len(order), students=len(order), seconds=f"{run.seconds or 0:.1f}")
    if run.optimal:
        intro += " " + t("matching.optimal")
    blocks: list[Block] = [section(intro)]
    if run.conflicts:
        lines = [f"• {conflict_line(t, c)}" for c in run.conflicts[:SHOWN_CONFLICTS]]
        if len(run.conflicts) > SHOWN_CONFLICTS:
            lines.append(t.ngettext("matching.conflicts.more", len(run.conflicts) - SHOWN_CONFLICTS))
        blocks.append(section(t("matching.conflicts") + "\n" + "\n".join(lines)))
    if open_count:
        blocks.append(
            actions(
                button(t("matching.accept_all", count=open_count), ACCEPT_ALL, str(run.id), style="primary")
            )
        )
    page = order[offset : offset + STUDENTS_PER_PAGE]
    for sid in page:
        items = by_student[sid]
        first = items[0]
        lines = [f"*{escape(people[sid].name)}*"]
        lines += [
            f"• {proposal_line(t, catalogue, p, schools.get(p.institution_id), students.get(sid))}"
            for p in items
        ]
        lines += [f"  _{w}_" for w in why_lines(t, catalogue, first, schools)]
        blocks.append(section("\n".join(lines)))
        buttons = []
        if any(p.status == ProposalStatus.OPEN for p in items):
            buttons.append(button(t("matching.accept_one"), ACCEPT_ONE, f"{run.id}:{sid}", style="primary"))
        used = sorted({p.institution_id for p in items if p.status == ProposalStatus.OPEN})
        for inst in used[:MAX_EXCLUDE_BUTTONS]:
            school = schools.get(inst)
            label = t("matching.exclude", school=school.code if school else str(inst))
            buttons.append(button(label, EXCLUDE, f"{run.id}:{inst}"))
        if buttons:
            blocks.append(actions(*buttons, block_id=f"match_{run.id}_{sid}"))
    nav = []
    if offset > 0:  # action ids are unique within a block (Slack refuses the message otherwise)
        previous = f"{run.id}:{max(0, offset - STUDENTS_PER_PAGE)}"
        nav.append(button(t("matching.previous"), f"{PAGE}_previous", previous))
    if offset + STUDENTS_PER_PAGE < len(order):
        nav.append(button(t("matching.next"), f"{PAGE}_next", f"{run.id}:{offset + STUDENTS_PER_PAGE}"))
    if nav:
        blocks.append(actions(*nav))
        blocks.append(
            context(t("matching.page", first=offset + 1, last=offset + len(page), total=len(order)))
        )
    return blocks


def capacity_overview(
    t: Translator, rows: list[InstitutionCapacity], codes: dict[int | None, str]
) -> list[Block]:
    """What the schools declared, one line each (the first 60), under the command's usage."""
    lines = [
        t.ngettext(
            "capacity.command.line",
            r.places,
            school=codes.get(r.institution_id, "?"),
            semester=r.semester,
            activity=r.activity,
            subject=escape(r.subject) or "—",
            places=r.places,
        )
        for r in sorted(
            rows, key=lambda r: (codes.get(r.institution_id, ""), r.semester, r.activity, r.subject)
        )
    ]
    blocks: list[Block] = [section(t("capacity.command.usage"))]
    if lines:
        for start in range(0, min(len(lines), 60), 20):
            blocks.append(section("\n".join(lines[start : start + 20])))
        if len(lines) > 60:
            blocks.append(context(t("capacity.command.more", count=len(lines) - 60)))
    else:
        blocks.append(section(t("capacity.command.none")))
    return blocks
