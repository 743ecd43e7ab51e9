"""The HTTP API against a real uvicorn process, a real baseline model and a real SQLite file."""
from __future__ import annotations

import gzip
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest

from appeal.cli.serving import write_feedback
from appeal.config import DEMO_DIR, Settings, centre_today
from knowledge_base.files import read_entries
from knowledge_base.store import EntryStore
from knowledge_base.ticket_log import SeenTicket, TicketLog
from pipeline.normalize import normalize
from tests.conftest import WUGANG_TIMEZONE
from tests.serving_support import (KEY_SPEC, KEYS, REPO, demo_tickets, free_port, immutable, install_model,
                                   start_server)
from training.feedback_store import FeedbackStore

TICKET = {
    "id": "WG-1",
    "title": "小区门口道路破损严重",
    "text": "武冈市迎春亭街道某小区门口的道路坑洼不平，下雨天积水严重，居民出行困难，请尽快修复。联系电话13807391234。",
    "location": "迎春亭街道",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    install_model(home, "v1")
    live = start_server(home, home / "server.log")
    live.home = home
    yield live
    live.stop()


def test_route_classifies_and_dispatches(server):
    known = demo_tickets()[0]  # 公积金提取审核慢: a ticket the demo model was trained on
    with server.client("platform") as client:
        body = client.post("/v1/route", json={k: known[k] for k in ("id", "title", "text")}).json()
    assert body["id"] == known["id"]
    assert body["topic"]["label"] == known["topic"] == "城乡建设"
    assert body["unit"]["label"] == known["unit"] == "住房公积金"
    assert body["lead_unit"]["functional_type"] == "住房公积金" and "公积金" in body["lead_unit"]["name"]
    assert body["topic"]["alternatives"] and body["decision"] in ("auto", "review") and body["reasons"]
    assert body["model_version"] == "v1"
    # the ticket log keeps the decision and the version: the share sent to review, week by week, in the report
    with sqlite3.connect(server.home / "appeal.db") as db:
        logged = db.execute("SELECT decision, model_version FROM routed_ticket WHERE ticket_id = ?",
                            (known["id"],)).fetchall()
    assert logged == [(body["decision"], "v1")]


def test_route_masks_and_finds_the_township(server):
    with server.client("platform") as client:
        response = client.post("/v1/route", json=TICKET)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == "WG-1"
    assert 0 < body["topic"]["confidence"] <= 1
    assert body["jurisdiction"]["township"] == "迎春亭街道"
    assert "13807391234" not in body["masked_text"] and "[手机号]" in body["masked_text"]
    assert response.headers["x-request-id"]
    assert "13807391234" not in "\n".join(server.log_lines())


def test_the_callers_name_the_platform_gives_is_masked_and_never_kept(server):
    ticket = {"id": "WG-A1", "title": "路灯坏了", "author": "邓志军",
              "text": "邓志军家门口的路灯坏了一个星期，邓志军的母亲晚上出门摔了一跤。"}
    with server.client("platform") as client:
        routed = client.post("/v1/route", json=ticket).json()
    assert routed["masked_text"] == "[姓名]家门口的路灯坏了一个星期,[姓名]的母亲晚上出门摔了一跤。"
    answer = {"ticket_id": "WG-A1", "title": ticket["title"], "text": ticket["text"], "author": "邓志军",
              "topic": "城乡建设", "model_version": "v-author"}  # its own label: other tests count the metrics
    with server.client("agent") as client:
        assert client.post("/v1/feedback", json=answer).status_code == 201
    with sqlite3.connect(server.home / "appeal.db") as db:
        stored = db.execute("SELECT text FROM feedback WHERE ticket_id = 'WG-A1'").fetchone()[0]
        kept = [row for row in db.execute("SELECT * FROM routed_ticket") if "邓志军" in str(row)]
        assert db.execute("SELECT count(*) FROM routed_ticket WHERE ticket_id = 'WG-A1'").fetchone()[0] == 1
    assert stored.startswith("[姓名]家门口") and not kept
    assert "邓志军" not in "\n".join(server.log_lines())


def test_a_name_the_text_introduces_is_masked_in_the_title_as_well(server):
    """A real board message: the title names the person the body introduces (我叫…); routed_ticket keeps the
    title for the repeat check and feedback keeps it for retraining."""
    ticket = {"id": "WG-A2", "title": "控告城建公司报警栽赃陷害潘平安敲诈勒索",
              "text": "我叫潘平安，家住湾头桥镇白石村，城建公司报警说我敲诈勒索，请领导查明真相。"}
    with server.client("platform") as client:
        assert client.post("/v1/route", json=ticket).status_code == 200
    answer = {**ticket, "ticket_id": "WG-A2", "topic": "城乡建设", "model_version": "v-title-name"}
    with server.client("agent") as client:
        assert client.post("/v1/feedback", json=answer).status_code == 201
    with sqlite3.connect(server.home / "appeal.db") as db:
        titles = [row[0] for table in ("routed_ticket", "feedback")
                  for row in db.execute(f"SELECT title FROM {table} WHERE ticket_id = 'WG-A2'")]
    assert titles == ["控告城建公司报警栽赃陷害[姓名]敲诈勒索"] * 2
    assert "潘平安" not in "\n".join(server.log_lines())


def test_keys_and_roles(server):
    with server.client() as anonymous:
        assert anonymous.post("/v1/route", json=TICKET).status_code == 401
    with server.client(key="not-a-key") as wrong:
        assert wrong.post("/v1/route", json=TICKET).status_code == 401
    with server.client("platform") as platform:
        # the platform's answer form is where agents type the final topic and unit: it sends them on
        assert platform.post("/v1/feedback", json={"text": "测试", "topic": "城乡建设"}).status_code == 201
        assert platform.post("/v1/suggest", json={"text": "养老金怎么领取"}).status_code == 403
        assert platform.post("/v1/models/reload").status_code == 403
    with server.client("trainer") as trainer:
        assert trainer.post("/v1/route", json=TICKET).status_code == 403
        # what agents are suggested: a trainer checks an edit of the knowledge base as they will see it
        assert trainer.post("/v1/suggest", json={"text": "养老金怎么领取"}).status_code == 200
        assert trainer.get("/v1/models").status_code == 200
        assert trainer.post("/v1/models/reload").status_code == 403
    with server.client("admin") as admin:
        assert admin.post("/v1/route", json=TICKET).status_code == 200
        assert admin.post("/v1/models/reload").json()["changed"] is False
    logged = "\n".join(server.log_lines())
    assert not any(key in logged for key in KEYS.values())
    # each call's page in /docs names the roles it takes, as the README's table does
    with server.client() as anonymous:
        paths = anonymous.get("/openapi.json").json()["paths"]
    said = {(path, method): operation["description"].rsplit("角色 / roles: ", 1)[-1]
            for path, methods in paths.items() for method, operation in methods.items() if path.startswith("/v1")}
    assert said[("/v1/feedback", "post")] == "platform, agent, admin"
    assert said[("/v1/suggest", "post")] == "agent, trainer, admin"
    assert said[("/v1/models/reload", "post")] == "admin"
    assert said[("/v1/kb/entries/{entry_id}", "patch")] == "trainer, admin"
    assert said[("/v1/tickets", "get")] == said[("/v1/tickets/{ticket_id}", "get")] == "platform, agent, unit, admin"
    assert all(roles.endswith("admin") for roles in said.values()), said
    assert "roles" not in paths["/healthz"]["get"].get("description", "")


@pytest.mark.parametrize("text", ["", "   \n\t　"])
def test_empty_text_is_422_in_both_languages(server, text):
    with server.client("platform") as client:
        response = client.post("/v1/route", json={"text": text})
    assert response.status_code == 422
    assert response.json()["message"].startswith("请求无效 / invalid request — text: ")
    assert "不能为空" in response.json()["message"] and "must not be empty" in response.json()["message"]


def test_a_numbered_message_is_routed_by_its_number_and_a_list_body_is_refused_in_both_languages(server):
    """A web channel's round: a message board's integer id was refused (422 须为文本), and a JSON list sent for one
    ticket got pydantic's English alone."""
    with server.client("platform") as client:
        numbered = client.post("/v1/route", json={"id": 20261201001, "text": "辕门口街道新东路路灯坏了", "channel": "网站"})
        answer = client.post("/v1/feedback", json={"ticket_id": 20261201001, "topic": "城乡建设"})
        listed = client.post("/v1/route", json=[{"text": "路灯坏了"}])
        flag = client.post("/v1/route", json={"id": True, "text": "路灯坏了"})
    assert numbered.status_code == 200 and numbered.json()["id"] == "20261201001", numbered.text
    assert answer.status_code == 201 and answer.json()["routed"] is True, answer.text
    assert listed.status_code == 422 and "须为 JSON 对象" in listed.json()["message"], listed.text
    assert flag.status_code == 422 and "id: 须为文本" in flag.json()["message"], flag.text


def test_a_title_alone_is_a_ticket(server):
    """A web message may come with its title only; training reads such a row as a ticket, and so does the API."""
    title = "迎春亭街道小区门口路灯坏了，电话13807391234"
    with server.client("agent") as client:
        alone = client.post("/v1/route", json={"id": "WG-T1", "title": title})
        as_text = client.post("/v1/route", json={"text": title}).json()
        blank_title = client.post("/v1/route", json={"title": "  ", "text": title})
        stored = client.post("/v1/feedback", json={"ticket_id": "WG-T1", "title": title, "text": "", "topic": "城乡建设",
                                                   "model_version": alone.json()["model_version"]})
        neither = client.post("/v1/route", json={"title": "　", "text": ""})
    assert alone.status_code == 200, alone.text
    body = alone.json()
    assert body["jurisdiction"]["township"] == "迎春亭街道" and body["masked_text"] == ""
    # the agent sees what the ticket says: its title, masked (it came back as nothing)
    assert body["masked_title"] == "迎春亭街道小区门口路灯坏了,电话[手机号]" and as_text["masked_title"] is None
    assert blank_title.json()["masked_title"] is None  # a blank title is none, as the schema says
    assert (body["topic"], body["unit"]) == (as_text["topic"], as_text["unit"])
    assert stored.status_code == 201, stored.text
    with sqlite3.connect(server.home / "appeal.db") as db:
        row = db.execute("SELECT title, text FROM feedback WHERE id = ?", (stored.json()["id"],)).fetchone()
    assert row == ("迎春亭街道小区门口路灯坏了,电话[手机号]", "")
    assert neither.status_code == 422
    assert neither.json()["message"].startswith("请求无效 / invalid request — text: ")
    assert "有标题时可以不填" in neither.json()["message"]


def test_a_body_sent_under_a_field_the_service_does_not_know_is_refused_not_lost(server):
    """A platform that sent the body as "content" had its ticket routed on the title alone (200, masked_text "") and
    its agent's answer stored without a text; a JSON null for text, as a form sends an empty field, was refused."""
    body = "湾头桥镇水泥厂每天晚上施工到凌晨两点，噪音很大"
    with server.client("agent") as client:
        route = client.post("/v1/route", json={"id": "WG-X1", "title": "噪音扰民", "content": body})
        feedback = client.post("/v1/feedback", json={"title": "噪音扰民", "content": body, "topic": "环境保护"})
        null_text = client.post("/v1/route", json={"title": "湾头桥镇通村公路塌了一大块", "text": None})
        # the ticket as routed, with the agent's answer: its route fields are known, its id names the ticket
        answer = {**TICKET, "topic": "城乡建设", "model_version": "v-as-routed"}
        as_routed = client.post("/v1/feedback", json=answer)
        contradicting = client.post("/v1/feedback", json={**answer, "ticket_id": "WG-2"})
    assert as_routed.status_code == 201 and as_routed.json()["ticket_id"] == TICKET["id"]
    assert contradicting.status_code == 422 and "id and ticket_id name different tickets" in contradicting.text
    for refused in (route, feedback):
        assert refused.status_code == 422
        assert refused.json()["message"] == "请求无效 / invalid request — content: 不是本接口的字段 / not a field of this " \
                                            "request (see /docs)"
    assert null_text.status_code == 200 and null_text.json()["jurisdiction"]["township"] == "湾头桥镇"
    with sqlite3.connect(server.home / "appeal.db") as db:
        assert not db.execute("SELECT 1 FROM routed_ticket WHERE ticket_id = 'WG-X1'").fetchall()


def test_half_a_surrogate_pair_is_refused_as_bad_input(server):
    """JSON lets a client escape half of an emoji ("\\ud83d"): no character, on which the tokenizer failed (500)."""
    half = '{"text": "社保卡丢了\\ud83d怎么补办"}'.encode()
    answer = half.replace(b"}", ', "topic": "劳动和社会保障"}'.encode())
    headers = {"Content-Type": "application/json"}
    with server.client("agent") as client:
        answers = [client.post(path, content=body, headers=headers)
                   for path, body in (("/v1/route", half), ("/v1/suggest", half), ("/v1/feedback", answer))]
        whole = client.post("/v1/route", content=half.replace(b"\\ud83d", b"\\ud83d\\ude00"), headers=headers)
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert all(a.json()["message"].startswith("请求无效 / invalid request — text: ") and "not valid Unicode" in
               a.json()["message"] for a in answers)
    assert whole.status_code == 200 and "😀" in whole.json()["masked_text"]


def test_a_too_long_field_is_named_with_its_limit_in_characters(server):
    with server.client("platform") as client:
        response = client.post("/v1/route", json={**TICKET, "id": "工" * 129})
        assert client.post("/v1/route", json={**TICKET, "id": "工" * 128}).status_code == 200
    assert response.status_code == 422
    assert response.json()["message"] == \
        "请求无效 / invalid request — id: 过长 / String should have at most 128 characters"
    # the title said "at most 500 items"; pydantic's English alone was all a 422 said (a web-channel integrator's
    # round: the 413 of a long text said it in both)
    with server.client("agent") as client:
        for path, body in (("/v1/route", TICKET), ("/v1/feedback", {"text": TICKET["text"], "topic": "城乡建设"})):
            response = client.post(path, json={**body, "title": "路灯" * 251})
            assert response.status_code == 422
            assert "title: 过长 / String should have at most 500 characters" in response.json()["message"]
        # a batch's bad ticket is named by its id, as a batch's too long text is
        blank = client.post("/v1/route/batch", json={"tickets": [TICKET, {"id": "WG-E1", "text": "   "}]})
        assert blank.status_code == 422 and "tickets.1.text (WG-E1): " in blank.json()["message"], blank.text
        late = client.post("/v1/route", json={**TICKET, "received_at": "2026-12-01T08:00:00"})
        assert "received_at: 须带时区（如 +08:00） / " in late.json()["message"]
        # a platform integrator's round: these were pydantic's English alone (and an impossible date: see the kb test)
        said = client.post("/v1/suggest", json={"text": "路灯坏了", "k": "3", "source": "FAQ"}).json()["message"]
        assert "k: 须为整数 / " in said and "source: 不是允许的取值 / " in said, said


def test_limits_and_malformed_json(server):
    with server.client("platform") as client:
        # The default limit (20,000) is well above the real board's longest message (7,028 characters).
        too_long = client.post("/v1/route", json={"text": "路" * 20001})
        assert too_long.status_code == 413 and too_long.json()["detail"].startswith("text: 文本过长：上限 20000，实际 20001")
        assert client.post("/v1/route", json={"text": "路" * 20000}).status_code == 200
        # as the text is read: NFKC makes ﷺ eighteen characters, and 2,500 of them a 45,000-character answer
        expanding = client.post("/v1/route", json={"text": "\ufdfa" * 2500})
        assert expanding.status_code == 413 and "NFKC" in expanding.json()["detail"]
        assert "上限 40000，实际 45000" in expanding.json()["detail"]
        # but a long letter with many ellipses (… is ... once normalised) is no longer refused with a length the
        # client never sent (a web-channel integrator's round: 7,000 of them were "实际 21000")
        assert client.post("/v1/route", json={"text": "路灯不亮…" * 4000}).status_code == 200
        named = client.post("/v1/route/batch", json={"tickets": [TICKET, {**TICKET, "id": "WG-9", "text": "路" * 20001}]})
        assert named.status_code == 413 and named.json()["detail"].startswith("tickets.1.text (WG-9): 文本过长")
        bad = client.post("/v1/route", content=b'{"text": "abc"', headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and bad.json()["message"] == "请求体不是有效的 JSON / request body is not valid JSON"
        gbk = client.post("/v1/route", content=json.dumps(TICKET, ensure_ascii=False).encode("gbk"),
                          headers={"Content-Type": "application/json"})
        assert gbk.status_code == 400 and "UTF-8" in gbk.json()["detail"] and "GBK" in gbk.json()["detail"]
        nested = client.post("/v1/route", content=b'{"text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                             headers={"Content-Type": "application/json"})
        nested_says = "请求体无法解析（如 JSON 嵌套过深）/ the body could not be parsed (e.g. JSON nested too deeply)"
        assert nested.status_code == 400 and nested.json() == {"code": "bad_request", "detail": nested_says,
                                                                "message": nested_says}
        # One shape for every error, in both languages (an integrator's round: 401, 403, 404, 405 and 413 had no
        # `message`, 404 and 405 were English alone), and a body that is no JSON is said to be none: curl -d sends a
        # form without -H, which was a 422 "not a valid dictionary", and a gzip body was called GBK.
        form = client.post("/v1/route", content="text=路灯坏了".encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        gzipped = client.post("/v1/route", content=gzip.compress(json.dumps(TICKET).encode()),
                              headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert (form.status_code, gzipped.status_code) == (415, 415)
        assert "Content-Type: application/json" in form.json()["message"] and "gzip" in gzipped.json()["message"]
        answers = [form, gzipped, gbk, too_long, client.get("/v1/no-such-path"), client.put("/v1/route", json=TICKET),
                   client.post("/v1/route", json={"text": "   "}), client.get("/v1/kb/entries"),
                   httpx.post(f"{server.url}/v1/route", json=TICKET)]
        assert [a.status_code for a in answers] == [415, 415, 400, 413, 404, 405, 422, 403, 401]
        # …with a kind a program branches on, never translated (an integrator's round: a text, a batch and a body too
        # large differed only in their words)
        assert [a.json()["code"] for a in answers] == [
            "unsupported_media_type", "unsupported_media_type", "bad_request", "text_too_long", "not_found",
            "method_not_allowed", "invalid_request", "forbidden", "unauthorized"]
        for answer in answers:
            assert set(answer.json()) == {"code", "detail", "message"} and isinstance(answer.json()["message"], str), \
                answer.text
            assert re.search("[\u4e00-\u9fff].*/ [a-z]", answer.json()["message"]), answer.text  # both languages
        assert client.get("/v1/no-such-path").json()["message"] == "未找到 / not found"
        schema = client.get("/openapi.json").json()
        assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"code", "detail", "message"}
        assert "batch_too_large" in schema["components"]["schemas"]["ErrorOut"]["properties"]["code"]["enum"]
        documented = schema["paths"]["/v1/route"]["post"]["responses"]
        assert all(documented[code]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
                   for code in ("400", "401", "403", "413", "415", "422", "503")), documented
        # a field always sent is required, defaulted or not (generated clients made unit, reasons … optional)
        routed = client.post("/v1/route", json=TICKET).json()
        schemas = schema["components"]["schemas"]
        assert set(schemas["RouteOut"]["required"]) == set(routed)
        assert set(schemas["PlaceRef"]["required"]) == set(routed["jurisdiction"])
        assert set(schemas["Health"]["required"]) == set(client.get("/healthz").json())
        assert {"alternatives", "tags", "valid_to", "updated_by"} <= set(schemas["Entry"]["required"])
        too_many = {"tickets": [{**TICKET, "id": f"WG-{n}"} for n in range(65)]}
        refused = client.post("/v1/route/batch", json=too_many)
        assert (refused.status_code, refused.json()["code"]) == (413, "batch_too_large")
        assert named.json()["code"] == "text_too_long"
        # one id for two tickets: the repeat log would keep the second in place of the first, unseen
        twice = client.post("/v1/route/batch", json={"tickets": [TICKET, {**TICKET, "text": "路灯坏了"}]})
        assert twice.status_code == 422
        assert "批量中多张工单使用同一 id WG-1 / id WG-1 given to more than one ticket of the batch" in twice.json()["message"]
        assert [error["loc"] for error in twice.json()["detail"]] == [["body", "tickets"]]  # the body's, before
        empty = client.post("/v1/route/batch", json={"tickets": []})
        assert empty.status_code == 422 and "tickets: 条目过少 / " in empty.json()["message"]  # English alone before
    # a misspelt field (top_k, k beside tickets) was dropped without a word; true was k = 1
    with server.client("agent") as client:
        for path, body in (("/v1/suggest", {"text": "路灯坏了", "top_k": 10}), ("/v1/suggest", {"text": "路灯", "k": True}),
                           ("/v1/route/batch", {"tickets": [TICKET], "k": 10})):
            assert client.post(path, json=body).status_code == 422, body
        batch = client.post("/v1/route/batch", json={"tickets": [TICKET, {**TICKET, "id": "WG-2"}]})
    assert batch.status_code == 200
    assert [r["id"] for r in batch.json()["results"]] == ["WG-1", "WG-2"]


def test_a_body_over_any_valid_requests_size_and_a_made_up_method_are_refused_at_the_door(server):
    """A 60 MB batch was parsed whole before the batch limit refused it (8 s, 600 MB, every request held up), and
    each made-up method (curl -X FOO1, no key needed) added a metric series of its own until a restart."""
    import http.client
    from urllib.parse import urlparse

    from serve.request_limits import max_body_bytes, one_ticket_bytes

    limit = max_body_bytes(64, 20000)
    address = urlparse(server.url)
    declared = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    declared.putrequest("POST", "/v1/route/batch")
    declared.putheader("X-API-Key", KEYS["platform"])
    declared.putheader("Content-Type", "application/json")
    declared.putheader("Content-Length", str(limit + 1))
    declared.endheaders()  # and not one byte of the body: it is refused by its length
    answer = declared.getresponse()
    assert answer.status == 413
    said = json.loads(answer.read())
    assert said["detail"].startswith(f"body (bytes): 请求体过大：上限 {limit}，实际 {limit + 1}")
    assert said["code"] == "body_too_large"
    declared.close()

    def chunks():  # no Content-Length: counted as it arrives
        yield b'{"tickets": ['
        for _ in range(limit // 1_000_000 + 1):
            yield b" " * 1_000_000
    with server.client("platform") as client:
        chunked = client.post("/v1/route/batch", content=chunks(), headers={"Content-Type": "application/json"})
        assert chunked.status_code == 413 and "请求体过大" in chunked.json()["detail"]
        assert chunked.json()["code"] == "body_too_large"
        assert client.post("/v1/route", json=TICKET).status_code == 200  # the service answers as before
        # a single ticket's endpoint has a single ticket's limit (an integrator's re-test: 8 MB to /v1/route was read
        # and parsed whole under the batch's limit, then refused as a text too long)
        one = one_ticket_bytes(20000)
        single = client.post("/v1/route", content=b'{"text": "' + b"a" * one + b'"}',
                             headers={"Content-Type": "application/json"})
        assert (single.status_code, single.json()["code"]) == (413, "body_too_large"), single.text
        assert single.json()["detail"].startswith(f"body (bytes): 请求体过大：上限 {one}")
        for method in ("FOO1", "FOO2"):
            made_up = client.request(method, "/healthz")
            assert made_up.status_code == 405 and made_up.json()["message"] == "不支持的请求方法 / method not allowed"
        assert "FOO" not in client.get("/metrics").text
        # HEAD wherever GET works, without a body (a re-tester's round: 405 on /healthz, where probes ask HEAD)
        for path in ("/healthz", "/readyz", "/openapi.json"):
            head, get = client.head(path), client.get(path)
            assert (head.status_code, head.content) == (200, b""), path
            assert head.headers["content-length"] == get.headers["content-length"], path
    refused = [json.loads(line) for line in server.log_lines() if line.startswith("{") and '"FOO1"' in line]
    assert refused and refused[0]["status"] == 405  # logged, as any request is


def test_the_body_limit_holds_any_valid_request_whatever_the_batch_limit():
    """A centre that lowers APPEAL_MAX_BATCH must still be able to save a FAQ entry at its own limits."""
    from knowledge_base.store import MAX_ITEMS, MAX_TAG_CHARS, MAX_TEXT_CHARS, EntryIn
    from serve.request_limits import max_body_bytes, one_ticket_bytes

    # a past case: a FAQ's question and phrasings are a caller's length, a case's question is the citizen's message
    full = {"id": "wg-max", "question": "问" * MAX_TEXT_CHARS, "answer": "答" * MAX_TEXT_CHARS, "unit": "武冈市人民政府",
            "source": "case",
            "alternatives": [f"{n}" + "问" * (MAX_TEXT_CHARS - 3) for n in range(MAX_ITEMS["alternatives"])],
            "tags": [f"{n}" + "标" * (MAX_TAG_CHARS - 3) for n in range(MAX_ITEMS["tags"])]}
    EntryIn.model_validate(full)  # a valid entry
    batch = {"tickets": [{**TICKET, "id": f"WG-{n}", "title": "题" * 500, "text": "路" * 20000} for n in range(64)]}
    for body, (max_batch, max_text) in ((full, (1, 100)), (batch, (64, 20000))):
        assert len(json.dumps(body).encode()) <= max_body_bytes(max_batch, max_text)  # every character escaped
    # …and one ticket with every field at its limit fits the one-ticket limit of /v1/route and /v1/suggest
    ticket = {"id": "W" * 128, "title": "题" * 500, "text": "路" * 20000, "location": "地" * 200, "channel": "渠" * 200,
              "author": "名" * 200, "received_at": "2026-12-01T09:30:00.000000+08:00"}
    assert len(json.dumps(ticket).encode()) <= one_ticket_bytes(20000)


def test_text_without_chinese_is_answered_for_review(server):
    with server.client("platform") as client:
        response = client.post("/v1/route", json={"text": "The street light at gate 3 is broken."})
    assert response.status_code == 200
    assert response.json()["decision"] == "review"
    assert any("no Chinese" in reason for reason in response.json()["reasons"])


def test_matter_12345_does_not_accept(server):
    with server.client("platform") as client:
        body = client.post("/v1/route", json={"text": "我和邻居的房屋纠纷已经起诉到法院了，请你们帮我催一下法院尽快判决。"}).json()
    assert body["decision"] == "review"
    assert body["not_accepted"] is not None and body["not_accepted"]["refer_to"]
    assert body["lead_unit"] is not None  # for the agent who accepts it after all


def test_a_life_at_risk_is_handed_over_in_a_field_the_platform_can_show_and_counted(server):
    """The hand-over was said only inside `reasons`: a platform had to parse Chinese text to raise its alarm, and a
    duty officer's dashboard could not count the calls to put through."""
    series = 'appeal_urgent_total{hand_over="120 急救"}'
    with server.client("platform") as client:
        before = _metric(client.get("/metrics").text, series)
        body = client.post("/v1/route", json={"id": "WG-H1", "text": "我屋里老倌喝哒农药，口吐白沫，在邓元泰镇，快来人"}).json()
        calm = client.post("/v1/route", json={**TICKET, "id": "WG-H2"}).json()
        assert _metric(client.get("/metrics").text, series) == before + 1
        # a second caller about it, in other words: listed with the first, an emergency's calls of the last hours
        again = client.post("/v1/route", json={"id": "WG-H3", "text": "邓元泰镇有个老人家吞了半瓶敌敌畏，人都喊不醒了"}).json()
        assert ("WG-H1", "incident") in [(r["ticket_id"], r["linked_by"]) for r in again["related_tickets"]]
        assert any(r.startswith("可能为同一紧急事件 / possibly the same emergency: WG-H1") for r in again["reasons"])
    assert (body["urgent"], body["hand_over"], body["decision"]) == (True, ["120 急救"], "review")
    assert (calm["urgent"], calm["hand_over"]) == (False, [])
    # and kept with the ticket, for the report's weekly count (the metric counts since the service's start)
    with sqlite3.connect(server.home / "appeal.db") as db:
        kept = db.execute("SELECT ticket_id, hand_over FROM routed_ticket WHERE ticket_id IN ('WG-H1', 'WG-H2') "
                          "ORDER BY ticket_id").fetchall()
    assert kept == [("WG-H1", "120 急救"), ("WG-H2", "")]


def test_feedback_is_stored_in_sqlite(server):
    feedback = {"ticket_id": "WG-1", "text": TICKET["text"], "topic": "城乡建设", "unit": "住房和城乡建设局",
                "predicted_topic": "城乡建设", "model_version": "v1"}
    kept = 'appeal_feedback_total{model_version="v1",topic_kept="yes"}'
    with server.client("agent") as client:
        before = _metric(client.get("/metrics").text, kept)
        response = client.post("/v1/feedback", json=feedback)
        assert _metric(client.get("/metrics").text, kept) == before + 1
    assert response.status_code == 201, response.text
    assert response.json()["unknown_labels"] == {}  # 住房和城乡建设局 is an alias of the unit type 住房和城乡建设
    stored_id = response.json()["id"]
    with sqlite3.connect(server.home / "appeal.db") as db:
        row = db.execute("SELECT ticket_id, topic, unit FROM feedback WHERE id = ?", (stored_id,)).fetchone()
    assert row == ("WG-1", "城乡建设", "住房和城乡建设局")


def test_feedback_without_the_routes_answer_takes_it_from_the_ticket_log(server):
    """A platform that sends the agent's answer alone left every row without what the route had said: the report
    had no share of topics kept, and `feedback export` blank columns."""
    ticket = {"id": "WG-P1", "title": "路灯不亮", "text": "邓元泰镇街上的路灯坏了一个多月，晚上出行很不方便，请尽快修复。"}
    with server.client("agent") as client:
        routed = client.post("/v1/route", json=ticket).json()
        answers = [client.post("/v1/feedback", json={"ticket_id": ticket_id, "text": ticket["text"], "topic": "城乡建设",
                                                     **extra}).json()["id"]
                   for ticket_id, extra in [("WG-P1", {}), ("WG-P1", {"model_version": "v0"}), ("WG-P2", {}),
                                            ("WG-P1", {"predicted_topic": "交通运输"}),
                                            ("WG-P1", {"predicted_topic": routed["topic"]["label"]})]]
    assert routed["lead_unit"] and routed["model_version"] == "v1"
    with sqlite3.connect(server.home / "appeal.db") as db:
        rows = [db.execute("SELECT predicted_topic, predicted_unit, model_version FROM feedback WHERE id = ?",
                           (answer,)).fetchone() for answer in answers]
    said = (routed["topic"]["label"], routed["lead_unit"]["name"], "v1")
    # another topic or version than the log's is an answer to another route: nothing of the log joins it
    assert rows == [said, (None, None, "v0"), (None, None, None), ("交通运输", None, None), said]


def test_feedback_without_the_text_stores_what_the_route_kept(server, tmp_path):
    """A platform vendor's review: an answer to a ticket routed a minute before was refused without the citizen's
    text (422 "text: 不能为空"), which the route had kept, masked, in the ticket log; a platform had to send the
    citizen's words a second time to record a label."""
    ticket = {"title": "工资被拖欠", "text": "湾头桥镇工地包工头拖欠我们三个月工资，欧阳振华的工钱一分没给，联系电话13807391234。"}
    answer = {"topic": "劳动和社会保障", "unit": "人力资源和社会保障", "author": "欧阳振华"}
    old = (datetime.now(timezone.utc) - timedelta(days=40)).isoformat()
    with server.client("agent") as client:
        came_in = (datetime.now(timezone.utc) - timedelta(hours=3)).replace(microsecond=0)
        routed = client.post("/v1/route", json={"id": "WG-2026-100029", **ticket, "channel": "网站",
                                                "received_at": came_in.isoformat()}).json()
        stored, retry = (client.post("/v1/feedback", json={"ticket_id": "WG-2026-100029", **answer}) for _ in range(2))
        with_text = client.post("/v1/feedback", json={"ticket_id": "WG-2026-100030", **ticket, **answer})
        client.post("/v1/route", json={"id": "WG-2026-100031", **ticket, "received_at": old})
        refused = [client.post("/v1/feedback", json={"ticket_id": ticket_id, "title": "　", **answer})
                   for ticket_id in ("WG-2026-199999", "WG-2026-100031")]  # never routed; routed before the window
        without_id = client.post("/v1/feedback", json=answer)
        # an agent who changed the unit alone is told what topic to send (a trainer's round: "topic: 缺少此字段")
        unit_only = client.post("/v1/feedback", json={"ticket_id": "WG-2026-100029", "unit": "劳动保障监察"})
    assert unit_only.status_code == 422 and unit_only.json()["message"].startswith(
        "请求无效 / invalid request — topic: 缺少此字段 / Field required — 只改单位时也请带上坐席最终的类别")
    assert "topic.label of the route where they kept it" in unit_only.json()["message"]
    assert (stored.status_code, stored.json()["routed"]) == (201, True), stored.text
    assert (retry.status_code, retry.json()["id"]) == (200, stored.json()["id"])  # a retry is stored once
    with sqlite3.connect(server.home / "appeal.db") as db:
        rows = [db.execute("SELECT title, text, predicted_topic FROM feedback WHERE id = ?", (response.json()["id"],))
                .fetchone() for response in (stored, with_text)]
    # the route's masked text, masked again with the answer's author: as an answer with the text is stored
    assert rows[0] == ("工资被拖欠", "湾头桥镇工地包工头拖欠我们三个月工资,[姓名]的工钱一分没给,联系电话[手机号]。",
                       routed["topic"]["label"])
    assert rows[0][:2] == rows[1][:2] and rows[0][1] == routed["masked_text"].replace("欧阳振华", "[姓名]")
    # and exported for retraining as the others are
    exported, _, _ = write_feedback(Settings(home=server.home), tmp_path / "feedback.jsonl", 0, None)
    assert [(row["title"], row["text"]) for row in exported if row["id"] == "WG-2026-100029"] == [rows[0][:2]]
    # when the ticket came in and by which channel, beside when it was answered (a trainer's round: every row read
    # the answer's time, by `feedback`); a ticket the service never routed has only the answer's
    (routed_row,), (unrouted_row,) = ([row for row in exported if row["id"] == ticket_id]
                                      for ticket_id in ("WG-2026-100029", "WG-2026-100030"))
    assert (datetime.fromisoformat(routed_row["received_at"]), routed_row["channel"]) == (came_in, "网站")
    assert datetime.fromisoformat(routed_row["created_at"]) > came_in + timedelta(hours=2)
    assert (unrouted_row["received_at"], unrouted_row["channel"]) == (None, "feedback")
    for response in refused:
        assert response.status_code == 422
        assert [error["loc"] for error in response.json()["detail"]] == [["body", "text"]]
        assert response.json()["message"] == (
            "请求无效 / invalid request — text: 不能为空：该 ticket_id 不在本服务近 30 天路由过的工单中（请核对工单号），须提供 "
            "text 或 title / must not be empty: ticket_id is not among the tickets this service routed in the last "
            "30 days (check it for a typo), so the text or title is needed")
    assert without_id.status_code == 422 and "有标题时可以不填" in without_id.json()["message"]


def test_a_follow_up_goes_to_the_unit_that_holds_the_ticket_it_names(server):
    """A housing agent's round: 催办 of a ticket sent to 住建局 was proposed to 人社局, a second work order for a matter
    another unit has. The unit is where an agent sent the ticket named, else its route's lead; the log files the
    follow-up there too."""
    first = {"id": "WG-H1", "text": "邓元泰镇某村山塘的排水渠堵了，下雨就漫到田里。"}
    with server.client("agent") as client:
        client.post("/v1/route", json=first).raise_for_status()
        client.post("/v1/feedback", json={"ticket_id": "WG-H1", "text": first["text"], "topic": "城乡建设",
                                           "unit": "武冈市水利局"}).raise_for_status()
        urged = client.post("/v1/route", json={"id": "WG-H2", "text": "来电人反映：工单号WG-H1的事到现在没人管，"
                                                                     "物业费也乱收，请催一下。"}).json()
        plain = client.post("/v1/route", json={"id": "WG-H3", "text": "来电人反映：物业费乱收，请催一下。"}).json()
    assert urged["lead_unit"]["name"] == "武冈市水利局" and urged["assisting_units"] == [], urged
    assert "催办：原工单 WG-H1 由 武冈市水利局 承办，随原工单派给该单位 / a follow-up goes to the unit that holds the ticket " \
           "it names" in urged["reasons"]
    # told without the number: with the earlier ticket most like it (WG-H2, of the same 物业费), for an agent to check
    assert plain["decision"] == "review" and not any("随原工单派给该单位" in r for r in plain["reasons"])
    assert any(r.startswith("催办：未报原工单号，最相似的原工单 WG-H2 ") for r in plain["reasons"]), plain["reasons"]
    with sqlite3.connect(server.home / "appeal.db") as db:
        filed = db.execute("SELECT lead_unit FROM routed_ticket WHERE ticket_id = 'WG-H2'").fetchone()
    assert filed == ("武冈市水利局",)


def test_a_follow_up_told_without_its_number_goes_with_the_earlier_ticket_most_like_it_for_an_agent_to_check(server):
    """Two rounds (an environment desk, a police desk): 催办 told by story went to the unit the model read in it, the
    reason alone naming where the earlier ticket was, a second work order for the same matter. It goes with the
    earlier ticket, to review: only the agent can tell it is the same matter."""
    first = {"id": "WG-S1", "text": "邓元泰镇塘富村山塘的排水渠堵了，一下雨水就漫到田里，禾都泡坏了。"}
    with server.client("agent") as client:
        client.post("/v1/route", json=first).raise_for_status()
        client.post("/v1/feedback", json={"ticket_id": "WG-S1", "topic": "农村农业",
                                           "unit": "武冈市水利局"}).raise_for_status()
        urged = client.post("/v1/route", json={"id": "WG-S2", "text": "我上个星期打过12345反映邓元泰镇塘富村山塘排水渠堵"
                                                                     "了，到现在还冇人来，昨晚下雨田里又漫水了。"}).json()
        unprompted = client.post("/v1/route", json={"id": "WG-S3", "text": "邓元泰镇塘富村山塘的排水渠堵了，下雨就漫到"
                                                                          "田里，请派人疏通。"}).json()
    assert urged["follow_up"] and urged["related_tickets"][0]["ticket_id"] == "WG-S1", urged["related_tickets"]
    assert urged["lead_unit"]["name"] == "武冈市水利局" and urged["decision"] == "review", urged
    assert "催办：未报原工单号，最相似的原工单 WG-S1 由 武冈市水利局 承办，随其派，请核对是否同一事项 / a follow-up without its " \
           "number goes with the earlier ticket most like it: check that it is the same matter" in urged["reasons"]
    # a repeat the caller does not call one is listed, and routed as the model and rules read it
    assert not unprompted["follow_up"] and not any(r.startswith("催办：") for r in unprompted["reasons"])
    with sqlite3.connect(server.home / "appeal.db") as db:  # kept as the answer said: a proposal, not dispatched
        filed = db.execute("SELECT lead_unit, decision FROM routed_ticket WHERE ticket_id = 'WG-S2'").fetchone()
    assert filed == ("武冈市水利局", "review")


def test_a_follow_up_told_without_its_number_is_checked_by_an_agent_though_it_reads_as_the_same_units(server):
    """A housing liaison's round: the chase of a burst pipe, told by story, read as the water company's as the first
    ticket had been, and went auto and urgent where that one had gone by mistake: only an agent can tell it is the
    same matter, whoever the ticket reads as."""
    with server.client("agent") as client:
        first = client.post("/v1/route", json={"id": "WG-W1", "text": "都梁路马路上的自来水管爆了，水冲得老高，路面都淹了"
                                               }).json()
        urged = client.post("/v1/route", json={"id": "WG-W2", "text": "还是都梁路马路上自来水管爆了那个事，前天就打过电话"
                                                                     "反映了，到现在水还在流，冇得一个人来看"}).json()
    assert (first["decision"], first["lead_unit"]["name"]) == ("auto", "武冈市自来水公司"), first
    assert urged["follow_up"] and urged["related_tickets"][0]["ticket_id"] == "WG-W1", urged["related_tickets"]
    assert (urged["decision"], urged["lead_unit"]["name"], urged["urgent"]) == ("review", "武冈市自来水公司", True), urged
    assert any(r.startswith("催办：未报原工单号，最相似的原工单 WG-W1 由 武冈市自来水公司 承办，随其派，请核对是否同一事项")
               for r in urged["reasons"]), urged["reasons"]


def test_a_follow_up_of_a_ticket_only_proposed_to_a_unit_says_so_and_waits_for_an_agent(server):
    """A social desk's round: 催办 of a ticket the route had sent to review read "由 医保专家座席 承办，随原工单派给该单位"
    of a proposal no agent had confirmed (and was to correct). Once an agent has answered, the follow-up goes with the
    ticket as before."""
    first = {"id": "WG-Q1", "text": "邓元泰镇某村山塘的排水渠堵了，下雨就漫到田里。还有一件事，村里路灯也坏了。"}
    urge = "来电人反映：工单号WG-Q1的事到现在没人管，请催一下。"
    with server.client("agent") as client:
        proposed = client.post("/v1/route", json=first).json()
        urged = client.post("/v1/route", json={"id": "WG-Q2", "text": urge}).json()
        client.post("/v1/feedback", json={"ticket_id": "WG-Q1", "text": first["text"], "topic": "城乡建设",
                                           "unit": "武冈市水利局"}).raise_for_status()
        again = client.post("/v1/route", json={"id": "WG-Q3", "text": urge}).json()
    assert proposed["decision"] == "review" and proposed["lead_unit"]["name"] != "武冈市水利局", proposed
    said = (f"催办：原工单 WG-Q1 尚待坐席确认去向，按其路由建议 {proposed['lead_unit']['name']} 派，请一并确认 / the ticket it "
            "names awaits an agent's answer: its proposal, to confirm with it")
    assert urged["lead_unit"] == proposed["lead_unit"] and urged["decision"] == "review", urged
    assert said in urged["reasons"], urged["reasons"]
    assert not any("承办，随原工单派给该单位" in r for r in urged["reasons"])
    assert again["lead_unit"]["name"] == "武冈市水利局" and any(
        r.startswith("催办：原工单 WG-Q1 由 武冈市水利局 承办") for r in again["reasons"]), again["reasons"]
    with sqlite3.connect(server.home / "appeal.db") as db:  # kept as the answer said: WG-Q2 a proposal, not sent
        kept = dict(db.execute("SELECT ticket_id, decision FROM routed_ticket WHERE ticket_id IN ('WG-Q2', 'WG-Q3')"))
    assert kept == {"WG-Q2": "review", "WG-Q3": again["decision"]}, kept


def test_a_repeat_of_a_ticket_at_another_unit_goes_to_an_agent_not_auto_to_a_second_unit(server):
    """A statistician's round: the third call about one street's barbecue stalls, listed as a repeat of the first,
    already sent to 城管局, went auto to 公安局 by the social-noise rule (划拳): one matter at two units. Here a KTV's
    noise an agent sent to 城管局, and its repeat the rule and the model read as the police's."""
    first = {"id": "WG-B1", "text": "都梁路那家KTV每天晚上唱到凌晨两三点，音响开得震天响，楼上居民觉都睡不成。"}
    again = {"id": "WG-B2", "text": "都梁路那家KTV昨天晚上又唱到凌晨三点，音响震天响，吵得楼上觉都睡不成。"}
    with server.client("agent") as client:
        client.post("/v1/route", json=first).raise_for_status()
        client.post("/v1/feedback", json={"ticket_id": "WG-B1", "topic": "城乡建设",
                                           "unit": "武冈市城市管理和综合执法局"}).raise_for_status()
        routed = client.post("/v1/route", json=again).json()
        # an emergency is dispatched all the same, the likely repeat said beside it
        client.post("/v1/route", json={"id": "WG-B3", "text": "云台路人行道上一个井盖不见了，黑洞洞的，晚上有人踩空"})
        client.post("/v1/feedback", json={"ticket_id": "WG-B3", "topic": "城乡建设",
                                           "unit": "武冈市住房和城乡建设局"}).raise_for_status()
        manhole = client.post("/v1/route", json={"id": "WG-B4", "text": "云台路人行道上井盖不见了，黑洞洞的"}).json()
    assert (manhole["decision"], manhole["lead_unit"]["name"], manhole["urgent"]) == (
        "auto", "武冈市城市管理和综合执法局", True), manhole
    assert any(r.startswith("可能重复诉求 WG-B3 已在 武冈市住房和城乡建设局") for r in manhole["reasons"]), manhole["reasons"]
    assert routed["related_tickets"][0]["ticket_id"] == "WG-B1" and not routed["follow_up"], routed
    assert routed["lead_unit"]["name"] == "武冈市公安局" and routed["decision"] == "review", routed
    assert ("可能重复诉求 WG-B1 已在 武冈市城市管理和综合执法局，本次路由为 武冈市公安局：请核对是否同一事项，是则随原工单派 / a likely "
            "repeat of a ticket at 武冈市城市管理和综合执法局: an agent checks whether it is the same matter, and if so sends it "
            "there") in routed["reasons"], routed["reasons"]
    with sqlite3.connect(server.home / "appeal.db") as db:  # kept as a proposal: no unit has it yet
        kept = db.execute("SELECT lead_unit, decision FROM routed_ticket WHERE ticket_id = 'WG-B2'").fetchone()
    assert kept == ("武冈市公安局", "review")


def test_a_ticket_an_agent_sends_on_to_another_township_is_that_townships_repeat(server):
    """A township clerk's round: 湾头桥镇 got a ticket of 邓元泰镇's market toilet (the location field said 湾头桥镇)
    and the agent sent it on, but the log kept it 湾头桥镇's: the caller's next call was compared with 湾头桥镇's
    tickets only, and a repeat would have said "已派 湾头桥镇人民政府" to an agent about to send it there again."""
    first = {"id": "WG-X1", "text": "邓元泰镇集镇菜市场的公共厕所堵了好几天，臭气熏天，请处理。", "location": "430581101"}
    again = {"id": "WG-X2", "text": "邓元泰镇菜市场那个公共厕所还是堵着，上次反映过了，臭气熏天，请处理。"}
    with server.client("agent") as client:
        routed = client.post("/v1/route", json=first).json()
        assert routed["jurisdiction"]["township"] == "湾头桥镇"
        sent_on = {"ticket_id": "WG-X1", "text": first["text"], "topic": "城乡建设", "unit": "邓元泰镇人民政府"}
        kept_type = {**sent_on, "ticket_id": "WG-X1", "unit": routed["unit"]["label"]}
        ids = [client.post("/v1/feedback", json=answer).json()["id"] for answer in (sent_on, kept_type)]
        client.post("/v1/feedback", json=sent_on)  # the agent's last word: 邓元泰镇
        # a platform's retry of the first ticket keeps where the agent sent it (a re-tester's round: it undid it), and
        # its answer says so rather than dispatch it back to the route's unit
        retry = client.post("/v1/route", json=first).json()
        assert retry["decision"] == "review" and any("坐席已改派至 邓元泰镇人民政府" in r for r in retry["reasons"])
        assert (retry["sent_on_to"], routed["sent_on_to"]) == ("邓元泰镇人民政府", None)  # a field to act on, too
        assert retry["lead_unit"]["name"] == "邓元泰镇人民政府"  # a platform reading the lead unit alone (a supervisor)
        # and is not its assistant as well (an integrator's round: 住建局 came back as lead and as assistant)
        wages = {"id": "WG-X4", "text": "湾头桥镇工地的包工头拖欠我们农民工工资三个月了，一直不给。"}
        first_route = client.post("/v1/route", json=wages).json()
        assert [a["id"] for a in first_route["assisting_units"]] == ["wg-zjj"]
        client.post("/v1/feedback", json={"ticket_id": "WG-X4", "text": wages["text"], "topic": "劳动和社会保障",
                                          "unit": "住建局"})
        wages_again = client.post("/v1/route", json=wages).json()
        assert (wages_again["lead_unit"]["id"], wages_again["assisting_units"]) == ("wg-zjj", [])
        # nor keeps the assistant and the rule of the unit the agent set aside (an integrator's round)
        other = {**wages, "id": "WG-X5"}
        assert client.post("/v1/route", json=other).json()["rule"] is not None
        client.post("/v1/feedback", json={"ticket_id": "WG-X5", "text": wages["text"], "topic": "劳动和社会保障",
                                          "unit": "湾头桥镇人民政府"})
        other_again = client.post("/v1/route", json=other).json()
        assert (other_again["lead_unit"]["name"], other_again["assisting_units"], other_again["rule"]) == (
            "湾头桥镇人民政府", [], None)
        assert not any(reason.startswith("规则 ") for reason in other_again["reasons"]), other_again["reasons"]
        repeat = client.post("/v1/route", json=again).json()
        # and a call that names the first township still finds it (a re-tester's round: it was 邓元泰镇's alone)
        here = client.post("/v1/route", json={**again, "id": "WG-X3", "location": "430581101"}).json()
    for answer in (repeat, here):
        assert [(r["ticket_id"], r["township"], r["lead_unit"], r["assigned_unit"]) for r in answer["related_tickets"]
                if r["ticket_id"] == "WG-X1"] == [("WG-X1", "湾头桥镇", routed["lead_unit"]["name"], "邓元泰镇人民政府")]
    assert any("WG-X1" in reason and "已派 邓元泰镇人民政府" in reason for reason in repeat["reasons"])
    # the call whose field and text name two townships is compared in every one: WG-X2, its very words, first
    assert [r["ticket_id"] for r in here["related_tickets"]][:2] == ["WG-X2", "WG-X1"]
    with sqlite3.connect(server.home / "appeal.db") as db:
        said = [db.execute("SELECT predicted_unit FROM feedback WHERE id = ?", (i,)).fetchone()[0] for i in ids]
    # what the route said: its lead unit, also for an answer naming that unit's type
    assert said == [routed["lead_unit"]["name"]] * 2


def test_an_answer_naming_a_type_of_several_units_says_where_the_ticket_went_is_not_recorded(server):
    """A township liaison's round: 公安 (the police and the traffic police) was answered 201 like 公安局, but the
    ticket's retry still went to the township that had sent it back, and nothing said so."""
    ticket = {"id": "WG-P1", "text": "湾头桥镇竹山村村部后面的空坪上天天晚上有人吵吵闹闹，村里也不管。"}
    with server.client("agent") as client:
        routed = client.post("/v1/route", json=ticket).json()
        answer = {"ticket_id": "WG-P1", "topic": "城乡建设"}
        as_type = client.post("/v1/feedback", json={**answer, "unit": "公安"}).json()
        assert (as_type["assigned_unit"], as_type["unit_not_recorded"]) == (None, (
            "“公安”是有 2 个单位的类型（武冈市公安局、武冈市公安局交通警察大队），工单去向未记录，请写单位名称 / '公安' is a type of "
            "2 units (武冈市公安局, 武冈市公安局交通警察大队): where the ticket went is not recorded; send the unit's name"))
        assert client.post("/v1/route", json=ticket).json()["lead_unit"] == routed["lead_unit"]
        # a type by its own name is its expert seat's as well: both are named (a labour desk's round was told 市场监督管理
        # was a type of 1 unit)
        market = client.post("/v1/feedback", json={**answer, "unit": "市场监督管理"}).json()["unit_not_recorded"]
        assert market.startswith("“市场监督管理”是有 2 个单位的类型（武冈市市场监督管理局、12315市场监管专家座席）"), market
        typo = client.post("/v1/feedback", json={**answer, "unit": "武冈市公按局"}).json()
        assert typo["assigned_unit"] is None and typo["unit_not_recorded"].startswith("“武冈市公按局”不是单位目录中的单位")
        named = client.post("/v1/feedback", json={**answer, "unit": "公安局"}).json()
        assert (named["assigned_unit"], named["unit_not_recorded"]) == ("武冈市公安局", None)
        assert client.post("/v1/route", json=ticket).json()["sent_on_to"] == "武冈市公安局"
        # a later answer naming a type, or no unit (退单 sent as unit null), leaves the ticket there, and says so: an
        # integrator's round read "not recorded" and null as the ticket being nowhere
        again = client.post("/v1/feedback", json={**answer, "unit": "公安"}).json()
        assert again["assigned_unit"] == "武冈市公安局" and "工单去向未记录，仍记录为 武冈市公安局，请写单位名称" in again[
            "unit_not_recorded"] and "(it stays recorded at 武冈市公安局)" in again["unit_not_recorded"]
        no_unit = client.post("/v1/feedback", json={**answer, "topic": "公共安全"}).json()
        assert (no_unit["assigned_unit"], no_unit["unit_not_recorded"]) == ("武冈市公安局", None)
        unrouted = client.post("/v1/feedback", json={"ticket_id": "WG-P9", "text": ticket["text"], "topic": "城乡建设",
                                                     "unit": "公安"}).json()
        assert (unrouted["assigned_unit"], unrouted["unit_not_recorded"]) == (None, None)


def test_an_answer_that_echoes_the_route_keeps_its_unit_and_its_decision(server):
    """An integrator's round. A platform that sent back unit.label for a route the agent kept (供水, where the rule
    rural-water-supply led to 马坪乡人民政府) had the ticket logged at the city's water company: its retry went to
    review, and the next caller's agent read "已派 武冈市自来水公司". And a retry after an answer that kept the lead
    unit went to review with no reason given."""
    burst = {"id": "WG-E1", "title": "镇上水管爆了", "text": "马坪乡集镇农贸市场旁边自来水管爆了，水流了一上午。",
             "channel": "电话"}
    insurance = {"id": "WG-E2", "title": "医保异地就医", "channel": "电话",
                 "text": "在株洲住院花了两万多，异地就医没备案，回来以后医保怎么报销？"}
    with server.client("platform") as client:
        routed = client.post("/v1/route", json=burst).json()
        assert (routed["rule"], routed["lead_unit"]["name"]) == ("rural-water-supply", "马坪乡人民政府"), routed
        assert routed["unit"]["label"] == "供水"
        echoed = client.post("/v1/feedback", json={"ticket_id": "WG-E1", "topic": routed["topic"]["label"],
                                                   "unit": routed["unit"]["label"]})
        assert echoed.status_code == 201, echoed.text
        retry = client.post("/v1/route", json=burst).json()
        first = client.post("/v1/route", json=insurance).json()
        client.post("/v1/feedback", json={"ticket_id": "WG-E2", "topic": first["topic"]["label"],
                                          "unit": first["lead_unit"]["name"]})
        insurance_retry = client.post("/v1/route", json=insurance).json()
        nowhere = client.post("/v1/route", json={"text": "家里停水了，一直没来水"}).json()
    assert (retry["lead_unit"]["name"], retry["sent_on_to"]) == ("马坪乡人民政府", None)
    assert retry["decision"] == routed["decision"] and retry["reasons"] == routed["reasons"]
    assert (insurance_retry["decision"], insurance_retry["sent_on_to"]) == (first["decision"], None)
    assert insurance_retry["reasons"] == first["reasons"]
    with sqlite3.connect(server.home / "appeal.db") as db:
        kept = db.execute("SELECT predicted_unit, unit FROM feedback WHERE id = ?", (echoed.json()["id"],)).fetchone()
    assert kept == ("供水", "供水")  # the type the route filed it under, kept: no unit change in the report
    # what to ask the caller is a field, not prose alone (the same round)
    assert (nowhere["rule"], nowhere["decision"]) == ("water-without-place", "review"), nowhere
    assert nowhere["ask"] in nowhere["reasons"] and "哪个乡镇" in nowhere["ask"] and routed["ask"] is None


def test_an_answer_naming_one_unit_of_the_routes_type_sends_the_ticket_there(server):
    """A utilities agent's round: 交警大队 answered for a ticket the route had led to 武冈市公安局 was read as the type
    公安, the one the route had filed it under, and the ticket stayed recorded at 武冈市公安局 without a word."""
    ticket = {"id": "WG-JJ1", "text": "我骑电动车在都梁路被一台小车撞了，对方司机还下车把我打伤了，你们管不管。"}
    with server.client("agent") as client:
        routed = client.post("/v1/route", json=ticket).json()
        assert (routed["rule"], routed["lead_unit"]["name"]) == ("violence-police", "武冈市公安局"), routed
        sent_on = client.post("/v1/feedback", json={"ticket_id": "WG-JJ1", "topic": "交通运输", "unit": "交警大队"})
        assert (sent_on.json()["assigned_unit"], sent_on.json()["unit_not_recorded"]) == ("武冈市公安局交通警察大队", None)
        assert client.post("/v1/route", json=ticket).json()["sent_on_to"] == "武冈市公安局交通警察大队"
        # its re-tester's: 市场监管局 for a ticket at the 12315 seat is the bureau, not the seat kept
        kitchen = {"id": "WG-JJ2", "text": "在建设路那家粉店吃出一只蟑螂，老板不认账，要求退钱，后厨也脏得要死"}
        assert client.post("/v1/route", json=kitchen).json()["lead_unit"]["id"] == "seat-12315"
        bureau = client.post("/v1/feedback", json={"ticket_id": "WG-JJ2", "topic": "商贸旅游", "unit": "市场监管局"})
        assert bureau.json()["assigned_unit"] == "武冈市市场监督管理局", bureau.json()


def test_a_unit_answered_by_its_catalogue_id_is_stored_by_name_and_sends_the_ticket_there(server):
    """A township clerk's round: the ids GET /v1/labels lists (twp-430581100) were refused by /v1/feedback as "a long
    number, an ID, card or phone number"."""
    ticket = {"id": "WG-ID1", "text": "湾头桥镇集镇垃圾站的垃圾一直没人清运，臭得很，请尽快处理。"}
    with server.client("agent") as client:
        units = {u["id"]: u["name"] for u in client.get("/v1/labels").json()["units"]}
        assert units["twp-430581100"] == "邓元泰镇人民政府"
        client.post("/v1/route", json=ticket)
        stored = client.post("/v1/feedback", json={"ticket_id": "WG-ID1", "topic": "环境保护",
                                                   "unit": "twp-430581100"})
        assert stored.status_code == 201, stored.text
        assert stored.json()["unknown_labels"] == {}
        retry = client.post("/v1/route", json=ticket).json()
        assert retry["lead_unit"]["name"] == "邓元泰镇人民政府"
        # as the catalogue writes it or not; an id the catalogue lacks is said to be one (a re-tester's round: "a long
        # number, an ID, card or phone number?")
        upper = client.post("/v1/feedback", json={"ticket_id": "WG-ID1", "topic": "环境保护", "unit": "TWP-430581100"})
        assert upper.status_code == 200 and upper.json()["id"] == stored.json()["id"]  # the same answer again
        unknown = client.post("/v1/feedback", json={"ticket_id": "WG-ID1", "topic": "环境保护",
                                                    "unit": "twp-430581999"})
        assert unknown.status_code == 422 and "no unit of the catalogue has this id" in unknown.json()["message"]
    with sqlite3.connect(server.home / "appeal.db") as db:
        assert db.execute("SELECT unit FROM feedback WHERE id = ?", (stored.json()["id"],)).fetchone() == (
            "邓元泰镇人民政府",)


def test_a_unit_type_answered_for_a_ticket_of_a_township_names_its_unit_there():
    """A township clerk's round: an agent who answered 乡镇人民政府/街道办事处 for a 湾头桥镇 street lamp the route had
    sent to 城管局 left it the bureau's: its hotspot counted it there, and a repeat said 路由建议 城管局."""
    from knowledge_base.dispatch import default_routing
    from knowledge_base.store import utc_now
    from knowledge_base.ticket_log import SeenTicket, unit_answered

    catalogue = default_routing()[0]
    lamp = SeenTicket("WG-T1", utc_now(), "湾头桥镇中学大门前的路灯坏了", township="湾头桥镇", topic="城乡建设",
                      lead_unit="武冈市城市管理和综合执法局", model_version="v1", unit_type="城市管理和综合执法")
    nowhere = SeenTicket("WG-T2", utc_now(), "路灯坏了", township=None, topic="城乡建设",
                         lead_unit="武冈市城市管理和综合执法局", model_version="v1", unit_type="城市管理和综合执法")
    answered = {(ticket.ticket_id, answer): getattr(unit_answered(catalogue, answer, ticket), "name", None)
                for ticket in (lamp, nowhere)
                for answer in ("乡镇人民政府/街道办事处", "城管局", "邓元泰镇", "村(居)委会", "不知道")}
    assert answered == {
        ("WG-T1", "乡镇人民政府/街道办事处"): "湾头桥镇人民政府", ("WG-T1", "城管局"): "武冈市城市管理和综合执法局",
        ("WG-T1", "邓元泰镇"): "邓元泰镇人民政府", ("WG-T1", "村(居)委会"): None, ("WG-T1", "不知道"): None,
        ("WG-T2", "乡镇人民政府/街道办事处"): None, ("WG-T2", "城管局"): "武冈市城市管理和综合执法局",
        ("WG-T2", "邓元泰镇"): "邓元泰镇人民政府", ("WG-T2", "村(居)委会"): None, ("WG-T2", "不知道"): None}


def test_a_ticket_whose_location_and_text_name_two_townships_is_compared_beyond_the_fields(server):
    """A township clerk's round: the location field said 湾头桥镇 (the caller's address), the text 邓元泰镇's garbage
    station; the three calls before about that station were not listed, since only 湾头桥镇's tickets were compared."""
    text = "邓元泰镇集镇垃圾站的垃圾一直没人清运，臭得很，请尽快处理。"
    with server.client("platform") as client:
        for n in (1, 2):
            client.post("/v1/route", json={"id": f"WG-LT{n}", "text": text})
        both = client.post("/v1/route", json={"id": "WG-LT3", "text": text, "location": "430581101"}).json()
        # the field's township alone, with a text that names none: 邓元泰镇's tickets are another place's
        field = client.post("/v1/route", json={"id": "WG-LT4", "text": "集镇垃圾站的垃圾一直没人清运，臭得很，请尽快处理。",
                                               "location": "430581101"}).json()
    assert both["jurisdiction"]["township"] == "湾头桥镇" and any("属地不一致" in r for r in both["reasons"])
    assert {"WG-LT1", "WG-LT2"} <= {t["ticket_id"] for t in both["related_tickets"]}
    assert not {"WG-LT1", "WG-LT2"} & {t["ticket_id"] for t in field["related_tickets"]}


def test_what_the_route_said_is_taken_in_the_answers_terms():
    """A supervisor's round: the route filed a ticket under 村(居)委会 and led it to 邓家铺镇's government; the agent
    kept 村(居)委会, and the export read the township's government against it, an overruled unit."""
    from knowledge_base.dispatch import default_routing
    from knowledge_base.store import utc_now
    from knowledge_base.ticket_log import SeenTicket
    from serve.routers.feedback import _what_the_route_said

    routed = SeenTicket("WG-S85", utc_now(), "村里的路灯坏了", township="邓家铺镇", topic="城乡建设",
                        lead_unit="邓家铺镇人民政府", model_version="v1", unit_type="村(居)委会")
    catalogue = default_routing()[0]
    for answer, said in (("村(居)委会", "村(居)委会"), ("乡镇人民政府/街道办事处", "邓家铺镇人民政府"),
                         ("湾头桥镇人民政府", "邓家铺镇人民政府"), (None, "邓家铺镇人民政府")):
        values = {"unit": answer, "predicted_topic": None, "predicted_unit": None, "model_version": None}
        assert _what_the_route_said(values, routed, catalogue)["predicted_unit"] == said, answer
    # a ticket a refusal rule flagged has no lead in the log: the type the route read
    flagged = SeenTicket("WG-S86", utc_now(), "已经起诉到法院了", topic="政法", lead_unit=None, model_version="v1",
                         unit_type="司法行政")
    values = {"unit": "武冈市公安局", "predicted_topic": None, "predicted_unit": None, "model_version": None}
    assert _what_the_route_said(values, flagged, catalogue)["predicted_unit"] == "司法行政"


def test_an_agents_verdict_on_a_refusal_is_stored(server):
    """The route flagged the ticket as a matter in litigation; the agent accepted it after all."""
    ticket = {"id": "WG-L1", "text": "我和开发商的购房合同纠纷已经起诉到法院了，但小区的消防通道被堵了，请城管处理。"}
    with server.client("agent") as client:
        routed = client.post("/v1/route", json=ticket).json()
        assert routed["not_accepted"]["rule"] == "litigation"
        answer = {"ticket_id": "WG-L1", "text": ticket["text"], "topic": "城乡建设", "model_version": routed["model_version"],
                  "refusal_rule": routed["not_accepted"]["rule"], "refused": False}
        stored = client.post("/v1/feedback", json=answer)
        assert stored.status_code == 201, stored.text
        assert client.post("/v1/feedback", json={**answer, "refused": "maybe"}).status_code == 422
    with sqlite3.connect(server.home / "appeal.db") as db:
        row = db.execute("SELECT refusal_rule, refused FROM feedback WHERE id = ?", (stored.json()["id"],)).fetchone()
    assert row == ("litigation", 0)
    lines = [json.loads(line) for line in server.log_lines() if line.startswith("{")]
    assert [line["refusal_verdict"] for line in lines if line.get("feedback_id") == stored.json()["id"]] == ["overruled"]
    with server.client("platform") as client:
        assert 'appeal_refusal_verdicts_total{rule="litigation",verdict="overruled"} 1.0' in client.get("/metrics").text


def test_where_the_agent_put_the_caller_through_is_stored_against_the_routes_lines(server):
    """An integrator's round: no field said that the agent put a call through to 119, or that none was needed, and a
    missed emergency was written as `refused` to have somewhere to go."""
    fire, lamp = "我家隔壁着火了，火越烧越大，快来人！", "都梁路的路灯坏了三个月了，晚上出行很不方便。"
    with server.client("agent") as client:
        assert client.post("/v1/route", json={"id": "WG-H1", "text": fire}).json()["hand_over"] == ["119 救援"]
        assert client.post("/v1/route", json={"id": "WG-H2", "text": lamp}).json()["hand_over"] == []
        answers = [{"ticket_id": "WG-H1", "topic": "城乡建设", "put_through": []},  # the fire was out: a false alarm
                   {"ticket_id": "WG-H2", "topic": "城乡建设", "put_through": ["１２０"]}]  # a fall under the lamp
        stored = [client.post("/v1/feedback", json=answer) for answer in answers]
        assert [r.status_code for r in stored] == [201, 201], [r.text for r in stored]
        wrong = client.post("/v1/feedback", json={"ticket_id": "WG-H2", "topic": "城乡建设", "put_through": ["999"]})
        assert wrong.status_code == 422 and "'999' is no line of the routing rules (120 急救, 110 报警, 119 救援" \
            in wrong.text, wrong.text
        metrics = client.get("/metrics").text
    with sqlite3.connect(server.home / "appeal.db") as db:
        rows = [db.execute("SELECT hand_over, put_through FROM feedback WHERE id = ?", (r.json()["id"],)).fetchone()
                for r in stored]
    assert [tuple(json.loads(v) for v in row) for row in rows] == [(["119 救援"], []), ([], ["120 急救"])]
    for verdict in ("false_alarm", "missed"):
        assert f'appeal_hand_over_verdicts_total{{verdict="{verdict}"}} 1.0' in metrics


def test_an_answer_to_a_refusal_flagged_ticket_is_compared_with_the_unit_the_route_proposed(server):
    """A shift leader's round: the route led a 村支书贪污 ticket to 双牌镇人民政府 while flagging it, the agent accepted it
    there, and the row kept the model's type (村(居)委会) as the route's unit: the report counted a change no one made.
    An answer that says only whether it was refused is the flagged rule's verdict; an earlier ticket listed later
    names the unit the route proposed."""
    text = "举报双牌镇某村村支书贪污扶贫款，村里的路也一直没修。"
    with server.client("agent") as client:
        routed = client.post("/v1/route", json={"id": "WG-RF1", "text": text}).json()
        rule, lead = routed["not_accepted"]["rule"], routed["lead_unit"]["name"]
        assert lead == "双牌镇人民政府", routed
        stored = client.post("/v1/feedback", json={"ticket_id": "WG-RF1", "topic": routed["topic"]["label"],
                                                   "unit": lead, "refused": False})
        assert stored.status_code == 201, stored.text
        again = client.post("/v1/route", json={"id": "WG-RF2", "text": text}).json()
    with sqlite3.connect(server.home / "appeal.db") as db:
        row = db.execute("SELECT predicted_unit, refusal_rule, refused FROM feedback WHERE id = ?",
                         (stored.json()["id"],)).fetchone()
    assert row == (lead, rule, 0)
    assert [(t["ticket_id"], t["lead_unit"]) for t in again["related_tickets"]] == [("WG-RF1", lead)], again
    assert f"，已派 {lead}" in " ".join(again["reasons"]), again["reasons"]  # the agent's answer sent it there


def test_a_version_or_rule_the_client_made_up_is_stored_but_counted_as_other(server):
    """Prometheus keeps a series for every label value it sees: ticket ids sent as the model version would add
    one per ticket. The row keeps what the agent sent."""
    with server.client("agent") as client:
        for n in (1, 2):
            answer = {"ticket_id": f"WG-M{n}", "text": TICKET["text"], "topic": "城乡建设", "predicted_topic": "城乡建设",
                      "model_version": f"WG-M{n}", "refusal_rule": f"rule-{n}", "refused": True}
            stored = client.post("/v1/feedback", json=answer)
            assert stored.status_code == 201
            # …and said: the platform learns at once that it sent a rule the routing rules do not name
            assert stored.json()["unknown_labels"]["refusal_rule"] == f"rule-{n}"
        metrics = client.get("/metrics").text
    assert 'appeal_feedback_total{model_version="other",topic_kept="yes"} 2.0' in metrics
    assert 'appeal_refusal_verdicts_total{rule="other",verdict="confirmed"} 2.0' in metrics
    assert "WG-M1" not in metrics and "rule-1" not in metrics
    with sqlite3.connect(server.home / "appeal.db") as db:
        rows = db.execute("SELECT model_version, refusal_rule FROM feedback WHERE ticket_id LIKE 'WG-M%'").fetchall()
    assert sorted(rows) == [("WG-M1", "rule-1"), ("WG-M2", "rule-2")]


def test_feedback_names_the_labels_the_model_does_not_know(server):
    typo = {"ticket_id": "WG-T2", "text": TICKET["text"], "topic": "城乡建设设", "unit": "路灯管理所"}
    unknown = 'appeal_feedback_total{model_version="unknown",topic_kept="unknown"}'
    with server.client("agent") as client:
        before = _metric(client.get("/metrics").text, unknown)
        response = client.post("/v1/feedback", json=typo)
        named = client.post("/v1/feedback", json={**typo, "topic": "城乡建设", "unit": "湾头桥镇人民政府"})
        assert _metric(client.get("/metrics").text, unknown) == before + 2
    assert response.status_code == 201 and response.json()["unknown_labels"] == {"topic": "城乡建设设", "unit": "路灯管理所"}
    assert named.status_code == 201 and named.json()["unknown_labels"] == {}  # a unit of the catalogue


def test_feedback_labels_padded_with_spaces_are_the_labels(server):
    """A form that pads its fields: "城乡建设 " was an unknown label, stored as a class of its own for retraining; so
    was one a paste left an invisible character in (\ufeff城乡建设)."""
    padded = {"ticket_id": " WG-3\u200b", "text": TICKET["text"], "topic": "\ufeff城乡建设 ", "unit": "\u3000住房和城乡建设局",
              "predicted_topic": " 城乡建设\u2066", "model_version": "v1"}
    with server.client("agent") as client:
        response = client.post("/v1/feedback", json=padded)
    assert response.status_code == 201 and response.json()["unknown_labels"] == {}
    with sqlite3.connect(server.home / "appeal.db") as db:
        row = db.execute("SELECT ticket_id, topic, unit, predicted_topic FROM feedback WHERE id = ?",
                         (response.json()["id"],)).fetchone()
    assert row == ("WG-3", "城乡建设", "住房和城乡建设局", "城乡建设")
    # a line break inside a label or an id (U+2028 too) started a line of its own in a log reader
    with server.client("agent") as client:
        for field in ("topic", "ticket_id"):
            forged = client.post("/v1/feedback", json={**padded, field: "城乡\u2028{\"forged\": 1}建设"})
            assert forged.status_code == 422 and "may not hold a line break" in forged.json()["message"], field


def test_a_retried_answer_is_stored_and_counted_once(server):
    """An integrator's round: the platform's retry after a timeout stored a second row and counted the answer twice
    in appeal_feedback_total, and an answer to a ticket id the service never routed (a typo) looked like any other."""
    answer = {"ticket_id": "WG-RT1", "text": TICKET["text"], "topic": "城乡建设", "unit": "湾头桥镇人民政府"}
    counted = 'appeal_feedback_total{model_version="unknown",topic_kept="unknown"}'
    with server.client("agent") as client:
        before = _metric(client.get("/metrics").text, counted)
        first, retry = (client.post("/v1/feedback", json=answer) for _ in range(2))
        assert (first.status_code, retry.status_code) == (201, 200) and first.json() == retry.json()
        assert first.json()["routed"] is False  # WG-RT1 was never routed: nothing of a route was taken
        assert _metric(client.get("/metrics").text, counted) == before + 1
        changed = client.post("/v1/feedback", json={**answer, "topic": "交通运输"})  # a new answer is a new row
        assert changed.status_code == 201 and changed.json()["id"] == first.json()["id"] + 1
        client.post("/v1/route", json={"id": "WG-RT2", **{k: TICKET[k] for k in ("title", "text")}})
        assert client.post("/v1/feedback", json={**answer, "ticket_id": "WG-RT2"}).json()["routed"] is True
    # retries that arrive together (a re-tester's round: four at once were four rows)
    for round_ in range(3):
        together = {**answer, "ticket_id": f"WG-RT3-{round_}"}
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: httpx.post(f"{server.url}/v1/feedback", json=together, timeout=60,
                                                         headers={"X-API-Key": KEYS["agent"]}), range(8)))
        assert sorted(a.status_code for a in answers) == [200] * 7 + [201], [a.status_code for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
    with sqlite3.connect(server.home / "appeal.db") as db:
        assert db.execute("SELECT topic FROM feedback WHERE ticket_id = 'WG-RT1' ORDER BY id").fetchall() == [
            ("城乡建设",), ("交通运输",)]
        assert db.execute("SELECT count(*) FROM feedback WHERE ticket_id LIKE 'WG-RT3-%'").fetchone() == (3,)


def test_a_late_retry_under_its_idempotency_key_never_undoes_the_agents_correction(server, tmp_path):
    """A platform integrator's and a trainer's round: answer A, then the agent's correction B, then A again from a
    retry queue was stored as the ticket's latest answer, and the export trained on A."""
    ticket = {"title": "路灯不亮", "text": "邓元泰镇街上的路灯坏了一个多月，晚上出行很不方便，请尽快修复。联系电话13807391234。"}
    a = {"ticket_id": "WG-IK1", **ticket, "topic": "交通运输", "unit": "交通运输"}
    b = {**a, "topic": "城乡建设", "unit": "城市管理和综合执法"}
    k1, k2, k3 = "3f0b6c1e-8f4a-4c55-9d1e-6a2b7c9d0e11", "3f0b6c1e-8f4a-4c55-9d1e-6a2b7c9d0e12", "retry-queue/k3"
    with server.client("agent") as client:
        client.post("/v1/route", json={"id": "WG-IK1", **ticket})
        first, again = (client.post("/v1/feedback", json=a, headers={"Idempotency-Key": k1}) for _ in range(2))
        corrected = client.post("/v1/feedback", json=b, headers={"Idempotency-Key": k2})
        late = client.post("/v1/feedback", json=a, headers={"Idempotency-Key": k1})
        assert [r.status_code for r in (first, again, corrected, late)] == [201, 200, 201, 200], late.text
        assert again.json() == first.json() and corrected.json()["id"] == first.json()["id"] + 1
        # the late retry is told where the ticket is now, after the correction, not where its answer had put it
        assert late.json() == {**first.json(), "assigned_unit": corrected.json()["assigned_unit"]}
        assert first.json()["assigned_unit"] == "武冈市交通运输局" != late.json()["assigned_unit"]
        exported, _, _ = write_feedback(Settings(home=server.home), tmp_path / "feedback.jsonl", 0, None)
        assert [row["topic"] for row in exported if row["id"] == "WG-IK1"] == ["城乡建设"]  # B, the correction

        # the key of A with another answer: a client reusing keys would lose that answer unseen
        reused = client.post("/v1/feedback", json={**a, "topic": "环境保护"}, headers={"Idempotency-Key": k1})
        assert reused.status_code == 409 and reused.json()["message"] == (
            f"Idempotency-Key 已用于该工单的另一答复（第 {first.json()['id']} 条），新的答复须用新的键 / the key was sent "
            f"with another answer for this ticket (id {first.json()['id']}): a new answer takes a new key")
        # the agent changing the answer back to A is a new request, with a new key
        back = client.post("/v1/feedback", json=a, headers={"Idempotency-Key": k3})
        assert back.status_code == 201 and back.json()["id"] == corrected.json()["id"] + 1
        for key, said in (("k" * 129, "过长"), ("retry queue 1", "含不允许的字符")):
            refused = client.post("/v1/feedback", json=a, headers={"Idempotency-Key": key})
            assert refused.status_code == 422 and refused.json()["message"].startswith(
                f"请求无效 / invalid request — header.idempotency-key: {said} / "), refused.text
    exported, _, _ = write_feedback(Settings(home=server.home), tmp_path / "feedback.jsonl", 0, None)
    assert [row["topic"] for row in exported if row["id"] == "WG-IK1"] == ["交通运输"]
    with sqlite3.connect(server.home / "appeal.db") as db:
        assert db.execute("SELECT topic, idempotency_key FROM feedback WHERE ticket_id = 'WG-IK1' ORDER BY id"
                          ).fetchall() == [("交通运输", k1), ("城乡建设", k2), ("交通运输", k3)]
    # the request log keeps its fields: the late retry is a retry, and no header is written
    logged = server.log_lines()
    lines = [json.loads(line) for line in logged if line.startswith("{")]
    assert [line["retry"] for line in lines if line.get("feedback_id") == first.json()["id"]] == [False, True, True]
    assert k1 not in "\n".join(logged)


def test_an_id_routed_again_with_other_words_says_it_replaces_the_first(server):
    """An integrator's round: a power cut re-sent under its id as a water leak was routed anew and replaced in the
    repeat log without a word; the same words again (a retry) say nothing."""
    power = {"id": "WG-RE1", "text": "司马冲镇大坪村停电一整天了，供电所一直说在抢修，到底什么时候来电？"}
    with server.client("platform") as client:
        first = client.post("/v1/route", json=power).json()
        retried = client.post("/v1/route", json=power).json()
        assert not [r for r in retried["reasons"] if "以不同内容路由过" in r]
        water = client.post("/v1/route", json={**power, "text": "司马冲镇大坪村的自来水管子破了，整个组都没水用了。"}).json()
        # …and as a field a platform alerts on (an integrator's round: in the reasons alone)
        assert [a["replaced_other_text"] for a in (first, retried, water)] == [False, False, True]
        said = [r for r in water["reasons"] if r.startswith("工单 WG-RE1 已于 ")]
        assert len(said) == 1 and f"以不同内容路由过（当时派 {first['lead_unit']['name']}）：本次按新内容路由，并替换原记录" in \
            said[0] and said[0].endswith("/ ticket WG-RE1 was routed before with another text: this route replaces it")
        # where an agent had sent it on, that unit is the one named
        assert client.post("/v1/feedback", json={"ticket_id": "WG-RE1", "topic": "城乡建设",
                                                 "unit": "武冈市水利局"}).status_code == 201
        again = client.post("/v1/route", json={**power, "text": "司马冲镇大坪村的水渠垮了，田里放不进水。"}).json()
    assert any("以不同内容路由过（当时派 武冈市水利局）" in r for r in again["reasons"]), again["reasons"]


def test_a_routed_ticket_is_read_back_by_its_id_with_where_it_is_now(server):
    """An integrator's round: after a lost answer the platform could only route the ticket again, and could not read
    where the service thought the ticket was."""
    came = (datetime.now(timezone.utc) - timedelta(days=2)).replace(microsecond=0)
    ticket = {"id": "WG-GET1", "text": "邓元泰镇塘富村的通村公路塌了一半，车子过不去，我叫刘桂香，电话13873912345。",
              "received_at": came.astimezone(ZoneInfo(WUGANG_TIMEZONE)).isoformat()}
    with server.client("platform") as client:
        routed = client.post("/v1/route", json=ticket).json()
        read = client.get("/v1/tickets/WG-GET1")
        assert read.status_code == 200, read.text
        got = read.json()
        utc = "%Y-%m-%dT%H:%M:%SZ"  # the 30 days of the repeat window after it came in
        assert (got["ticket_id"], got["received_at"], got["kept_until"]) == (
            "WG-GET1", came.strftime(utc), (came + timedelta(days=30)).strftime(utc))
        assert got["lead_unit"] == routed["lead_unit"]["name"] and got["decision"] == routed["decision"]
        assert got["assisting_units"] == [unit["name"] for unit in routed["assisting_units"]]
        assert (got["township"], got["topic"], got["assigned_unit"]) == ("邓元泰镇", routed["topic"]["label"], None)
        assert got["text"] == routed["masked_text"] and "13873912345" not in read.text and "刘桂香" not in read.text
        # an agent sends it on: the read says where it is now, and what the route said still
        assert client.post("/v1/feedback", json={"ticket_id": "WG-GET1", "topic": "交通运输",
                                                 "unit": "武冈市交通运输局"}).status_code == 201
        moved = client.get("/v1/tickets/WG-GET1").json()
        assert got["answer"] is None and moved["answer"]["unit"] == "武冈市交通运输局"
        # sent to a unit: its work in hand
        assert (got["state"], got["held_by"], moved["state"]) == ("proposed", None, "open")
        assert moved == {**got, "assigned_unit": "武冈市交通运输局", "answer": moved["answer"], "state": "open",
                         "held_by": "武冈市交通运输局"}
        missing = client.get("/v1/tickets/WG-NEVER")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"
        assert "近 30 天没有以 'WG-NEVER' 路由的工单" in missing.json()["message"]
        assert client.get("/v1/tickets/" + "9" * 129).status_code == 422
    with server.client("trainer") as trainer:  # a trainer routes nothing, so reads no routed ticket either
        assert trainer.get("/v1/tickets/WG-GET1").status_code == 403
        assert trainer.get("/v1/tickets/hotspots").status_code == 200  # still the hotspots, not a ticket of that id
    erased = subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", "forget", "WG-GET1"],
                            capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "APPEAL_HOME": str(server.home)})
    assert erased.returncode == 0, erased.stderr
    with server.client("platform") as client:
        assert client.get("/v1/tickets/WG-GET1").status_code == 404


def test_a_days_tickets_are_listed_with_why_they_went_where(server):
    """A supervisor's round: the morning review had GET /v1/tickets/{id} one ticket at a time, and the log kept no
    reasons, rule or tickets listed, so which went automatically, which to review and why had no answer."""
    zone = ZoneInfo(WUGANG_TIMEZONE)
    day = centre_today() - timedelta(days=6)  # a day no other test routes on

    def at(hour: int, minute: int, days: int = 0) -> str:
        return datetime.combine(day + timedelta(days=days), datetime.min.time(), zone).replace(
            hour=hour, minute=minute).isoformat()

    road = "湾头桥镇石羊村的村道塌陷了一大块，车子过不去，我叫周大勇，电话13807398812。"
    tickets = [
        {"id": "WG-DAY0", "text": "邓元泰镇的路灯坏了好几盏，晚上黑漆漆的。", "received_at": at(23, 50, days=-1)},
        {"id": "WG-DAY1", "text": road, "received_at": at(0, 10)},
        {"id": "WG-DAY2", "text": "我屋后面的山刚刚塌下来了，屋里还有我娘，在双牌镇。", "received_at": at(23, 40)},
        {"id": "WG-DAY3", "text": road.replace("周大勇", "李秀英").replace("13807398812", "13907391146"),
         "received_at": at(9, 30)},
    ]
    with server.client("platform") as client:
        routed = {t["id"]: client.post("/v1/route", json=t).json() for t in tickets}
        listed = client.get("/v1/tickets", params={"date": day.isoformat()})
        assert listed.status_code == 200, listed.text
        body = listed.json()
        # the day from the centre's midnight to midnight, in the order the tickets came in (not the order routed)
        assert [t["ticket_id"] for t in body["tickets"]] == ["WG-DAY1", "WG-DAY3", "WG-DAY2"]
        assert body["date"] == day.isoformat() and body["received"] == body["matching"] == 3
        assert (body["urgent"], body["handed_over"]) == (1, 1) and body["auto"] + body["review"] == 3
        for got in body["tickets"]:
            answer = routed[got["ticket_id"]]
            assert got["reasons"] == answer["reasons"] and got["rule"] == answer["rule"]
            assert got["decision"] == answer["decision"] and got["lead_unit"] == answer["lead_unit"]["name"]
            assert got["related_tickets"] == [r["ticket_id"] for r in answer["related_tickets"]]
            assert got["text"] == answer["masked_text"]
        assert "WG-DAY1" in body["tickets"][1]["related_tickets"]  # the second caller about the road
        assert "周大勇" not in listed.text and "13807398812" not in listed.text
        urgent = client.get("/v1/tickets", params={"date": day.isoformat(), "urgent": "true"}).json()
        assert [t["ticket_id"] for t in urgent["tickets"]] == ["WG-DAY2"] and urgent["matching"] == 1
        assert urgent["tickets"][0]["hand_over"] == routed["WG-DAY2"]["hand_over"] != []
        review = client.get("/v1/tickets", params={"date": day.isoformat(), "decision": "review"}).json()
        assert review["matching"] == body["review"] and review["received"] == 3
        assert all(t["decision"] == "review" for t in review["tickets"])
        township = client.get("/v1/tickets", params={"date": day.isoformat(), "township": "湾头桥"}).json()
        assert [t["ticket_id"] for t in township["tickets"]] == ["WG-DAY1", "WG-DAY3"]
        assert township["township"] == "湾头桥镇" and township["received"] == 2
        # an emergency desk's round: its night, 18:00 to 06:00, read as two days (the centre's clock, no offset given)
        night = client.get("/v1/tickets", params={"since": at(18, 0, days=-1)[:16], "until": at(6, 0)[:16]}).json()
        assert [t["ticket_id"] for t in night["tickets"]] == ["WG-DAY0", "WG-DAY1"] and night["received"] == 2
        assert (night["since"], night["until"]) == (at(18, 0, days=-1)[:16] + "+08:00", at(6, 0)[:16] + "+08:00")
        assert night["date"] == (day - timedelta(days=1)).isoformat()
        assert (body["since"], body["until"]) == (at(0, 0)[:16] + "+08:00", at(0, 0, days=1)[:16] + "+08:00")
        for wrong in ({"date": day.isoformat(), "since": at(18, 0)}, {"until": at(6, 0)},
                      {"since": at(18, 0), "until": at(6, 0)}):
            refused = client.get("/v1/tickets", params=wrong)
            assert refused.status_code == 422 and ("since" in refused.json()["message"]), refused.text
        page = client.get("/v1/tickets", params={"date": day.isoformat(), "limit": 1, "offset": 1}).json()
        assert [t["ticket_id"] for t in page["tickets"]] == ["WG-DAY3"] and page["matching"] == 3
        # a supervisor's round: what the agent did (put through, refused) was in the feedback alone
        assert body["answered"] == 0 and all(t["answer"] is None for t in body["tickets"])
        answer = {"ticket_id": "WG-DAY2", "topic": "城乡建设", "put_through": ["119 救援"], "refused": False}
        assert client.post("/v1/feedback", json=answer).status_code == 201
        answered = client.get("/v1/tickets", params={"date": day.isoformat()}).json()
        assert (answered["answered"], answered["put_through"], answered["refused"]) == (1, 1, 0)
        assert answered["tickets"][2]["answer"]["put_through"] == ["119 救援"]
        assert answered["tickets"][2]["answer"]["topic"] == "城乡建设"
        assert client.get("/v1/tickets/WG-DAY2").json()["answer"]["put_through"] == ["119 救援"]
        left = client.get("/v1/tickets", params={"date": day.isoformat(), "answered": "false"}).json()
        assert [t["ticket_id"] for t in left["tickets"]] == ["WG-DAY1", "WG-DAY3"] and left["matching"] == 2
        today = client.get("/v1/tickets").json()
        assert today["date"] == centre_today().isoformat()
        assert not {t["ticket_id"] for t in today["tickets"]} & set(routed)
        old = client.get("/v1/tickets", params={"date": (centre_today() - timedelta(days=40)).isoformat()})
        assert old.status_code == 422 and "早于重复诉求窗口（30 天）" in old.json()["message"]
        assert client.get("/v1/tickets", params={"date": "2026-13-01"}).status_code == 422
        assert client.get("/v1/tickets", params={"township": "火星镇"}).status_code == 422
    with server.client("trainer") as trainer:  # as for a ticket read by its id
        refused = trainer.get("/v1/tickets")
        # the endpoint asked, not the scope's name (an integrator's round read "may not use route")
        assert refused.status_code == 403 and refused.json()["message"] == (
            "角色 trainer 无权访问 GET /v1/tickets / role trainer may not use GET /v1/tickets (roles that may: platform, "
            "agent, unit, admin)")
    erased = subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", "forget", "WG-DAY3"],
                            capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "APPEAL_HOME": str(server.home)})
    assert erased.returncode == 0, erased.stderr
    with server.client("agent") as client:
        after = client.get("/v1/tickets", params={"date": day.isoformat()}).json()
    assert [t["ticket_id"] for t in after["tickets"]] == ["WG-DAY1", "WG-DAY2"]
    with sqlite3.connect(server.home / "appeal.db") as db:  # its reasons quote the caller's words: gone with them
        kept = db.execute("SELECT text, reasons, rule FROM routed_ticket WHERE ticket_id = 'WG-DAY3'").fetchall()
    assert kept == [("", None, routed["WG-DAY3"]["rule"])]


