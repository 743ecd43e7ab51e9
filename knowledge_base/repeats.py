"""Repeat appeals (重复诉求): which tickets of the last days report the same matter as a new one, and the groups of
such tickets (热点诉求) a supervisor looks at.

Similarity is the cosine of character 1–2-gram TF-IDF vectors (sublinear tf; IDF over the window's own tickets).
Characters rather than jieba words: an estate or village name (伊景园滨河苑, 茶场村五组) is cut differently from one
ticket to the next, and on pairs of real messages judged by hand, character grams separate repeats from
look-alikes better than words (bench/repeats.py). The vectors are hashed, so there is no vocabulary to refit: a
ticket is added in the time it takes to read it, and the IDF follows the window as tickets come and go. A centre
that can spend an encoder pass a route compares by meaning instead (`_Meanings`, `APPEAL_REPEAT_METHOD=e5`), which
also links a repeat told in other words.
"""
from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from itertools import combinations
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra
from sklearn.feature_extraction.text import HashingVectorizer
from sqlalchemy.exc import SQLAlchemyError

from appeal.database import LastWrite
from knowledge_base.store import utc_now
from knowledge_base.ticket_log import SeenTicket, TicketLog
from pipeline.area import deployment_area
from pipeline.jurisdiction import default_gazetteer, road_names, village_names
from pipeline.pii import without_placeholders
from pipeline.ticket_text import masked_text, without_call_fillers, without_formalities
from pipeline.segment import ACKNOWLEDGEMENTS, CALL_NOTES, QUESTION_WORDS, REQUEST_WORDS, segment, text_names_a_matter

if TYPE_CHECKING:
    from appeal.config import Settings
    from knowledge_base.kb import E5Encoder as Encoder

log = logging.getLogger(__name__)

_FEATURES = 2**20
# Townships a group of the same words must span to be one matter of the whole county (see `RepeatIndex.hotspots`).
CITY_WIDE = 3
# Rows added since the last merge are kept apart (vstack copies the whole matrix) up to this many, and up to one
# 64th of the window: the norms of a check are those of the last merge, and the IDF a check uses has grown since by
# up to log(1 + pending / window). In a young window a fixed 64 left a ticket's own text at similarity 3.2 after 60
# tickets (each new ticket raises the IDF of every gram it lacks), so unrelated tickets passed the threshold.
_PENDING = 64
# How long, and how far below a new row id, a missing row id is looked for again (see `Repeats`).
_GAP_SECONDS = 30.0
_IN_FLIGHT = 64
# Tickets routed while the log cannot be written wait in memory, the most recent this many (a busy week of Wugang).
_UNSAVED = 10_000
# How long calls about one emergency keep coming in (a fire, a flood), for `RepeatIndex.related(incident=…)`.
INCIDENT_HOURS = timedelta(hours=3)
# How long the calls of one outage keep coming in, for a hotspot (`_with_outages`): a township's night without
# power was called in from 01:20 to 07:50.
OUTAGE_HOURS = timedelta(hours=12)
# The public utilities whose supply a ticket says is out or failing, by the words callers use (see
# `told_apart`). Only the failure counts: a fitted-out flat's complaint that lists 供水、供电 and 燃气 among its
# fittings reports no outage.
_PIPE_FAILS = "水管[^，。！？\n]{0,3}(爆|破|裂|漏)"
_OUTAGES = {
    # 爆管, 爆水管: how a burst main's callers said it (a night supervisor's round)
    "water": re.compile(f"停水|断水|[没冇]得?水|没有水|来水|水压|{_PIPE_FAILS}|爆水?管"),
    # 还冇来电 / 冇得电: how a night's callers in the townships said it (a night supervisor's round: a water cut
    # joined the power cut's hotspot through a call that said only this)
    "power": re.compile("停电|断电(?!话)|[没冇]得?电|没有电|(还|到现在|一直|都)[^，。！？\n]{0,4}[没冇]有来电(?![人者话显])"
                        "|[没冇]来电(?![人者话显])|(什么|么子|啥)时候(才|能)?来电|跳闸|电压"
                        "|变压器[^，。！？\n]{0,4}(烧|坏|炸|故障)|电线[^，。！？\n]{0,3}(断|掉|垂)"),
    "gas": re.compile("停气|断气|没气|没有气|漏气|(燃气|煤气|天然气)[^，。！？\n]{0,3}(泄漏|泄露|停)"),
    # 信号灯 is a traffic light: a phone's signal counts where it is missing or weak
    "network": re.compile("断网|没网|网速|宽带[^，。！？\n]{0,4}(断|不通|故障|慢)|(没有?|无)信号|信号(差|弱|不好)"),
}

# The utility a ticket's bill, meter or account is of, outage or not: a water bill and a power bill of two empty flats
# were listed as repeats, and a water connection and a gas connection made one hotspot (a utilities liaison's round).
# 水电费, 水电 name both (a hydropower station is neither).
_UTILITIES = {
    "water": re.compile("水费|水表|自来水|供水|水电(?!站)"),
    "power": re.compile("电费|电表|供电|用电|水电(?!站)"),
    "gas": re.compile("燃气|天然气|煤气|管道气|气费|气表"),
}


# A pipe that burst or leaks in a home (楼上那家屋里水管漏水, 我屋厨房的水管爆哒): a neighbour's or the owner's matter, not
# the outage of a street whose calls `_with_outages` joins (a night supervisor's round found such leaks in a burst
# main's hotspot).
_IN_A_HOME = re.compile(f"(楼上|楼下|屋里|家里|屋厨房|家厨房|卫生间|厕所|室内)[^，。！？\n]{{0,6}}{_PIPE_FAILS}")


# What kind of emergency a call put through tells (`related`'s incident links): five callers of one fire say 着火,
# 冒烟, 烧起来 and share few words; a man on a roof and a beating at home, both 110 in one township within the hour,
# are two emergencies (a shift leader's round linked them, and a school's gas leak with a village's fire).
_EMERGENCIES = {
    "fire": re.compile("火|烟|烧|爆炸|炸了"),
    "gas": re.compile("燃气|煤气|天然气|液化气|漏气|气味|臭鸡蛋"),
    "water": re.compile("落水|溺水|掉[^，。！？\n]{0,4}(河|塘|水|井)|冲走|洪水|被水|淹|水库|决堤"),
    "fall": re.compile("跳楼|跳桥|跳河|要跳|轻生|不想活|自杀|寻短见|爬上|楼顶|坠楼|摔"),
    # (砸 by people: 打砸, 砸门; a wall that fell and 砸到 two passers-by is a collapse, not the fight an hour before: a
    # city-management re-tester's round)
    "violence": re.compile("打人|打架|斗殴|砍|刀|捅|家暴|打我|打她|打他|打老婆|抢|绑架|劫|强奸|性侵|打砸|砸(东西|门|窗|车|店|玻璃|我|他|她|人)"),
    "collapse": re.compile("倒塌|坍塌|垮|倒下来|掉下来|脱落|砸(到|伤|中)|压在|(吹|刮)(倒|断)"),
    # (还冇回屋, 电话也打不通: a shift leader's re-tester, linked to a knife fight in the same street, 110 both)
    "missing": re.compile("走失|走丢|不见了|找不到|[没冇]有?回(来|家|屋)|[没冇]有?到家|联系不上|失联|丢了|拐"),
    "traffic": re.compile("车祸|撞|翻|追尾|碾"),
    "illness": re.compile("晕倒|昏倒|晕过去|昏迷|没有?呼吸|呼吸困难|抽搐|抽筋|农药|敌敌畏|百草枯|老鼠药|中毒|安眠药|吐血|口吐白沫"
                          "|心脏|胸口|不省人事|[叫喊]不[醒应]"),
    "trapped": re.compile("被困|困在|电梯|出不来|出不去|被埋|埋了|塌|滑坡|泥石流"),
    "power": re.compile("电线|高压线|电杆|触电|电到|漏电"),
}


