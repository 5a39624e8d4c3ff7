"""Agreements (step 5): what covers a student, the contract modal, the coordinator's overview and the
messages that start and track a framework agreement."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.i18n import Translator
from bot.views.blocks import (
    Block,
    actions,
    button,
    context,
    datepicker,
    divider,
    header,
    input_block,
    mention,
    section,
)
from bot.views.placements import modal, school_name
from models.agreements import (
    PARTIES,
    Coverage,
    DigitalContract,
    FrameworkAgreement,
    FrameworkEvent,
    Uncovered,
    contract_unsigned_parties,
    framework_signed,
)
from models.schools import Institution

CONTRACT_CALLBACK = "agreement_contract"
CONTRACT_ACTION = "agreement_contract_open"
START_ACTION = "agreement_framework_start"
TRACK_ACTION = "agreement_framework_track"
START, END = "start", "end"
FRAMEWORK_BLOCK = "framework"


def _validity(t: Translator, first: date, last: date | None) -> str:
    if last is None:
        return t("agreements.valid_from", start=t.date(first, "medium"))
    return t("agreements.valid_between", start=t.date(first, "medium"), end=t.date(last, "medium"))


def party_name(t: Translator, party: str) -> str:
    return t(f"agreements.party.{party}")


def framework_line(t: Translator, agreement: FrameworkAgreement) -> str:
    if framework_signed(agreement):
        return t(
            "agreements.framework.signed", validity=_validity(t, agreement.valid_from, agreement.valid_until)
        )
    done = []
    if agreement.sent_on:
        done.append(t("agreements.framework.sent_on", date=t.date(agreement.sent_on, "medium")))
    if agreement.school_signed_on:
        done.append(t("agreements.framework.school_on", date=t.date(agreement.school_signed_on, "medium")))
    if agreement.university_signed_on:
        done.append(
            t("agreements.framework.university_on", date=t.date(agreement.university_signed_on, "medium"))
        )
    return t("agreements.framework.in_progress", done=", ".join(done) or t("agreements.framework.drafted"))


def contract_line(t: Translator, contract: DigitalContract) -> str:
    unsigned = contract_unsigned_parties(contract)
    state = (
        t("agreements.contract.signed_all")
        if not unsigned
        else t("agreements.contract.unsigned", parties=", ".join(party_name(t, p) for p in unsigned))
    )
    return t(
        "agreements.contract.line",
        validity=_validity(t, contract.start, contract.end),
        state=state,
    )


def coverage_lines(t: Translator, cover: Coverage, institution: Institution | None) -> list[str]:
    lines = [f"*{school_name(institution)}*"]
    if cover.covered:
        lines.append(
            "✅ "
            + (
                framework_line(t, cover.framework)
                if cover.framework
                else contract_line(t, cover.contract)
                if cover.contract
                else ""
            )
        )
        return lines
    lines.append(
        "⚠️ " + t("agreements.missing", start=t.date(cover.start, "medium"), end=t.date(cover.end, "medium"))
    )
    if cover.contract is not None:
        lines.append(contract_line(t, cover.contract))
    if cover.pending_framework is not None:
        lines.append(framework_line(t, cover.pending_framework))
    return lines


def student_agreements(t: Translator, covers: list[tuple[Coverage, Institution | None]]) -> list[Block]:
    """`/stage agreement`: per school, what covers the student, or what is missing and what to do."""
    if not covers:
        return [section(t("agreements.none"))]
    blocks: list[Block] = [header(t("agreements.header"))]
    for cover, institution in covers[:20]:
        accessory = (
            button(t("agreements.contract.record"), CONTRACT_ACTION, str(cover.institution_id))
            if not cover.covered and may_record_contract(institution, cover)
            else None
        )
        blocks.append(section("\n".join(coverage_lines(t, cover, institution)), accessory=accessory))
    if not all(c.covered for c, _ in covers):
        blocks.append(context(t("agreements.what_to_do")))
    return blocks


def contract_modal(
    t: Translator, institution: Institution, contract: DigitalContract | None, start: date, end: date
) -> dict[str, Any]:
    blocks: list[Block] = [
        section(t("agreements.contract.intro", school=school_name(institution))),
        input_block(
            START, t("agreements.contract.start"), datepicker(START, contract.start if contract else start)
        ),
        input_block(END, t("agreements.contract.end"), datepicker(END, contract.end if contract else end)),
    ]
    for party in PARTIES:
        signed = getattr(contract, f"{party}_signed_on") if contract else None
        blocks.append(
            input_block(
                party,
                t("agreements.contract.signed_by", party=party_name(t, party)),
                datepicker(party, signed),
                optional=True,
            )
        )
    return modal(t, CONTRACT_CALLBACK, "agreements.contract.title", blocks, {"institution": institution.id})


def may_record_contract(institution: Institution | None, cover: Coverage | None = None) -> bool:
    """A digital contract exists only on lerarenstage.be: offered for a school that uses it (or to
    correct one already recorded)."""
    return (institution is not None and institution.uses_lerarenstage) or (
        cover is not None and cover.contract is not None
    )


def uncovered_for_student(t: Translator, institution: Institution, pending: bool) -> list[Block]:
    platform = may_record_contract(institution)
    if pending:
        key = "agreements.dm.student_pending"
    else:
        key = "agreements.dm.student_missing" if platform else "agreements.dm.student_missing_no_platform"
    blocks = [section(t(key, school=school_name(institution)))]
    if platform:
        blocks.append(actions(button(t("agreements.contract.record"), CONTRACT_ACTION, str(institution.id))))
    return blocks


def start_request(t: Translator, institution: Institution, student_slack_ids: list[str]) -> list[Block]:
    """The coordinator's DM when a school accepted but no agreement covers it."""
    who = ", ".join(mention(s) for s in student_slack_ids)
    return [
        section(t("agreements.dm.coordinator", school=school_name(institution), students=who)),
        actions(
            button(t("agreements.framework.start"), START_ACTION, str(institution.id), style="primary"),
            block_id=FRAMEWORK_BLOCK,
        ),
    ]