def test_a_number_of_a_person_is_no_label(server):
    """A privacy reviewer's round: a caller's phone or ID number pasted into the topic or unit field (or the model
    version, the refusal rule) was stored, counted and logged as given (labels are never masked), and echoed in
    unknown_labels. A version's own digits are no such number."""
    with server.client("agent") as client:
        for field, value in (("topic", "欧阳振华13907395521"), ("unit", "430581199001011235"),
                             ("topic", "EA1234567"), ("unit", "430581199001011234"),  # a passport, a bad check digit
                             # an operator's round: the service's names were stored and exported as given
                             ("model_version", "刘建华13807391234"), ("refusal_rule", "刘建华430581198803124512")):
            refused = client.post("/v1/feedback", json={"ticket_id": "WG-PII-1", "text": TICKET["text"],
                                                        "topic": "城乡建设", field: value})
            assert refused.status_code == 422, refused.text
            said = refused.json()["message"]
            assert ("holds personal data" in said or "holds a long number" in said) and value not in refused.text
        kept = client.post("/v1/feedback", json={"ticket_id": "WG-PII-2", "text": TICKET["text"], "topic": "城乡建设",
                                                 "model_version": "ensemble-20261203-162829"})
        assert kept.status_code == 201, kept.text
    with sqlite3.connect(server.home / "appeal.db") as db:
        assert db.execute("SELECT count(*) FROM feedback WHERE ticket_id = 'WG-PII-1'").fetchone() == (0,)


