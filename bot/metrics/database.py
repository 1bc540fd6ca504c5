"""What operators watch, read from the database at scrape time with a few grouped counts.

The outbox's depth and its oldest waiting message, messages by delivery status, unclaimed
cases by urgency and how long they have waited, and the running totals of escalations and
refused logins. The same numbers from every worker and every machine: they are the
database's, not a process's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from ..advocates.handoff import LADDER
from ..outbox.status import WAITING
from ..storage import tallies
from ..storage.clock import aware, utcnow
from ..storage.models import Case, OutboxMessage

log = logging.getLogger(__name__)
# How long unclaimed cases have waited: (label, up to this age); the last has no limit.
AGE_BUCKETS = (
    ("under_5m", timedelta(minutes=5)),
    ("5m_to_15m", timedelta(minutes=15)),
    ("15m_to_1h", timedelta(hours=1)),
    ("1h_to_4h", timedelta(hours=4)),
    ("over_4h", None),
)


class DatabaseCollector(Collector):
    """A prometheus_client collector that asks the database at every scrape."""

    def __init__(self, db: Engine, clock: Callable[[], datetime] = utcnow):
        self.db = db
        self.clock = clock

    def describe(self) -> list[Metric]:
        # Without this, registering the collector would run its queries once at start.
        return []

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "hotline_database_up", "1 when the database answered this scrape, 0 when not."
        )
        try:
            with Session(self.db) as session:
                families = [
                    *outbox_metrics(session, self.clock()),
                    unclaimed_cases(session, self.clock()),
                    *running_totals(session),
                ]
        except SQLAlchemyError as exc:
            log.warning("metrics: database unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def outbox_metrics(session: Session, now: datetime) -> list[Metric]:
    by_status = dict(
        session.exec(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    oldest = session.exec(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(WAITING))
    ).one()
    depth = GaugeMetricFamily(
        "hotline_outbox_depth", "Messages waiting to be handed to Twilio (pending or sending)."
    )
    depth.add_metric([], sum(by_status.get(status, 0) for status in WAITING))
    age = GaugeMetricFamily(
        "hotline_outbox_oldest_pending_age_seconds",
        "How long the oldest message still waiting for Twilio has waited (0 when none).",
    )
    age.add_metric([], max((now - aware(oldest)).total_seconds(), 0.0) if oldest else 0.0)
    statuses = GaugeMetricFamily(
        "hotline_outbox_messages",
        "Outbox messages by delivery status (as kept until the retention purge).",
        labels=["status"],
    )
    for status in sorted({*WAITING, *by_status}):
        statuses.add_metric([status], by_status.get(status, 0))
    return [depth, age, statuses]


def unclaimed_cases(session: Session, now: datetime) -> Metric:
    """Cases nobody holds, by urgency and by how long they have waited."""
    limits = [(label, now - limit) for label, limit in AGE_BUCKETS if limit is not None]
    bucket = case(
        *[(Case.created_at > since, label) for label, since in limits],
        else_=AGE_BUCKETS[-1][0],
    )
    counts = {
        (bool(urgent), label): count
        for urgent, label, count in session.exec(
            select(Case.urgent, bucket, func.count())
            .where(Case.status == "new")
            .group_by(Case.urgent, bucket)
        ).all()
    }
    family = GaugeMetricFamily(
        "hotline_unclaimed_cases", "Cases waiting for an advocate to claim them.",
        labels=["urgency", "age"],
    )
    for urgent in (True, False):
        for label, _ in AGE_BUCKETS:
            family.add_metric(
                ["urgent" if urgent else "normal", label], counts.get((urgent, label), 0)
            )
    return family


def running_totals(session: Session) -> list[Metric]:
    escalations = CounterMetricFamily(
        "hotline_escalations",
        "Escalation notices sent because a case stayed unclaimed, by step of the ladder.",
        labels=["step"],
    )
    refused = CounterMetricFamily(
        "hotline_logins_refused", "Inbox logins refused, by reason.", labels=["reason"]
    )
    for family, name, known in (
        (escalations, tallies.ESCALATIONS, LADDER),
        (refused, tallies.LOGINS_REFUSED, tallies.LOGIN_REFUSALS),
    ):
        totals = tallies.totals(session, name)
        for label in sorted({*known, *totals}):
            family.add_metric([label], totals.get(label, 0))
    return [escalations, refused]
