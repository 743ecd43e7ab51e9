"""Routing while the PostgreSQL server hangs: how long does each route wait, and does the service come back?

The service runs as a real `uvicorn serve.app:create_app --factory` process on the champion of APPEAL_HOME, with a
fresh database on the PostgreSQL server given, reached through the freezing proxy of the tests
(`tests/freezing_proxy.py`): frozen, it keeps every connection open and answers nothing, as a server whose database
hangs while its host still acknowledges every packet. Requests are demo-pack tickets, each with its own id (so each
is checked against the repeat window and written to the ticket log):

- before: one route with the database answering;
- during: `--requests` routes sent 0.5 s apart while the proxy is frozen, each waiting up to `--client-timeout`;
- after: one route at once after the proxy thaws, one after the guard's timeout has passed (it sets off the
  guard's attempt in the background), one a second later, and how many of the tickets routed during the hang are
  in the ticket log by then.

    APPEAL_HOME=<home with a champion> python bench/database_hang.py \\
        --server postgresql+psycopg://postgres@127.0.0.1:55432/postgres [--requests 6] [--timeout 10]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the tests' proxy, the latency bench's helpers

from bench.serve_latency import wait_ready  # noqa: E402
from tests.serving_support import free_port  # noqa: E402
from tests.freezing_proxy import FreezingProxy  # noqa: E402

KEY = "bench-platform-key"


def demo_texts(n: int) -> list[str]:
    lines = (REPO / "appeal" / "demo" / "tickets.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines[:n]]


def route(client: httpx.Client, ticket_id: str, body: str) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        status = str(client.post("/v1/route", json={"id": ticket_id, "text": body}).status_code)
    except httpx.TimeoutException:
        status = "no answer"
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="SQLAlchemy URL of a PostgreSQL server (any database on it)")
    parser.add_argument("--requests", type=int, default=6, help="routes sent during the hang")
    parser.add_argument("--timeout", type=float, default=10.0, help="APPEAL_DATABASE_TIMEOUT for the service")
    parser.add_argument("--client-timeout", type=float, default=60.0, help="seconds a route is waited for")
    args = parser.parse_args()

    name = f"appeal_hang_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    database = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    proxy = FreezingProxy(args.server)
    port = free_port()
    env = {**os.environ, "APPEAL_API_KEYS": f"platform:{KEY}", "APPEAL_DATABASE_URL": proxy.url(database),
           "APPEAL_DATABASE_TIMEOUT": str(args.timeout)}
    log = Path(tempfile.mkdtemp(prefix="appeal-hang-")) / "server.log"
    service = subprocess.Popen([sys.executable, "-m", "uvicorn", "serve.app:create_app", "--factory", "--port",
                                str(port), "--no-access-log"], cwd=REPO, env=env, stdout=open(log, "w"),
                               stderr=subprocess.STDOUT)
    texts = demo_texts(args.requests + 4)
    rows: list[tuple[str, str, float]] = []
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, service, "/readyz")
        with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=args.client_timeout) as client:
            rows.append(("before", *route(client, "HANG-0", texts[0])))
            proxy.frozen.set()
            during: dict[int, tuple[str, float]] = {}
            senders = []
            for i in range(1, args.requests + 1):
                sender = threading.Thread(target=lambda i=i: during.__setitem__(i, route(client, f"HANG-{i}",
                                                                                        texts[i])))
                sender.start()
                senders.append(sender)
                time.sleep(0.5)
            for sender in senders:
                sender.join()
            rows += [(f"during, request {i}", *during[i]) for i in sorted(during)]
            proxy.frozen.clear()
            rows.append(("after, at once", *route(client, "HANG-A", texts[-3])))
            time.sleep(args.timeout)
            rows.append((f"after, {args.timeout:g} s later", *route(client, "HANG-B", texts[-2])))
            time.sleep(1)
            rows.append((f"after, {args.timeout + 1:g} s later", *route(client, "HANG-C", texts[-1])))
        reader = create_engine(database)
        with reader.connect() as connection:
            kept = connection.execute(text("SELECT ticket_id FROM routed_ticket WHERE ticket_id LIKE 'HANG-%'"))
            stored = {row[0] for row in kept}
        reader.dispose()
    finally:
        service.terminate()
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rows.append(("stop (SIGTERM)", "still running after 30 s: killed", 30.0))
            service.kill()
        proxy.close()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    print(f"\nAPPEAL_DATABASE_TIMEOUT {args.timeout:g} s, client timeout {args.client_timeout:g} s\n")
    print("| request | status | seconds |\n|---|---|---:|")
    for label, status, seconds in rows:
        print(f"| {label} | {status} | {seconds:.2f} |")
    routed_during = {f"HANG-{i}" for i in range(1, args.requests + 1)}
    print(f"\ntickets routed during the hang found in the ticket log afterwards: {len(routed_during & stored)} of "
          f"{len(routed_during)}")


if __name__ == "__main__":
    main()