def test_one_json_log_line_per_request_with_request_id(server):
    with server.client("platform") as client:
        client.post("/v1/route", json=TICKET, headers={"X-Request-ID": "req-abc-123"})
        # a caller's number sent as the id is not written to the log: the request gets an id of its own
        own = client.post("/v1/route", json=TICKET, headers={"X-Request-ID": "15001242486"}).headers["x-request-id"]
    lines = [json.loads(line) for line in server.log_lines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "req-abc-123"]
    assert len(mine) == 1
    assert mine[0]["path"] == "/v1/route" and mine[0]["status"] == 200
    assert mine[0]["model_version"] == "v1"
    # an erasure request (appeal forget WG-1) finds the ticket's lines by its id
    assert mine[0]["tickets"] == ["WG-1"] and "[手机号]" in mine[0]["masked_text"]
    assert re.fullmatch("[0-9a-f]{32}", own) and [line.get("request_id") for line in lines].count(own) == 1
    assert "15001242486" not in "".join(server.log_lines())


def test_a_log_kept_without_ticket_text_names_the_tickets_and_holds_none_of_their_words(tmp_path):
    """A privacy officer's round: every line held the ticket's text, with no ticket id to find it by for an erasure
    request, and nothing turned the text off."""
    home = tmp_path / "home"
    install_model(home, "v1")
    live = start_server(home, tmp_path / "server.log", env={"APPEAL_LOG_TEXT": "false"})
    try:
        with live.client("platform") as client:
            assert client.post("/v1/route", json=TICKET).status_code == 200
            assert client.post("/v1/feedback", json={"ticket_id": "WG-1", "text": TICKET["text"], "topic": "城乡建设",
                                                     "model_version": "v1"}).status_code == 201
        lines = [json.loads(line) for line in live.log_lines() if line.startswith("{") and '"tickets"' in line]
    finally:
        live.stop()
    assert [(line["path"], line["tickets"]) for line in lines] == [("/v1/route", ["WG-1"]), ("/v1/feedback", ["WG-1"])]
    assert not any("masked_text" in line for line in lines)
    assert "坑洼不平" not in live.log_path.read_text(encoding="utf-8")