def tracking(t: Translator, institution: Institution, agreement: FrameworkAgreement) -> list[Block]:
    """The framework agreement as it goes round, with a button for each step still to come."""
    blocks: list[Block] = [
        section(
            t("agreements.framework.tracking", school=school_name(institution))
            + "\n"
            + framework_line(t, agreement)
        )
    ]
    steps = [
        (FrameworkEvent.SENT, agreement.sent_on, "agreements.framework.mark_sent"),
        (FrameworkEvent.SCHOOL_SIGNED, agreement.school_signed_on, "agreements.framework.mark_school"),
        (
            FrameworkEvent.UNIVERSITY_SIGNED,
            agreement.university_signed_on,
            "agreements.framework.mark_university",
        ),
    ]
    buttons = [
        button(t(key), TRACK_ACTION + "_" + event.value, f"{agreement.id}:{event.value}")
        for event, done, key in steps
        if done is None
    ]
    if buttons:
        blocks.append(actions(*buttons, block_id=FRAMEWORK_BLOCK))
    else:
        blocks.append(context(t("agreements.framework.complete")))
    return blocks


def coordinator_overview(
    t: Translator, rows: list[Uncovered], schools: dict[int, Institution], students: dict[int, str]
) -> list[Block]:
    """`/stage agreements`: institutions without a valid agreement and the students waiting on them."""
    if not rows:
        return [section(t("agreements.overview.none"))]
    blocks: list[Block] = [header(t("agreements.overview.header", count=len(rows)))]
    for row in rows[:40]:
        institution = schools.get(row.institution_id)
        who = ", ".join(mention(students[s]) for s in row.student_ids if s in students)
        text = f"*{school_name(institution)}*\n" + t("agreements.overview.waiting", students=who)
        if row.pending_framework is not None:
            text += "\n" + framework_line(t, row.pending_framework)
            accessory = None
        else:
            accessory = button(t("agreements.framework.start"), START_ACTION, str(row.institution_id))
        blocks.append(section(text, accessory=accessory))
    if len(rows) > 40:
        blocks.append(context(t("agreements.overview.more", count=len(rows) - 40)))
    blocks.append(divider())
    blocks.append(context(t("agreements.overview.footer")))
    return blocks