# …and a call put through to 120 alone is about one person: an old man collapsed and a child who drank pesticide, a
# stroke and a fall on the ice, 120 each in one township within the hour, are two (a health liaison's round, then its
# re-tester's, whose calls told no kind the words above know). Such a call is one emergency with another only where
# both tell the same cause (喝了农药 and 吞了半瓶敌敌畏: a neighbour calling about the same man), not a symptom many share
# (叫不醒, 流血).
_ONE_PERSONS_LINES = frozenset({"120 急救"})
_AFFLICTIONS = {
    "poison": re.compile("农药|敌敌畏|百草枯|老鼠药|安眠药|中毒|吞了|喝了"),
    "fumes": re.compile("煤气|一氧化碳|烧炭|炭火|炭盆|煤炉|火盆|火箱|烤火"),
    "stroke": re.compile("中风|脑梗|脑溢血|脑出血|半边身子|嘴巴?歪"),
    "heart": re.compile("心脏|胸口|胸痛|心梗"),
    "fall": re.compile("摔|跌|滑倒|掉下来|坠"),
    "birth": re.compile("要生|快生|临产|羊水|难产|生孩子"),
    "burn": re.compile("烧伤|烫伤|烫起|烧烂|着火|烧着|点着"),
    "bite": re.compile("蛇|狗咬|咬伤"),
}


def _afflictions(text: str) -> frozenset[str]:
    return frozenset(kind for kind, words in _AFFLICTIONS.items() if words.search(text))


def _emergencies(text: str) -> frozenset[str]:
    return frozenset(kind for kind, words in _EMERGENCIES.items() if words.search(text))


@lru_cache(maxsize=8192)
def _seen_emergencies(text: str) -> frozenset[str]:
    return _emergencies(text)


def _clean(text: str) -> str:
    return " ".join(without_formalities(without_call_fillers(without_placeholders(text))).split())


_VECTORIZER = HashingVectorizer(analyzer="char", ngram_range=(1, 2), n_features=_FEATURES, alternate_sign=False,
                                norm=None, dtype=np.float64)


@lru_cache(maxsize=256)
def _tf(cleaned: str) -> sp.csr_matrix:
    """Sublinear tf row of a cleaned text; empty for one that names no matter (`text_names_a_matter`), which two
    callers' 我要投诉，电话… would otherwise share word for word. Cached: the service checks a ticket and then adds
    the same text, and the rows are never changed once made."""
    if not text_names_a_matter(cleaned):
        return sp.csr_matrix((1, _FEATURES))
    row = _VECTORIZER.transform([cleaned]).tocsr()
    row.data = 1.0 + np.log(row.data)
    return row


def _id_key(ticket_id: str) -> str:
    return re.sub(r"[\s\-_]", "", ticket_id).upper()


@dataclass(frozen=True)
class Related:
    """An earlier ticket about the same matter."""

    ticket: SeenTicket
    similarity: float | None  # None: listed by its number alone
    incident: bool = False  # listed as a call about the same emergency (`RepeatIndex.related`), not by its words
    named: bool = False  # listed because the ticket gives its number (工单号…, `Repeats.named`)

    @property
    def linked_by(self) -> str:
        return "number" if self.named else "incident" if self.incident else "words"


@dataclass(frozen=True)
class Hotspot:
    """Tickets of one period that report the same matter, most central first."""

    tickets: list[SeenTicket]
    townships: dict[str, int]
    topics: dict[str, int]
    lead_units: dict[str, int]
    assisting_units: dict[str, int]
    # reported in `CITY_WIDE` townships or more: one matter of the whole county (a price rise, a new policy), not
    # the same kind of trouble in two places
    city_wide: bool = False

    @property
    def size(self) -> int:
        return len(self.tickets)

    @cached_property
    def keywords(self) -> list[str]:
        """What the group is about (see `group_keywords`); computed when asked, since only the groups shown need it."""
        return group_keywords(self.tickets)

    @property
    def first_at(self) -> datetime:
        return min(t.received_at for t in self.tickets)

    @property
    def last_at(self) -> datetime:
        return max(t.received_at for t in self.tickets)

    def since(self, cutoff: datetime) -> int:
        """Tickets of the group received at or after `cutoff` (naive UTC): whether a matter is still coming in."""
        return sum(t.received_at >= cutoff for t in self.tickets)


@dataclass(frozen=True)
class Judgements:
    """What agents said of pairs of tickets: the same matter, or not, whatever their similarity; and of a ticket's
    topic (ticket id → the agent's), which a group counts over the route's as it counts units where they were sent."""

    same: frozenset[frozenset[str]] = frozenset()
    different: frozenset[frozenset[str]] = frozenset()
    topics: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_answers(cls, answers: Iterable[tuple[str, list[str] | None, str | None]],
                     topics: Mapping[str, str] | None = None) -> Judgements:
        """From agents' answers (ticket id, the ids its route listed or None, the ticket it was linked to or None),
        the latest per ticket: a link joins two tickets, and a ticket the agent judged a new matter is another matter
        than each it was listed with. The others listed beside a link are left unjudged: a ticket is linked to one
        earlier report (its 母件), and the neighbour's call listed beside it may well be about the same outage."""
        same, different = set(), set()
        for ticket_id, listed, repeat_of in answers:
            if repeat_of is not None:
                if repeat_of != ticket_id:
                    same.add(frozenset((ticket_id, repeat_of)))
                continue
            different.update(frozenset((ticket_id, other)) for other in listed or () if other != ticket_id)
        return cls(frozenset(same), frozenset(different - same), dict(topics or {}))


