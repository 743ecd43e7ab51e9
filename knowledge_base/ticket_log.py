"""The tickets routed in the last days, kept so that a new ticket can be compared with them (`repeats`).

One table in the service's database, written by `POST /v1/route` for every ticket that carries an id. Only the
PII-masked text is stored, and nothing older than the repeat window is kept. Rows are only inserted and deleted,
never updated: a re-routed ticket gets a new row, so every process learns about it by reading the rows after the
last one it has seen.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, LargeBinary, String, Text, delete, or_, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from appeal.database import add_missing_columns, create_tables, make_engine
from knowledge_base.units import Catalogue, Unit, unit_now_named
from pipeline.jurisdiction import default_gazetteer

# Seconds a write of the log waits for another connection's write lock on SQLite (see `TicketLog`).
ROUTE_LOCK_WAIT = 0.5


@dataclass(frozen=True)
class SeenTicket:
    """A routed ticket as the repeat check knows it (text masked; `received_at` naive UTC)."""

    ticket_id: str
    received_at: datetime
    text: str
    title: str | None = None
    township: str | None = None
    topic: str | None = None
    lead_unit: str | None = None
    # the route's decision (auto / review) and the version that made it: the share sent to review, week by week
    decision: str | None = None
    model_version: str | None = None
    urgent: bool | None = None  # the route's urgent flag (None: logged before it was kept)
    unit_type: str | None = None  # the functional type the route filed it under (unit.label, or its rule's type)
    # the unit an agent's answer sent it to instead of `lead_unit` (feedback naming one unit), and that unit's township
    # where it has one: a ticket sent on to another township is that township's repeat too
    assigned_unit: str | None = None
    assigned_township: str | None = None
    # where the route said to put the caller through (120 急救、110 报警; "" none; None: logged before it was kept):
    # the report counts them week by week, which the service's metric did only since its last start
    hand_over: str | None = None
    # the e5 vector of the repeat check's method `e5` (float32 bytes) and the encoder that made it; None for the default
    embedding: bytes | None = field(default=None, repr=False)
    embedding_model: str | None = None
    # the refusal rule the route flagged it with (not_accepted.rule): an answer that says only whether it was refused
    # is still that rule's verdict
    refusal_rule: str | None = None
    # the units the route named to assist the lead (、-joined; "" none; None: logged before it was kept): a bureau that
    # assists sees the ticket's group among its own (an education liaison's round: a canteen's five tickets, 教育局
    # assisting 市场监管局, were in no hotspot of 教育局's)
    assisting_units: str | None = None
    # what the route's answer said it rests on (its `reasons`, one a line; None: logged before they were kept), the rule
    # that chose its lead unit and the earlier tickets it listed as the same matter (、-joined ids): a supervisor's
    # morning review reads why each ticket went where it did (a supervisor's round: one ticket at a time, and no why)
    reasons: str | None = None
    rule: str | None = None
    related: str | None = None
    # the last time the unit it was sent to sent it back to the centre (退回): which unit, when (naive UTC), why
    # (masked), the unit it said the ticket is for, and the key that sent it; kept on the ticket, not with agents'
    # answers, since it is no label to train on (two liaisons' rounds: a unit could only ask an agent to re-send it,
    # stored as a label). `returned_before`: the units that sent it back before (、-joined, oldest first): a dispatcher's
    # round saw a ticket bounce between two units as a first return each time
    returned_by: str | None = None
    returned_at: datetime | None = None
    return_reason: str | None = None
    return_to: str | None = None
    return_sent_by: str | None = None
    returned_before: str | None = None
    # the unit's reply (答复: what it did, for the centre to tell the caller), which closes the ticket at that unit
    # while it stays there: which unit, when (naive UTC), the reply (masked), whom at the unit to ring (as written: the
    # unit's own, which masking took from the reply) and the key that sent it (a liaison's round: its list, by the day
    # a ticket came in, had no notion of the tickets still open at the unit)
    replied_by: str | None = None
    replied_at: datetime | None = None
    reply: str | None = None
    reply_contact: str | None = None
    reply_sent_by: str | None = None
    # the centre closed it itself (本级办结): an agent's answer said it answered the caller on the call, put the call
    # through or refused the ticket, so that no unit is to handle it: when (naive UTC), the key that sent the answer
    # and what the agent told the caller (masked); kept when an answer sends it to a unit since (a supervisor's round:
    # a consultation answered at once stood open, or proposed, for the whole window)
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_note: str | None = None
    # an answer sent it to a unit after that close (重新派单): when, and the key that sent it (a re-tester's round: a
    # second agent's answer undid a close without a word, and the township it went to never read what the caller had
    # been told)
    reopened_at: datetime | None = None
    reopened_by: str | None = None
    # the channel it came by as the platform named it (电话, 网站, 微信…; None: not given, or logged before it was kept)
    # and whether the route read it as a follow-up (催办; None: logged before it was kept): a statistician's round
    # counted both for the week's report by hand, the channel not at all
    channel: str | None = None
    follow_up: bool | None = None

    @property
    def lines(self) -> list[str]:
        """The lines the route said to put the caller through to, as a list ([]: none, or not kept)."""
        return self.hand_over.split("、") if self.hand_over else []

    def sent_to(self, unit: str | None, township: str | None) -> SeenTicket:
        """This route, recorded as sent by an agent's answer to `unit` of `township` (None: back to the route's)."""
        return replace(self, assigned_unit=unit, assigned_township=township)

    def closed(self, note: str | None, at: datetime, by: str) -> SeenTicket:
        """This route, recorded as closed by the centre (本级办结) at `at` (naive UTC), the agent having told the caller
        `note` (masked; None: not said), by the key named `by`."""
        return replace(self, closed_at=at, closed_by=by, close_note=note, reopened_at=None, reopened_by=None)

    def reopened(self, at: datetime, by: str) -> SeenTicket:
        """This route, its centre's close (if it stands) recorded as undone at `at` (naive UTC) by the key named `by`,
        an answer having sent it to a unit: the close stays, for the unit and the supervisor to read."""
        return replace(self, reopened_at=at, reopened_by=by) if self.closed_at_centre else self

    def sent_back(self, unit: str, reason: str, to: str | None, at: datetime, by: str) -> SeenTicket:
        """This route, recorded as sent back to the centre by `unit` at `at` (naive UTC), for `reason` (masked), saying
        the ticket is `to`'s (None: not said), by the key named `by`."""
        earlier = "、".join(filter(None, (self.returned_before, self.returned_by))) or None
        return replace(self, returned_by=unit, returned_at=at, return_reason=reason, return_to=to, return_sent_by=by,
                       returned_before=earlier)

    def replied(self, unit: str, reply: str, contact: str | None, at: datetime, by: str) -> SeenTicket:
        """This route, recorded as answered by `unit` at `at` (naive UTC) with `reply` (masked), `contact` the person
        to ring there, by the key named `by`."""
        return replace(self, replied_by=unit, replied_at=at, reply=reply, reply_contact=contact, reply_sent_by=by)

    def with_outcome_of(self, earlier: SeenTicket) -> SeenTicket:
        """This route with what became of `earlier`, the ticket's route before it: its units' returns and reply, and
        the centre's close."""
        return replace(self, **{name: getattr(earlier, name) for name in _OUTCOME_FIELDS})

    @property
    def closed_at_centre(self) -> bool:
        """Whether the centre closed it itself (本级办结), no answer having sent it to a unit since."""
        return self.closed_at is not None and self.reopened_at is None

    @property
    def sent_back_where_it_is(self) -> bool:
        """Whether the unit it is at sent it back (退回): to send on, or sent back to that unit by the centre since."""
        return self.returned_by is not None and self.returned_by == self.dispatched_to

    @property
    def replied_where_it_is(self) -> bool:
        """Whether the unit it is at replied (答复): done there, until the centre sends it to another unit."""
        return self.replied_by is not None and self.replied_by == self.dispatched_to

    @property
    def returned_earlier(self) -> list[str]:
        """The units that sent it back before its last return, oldest first."""
        return self.returned_before.split("、") if self.returned_before else []

    @property
    def erased(self) -> bool:
        """Whether `TicketLog.forget` took its words: a row with neither text nor title only holds its place."""
        return not (self.text or self.title)

    @property
    def reasons_given(self) -> list[str]:
        return self.reasons.split("\n") if self.reasons else []

    @property
    def related_ids(self) -> list[str]:
        return self.related.split("、") if self.related else []

    @property
    def dispatched_to(self) -> str | None:
        """The unit the ticket was last sent to: the agent's where an answer changed it, else the route's."""
        return self.assigned_unit or self.lead_unit

    @property
    def confirmed(self) -> bool:
        """Whether the ticket went to `dispatched_to`: an agent's answer named its unit, or the route dispatched it
        itself (`auto`); a route for review that no answer followed only proposed its lead (路由建议)."""
        return bool(self.assigned_unit or self.decision == "auto" and self.lead_unit)

    @property
    def assisted_by(self) -> list[str]:
        """The units the route named to assist, as a list, less the one it is at (a township liaison's round: sent by
        an agent to the township the route had named to assist, the ticket still read as one it assists on)."""
        return [unit for unit in self.assisting_units.split("、") if unit != self.dispatched_to] \
            if self.assisting_units else []

    @property
    def handled_in(self) -> str | None:
        """The township the ticket is handled in: the agent's unit's where it has one, else the route's."""
        return self.assigned_township or self.township

    def concerns(self, township: str | None, unit: str | None, *, sent_only: bool = False) -> bool:
        """Whether the ticket is `township`'s (reported in it or sent on to it) and `unit`'s (sent to it, by the route
        or an agent, or assisted by it); None: any. `sent_only`: and the ticket was sent (`confirmed`), not only
        proposed for an agent to review: what a unit has to work on (a liaison's round found 12 of its 14 tickets to
        be proposals no agent had sent, listed beside its work)."""
        return ((township is None or township in (self.township, self.handled_in))
                and (unit is None or unit == self.dispatched_to or unit in self.assisted_by)
                and (not sent_only or self.confirmed))


