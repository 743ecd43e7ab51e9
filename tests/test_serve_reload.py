"""A newly promoted champion is served without a restart and without failing requests in flight."""
from __future__ import annotations

import contextlib
import shutil
import sqlite3
import threading
import time
from collections import Counter

import httpx

from models.registry import MANIFEST_FILE
from tests.serving_support import KEYS, demo_baseline, free_port, install_model, start_server

TICKET = {"title": "夜间施工噪音扰民", "text": "武冈市城区某工地每天晚上十一点以后还在施工，噪音很大，周边居民无法休息，请相关部门查处。"}


def _hammer(url: str, stop: threading.Event, outcomes: Counter, versions: Counter) -> None:
    with httpx.Client(base_url=url, headers={"X-API-Key": KEYS["platform"]}, timeout=60) as client:
        while not stop.is_set():
            try:
                response = client.post("/v1/route", json=TICKET)
                outcomes[response.status_code] += 1
                if response.status_code == 200:
                    versions[response.json()["model_version"]] += 1
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1


def _wait_for_more(outcomes: Counter, n: int = 20, timeout: float = 60) -> None:
    target = outcomes[200] + n
    deadline = time.monotonic() + timeout
    while outcomes[200] < target and time.monotonic() < deadline:
        time.sleep(0.05)


def test_reload_and_watch_swap_models_under_load(appeal_home, tmp_path):
    # Three versions of the same weights: each swap still loads a new model object beside the serving one.
    registry = install_model(appeal_home, "v1", "v2", "v3")
    server = start_server(appeal_home, tmp_path / "server.log")
    stop, outcomes, versions = threading.Event(), Counter(), Counter()
    workers = [threading.Thread(target=_hammer, args=(server.url, stop, outcomes, versions)) for _ in range(6)]
    try:
        for worker in workers:
            worker.start()
        _wait_for_more(outcomes)

        # Promotion + explicit reload (admin).
        registry.promote("v2", force=True)
        with server.client("admin") as admin:
            reloaded = admin.post("/v1/models/reload").json()
        # The background watch (every 2 s) may pick the promotion up between these two lines; either way v2 serves
        # and the answer says who swapped.
        assert reloaded in ({"previous": "v1", "serving": "v2", "changed": True},
                            {"previous": "v2", "serving": "v2", "changed": False})
        _wait_for_more(outcomes)

        # Promotion only: the service notices the champion pointer by itself.
        registry.promote("v3", force=True)
        deadline = time.monotonic() + 30
        with server.client("trainer") as trainer:
            while trainer.get("/v1/models").json()["serving"] != "v3" and time.monotonic() < deadline:
                time.sleep(0.2)
            models = trainer.get("/v1/models").json()
        assert models["serving"] == "v3"
        assert [m["version"] for m in models["models"] if m["champion"]] == ["v3"]
        _wait_for_more(outcomes)

        # A champion that cannot be loaded (damaged on disk in a version added before the registry recorded its
        # files, since `add` refuses a model it cannot open and `promote` one changed since it was added): refused
        # with 409, the serving model stays.
        registry.add(demo_baseline(), version="v4-broken")
        (registry.root / "v4-broken" / "baseline.joblib").write_bytes(b"not a model")
        (registry.root / "v4-broken" / MANIFEST_FILE).unlink()
        registry.promote("v4-broken", force=True)
        with server.client("admin") as admin:
            refused = admin.post("/v1/models/reload")
            assert refused.status_code == 409 and "v4-broken" in refused.json()["detail"]
            assert admin.get("/v1/models").json()["serving"] == "v3"
        _wait_for_more(outcomes)

        # A pointer that cannot be read: the previous model serves on, and the log says so once, not at every look
        # (every 2 s: 40 MB of tracebacks a day)
        (registry.root / "champion.json").write_text("{garbage", encoding="utf-8")
        time.sleep(7)
        _wait_for_more(outcomes)
        assert sum("champion pointer unreadable; the previous model keeps serving" in line
                   for line in server.log_lines()) == 1
        # the listing still lists, and says what to mend (an operator's round: it was 422, as if the request were bad)
        with server.client("trainer") as trainer:
            listed = trainer.get("/v1/models")
        assert listed.status_code == 200, listed.text
        assert "not a champion pointer" in listed.json()["champion_problem"] and listed.json()["serving"] == "v3"
        assert {m["version"] for m in listed.json()["models"]} >= {"v1", "v2", "v3"}
        assert not any(m["champion"] for m in listed.json()["models"])
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        server.stop()
    assert set(outcomes) == {200}, outcomes
    assert outcomes[200] >= 60
    assert set(versions) == {"v1", "v2", "v3"}, versions


