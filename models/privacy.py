"""A person's privacy requests: everything the bot holds about them (GDPR art. 15) and erasing what the
programme need not keep (art. 17).

Which rows are theirs is read from the schema, not listed by hand: every row of every table with a column
that refers to their person record (or their Slack id), and the rows that hang only from those (a
document's decisions, a planning's lessons). What erasure does to a table is one rule in `RULES`; a table
that can refer to a person and has no rule is an error (a test walks the schema), so a new table is never
forgotten. The programme keeps its decisions, their grounds, the content hashes and the audit log; the
person's identity is anonymised, what they typed that decided nothing is blanked, the bot's working copies
and the messages it sent are deleted, and document contents go once their retention period is over.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Table, delete, func, or_, update
from sqlalchemy import select as select_rows
from sqlmodel import Session, SQLModel, col, select

from models import audit
from models.document_store import DocumentStore
from models.documents import Document, DocumentConfig, hashes_still_kept, keep_until
from models.people import Person

PERSON_TARGETS = {"person.id", "student.person_id"}
OWNER_COLUMNS = {"person_id", "student_id"}  # the row is about them; other person columns name an actor
BY_SLACK_ID = {"dm_channel": "user_id", "reminder": "recipient", "snooze": "recipient", "outbox": "lane"}
ERASED_NAME = "-"


class Treatment(StrEnum):
    KEEP = "keep"
    ANONYMISE = "anonymise"  # the row stays, the named columns are emptied
    DELETE = "delete"


@dataclass(frozen=True)
class Rule:
    treatment: Treatment
    reason: str  # why, as a message key's last part: privacy.reason.<reason>
    columns: tuple[str, ...] = ()


KEEP_DECISION = Rule(Treatment.KEEP, "decision")
RULES: dict[str, Rule] = {
    "person": Rule(Treatment.ANONYMISE, "identity", ("name", "email", "language", "slack_locale")),
    "person_role": KEEP_DECISION,
    "student": KEEP_DECISION,
    "audit_entry": Rule(Treatment.KEEP, "audit"),
    "document": Rule(
        Treatment.ANONYMISE, "document_metadata", ("filename", "slack_file_id", "review_messages")
    ),
    "document_decision": KEEP_DECISION,
    "placement": KEEP_DECISION,
    "placed_activity": KEEP_DECISION,
    "start_clearance": KEEP_DECISION,
    "step_progress": KEEP_DECISION,
    "planning_version": KEEP_DECISION,
    "planned_lesson": KEEP_DECISION,
    "planning_preview": Rule(Treatment.DELETE, "working_copy"),
    "lio_application": KEEP_DECISION,
    "lio_reduction_request": KEEP_DECISION,
    "digital_contract": KEEP_DECISION,
    "framework_agreement": KEEP_DECISION,
    "intake_slot": KEEP_DECISION,
    "intake_booking": Rule(Treatment.ANONYMISE, "free_text", ("note",)),
    "match_run": KEEP_DECISION,
    "match_proposal": KEEP_DECISION,
    "former_school": KEEP_DECISION,
    "preference_submission": Rule(
        Treatment.ANONYMISE, "free_text", ("conflicts_note", "remarks", "relative_school_ids")
    ),
    "preference_reopening": KEEP_DECISION,
    "preference_conversation": Rule(Treatment.DELETE, "working_copy"),
    "school_contacts": Rule(Treatment.DELETE, "contact_details"),
    "school_link": Rule(Treatment.DELETE, "access"),  # the school's links about the student: no longer usable
    "evaluation": KEEP_DECISION,  # the mentor's assessment: a ground of the course's result
    "hours_entry": Rule(Treatment.ANONYMISE, "free_text", ("note",)),  # the hours stay: they count
    "hours_confirmation": KEEP_DECISION,  # who confirmed which week
    "hours_day_notice": Rule(Treatment.DELETE, "delivery"),
    "problem": Rule(Treatment.ANONYMISE, "free_text", ("text",)),
    "calendar_feed": Rule(Treatment.DELETE, "access"),
    "dm_channel": Rule(Treatment.DELETE, "delivery"),
    "reminder": Rule(Treatment.DELETE, "delivery"),
    "snooze": Rule(Treatment.DELETE, "delivery"),
    "outbox": Rule(Treatment.DELETE, "messages"),
}


class UnknownPerson(LookupError):
    """No person has that Slack id or e-mail address."""


class MissingRule(LookupError):
    """A table refers to people and has no erasure rule."""


def find_person(session: Session, who: str) -> Person:
    """The person by Slack id or (case-insensitive) e-mail address."""
    wanted = who.strip()
    found = session.exec(
        select(Person).where(
            or_(col(Person.slack_user_id) == wanted, func.lower(col(Person.email)) == wanted.lower())
        )
    ).first()
    if found is None:
        raise UnknownPerson(wanted)
    return found


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def person_columns(table: Table) -> list[str]:
    return [
        c.name for c in table.columns if any(fk.target_fullname in PERSON_TARGETS for fk in c.foreign_keys)
    ]


def tables_about_people() -> list[str]:
    """Every table a person's rows can be in (directly, by Slack id, or hanging from such a row)."""
    direct = {t.name for t in _tables() if person_columns(t)} | set(BY_SLACK_ID) | {"person"}
    children = {t.name for t in _tables() if _parents(t, direct)}
    return sorted(direct | children)