_OUTCOME_FIELDS = ("returned_by", "returned_at", "return_reason", "return_to", "return_sent_by", "returned_before",
                   "replied_by", "replied_at", "reply", "reply_contact", "reply_sent_by", "closed_at", "closed_by",
                   "close_note", "reopened_at", "reopened_by")


class _Base(DeclarativeBase):
    pass


class RoutedTicketRow(_Base):
    __tablename__ = "routed_ticket"
    # SQLite would otherwise hand a new row the id of the last row just deleted: readers never see that row
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(String(128), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(100))
    lead_unit: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(16))
    model_version: Mapped[str | None] = mapped_column(String(128))
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    unit_type: Mapped[str | None] = mapped_column(String(200))
    assigned_unit: Mapped[str | None] = mapped_column(String(200))
    assigned_township: Mapped[str | None] = mapped_column(String(100))
    hand_over: Mapped[str | None] = mapped_column(String(200))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(String(32))
    refusal_rule: Mapped[str | None] = mapped_column(String(100))
    assisting_units: Mapped[str | None] = mapped_column(String(1000))
    reasons: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(100))
    related: Mapped[str | None] = mapped_column(Text)
    returned_by: Mapped[str | None] = mapped_column(String(200))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    return_to: Mapped[str | None] = mapped_column(String(200))
    return_sent_by: Mapped[str | None] = mapped_column(String(200))
    returned_before: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(String(200))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    reply: Mapped[str | None] = mapped_column(Text)
    reply_contact: Mapped[str | None] = mapped_column(String(200))
    reply_sent_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(200))
    close_note: Mapped[str | None] = mapped_column(Text)
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopened_by: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(200))
    follow_up: Mapped[bool | None] = mapped_column(Boolean)

    def seen(self) -> SeenTicket:
        # by its township's and its units' names of today: a ticket logged before a merge or a unit's rename is the
        # same place, and went to the same unit, as the new ones
        return SeenTicket(self.ticket_id, self.received_at, self.text, self.title,
                          default_gazetteer().now_named(self.township), self.topic, unit_now_named(self.lead_unit),
                          self.decision, self.model_version, self.urgent, self.unit_type,
                          unit_now_named(self.assigned_unit),
                          default_gazetteer().now_named(self.assigned_township), self.hand_over, self.embedding,
                          self.embedding_model, self.refusal_rule, _units_now_named(self.assisting_units),
                          self.reasons, self.rule, self.related, unit_now_named(self.returned_by), self.returned_at,
                          self.return_reason, unit_now_named(self.return_to), self.return_sent_by,
                          _units_now_named(self.returned_before), unit_now_named(self.replied_by), self.replied_at,
                          self.reply, self.reply_contact, self.reply_sent_by, self.closed_at, self.closed_by,
                          self.close_note, self.reopened_at, self.reopened_by, self.channel, self.follow_up)