class _Characters:
    """Character 1–2-gram TF-IDF over the window (the default method), held feature by feature (the transpose of a
    ticket × feature matrix), so that a check reads only the tickets that share a gram with the new one. Rows added
    since the last merge are held apart, and the TF-IDF norms of the merged ones, which depend on the IDF, are
    refreshed when they are merged (see `_PENDING`), not on each check: one ticket more moves the IDF of a month's
    window by a fraction of a percent. The caller holds the index's lock for everything but `rows` and `query`."""

    follow_up_margin = 0.05

    def __init__(self):
        self._count = 0  # rows held, merged and pending, replaced ones included (they leave at the merge)
        self._columns = sp.csr_matrix((_FEATURES, 0))  # feature × merged ticket, sublinear tf
        self._norms = np.zeros(0)  # TF-IDF norms of the merged tickets, as of the last merge
        self._pending: list[sp.csr_matrix] = []
        self._pending_norms: list[float] = []
        self._df = np.zeros(_FEATURES, dtype=np.int64)  # document frequency; replaced tickets leave it at the merge
        self._scratch = np.zeros(_FEATURES)

    @staticmethod
    def rows(tickets: Sequence[SeenTicket]) -> list[sp.csr_matrix]:
        return [_tf(_clean(_ticket_text(t))) for t in tickets]

    @staticmethod
    def query(text: str) -> sp.csr_matrix:
        return _tf(_clean(text))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _idf(self, columns: np.ndarray | None = None) -> np.ndarray:
        df = self._df if columns is None else self._df[columns]
        return np.log((1.0 + self._count) / (1.0 + df)) + 1.0

    def append(self, rows: list[sp.csr_matrix]) -> None:
        for row in rows:
            self._count += 1
            self._df[row.indices] += 1
            self._pending.append(row)
            self._pending_norms.append(float(np.linalg.norm(row.data * self._idf(row.indices))) or 1.0)

    def merge(self, keep: np.ndarray | None) -> None:
        """Folds the pending rows in, keeps the rows `keep` (None: all) and refreshes the document frequencies and
        norms."""
        columns = self._columns
        if self._pending:
            columns = sp.hstack([columns, sp.vstack(self._pending).T], format="csr")
        self._pending, self._pending_norms = [], []
        if keep is not None:
            columns = columns[:, keep].tocsr()
        self._columns = columns
        self._count = columns.shape[1]
        self._df = np.diff(columns.indptr)
        idf = self._idf()
        squared = columns.copy()
        squared.data **= 2
        norms = np.sqrt(squared.T @ (idf * idf))
        norms[norms == 0] = 1.0
        self._norms = norms

    def scores(self, query: sp.csr_matrix) -> np.ndarray | None:
        """The cosine of the query with every row, merged then pending; None for a query of no known gram."""
        idf = self._idf(query.indices)
        weights = query.data * idf
        norm = np.linalg.norm(weights)
        if norm == 0:
            return None
        # Cosine = Σ q·idf² · tf / (|q·idf| |tf·idf|): the query carries both IDF factors.
        weighted = sp.csr_matrix((weights * idf / norm, query.indices, [0, len(query.indices)]),
                                 shape=(1, _FEATURES))
        scores = (weighted @ self._columns).toarray().ravel() / self._norms
        if self._pending:
            # A dense query for the few pending rows: transposing a sparse one would cost O(features).
            self._scratch[query.indices] = weighted.data
            pending = sp.vstack(self._pending, format="csr") @ self._scratch
            self._scratch[query.indices] = 0.0
            scores = np.concatenate([scores, pending / np.array(self._pending_norms)])
        return scores

    def unit_rows(self, positions: np.ndarray) -> sp.csr_matrix:
        """The merged rows at `positions` as unit TF-IDF vectors (call right after a merge)."""
        rows = self._columns[:, positions].T.multiply(self._idf()).tocsr()
        return sp.diags(1.0 / self._norms[positions]) @ rows

    @staticmethod
    def similar(rows: sp.csr_matrix, threshold: float) -> sp.csr_matrix:
        return _similar_pairs(rows, threshold)

    @staticmethod
    def groups(graph: sp.csr_matrix, threshold: float) -> np.ndarray:
        """Hotspot labels: the connected components of the similarity graph."""
        return connected_components(graph, directed=False)[1]


# How a hotspot of the e5 method is kept from chaining look-alikes (`_Meanings.groups`).
_DENSITY = 0.3
_STEP = 0.005
# What the e5 method reads of a ticket: the first characters say what it is about; on the judged pairs 80 or 120 of
# them ranked as well as 400 (AUC 0.920 against 0.926, a scratch probe of 2026-12-03) for a third of the encoder time.
E5_CHARS = 100


class _Meanings:
    """e5 query embeddings of the start of each ticket (`APPEAL_REPEAT_METHOD=e5`): they link a repeat told in the
    caller's own words (湾头桥新街菜市场那里水管破了 / 湾头桥镇农贸市场前面马路上水管爆开了), which shares too few
    characters for the default method. They read the place and the kind of trouble first, so another problem at the
    same place can pass too (bench/RESULTS.md ## Repeat appeals, the e5 method). A ticket's vector is stored with it
    in the ticket log, so other processes and the next start read it instead of encoding it again."""

    follow_up_margin = 0.01

    def __init__(self, encoder: Encoder):
        self.encoder = encoder
        self._vectors: np.ndarray | None = None  # merged rows; their width is the encoder's, known from its first
        self._pending: list[np.ndarray] = []

    def rows(self, tickets: Sequence[SeenTicket]) -> list[np.ndarray]:
        """Each ticket's stored vector when this encoder made it, else its encoding (in one batch)."""
        rows: list[np.ndarray | None] = [_stored(t, self.encoder.fingerprint) for t in tickets]
        missing = [i for i, row in enumerate(rows) if row is None]
        if missing:
            if len(missing) > 100:  # a window stored by the default method, or by another encoder: minutes at start
                log.info("encoding %d tickets of the repeat window with e5", len(missing))
            texts = [_meaning_text(_ticket_text(tickets[i])) for i in missing]
            encoded = _encode_all(self.encoder, texts)
            for i, vector in zip(missing, encoded):
                rows[i] = vector
        return rows

    def query(self, text: str) -> np.ndarray:
        return _encode_all(self.encoder, [_meaning_text(text)])[0]

    @property
    def pending(self) -> int:
        return len(self._pending)

    def append(self, rows: list[np.ndarray]) -> None:
        self._pending.extend(rows)

    def merge(self, keep: np.ndarray | None) -> None:
        vectors = [self._vectors] if self._vectors is not None else []
        if self._pending:
            vectors.append(np.vstack(self._pending))
        self._pending = []
        if vectors:
            self._vectors = np.vstack(vectors) if len(vectors) > 1 else vectors[0]
            if keep is not None:
                self._vectors = self._vectors[keep]

    def scores(self, query: np.ndarray) -> np.ndarray | None:
        if not query.any():
            return None
        merged = self._vectors @ query if self._vectors is not None else np.zeros(0, np.float32)
        pending = np.array([row @ query for row in self._pending], np.float32)
        return np.concatenate([merged, pending]).astype(np.float64)

    def unit_rows(self, positions: np.ndarray) -> np.ndarray:
        if self._vectors is None:
            return np.zeros((0, 0), np.float32)
        return self._vectors[positions]

    @staticmethod
    def similar(rows: np.ndarray, threshold: float, chunk: int = 1024) -> sp.csr_matrix:
        """The cosines at or above `threshold` between different rows, a chunk of rows at a time."""
        pieces = []
        for start in range(0, len(rows), chunk):
            block = rows[start:start + chunk] @ rows.T
            block[np.arange(len(block)), np.arange(start, start + len(block))] = 0.0
            block[block < threshold] = 0.0
            pieces.append(sp.csr_matrix(block.astype(np.float64)))
        return sp.vstack(pieces, format="csr") if pieces else sp.csr_matrix((0, 0))

    @staticmethod
    def groups(graph: sp.csr_matrix, threshold: float) -> np.ndarray:
        """Hotspot labels: connected components, each one in which fewer than `_DENSITY` of the pairs are linked
        directly split again at a threshold `_STEP` higher. e5 puts every noise complaint near every other: on the
        board's messages the plain components chained 290 of them, from a dozen sites, into one group, and each
        matter's own tickets, linked to most of their group, stay together (bench/RESULTS.md ## Repeat appeals,
        the e5 method). An agent's link weighs 1 and is never cut."""
        labels = np.full(graph.shape[0], -1)
        pending, label = [(np.arange(graph.shape[0]), threshold)], 0
        while pending:
            members, floor = pending.pop()
            part = graph[members][:, members]
            part.data[part.data < floor] = 0.0
            part.eliminate_zeros()
            count, inside = connected_components(part, directed=False)
            for component in range(count):
                group = members[inside == component]
                links = (graph[group][:, group].data >= floor).sum() / 2
                if len(group) < 3 or links >= _DENSITY * len(group) * (len(group) - 1) / 2 or floor >= 1.0:
                    labels[group] = label
                    label += 1
                else:
                    pending.append((group, floor + _STEP))
        return labels


