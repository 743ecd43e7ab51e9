"""The feedback table on a real SQLite file and, where CI provides one, a real PostgreSQL server."""
from __future__ import annotations

import os

import pytest

from training.feedback_store import Feedback, FeedbackRow, FeedbackStore

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