def _units_now_named(units: str | None) -> str | None:
    """A 、-joined list of units, each by its name of today (`unit_now_named`)."""
    return units and "、".join(map(unit_now_named, units.split("、")))


class TicketLog:
    def __init__(self, url: str):
        # Every routed ticket is a write: a commit that does not wait for the disk costs ~0.4 ms a ticket instead of
        # ~1.7 ms on SQLite, and a power cut can only lose the last tickets of a log that is a month's cache. Nor
        # does a route wait long for another's write lock (a bulk import, a sqlite3 shell): its ticket waits in
        # memory instead (`Repeats.record`), where an operator's round had every route with an id take 30 s.
        self.engine = make_engine(url, durable=False, lock_wait=ROUTE_LOCK_WAIT)
        create_tables(self.engine, _Base.metadata)
        add_missing_columns(self.engine, RoutedTicketRow.__table__)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def add(self, *tickets: SeenTicket) -> None:
        """Stores the tickets in one transaction, each replacing an earlier row of its ticket id."""
        with self._session.begin() as session:
            for ticket in tickets:
                self._replace(session, RoutedTicketRow(**ticket.__dict__))

    @staticmethod
    def _replace(session, row: RoutedTicketRow) -> None:
        # Inserted before the earlier row of its ticket is deleted, so that its id is above every id read so far
        # (a table made before sqlite_autoincrement reuses the highest id once deleted): a re-routed ticket, the last
        # one logged, kept its first route in every process, and the erasure of one its text.
        session.add(row)
        session.flush()  # the next ticket may carry the same id: its delete must see this row
        session.execute(delete(RoutedTicketRow).where(RoutedTicketRow.ticket_id == row.ticket_id,
                                                      RoutedTicketRow.id != row.id))

    def after(self, row_id: int, received_since: datetime, also: list[int] = ()) -> list[tuple[int, SeenTicket]]:
        """Rows after `row_id`, and those of `also`, that were received since `received_since`, by row id."""
        newer = RoutedTicketRow.id > row_id
        query = (select(RoutedTicketRow)
                 .where(or_(newer, RoutedTicketRow.id.in_(also)) if also else newer,
                        RoutedTicketRow.received_at >= received_since)
                 .order_by(RoutedTicketRow.id))
        with self._session() as session:
            return [(row.id, row.seen()) for row in session.scalars(query)]

    def since(self, received_since: datetime, until: datetime | None = None) -> list[SeenTicket]:
        """The tickets received since `received_since` (and before `until`; naive UTC), in the order they came in."""
        query = (select(RoutedTicketRow).where(RoutedTicketRow.received_at >= received_since,
                                               *([RoutedTicketRow.received_at < until] if until else []))
                 .order_by(RoutedTicketRow.received_at, RoutedTicketRow.id))
        with self._session() as session:
            return [row.seen() for row in session.scalars(query)]

    def latest(self, ticket_id: str) -> SeenTicket | None:
        """The ticket's last route as the log holds it; None where it was never routed or has left the window."""
        query = (select(RoutedTicketRow).where(RoutedTicketRow.ticket_id == ticket_id)
                 .order_by(RoutedTicketRow.id.desc()).limit(1))
        with self._session() as session:
            row = session.scalars(query).first()
            return row.seen() if row is not None else None

    def any(self) -> bool:
        with self._session() as session:
            return session.scalar(select(RoutedTicketRow.id).limit(1)) is not None

    def ticket_ids(self) -> set[str]:
        """Every ticket id of the log, those `forget` erased included."""
        with self._session() as session:
            return set(session.scalars(select(RoutedTicketRow.ticket_id)))

    def forget_before(self, cutoff: datetime) -> int:
        """Deletes the tickets received before `cutoff`; returns how many."""
        with self._session.begin() as session:
            return session.execute(delete(RoutedTicketRow).where(RoutedTicketRow.received_at < cutoff)).rowcount

    def forget(self, ticket_ids: Iterable[str]) -> int:
        """Erases these tickets' text; returns how many rows held some. Each is replaced by a row without text,
        which the running services read like any new row (they only read rows after the last they saw) and so drop
        the text they hold in memory; it leaves with the window. The row keeps what the route decided (when, the
        township, topic, unit, decision, urgent flag, version, rule), none of it the citizen's words (its reasons, a
        unit's reason for sending it back, its reply and the centre's closing note quote them): the report counts the
        ticket in the week it came in, not in the week it was erased."""
        ids = set(ticket_ids)
        with self._session.begin() as session:
            # a ticket sent with its title alone has no text but is no erased one
            held = or_(RoutedTicketRow.text != "", RoutedTicketRow.title.is_not(None))
            had = session.scalars(select(RoutedTicketRow).where(RoutedTicketRow.ticket_id.in_(ids), held)).all()
            for row in had:
                # the vector was read from the words, so it goes with them
                self._replace(session, RoutedTicketRow(**(row.seen().__dict__ | {
                    "text": "", "title": None, "embedding": None, "reasons": None, "return_reason": None,
                    "reply": None, "close_note": None})))
            # a ticket erased before keeps its row: that row is what the report counts (a quality officer's round:
            # a second erasure of a list said "nothing stored" and took the tickets out of their week's figures)
            return len({row.ticket_id for row in had})

    def close(self) -> None:
        self.engine.dispose()


