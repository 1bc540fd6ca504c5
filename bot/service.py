"""One inbound message = one transaction: dedupe, lock, engine step, persist, effects."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as DBEngine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, select

from . import alerts, case_status
from .addresses import channel_of, phone_of
from .conversation.engine import Effect, Engine, Inbound, Snapshot
from .conversation.i18n import Catalog
from .conversation.sms import split_for_sms
from .erasure import erase_contact, forget_conversation
from .resources import Directory, give_card, own_messages
from .storage import crypto
from .storage.db import checkpoint_soon, is_postgres, write_lock
from .storage.inbound import NewMessage, SavedSnapshot
from .storage.inbound_pg import inbound_store
from .storage.models import OPEN, Case, Contact, Conversation, utcnow

log = logging.getLogger(__name__)

# Case references are read aloud and typed on keypads: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
REF_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


@dataclass(frozen=True)
class InboundMessage:
    """A texter's message as the webhook (or `hotline chat`) received it."""

    sid: str
    sender: str  # Twilio's From: "+15551234567" or "whatsapp:+15551234567"
    body: str = ""
    media: tuple[str, ...] = ()
    to: str | None = None


@dataclass
class InboundResult:
    """What to answer: the reply text (as TwiML parts), and what happened."""

    replies: list[str]
    conversation_id: int | None
    duplicate: bool = False
    erased: bool = False  # DELETE or no consent: rows were erased in this transaction


