"""People CSV: roles, student records, supervisors and former schools; updates by Slack id; all or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.i18n import messages, plural_messages
from models.csv_import import ImportRefused, ImportResult, RowProblem
from models.db import Database
from models.people import FormerSchool, Person, PersonRole, Student
from models.people_csv import export_people, import_people
from models.schools import Institution
from models.schools_csv import import_schools

ROOT = Path(__file__).parent.parent
DEMO = ROOT / "bot" / "demo"

SCHOOLS = "code,name,city,levels,grades\nOLD1,Oud Atheneum,Jette,aso,1;2;3\nOLD2,Oud Lyceum,Evere,aso,2;3\n"
HEADER = (
    "slack_id,name,email,roles,language,subject_x,subject_y,supervisor_x,supervisor_y,supervisor,"
    "former_schools,lio\n"
)
GOOD = HEADER + (
    "U0STUD0001,Yasmina El Amrani,yasmina@student.example,student,nl,Wiskunde,Informatica,"
    "U0SUPV0001,W0SUPV0002,U0SUPV0001,OLD1;OLD2,nee\n"
    "U0SUPV0001,Marleen De Smet,marleen@univ.example,stagebegeleider; titularis,,,,,,,,\n"
    "W0SUPV0002,Tom Vermeulen,,Stagebegeleider,en,,,,,,,\n"
    "U0COOR0001,Hilde Claes,hilde@univ.example,stagecoördinator|admin,NL,,,,,,,\n"
    "U0STUD0002,Lucas Maes,,student,,Biologie,Nederlands,,,,,ja\n"
)


@dataclass(frozen=True)
class Snapshot:
    """Everything an import can change, in plain values, so two states can be compared."""

    people: dict[str, tuple[str, str | None, str | None]]
    roles: dict[str, set[str]]
    students: dict[str, tuple[str, str, str | None, str | None, str | None, bool]]
    former_schools: dict[str, set[str]]


def snapshot(db: Database) -> Snapshot:
    with db.session() as session:
        people = {p.id: p for p in session.exec(select(Person))}
        slack = {pid: p.slack_user_id for pid, p in people.items()}
        roles: dict[str, set[str]] = {}
        for link in session.exec(select(PersonRole)):
            roles.setdefault(slack[link.person_id], set()).add(link.role)
        students = {
            slack[s.person_id]: (
                s.subject_x,
                s.subject_y,
                slack.get(s.supervisor_x_id),
                slack.get(s.supervisor_y_id),
                slack.get(s.supervisor_id),
                s.lio,
            )
            for s in session.exec(select(Student))
        }
        former: dict[str, set[str]] = {}
        for student_id, code in session.exec(
            select(FormerSchool.student_id, Institution.code).join(
                Institution, col(Institution.id) == col(FormerSchool.institution_id)
            )
        ):
            former.setdefault(slack[student_id], set()).add(code)
        return Snapshot(
            {p.slack_user_id: (p.name, p.email, p.language) for p in people.values()}, roles, students, former
        )


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def with_schools(db: Database) -> Database:
    with db.session() as session:
        import_schools(session, SCHOOLS)
    return db


def test_good_file_creates_people_roles_and_students(with_schools: Database) -> None:
    with with_schools.session() as session:
        assert import_people(session, GOOD) == ImportResult(created=5, updated=0)

    state = snapshot(with_schools)
    assert state.people == {
        "U0STUD0001": ("Yasmina El Amrani", "yasmina@student.example", "nl"),
        "U0SUPV0001": ("Marleen De Smet", "marleen@univ.example", None),
        "W0SUPV0002": ("Tom Vermeulen", None, "en"),
        "U0COOR0001": ("Hilde Claes", "hilde@univ.example", "nl"),
        "U0STUD0002": ("Lucas Maes", None, None),
    }
    assert state.roles == {
        "U0STUD0001": {"student"},
        "U0SUPV0001": {"supervisor", "course_owner"},
        "W0SUPV0002": {"supervisor"},
        "U0COOR0001": {"coordinator", "admin"},
        "U0STUD0002": {"student"},
    }
    assert state.students == {
        "U0STUD0001": ("Wiskunde", "Informatica", "U0SUPV0001", "W0SUPV0002", "U0SUPV0001", False),
        "U0STUD0002": ("Biologie", "Nederlands", None, None, None, True),
    }
    assert state.former_schools == {"U0STUD0001": {"OLD1", "OLD2"}}


def test_import_again_updates_by_slack_id_and_leaves_others_alone(with_schools: Database) -> None:
    with with_schools.session() as session:
        import_people(session, GOOD)
    changed = HEADER + (
        "U0STUD0001,Yasmina El Amrani,,student,en,Wiskunde,Frans,W0SUPV0002,W0SUPV0002,,OLD2,yes\n"
        "U0SUPV0001,Marleen De Smet,marleen@univ.example,supervisor,,,,,,,,\n"
        "U0COOR0001,Hilde Claes,hilde@univ.example,coordinator;admin,nl,,,,,,,\n"
        "U0NEW00001,Nieuwe Collega,,studietrajectbegeleider,,,,,,,,\n"
    )
    with with_schools.session() as session:
        assert import_people(session, changed) == ImportResult(created=1, updated=2)
        assert count(session, Person) == 6
        assert count(session, Student) == 2

    state = snapshot(with_schools)
    assert state.people["U0STUD0001"] == ("Yasmina El Amrani", None, "en")
    assert state.roles["U0SUPV0001"] == {"supervisor"}
    assert state.roles["U0NEW00001"] == {"counsellor"}
    assert state.students["U0STUD0001"] == ("Wiskunde", "Frans", "W0SUPV0002", "W0SUPV0002", None, True)
    assert state.former_schools == {"U0STUD0001": {"OLD2"}}
    assert state.people["U0STUD0002"] == ("Lucas Maes", None, None)
    assert state.students["U0STUD0002"] == ("Biologie", "Nederlands", None, None, None, True)


def test_left_out_optional_columns_keep_the_student_record(with_schools: Database) -> None:
    with with_schools.session() as session:
        import_people(session, GOOD)
    before = snapshot(with_schools)
    with with_schools.session() as session:
        result = import_people(session, "slack_id,name,roles\nU0STUD0001,Yasmina El Amrani-Smets,student\n")
        assert result == ImportResult(created=0, updated=1)

    after = snapshot(with_schools)
    assert after.people["U0STUD0001"] == ("Yasmina El Amrani-Smets", "yasmina@student.example", "nl")
    assert after.students == before.students
    assert after.former_schools == before.former_schools


def test_export_then_import_changes_nothing(with_schools: Database) -> None:
    with with_schools.session() as session:
        import_people(session, GOOD)
        exported = export_people(session)
    assert exported.splitlines()[0] == HEADER.strip()
    assert (
        "U0STUD0001,Yasmina El Amrani,yasmina@student.example,student,nl,Wiskunde,Informatica,"
        "U0SUPV0001,W0SUPV0002,U0SUPV0001,OLD1;OLD2,no" in exported.splitlines()
    )
    assert "U0COOR0001,Hilde Claes,hilde@univ.example,coordinator;admin,nl,,,,,,," in exported.splitlines()
    before = snapshot(with_schools)

    with with_schools.session() as session:
        assert import_people(session, exported) == ImportResult(created=0, updated=0)
        assert export_people(session) == exported
    assert snapshot(with_schools) == before


def test_bad_rows_are_all_reported_and_nothing_is_imported(with_schools: Database) -> None:
    text = HEADER + (
        "U0SUPV0001,Marleen De Smet,marleen@univ.example,supervisor,,,,,,,,\n"  # 2: fine
        "u123,Kleine Letters,,student,,Wiskunde,Frans,,,,,\n"  # 3
        "U0SUPV0001,Dubbel,,supervisor,,,,,,,,\n"  # 4
        "U0STUD0001,,geen-adres,student;directeur,fr,Wiskunde,wiskunde,,,,,\n"  # 5
        # 6
        "U0STUD0002,Zonder Vakken,,student,,,Engels,U0COOR0001,U0NOBODY01,U0SUPV0001,OLD1;OLD9,misschien\n"
        "U0COOR0001,Hilde Claes,,coordinator,,Wiskunde,,,,,,no\n"  # 7
        "U0STUD0003,Zonder Rol,,,,,,,,,,\n"  # 8
    )
    with with_schools.session() as session, pytest.raises(ImportRefused) as refused:
        import_people(session, text)

    assert refused.value.problems == [
        RowProblem(3, "import.row.bad_slack_id", {"column": "slack_id", "value": "u123"}),
        RowProblem(
            4, "import.row.duplicate_key", {"column": "slack_id", "value": "U0SUPV0001", "first_line": "2"}
        ),
        RowProblem(5, "import.row.missing_value", {"column": "name"}),
        RowProblem(5, "import.row.bad_email", {"column": "email", "value": "geen-adres"}),
        RowProblem(5, "import.row.unknown_language", {"value": "fr"}),
        RowProblem(5, "import.row.unknown_role", {"value": "directeur"}),
        RowProblem(5, "import.row.subjects_equal", {"value": "Wiskunde"}),
        RowProblem(6, "import.row.missing_value", {"column": "subject_x"}),
        RowProblem(6, "import.row.unknown_boolean", {"column": "lio", "value": "misschien"}),
        RowProblem(6, "import.row.unknown_supervisor", {"column": "supervisor_x", "value": "U0COOR0001"}),
        RowProblem(6, "import.row.unknown_supervisor", {"column": "supervisor_y", "value": "U0NOBODY01"}),
        RowProblem(6, "import.row.unknown_former_school", {"value": "OLD9"}),
        RowProblem(7, "import.row.student_columns_on_non_student", {"column": "subject_x"}),
        RowProblem(7, "import.row.student_columns_on_non_student", {"column": "lio"}),
        RowProblem(8, "import.row.missing_value", {"column": "roles"}),
    ]
    with with_schools.session() as session:
        assert count(session, Person) == 0
        assert count(session, PersonRole) == 0
        assert count(session, Student) == 0


def test_supervisors_are_judged_on_the_state_after_the_file(with_schools: Database) -> None:
    """A supervisor may be defined in the database or further down the file; the file's roles win."""
    with with_schools.session() as session:
        import_people(session, HEADER + "U0SUPV0009,Els Wouters,,supervisor,,,,,,,,\n")
    with with_schools.session() as session:
        result = import_people(
            session,
            HEADER + "U0STUD0009,Sarah Mukendi,,student,,Engels,Frans,U0SUPV0009,U0SUPV0010,,,\n"
            "U0SUPV0010,Jan Peeters,,supervisor,,,,,,,,\n",
        )
        assert result == ImportResult(created=2, updated=0)
    assert snapshot(with_schools).students["U0STUD0009"][2:4] == ("U0SUPV0009", "U0SUPV0010")

    text = HEADER + (
        "U0SUPV0009,Els Wouters,,coordinator,,,,,,,,\n"
        "U0STUD0010,Daan Jacobs,,student,,Engels,Frans,U0SUPV0009,,,,\n"
    )
    with with_schools.session() as session, pytest.raises(ImportRefused) as refused:
        import_people(session, text)
    assert refused.value.problems == [
        RowProblem(3, "import.row.unknown_supervisor", {"column": "supervisor_x", "value": "U0SUPV0009"})
    ]
    assert snapshot(with_schools).roles["U0SUPV0009"] == {"supervisor"}


