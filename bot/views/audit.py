"""The audit log in words, in the reader's language: what happened, to what, and the facts that go with
it (a coordinator's override reason, a reason for sending back, a late planning...).

The log stores stable keys (`placement.created`, `placement:2`); this module turns a page of entries into
lines with a fixed number of queries (one per kind of record named), so a long log stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from bot.i18n import Translator
from bot.views.blocks import escape, mention
from bot.views.placements import course_name, school_name
from models.agreements import DigitalContract, FrameworkAgreement
from models.audit import AuditEntry
from models.catalogue import Catalogue
from models.documents import Document, DocumentConfig, DocumentDecision
from models.intake import IntakeBooking, IntakeSlot
from models.placements import Placement
from models.planning import PlanningVersion
from models.schools import Institution

MAX_REASON = 300  # characters of a free-text reason shown in one line


def action_text(t: Translator, action: str) -> str:
    """The event in words (`audit.action.<action>`); a key no catalogue knows is shown as stored."""
    key = "audit.action." + action.replace(".", "_")
    try:
        return t(key)
    except KeyError:
        return escape(action)


def _ids(entries: Iterable[AuditEntry], kind: str) -> list[int]:
    found = set()
    for entry in entries:
        prefix, _, number = entry.subject.partition(":")
        if prefix == kind and number.isdigit():
            found.add(int(number))
    return sorted(found)


def _load(session: Session, model: Any, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(ids)))}


class Subjects:
    """The records a page of entries names, loaded once, each described in words."""

    def __init__(
        self,
        session: Session,
        t: Translator,
        catalogue: Catalogue,
        documents: DocumentConfig,
        entries: list[AuditEntry],
    ) -> None:
        self.t, self.catalogue, self.documents = t, catalogue, documents
        self.placements: dict[int, Placement] = _load(session, Placement, _ids(entries, "placement"))
        self.plannings: dict[int, PlanningVersion] = _load(
            session, PlanningVersion, _ids(entries, "planning")
        )
        doc_ids = _ids(entries, "document")
        self.docs: dict[int, Document] = _load(session, Document, doc_ids)
        self.decisions: dict[int, str] = (
            {
                d.document_id: d.reason
                for d in session.exec(
                    select(DocumentDecision).where(col(DocumentDecision.document_id).in_(doc_ids))
                )
                if d.reason
            }
            if doc_ids
            else {}
        )
        self.bookings: dict[int, IntakeBooking] = _load(
            session, IntakeBooking, _ids(entries, "intake_booking")
        )
        slot_ids = _ids(entries, "intake_slot") + [b.slot_id for b in self.bookings.values()]
        self.slots: dict[int, IntakeSlot] = _load(session, IntakeSlot, sorted(set(slot_ids)))
        self.contracts: dict[int, DigitalContract] = _load(
            session, DigitalContract, _ids(entries, "contract")
        )
        self.frameworks: dict[int, FrameworkAgreement] = _load(
            session, FrameworkAgreement, _ids(entries, "framework")
        )
        more = {v.placement_id for v in self.plannings.values()} - set(self.placements)
        self.placements |= _load(session, Placement, sorted(more))
        school_ids = (
            _ids(entries, "institution")
            + [p.institution_id for p in self.placements.values()]
            + [c.institution_id for c in self.contracts.values()]
            + [f.institution_id for f in self.frameworks.values()]
        )
        self.schools: dict[int, Institution] = _load(session, Institution, sorted(set(school_ids)))

    def describe(self, subject: str) -> str:
        """The record in words; empty when the entry names none."""
        if not subject:
            return ""
        kind, _, number = subject.partition(":")
        describe = self._describers().get(kind)
        found = describe(int(number)) if describe is not None and number.isdigit() else None
        return found if found is not None else self.t("audit.subject.unknown", subject=escape(subject[:64]))

    def _describers(self) -> dict[str, Callable[[int], str | None]]:
        return {
            "placement": self._placement,
            "planning": self._planning,
            "document": self._document,
            "intake_slot": self._slot,
            "intake_booking": self._booking,
            "institution": self._school,
            "contract": self._contract,
            "framework": self._framework,
            "lio_application": lambda _: self.t("audit.subject.lio_application"),
            "lio_reduction": lambda _: self.t("audit.subject.lio_reduction"),
            "match_run": lambda _: self.t("audit.subject.match_run"),
        }

    def sent_back_reason(self, entry: AuditEntry) -> str | None:
        """A document sent back keeps its reason with the decision, not in the entry."""
        if entry.action != "document.rejected":
            return None
        _, _, number = entry.subject.partition(":")
        return self.decisions.get(int(number)) if number.isdigit() else None

    def _school_name(self, institution_id: int) -> str:
        return escape(school_name(self.schools.get(institution_id)))

    def _placement(self, placement_id: int) -> str | None:
        p = self.placements.get(placement_id)
        if p is None:
            return None
        course = course_name(self.t, self.catalogue, p.course_code)
        return self.t("audit.subject.placement", course=course, school=self._school_name(p.institution_id))

    def _planning(self, version_id: int) -> str | None:
        v = self.plannings.get(version_id)
        p = self.placements.get(v.placement_id) if v is not None else None
        if v is None or p is None:
            return None
        course = course_name(self.t, self.catalogue, p.course_code)
        return self.t("audit.subject.planning", course=course, number=v.number)

    def _document(self, document_id: int) -> str | None:
        d = self.docs.get(document_id)
        if d is None:
            return None
        kind = self.documents.type(d.type_code)
        label = kind.label(self.t.language) if kind is not None else escape(d.type_code)
        return self.t("audit.subject.document", type=label, version=d.version)

    def _slot(self, slot_id: int) -> str | None:
        slot = self.slots.get(slot_id)
        if slot is None:
            return None
        return self.t("audit.subject.intake", when=self.t.datetime(slot.starts_at, "short"))

    def _booking(self, booking_id: int) -> str | None:
        booking = self.bookings.get(booking_id)
        return self._slot(booking.slot_id) if booking is not None else None

    def _school(self, institution_id: int) -> str | None:
        return self._school_name(institution_id) if institution_id in self.schools else None

    def _contract(self, contract_id: int) -> str | None:
        c = self.contracts.get(contract_id)
        if c is None:
            return None
        return self.t("audit.subject.contract", school=self._school_name(c.institution_id))

    def _framework(self, agreement_id: int) -> str | None:
        f = self.frameworks.get(agreement_id)
        if f is None:
            return None
        return self.t("audit.subject.framework", school=self._school_name(f.institution_id))


def _day(t: Translator, value: Any) -> str | None:
    try:
        return t.date(date.fromisoformat(str(value)), "medium")
    except ValueError:
        return None


def _reason(value: Any) -> str:
    text = " ".join(str(value).split())
    return escape(text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…")


def detail_texts(t: Translator, entry: AuditEntry) -> list[str]:
    """The facts of the entry a reader needs, in words (the rest stays in the stored detail)."""
    detail, out = entry.detail or {}, []
    if detail.get("override_reason"):
        out.append(t("audit.detail.override_reason", reason=_reason(detail["override_reason"])))
    if entry.action == "document.refused" and detail.get("reason"):
        key = f"audit.refusal.{detail['reason']}"
        try:
            out.append(t(key))
        except KeyError:
            out.append(escape(str(detail["reason"])))
    elif detail.get("reason"):
        out.append(t("audit.detail.reason", reason=_reason(detail["reason"])))
    if detail.get("late"):
        out.append(t("audit.detail.late"))
    if detail.get("channel") in ("lerarenstage", "email"):
        out.append(t(f"placements.channel.{detail['channel']}"))
    for name in ("on", "issue_date", "until"):
        if name in detail and (day := _day(t, detail[name])):
            out.append(t(f"audit.detail.{name}", date=day))
    if "exempt" in detail:
        out.append(t("audit.detail.exempt" if detail["exempt"] else "audit.detail.not_exempt"))
    return out


def audit_lines(
    session: Session,
    t: Translator,
    catalogue: Catalogue,
    documents: DocumentConfig,
    entries: list[AuditEntry],
    actors: dict[int, str],
) -> list[str]:
    """One line per entry: when · who · what · to what · the facts (`actors`: person id -> Slack id)."""
    subjects = Subjects(session, t, catalogue, documents, entries)
    lines = []
    for entry in entries:
        who = mention(actors[entry.actor_id]) if entry.actor_id in actors else t("audit.system")
        parts = [
            t("audit.line", when=t.datetime(entry.at, "short"), who=who, what=action_text(t, entry.action))
        ]
        if about := subjects.describe(entry.subject):
            parts.append(about)
        parts += detail_texts(t, entry)
        sent_back = subjects.sent_back_reason(entry)
        if sent_back:
            parts.append(t("audit.detail.reason", reason=_reason(sent_back)))
        lines.append(" · ".join(parts))
    return lines