def new_ref() -> str:
    """A case reference like K7F-3QX: 25^6 ≈ 244 million, easy to read aloud and type."""
    chars = "".join(secrets.choice(REF_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


CaseListener = Callable[[Session, Case, str], None]
# Sees each inbound message first, inside its transaction; a result means "handled, answer
# this" and the family conversation never sees the message (advocates' SMS commands).
InboundInterceptor = Callable[[Session, InboundMessage, datetime], InboundResult | None]


@dataclass
class Hotline:
    """The service layer: what the webhook, `hotline chat` and the inbox call."""

    db: DBEngine
    engine: Engine
    catalog: Catalog
    hotline_name: str
    timezone: object = UTC
    # Called inside the transaction when a case is opened ("opened") or a held case gets a
    # message ("relay"); the advocates' side subscribes to notify people through the outbox.
    case_listeners: list[CaseListener] = field(default_factory=list)
    inbound_interceptors: list[InboundInterceptor] = field(default_factory=list)
    resources: Directory | None = None  # resources/*.yaml, for the referral card

    def __post_init__(self) -> None:
        self.store = inbound_store(is_postgres(self.db))

    # ------------------------------------------------------------------ inbound
    def handle_inbound(self, message: InboundMessage, now: datetime | None = None) -> InboundResult:
        """Store the message, step the conversation, apply effects: all or nothing."""
        now = now or datetime.now(UTC)
        try:
            outcome = self._handle(message, now)
        except IntegrityError:
            # A concurrent delivery of the same MessageSid won the race; answer as a retry.
            log.info("inbound integrity conflict; retrying once")
            outcome = self._handle(message, now)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            # The pooled connection had died (a database restart): nothing was written.
            log.warning("database connection lost; retrying once on a new one")
            outcome = self._handle(message, now)
        if outcome.erased:
            checkpoint_soon(self.db)  # the erased rows leave SQLite's write-ahead log too
        return outcome

    def _handle(self, message: InboundMessage, now: datetime) -> InboundResult:
        phone = phone_of(message.sender)
        channel = channel_of(message.sender)
        hashes = crypto.current().lookup_hashes(phone)
        store = self.store
        with write_lock(self.db), store.transaction(self.db) as conn:
            if self.inbound_interceptors and store.is_advocate(conn, hashes):
                store.begin(conn)
                handled = self._intercept(conn, message, now)
                if handled is not None:
                    return handled
            new = NewMessage(
                sid=message.sid, phone=phone, channel=channel, body=message.body or "",
                media=list(message.media), now=now,
            )
            row, inbound_id = store.open_inbound(conn, hashes, new)
            if row.phone_hash != hashes[0]:
                store.rehash_contact(conn, row.contact_id, hashes[0], phone)
            if inbound_id is None:
                log.info("duplicate delivery conversation=%s", row.id)
                replies = store.stored_replies(conn, message.sid, row.id)
                return InboundResult(replies, row.id, True)
            snapshot = Snapshot(
                state=row.state,
                locale=row.locale,
                answers=row.answers,
                data=row.data,
                last_active=row.last_active,
            )
            inbound = Inbound(
                text=message.body or "",
                now=now.astimezone(self.timezone),
                media=message.media,
                channel=channel,
                sender=phone,
            )
            result = self.engine.step(snapshot, inbound)
            context: dict[str, object] = {}
            if result.effects and self._apply_effects(conn, row, result, context, inbound_id):
                log.info("conversation erased on request")
                return InboundResult(self._render(result, context), None, erased=True)
            replies = self._render(result, context)
            snap = result.snapshot
            saved = SavedSnapshot(snap.state, snap.locale, snap.answers, snap.data)
            store.finish(conn, row, inbound_id, new, replies, saved)
            log.info(
                "inbound conversation=%s state=%s effects=%s replies=%d",
                row.id,
                snap.state,
                ",".join(e.kind for e in result.effects) or "-",
                len(replies),
            )
            forgot = any(effect.kind == "forget" for effect in result.effects)
            return InboundResult(replies, row.id, erased=forgot)

    def _intercept(self, conn: Connection, message: InboundMessage, now: datetime):  # type: ignore[no-untyped-def]
        """Give an advocate's text to the interceptors (SMS commands), in this transaction."""
        session = Session(bind=conn)
        try:
            for intercept in self.inbound_interceptors:
                handled = intercept(session, message, now)
                if handled is not None:
                    session.flush()
                    return handled
            return None
        finally:
            session.close()

    def _apply_effects(  # type: ignore[no-untyped-def]
        self, conn: Connection, row, result, context: dict[str, object], inbound_id: int
    ) -> bool:
        """Carry out the engine's effects with the ORM, in the same transaction."""
        session = Session(bind=conn)
        try:
            rows = _Rows(session, row.contact_id, row.id)
            for effect in result.effects:
                if self._apply(session, effect, rows, result, context, inbound_id):
                    session.flush()
                    return True
            session.flush()
            return False
        finally:
            session.close()

    def _render(self, result, context: dict[str, object]) -> list[str]:  # type: ignore[no-untyped-def]
        parts = self.engine.render(result, {"hotline": self.hotline_name, **context})
        own = own_messages(context)
        if not own:
            return split_for_sms(parts)
        # Messages of their own (the referral card) go before the question the reply ends
        # with, so that the family reads the question last.
        state = self.engine.flow.states.get(result.snapshot.state or "")
        asks = state is not None and state.ask and result.replies[-1:] and (
            result.replies[-1].key == state.ask
        )
        cut = len(parts) - 1 if asks else len(parts)
        return split_for_sms(parts[:cut]) + own + split_for_sms(parts[cut:])

    # ------------------------------------------------------------------ effects
    def _apply(
        self,
        session: Session,
        effect: Effect,
        rows: _Rows,
        result,  # type: ignore[no-untyped-def]
        context: dict[str, object],
        inbound_id: int,
    ) -> bool:
        """Carry out one effect; True when the conversation was erased."""
        if effect.kind == "open_case":
            case = self.open_case(session, rows.conversation, result.snapshot, effect.data)
            context["ref"] = case.ref
        elif effect.kind == "media":
            urls = list(effect.data.get("urls", []))
            data = result.snapshot.data
            data["media"] = [*data.get("media", []), *urls]
            case = self.open_case_of(session, rows.conversation_id)
            if case is not None:
                case.media = [*(case.media or []), *urls]
                session.add(case)
        elif effect.kind in ("opt_out", "opt_in"):
            rows.contact.opted_out = effect.kind == "opt_out"
            session.add(rows.contact)
        elif effect.kind == "relay":
            case = self.open_case_of(session, rows.conversation_id)
            if case is not None:
                for listener in self.case_listeners:
                    listener(session, case, "relay")
        elif effect.kind == "alerts":
            alerts.apply(session, rows.conversation, effect.data, result.snapshot)
        elif effect.kind == "case_answers":
            self.update_answers(session, rows.conversation, result.snapshot)
        elif effect.kind == "forget":
            forget_conversation(session, rows.conversation_id, keep_message=inbound_id)
            log.info("conversation forgotten: no consent")
        elif effect.kind == "referrals":
            give_card(session, self, effect.data, rows.conversation, result.snapshot, context)
        elif effect.kind == "erase":
            erase_contact(session, rows.contact)
            return True
        elif effect.kind == "case_status":
            case_status.answer(
                session, rows.conversation, result, effect, inbound_id, self.timezone
            )
        return False

    def update_answers(
        self, session: Session, conversation: Conversation, snapshot: Snapshot
    ) -> None:
        """An urgent case already with the advocates gets each answer as it arrives."""
        case = self.open_case_of(session, conversation.id)
        if case is None or case.kind != "intake":
            return
        case.answers = dict(snapshot.answers)
        case.updated_at = utcnow()
        session.add(case)

    def open_case_of(self, session: Session, conversation_id: int) -> Case | None:
        return session.exec(
            select(Case)
            .where(Case.conversation_id == conversation_id, Case.status.in_(OPEN))
            .order_by(Case.id.desc())
        ).first()

    def open_case(
        self, session: Session, conversation: Conversation, snapshot: Snapshot, data: dict
    ) -> Case:
        """Open a case, or update the open one: AGENT then an intake is still one case."""
        kind = data.get("kind", "intake")
        urgent = bool(data.get("urgent"))
        case = self.open_case_of(session, conversation.id)
        event = "updated"
        if case is None:
            case = Case(
                ref=self._unique_ref(session),
                conversation_id=conversation.id,
                kind=kind,
                media=list(snapshot.data.get("media", [])),
            )
            event = "opened"
        elif kind == "agent":
            return case  # asking for a person again changes nothing
        if kind == "intake":
            case.kind = "intake"
            case.answers = dict(data.get("answers") or snapshot.answers)
        case.urgent = case.urgent or urgent
        case.language = snapshot.locale or "en"
        case.channel = conversation.channel
        case.updated_at = utcnow()
        session.add(case)
        session.flush()
        for listener in self.case_listeners:
            listener(session, case, event)
        return case

    def _unique_ref(self, session: Session) -> str:
        while True:
            ref = new_ref()
            if session.exec(select(Case.id).where(Case.ref == ref)).first() is None:
                return ref


class _Rows:
    """The sender's contact and conversation as ORM objects, read only by the effects that
    use them (a "No" to consent needs neither)."""

    def __init__(self, session: Session, contact_id: int, conversation_id: int):
        self.session = session
        self.contact_id = contact_id
        self.conversation_id = conversation_id

    @cached_property
    def contact(self) -> Contact:
        contact = self.session.get(Contact, self.contact_id)
        assert contact is not None  # locked with the conversation since BEGIN
        return contact

    @cached_property
    def conversation(self) -> Conversation:
        conversation = self.session.get(Conversation, self.conversation_id)
        assert conversation is not None
        return conversation