def _parents(table: Table, tables: set[str]) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) of the table's references to rows of `tables` (references
    to a person record are not followed here: they are what makes a row theirs in the first place)."""
    return [
        (c.name, fk.column.table.name, fk.column.name)
        for c in table.columns
        for fk in c.foreign_keys
        if fk.column.table.name in tables and fk.target_fullname not in PERSON_TARGETS
    ]


@dataclass
class Holding:
    """One table's rows about the person: `owned` are about them, `acted` only name them as the actor."""

    table: str
    owned: list[dict[str, Any]] = field(default_factory=list)
    acted: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.owned + self.acted


def holdings(session: Session, person: Person) -> dict[str, Holding]:
    """Every row that is about the person or names them, per table (tables without any left out)."""
    found: dict[str, Holding] = {}
    by_table = {t.name: t for t in _tables()}
    # Their DMs are lanes by their Slack id, and by their DM channel's id for updates of a message there.
    dm = by_table["dm_channel"]
    channels = session.connection().execute(
        select_rows(dm.c.channel_id).where(dm.c.user_id == person.slack_user_id)
    )
    slack_keys = [person.slack_user_id, *channels.scalars()]
    for table in _tables():
        holding = Holding(table.name)
        if table.name == "person":
            holding.owned = _rows(session, table, [table.c.id == person.id])
        elif table.name in BY_SLACK_ID:
            holding.owned = _rows(session, table, [table.c[BY_SLACK_ID[table.name]].in_(slack_keys)])
        else:
            columns = person_columns(table)
            owner = [table.c[c] == person.id for c in columns if c in OWNER_COLUMNS]
            actor = [table.c[c] == person.id for c in columns if c not in OWNER_COLUMNS]
            holding.owned = _rows(session, table, owner) if owner else []
            seen = {_key(table, r) for r in holding.owned}
            acted = _rows(session, table, actor) if actor else []
            holding.acted = [r for r in acted if _key(table, r) not in seen]
        if holding.rows:
            found[table.name] = holding
    for table in _tables():  # rows hanging from their rows: a decision on their document (parents first)
        links = _parents(table, {name for name, h in found.items() if h.owned})
        conditions = [
            table.c[column].in_([row[parent_column] for row in found[parent].owned])
            for column, parent, parent_column in links
        ]
        rows = _rows(session, by_table[table.name], conditions)
        holding = found.setdefault(table.name, Holding(table.name))
        known = {_key(table, r) for r in holding.rows}
        holding.owned += [r for r in rows if _key(table, r) not in known]
        if not holding.rows:
            del found[table.name]
    return found


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _rows(session: Session, table: Table, conditions: list[Any]) -> list[dict[str, Any]]:
    if not conditions:
        return []
    result = session.connection().execute(select_rows(table).where(or_(*conditions)))
    return [dict(row._mapping) for row in result]


# --- art. 15: the export ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ExportResult:
    person_id: int
    files: list[Path]
    rows: int
    documents: int
    messages: int


def _message_text(payload: dict[str, Any]) -> str:
    """What a message the bot sent said: its text and the texts in its blocks (or view)."""
    texts: list[str] = [str(payload["text"])] if payload.get("text") else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str) and node["text"] not in texts:
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([payload.get(part) for part in ("blocks", "view", "message", "attachments") if payload.get(part)])
    return "\n".join(texts)


def _message_line(row: dict[str, Any]) -> str:
    when = _plain(row["sent_at"] or row["created_at"])
    return f"[{when}] {row['method']} ({row['state']})\n{_message_text(row['payload'] or {})}\n"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"