def test_metrics(server):
    with server.client("platform") as client:
        client.post("/v1/route", json=TICKET)
        text = client.get("/metrics").text
    assert 'appeal_predictions_total{head="topic",label="城乡建设"}' in text
    assert 'appeal_model_info{kind="baseline",version="v1"} 1.0' in text
    assert "appeal_review_rate" in text
    assert 'http_requests_total{handler="/v1/route",method="POST",status="200"}' in text
    assert 'http_request_duration_seconds_bucket{handler="/v1/route",le="0.05",method="POST",status="200"}' in text


FAQ = {
    "question": "新生儿如何办理户口登记？",
    "answer": "携带出生医学证明、父母双方户口簿、身份证和结婚证到户籍所在地派出所办理。",
    "unit": "公安局",
    "topic": "劳动和社会保障",
}


def test_the_api_pages_load_nothing_from_the_internet(server):
    """/docs and /redoc are what the README sends a platform developer to; FastAPI's own pages fetch their scripts
    from cdn.jsdelivr.net, which a centre's intranet (政务外网) does not reach, and stayed blank there."""
    with server.client("platform") as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page)
            assert html.status_code == 200 and "appeal-router" in html.text
            assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
            assert assets and all(a.startswith("/") for a in assets), assets  # served here, not fetched elsewhere
            for asset in assets:
                loaded = client.get(asset)
                assert loaded.status_code == 200 and len(loaded.content) > 1000, asset
        assert "迎春亭街道" in client.get("/openapi.json").text  # the examples the page shows


