"""Links that open once: the first opening claims the link's nonce; any later one finds it taken.

A claim is one row, kept until the link would have expired anyway (then deleted by later claims). Two
openings at the same moment race on the primary key: exactly one wins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col

from models.db import AwareDateTime

NONCE_LENGTH = 32


class UsedLink(SQLModel, table=True):
    __tablename__ = "used_link"

    nonce: str = Field(primary_key=True, max_length=NONCE_LENGTH)
    used_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime, index=True)


def claim(session: Session, nonce: str, now: datetime, expires_at: datetime) -> bool:
    """True for the first opening of the link with this nonce, False for every later one."""
    session.execute(delete(UsedLink).where(col(UsedLink.expires_at) < now))
    try:
        with session.begin_nested():
            session.add(UsedLink(nonce=nonce[:NONCE_LENGTH], used_at=now, expires_at=expires_at))
    except IntegrityError:
        return False
    return True