def export(
    session: Session, person: Person, store: DocumentStore, target: Path, now: datetime
) -> ExportResult:
    """Write what the bot holds about the person into `target`: `export.json` with every row, one CSV per
    table, `messages.txt` with what the bot sent them, and their documents' contents under `documents/`."""
    assert person.id is not None
    target.mkdir(parents=True, exist_ok=True)
    found = holdings(session, person)
    written: list[Path] = []
    everything = {
        "person": {"id": person.id, "slack_user_id": person.slack_user_id},
        "exported_at": now.isoformat(),
        "tables": {
            name: [{k: _plain(v) for k, v in row.items()} for row in h.rows] for name, h in found.items()
        },
    }
    for name, holding in sorted(found.items()):
        path = target / f"{name}.csv"
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(holding.rows[0]))
        writer.writeheader()
        for row in holding.rows:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else _plain(v)
                             for k, v in row.items()})  # fmt: skip
        path.write_text(buffer.getvalue(), encoding="utf-8")
        written.append(path)
    sent = found.get("outbox")
    messages = [_message_line(row) for row in (sent.owned if sent else [])]
    if messages:
        (path := target / "messages.txt").write_text("\n".join(messages), encoding="utf-8")
        written.append(path)
    documents = 0
    for row in found["document"].owned if "document" in found else []:
        content = store.read(row["sha256"]) if row["purged_at"] is None else None
        if content is None:
            continue
        folder = target / "documents"
        folder.mkdir(exist_ok=True)
        path = folder / _safe(f"{row['type_code']}-v{row['version']}-{row['filename'] or ''}.{row['kind']}")
        path.write_bytes(content)
        written.append(path)
        documents += 1
    (path := target / "export.json").write_text(
        json.dumps(everything, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    written.append(path)
    rows = sum(len(h.rows) for h in found.values())
    audit.log(session, now, "privacy.exported", actor_id=None, student_id=person.id,
              subject=f"person:{person.id}", rows=rows, documents=documents)  # fmt: skip
    return ExportResult(person.id, written, rows, documents, len(messages))


# --- art. 17: erasure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What erasure does (or would do) to one table's rows of the person."""

    table: str
    treatment: Treatment
    reason: str
    rows: int
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentStep:
    """A document's content: deleted (its retention is over) or kept until `until`."""

    document_id: int
    deleted: bool
    until: date


@dataclass(frozen=True)
class ErasePlan:
    person_id: int
    steps: list[Step]
    contents: list[ContentStep]


def rule_for(table: str) -> Rule:
    if table not in RULES:
        raise MissingRule(table)
    return RULES[table]


def plan_erasure(session: Session, person: Person, config: DocumentConfig, today: date) -> ErasePlan:
    """What erasing the person would do: per table the treatment of the rows about them (rows that only
    name them as the one who decided are kept: the decision stays, their name goes with their identity),
    and per document content whether its retention allows deleting it now."""
    assert person.id is not None
    steps: list[Step] = []
    for name, holding in sorted(holdings(session, person).items()):
        rule = rule_for(name)
        if holding.owned:
            steps.append(Step(name, rule.treatment, rule.reason, len(holding.owned), rule.columns))
        if holding.acted:
            steps.append(Step(name, Treatment.KEEP, "acted", len(holding.acted)))
    contents = [
        ContentStep(
            d.id or 0, keep_until(d.academic_year, config) < today, keep_until(d.academic_year, config)
        )
        for d in session.exec(select(Document).where(col(Document.student_id) == person.id))
        if d.purged_at is None
    ]
    return ErasePlan(person.id, steps, contents)


def erase(
    session: Session, person: Person, store: DocumentStore, config: DocumentConfig, now: datetime
) -> ErasePlan:
    """Carry out the plan in the session's transaction (the caller commits); the contents whose retention
    is over are deleted after the commit by `delete_contents`. Audited with the counts only."""
    plan = plan_erasure(session, person, config, now.date())
    found = holdings(session, person)
    by_table = {t.name: t for t in _tables()}
    for step in plan.steps:
        if step.treatment is Treatment.KEEP or step.table == "person":
            continue
        table = by_table[step.table]
        keys = [c for c in table.primary_key.columns]
        for row in found[step.table].owned:
            match = [k == row[k.name] for k in keys]
            if step.treatment is Treatment.DELETE:
                session.connection().execute(delete(table).where(*match))
            else:
                session.connection().execute(
                    update(table).where(*match).values(_emptied(table, step.columns))
                )
    erased = [c.document_id for c in plan.contents if c.deleted]
    for document in session.exec(select(Document).where(col(Document.id).in_(erased))):
        document.purged_at = now
        session.add(document)
    person.name, person.email, person.language, person.slack_locale = ERASED_NAME, None, None, None
    person.slack_user_id = f"erased-{person.id}"
    session.add(person)
    counts = {s.treatment.value: 0 for s in plan.steps}
    for s in plan.steps:
        counts[s.treatment.value] += s.rows
    audit.log(session, now, "privacy.erased", actor_id=None, student_id=person.id,
              subject=f"person:{person.id}", contents=len(erased), **counts)  # fmt: skip
    session.flush()
    return plan


def delete_contents(session: Session, store: DocumentStore, plan: ErasePlan) -> int:
    """After the commit: delete the files of the contents the plan erased that no other version keeps."""
    ids = [c.document_id for c in plan.contents if c.deleted]
    hashes = set(session.exec(select(Document.sha256).where(col(Document.id).in_(ids))))
    return sum(1 for digest in hashes - hashes_still_kept(session, hashes) if store.delete(digest))


def _emptied(table: Table, columns: Iterable[str]) -> dict[str, Any]:
    """Empty values for these columns: NULL where allowed, else an empty string, list or object."""
    values: dict[str, Any] = {}
    for name in columns:
        column = table.c[name]
        if column.nullable:
            values[name] = None
        else:  # the JSON columns emptied here all hold lists
            values[name] = [] if isinstance(column.type, JSON) else ""
    return values
