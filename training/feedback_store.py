"""Agents' final answers, kept as labelled tickets for retraining and as the live measure of the models.

The service writes it (POST /v1/feedback); retraining and the evaluation report read it. One table, written
through SQLAlchemy so the same code runs on the default SQLite file and on PostgreSQL. Only PII-masked text is
stored.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator, Literal, Mapping, TypeVar

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text, delete, func, or_, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from appeal.database import add_missing_columns, create_tables, make_engine

Row = TypeVar("Row")


class _Base(DeclarativeBase):
    pass


_OWN_KEY = re.compile("feedback-([0-9]+)")  # `FeedbackRow.ticket_key` of an answer sent without a ticket id


class FeedbackRow(_Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str | None] = mapped_column(String(128), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(100), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))
    suggestion_id: Mapped[str | None] = mapped_column(String(128))
    predicted_topic: Mapped[str | None] = mapped_column(String(100))
    predicted_unit: Mapped[str | None] = mapped_column(String(200))
    model_version: Mapped[str | None] = mapped_column(String(128))
    # The ids /v1/route listed as possible repeats (None: the platform did not say), and the earlier ticket the
    # agent linked this one to (None: a new matter). Together they measure the repeat flag live.
    related_ticket_ids: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    repeat_of: Mapped[str | None] = mapped_column(String(128))
    # Whether the service had routed that earlier ticket within its window when the answer came (None: not known,
    # as for answers stored before this was kept): a link to one it never saw is no miss of its repeat check.
    repeat_of_seen: Mapped[bool | None] = mapped_column(Boolean)
    # The refusal rule /v1/route named (None: none), and whether the centre refused the ticket in the end (None:
    # the platform did not say). Together they measure the 不予受理 rules live.
    refusal_rule: Mapped[str | None] = mapped_column(String(128))
    refused: Mapped[bool | None] = mapped_column(Boolean)
    # The lines /v1/route said to put the caller through to (None: not known), and those the agent did (None: the
    # platform did not say). Together they measure the emergency words live.
    hand_over: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    put_through: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # Whether the answer closed the ticket at the centre (本级办结; None: the platform did not say): a label of the
    # unit whose matter it is, the ticket sent to none.
    closed: Mapped[bool | None] = mapped_column(Boolean)
    # What the agent told the caller on closing it (办结意见, masked; None: not a close, or not said): kept with the
    # ticket too, and here so that a resend adding or changing it is a new answer.
    closing_note: Mapped[str | None] = mapped_column(Text)
    # The platform's name for the request that sent this answer (None: it gave none): a re-send of it after the
    # agent corrected the ticket is that request again, not the ticket's latest answer.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(timezone.utc))
    # A trainer's correction of the answer's labels (`FeedbackStore.correct`): who, when, and the topic and unit the
    # agent had given (None: never corrected).
    corrected: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    @property
    def ticket_key(self) -> str:
        """The ticket this answer is for; an answer without a ticket id stands for its own ticket."""
        return self.ticket_id or f"feedback-{self.id}"

    def answered(self, name: str):
        """A field as the agent's answer gave it, before a trainer's correction."""
        return self.corrected[name] if self.corrected and name in self.corrected else getattr(self, name)

    def repeat_verdict(self, linked: Mapping[str, str] | None = None) -> RepeatVerdict | None:
        """See `repeat_verdict`; `linked`: the earlier ticket other answers linked each ticket to."""
        return repeat_verdict(self.related_ticket_ids, self.repeat_of, self.repeat_of_seen, linked)

    @property
    def refusal_verdict(self) -> RefusalVerdict | None:
        return refusal_verdict(self.refusal_rule, self.refused)

    @property
    def hand_over_verdict(self) -> HandOverVerdict | None:
        return hand_over_verdict(self.hand_over, self.put_through)


@dataclass(frozen=True)
class Feedback:
    """What an agent decided for one ticket (text already masked)."""

    text: str
    topic: str
    unit: str | None = None
    ticket_id: str | None = None
    title: str | None = None
    suggestion_id: str | None = None
    predicted_topic: str | None = None
    predicted_unit: str | None = None
    model_version: str | None = None
    related_ticket_ids: list[str] | None = None
    repeat_of: str | None = None
    repeat_of_seen: bool | None = None
    refusal_rule: str | None = None
    refused: bool | None = None
    hand_over: list[str] | None = None
    put_through: list[str] | None = None
    closed: bool | None = None
    closing_note: str | None = None
    idempotency_key: str | None = None


class IdempotencyKeyReused(Exception):
    """An idempotency key sent again with another answer than the one stored under it for the ticket."""

    def __init__(self, stored: FeedbackRow):
        super().__init__(f"answer {stored.id} was stored under this key")
        self.stored = stored


RepeatVerdict = Literal["confirmed", "rejected", "missed", "unseen", "new"]


def repeat_verdict(related_ticket_ids: list[str] | None, repeat_of: str | None,
                   repeat_of_seen: bool | None = None, linked: Mapping[str, str] | None = None
                   ) -> RepeatVerdict | None:
    """What the agent's answer says of the repeat check: it listed the ticket the agent linked or another of the same
    matter (confirmed), listed others only (rejected), listed none though the agent linked one (missed; unseen when
    the service never routed that one within its window, so it could not have listed it), or listed none of a new
    matter (new). None when the platform did not say what was listed. Precision of the check is confirmed /
    (confirmed + rejected); its recall is confirmed over the tickets the agent linked to one the service had seen.
    `linked`: the earlier ticket each ticket's own answer linked it to, which makes a matter of a chain: the centre
    links a repeat to the matter's first ticket, and a listing of a later repeat of it is right (a quality
    inspector's round: counted as a wrong listing and a missed link at once)."""
    if related_ticket_ids is None:
        return None
    if related_ticket_ids:
        return "confirmed" if _same_matter(repeat_of, related_ticket_ids, linked or {}) else "rejected"
    if repeat_of is None:
        return "new"
    return "unseen" if repeat_of_seen is False else "missed"