def unit_answered(catalogue: Catalogue, answer: str, routed: SeenTicket) -> Unit | None:
    """The one unit an answer names; an answer naming the type of the route's lead unit (城市管理和综合执法 for
    武冈市城市管理和综合执法局, or 乡镇人民政府/街道办事处 for 湾头桥镇人民政府) keeps that unit, and one naming a type of
    the ticket's township (乡镇人民政府/街道办事处 for a 湾头桥镇 ticket the route sent to 城管局) names its unit there."""
    lead = catalogue.unit_named(routed.lead_unit)
    if lead and echoes_the_filing(catalogue, answer, routed):
        return lead
    if unit := catalogue.unit_named(answer):
        return unit
    answered = catalogue.functional_type_of(answer)
    if lead and answered == lead.functional_type:
        return lead
    # the type alone was kept as the route's 城管局 (a township's round: the lamp it had taken on was still the
    # bureau's in the hotspots, and a repeat of it said 路由建议 城管局)
    there = [u for u in catalogue.units_of_type(answered) if routed.township and u.jurisdiction == routed.township] \
        if answered else []
    return there[0] if len(there) == 1 else None


def echoes_the_filing(catalogue: Catalogue, answer: str | None, routed: SeenTicket) -> bool:
    """Whether the answer names, as a type, the type the route filed the ticket under (unit.label, or its rule's
    type): the route kept, whatever unit a rule led to (an integrator's round: unit.label 供水 sent back for a
    马坪乡 ticket that rural-water-supply led to the township logged it at the city's water company). Not a name people
    give one of the type's units: 交警大队 of 公安 (a utilities agent's round sent a 行驶证 ticket the route had led to
    武冈市公安局 on to the traffic police, and it stayed recorded at 武冈市公安局 without a word), 市场监管局 for a ticket at
    the 12315 seat (its re-tester's: the bureau, to inspect a kitchen, not the seat kept)."""
    answered = catalogue.type_named(answer)
    return answered is not None and answered == catalogue.types.canonical(routed.unit_type) and (
        answer == answered or catalogue.unit_named(answer) is None)