def _examples(node):
    """(example, the schema it illustrates) for each example of an OpenAPI document: a schema's own (`examples`, a
    list, or `example`), and those beside the `schema` of a media type, parameter or header (`example`, or
    `examples`: named Example Objects)."""
    if isinstance(node, list):
        for item in node:
            yield from _examples(item)
        return
    if not isinstance(node, dict):
        return
    examples = node.get("examples")
    if isinstance(examples, list):
        yield from ((example, node) for example in examples)
    elif isinstance(examples, dict):
        yield from ((named["value"], node["schema"]) for named in examples.values())
    if "example" in node:
        yield node["example"], node.get("schema", node)
    for key, value in node.items():
        if key not in ("example", "examples"):
            yield from _examples(value)


def test_every_example_the_api_document_shows_is_valid_and_written_as_the_service_writes_it(server):
    """A platform vendor generated its client and tests from /openapi.json: the RouteOut example lacked fields its
    schema requires (FastAPI drops every null it writes, the examples' too) and showed a masked text with the
    full-width "，" the service never returns."""
    from jsonschema import Draft202012Validator

    with server.client("platform") as client:
        document = client.get("/openapi.json").json()
        illustrated, components = list(_examples(document)), document["components"]
        wrong = [f"{schema.get('title')} {list(error.absolute_path)}: {error.message[:200]}"
                 for example, schema in illustrated
                 for error in Draft202012Validator({**schema, "components": components}).iter_errors(example)]
        assert not wrong, wrong
        titles = {schema.get("title") for _, schema in illustrated}
        assert {"TicketIn", "BatchIn", "RouteOut", "SuggestIn", "FeedbackIn"} <= titles
        schemas = document["components"]["schemas"]
        # a form's empty field, which the service takes (test above): a generated client must be able to send it
        for name in ("TicketIn", "FeedbackIn"):
            assert Draft202012Validator({**schemas[name], "components": components}).is_valid(
                {"title": "湾头桥镇通村公路塌了一大块", "text": None, **({"topic": "交通运输"} if name == "FeedbackIn" else {})})
        ticket, routed = schemas["TicketIn"]["examples"][0], schemas["RouteOut"]["examples"][0]
        # without its id, so that the repeat window of the other tests does not hold it
        answer = client.post("/v1/route", json={k: v for k, v in ticket.items() if k != "id"}).json()
    shown = ("masked_title", "masked_text", "jurisdiction")
    assert {k: routed[k] for k in shown} == {k: answer[k] for k in shown}
    assert all(t["excerpt"] == normalize(t["excerpt"]) for t in routed["related_tickets"])
    for head in ("topic", "unit"):  # the reasons quote the confidences shown
        assert any(r.startswith(f"{head}: {routed[head]['label']} 置信度 {routed[head]['confidence']:.4f}")
                   for r in routed["reasons"])


def test_the_api_document_declares_the_limits_and_headers_of_the_service_as_configured(tmp_path):
    """The batch limit was "settings.max_batch", a name inside the code without its number, and neither the text
    limit nor the Retry-After and ETag headers the service sends were in the document."""
    # a service that has not loaded (no lifespan run) answers a route with its 503
    code = ("import json\n"
            "from fastapi.testclient import TestClient\n"
            "from appeal.config import Settings\n"
            "from serve.app import create_app\n"
            f"app = create_app(Settings(home={str(tmp_path)!r}))\n"
            f"loading = TestClient(app, headers={{'X-API-Key': {KEYS['platform']!r}}}).post('/v1/route', "
            f"json={TICKET!r})\n"
            "probe = TestClient(app).get('/readyz')\n"
            "print(json.dumps([app.openapi(), loading.status_code, loading.headers['retry-after'], "
            "loading.json()['code'], probe.status_code, probe.headers.get('retry-after')]))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "APPEAL_MAX_BATCH": "7", "APPEAL_MAX_TEXT_CHARS": "3000",
                                 "APPEAL_API_KEYS": KEY_SPEC})
    assert result.returncode == 0, result.stderr
    document, status, retry_after, kind, probed, probe_retry = json.loads(result.stdout.splitlines()[-1])
    assert (status, kind) == (503, "loading")
    # an integrator's round: the probe's own 503 said not when to look again
    assert (probed, probe_retry) == (503, retry_after)
    schemas = document["components"]["schemas"]
    assert schemas["BatchIn"]["properties"]["tickets"]["maxItems"] == 7
    # no maxLength: a text of 3,000 characters or fewer is still refused when NFKC makes it over 6,000
    for body in ("TicketIn", "SuggestIn", "FeedbackIn"):
        text = schemas[body]["properties"]["text"]
        assert "maxLength" not in text and "At most 3000 characters as sent" in text["description"], body
        assert "at most 6000 once normalised (NFKC" in text["description"], body
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/v1") or path == "/readyz":  # each 503 says when to try again
                retry = operation["responses"]["503"]["headers"]["Retry-After"]
                assert retry["schema"] == {"type": "integer"}, (method, path)
                assert f"{retry_after} while the service loads" in retry["description"], (method, path)
    # where the service sends an entry's ETag (test_an_edit_made_on_a_stale_copy_is_refused_and_undoes_nothing)
    entries, entry = document["paths"]["/v1/kb/entries"], document["paths"]["/v1/kb/entries/{entry_id}"]
    for response in (entries["post"]["responses"]["201"], entry["get"]["responses"]["200"],
                     entry["patch"]["responses"]["200"], entry["patch"]["responses"]["412"],
                     entry["delete"]["responses"]["412"]):
        assert response["headers"]["ETag"]["schema"] == {"type": "string"}
    # the key a platform sends with its answers' retries (test_a_late_retry_under_its_idempotency_key_…)
    feedback = document["paths"]["/v1/feedback"]["post"]
    key = next(parameter for parameter in feedback["parameters"] if parameter["in"] == "header")
    assert key["name"] == "idempotency-key"
    assert {"type": "string", "maxLength": 128, "pattern": "^[!-~]+$"} in key["schema"]["anyOf"]
    assert feedback["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_the_service_looks_for_its_encoder_in_its_own_home(tmp_path):
    """create_app(settings) read registry and database from `settings` but the e5 encoder from the process's
    APPEAL_HOME, so a service built for one home searched with another home's encoder, or none."""
    code = ("from appeal.config import Settings\n"
            "from serve.app import create_app\n"
            f"create_app(Settings(home={str(tmp_path / 'own')!r}))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "APPEAL_HOME": str(tmp_path / "process")})
    assert result.returncode == 0, result.stderr
    log = result.stdout + result.stderr  # the service's JSON log: "dense retrieval off … <home>/base-models/…"
    assert f"{tmp_path / 'own' / 'base-models'}" in log and f"{tmp_path / 'process'}" not in log


def test_suggestions_for_a_life_at_risk_are_only_those_of_the_units_that_take_the_call(tmp_path):
    """A senior agent's round: /v1/suggest showed 城区有人违章搭建怎么举报 for 有人晕倒了快叫救护车, and 家里停电了找谁
    for a fire, at a correct answer's score; /v1/route already showed neither."""
    _home_with_faq(tmp_path / "home")
    live = start_server(tmp_path / "home", tmp_path / "server.log")
    try:
        with live.client("agent") as agent:
            calls = [(agent.post("/v1/suggest", json={"text": text, "k": 3}).json(), line) for text, line in
                     (("有人晕倒了快叫救护车", "120 急救"), ("家里着火了！快来人！停电了也不知道找谁", "119 救援"))]
            asked = agent.post("/v1/suggest", json={"text": "家里停电了找谁？", "k": 3}).json()
            gas = agent.post("/v1/suggest", json={"text": "闻到煤气味怎么办", "k": 3}).json()
            fire = agent.post("/v1/suggest", json={"text": "着火了怎么办，楼道里全是烟", "k": 3}).json()
            cylinder = agent.post("/v1/suggest", json={"text": "小区楼道里液化气罐漏气了，物业也不管，好大的味",
                                                       "k": 3}).json()
            lift = agent.post("/v1/suggest", json={"text": "电梯困人了找谁？电梯老是坏归哪个部门管？", "k": 3}).json()
    finally:
        live.stop()
    for found, line in calls:
        taking = {"120 急救": "武冈市卫生健康局", "119 救援": "武冈市消防救援大队"}[line]
        assert found["hand_over"] == [line] and all(s["unit"] == taking for s in found["suggestions"]), found
    assert asked["hand_over"] == [] and asked["suggestions"][0]["id"] == "wg-gd-01"
    # a night agent's round: a gas smell was put through by /v1/route's rule and by no line here; the gas company's
    # answer is still the first (the rule's lead unit takes the call), and a fire is told what to do meanwhile
    assert gas["hand_over"] == ["119 救援"] and gas["suggestions"][0]["id"] == "wg-rq-01", gas
    assert fire["hand_over"] == ["119 救援"] and fire["suggestions"][0]["id"] == "wg-aq-01", fire
    # a cylinder's leak is the fire brigade's, not the pipeline gas company's: its what-to-do answer comes first
    assert cylinder["hand_over"] == ["119 救援"] and cylinder["suggestions"][0]["id"] == "wg-aq-05", cylinder
    # a city-management desk's round: 老是 vetoes the lift rule while 电梯困人 names 119, and the market regulator's
    # answers on lifts were filtered out with the rest: nothing was suggested
    assert lift["hand_over"] == ["119 救援"], lift
    assert {s["id"] for s in lift["suggestions"][:2]} == {"wg-dt-01", "wg-dt-02"}, lift
    # …nor the housing bureau's, which assists (a re-tester's round was shown 住宅专项维修资金)
    assert {s["unit"] for s in cylinder["suggestions"]} == {"武冈市消防救援大队"}, cylinder


def test_kb_crud_is_seen_by_suggest(server):
    query = {"text": "孩子刚出生，上户口需要带什么材料？", "k": 3}
    with server.client("trainer") as trainer, server.client("agent") as agent:
        created = trainer.post("/v1/kb/entries", json=FAQ)
        assert created.status_code == 201, created.text
        assert created.json()["warnings"] == []  # 公安局 is an alias of a catalogue type
        entry_id = created.json()["id"]
        assert trainer.post("/v1/kb/entries", json={**FAQ, "id": entry_id}).status_code == 409
        again = trainer.post("/v1/kb/entries", json=FAQ)  # no id: the id comes from the question, already there
        assert again.status_code == 409 and "already exists with this question" in again.json()["detail"]
        # an edit that makes another entry ask the same question clashes the same way (it was 422, a bad request)
        other = trainer.post("/v1/kb/entries", json={**FAQ, "question": "新生儿上户口要去哪里办？"}).json()["id"]
        clash = trainer.patch(f"/v1/kb/entries/{other}", json={"question": FAQ["question"]})
        assert clash.status_code == 409 and "already answers this question" in clash.json()["detail"], clash.text
        assert trainer.delete(f"/v1/kb/entries/{other}").status_code == 204
        assert entry_id in [e["id"] for e in trainer.get("/v1/kb/entries").json()["entries"]]
        listed = trainer.get("/v1/kb/entries", params={"q": "出生医学证明", "source": "faq", "status": "active"})
        assert [e["id"] for e in listed.json()["entries"]] == [entry_id] and listed.json()["total"] == 1
        # narrowed to one source: the entry is a FAQ answer, and this knowledge base holds no past case
        for source, expected in (("faq", [entry_id]), ("case", [])):
            found = agent.post("/v1/suggest", json={**query, "k": 1, "source": source}).json()["suggestions"]
            assert [s["id"] for s in found] == expected
        assert agent.post("/v1/suggest", json={**query, "source": "faqs"}).status_code == 422
        assert trainer.get("/v1/kb/entries", params={"unit": "公安局", "status": "expired"}).json()["total"] == 0
        assert trainer.get("/v1/kb/entries", params={"status": "gone"}).status_code == 422

        found = agent.post("/v1/suggest", json=query).json()["suggestions"]
        assert found and found[0]["id"] == entry_id
        # what each method said, and whether the answer is the centre's own or an earlier ticket's reply
        assert found[0]["source"] == "faq" and found[0]["bm25_score"] > 0
        routed = agent.post("/v1/route", json={"text": query["text"]}).json()["suggestions"]  # BM25 alone: no e5
        assert [(s["id"], s["source"], s["dense_score"]) for s in routed] == [(entry_id, "faq", None)]
        assert routed[0]["bm25_score"] == found[0]["bm25_score"]

        changed = trainer.patch(f"/v1/kb/entries/{entry_id}",
                                json={"answer": "请到户籍所在地派出所办理出生登记。", "unit": "武冈市公按局"})
        assert changed.status_code == 200 and changed.json()["answer"].startswith("请到户籍所在地派出所")
        # a typo in the unit is stored as written (the catalogue may lag behind), and the trainer is told
        assert changed.json()["unit"] == "武冈市公按局"
        assert changed.json()["warnings"] == ["单位 '武冈市公按局'（1 条）不在单位目录中，按原样保存 / unit '武冈市公按局' (1×) is "
                                              "not in the unit catalogue; stored as written"]
        assert agent.post("/v1/suggest", json=query).json()["suggestions"][0]["answer"].startswith("请到户籍")
        bad = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"valid_from": "2026-05-01", "valid_to": "2026-01-01"})
        assert bad.status_code == 422 and "失效日期早于生效日期 / valid_to is before valid_from" in bad.json()["message"]
        # the contract's one line in Chinese and English (an integrator's re-test: this one was English alone)
        unitless = trainer.post("/v1/kb/entries", json={"question": "路灯坏了找谁？", "answer": "找城管。"})
        assert unitless.status_code == 422 and "FAQ 条目须填责任单位 / a FAQ entry needs its responsible unit" in \
            unitless.json()["message"]
        # null is no question: refused as the body's, in both languages (a platform integrator's round: the schema
        # offered null, and the refusal came as a stored entry's, its loc ["question"], in English alone)
        emptied = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"question": None})
        assert emptied.status_code == 422 and "不能为 null，不改的字段请省略 / may not be null" in emptied.json()["message"]
        assert [e["loc"] for e in emptied.json()["detail"]] == [["body", "question"]]
        schema = trainer.get("/openapi.json").json()["components"]["schemas"]
        assert schema["EntryUpdate"]["properties"]["question"]["type"] == "string"
        assert "a FAQ entry needs one" in schema["EntryIn"]["properties"]["unit"]["description"]
        # a blank answer (an invisible character) was stored and suggested; a day as a digit string was seconds
        # since 1970 ("86400": 1970-01-02, the entry expired at once)
        blank = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"answer": "\u200b\u2066"})
        assert blank.status_code == 422 and "holds no text" in blank.json()["message"]
        as_seconds = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"valid_to": "86400"})
        assert as_seconds.status_code == 422 and "a date is written YYYY-MM-DD" in as_seconds.json()["message"]
        no_day = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"valid_from": "2026-13-01"})
        assert no_day.status_code == 422 and "valid_from: 不是有效的日期 / " in no_day.json()["message"], no_day.text
        # a trainer's round: the dates the import and the CLI read (2026/12/1, 2027年12月31日) were refused here with
        # "input is too short"; a date whose digits allow two days is refused saying so
        written = trainer.patch(f"/v1/kb/entries/{entry_id}",
                                json={"valid_from": "2026/1/1", "valid_to": "2099年12月31日"})
        assert written.status_code == 200, written.text
        assert (written.json()["valid_from"], written.json()["valid_to"]) == ("2026-01-01", "2099-12-31")
        either = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"valid_to": "12/01/2099"})
        assert either.status_code == 422 and "write it as YYYY-MM-DD" in either.json()["message"]
        # …and as a sheet's cell is read: 20991231 is a day (the CLI took it, the API refused it as a number), an
        # evening is a time of day (refused as one, not for its separator), an empty day clears the day
        as_digits = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"valid_to": "20991231"})
        assert as_digits.json()["valid_to"] == "2099-12-31"  # the day it held: no change, no history
        evening = trainer.patch(f"/v1/kb/entries/{entry_id}", json={"valid_to": "2099年12月31日 晚上9点"})
        assert evening.status_code == 422 and "should have zero time" in evening.json()["message"]
        assert trainer.patch(f"/v1/kb/entries/{entry_id}", json={"valid_to": ""}).json()["valid_to"] is None
        assert all(set(error) == {"type", "loc", "msg"} for error in emptied.json()["detail"])

        assert trainer.delete(f"/v1/kb/entries/{entry_id}").status_code == 204
        assert trainer.get(f"/v1/kb/entries/{entry_id}").status_code == 404
        assert trainer.delete(f"/v1/kb/entries/{entry_id}").status_code == 404
        history = trainer.get(f"/v1/kb/entries/{entry_id}/history").json()
        assert [(c["action"], c["by"]) for c in history] == [("add", "api:trainer"), ("update", "api:trainer"),
                                                              ("update", "api:trainer"), ("update", "api:trainer"),
                                                              ("delete", "api:trainer")]
        assert history[1]["entry"]["answer"].startswith("请到户籍所在地派出所")
        # Stamps say they are UTC: a client reads one without an offset as the centre's time, eight hours off.
        stamps = [datetime.fromisoformat(at) for c in history for at in (c["at"], c["entry"]["updated_at"])]
        assert all(at.utcoffset() == timedelta(0) for at in stamps)
        assert timedelta(0) <= datetime.now(timezone.utc) - stamps[-1] < timedelta(minutes=5)
        assert trainer.get("/v1/kb/entries/never-there/history").status_code == 404
        assert entry_id not in [s["id"] for s in agent.post("/v1/suggest", json=query).json()["suggestions"]]
        assert agent.get("/v1/kb/entries").status_code == 403