def test_student_role_cannot_be_taken_away_by_import(with_schools: Database) -> None:
    with with_schools.session() as session:
        import_people(session, GOOD)
    with with_schools.session() as session, pytest.raises(ImportRefused) as refused:
        import_people(session, "slack_id,name,roles\nU0STUD0002,Lucas Maes,supervisor\n")
    assert refused.value.problems == [
        RowProblem(2, "import.row.student_role_removed", {"slack_id": "U0STUD0002"})
    ]
    assert snapshot(with_schools).roles["U0STUD0002"] == {"student"}


def test_bom_and_semicolon_delimiter(with_schools: Database) -> None:
    text = (
        "\ufeffslack_id;name;roles;subject_x;subject_y;former_schools;lio\r\n"
        'U0STUD0005;Aylin Demir;student;Engels;Informatica;"OLD1;OLD2";1\r\n'
        'U0SUPV0005;"De Smet; Marleen";"supervisor;reflection_coach";;;;\r\n'
    )
    with with_schools.session() as session:
        assert import_people(session, text) == ImportResult(created=2, updated=0)
    state = snapshot(with_schools)
    assert state.people["U0SUPV0005"] == ("De Smet; Marleen", None, None)
    assert state.roles["U0SUPV0005"] == {"supervisor", "reflection_coach"}
    assert state.students["U0STUD0005"] == ("Engels", "Informatica", None, None, None, True)
    assert state.former_schools["U0STUD0005"] == {"OLD1", "OLD2"}


