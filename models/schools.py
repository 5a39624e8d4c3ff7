"""Institutions that host internships (stageplaatsen)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, select


class Level(StrEnum):
    """Levels of education the programme allows (domain.md, "Rules on where and how much")."""

    ASO = "aso"
    BSO = "bso"
    KSO = "kso"
    TSO = "tso"
    SPECIAL_SECONDARY = "special_secondary"
    SE_N_SE = "se_n_se"
    HBO = "hbo"
    HIGHER_ADULT = "higher_adult"
    ALTERNATIVE = "alternative"


SECONDARY_LEVELS = frozenset({Level.ASO, Level.BSO, Level.KSO, Level.TSO, Level.SPECIAL_SECONDARY})
GRADES = (1, 2, 3)


class Institution(SQLModel, table=True):
    __tablename__ = "institution"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    city: str = Field(max_length=100)
    levels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    grades: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    uses_lerarenstage: bool = False
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=50)


def by_code(session: Session, codes: set[str]) -> dict[str, Institution]:
    if not codes:
        return {}
    rows = session.exec(select(Institution).where(Institution.code.in_(sorted(codes))))  # type: ignore[attr-defined]
    return {row.code: row for row in rows}


def all_institutions(session: Session) -> list[Institution]:
    return list(session.exec(select(Institution).order_by(Institution.code)))