def test_an_answer_that_gives_a_fee_is_saved_with_a_warning_and_a_question_naming_a_caller_is_refused(server):
    with server.client("trainer") as trainer:
        saved = trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg-fee-1", "question": "户口簿丢了补办要钱吗？",
                                                     "answer": "到派出所补办，收费10元。"})
        assert saved.status_code == 201 and saved.json()["answer"] == "到派出所补办，收费10元。"
        assert saved.json()["warnings"] == ["wg-fee-1: 答复给出费用（10元），请与单位公布的核对 / the answer gives a fee (10元); "
                                            "check it against the unit's published one"]
        # a question pasted from a ticket, caller's number and all, would be suggested to every agent: refused
        pasted = trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg-pii-1", "question": "电话13712345678养老金停发"})
        assert pasted.status_code == 422 and "13712345678" not in pasted.text
        assert "the question holds personal data ([手机号])" in pasted.text
        assert trainer.get("/v1/kb/entries/wg-pii-1").status_code == 404


def test_an_answer_naming_a_citizens_phone_is_refused_and_an_offices_contact_is_saved_with_a_warning(server):
    with server.client("trainer") as trainer:
        pasted = trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg-citizen-1", "answer": (
            "经核查，市民刘女士（电话13807391234）反映的问题已修复，新生儿户口可到派出所办理。")})
        assert pasted.status_code == 422 and "13807391234" not in pasted.text
        assert "the answer holds personal data ([手机号])" in pasted.text
        assert trainer.get("/v1/kb/entries/wg-citizen-1").status_code == 404
        office = trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg-office-1", "answer": (
            "到户籍所在地派出所办理，联系人：王科长 13807391234。")})
        assert office.status_code == 201 and office.json()["warnings"] == [
            "wg-office-1: 答复给出手机号码（13807391234）（是个人手机，不是单位电话？），请与单位公布的核对 / the answer gives a "
            "mobile number (13807391234) (a person's phone, not an office's line?); check it against the unit's "
            "published one"]
        assert trainer.delete("/v1/kb/entries/wg-office-1").status_code == 204


def test_an_entry_asking_a_stored_answers_phrasing_is_409_and_one_expired_already_is_saved_with_a_warning(server):
    """A tester's round on the demo pack's 社保卡 answer: a question that was word for word its other phrasing, or a
    new entry whose other phrasing was its question, was 201, and agents got two answers to one question; an entry
    whose valid_to had passed was 201 with no warning, and never suggested."""
    card = next(e for e in read_entries(DEMO_DIR / "faq.jsonl") if e.id == "wg-sbk-01")
    other = {"answer": "另一个答案", "unit": "武冈市人力资源和社会保障局"}
    with server.client("trainer") as trainer:
        assert trainer.post("/v1/kb/entries", json=card.model_dump(mode="json", exclude_none=True)).status_code == 201
        fallen = trainer.post("/v1/kb/entries", json={"question": "社保卡掉了怎么办", **other})
        assert fallen.status_code == 409, fallen.text
        assert "entry 'wg-sbk-01' already answers this question in the same period" in fallen.json()["detail"]
        reissue = trainer.post("/v1/kb/entries", json={"question": "社会保障卡补领流程？",
                                                      "alternatives": ["社保卡丢了怎么补办？"], **other})
        assert reissue.status_code == 409, reissue.text
        assert ("entry 'wg-sbk-01' already answers '社保卡丢了怎么补办？' (another phrasing of this entry) in the same "
                "period") in reissue.json()["detail"]
        created = trainer.post("/v1/kb/entries", json={"question": "社会保障卡补领流程？", **other})
        assert created.status_code == 201, created.text
        reissue_id = created.json()["id"]
        edited = trainer.patch(f"/v1/kb/entries/{reissue_id}", json={"alternatives": ["社保卡坏了换卡"]})
        assert edited.status_code == 409 and "entry 'wg-sbk-01' already answers" in edited.json()["detail"]
        assert trainer.get(f"/v1/kb/entries/{reissue_id}").json()["alternatives"] == []

        heating = trainer.post("/v1/kb/entries", json={"id": "wg-heat-2025", "question": "2025年冬季取暖补贴怎么领？",
                                                      "answer": "补贴已停发。", "unit": "武冈市民政局",
                                                      "valid_to": "2025-03-31"})
        assert heating.status_code == 201 and heating.json()["warnings"] == [
            "wg-heat-2025: valid_to 2025-03-31 已过期，不会被推荐 / already expired: stored, never suggested"]
        renewed = trainer.patch("/v1/kb/entries/wg-heat-2025", json={"valid_to": None})
        assert renewed.status_code == 200 and renewed.json()["warnings"] == []
        retired = trainer.patch("/v1/kb/entries/wg-heat-2025", json={"valid_to": "2026-03-31"})
        assert retired.json()["warnings"] == [
            "wg-heat-2025: valid_to 2026-03-31 已过期，不会被推荐 / already expired: stored, never suggested"]
        for entry_id in ("wg-sbk-01", reissue_id, "wg-heat-2025"):
            assert trainer.delete(f"/v1/kb/entries/{entry_id}").status_code == 204


def test_a_question_with_a_closing_particle_is_409_and_one_nearly_a_stored_ones_is_saved_with_a_warning(server):
    """An editor's round beside the demo pack's 城乡居民医保怎么缴费？: 城乡居民医保怎么缴费吗？ and 城乡居民医保怎样缴费？
    were 201 with no warning, and agents got two answers to one question, the new one first."""
    fee = next(e for e in read_entries(DEMO_DIR / "faq.jsonl") if e.id == "wg-yb-03")
    other = {"answer": "另一个答案", "unit": "武冈市医疗保障局"}
    with server.client("trainer") as trainer:
        assert trainer.post("/v1/kb/entries", json=fee.model_dump(mode="json", exclude_none=True)).status_code == 201
        card = trainer.post("/v1/kb/entries", json={"id": "wg-ybk", "question": "医保卡丢了怎么补办？", **other})
        assert card.status_code == 201 and card.json()["warnings"] == []
        for asked, stored in (("城乡居民医保怎么缴费吗？", "wg-yb-03"), ("医保卡丢了怎么补办吗", "wg-ybk")):
            again = trainer.post("/v1/kb/entries", json={"question": asked, **other})
            assert again.status_code == 409, again.text
            assert f"entry {stored!r} already exists with this question" in again.json()["detail"]
        near = trainer.post("/v1/kb/entries", json={"question": "城乡居民医保怎样缴费？", **other})
        assert near.status_code == 201, near.text
        assert near.json()["warnings"] == [
            f"{near.json()['id']}: 问题与条目 'wg-yb-03'（城乡居民医保怎么缴费？）几乎相同：若问的是一件事，请只留一条，另一条的问法作为"
            "其他问法 / the question is nearly that of entry 'wg-yb-03' (城乡居民医保怎么缴费？): if the two ask one thing, "
            "keep one, with the other's wording as another phrasing"]
        reworded = trainer.patch(f"/v1/kb/entries/{near.json()['id']}", json={"question": "城乡居民医保断缴了怎么补缴？"})
        assert reworded.status_code == 200 and reworded.json()["warnings"] == []
        for entry_id in ("wg-yb-03", "wg-ybk", near.json()["id"]):
            assert trainer.delete(f"/v1/kb/entries/{entry_id}").status_code == 204


def test_a_patch_that_starts_an_entry_suggested_today_later_is_422_and_changes_nothing(server):
    """An editor's round: a PATCH of valid_from into next year withdrew the answer agents get today until then."""
    today = centre_today()
    start, eve = today.replace(year=today.year + 1, month=1, day=1), today.replace(month=12, day=31)
    entry = {"id": "wg-yb-03", "question": "医保卡丢了怎么补办？", "answer": "携带身份证到市医保服务大厅窗口补办。",
             "unit": "武冈市医疗保障局"}
    path = "/v1/kb/entries/wg-yb-03"
    with server.client("trainer") as trainer, server.client("agent") as agent:
        assert trainer.post("/v1/kb/entries", json=entry).status_code == 201
        later = trainer.patch(path, json={"valid_from": f"{start.year}年1月1日"})
        assert (later.status_code, later.json()["code"]) == (422, "invalid_request"), later.text
        assert later.json()["detail"] == later.json()["message"] == (
            "今天有效的条目不能推迟生效，否则今天的答复会被撤下：请把新答复另建为条目（新编号）自该日起生效，并把本条的失效日期设为前一天 / "
            f"entry 'wg-yb-03' is suggested today, and valid_from {start} would withdraw its answer until then: add "
            f"the new answer as an entry of its own (its own id) from {start}, and give 'wg-yb-03' valid_to {eve}")
        assert trainer.get(path).json()["valid_from"] is None
        found = agent.post("/v1/suggest", json={"text": "医保卡丢了怎么补办", "k": 1}).json()["suggestions"]
        assert [s["id"] for s in found] == ["wg-yb-03"]
        # any start into the past is no withdrawal
        assert trainer.patch(path, json={"valid_from": str(today - timedelta(days=365))}).status_code == 200
        assert trainer.delete(path).status_code == 204


def test_an_answer_from_a_later_day_is_scheduled_beside_todays_which_keeps_being_suggested(server):
    """The new answer posted without an id was 409 "(use update)" even after the live one was given an end, and
    following that replaced today's answer; it is an entry of its own, and where the periods overlap the 409 says both
    ways out."""
    today = centre_today()
    start, eve = today.replace(year=today.year + 1, month=1, day=1), today.replace(month=12, day=31)
    entry = {"question": "医保卡丢了怎么补办？", "answer": "携带身份证到市医保服务大厅窗口补办。", "unit": "武冈市医疗保障局"}
    successor = {**entry, "answer": f"{start.year}年起社保卡补办全部改为线上办理，请登录湖南医保服务平台申请。",
                 "valid_from": str(start)}
    path = "/v1/kb/entries/wg-yb-03"
    with server.client("trainer") as trainer, server.client("agent") as agent:
        assert trainer.post("/v1/kb/entries", json={**entry, "id": "wg-yb-03"}).status_code == 201
        overlapping = trainer.post("/v1/kb/entries", json=successor)
        assert overlapping.status_code == 409, overlapping.text
        assert ("entry 'wg-yb-03' already exists with this question in the same period: update it (agents get the "
                "change at once), or, for an answer from a later day on, first give 'wg-yb-03' valid_to the day "
                "before, then add this one with that valid_from") in overlapping.json()["detail"]

        assert trainer.patch(path, json={"valid_to": str(eve)}).status_code == 200
        created = trainer.post("/v1/kb/entries", json=successor)
        assert created.status_code == 201, created.text
        new_id = created.json()["id"]
        assert new_id != "wg-yb-03" and trainer.get(path).json()["answer"] == entry["answer"]
        scheduled = trainer.get("/v1/kb/entries", params={"status": "scheduled", "q": "医保卡"}).json()["entries"]
        assert [(e["id"], e["valid_from"]) for e in scheduled] == [(new_id, str(start))]
        found = agent.post("/v1/suggest", json={"text": "医保卡丢了怎么补办", "k": 5}).json()["suggestions"]
        assert "wg-yb-03" in [s["id"] for s in found] and new_id not in [s["id"] for s in found]
        # the start of an entry not suggested today moves freely
        moved = trainer.patch(f"/v1/kb/entries/{new_id}", json={"valid_from": str(start + timedelta(days=1))})
        assert moved.status_code == 200
        for entry_id in ("wg-yb-03", new_id):
            assert trainer.delete(f"/v1/kb/entries/{entry_id}").status_code == 204


def test_an_entry_an_earlier_release_stored_against_a_rule_of_today_is_listed_read_and_retired(server):
    """A FAQ question naming a caller, stored before such questions were refused: the trainers' list answered 422
    for every FAQ entry, reading the entry 500, its history 422, and so it could not be fixed nor retired."""
    with server.client("trainer") as trainer:
        created = trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg-legacy-1", "question": "老人证怎么办理？"})
        assert created.status_code == 201, created.text
        with sqlite3.connect(server.home / "appeal.db") as db:
            db.execute("UPDATE kb_entry SET question = ?, updated_at = '2025-06-01 08:00:00.000000' "
                       "WHERE id = 'wg-legacy-1'", ("我叫张建国，老人证怎么办理？",))
            db.execute("UPDATE kb_state SET version = version + 1")  # as a write tells the service to read again
        listed = trainer.get("/v1/kb/entries", params={"q": "老人证"})
        assert listed.status_code == 200 and [e["id"] for e in listed.json()["entries"]] == ["wg-legacy-1"]
        read = trainer.get("/v1/kb/entries/wg-legacy-1")
        assert read.status_code == 200 and read.json()["question"] == "我叫张建国，老人证怎么办理？"
        assert trainer.get("/v1/kb/entries/wg-legacy-1/history").status_code == 200
        with server.client("agent") as agent:  # suggested until a trainer fixes it: masked for agents
            found = agent.post("/v1/suggest", json={"text": "老人证怎么办理？", "k": 1}).json()["suggestions"]
        assert [(s["id"], s["question"]) for s in found] == [("wg-legacy-1", "我叫[姓名],老人证怎么办理?")]
        retired = trainer.patch("/v1/kb/entries/wg-legacy-1", json={"valid_to": "2026-01-31"},
                                headers={"If-Match": read.headers["ETag"]})
        assert retired.status_code == 200, retired.text
        assert retired.json()["warnings"] == [
            "wg-legacy-1: 存于现行规则之前，违反了它，请修改或删除 / stored before a rule it breaks (问题含个人信息（[姓名]）："
            "FAQ 只作一般性的问答，请删去个人的信息 / the question holds personal data ([姓名]): a FAQ asks in general "
            "terms; leave a person's details out): fix it, or delete the entry",
            "wg-legacy-1: valid_to 2026-01-31 已过期，不会被推荐 / already expired: stored, never suggested"]
        assert trainer.delete("/v1/kb/entries/wg-legacy-1").status_code == 204


def test_an_edit_made_on_a_stale_copy_is_refused_and_undoes_nothing(server):
    """Two trainers open one answer in their forms; the second to save had read it before the first saved."""
    path = "/v1/kb/entries/wg-etag-1"
    with server.client("trainer") as trainer:
        created = trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg-etag-1"})
        read = created.headers["etag"]
        assert trainer.get(path).headers["etag"] == read
        first = trainer.patch(path, json={"answer": "请携带出生医学证明到派出所办理。"}, headers={"If-Match": read})
        assert first.status_code == 200 and first.headers["etag"] != read
        stale = trainer.patch(path, json={"answer": "请到政务服务中心办理。"}, headers={"If-Match": read})
        assert stale.status_code == 412 and "changed since it was read" in stale.json()["detail"]
        # whose change and when, on the centre's clock: "他人" was said to the editor whose own save it was
        changed_at = datetime.fromisoformat(first.json()["updated_at"]).astimezone(ZoneInfo(WUGANG_TIMEZONE))
        assert stale.json()["detail"].startswith(
            f"条目读取后已被 {first.json()['updated_by']} 于 {changed_at:%Y-%m-%d %H:%M} 修改，请重新读取 / ")
        assert stale.headers["etag"] == first.headers["etag"]  # what to read again
        assert trainer.delete(path, headers={"If-Match": read}).status_code == 412
        assert trainer.patch(path, json={"answer": "x"}, headers={"If-Match": "not-a-stamp"}).status_code == 412
        assert trainer.get(path).json()["answer"] == "请携带出生医学证明到派出所办理。"
        # without If-Match an edit is applied as before; with the ETag just read, too
        assert trainer.patch(path, json={"tags": ["户籍"]}).status_code == 200
        # the entry's own updated_at, as its JSON gives it (with +00:00), is the same version as its ETag: it was
        # refused as changed, the message naming the very stamp that had been sent
        stamp = trainer.get(path).json()["updated_at"]
        assert stamp.endswith("+00:00")
        assert trainer.patch(path, json={"tags": ["户籍", "出生"]}, headers={"If-Match": stamp}).status_code == 200
        # a list of tags matches when one of them does (RFC 9110); a weak tag never does, If-Match compares strongly
        etag = trainer.get(path).headers["etag"]
        listed = trainer.patch(path, json={"tags": ["户籍"]}, headers={"If-Match": f'"foo", {read}, {etag}'})
        assert listed.status_code == 200
        weak = trainer.patch(path, json={"tags": []}, headers={"If-Match": "W/" + listed.headers["etag"]})
        assert weak.status_code == 412 and trainer.get(path).json()["tags"] == ["户籍"]
        # the stale edit's message gives the time as the entry's JSON does, with its zone
        refused = trainer.patch(path, json={"tags": []}, headers={"If-Match": etag}).json()["detail"]
        assert f"last changed {trainer.get(path).json()['updated_at']} by api:" in refused
        assert trainer.delete(path, headers={"If-Match": trainer.get(path).headers["etag"]}).status_code == 204
        history = trainer.get(path + "/history").json()
    assert [c["action"] for c in history] == ["add", "update", "update", "update", "update", "delete"]


def test_an_entry_whose_id_holds_a_slash_is_reached_like_any_other(server):
    """A city's own numbering (2024/017) arrives with the FAQ file; the client escapes the slash as %2F."""
    path = "/v1/kb/entries/" + quote("wg/2024/017", safe="")
    with server.client("trainer") as trainer:
        assert trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg/2024/017"}).status_code == 201
        assert trainer.get(path).json()["id"] == "wg/2024/017"
        assert trainer.patch(path, json={"answer": "请到派出所办理出生登记。"}).json()["answer"] == "请到派出所办理出生登记。"
        assert trainer.delete(path).status_code == 204
        assert [c["action"] for c in trainer.get(path + "/history").json()] == ["add", "update", "delete"]
        assert trainer.get(path).status_code == 404
        # An id ending in /history could be created and then never reached: …/history is an entry's history.
        refused = trainer.post("/v1/kb/entries", json={**FAQ, "id": "wg/2024/history"})
        assert refused.status_code == 422 and "may not end in /history" in refused.json()["message"]
        # so could an id with a line break (the path's pattern stops at it) and . or .. (clients resolve them)
        for unreachable in ("wg\n017", "..", "."):
            refused = trainer.post("/v1/kb/entries", json={**FAQ, "id": unreachable})
            assert refused.status_code == 422
            assert "may not be . or .., nor hold a line break" in refused.json()["message"]
        assert trainer.get("/v1/kb/entries", params={"q": FAQ["question"]}).json()["total"] == 0
        # A trailing slash is no empty id: it still leads to the list, as before.
        listing = trainer.get("/v1/kb/entries/")
        assert listing.status_code == 307 and listing.headers["location"].endswith("/v1/kb/entries")


REPEATS = [
    {"id": "WG-R1", "title": "学校门口砂石场扬尘",
     "text": "司马冲镇中心小学门口的砂石场每天大货车进出，扬尘很大，学生上下学很危险，请尽快处理。"},
    {"id": "WG-R2", "text": "司马冲镇中心小学门口砂石场的大货车太多了，扬尘很大，学生上学不安全，谁来管管？联系电话13807391234。"},
    {"id": "WG-R3", "text": "司马冲镇中心小学门口砂石场扬尘和大货车问题反映了一个星期还没人管，学生很危险。"},
]


def test_a_repeat_reason_counts_days_as_the_centre_does(server):
    """An earlier report of 23:00 last night, Wugang time, is 昨天 however few hours ago it was."""
    from datetime import datetime, time, timedelta, timezone

    from knowledge_base.ticket_log import SeenTicket, TicketLog
    from pipeline import masked_text

    wugang = ZoneInfo(WUGANG_TIMEZONE)
    last_night = datetime.combine(datetime.now(wugang).date(), time(0), wugang) - timedelta(hours=1)
    log = TicketLog(f"sqlite:///{server.home / 'appeal.db'}")
    # logged by an earlier release whose masking missed the caller's name that today's finds: masked as it goes out
    log.add(SeenTicket("WG-Y1", last_night.astimezone(timezone.utc).replace(tzinfo=None),
                       masked_text("邓家铺镇农贸市场旁边的垃圾站三天没人清运，臭气熏天，苍蝇很多。") + "我叫张建国低保户。",
                       "垃圾站无人清运"))
    log.close()
    with server.client("platform") as platform:
        routed = platform.post("/v1/route", json={"id": "WG-Y2", "title": "垃圾站无人清运",
                                                  "text": "邓家铺镇农贸市场旁边的垃圾站还是没人清运，臭气熏天。"}).json()
    assert [t["ticket_id"] for t in routed["related_tickets"]][:1] == ["WG-Y1"]
    assert routed["related_tickets"][0]["excerpt"].endswith("我叫[姓名]低保户。") and "张建国" not in str(routed)
    assert any(r.startswith("可能重复诉求 / possible repeat: WG-Y1") and "昨天 / yesterday" in r for r in routed["reasons"])


