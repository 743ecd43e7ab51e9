"""The feedback table on a real SQLite file and, where CI provides one, a real PostgreSQL server."""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from unittest.mock import ANY

import pytest
from sqlalchemy import create_engine, event, inspect, update

from appeal.database import add_missing_columns
from pipeline.errors import InputError
from tests.database_support import create_older_table
from training.feedback_store import Feedback, FeedbackRow, FeedbackStore, IdempotencyKeyReused, repeat_verdict

POSTGRES = os.environ.get("APPEAL_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'appeal.db'}"
    elif POSTGRES:
        url = POSTGRES
    else:
        pytest.skip("APPEAL_TEST_POSTGRES_URL is not set")
    opened = FeedbackStore(url)
    FeedbackRow.__table__.drop(opened.engine)  # a clean table even on a shared test database
    opened = FeedbackStore(url)
    yield opened
    FeedbackRow.__table__.drop(opened.engine)
    opened.close()


def test_feedback_round_trip(store):
    first = store.add(Feedback(text="小区门口路灯坏了，联系电话[手机号]。", topic="城乡建设", unit="城市管理和综合执法",
                               ticket_id="WG-7", suggestion_id="wg-ld-01", predicted_topic="城乡建设", model_version="v1"))
    second = store.add(Feedback(text="学校周边交通拥堵。", topic="交通运输"))
    assert second.id > first.id
    assert store.count() == 2
    rows = list(store.rows())
    assert [(r.ticket_id, r.topic, r.unit, r.suggestion_id) for r in rows] == [
        ("WG-7", "城乡建设", "城市管理和综合执法", "wg-ld-01"), (None, "交通运输", None, None)]
    assert rows[0].created_at is not None
    assert [r.text for r in store.rows(since_id=first.id)] == ["学校周边交通拥堵。"]


def test_feedback_survives_reopening(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'appeal.db'}"
    store = FeedbackStore(url)
    stored = store.add(Feedback(text="噪音扰民。", topic="环境保护"))
    store.close()
    reopened = FeedbackStore(url)
    assert [(r.id, r.topic) for r in reopened.rows()] == [(stored.id, "环境保护")]
    reopened.close()


def test_repeat_answers_round_trip(store):
    linked = store.add(Feedback(text="砂石场扬尘又来了。", topic="环境保护", ticket_id="WG-9",
                                related_ticket_ids=["WG-3", "WG-5"], repeat_of="WG-5"))
    unlisted = store.add(Feedback(text="学校周边交通拥堵。", topic="交通运输", ticket_id="WG-10"))
    rows = {row.id: row for row in store.rows()}
    assert (rows[linked.id].related_ticket_ids, rows[linked.id].repeat_of) == (["WG-3", "WG-5"], "WG-5")
    assert rows[linked.id].repeat_verdict() == "confirmed"
    assert (rows[unlisted.id].related_ticket_ids, rows[unlisted.id].repeat_verdict()) == (None, None)
    # the earlier ticket each answer linked, as deep as the chain goes (a matter's repeats, each linked to the first)
    store.add(Feedback(text="砂石场扬尘。", topic="环境保护", ticket_id="WG-5", repeat_of="WG-2"))
    assert store.links(["WG-9", "WG-10", "WG-404"]) == {"WG-9": "WG-5", "WG-5": "WG-2"}


def test_repeat_answers_are_the_latest_that_speak_of_repeats(store):
    store.add(Feedback(text="旧工单。", topic="城乡建设", ticket_id="WG-1", related_ticket_ids=["WG-0"]))
    with store.engine.begin() as connection:  # answered long before the period asked for
        connection.execute(update(FeedbackRow).values(created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
    store.add(Feedback(text="扬尘。", topic="环境保护", ticket_id="WG-2", related_ticket_ids=["WG-1"], repeat_of="WG-1"))
    store.add(Feedback(text="扬尘。", topic="环境保护", ticket_id="WG-2", related_ticket_ids=["WG-1"]))  # corrected
    store.add(Feedback(text="扬尘。", topic="环境保护", ticket_id="WG-2"))  # a later answer silent on repeats
    store.add(Feedback(text="路灯。", topic="城乡建设", ticket_id="WG-3"))
    store.add(Feedback(text="噪音。", topic="环境保护", ticket_id="WG-4", repeat_of="WG-2"))
    answers = store.repeat_answers(datetime.now(timezone.utc) - timedelta(days=7))
    assert [(a.ticket_id, a.related_ticket_ids, a.repeat_of) for a in answers] == [
        ("WG-2", ["WG-1"], None), ("WG-4", None, "WG-2")]


def test_a_listing_of_another_ticket_of_the_matter_the_agent_linked_is_right():
    """A quality inspector's round: the route listed WG-53, itself a repeat of WG-12, and the agent linked the
    matter's first ticket, WG-12, as the centre does: counted as a wrong listing and a missed link at once."""
    linked = {"WG-53": "WG-12", "WG-40": "WG-53"}
    assert repeat_verdict(["WG-53"], "WG-12", linked=linked) == "confirmed"
    # a later one of the matter linked, its first listed
    assert repeat_verdict(["WG-12"], "WG-40", linked=linked) == "confirmed"
    assert repeat_verdict(["WG-58"], "WG-12", linked=linked) == "rejected"
    assert repeat_verdict(["WG-53"], "WG-12") == "rejected"  # nothing known of WG-53: a listing of another ticket


@pytest.mark.parametrize(("listed", "linked", "verdict"), [
    (None, "WG-1", None),  # the platform did not say what the route listed
    (["WG-1", "WG-2"], "WG-2", "confirmed"),
    (["WG-1"], None, "rejected"),
    (["WG-1"], "WG-7", "rejected"),  # a listed ticket was not the one: the listing was wrong
    ([], "WG-7", "missed"),
    ([], None, "new"),
])
def test_repeat_verdict(listed, linked, verdict):
    assert repeat_verdict(listed, linked) == verdict
    # a link to a ticket the service had seen reads the same; one to a ticket it never routed is no miss of the check
    assert repeat_verdict(listed, linked, repeat_of_seen=True) == verdict
    unseen = repeat_verdict(listed, linked, repeat_of_seen=False)
    assert unseen == ("unseen" if verdict == "missed" else verdict)


def _first_release_table(url: str) -> None:
    """The feedback table as the releases before the repeat answers created it, with one answer in it."""
    create_older_table(url, FeedbackRow.__table__, ("related_ticket_ids", "repeat_of"), ticket_id="WG-1",
                       text="路灯坏了。", topic="城乡建设", created_at=datetime(2026, 11, 1, 8, tzinfo=timezone.utc))


def test_a_table_of_an_earlier_release_gains_the_new_columns_and_keeps_its_rows(database_url):
    _first_release_table(database_url)
    store = FeedbackStore(database_url)
    again = FeedbackStore(database_url)  # a second process starting on the migrated table changes nothing
    store.add(Feedback(text="噪音扰民。", topic="环境保护", ticket_id="WG-2", related_ticket_ids=[],
                       repeat_of="WG-1", refusal_rule="litigation", refused=False))
    rows = list(again.rows())
    assert [(r.ticket_id, r.topic, r.related_ticket_ids, r.repeat_of) for r in rows] == [
        ("WG-1", "城乡建设", None, None), ("WG-2", "环境保护", [], "WG-1")]
    assert [r.repeat_verdict() for r in rows] == [None, "missed"]
    assert [(r.refusal_rule, r.refused, r.refusal_verdict) for r in rows] == [
        (None, None, None), ("litigation", False, "overruled")]
    store.close()
    again.close()


def test_a_database_of_the_release_before_idempotency_keys_takes_them(database_url):
    """The column is added at start; an answer stored before has none, and one stored under a key is that key's
    answer after the agent's correction as well, until the ticket is erased."""
    create_older_table(database_url, FeedbackRow.__table__, ("idempotency_key",), ticket_id="WG-1", text="路灯坏了。",
                       topic="交通运输", created_at=datetime(2026, 11, 1, 8, tzinfo=timezone.utc))
    store = FeedbackStore(database_url)
    assert "idempotency_key" in {column for index in inspect(store.engine).get_indexes("feedback")
                                 for column in index["column_names"]}
    answer = Feedback(text="路灯坏了。", topic="城乡建设", ticket_id="WG-1", idempotency_key="k1")
    stored, new = store.add_once(answer)
    corrected, _ = store.add_once(Feedback(text="路灯坏了。", topic="交通运输", ticket_id="WG-1", idempotency_key="k2"))
    again, new_again = store.add_once(answer)
    assert (new, again.id, new_again) == (True, stored.id, False)
    with pytest.raises(IdempotencyKeyReused):
        store.add_once(Feedback(text="路灯坏了。", topic="环境保护", ticket_id="WG-1", idempotency_key="k1"))
    assert [(r.topic, r.idempotency_key) for r in store.rows()] == [("交通运输", None), ("城乡建设", "k1"),
                                                                   ("交通运输", "k2")]
    assert [r.id for r in store.latest()] == [corrected.id]
    # an answer without a ticket id is its own ticket: the same key there is another request's
    alone = Feedback(text="噪音扰民。", topic="环境保护", idempotency_key="k1")
    first_alone, new = store.add_once(alone)
    assert new and store.add_once(alone)[0].id == first_alone.id
    assert store.forget(["WG-1"]) == 3 and store.count() == 1
    store.close()


def test_two_processes_migrating_at_once(database_url):
    """The second process to add a column finds it added by the first (here: another engine adds every missing
    column just before this one's first ALTER) and starts all the same."""
    _first_release_table(database_url)
    other = create_engine(database_url)
    store_engine = create_engine(database_url)

    @event.listens_for(store_engine, "before_cursor_execute")
    def _the_other_process_first(_conn, _cursor, statement, *_args):
        if statement.startswith("ALTER TABLE") and not getattr(other, "migrated", False):
            other.migrated = True
            add_missing_columns(other, FeedbackRow.__table__)

    add_missing_columns(store_engine, FeedbackRow.__table__)
    assert other.migrated
    store = FeedbackStore(database_url)
    store.add(Feedback(text="噪音扰民。", topic="环境保护", ticket_id="WG-2", repeat_of="WG-1"))
    assert [r.repeat_of for r in store.rows()] == [None, "WG-1"]
    store.close()
    other.dispose()
    store_engine.dispose()


def test_a_trainers_correction_is_the_tickets_label_and_a_retry_of_the_agents_answer_leaves_it(store):
    """A trainer's round: an agent's typo (文旅局) came back at every retrain over the label a trainer's file had
    corrected; no command mended a stored answer."""
    typo = Feedback(text="景区门票乱收费。", topic="商贸旅游", unit="文旅局", ticket_id="WG-19", idempotency_key="k19")
    stored, _ = store.add_once(typo)
    alone = store.add(Feedback(text="噪音扰民。", topic="环保"))
    corrected, before = store.correct("WG-19", unit="文化旅游广电体育", by="刘敏")
    assert before == {"unit": "文旅局"}
    assert (corrected.id, corrected.unit, corrected.topic) == (stored.id, "文化旅游广电体育", "商贸旅游")
    assert corrected.corrected["unit"] == "文旅局" and corrected.corrected["by"] == "刘敏"
    store.correct(f"feedback-{alone.id}", topic="环境保护", by="刘敏")
    assert [(r.ticket_key, r.topic, r.unit) for r in store.latest()] == [
        ("WG-19", "商贸旅游", "文化旅游广电体育"), (f"feedback-{alone.id}", "环境保护", None)]
    # the platform's retry of the agent's answer, keyed or not, is that answer: nothing stored, the correction stays;
    # so is its replay under a new key (a re-test found the typo back as the ticket's label)
    assert store.add_once(typo)[1] is False and store.add_once(replace(typo, idempotency_key=None))[1] is False
    replayed, new = store.add_once(replace(typo, idempotency_key="k19-replayed"))
    assert (replayed.id, new, replayed.unit) == (corrected.id, False, "文化旅游广电体育")
    # a second correction keeps what the agent gave, and says what it replaced
    again, before = store.correct("WG-19", topic="文化旅游", unit="文广新局", by="王芳")
    assert again.corrected == {"topic": "商贸旅游", "unit": "文旅局", "by": "王芳", "at": ANY}
    assert before == {"topic": "商贸旅游", "unit": "文化旅游广电体育"}
    assert store.count() == 2
    with pytest.raises(InputError, match="no agent's answer is stored for 'WG-20'"):
        store.correct("WG-20", unit="民政", by="刘敏")
    with pytest.raises(InputError, match="already says 文广新局: nothing to correct"):
        store.correct("WG-19", unit="文广新局", by="刘敏")
    # another answer under a new key is the agent's new answer
    assert store.add_once(replace(typo, unit="文广新局", idempotency_key="k19-again"))[1] is True