def _first_of(ticket: str, linked: Mapping[str, str]) -> str:
    """The first ticket of the matter `ticket` belongs to, following the answers' links back."""
    seen = {ticket}
    while (earlier := linked.get(ticket)) is not None and earlier not in seen:
        seen.add(earlier)
        ticket = earlier
    return ticket


def _same_matter(repeat_of: str | None, listed: list[str], linked: Mapping[str, str]) -> bool:
    if repeat_of is None:
        return False
    first = _first_of(repeat_of, linked)
    return repeat_of in listed or any(_first_of(ticket, linked) == first for ticket in listed)


RefusalVerdict = Literal["confirmed", "overruled", "missed", "accepted"]


def refusal_verdict(refusal_rule: str | None, refused: bool | None) -> RefusalVerdict | None:
    """What the agent's answer says of the refusal rules (不予受理): a rule flagged the ticket and the centre refused
    it (confirmed) or accepted it after all (overruled); no rule flagged it and it was refused (missed) or accepted
    (accepted). None when the platform did not say whether the ticket was refused."""
    if refused is None:
        return None
    if refusal_rule:
        return "confirmed" if refused else "overruled"
    return "missed" if refused else "accepted"


HandOverVerdict = Literal["confirmed", "other_line", "false_alarm", "missed", "none"]


def hand_over_verdict(hand_over: list[str] | None, put_through: list[str] | None) -> HandOverVerdict | None:
    """What the agent's answer says of the emergency words: the route named a line and the agent put the caller
    through to it (confirmed), to another one only (other_line) or to none (false_alarm: no life at risk now); the
    route named none and the agent put the caller through (missed) or not (none). None when either is not known."""
    if hand_over is None or put_through is None:
        return None
    if hand_over:
        return "confirmed" if set(hand_over) & set(put_through) else "other_line" if put_through else "false_alarm"
    return "missed" if put_through else "none"


def latest_by(rows: Iterable[Row], key: Callable[[Row], str]) -> list[Row]:
    """The last row of each key, in the order of those last rows: a ticket answered or labelled twice keeps its
    latest answer, placed where that answer came."""
    latest: dict[str, Row] = {}
    for row in rows:
        latest.pop(key(row), None)  # re-insert: the dict keeps the order of each key's last row
        latest[key(row)] = row
    return list(latest.values())