def test_a_champion_that_cannot_be_served_is_said_apart_from_a_first_load(tmp_path):
    """An operator's round: a champion whose weights a copy cut short, or whose directory was deleted, was answered
    503 code "loading" for ever, which a platform reading the code waits out, and the log said that the previous
    model kept serving, with none there."""
    home = tmp_path / "home"
    registry = install_model(home, "v1")
    weights = registry.root / "v1" / "baseline.joblib"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    server = start_server(home, tmp_path / "server.log", until=lambda readyz: readyz.json()["status"] == "unavailable")
    try:
        with server.client("platform") as platform:
            truncated = platform.post("/v1/route", json=TICKET)
            shutil.rmtree(registry.root / "v1")
            deadline = time.monotonic() + 30
            while "no longer in the registry" not in httpx.get(f"{server.url}/readyz").json()["detail"] \
                    and time.monotonic() < deadline:
                time.sleep(0.5)
            deleted = platform.post("/v1/route", json=TICKET)
        with server.client("admin") as admin:
            reloaded = admin.post("/v1/models/reload")
        codes = httpx.get(f"{server.url}/openapi.json").json()["components"]["schemas"]["ErrorOut"]["properties"]
        log = server.log_lines()
    finally:
        server.stop()
    for refused in (truncated, deleted):
        assert refused.status_code == 503 and refused.json()["code"] == "model_unavailable", refused.text
        assert refused.headers["retry-after"] == "60"
    assert "model v1 could not be loaded" in truncated.json()["detail"], truncated.text
    assert "baseline.joblib" in truncated.json()["detail"]
    assert f"restore {registry.root / 'v1'} from a backup" in deleted.json()["detail"]
    assert reloaded.status_code == 409 and "no model serves until it is mended" in reloaded.json()["detail"]
    assert "model_unavailable" in codes["code"]["enum"]
    assert not any("the previous model keeps serving" in line for line in log)
    assert any("no model serves until it is mended" in line for line in log)


def test_a_database_locked_at_start_does_not_delay_routing(tmp_path):
    """A backup or a migration holding the database when the service started made its warm-up fail, and the service
    stayed not ready for good (503 to every route) though the database was free again moments later; tried again, it
    still routed nothing until the lock was gone, since the warm-up forgot expired tickets, a write. It is ready at
    once now, /readyz saying that the database is not written while the lock holds, and ok once it is released."""
    home = tmp_path / "home"
    install_model(home, "v1")
    start_server(home, tmp_path / "first.log").stop()  # the database and its tables, as a running centre has them
    holder = sqlite3.connect(home / "appeal.db", check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(45, holder.rollback)  # the 30 s busy timeout, the boot, and time to read /readyz
    release.start()
    details = []

    def read_readiness() -> None:  # what /readyz, which needs no key, says meanwhile
        while release.is_alive():
            with contextlib.suppress(httpx.HTTPError):
                details.append(httpx.get(f"{url}/readyz", timeout=2).json().get("detail"))
            time.sleep(1)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    reader = threading.Thread(target=read_readiness)
    reader.start()
    try:
        server = start_server(home, tmp_path / "second.log", ready_timeout=120, port=port)
        ready_while_held = release.is_alive()
    finally:
        release.join()
        reader.join()
        holder.close()
    assert ready_while_held
    assert "OperationalError: (sqlite3.OperationalError) database is locked" in details
    assert not any("SQL" in (detail or "").replace("sqlite3", "") for detail in details)
    try:
        with server.client("platform") as client:
            assert client.post("/v1/route", json={"text": "湾头桥镇路灯坏了一个月"}).status_code == 200
        deadline = time.monotonic() + 40
        while (again := httpx.get(f"{url}/readyz").json())["database"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert again["status"] == "ok", again
        log = (tmp_path / "second.log").read_text(encoding="utf-8")
        assert "warm-up failed" not in log and "database is locked" in log
    finally:
        server.stop()
