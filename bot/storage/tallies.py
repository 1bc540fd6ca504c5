"""Running totals of rare events for operators' metrics: a name, one label, a number.

Written in the transaction of the event they count, so every process on every machine adds
to the same total and a restart loses nothing; never a person, a number or a case in them.
The inbound hot path is counted in process memory instead (see bot/metrics/).
"""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, select

# What is tallied, and its labels.
ESCALATIONS = "escalations"  # by the step of the ladder (bot/advocates/handoff.py)
LOGINS_REFUSED = "logins_refused"  # by reason:
LOGIN_REFUSALS = ("locked_out", "wrong_password")


class Tally(SQLModel, table=True):
    """How many times an event happened, e.g. ("escalations", "admins") → 3."""

    __tablename__ = "tally"
    __table_args__ = (UniqueConstraint("name", "label", name="uq_tally"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=48)
    label: str = Field(default="", max_length=32)
    total: int = Field(default=0)


def add(session: Session, name: str, label: str = "") -> None:
    """One more: a single upsert in the caller's transaction (no read, no race)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Tally.__table__
    statement = dialect.insert(table).values(name=name, label=label, total=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.name, table.c.label], set_={"total": table.c.total + 1}
    )
    session.execute(statement)


def totals(session: Session, name: str) -> dict[str, int]:
    """Every label of one tally and its total."""
    rows = session.exec(select(Tally.label, Tally.total).where(Tally.name == name)).all()
    return {label: total for label, total in rows}
