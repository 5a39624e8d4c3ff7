"""Who may review and see a student's records: one policy, checked here against each role."""

from __future__ import annotations

from models.access import may_read_audit, may_review, may_see_student
from models.db import Database
from models.people import Role, resolve_actor
from tests import factories


def test_review_and_visibility_follow_the_roles(db: Database) -> None:
    with db.session() as s:
        factories.person(s, "U0COORD", "Hilde Claes", Role.COORDINATOR)
        factories.person(s, "U0COUNS", "Karim Haddad", Role.COUNSELLOR)
        mine = factories.person(s, "U0SUP", "Els Wouters", Role.SUPERVISOR)
        factories.person(s, "U0OTHER", "Bart Maes", Role.SUPERVISOR)
        anna = factories.student(s, "U0ANNA", "Anna De Smet", supervisor=mine)
        factories.student(s, "U0LOTTE", "Lotte Peeters")
        assert anna.id is not None
        actors = {
            u: resolve_actor(s, u) for u in ("U0COORD", "U0COUNS", "U0SUP", "U0OTHER", "U0ANNA", "U0LOTTE")
        }
        review = {u: may_review(s, a, anna.id) for u, a in actors.items() if a}
        see = {u: may_see_student(s, a, anna.id) for u, a in actors.items() if a}
        audit = {u: may_read_audit(a) for u, a in actors.items() if a}
    assert review == {
        "U0COORD": True,
        "U0COUNS": False,
        "U0SUP": True,
        "U0OTHER": False,
        "U0ANNA": False,
        "U0LOTTE": False,
    }
    assert see == {
        "U0COORD": True,
        "U0COUNS": True,
        "U0SUP": True,
        "U0OTHER": False,
        "U0ANNA": True,
        "U0LOTTE": False,
    }
    assert [u for u, ok in audit.items() if ok] == ["U0COORD"]