def test_demo_files_import_cleanly(db: Database) -> None:
    with db.session() as session:
        import_schools(session, (DEMO / "schools.csv").read_text(encoding="utf-8"))
        assert import_people(session, (DEMO / "people.csv").read_text(encoding="utf-8")) == ImportResult(
            17, 0
        )

    state = snapshot(db)
    students = [slack_id for slack_id, roles in state.roles.items() if "student" in roles]
    assert len(students) == 12
    assert all(all(state.students[s][2:5]) for s in students), "every demo student has three supervisors"
    assert state.roles["U0DEMOCO01"] == {"coordinator"}
    assert state.roles["U0DEMOCN01"] == {"counsellor"}
    assert sum(state.students[s][5] for s in students) == 1
    assert len(state.former_schools) >= 2
    assert [s for s in students if state.people[s][2] == "en"] == ["U0DEMOST12"]


def test_every_problem_key_has_a_dutch_and_an_english_message() -> None:
    sources = [ROOT / "models" / name for name in ("csv_import.py", "schools_csv.py", "people_csv.py")]
    used = {key for path in sources for key in re.findall(r'"(import\.[a-z_.]+)"', path.read_text())}
    assert len(used) >= 20
    for language in ("nl", "en"):
        catalogue = messages(language)
        assert used - catalogue.keys() == set(), language
        assert "import.summary.done" in catalogue
        assert "import.summary.refused" in plural_messages(language)  # "1 fout", "2 fouten"
