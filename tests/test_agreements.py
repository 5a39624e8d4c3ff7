"""Step 5 through the wire: framework agreements and digital contracts, the coordinator's flow, the import."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from models.agreements import DigitalContract, FrameworkAgreement
from models.agreements_csv import import_agreements
from models.csv_import import ImportRefused
from models.progress import Step
from models.schools import Institution
from tests.blocktext import text_of
from tests.conftest import Stack
from tests.test_placements import _place_and_request, placements_of, setup, state


def _on_lerarenstage(wire: Stack, school_id: int, uses: bool = True) -> None:
    with wire.session() as s:
        school = s.get_one(Institution, school_id)
        school.uses_lerarenstage = uses
        s.add(school)


def _accept(wire: Stack, school_id: int) -> None:
    wire.ws.click("U0ANNA", "placement_answer_open", str(school_id))
    view = wire.ws.open_views("U0ANNA")[-1]
    assert (
        wire.ws.submit_view(
            "U0ANNA", view, {"outcome": {"outcome": "accepted"}, "on": {"on": "2026-11-28"}}
        ).body
        == ""
    )


def test_a_signed_framework_agreement_covers_the_accepted_placement(wire: Stack) -> None:
    ids = setup(wire)
    added = wire.ws.slash_command("U0COORD", "/stage", "overeenkomsten toevoegen ATH 2025-09-01")
    assert "geregistreerd" in text_of(added.json["blocks"])
    _place_and_request(wire, ids)
    _accept(wire, ids["atheneum"])
    assert "een geldige stageovereenkomst dekt ze" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    assert [m for m in wire.ws.messages("U0COORD") if not m.ephemeral_to] == []
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "overeenkomst").json["blocks"])
    assert "Raamovereenkomst, ondertekend, geldig vanaf" in shown
    assert state(wire, ids["anna"], Step.AGREEMENT) == "in_progress"  # not every activity is placed yet


def test_without_an_agreement_the_coordinator_starts_and_tracks_one(wire: Stack) -> None:
    ids = setup(wire)
    _on_lerarenstage(wire, ids["atheneum"])
    _place_and_request(wire, ids)
    _accept(wire, ids["atheneum"])
    assert "nog geen geldige stageovereenkomst" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    request = wire.ws.messages("U0COORD")[-1]
    assert "<@U0ANNA>" in text_of(request.blocks)
    overview = text_of(wire.ws.slash_command("U0COORD", "/stage", "agreements").json["blocks"])
    assert "Zonder geldige overeenkomst: 1" in overview and "Atheneum" in overview
    assert "Digitaal contract noteren" in text_of(
        wire.ws.slash_command("U0ANNA", "/stage", "agreement").json["blocks"]
    )
    wire.ws.click("U0COORD", "agreement_framework_start", message=request)
    with wire.session() as s:
        agreement = s.exec(select(FrameworkAgreement)).one()
        assert agreement.status == "drafted" and agreement.valid_from == date(2026, 11, 9)
    for action in ("sent", "school_signed", "university_signed"):
        wire.ws.click("U0COORD", f"agreement_framework_track_{action}", message=request)
    with wire.session() as s:
        agreement = s.exec(select(FrameworkAgreement)).one()
        assert agreement.status == "signed" and agreement.university_signed_on == date(2026, 11, 28)
    tracked = next(m for m in wire.ws.messages("U0COORD") if m.ts == request.ts)
    assert "Door alle partijen ondertekend" in text_of(tracked.blocks)
    assert "is ondertekend: je stage daar is gedekt" in text_of(wire.ws.messages("U0ANNA")[-1].blocks)
    overview = text_of(wire.ws.slash_command("U0COORD", "/stage", "agreements").json["blocks"])
    assert "Alle stageplaatsen zijn gedekt" in overview


def test_a_school_without_lerarenstage_offers_no_digital_contract(wire: Stack) -> None:
    ids = setup(wire)  # Atheneum does not use lerarenstage.be
    _place_and_request(wire, ids)
    _accept(wire, ids["atheneum"])
    told = wire.ws.messages("U0ANNA")[-1]
    assert "gebruikt lerarenstage.be niet" in text_of(told.blocks)
    assert "agreement_contract_open" not in str(told.blocks)
    shown = wire.ws.slash_command("U0ANNA", "/stage", "overeenkomst").json["blocks"]
    assert "Digitaal contract noteren" not in text_of(shown) and "agreement_contract_open" not in str(shown)


def test_students_and_supervisors_cannot_use_the_coordinators_overview(wire: Stack) -> None:
    setup(wire)
    for who in ("U0ANNA", "U0SUP"):
        refused = text_of(wire.ws.slash_command(who, "/stage", "overeenkomsten").json["blocks"])
        assert "niet voor jouw rol" in refused


def test_a_contract_signed_today_is_today_in_brussels_past_midnight(wire: Stack) -> None:
    """At 00:30 in Brussels it is still yesterday in UTC: a signature of today is not in the future."""
    ids = setup(wire)
    _on_lerarenstage(wire, ids["atheneum"])
    _place_and_request(wire, ids)
    _accept(wire, ids["atheneum"])
    wire.services.clock.freeze(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # Tuesday 1 December, 00:30
    wire.ws.click("U0ANNA", "agreement_contract_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    today = {
        "start": {"start": "2026-11-09"},
        "end": {"end": "2026-12-04"},
        "student": {"student": "2026-12-01"},
    }
    assert wire.ws.submit_view("U0ANNA", view, today).body == ""
    with wire.session() as s:
        assert s.exec(select(DigitalContract)).one().student_signed_on == date(2026, 12, 1)


def test_a_digital_contract_covers_once_every_party_signed(wire: Stack) -> None:
    ids = setup(wire)
    _on_lerarenstage(wire, ids["atheneum"])
    _place_and_request(wire, ids)
    _accept(wire, ids["atheneum"])
    wire.ws.click("U0ANNA", "agreement_contract_open", str(ids["atheneum"]))
    view = wire.ws.open_views("U0ANNA")[-1]
    wrong = {"start": {"start": "2026-12-04"}, "end": {"end": "2026-11-09"}}
    assert "vóór de begindatum" in wire.ws.submit_view("U0ANNA", view, wrong).json["errors"]["end"]
    with wire.session() as s:
        assert s.exec(select(DigitalContract)).first() is None
    half = {
        "start": {"start": "2026-11-09"},
        "end": {"end": "2026-12-04"},
        "student": {"student": "2026-11-20"},
    }
    assert wire.ws.submit_view("U0ANNA", view, half).body == ""
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "agreement").json["blocks"])
    assert "nog te ondertekenen door de school, de universiteit" in shown
    wire.ws.click(
        "U0ANNA", "agreement_contract_open", str(ids["atheneum"]), message=wire.ws.ephemerals("U0ANNA")[-1]
    )
    view = wire.ws.open_views("U0ANNA")[-1]
    full = {
        "start": {"start": "2026-11-09"},
        "end": {"end": "2026-12-04"},
        "student": {"student": "2026-11-20"},
        "school": {"school": "2026-11-21"},
        "university": {"university": "2026-11-22"},
    }
    assert wire.ws.submit_view("U0ANNA", view, full).body == ""
    with wire.session() as s:
        assert len(s.exec(select(DigitalContract)).all()) == 1  # one per student and institution
    shown = text_of(wire.ws.slash_command("U0ANNA", "/stage", "agreement").json["blocks"])
    assert "ondertekend door alle partijen" in shown
    assert "Alle stageplaatsen zijn gedekt" in text_of(
        wire.ws.slash_command("U0COORD", "/stage", "agreements").json["blocks"]
    )
    assert len(placements_of(wire, ids["anna"])) == 1


def test_the_add_command_refuses_bad_input_and_changes_nothing(wire: Stack) -> None:
    setup(wire)
    for args, text in (
        ("toevoegen NOPE 2026-09-01", "Geen stageplaats met code NOPE"),
        ("toevoegen ATH 01-09-2026", "JJJJ-MM-DD"),
        ("toevoegen ATH 2026-09-01 2025-08-31", "vóór de begindatum"),
    ):
        assert text in text_of(
            wire.ws.slash_command("U0COORD", "/stage", f"overeenkomsten {args}").json["blocks"]
        )
    with wire.session() as s:
        assert s.exec(select(FrameworkAgreement)).first() is None


def test_the_csv_import_reports_every_bad_row_and_imports_nothing(wire: Stack) -> None:
    setup(wire)
    bad = (
        "institution;valid_from;valid_until\nATH;2026-09-01;\nMUS;2026-13-01;\n"
        "XYZ;2026-09-01;\nOUD;2026-09-01;2025-01-01\n"
    )
    with wire.session() as s, pytest.raises(ImportRefused) as refused:
        import_agreements(s, bad)
    assert [(p.line, p.key) for p in refused.value.problems] == [
        (3, "agreements.import.bad_date"),
        (4, "agreements.import.unknown_institution"),
        (5, "agreements.import.dates_order"),
    ]
    with wire.session() as s:
        assert s.exec(select(FrameworkAgreement)).first() is None
        result = import_agreements(s, "institution,valid_from,valid_until\nATH,2026-09-01,2031-08-31\n")
        assert (result.created, result.updated) == (1, 0)
    with wire.session() as s:
        again = import_agreements(s, "institution,valid_from,valid_until\nATH,2026-09-01,2031-08-31\n")
        assert (again.created, again.updated) == (0, 0)
        assert s.exec(select(FrameworkAgreement)).one().status == "signed"


def test_the_sweep_tells_the_coordinator_once_of_a_school_with_no_agreement_started(wire: Stack) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.app import web_client
    from scheduler.sweep import run_sweep

    ids = setup(wire)
    _place_and_request(wire, ids)
    _accept(wire, ids["atheneum"])
    monday = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    client = web_client(wire.services)

    def told() -> list[str]:
        return [
            text_of(m.blocks)
            for m in wire.ws.messages("U0COORD")
            if "zonder geldige overeenkomst" in text_of(m.blocks)
        ]

    run_sweep(wire.services, client, monday)
    assert len(told()) == 1 and "Atheneum" in told()[0] and "1 student geplaatst" in told()[0]
    assert "begeleiders" not in told()[0]  # the coordinator is not a supervisor
    run_sweep(wire.services, client, monday + timedelta(days=1))
    assert len(told()) == 1