def test_a_backlog_batch_is_compared_in_the_order_its_tickets_came_in(server):
    """A township clerk's round: in a backlog batch, a ticket was not compared with one received a day before it that
    came later in the batch."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(WUGANG_TIMEZONE)
    yesterday = datetime.now(zone).date() - timedelta(days=1)
    at = {hour: datetime.combine(yesterday, time(hour, 30), tzinfo=zone).isoformat() for hour in (8, 10)}
    text = "湾头桥镇大田村评低保优亲厚友，村干部的亲戚都评上了，真正困难的评不上，请核查。"
    batch = [{"id": "WG-O2", "text": text, "received_at": at[10]},
             {"id": "WG-O1", "text": "湾头桥镇大田村低保评定优亲厚友，困难户评不上，村干部亲戚都有，请查一查。",
              "received_at": at[8]}]
    with server.client("platform") as platform:
        answers = platform.post("/v1/route/batch", json={"tickets": batch}).json()["results"]
    assert [a["id"] for a in answers] == ["WG-O2", "WG-O1"]  # in the batch's order
    assert [t["ticket_id"] for t in answers[0]["related_tickets"]] == ["WG-O1"]
    assert answers[1]["related_tickets"] == []
    assert any("WG-O1" in r and "同一天 / the same day" in r for r in answers[0]["reasons"])


def test_a_backlog_ticket_counts_on_the_day_it_came_in(server):
    """After an outage the platform sends the tickets it queued: each was logged as received at routing time, so a
    week-old matter showed as a hotspot of today (last_24h) and stayed in the repeat window a week too long."""
    import sqlite3
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo(WUGANG_TIMEZONE)).replace(microsecond=0)
    text = "双牌镇龙山村自来水管爆裂，已经停水三天了，全村几百人没水喝，请供水公司尽快派人抢修。"
    # the platform's queue was not in order
    backlog = [("WG-B1", now - timedelta(days=3)), ("WG-B2", now - timedelta(days=2)),
               ("WG-B0", now - timedelta(days=4))]
    with server.client("platform") as platform:
        routed = {}
        for ticket_id, received in backlog:
            answer = platform.post("/v1/route", json={"id": ticket_id, "title": "停水", "text": text,
                                                      "received_at": received.isoformat()})
            assert answer.status_code == 200, answer.text
            routed[ticket_id] = answer.json()
        assert [t["ticket_id"] for t in routed["WG-B2"]["related_tickets"]] == ["WG-B1"]
        assert routed["WG-B2"]["related_tickets"][0]["received_at"] == \
            (now - timedelta(days=3)).astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"
        # counted from its own day (a township's round: a call 1.5 hours after the one listed read "4 天前")
        assert any("前一天 / the day before" in r for r in routed["WG-B2"]["reasons"])
        # WG-B0 came in before the other two: they are no earlier report of it
        assert routed["WG-B0"]["related_tickets"] == []
        for bad, says in ((now.replace(tzinfo=None).isoformat(), "timezone"),
                          ((now + timedelta(hours=1)).isoformat(), "later than now"),
                          # an epoch was read as UTC seconds, its ticket dropped from the window (an integrator's round)
                          (int(now.timestamp()), "not a number")):
            refused = platform.post("/v1/route", json={"id": "WG-B9", "text": text, "received_at": bad})
            assert refused.status_code == 422 and says in refused.text, refused.text
    with server.client("agent") as agent:
        week = agent.get("/v1/tickets/hotspots", params={"days": 7, "min_size": 3}).json()["hotspots"]
        spot = next(s for s in week if {t["ticket_id"] for t in s["tickets"]} == {"WG-B0", "WG-B1", "WG-B2"})
        assert spot["last_24h"] == 0
        assert spot["first_at"] == \
            (now - timedelta(days=4)).astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"
        today = agent.get("/v1/tickets/hotspots", params={"days": 1, "min_size": 2}).json()["hotspots"]
        assert not {"WG-B0", "WG-B1", "WG-B2"} & {t["ticket_id"] for s in today for t in s["tickets"]}
    with server.client("platform") as platform:
        # sent again without a time (a retry): still the appeal of three days ago, not one of today
        assert platform.post("/v1/route", json={"id": "WG-B1", "title": "停水", "text": text}).status_code == 200
        with sqlite3.connect(server.home / "appeal.db") as connection:
            kept = connection.execute("SELECT received_at FROM routed_ticket WHERE ticket_id = 'WG-B1'").fetchall()
        assert [datetime.fromisoformat(at) for at, in kept] == [
            (now - timedelta(days=3)).astimezone(timezone.utc).replace(tzinfo=None)]
        # sent again with its time corrected: the two reports before that time are earlier ones
        again = platform.post("/v1/route", json={"id": "WG-B0", "title": "停水", "text": text,
                                                 "received_at": (now - timedelta(days=1)).isoformat()}).json()
        assert sorted(t["ticket_id"] for t in again["related_tickets"]) == ["WG-B1", "WG-B2"]
        # older than the repeat window: routed, compared with nothing and not kept
        old = platform.post("/v1/route", json={"id": "WG-B8", "title": "停水", "text": text,
                                               "received_at": (now - timedelta(days=40)).isoformat()})
        assert old.status_code == 200 and old.json()["related_tickets"] == []
        # …and says so, where it would otherwise read as checked and new
        assert old.json()["reasons"][-1].startswith("收到时间早于重复诉求窗口（30 天），未核对重复、不保留")
        assert (old.json()["repeat_checked"], again["repeat_checked"]) == (False, True)
        year_one = platform.post("/v1/route", json={"text": text, "received_at": "0001-01-01T00:00:00+01:00"})
        assert year_one.status_code == 422 and "not a usable time" in year_one.text  # was a 500
    with sqlite3.connect(server.home / "appeal.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM routed_ticket WHERE ticket_id = 'WG-B8'").fetchone() == (0,)


def test_repeat_reports_are_linked_and_grouped(server):
    with server.client("platform") as platform:
        for ticket in demo_tickets():  # a window of real size (the IDF needs one)
            assert platform.post("/v1/route", json={k: ticket[k] for k in ("id", "title", "text")}).status_code == 200
        repeats_before = _metric(platform.get("/metrics").text, "appeal_repeats_total")
        first = platform.post("/v1/route", json=REPEATS[0]).json()
        assert first["related_tickets"] == [] and not any("重复" in r for r in first["reasons"])
        batch = platform.post("/v1/route/batch", json={"tickets": REPEATS[1:]}).json()["results"]
        again = batch[0]
        assert [t["ticket_id"] for t in again["related_tickets"]][:1] == ["WG-R1"]
        related = again["related_tickets"][0]
        assert related["title"] == "学校门口砂石场扬尘" and related["township"] == "司马冲镇"
        assert related["similarity"] >= 0.25 and related["excerpt"].startswith("司马冲镇中心小学")
        # WG-R1 went to review and no agent answered it: the route proposed its unit, nobody sent it there (an
        # integrator's round: "已派" said it was dispatched)
        assert first["decision"] == "review"
        assert any(r.startswith("可能重复诉求 / possible repeat: WG-R1") and "已派" not in r
                   and r.endswith(f"，路由建议 {first['lead_unit']['name']}）") for r in again["reasons"])
        assert "WG-R2" in [t["ticket_id"] for t in batch[1]["related_tickets"]]  # the batch sees its own tickets
        assert "13807391234" not in json.dumps(batch, ensure_ascii=False)
        assert platform.get("/v1/tickets/hotspots").status_code == 403
        assert _metric(platform.get("/metrics").text, "appeal_repeats_total") == repeats_before + 2
        # The same words about another township's school are another matter.
        elsewhere = platform.post("/v1/route", json={**REPEATS[0], "id": "WG-R9",
                                                     "text": REPEATS[0]["text"].replace("司马冲镇", "邓家铺镇")}).json()
        assert elsewhere["jurisdiction"]["township"] == "邓家铺镇"
        assert not {"WG-R1", "WG-R2", "WG-R3"} & {t["ticket_id"] for t in elsewhere["related_tickets"]}
    with server.client("agent") as agent:
        spots = agent.get("/v1/tickets/hotspots", params={"days": 1}).json()
        assert spots["tickets_in_period"] >= 303
        grouped = [s for s in spots["hotspots"] if "WG-R1" in [t["ticket_id"] for t in s["tickets"]]]
        assert len(grouped) == 1 and grouped[0]["size"] == 3 and grouped[0]["townships"] == {"司马冲镇": 3}
        # a township clerk's view: the groups holding its tickets, by name or division code (an unknown one was
        # ignored, and the whole county came back)
        for township in ("司马冲镇", "司马冲", "430581107"):
            found = agent.get("/v1/tickets/hotspots", params={"days": 1, "township": township}).json()
            own = found["hotspots"]
            assert own and all("司马冲镇" in s["townships"] for s in own) and grouped[0] in own, township
            # its own tickets counted, not the county's (read as the township's workload)
            assert found["township"] == "司马冲镇" and 3 <= found["tickets_in_period"] < spots["tickets_in_period"]
        assert spots["township"] is None
        # a form's "all townships" sends it blank: the whole county (a township clerk's round: 422)
        blank = agent.get("/v1/tickets/hotspots", params={"days": 1, "township": " "}).json()
        assert (blank["township"], blank["tickets_in_period"]) == (None, spots["tickets_in_period"])
        other = agent.get("/v1/tickets/hotspots", params={"days": 1, "township": "邓家铺镇"}).json()["hotspots"]
        assert all("司马冲镇" not in s["townships"] or s["city_wide"] for s in other) and grouped[0] not in other
        unknown = agent.get("/v1/tickets/hotspots", params={"days": 1, "township": "北京"})
        assert unknown.status_code == 422 and "names no township" in unknown.text
        # a unit's view (a health-bureau liaison's round): the groups holding a ticket sent to it
        lead = grouped[0]["tickets"][0]["lead_unit"]
        sent = agent.get("/v1/tickets/hotspots", params={"days": 1, "unit": lead}).json()
        assert sent["unit"] == lead and grouped[0] in sent["hotspots"]
        assert all(lead in s["lead_units"] for s in sent["hotspots"])
        assert 1 <= sent["tickets_in_period"] < spots["tickets_in_period"]
        no_unit = agent.get("/v1/tickets/hotspots", params={"days": 1, "unit": "北京市卫健委"})
        assert no_unit.status_code == 422 and "names no one unit" in no_unit.text
        # …and the groups it assists on, as the route named it (an education liaison's round: a canteen's tickets,
        # 教育局 assisting 市场监管局, were in no group of 教育局's)
        with server.client("platform") as platform:
            for n, dish in enumerate(("肉", "鱼", "鸡蛋")):
                platform.post("/v1/route", json={"id": f"WG-C{n}", "text": f"武冈三中食堂今天中午的{dish}有馊味，学生吃了"
                                                                             "肚子疼，请检查学校食堂食品安全。"})
        assisted = agent.get("/v1/tickets/hotspots", params={"days": 1, "unit": "教育局"}).json()
        canteen = [s for s in assisted["hotspots"] if "WG-C0" in [t["ticket_id"] for t in s["tickets"]]]
        assert canteen and canteen[0]["assisting_units"] == {"武冈市教育局": 3}, assisted
        assert "武冈市教育局" not in canteen[0]["lead_units"]
        assert agent.get("/v1/tickets/hotspots", params={"days": 0}).status_code == 422
        # Tickets are kept for the repeat window only, so a longer period covers the window, and the answer says so.
        longer = agent.get("/v1/tickets/hotspots", params={"days": 90}).json()
        assert longer["days"] == 30 and longer["tickets_in_period"] >= spots["tickets_in_period"]
        # The agent links WG-R2 to the listed WG-R1 and judges WG-R3 a new matter: one confirmation, one rejection.
        for ticket, result, link in ((REPEATS[1], batch[0], "WG-R1"), (REPEATS[2], batch[1], None)):
            listed = [t["ticket_id"] for t in result["related_tickets"]]
            answer = agent.post("/v1/feedback", json={
                "ticket_id": ticket["id"], "text": ticket["text"], "topic": "环境保护", "model_version": "v-repeat",
                "related_ticket_ids": listed, "repeat_of": link})
            assert answer.status_code == 201, answer.text
        # linked to a ticket the service never routed (before it went live, or past the window): no miss
        unseen = agent.post("/v1/feedback", json={"ticket_id": "WG-R4", "text": REPEATS[2]["text"], "topic": "环境保护",
                                                   "related_ticket_ids": [], "repeat_of": "WG-2019-000001"})
        assert unseen.status_code == 201
        itself = agent.post("/v1/feedback", json={"ticket_id": "WG-R3", "text": REPEATS[2]["text"],
                                                   "topic": "环境保护", "repeat_of": "WG-R3"})
        assert itself.status_code == 422 and "repeat_of names the ticket itself" in itself.text
        # a listing of a repeat of the matter's first ticket, the agent linking that first one, as centres do: right
        # (a quality inspector's round: counted as a wrong listing and a missed link)
        chained = agent.post("/v1/feedback", json={"ticket_id": "WG-R6", "text": REPEATS[1]["text"], "topic": "环境保护",
                                                    "related_ticket_ids": ["WG-R2"], "repeat_of": "WG-R1"})
        assert chained.status_code == 201, chained.text
        metrics = agent.get("/metrics").text
        # The agents' answers now shape the group: WG-R3, told apart from both, leaves it.
        spots = agent.get("/v1/tickets/hotspots", params={"days": 1, "min_size": 2}).json()["hotspots"]
        regrouped = [sorted(t["ticket_id"] for t in s["tickets"]) for s in spots if "WG-R1" in
                     [t["ticket_id"] for t in s["tickets"]]]
        assert regrouped == [["WG-R1", "WG-R2"]]
        # an agent who keeps WG-R1's unit (answered as its type) sent it there: a later repeat says so (a
        # re-tester's round: it still read as the route's proposal), and a retry of WG-R1 is no 改派
        kept = agent.post("/v1/feedback", json={"ticket_id": "WG-R1", "text": REPEATS[0]["text"], "topic": "教育文体",
                                                "unit": first["unit"]["label"]})
        assert kept.status_code == 201, kept.text
        later = agent.post("/v1/route", json={**REPEATS[0], "id": "WG-R5"}).json()
        assert any("WG-R1" in r and f"已派 {first['lead_unit']['name']}" in r for r in later["reasons"]), later["reasons"]
        retried = agent.post("/v1/route", json=REPEATS[0]).json()
        assert not any("坐席已改派" in r for r in retried["reasons"]) and retried["decision"] == first["decision"]
    assert 'appeal_repeat_verdicts_total{verdict="confirmed"} 2.0' in metrics
    assert 'appeal_repeat_verdicts_total{verdict="rejected"} 1.0' in metrics
    assert 'appeal_repeat_verdicts_total{verdict="unseen"} 1.0' in metrics
    assert 'appeal_repeat_verdicts_total{verdict="missed"}' not in metrics
    verdicts = [json.loads(line).get("repeat_verdict") for line in server.log_lines() if line.startswith("{")]
    assert "confirmed" in verdicts and "rejected" in verdicts
    with sqlite3.connect(server.home / "appeal.db") as db:
        stored = db.execute("SELECT ticket_id, related_ticket_ids, repeat_of, repeat_of_seen FROM feedback "
                            "WHERE model_version = 'v-repeat' ORDER BY id").fetchall()
    assert [(t, "WG-R1" in json.loads(listed), link, seen) for t, listed, link, seen in stored] == [
        ("WG-R2", True, "WG-R1", 1), ("WG-R3", True, None, None)]
    lines = [json.loads(line) for line in server.log_lines() if line.startswith("{") and "related" in line]
    assert any(line.get("related") == [["WG-R1"], ["WG-R1", "WG-R2"]] or line.get("related") == [["WG-R1"],
               ["WG-R2", "WG-R1"]] for line in lines)


def _metric(exposition: str, name: str) -> float:
    """A series' value; 0 before its first count (a labelled series is only listed once counted)."""
    return next((float(line.rsplit(" ", 1)[1]) for line in exposition.splitlines() if line.startswith(name + " ")),
                0.0)


def test_a_caller_who_reported_before_is_a_follow_up_of_the_earlier_ticket(tmp_path):
    """催办: a caller who says the matter was reported before is linked to that ticket, looked for at a lower
    similarity than an unprompted repeat (the follow-up's own words, which every 催办 shares, are left out of the
    comparison), and told to give its number when none is found. A server of its own: the similarity depends on the
    window's other tickets."""
    from serve.routing import FOLLOW_UP_OF_LISTED

    install_model(tmp_path / "home", "v1")
    live = start_server(tmp_path / "home", tmp_path / "server.log")
    try:
        with live.client("platform") as platform:
            for ticket in demo_tickets():  # a window of real size (the IDF needs one)
                response = platform.post("/v1/route", json={k: ticket[k] for k in ("id", "title", "text")})
                assert response.status_code == 200
            platform.post("/v1/route", json={"id": "WG-F1", "text": "迎春亭街道新东路的路灯坏了半个多月，晚上一片"
                                                                   "漆黑，老人小孩出门很危险，请尽快维修。"}).raise_for_status()
            again = platform.post("/v1/route", json={"id": "WG-F2", "text": "我前几天打过12345说新东路路灯坏了，现在"
                                                                          "还是黑的。"}).json()
            lost = platform.post("/v1/route", json={"id": "WG-F3", "text": "来电人称之前反映过龙溪镇自来水发黄的问题，"
                                                                         "到现在还是没人处理。"}).json()
            # a night agent's round: the caller gives the ticket's number, and was to be asked for it
            numbered = platform.post("/v1/route", json={"id": "WG-F4", "text": "来电人反映：之前反映的那个事，工单号"
                                                                             "WG-F1，请催一下"}).json()
            # …and with the matter's words, which WG-F2's resemble
            worded = platform.post("/v1/route", json={"text": "工单号WG-F1，新东路路灯的事反映了还冇修，现在还是黑的，催一下。"}).json()
            mistyped = platform.post("/v1/route", json={"text": "来电人反映：之前反映的那个事，工单号WG-F9，请催一下"}).json()
            # a utilities liaison's round: the 催办 of a main flooding a junction an hour before was not urgent
            burst = platform.post("/v1/route", json={"id": "WG-F6", "text": "玉带路口那里的水管爆了好久了，水还在往外冒，"
                                                                          "路都淹了，自来水公司的人还冇来看"}).json()
            chased = [platform.post("/v1/route", json={"id": f"WG-F{n}", "text": f"都梁路玉带路口那个爆管{now}，我上午就打过"
                                                                              "12345了，怎么还冇人来修，催一下"}).json()
                      for n, now in ((7, "到现在还在冒水"), (8, "已经修好了，路面还冇恢复"))]
            lower = platform.post("/v1/route", json={"text": "来电人反映：单号 wg-f1，路灯还是不亮"}).json()
    finally:
        live.stop()
    # that ticket alone: WG-F2 resembles it in words only (an integrator's round: a burst main listed beside the lamp
    # its caller numbered joined the two in one hotspot)
    assert [[(t["ticket_id"], t["linked_by"], t["similarity"]) for t in answer["related_tickets"]]
            for answer in (numbered, worded)] == [[("WG-F1", "number", None)]] * 2
    assert burst["urgent"] and [(c["follow_up"], c["urgent"]) for c in chased] == [(True, True), (True, False)], chased
    assert chased[0]["related_tickets"][0]["ticket_id"] == "WG-F6" and any(
        r.startswith("紧急: 原工单 WG-F6 为紧急事项") for r in chased[0]["reasons"]), chased[0]["reasons"]
    # told by its words alone, for an agent to check that it is the same matter
    assert chased[0]["decision"] == "review" and chased[0]["reasons"][-1].startswith(
        "催办：未报原工单号，最相似的原工单 WG-F6 由 武冈市自来水公司 承办"), chased[0]["reasons"]
    assert numbered["reasons"][-3].startswith("来电人所述原工单 / the ticket the caller gave: WG-F1（今天") \
        and numbered["reasons"][-2] == FOLLOW_UP_OF_LISTED, numbered["reasons"]
    # to the unit that has WG-F1, whatever the model read in 请催一下 (人社局)
    assert numbered["lead_unit"]["name"] == "武冈市城市管理和综合执法局" and numbered["reasons"][-1].startswith("催办：原工单 WG-F1")
    assert "WG-F1" not in [t["ticket_id"] for t in mistyped["related_tickets"]] and mistyped["reasons"][-1].startswith(
        "来电人所述工单号 WG-F9 不在近 30 天的工单中：请与来电人核对号码"), mistyped["reasons"]
    # as a caller gives it (in lower case, with spaces): the number is an earlier ticket's, a follow-up
    assert lower["follow_up"] and lower["related_tickets"][0]["ticket_id"] == "WG-F1", lower["related_tickets"]
    assert [t["ticket_id"] for t in again["related_tickets"]][:1] == ["WG-F1"]
    assert again["reasons"][-2] == FOLLOW_UP_OF_LISTED and again["reasons"][-3].startswith("可能重复诉求")
    assert again["reasons"][-1].startswith("催办：未报原工单号，最相似的原工单 WG-F1 由 武冈市城市管理和综合执法局 承办"), again
    assert again["decision"] == "review"
    assert (again["follow_up"], lost["follow_up"]) == (True, True)
    assert lost["related_tickets"] == []
    assert lost["reasons"][-1].startswith("来电人称此前已反映过，但近 30 天的工单中未找到：请向来电人核实原工单号")