def _ticket_text(ticket: SeenTicket) -> str:
    return f"{ticket.title or ''}\n{ticket.text}"


def _names(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """What a ticket names that tells two matters apart (`_same_named`): the villages (`village_names`), the
    utilities whose outage it reports (`_OUTAGES`) and those its bill, meter or account is of (`_UTILITIES`)."""
    return (village_names(text), *(frozenset(name for name, words in kinds.items() if words.search(text))
                                   for kinds in (_OUTAGES, _UTILITIES)))


@lru_cache(maxsize=8192)
def _seen_names(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """`_names` of a ticket of the window, read once: a check reads them for every ticket it lists."""
    return _names(text)


def _meaning_text(text: str) -> str:
    """What the e5 method encodes: the cleaned start of a ticket; empty for one that names no matter."""
    cleaned = _clean(text)
    return cleaned[:E5_CHARS] if text_names_a_matter(cleaned) else ""


def _stored(ticket: SeenTicket, fingerprint: str) -> np.ndarray | None:
    if ticket.embedding is None or ticket.embedding_model != fingerprint:
        return None
    return np.frombuffer(ticket.embedding, dtype=np.float32)


@lru_cache(maxsize=256)
def _encoded(encoder: Encoder, text: str) -> np.ndarray:
    """Cached, as `_tf` is: the service checks a ticket and then stores its vector."""
    return np.asarray(encoder.encode_queries([text])[0], np.float32)


def _encode_all(encoder: Encoder, texts: list[str]) -> list[np.ndarray]:
    """Vectors of `texts`; an empty text (erased, or naming no matter) gets zeros, which are nobody's repeat. One
    text goes through the cache, many in one batch (a window loaded at start)."""
    if len(texts) == 1:
        return [_encoded(encoder, texts[0]) if texts[0] else np.zeros(encoder.dim, np.float32)]
    filled = [i for i, text in enumerate(texts) if text]
    vectors = [np.zeros(encoder.dim, np.float32)] * len(texts)
    if filled:
        for i, vector in zip(filled, np.asarray(encoder.encode_queries([texts[i] for i in filled]), np.float32)):
            vectors[i] = vector
    return vectors


class RepeatIndex:
    """In-memory index over a sliding window of tickets; thread-safe. Similarity is that of `_Characters` (the
    default) or, given an e5 `encoder`, of `_Meanings`; the index keeps which tickets are in the window."""

    def __init__(self, threshold: float, window_days: int, encoder: Encoder | None = None):
        self.threshold = threshold
        self.window = timedelta(days=window_days)
        self.space = _Meanings(encoder) if encoder is not None else _Characters()
        self._tickets: list[SeenTicket] = []  # merged rows, then pending rows
        self._position: dict[str, int] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._received = np.zeros(0, dtype="datetime64[us]")
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return int(self._alive.sum())

    @property
    def method(self) -> str:
        return "e5" if isinstance(self.space, _Meanings) else "characters"

    @property
    def follow_up_floor(self) -> float:
        """The similarity a follow-up's earlier ticket needs: the threshold less the method's margin, where nearly all
        judged repeats of the board's messages pass (characters 0.20: 0.94 of them; e5 0.93: 0.95)."""
        return self.threshold - self.space.follow_up_margin

    def embedding(self, ticket: SeenTicket) -> SeenTicket:
        """The ticket with its e5 vector, for the ticket log (as it is, for the default method)."""
        if not isinstance(self.space, _Meanings):
            return ticket
        vector = self.space.rows([ticket])[0]
        return replace(ticket, embedding=vector.astype(np.float32).tobytes(),
                       embedding_model=self.space.encoder.fingerprint)

    def add(self, ticket: SeenTicket) -> None:
        """Adds a ticket; one with the same id as an earlier ticket replaces it."""
        self.extend([ticket])

    def extend(self, tickets: Sequence[SeenTicket]) -> None:
        """Adds tickets in order, as `add` does, merging once at the end: the service loads a month's tickets at
        start, which one by one would merge about 300 times on the way."""
        if not tickets:
            return  # every check syncs first, and mostly finds nothing new
        rows = self.space.rows(tickets)
        with self._lock:
            start = len(self._tickets)
            # an erased ticket's row (`TicketLog.forget`) has no text: it only takes the place of the ticket's row
            alive = np.array([not t.erased for t in tickets], dtype=bool)
            self._alive = np.concatenate([self._alive, alive])
            self._received = np.concatenate(
                [self._received, np.array([t.received_at for t in tickets], dtype="datetime64[us]")])
            for offset, ticket in enumerate(tickets):
                earlier = self._position.get(ticket.ticket_id)
                if earlier is not None:
                    self._alive[earlier] = False
                self._position[ticket.ticket_id] = start + offset
                self._tickets.append(ticket)
            self.space.append(rows)
            if self.space.pending > min(_PENDING, len(self._tickets) // _PENDING):
                self._merge()

    def knows(self, ticket_id: str) -> bool:
        """Whether the ticket was routed within the window (and not replaced since): a repeat check could list it."""
        return self.routed(ticket_id) is not None

    def routed(self, ticket_id: str) -> SeenTicket | None:
        """The last route of the ticket of this id within the window; None when it is not there (or was erased)."""
        cutoff = np.datetime64(utc_now() - self.window, "us")
        with self._lock:
            row = self._position.get(ticket_id)
            if row is None or not self._alive[row] or self._received[row] < cutoff:
                return None
            return self._tickets[row]

    def routed_as(self, number: str) -> SeenTicket | None:
        """The ticket of the window a caller's `number` gives: its id in any case, with or without its separators
        (wg2026900002 for WG-2026-900002), or its last six characters or more where one id alone ends so (a night
        agent's re-tester found only the id as stored linked)."""
        key = _id_key(number)
        with self._lock:
            ids = [i for i in self._position if _id_key(i) == key] or (
                [i for i in self._position if _id_key(i).endswith(key)] if len(key) >= 6 else [])
        return self.routed(ids[0]) if len(ids) == 1 else None

    def _merge(self) -> None:
        """Folds the pending tickets in and drops replaced ones and those that left the window (caller holds the
        lock). Dropping renumbers tickets, so it happens here only."""
        keep = np.flatnonzero(self._alive & (self._received >= np.datetime64(utc_now() - self.window, "us")))
        if len(keep) < len(self._tickets):
            self.space.merge(keep)
            self._tickets = [self._tickets[i] for i in keep]
            self._alive = np.ones(len(keep), dtype=bool)
            self._received = self._received[keep]
            self._position = {t.ticket_id: i for i, t in enumerate(self._tickets)}
        else:
            self.space.merge(None)

    def related(self, text: str, *, now: datetime | None = None, exclude: str | None = None, k: int = 5,
                min_similarity: float | None = None, township: str | None = None,
                before: datetime | None = None, incident: frozenset[str] = frozenset()) -> list[Related]:
        """The k most similar tickets of the window at or above the threshold, most similar first. With `township`
        (the ticket's), a ticket of another known township is left out: see `_same_place`. With `before` (naive
        UTC, the time a ticket of a backlog came in), tickets received after it are no earlier report of it; a
        retry's rule (`exclude`: what came in after its first copy) then gives way to the time given. A ticket that
        names other villages than this one, and none of its, is left out too, as is one that reports another
        utility's outage (a power cut is no repeat of a water cut; `told_apart`). With `incident`
        (the lines the route said to put the caller through to: 119 救援), the tickets of the last `INCIDENT_HOURS`
        in the same township that named one of them follow, however few words they share: five callers seeing one
        fire from five places tell it in five ways; where both tell what kind of emergency it is, it is one kind
        (`_EMERGENCIES`: a jumper is no beating's caller)."""
        now = now or utc_now()
        named = _names(text)
        floor = self.threshold if min_similarity is None else min_similarity
        query = self.space.query(text)
        with self._lock:
            if not len(self):
                return []
            scores = self.space.scores(query)
            if scores is None:
                return []
            scores[~(self._alive & (self._received >= np.datetime64(now - self.window, "us")))] = -np.inf
            if before is not None:
                scores[self._received > np.datetime64(before, "us")] = -np.inf
            elif exclude is not None and (own := self._position.get(exclude)) is not None and self._alive[own]:
                # the same ticket routed again (a platform's retry): what came in after it is no earlier report
                scores[self._received > self._received[own]] = -np.inf
            found = []
            order = np.argsort(-scores, kind="stable")
            for i in order:
                if scores[i] < floor or len(found) == k:
                    break
                seen = self._tickets[i]
                # a ticket an agent sent on to another township is that one's too (the caller may name either)
                here = _same_place(township, seen.township) or (
                    seen.assigned_township is not None and township == seen.assigned_township)
                if seen.ticket_id != exclude and here and not _apart(named, _seen_names(_ticket_text(seen))):
                    # A copy can score a hair above 1 while the norms lag the IDF (see _PENDING).
                    found.append(Related(seen, min(float(scores[i]), 1.0)))
            if incident and township:
                kinds, afflictions = _emergencies(text), _afflictions(text)
                since = np.datetime64((before or now) - INCIDENT_HOURS, "us")
                listed = {related.ticket.ticket_id for related in found}
                for i in order:
                    if scores[i] == -np.inf or len(found) == k:  # out of the window, or after the ticket
                        break
                    seen = self._tickets[i]
                    if (seen.ticket_id in listed or seen.ticket_id == exclude or self._received[i] < since
                            or township not in (seen.township, seen.assigned_township)
                            or incident.isdisjoint(seen.lines)):
                        continue
                    seen_text = _ticket_text(seen)
                    if incident <= _ONE_PERSONS_LINES or set(seen.lines) <= _ONE_PERSONS_LINES:
                        same_kind = not afflictions.isdisjoint(_afflictions(seen_text))
                    else:
                        same_kind = _same_named(kinds, _seen_emergencies(seen_text))
                    if same_kind and _same_named(named[0], _seen_names(seen_text)[0]):  # the kind, the villages
                        found.append(Related(seen, min(float(scores[i]), 1.0), incident=True))
            return found

    def count(self, *, days: float, now: datetime | None = None, township: str | None = None,
              unit: str | None = None, sent_only: bool = False, until: datetime | None = None) -> int:
        """Tickets received in the last `days` (or the `days` before `until`); with `township`, those reported in it or
        sent on to it; with `unit`, those sent to it (`SeenTicket.dispatched_to`) or that it assists; `sent_only`: as
        `SeenTicket.concerns`."""
        with self._lock:
            period = self._alive & self._received_in(days, now, until)
            if township is None and unit is None and not sent_only:
                return int(period.sum())
            return sum(ticket.concerns(township, unit, sent_only=sent_only)
                       for ticket in (self._tickets[p] for p in np.flatnonzero(period)))

    def _received_in(self, days: float, now: datetime | None, until: datetime | None) -> np.ndarray:
        """Which positions were received in the last `days`, or in the `days` before `until` (naive UTC: a week named
        by its dates, where a statistician's round asked on Monday night for the last 7 × 24 hours and lost Monday)."""
        received = self._received >= np.datetime64((until or now or utc_now()) - timedelta(days=days), "us")
        return received if until is None else received & (self._received < np.datetime64(until, "us"))

    def hotspots(self, *, days: float, min_size: int = 3, now: datetime | None = None,
                 judgements: Judgements = Judgements(), until: datetime | None = None) -> list[Hotspot]:
        """Groups of at least `min_size` tickets received in the last `days` (or the `days` before `until`) that are
        linked by similarity at or above the threshold (directly or through each other), largest first. Agents'
        `judgements` overrule the similarity: a pair they linked is joined, a pair they told apart is not (it may
        still meet through others)."""
        with self._lock:
            self._merge()
            positions = np.flatnonzero(self._received_in(days, now, until))
            tickets = [self._tickets[p] for p in positions]
            rows = self.space.unit_rows(positions)
        if len(tickets) < min_size:
            return []
        similar = _with_outages(self.space.similar(rows, self.threshold), tickets)
        everywhere = _judged(_apart_by_what_they_name(similar, tickets, villages=False), tickets, judgements)
        apart = _judged(_apart_by_township(_apart_by_what_they_name(similar, tickets), tickets), tickets,
                        judgements)
        # Two townships reporting the same words are two matters; a matter reported in several (燃气涨价 in 15
        # townships, two tickets each) is one of the whole county, which kept apart made no group at all.
        wide, local = (self.space.groups(graph, self.threshold) for graph in (everywhere, apart))
        groups: list[tuple[np.ndarray, bool]] = []
        for label in np.unique(wide):
            members = np.flatnonzero(wide == label)
            places = Counter(tickets[i].handled_in for i in members if tickets[i].handled_in)
            # …reported across the county: a group most of whose tickets come from one township is that township's,
            # with a few alike in words from others (20 calls of one street's power cut, 4 of two other places')
            if len(places) >= CITY_WIDE and max(places.values()) * 2 <= sum(places.values()):
                groups.append((members, True))
            else:
                groups.extend((members[local[members] == part], False) for part in np.unique(local[members]))
        spots = []
        for members, city_wide in groups:
            if len(members) < min_size:
                continue
            centrality = np.asarray((everywhere if city_wide else apart)[members].sum(axis=1)).ravel()
            group = [tickets[i] for i in members[np.argsort(-centrality, kind="stable")]]
            spots.append(Hotspot(
                tickets=group,
                townships=dict(Counter(t.handled_in for t in group if t.handled_in).most_common()),
                topics=dict(Counter(topic for t in group if (topic := judgements.topics.get(t.ticket_id, t.topic)))
                            .most_common()),
                lead_units=dict(Counter(t.dispatched_to for t in group if t.dispatched_to).most_common()),
                assisting_units=dict(Counter(unit for t in group for unit in t.assisted_by).most_common()),
                city_wide=city_wide,
            ))
        return sorted(spots, key=lambda s: (-s.size, -s.last_at.timestamp()))


@lru_cache(maxsize=1)
def _general_idf() -> tuple[dict[str, float], float]:
    import jieba.analyse

    table = jieba.analyse.TFIDF()  # jieba's own IDF table of general Chinese text, shipped with the package
    return table.idf_freq, table.median_idf


@lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    home = deployment_area().home_area_words
    # masked again (idempotent): a ticket an earlier release logged keeps the name its masking missed, and a caller
    # who rang twice made it a keyword of the group, shown to every agent
    cleaned = _clean(masked_text(text))
    # a road is one word (a statistician's round: 都梁路's group read 梁路, jieba's cut after 都)
    roads = road_names(cleaned, whole=True)
    return roads | frozenset(w for w in segment(cleaned) if len(w) > 1 and not w.isdigit() and w not in home
                             and not any(w in road for road in roads))


def group_keywords(tickets: list[SeenTicket], k: int = 5, share: float = 0.2) -> list[str]:
    """The words that say what a group of tickets is about: in at least `share` of its tickets (and two), ranked by
    that share times the word's IDF in general Chinese text, so the place and the matter (丽发, 搅拌站) mostly come
    before words such as 小区. A word jieba's table does not know (a place name of the domain dictionaries) counts
    as rare."""
    idf, unknown = _general_idf()
    counts = Counter(w for t in tickets for w in _words(_ticket_text(t)))
    least = max(2, share * len(tickets))
    scored = {w: n / len(tickets) * idf.get(w, unknown) for w, n in counts.items()
              if n >= least and w not in _NO_KEYWORDS and w not in _township_words()}
    return sorted(scored, key=lambda w: (-scored[w], w))[:k]


# Words that say nothing of the matter (处理, 反映, 希望: a township clerk's round found 处理 a group's keyword)
# …nor when and where a caller was (a statistician's round: a township's outage read 水厂 早上 街上 屋里 今天)
_NO_KEYWORDS = QUESTION_WORDS | REQUEST_WORDS | ACKNOWLEDGEMENTS | CALL_NOTES | frozenset(
    "今天 昨天 前天 明天 早上 上午 中午 下午 晚上 半夜 凌晨 现在 每天 天天 一直 屋里 家里 街上 这边 那边 这里 那里".split())


@lru_cache(maxsize=1)
def _township_words() -> frozenset[str]:
    """The townships' names, whole and bare (湾头桥镇, 湾头桥): a group lists its townships beside its keywords, where
    the name took a keyword's place in nearly every group of a township (a township clerk's round)."""
    names = set()
    for township in default_gazetteer().townships:
        names.add(township.name)
        if township.name.endswith(township.kind) and len(bare := township.name[:-len(township.kind)]) > 1:
            names.add(bare)
    return frozenset(names)


def _same_place(one: str | None, other: str | None) -> bool:
    """Whether two tickets may be about one matter as far as their townships tell. Two known and different
    townships mean two places: night works, a blocked drain or a neighbours' dispute described in the same words in
    two townships are two matters for two governments. An unknown township (none named, or several) tells nothing."""
    return not (one and other and one != other)


def _same_named(one: frozenset[str], other: frozenset[str]) -> bool:
    """Whether two tickets may be about one matter as far as what they name of one kind tells: the villages (an ice
    storm's outage reported in the same agent's words from 白沙村 and from 龙溪村, a township named by one of them
    or by neither), the utilities out (小区停电了一整天 and 小区停水三天了, 0.32 in a platform integrator's round) or
    billed.
    Two tickets that each name some and share none are two matters; one that names none tells nothing, nor does
    one that names two (停水停电) beside either."""
    return not (one and other and one.isdisjoint(other))


def _apart(one: tuple[frozenset[str], ...], other: tuple[frozenset[str], ...]) -> bool:
    return not all(_same_named(mine, theirs) for mine, theirs in zip(one, other))


def told_apart(one: str, other: str) -> bool:
    """Whether two tickets of the window (title and text) are two matters however alike their words: they name
    different villages, report outages of different utilities or are about different utilities' bills, meters or
    accounts (`_names`)."""
    return _apart(_seen_names(one), _seen_names(other))


def _apart_by_what_they_name(edges: sp.csr_matrix, tickets: list[SeenTicket], *,
                             villages: bool = True) -> sp.csr_matrix:
    """The similarity edges without those between tickets `told_apart`, which the check never lists together: a
    duty supervisor found 白竹村's outage in 桥头村's hotspot, linked by no route. Without `villages`, only the
    utilities (out, or billed) tell them apart: a matter of the whole county is told from many villages, and no power
    cut is a water cut (a utilities liaison found two 停水 tickets in a county-wide group of 停电)."""
    pairs = edges.tocoo()
    names = [_seen_names(_ticket_text(ticket))[0 if villages else 1:] for ticket in tickets]
    keep = np.array([not _apart(names[a], names[b]) for a, b in zip(pairs.row, pairs.col)], dtype=bool)
    return sp.csr_matrix((pairs.data[keep], (pairs.row[keep], pairs.col[keep])), shape=edges.shape)


def _apart_by_township(edges: sp.csr_matrix, tickets: list[SeenTicket]) -> sp.csr_matrix:
    """The similarity edges without those between tickets of two different townships (`_same_place`), a ticket of
    unknown township counting for the township of the nearest ticket it is linked to (fewest links, then the most
    similar): otherwise one ticket that names no place, linked to the night works of two townships, would join
    their two groups into one. A ticket an agent sent on to another township is of both, as the route's check
    has it: a repeat that still named the first township fell out of its group (a township clerk's round)."""
    known = np.array([i for i, t in enumerate(tickets) if t.handled_in], dtype=np.int64)
    names = {name for i in known for name in (tickets[i].handled_in, tickets[i].township) if name}
    codes = {name: i for i, name in enumerate(sorted(names))}
    if len(codes) < 2:
        return edges
    # A link counts 2 − its similarity, between 1 and 2: a shorter chain always comes first, stronger links break ties.
    distances = edges.copy()
    distances.data = 2.0 - distances.data
    _, _, nearest = dijkstra(distances, directed=False, indices=known, min_only=True, return_predecessors=True)
    township = np.array([codes[tickets[n].handled_in] if n >= 0 else -1 for n in nearest])
    # the township it was reported in, where an agent sent it on to another (-1: none other)
    reported = np.array([codes[t.township] if t.township and t.township != t.handled_in else -1 for t in tickets])
    pairs = edges.tocoo()
    a, b = township[pairs.row], township[pairs.col]
    a_too, b_too = reported[pairs.row], reported[pairs.col]
    keep = (a < 0) | (b < 0) | (a == b) | (a == b_too) | (a_too == b) | ((a_too >= 0) & (a_too == b_too))
    return sp.csr_matrix((pairs.data[keep], (pairs.row[keep], pairs.col[keep])), shape=edges.shape)


def _with_outages(edges: sp.csr_matrix, tickets: list[SeenTicket]) -> sp.csr_matrix:
    """The similarity edges, and one of weight 1 between each two tickets of one township, or naming one road
    (`road_names`), that report the outage of the same utility, and of no other, within `OUTAGE_HOURS` of each other:
    a night supervisor's round found four calls of a township's power cut (邓家铺镇街上全部停电了, 邓家铺这边冇得电了,
    金称市那边也停电了…) in no hotspot, their few words too unlike, and 3 of a burst main's 13 calls (玉带路口那个马路上水管子
    爆开哒, 玉带路爆水管一个多钟头哒…; most named the road, few the township). A pipe inside a home (`_IN_A_HOME`) is
    no outage of the street's. Villages told apart stay apart (`_apart_by_what_they_name` comes after)."""
    by_outage: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, ticket in enumerate(tickets):
        text = _ticket_text(ticket)
        utilities = _seen_names(text)[1]
        if len(utilities) == 1 and not _IN_A_HOME.search(text):
            for place in road_names(text) | ({ticket.handled_in} if ticket.handled_in else set()):
                by_outage[(place, *utilities)].append(i)
    return _weighted(edges, [(a, b, 1.0) for members in by_outage.values() for a, b in combinations(members, 2)
                             if abs(tickets[a].received_at - tickets[b].received_at) <= OUTAGE_HOURS])


def _judged(edges: sp.csr_matrix, tickets: list[SeenTicket], judgements: Judgements) -> sp.csr_matrix:
    """The similarity edges with the agents' judgements applied: a linked pair gets an edge of weight 1, a pair told
    apart loses its edge."""
    if not (judgements.same or judgements.different):
        return edges
    position = {t.ticket_id: i for i, t in enumerate(tickets)}
    weighted = []
    for pairs, weight in ((judgements.different, 0.0), (judgements.same, 1.0)):
        for pair in pairs:
            a, b = (position.get(ticket_id) for ticket_id in pair)
            if a is not None and b is not None:
                weighted.append((a, b, weight))
    return _weighted(edges, weighted)


def _weighted(edges: sp.csr_matrix, pairs: list[tuple[int, int, float]]) -> sp.csr_matrix:
    """The edges with each pair's weight set both ways (0 removes the edge), in the order given."""
    if not pairs:
        return edges
    edges = edges.tolil()
    for a, b, weight in pairs:
        edges[a, b] = edges[b, a] = weight
    edges = edges.tocsr()
    edges.eliminate_zeros()
    return edges


def _similar_pairs(rows: sp.csr_matrix, threshold: float, chunk: int = 512, frequent: int = 1000) -> sp.csr_matrix:
    """Sparse matrix of the cosine similarities at or above `threshold` between different rows, in chunks so that
    the full n × n product (dense for character grams) is never held. The product is split by feature: the
    `frequent` grams most tickets share (single characters, 小区, 反映) are multiplied as dense matrices, which BLAS
    does fast, and the rest, each shared by a few tickets, as sparse ones; the sum is the same, in about half the
    time of one sparse product (bench/RESULTS.md ## Repeat appeals). Memory: n × `frequent` floats, plus a chunk's
    n × `chunk` block, as before."""
    by_feature = rows.tocsc()
    df = np.diff(by_feature.indptr)
    used = np.flatnonzero(df)
    common = used[np.argsort(-df[used], kind="stable")[:frequent]]
    dense = by_feature[:, common].toarray()
    rare = by_feature[:, np.setdiff1d(used, common)].tocsr()
    rare_t = rare.T.tocsr()
    pieces = []
    for start in range(0, rows.shape[0], chunk):
        block = dense[start:start + chunk] @ dense.T
        shared = (rare[start:start + chunk] @ rare_t).tocoo()
        block[shared.row, shared.col] += shared.data
        block[np.arange(block.shape[0]), np.arange(start, start + block.shape[0])] = 0.0
        block[block < threshold] = 0.0
        pieces.append(sp.csr_matrix(block))
    return sp.vstack(pieces, format="csr") if pieces else sp.csr_matrix((0, 0))


class Repeats:
    """The repeat check of the service: the ticket log (shared by every process) and its index (one per process),
    kept in step by reading the rows written since the last look. `warm_up` loads the window and forgets older
    tickets.

    Row ids are handed out when a row is inserted, not when it is committed: on PostgreSQL a concurrent writer can
    commit id 11 before id 10. A missing id just below a new one is therefore looked for again for a while before
    it is taken for a rolled-back insert."""

    def __init__(self, url: str, *, threshold: float, window_days: int, last_write: LastWrite | None = None,
                 encoder: Encoder | None = None):
        self.log = TicketLog(url)
        self.last_write = last_write or LastWrite()
        self.index = RepeatIndex(threshold, window_days, encoder)
        self._last_row = 0
        self._gaps: dict[int, float] = {}  # row id not seen yet → when it was first missed (monotonic seconds)
        self._forgot_on: date | None = None
        self._sync_lock = threading.Lock()
        self._unsaved: deque[SeenTicket] = deque(maxlen=_UNSAVED)
        self._record_lock = threading.Lock()
        self._backlog_lock = threading.Lock()

    @classmethod
    def configured(cls, settings: Settings, *, encoder: Encoder | None, last_write: LastWrite | None = None) -> Repeats:
        """The check `settings` ask for (`repeat_method`, its threshold). The e5 method without a built encoder falls
        back to characters, said in the log: a missing encoder must not keep tickets from being routed."""
        e5 = settings.repeat_method == "e5"
        if e5 and encoder is None:
            log.warning("APPEAL_REPEAT_METHOD=e5 but no e5 encoder is built (`appeal base-model build`): repeats are "
                        "compared by characters")
            e5 = False
        return cls(settings.db_url, threshold=settings.repeat_e5_threshold if e5 else settings.repeat_threshold,
                   window_days=settings.repeat_window_days, last_write=last_write, encoder=encoder if e5 else None)

    def warm_up(self) -> None:
        self._forget_expired()
        self.sync()

    def _forget_expired(self) -> None:
        """Deletes the tickets that have left the window, at start and then once a day: masked text is still a
        citizen's words, and it is kept no longer than the check needs it."""
        today = utc_now().date()
        if self._forgot_on != today:
            with self.last_write.watch():
                self.log.forget_before(utc_now() - self.index.window)
            self._forgot_on = today  # once it worked: a database locked at start is tried again

    def sync(self) -> None:
        with self._sync_lock:
            now = time.monotonic()
            self._gaps = {row: since for row, since in self._gaps.items() if now - since < _GAP_SECONDS}
            read = []
            for row_id, ticket in self.log.after(self._last_row, utc_now() - self.index.window, also=list(self._gaps)):
                self._gaps.pop(row_id, None)
                if row_id > self._last_row:
                    # Ids skipped on the first load, or by more than a burst of writers, are old rows' deletions.
                    if self._last_row and row_id - self._last_row <= _IN_FLIGHT:
                        self._gaps.update({missing: now for missing in range(self._last_row + 1, row_id)})
                    self._last_row = row_id
                read.append(ticket)
            self.index.extend(read)

    def check(self, text: str, *, exclude: str | None = None, township: str | None = None, k: int = 5,
              before: datetime | None = None, incident: frozenset[str] = frozenset(),
              follow_up: bool = False) -> list[Related]:
        """Earlier tickets about the same matter as `text` (masked title and body) and of `township` when known;
        `before`, `incident`: see `RepeatIndex.related`. A `follow_up` (the caller says it was reported before) is
        compared at a lower floor (`follow_up_floor`): an earlier ticket is expected, so a weaker match is more
        likely to be it."""
        # A database that refuses writes (read-only, locked) may still be read: the check goes on without the
        # waiting tickets, where it used to say the database was unavailable.
        with contextlib.suppress(SQLAlchemyError):
            self._write()
        self.sync()
        return self.index.related(text, exclude=exclude, township=township, k=k, before=before, incident=incident,
                                  min_similarity=self.index.follow_up_floor if follow_up else None)

    def named(self, numbers: Iterable[str], related: list[Related], *, exclude: str | None = None) -> list[Related]:
        """`related` with the tickets of the window whose numbers a follow-up gives (`ticket_numbers`: 工单号…) first:
        a night agent's caller named the ticket routed minutes before, and was to be asked for its number. Where a
        number is found, the tickets only its words resemble are left out, a place's incident kept: an integrator's
        催办 of a street lamp by its number also listed a burst main at 0.28, and the hotspot then joined the two."""
        named = [Related(seen, None, named=True) for number in dict.fromkeys(numbers)
                 if (seen := self.index.routed_as(number)) is not None and seen.ticket_id != exclude]
        ids = {r.ticket.ticket_id for r in named}
        return named + [r for r in related if r.ticket.ticket_id not in ids and (r.incident or not named)]

    def knows(self, ticket_id: str) -> bool:
        """`RepeatIndex.knows`, with the tickets other processes routed meanwhile."""
        return self.routed(ticket_id) is not None

    def routed(self, ticket_id: str) -> SeenTicket | None:
        """`RepeatIndex.routed`, with the tickets other processes routed meanwhile and this one's that wait for the
        database, written first (raised as `record` does when it still cannot be): an agent's answer to a ticket
        routed during an outage was told it was never routed."""
        self._write()
        self.sync()
        return self.index.routed(ticket_id)

    def received_between(self, start: datetime, end: datetime) -> list[SeenTicket]:
        """The tickets of the window received from `start` to before `end` (naive UTC) as the log holds them, in the
        order they came in, this process's that wait for the database written first (raised as `record` does when
        it still cannot be); not those erased (`TicketLog.forget`)."""
        self._write()
        start = max(start, utc_now() - self.index.window)
        return [ticket for ticket in self.log.since(start, until=end) if not ticket.erased]

    def record(self, ticket: SeenTicket) -> None:
        """Stores the ticket (with its e5 vector, for that method). When the log cannot be written (the database is
        down), the error is raised and the ticket waits in this process's memory; it is stored, with its own time, by
        the next check or record that can write, so that a repeat of a matter reported during an outage is still
        linked (unless the process ends first)."""
        self._write(self.index.embedding(ticket))
        self._forget_expired()

    def reassign(self, ticket: SeenTicket, unit: str | None, township: str | None, by: str) -> None:
        """Stores that an agent sent `ticket` (its last route, as `routed` gives it) on to `unit` of `township` (None:
        back to the route's lead unit; a city department's township is None), by the key named `by`, reopening a
        centre's close: every process's repeat check then names that unit, and compares the ticket with that
        township's tickets too. Raised and kept waiting as `record` is, when the log cannot be written."""
        self._write(ticket.sent_to(unit, township).reopened(utc_now(), by))

    def send_back(self, ticket: SeenTicket, unit: str, reason: str, to: str | None, by: str) -> SeenTicket:
        """Stores that `unit` sent `ticket` (its last route, as `routed` gives it) back to the centre now, for `reason`
        (masked), saying it is `to`'s, by the key named `by`; gives the ticket as stored. Raised and kept waiting as
        `record` is, when the log cannot be written."""
        returned = ticket.sent_back(unit, reason, to, utc_now(), by)
        self._write(returned)
        return returned

    def reply(self, ticket: SeenTicket, unit: str, reply: str, contact: str | None, by: str) -> SeenTicket:
        """Stores `unit`'s reply to `ticket` (its last route, as `routed` gives it), now, `reply` (masked), `contact`
        the person to ring there, by the key named `by`; gives the ticket as stored. Raised and kept waiting as
        `record` is, when the log cannot be written."""
        replied = ticket.replied(unit, reply, contact, utc_now(), by)
        self._write(replied)
        return replied

    def close_at_centre(self, ticket: SeenTicket, note: str | None, by: str) -> None:
        """Stores that the centre closed `ticket` (its last route, as `routed` gives it) now (本级办结), having told the
        caller `note` (masked), by the key named `by`. Raised and kept waiting as `record` is, when the log cannot be
        written."""
        self._write(ticket.closed(note, utc_now(), by))

    def _write(self, *tickets: SeenTicket) -> None:
        """Writes the waiting tickets and `tickets`, in one transaction; on failure they all wait. The waiting tickets
        are written by one thread at a time, and the others wait for it: a check that synced meanwhile read the log
        before their commit and missed them (the service writes them in the background once an outage is over)."""
        # Held from before the queue is emptied until the write has ended, so that the queue or the lock tells a
        # thread that tickets are on their way. The requests of a working database write side by side.
        if not (self._unsaved or self._backlog_lock.locked()):
            self._add(list(tickets))
            return
        with self._backlog_lock:
            with self._record_lock:
                batch = [*self._unsaved, *tickets]
                self._unsaved.clear()
            self._add(batch)

    def _add(self, batch: list[SeenTicket]) -> None:
        """Writes `batch` in one transaction; on failure it waits in memory, before the tickets queued meanwhile."""
        if not batch:
            return
        try:
            # Not indexed here: every reader of the index syncs first, and that sync reads these rows with the others'.
            with self.last_write.watch():
                self.log.add(*batch)
        except Exception:
            with self._record_lock:  # before the tickets queued meanwhile, and the oldest go first when full
                self._unsaved = deque([*batch, *self._unsaved], maxlen=_UNSAVED)
            raise

    def flush(self) -> None:
        """Writes what waits for the database: the tickets held in memory, and the day's forgetting of expired ones.
        For a service to call while no ticket comes to do it (a night, an idle instance); raises as `record` does."""
        self._write()
        self._forget_expired()

    @property
    def unsaved(self) -> int:
        """Tickets waiting for the log to be writable again."""
        return len(self._unsaved)

    def hotspots(self, *, days: float, min_size: int = 3, judgements: Judgements = Judgements(),
                 until: datetime | None = None) -> list[Hotspot]:
        self.sync()
        return self.index.hotspots(days=days, min_size=min_size, judgements=judgements, until=until)

    def close(self) -> None:
        """Writes the tickets still waiting for the database, if it answers now; says how many are lost if not."""
        if self._unsaved:
            try:
                self._write()
            except Exception as exc:  # noqa: BLE001 — the process is ending; say what is lost rather than fail
                log.warning("%d routed tickets could not be written to the ticket log and are lost for the repeat "
                            "check: %s", len(self._unsaved), type(exc).__name__)
        self.log.close()