def _of_tickets(ids: list[str]):
    """The answers given for these tickets, an answer sent without a ticket id by its `ticket_key` (feedback-80)."""
    own = [int(key.group(1)) for ticket_id in ids if (key := _OWN_KEY.fullmatch(ticket_id))]
    return or_(FeedbackRow.ticket_id.in_(ids), FeedbackRow.ticket_id.is_(None) & FeedbackRow.id.in_(own))


class FeedbackStore:
    def __init__(self, url: str):
        self.engine = make_engine(url)
        create_tables(self.engine, _Base.metadata)
        add_missing_columns(self.engine, FeedbackRow.__table__)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._adding = threading.Lock()

    def add(self, feedback: Feedback) -> FeedbackRow:
        row = FeedbackRow(**feedback.__dict__)
        with self._sessions.begin() as session:
            session.add(row)
        return row

    def add_once(self, feedback: Feedback) -> tuple[FeedbackRow, bool]:
        """Stores the answer, unless it is stored already; returns the row and whether it is new. Stored already: with
        an idempotency key, the ticket's answer under that key, whatever was answered since (a late retry of an answer
        the agent had corrected meanwhile became the ticket's latest), and another answer under it raises
        `IdempotencyKeyReused`; without one, the ticket's last answer (a platform's retry after a timeout stored it
        twice and counted it twice in the live share of topics kept); and under any key, the ticket's answer that a
        trainer corrected since (`correct`), where the answer is that one as the agent gave it. Retries that arrive
        together are told apart within this process (one service); two services on one database may each store one."""
        key = feedback.idempotency_key
        if feedback.ticket_id is None and key is None:
            return self.add(feedback), True
        with self._adding:
            query = select(FeedbackRow).where(FeedbackRow.ticket_id == feedback.ticket_id)  # IS NULL for None
            last = query.order_by(FeedbackRow.id.desc())
            query = last if key is None else query.where(FeedbackRow.idempotency_key == key).order_by(FeedbackRow.id)
            with Session(self.engine) as session:
                stored = session.scalars(query.limit(1)).first()
                if stored is None and feedback.ticket_id is not None:
                    # the answer a trainer corrected, sent again under another key (a platform's replay): a re-test
                    # found the typo back as the ticket's label, the correction lost without a word
                    corrected = session.scalars(last.where(FeedbackRow.corrected.is_not(None)).limit(1)).first()
                    if corrected is not None and self._same_answer(corrected, feedback):
                        return corrected, False
            if stored is None:
                return self.add(feedback), True
            if self._same_answer(stored, feedback):
                return stored, False
            if key is not None:
                raise IdempotencyKeyReused(stored)
            return self.add(feedback), True

    @staticmethod
    def _same_answer(stored: FeedbackRow, feedback: Feedback) -> bool:
        """The key is no part of the answer: a retry without it of an answer sent with one is that answer; and a
        trainer's correction since leaves it that answer (the agent's typo is not stored again over it)."""
        return all(stored.answered(name) == value for name, value in feedback.__dict__.items()
                   if name != "idempotency_key")

    def rows(self, since_id: int = 0) -> Iterator[FeedbackRow]:
        with Session(self.engine) as session:
            yield from session.scalars(select(FeedbackRow).where(FeedbackRow.id > since_id).order_by(FeedbackRow.id))

    def latest(self, since_id: int = 0) -> list[FeedbackRow]:
        """One row per ticket, its latest answer (an agent may correct a ticket twice), in the order of those
        latest answers."""
        return latest_by(self.rows(since_id), lambda row: row.ticket_key)

    def repeat_answers(self, since: datetime) -> list[FeedbackRow]:
        """The latest answer per ticket among those stored since `since` that say something of repeats (what the
        route listed, or the ticket the agent linked)."""
        query = (select(FeedbackRow)
                 .where(FeedbackRow.created_at >= since,
                        or_(FeedbackRow.related_ticket_ids.is_not(None), FeedbackRow.repeat_of.is_not(None)))
                 .order_by(FeedbackRow.id))
        with Session(self.engine) as session:
            return latest_by(session.scalars(query), lambda row: row.ticket_key)

    def links(self, tickets: Iterable[str], steps: int = 5) -> dict[str, str]:
        """Ticket → the earlier ticket its latest answer linked it to, for `tickets` and, `steps` deep, the tickets
        those were linked to (`repeat_verdict`'s `linked`)."""
        found: dict[str, str] = {}
        asked = {ticket for ticket in tickets if ticket}
        for _ in range(steps):
            if not asked:
                break
            new = {ticket: row.repeat_of for ticket, row in self.latest_of(asked).items()}
            found |= {ticket: earlier for ticket, earlier in new.items() if earlier}
            asked = {earlier for earlier in new.values() if earlier and earlier not in found}
        return found

    def latest_of(self, tickets: Iterable[str]) -> dict[str, FeedbackRow]:
        """Ticket → its latest answer, for those of `tickets` that agents answered."""
        asked = sorted({ticket for ticket in tickets if ticket})
        if not asked:
            return {}
        with Session(self.engine) as session:
            rows = session.scalars(select(FeedbackRow).where(_of_tickets(asked)).order_by(FeedbackRow.id))
            return {row.ticket_key: row for row in latest_by(rows, lambda row: row.ticket_key)}

    def answered_topics(self, since: datetime) -> dict[str, str]:
        """Ticket → the topic of its latest answer among those stored since `since`."""
        query = select(FeedbackRow).where(FeedbackRow.created_at >= since).order_by(FeedbackRow.id)
        with Session(self.engine) as session:
            return {row.ticket_key: row.topic for row in session.scalars(query)}

    def correct(self, ticket: str, *, by: str, topic: str | None = None,
                unit: str | None = None) -> tuple[FeedbackRow, dict[str, str | None]]:
        """A trainer's correction of the labels of a ticket's latest answer (`ticket`: its id, or the `feedback-N` name
        of an answer sent without one): an agent's typo (人社句) came back at every retrain, over the label a
        trainer's file had corrected, and counted in the report as a unit agents change. The answer keeps its place
        and time; `corrected` keeps who and what the agent had given. Returns the corrected row, and the labels it
        held before (a trainer's earlier correction, where there was one)."""
        from pipeline.errors import InputError

        query = select(FeedbackRow).where(_of_tickets([ticket])).order_by(FeedbackRow.id.desc())
        with self._adding, self._sessions.begin() as session:
            row = session.scalars(query.limit(1)).first()
            if row is None:
                raise InputError(f"no agent's answer is stored for {ticket!r} (the ids: appeal feedback export)")
            given = {name: value for name, value in (("topic", topic), ("unit", unit)) if value is not None}
            if all(getattr(row, name) == value for name, value in given.items()):
                raise InputError(f"{ticket}'s answer already says {', '.join(given.values())}: nothing to correct")
            agent = {name: row.answered(name) for name in ("topic", "unit")}
            before = {name: getattr(row, name) for name in given}
            for name, value in given.items():
                setattr(row, name, value)
            row.corrected = {**agent, "by": by, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        return row, before

    def count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(FeedbackRow)) or 0

    def check(self) -> None:
        """Reads one answer (there may be none): raises what the database says when it cannot be used."""
        with Session(self.engine) as session:
            session.scalar(select(FeedbackRow.id).limit(1))

    def ticket_ids(self) -> set[str]:
        """The tickets answers were given for."""
        with Session(self.engine) as session:
            return set(session.scalars(select(FeedbackRow.ticket_id).where(FeedbackRow.ticket_id.is_not(None))))

    def forget(self, ticket_ids: Iterable[str]) -> int:
        """Deletes every answer given for these tickets, an answer sent without a ticket id by the name it is
        exported and trained under (`ticket_key`, feedback-80); returns how many."""
        with self._sessions.begin() as session:
            return session.execute(delete(FeedbackRow).where(_of_tickets(list(ticket_ids)))).rowcount

    def close(self) -> None:
        self.engine.dispose()