def test_a_database_that_fails_does_not_stop_routing_or_suggestions(tmp_path):
    """Routing and suggestions answer from memory (the model, the rules, the knowledge base's index) when the
    database fails (here its tables are gone). Before, the knowledge base's freshness check turned every route and
    suggestion into a 503; a feedback, which must be stored, still gets one."""
    home = tmp_path / "home"
    install_model(home, "v1")
    store = EntryStore(f"sqlite:///{home / 'appeal.db'}")
    store.upsert_many(read_entries(DEMO_DIR / "faq.jsonl"), updated_by="test")
    store.close()
    live = start_server(home, tmp_path / "server.log")
    try:
        assert httpx.get(f"{live.url}/readyz").json()["database"] == "ok"
        with live.client("agent") as agent:
            before = agent.post("/v1/route", json=TICKET).json()
            with sqlite3.connect(home / "appeal.db") as db:
                for table in ("kb_state", "routed_ticket", "feedback"):
                    db.execute(f"DROP TABLE {table}")
            # still ready (routing goes on), and the operator's probe says what is refused and why
            readiness = httpx.get(f"{live.url}/readyz")
            assert readiness.status_code == 200 and readiness.json()["status"] == "degraded"
            assert readiness.json()["database"] == "unavailable" and "no such table" in readiness.json()["detail"]
            routed = agent.post("/v1/route", json=TICKET)
            suggested = agent.post("/v1/suggest", json={"text": TICKET["text"]})
            stored = agent.post("/v1/feedback", json={"text": TICKET["text"], "topic": "城乡建设"})
        assert routed.status_code == 200, routed.text
        assert [s["id"] for s in routed.json()["suggestions"]] == [s["id"] for s in before["suggestions"]] != []
        assert suggested.status_code == 200 and suggested.json()["suggestions"]
        assert stored.status_code == 503
        assert any("knowledge base not refreshed" in line for line in live.log_lines())
        # the failed INSERT is logged without the values it wrote (the request's own line has the masked text)
        errors = [line for line in live.log_lines() if "database error on /v1/feedback" in line]
        assert errors and not any("小区门口的道路" in line for line in errors)
    finally:
        live.stop()


def _home_with_faq(home: Path) -> str:
    """A home with the demo model and FAQ; its database's URL."""
    install_model(home, "v1")
    url = f"sqlite:///{home / 'appeal.db'}"
    store = EntryStore(url)
    store.upsert_many(read_entries(DEMO_DIR / "faq.jsonl"), updated_by="test")
    store.close()
    return url


def test_a_database_damaged_within_is_refused_at_start_and_never_answered_as_loading(tmp_path):
    """An operator's round: appeal.db with one page overwritten (PRAGMA integrity_check: malformed) was served,
    /readyz saying ok and agents' answers acknowledged (201) into the damaged file; where the page held the
    knowledge base, every route was answered 503 "loading" for ever, a wait a platform sits out. `appeal serve`
    refuses such a file in one line, as one whose header is damaged; a service started on it all the same says
    that the database is what fails."""
    home = tmp_path / "home"
    log = TicketLog(_home_with_faq(home))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    log.add(*(SeenTicket(ticket["id"], now, ticket["text"], ticket["title"]) for ticket in demo_tickets()))
    log.close()
    with sqlite3.connect(home / "appeal.db") as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        page = db.execute("SELECT max(pageno) FROM dbstat WHERE name = 'routed_ticket'").fetchone()[0]
    # a page of the tickets the warm-up reads, as a failing disk or a stray dd leaves it
    with open(home / "appeal.db", "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(random.Random(0).randbytes(page_size))
    started = subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", "serve", "--no-build",
                              "--port", str(free_port())], cwd=REPO, capture_output=True, text=True, timeout=60,
                             env={**os.environ, "APPEAL_HOME": str(home), "APPEAL_API_KEYS": KEY_SPEC})
    assert started.returncode == 1 and "serving on" not in started.stdout, started.stdout + started.stderr
    assert started.stderr.startswith(f"error: the database ({home / 'appeal.db'}) cannot be used: database disk image "
                                     "is malformed") and len(started.stderr.strip().splitlines()) == 1
    assert "restore a backup" in started.stderr

    live = start_server(home, tmp_path / "server.log", until=lambda readyz: readyz.json()["status"] == "unavailable")
    try:
        with live.client("platform") as client:
            refused = client.post("/v1/route", json=TICKET)
            probed = client.get("/readyz")
    finally:
        live.stop()
    assert refused.status_code == 503 and refused.json()["code"] == "database_unavailable", refused.text
    assert probed.status_code == 503 and probed.headers["retry-after"] == "10"
    assert "database disk image is malformed" in refused.json()["detail"]
    assert refused.headers["retry-after"] == "10"  # APPEAL_DATABASE_TIMEOUT, as for a database that fails later


def test_a_database_read_only_at_start_does_not_stop_routing_and_is_written_once_it_may_be(tmp_path):
    """An operator's round: a database that could not be written at start (chattr +i) left every route 503, "service
    is loading", for as long as it stayed so: the warm-up forgot expired tickets, a write, before it loaded the
    model, and the index cached its segmented texts, another. Routing goes on, its tickets waiting in memory, an
    agent's answer is refused, and /readyz says why. A later round: once the file could be written again, the
    service stayed "unwritable" until a restart, which lost the waiting tickets (SQLite had opened it read-only, and
    the pool kept those connections), and every route said the repeat check was skipped, the database unavailable,
    though it was read."""
    home = tmp_path / "home"
    url = _home_with_faq(home)
    for store in (FeedbackStore(url), TicketLog(url)):  # every table, as in a home that has served
        store.close()
    live = None
    try:
        with immutable(home / "appeal.db"):
            live = start_server(home, tmp_path / "server.log", ready_timeout=60)
            readiness = httpx.get(f"{live.url}/readyz")
            with live.client("agent") as agent:
                routed = agent.post("/v1/route", json=TICKET)
                again = agent.post("/v1/route", json={**TICKET, "id": "WG-RO-2"})
                stored = agent.post("/v1/feedback", json={"text": TICKET["text"], "topic": "城乡建设"})
                unsaved = _metric(agent.get("/metrics").text, "appeal_tickets_unsaved")
        deadline = time.monotonic() + 30  # written every 5 s without a ticket coming
        while (after := httpx.get(f"{live.url}/readyz").json())["database"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
        with live.client("agent") as agent:
            answered = agent.post("/v1/feedback", json={"ticket_id": "WG-RO-2", "topic": "城乡建设"})
    finally:
        if live is not None:
            live.stop()
    assert readiness.status_code == 200
    assert readiness.json()["status"] == "degraded" and readiness.json()["database"] == "unwritable"
    assert "attempt to write a readonly database" in readiness.json()["detail"]
    assert routed.status_code == 200 and routed.json()["suggestions"], routed.text
    assert not any("repeat check skipped" in reason for reason in again.json()["reasons"]), again.json()["reasons"]
    assert stored.status_code == 503 and stored.json()["detail"] == "数据库暂不可用 / database unavailable"
    assert unsaved == 2
    assert after["status"] == "ok", after
    assert answered.status_code == 201, answered.text
    with sqlite3.connect(home / "appeal.db") as db:
        assert {row[0] for row in db.execute("SELECT ticket_id FROM routed_ticket")} >= {TICKET["id"], "WG-RO-2"}


def test_a_route_does_not_wait_for_another_connections_write_lock(tmp_path):
    """An operator's round: while a sqlite3 shell held the database (BEGIN EXCLUSIVE), every route with an id took
    30 s, SQLite's wait for the lock, for a write the ticket can skip: it waits in memory and is written when the
    lock is gone."""
    home = tmp_path / "home"
    _home_with_faq(home)
    live = start_server(home, tmp_path / "server.log")
    shell = sqlite3.connect(home / "appeal.db", isolation_level=None)
    try:
        shell.execute("BEGIN EXCLUSIVE")
        with live.client("platform") as platform:
            routed = platform.post("/v1/route", json={**TICKET, "id": "WG-LOCK-1"}, timeout=10)
            waiting = _metric(platform.get("/metrics").text, "appeal_tickets_unsaved")
        shell.execute("ROLLBACK")
        deadline = time.monotonic() + 30
        while httpx.get(f"{live.url}/readyz").json()["database"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        shell.close()
        live.stop()
    assert routed.status_code == 200 and routed.json()["topic"]["label"], routed.text
    assert waiting == 1
    with sqlite3.connect(home / "appeal.db") as db:
        assert db.execute("SELECT count(*) FROM routed_ticket WHERE ticket_id = 'WG-LOCK-1'").fetchone()[0] == 1


def test_readiness_says_when_the_database_refuses_writes(tmp_path):
    """An operator's round: with the database's files made immutable under the service, every route's ticket waited
    in memory and every answer got 503, while /readyz said "database": "ok" (it only read). It says "unwritable" and
    why, and "ok" again once the waiting tickets are written, with no ticket coming to write them."""
    home = tmp_path / "home"
    _home_with_faq(home)
    live = start_server(home, tmp_path / "server.log")
    try:
        with live.client("agent") as agent:
            assert agent.post("/v1/route", json=TICKET).status_code == 200
            with immutable(*home.glob("appeal.db*")):  # the database, its write-ahead log and shared memory
                routed = agent.post("/v1/route", json={**TICKET, "id": "WG-2"})
                stored = agent.post("/v1/feedback", json={"text": TICKET["text"], "topic": "城乡建设"})
                # without its text: WG-2 waits in memory, it is no ticket the service never routed (422)
                answered = agent.post("/v1/feedback", json={"ticket_id": "WG-2", "topic": "城乡建设"})
                refused = httpx.get(f"{live.url}/readyz")
            deadline = time.monotonic() + 20
            while (again := httpx.get(f"{live.url}/readyz").json())["database"] != "ok" and time.monotonic() < deadline:
                time.sleep(0.2)
            unsaved = _metric(agent.get("/metrics").text, "appeal_tickets_unsaved")
    finally:
        live.stop()
    assert routed.status_code == 200 and stored.status_code == 503 and answered.status_code == 503, answered.text
    assert refused.status_code == 200 and refused.json()["status"] == "degraded"
    assert refused.json()["database"] == "unwritable"
    assert refused.json()["detail"].startswith("OperationalError: ") and "1 routed tickets wait in memory" in \
        refused.json()["detail"]
    assert again["status"] == "ok" and again["detail"] is None and unsaved == 0
    with sqlite3.connect(home / "appeal.db") as db:
        assert {row[0] for row in db.execute("SELECT ticket_id FROM routed_ticket")} == {"WG-1", "WG-2"}


def test_a_call_put_through_is_shown_only_the_answers_of_the_units_that_take_it(server):
    """An evening agent's round: a child in a pond was shown 社保卡丢了怎么补办, 我不想活了 养老金资格认证. Someone putting
    a life at risk through reads out only what to do meanwhile, an answer of the units that take the call."""
    leak = {"question": "闻到燃气泄漏的味道怎么办？", "answer": "请立即关闭燃气总阀，打开门窗通风，不要开关电器，到室外拨打燃气公司抢修电话。",
            "unit": "武冈市管道燃气公司"}
    clutter = {"question": "楼道里堆放杂物怎么办？", "answer": "楼道堆放杂物影响消防安全，可先请物业清理，物业不处理的向住建部门反映。",
               "unit": "武冈市住房和城乡建设局"}
    with server.client("trainer") as trainer, server.client("platform") as platform:
        ids = [trainer.post("/v1/kb/entries", json=entry).json()["id"] for entry in (leak, clutter)]
        try:
            call = platform.post("/v1/route", json={"text": "楼道里好大一股燃气味，好像哪家漏气了，怎么办"}).json()
            message = platform.post("/v1/route", json={"text": "楼道里好大一股燃气味，好像哪家漏气了，怎么办",
                                                       "channel": "微信"}).json()
            calm = platform.post("/v1/route", json={"text": "楼道里堆放杂物，好大一股味，怎么办"}).json()
        finally:
            for entry_id in ids:
                trainer.delete(f"/v1/kb/entries/{entry_id}")
    assert call["hand_over"] == ["119 救援"] and call["lead_unit"]["id"] == "ut-gas"
    # the same leak told in a WeChat message: no caller on the line, an agent phones 119 (a shift leader's round)
    assert (message["decision"], message["lead_unit"]["id"]) == ("review", "ut-gas"), message
    assert message["reasons"][1].startswith("微信 来件，来件人不在线上：请坐席立即拨打 119 救援"), message["reasons"]
    assert (message["on_the_line"], call["on_the_line"], call["follow_up"]) == (False, True, False)  # fields to act on
    assert [s["id"] for s in call["suggestions"]] == [ids[0]]
    # a ticket that puts no one through is shown what shares its words, as before
    assert calm["hand_over"] == [] and ids[1] in [s["id"] for s in calm["suggestions"]]


def test_the_answer_on_a_calls_own_emergency_comes_first_and_none_alarms_a_calm_ticket(server):
    """A utilities desk's round on the demo pack's answers: a gas smell in a stairwell was shown 电动车能推进楼道充电吗
    before 闻到燃气泄漏的味道怎么办, a child knocked down by a fallen line no 有人触电了怎么办, which came first for a
    street's power cut instead."""
    demo = {e.id: e for e in read_entries(DEMO_DIR / "faq.jsonl")}
    used = ("wg-rq-01", "wg-ddc-01", "wg-aq-03", "wg-ws-11", "wg-gd-05", "wg-gd-01", "wg-gd-04")
    gas = "我是法相岩街道云山路阳光小区的，楼道里好大一股燃气味，呛得人头晕，不晓得是哪家漏气了，我不敢按电梯也不敢开灯，快点派人来"
    shock = "湾头桥镇新街一个小孩碰到倒下来的电线杆上的线，被电倒了躺在地上不动，快叫救护车"
    outage = "迎春亭街道春光路这一片从早上九点停电到现在，冰箱里东西都要坏了，又冇看到停电通知，问下什么时候来电"
    with server.client("trainer") as trainer, server.client("platform") as platform, server.client("agent") as agent:
        for entry_id in used:
            assert trainer.post("/v1/kb/entries", json=demo[entry_id].model_dump(
                mode="json", exclude_none=True)).status_code == 201
        try:
            routed = {name: platform.post("/v1/route", json={"text": text}).json()
                      for name, text in (("gas", gas), ("shock", shock), ("outage", outage))}
            asked = {text: [s["id"] for s in agent.post("/v1/suggest", json={"text": text}).json()["suggestions"]]
                     for text in ("停电了，什么时候来电", "有人触电怎么办", "万一燃气泄漏了怎么处理？", "如果有人触电了应该先怎么做？")}
        finally:
            for entry_id in used:
                trainer.delete(f"/v1/kb/entries/{entry_id}")
    first = {name: [s["id"] for s in route["suggestions"]] for name, route in routed.items()}
    assert routed["gas"]["hand_over"] == ["119 救援"] and first["gas"][0] == "wg-rq-01", first
    assert routed["shock"]["hand_over"] == ["120 急救"] and first["shock"][0] == "wg-gd-05", first
    assert routed["outage"]["hand_over"] == [] and first["outage"][-1] == "wg-gd-05", first
    # an agent's question: a text that names no emergency is not shown the answer on one first, a text that names one
    # keeps it where its words put it, asked as a supposition too (a re-tester's round: 万一燃气泄漏了怎么处理 never saw
    # 闻到燃气泄漏的味道怎么办, put last with every answer on an emergency for a text telling of none now)
    assert asked["停电了，什么时候来电"][0] == "wg-gd-01" and asked["有人触电怎么办"][0] == "wg-gd-05", asked
    assert asked["万一燃气泄漏了怎么处理？"][0] == "wg-rq-01" and asked["如果有人触电了应该先怎么做？"][0] == "wg-gd-05", asked


def test_a_lift_that_shuts_people_in_goes_to_the_market_regulator_and_is_shown_its_answer(server):
    """A trainer's round: an answer on people shut in a lift, written for the market regulator (who oversees lifts),
    came first in `kb search` and never on the calls it was written for, which show only the answers of the units
    that take them: the work order went to the fire brigade, whom the call is put through to. The lift's rule sends
    it to the regulator, the fire brigade assisting, and 119 is named."""
    lift = {"question": "电梯困人了怎么办？", "answer": "请被困人员保持冷静，按电梯内的警铃或拨打电梯内张贴的救援电话，不要强行扒门；"
            "电梯使用安全由市场监管部门监督。", "unit": "武冈市市场监督管理局"}
    with server.client("trainer") as trainer, server.client("platform") as platform, server.client("agent") as agent:
        entry_id = trainer.post("/v1/kb/entries", json=lift).json()["id"]
        try:
            said = {"text": "小区电梯卡在5楼了，里面有人，困了半个小时了，电梯困人了怎么办"}
            call = platform.post("/v1/route", json=said).json()
            suggested = agent.post("/v1/suggest", json=said).json()
        finally:
            trainer.delete(f"/v1/kb/entries/{entry_id}")
    assert call["hand_over"] == ["119 救援"] and call["rule"] == "lift-entrapment", call["reasons"]
    assert (call["lead_unit"]["id"], [a["id"] for a in call["assisting_units"]]) == ("wg-scjgj", ["wg-xfjy"])
    assert entry_id in [s["id"] for s in call["suggestions"]], call["suggestions"]
    assert entry_id in [s["id"] for s in suggested["suggestions"]], suggested


def test_the_platform_reads_the_labels_an_answer_may_give_from_the_service(server):
    """An integrator's round: no published list of topics and units, so 民政 for a 低保 ticket and the typo 教育文休 were
    stored as new classes that retraining learns."""
    with server.client("platform") as platform, server.client("agent") as agent, server.client("trainer") as trainer:
        used = trainer.post("/v1/kb/entries", json={"id": "wg-lab-01", "question": "低保被取消了怎么办？",
                                                    "answer": "可向户籍所在地乡镇人民政府（街道办事处）申请复核。",
                                                    "unit": "武冈市民政局"})
        assert used.status_code == 201, used.text
        listed = platform.get("/v1/labels")
        assert listed.status_code == 200, listed.text
        labels = listed.json()
        assert platform.get("/v1/labels", headers={"X-API-Key": "nope"}).status_code == 401
        read, unread = (next(u for u in labels["units"] if (u["unit_label"] is None) is none) for none in (False, True))
        # and the answer an agent used, a typo in its id said too (an integrator's round: stored without a word)
        answers = [agent.post("/v1/feedback", json={"ticket_id": f"WG-L{n}", "text": "低保被取消了，想问问原因",
                                                    "topic": labels["topic"][0], "unit": unit["name"],
                                                    "suggestion_id": suggestion})
                   for n, (unit, suggestion) in enumerate(((read, "wg-lab-01"), (unread, "wg-lab-O1")))]
        typo = agent.post("/v1/feedback", json={"ticket_id": "WG-L3", "text": "低保被取消了，想问问原因",
                                                "topic": labels["topic"][0], "unit": "武冈市民证局"}).json()
        # …and a link to a ticket never routed (an integrator's round: stored without a word)
        linked = agent.post("/v1/feedback", json={"ticket_id": "WG-L4", "text": "低保被取消了，想问问原因",
                                                  "topic": labels["topic"][0], "unit": read["name"],
                                                  "related_ticket_ids": ["WG-2026-970001"],
                                                  "repeat_of": "WG-2026-970001"}).json()
    assert labels["model_version"] == "v1" and "城乡建设" in labels["topic"] and "住房公积金" in labels["unit"]
    # and the catalogue it routes by, which a restart reads (a keeper's round could not tell the old from the new)
    assert labels["rules_version"] == "wugang-demo-2025.1"
    # with the township it serves, as hotspots and jurisdictions name it (a township clerk's round)
    assert {"id": "twp-430581101", "name": "湾头桥镇人民政府", "functional_type": "乡镇人民政府/街道办事处",
            "level": "乡镇街道", "township": "湾头桥镇", "unit_label": "乡镇人民政府/街道办事处"} in labels["units"]
    assert next(u for u in labels["units"] if u["name"] == "武冈市城市管理和综合执法局")["township"] is None
    # what the lists hold is what an answer may say without becoming a new class, and a unit the unit head has no
    # label for (reached by rules alone: an integrator's re-test found 残联 listed, then unknown) says so
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json()["unknown_labels"] == {}
    assert answers[1].json()["unknown_labels"] == {"unit": unread["name"], "suggestion_id": "wg-lab-O1"}
    # a unit of the catalogue the model has no class for is no typo (a keeper's round: 数据局 read as 数椐局 would)
    assert (answers[0].json()["in_catalogue"], answers[1].json()["in_catalogue"]) == ([], ["unit"])
    assert (typo["unknown_labels"], typo["in_catalogue"]) == ({"unit": "武冈市民证局"}, [])
    assert linked["unknown_labels"] == {"repeat_of": "WG-2026-970001", "related_ticket_ids": "WG-2026-970001"}


def test_two_callers_asking_the_same_question_are_no_repeat(server):
    """A policy desk's round: 医保缴费 came back listed as a possible repeat of another caller's 养老缴费 question, and
    questions an agent closes on the phone went out as work orders; the route now says a question is one."""
    with server.client("agent") as agent:
        first = agent.post("/v1/route", json={"id": "WG-Q1", "text": "我娘今年满80岁了，听讲有高龄津贴，要去哪里申请？一个月发好多钱？"})
        second = agent.post("/v1/route", json={"id": "WG-Q2", "text": "我爹满80岁了，高龄津贴要去哪里申请？一个月发好多钱？"})
        chased = agent.post("/v1/route", json={"id": "WG-Q3", "text": "工单号WG-Q1，高龄津贴要去哪里申请？一个月发好多钱？"})
    for answer in (first.json(), second.json()):
        assert (answer["consultation"], answer["decision"]) == (True, "review"), answer["reasons"]
        assert any(r.startswith("咨询: ") for r in answer["reasons"])
    assert second.json()["related_tickets"] == []
    assert [t["ticket_id"] for t in chased.json()["related_tickets"]][:1] == ["WG-Q1"]  # the number it gives
    with server.client("platform") as platform:
        complaint = platform.post("/v1/route", json={"text": "新东路的路灯坏了半个月了，晚上黑漆漆的，请尽快修。"}).json()
    assert complaint["consultation"] is False
