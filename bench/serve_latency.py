"""Latency and throughput of POST /v1/route over real HTTP, against the same model served the plain way.

The service runs as a real `uvicorn serve.app:create_app --factory` process on a scratch home (the model
registered and promoted, the demo knowledge base imported), and is driven over HTTP with one request in flight
(concurrency 1) and eight. The comparison is the same fine-tuned model behind a minimal FastAPI app that does
what a first prototype does: transformers tokenizer + torch forward pass, nothing else (no masking, dispatch or
knowledge base), so the ratio is a conservative measure of what ONNX Runtime and the service design buy.

The request is a real ticket of median length from teddy2020c/dev_raw.csv (`--ticket longest`: the longest message
of teddy2020c/hot_messages_raw.csv, 7,028 characters, for the cost of a long complaint). Each request appends its own call
number to the text (`（来电编号 N）`, a few characters): the knowledge base caches query embeddings by text, and
a benchmark that repeats one text would time that cache instead of a ticket the service has not seen. Each
request also carries its own ticket id, so it is compared with a month of earlier tickets and then kept, as in a
real stream: the scratch home's ticket log is filled beforehand with the 4,303 messages of
teddy2020c/hot_messages_raw.csv, received over the last 30 days (a month of a city three times Wugang's size).

    nice python bench/serve_latency.py                 # model: the champion under settings.home
    nice python bench/serve_latency.py --model DIR --requests 200
    nice python bench/serve_latency.py --ticket longest --no-plain --requests 50
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from pydantic import BaseModel

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.serving_support import free_port  # noqa: E402

BENCH_KEY = "bench-platform-key"


def pick_ticket(messages: Path, which: str) -> dict:
    """The message of median or of greatest length (title + text)."""
    frame = pd.read_csv(messages)
    frame["title"] = frame["留言主题"].fillna("").str.strip()
    frame["text"] = frame["留言详情"].fillna("").str.strip()
    lengths = (frame["title"] + frame["text"]).str.len()
    distance = (lengths - lengths.median()).abs() if which == "median" else -lengths
    row = frame.iloc[distance.argsort().iloc[0]]
    return {"id": str(row["留言编号"]), "title": row["title"], "text": row["text"]}


def wait_ready(url: str, process: subprocess.Popen, path: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(url + path, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} not ready after {timeout} s")


@dataclass
class Run:
    name: str
    concurrency: int
    latencies_ms: list[float]
    wall_s: float
    errors: int

    def row(self) -> dict:
        lat = np.array(self.latencies_ms)
        return {
            "server": self.name,
            "concurrency": self.concurrency,
            "requests": len(lat),
            "errors": self.errors,
            "p50_ms": float(np.percentile(lat, 50)),
            "p95_ms": float(np.percentile(lat, 95)),
            "p99_ms": float(np.percentile(lat, 99)),
            "req_per_s": len(lat) / self.wall_s,
        }


def drive(name: str, url: str, body: dict, headers: dict, requests: int, concurrency: int, warm_up: int) -> Run:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_worker = max(1, requests // concurrency)

    calls = itertools.count()

    def unseen() -> dict:
        call = f"{name[:5]}-{concurrency}-{next(calls)}"
        return {**body, "id": f"bench-{call}", "text": f"{body['text']}（来电编号 {call}）"}

    def worker() -> None:
        nonlocal errors
        with httpx.Client(headers=headers, timeout=120) as client:
            for _ in range(warm_up // concurrency + 1):
                client.post(url, json=unseen())
            barrier.wait()
            for _ in range(per_worker):
                request = unseen()
                started = time.perf_counter()
                response = client.post(url, json=request)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors += response.status_code != 200

    barrier = threading.Barrier(concurrency + 1)
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return Run(name, concurrency, latencies, time.perf_counter() - started, errors)


def breakdown(model_dir: Path, home: Path, ticket: dict, threads: int, n: int = 30) -> dict[str, float]:
    """Median ms of each step of /v1/route in this process, on unseen texts: where the time goes."""
    from appeal.config import get_settings
    from knowledge_base.dispatch import decide
    from knowledge_base.kb import KnowledgeBase, load_encoder
    from knowledge_base.repeats import Repeats
    from knowledge_base.store import utc_now
    from knowledge_base.ticket_log import SeenTicket
    from models.predictor import load_predictor
    from pipeline import model_text, routing_text

    predictor = load_predictor(model_dir, threads=threads)
    kb = KnowledgeBase(f"sqlite:///{home / 'appeal.db'}", encoder=load_encoder(build=False))
    kb.warm_up()
    settings = get_settings()
    repeats = Repeats(f"sqlite:///{home / 'appeal.db'}", threshold=settings.repeat_threshold,
                      window_days=settings.repeat_window_days)
    repeats.warm_up()
    steps: dict[str, list[float]] = {"canonical": [], "model": [], "mask + dispatch": [],
                                      "repeat check + record (month of tickets)": [],
                                      "suggestions (BM25, as /v1/route)": [], "suggestions (hybrid, as /v1/suggest)": []}

    def timed(name: str, fn):
        started = time.perf_counter()
        out = fn()
        steps[name].append((time.perf_counter() - started) * 1000)
        return out

    for i in range(n + 3):
        text = f"{ticket['text']}（来电编号 breakdown-{i}）"
        canon = timed("canonical", lambda: model_text(ticket["title"], text, stopwords=predictor.stopwords))
        heads = timed("model", lambda: predictor.predict([canon]))[0]

        def mask_and_decide() -> str:
            full = routing_text(ticket["title"], text)
            decide(heads, full)
            return full

        full = timed("mask + dispatch", mask_and_decide)

        def check_and_record() -> None:
            repeats.check(full, exclude=f"breakdown-{i}")
            repeats.record(SeenTicket(f"breakdown-{i}", utc_now(), full))

        timed("repeat check + record (month of tickets)", check_and_record)
        timed("suggestions (BM25, as /v1/route)", lambda: kb.search(full, 3, with_dense=False))
        timed("suggestions (hybrid, as /v1/suggest)", lambda: kb.search(full, 3))
    kb.close()
    repeats.close()
    return {name: float(np.median(values[3:])) for name, values in steps.items()}


class PlainTicket(BaseModel):
    title: str | None = None
    text: str


# -- the plain way: transformers + torch behind a minimal FastAPI app ------------------------------------------


def plain_app(model_dir: Path, threads: int):
    """`model_dir` is the fine-tuned model; its torch form is loaded the way the training code saved it."""
    import torch
    from fastapi import FastAPI

    from models.card import ModelCard
    from pipeline import model_text, read_stopwords
    from training.finetune import load_torch_model

    torch.set_num_threads(threads)
    card = ModelCard.load(model_dir)
    model, encoder = load_torch_model(model_dir)
    stopwords = read_stopwords(model_dir / "stopwords.txt")
    app = FastAPI()

    @app.get("/ready")
    def ready() -> dict:
        return {"ok": True}

    @app.post("/route")
    def route(ticket: PlainTicket) -> dict:
        batch = encoder.pad(encoder.ids([model_text(ticket.title, ticket.text, stopwords=stopwords)]))
        with torch.inference_mode():
            outputs = model(torch.from_numpy(batch.input_ids), torch.from_numpy(batch.attention_mask))
        probs = torch.softmax(outputs[model.head_names.index("topic")], dim=-1)[0]
        best = int(probs.argmax())
        return {"topic": card.heads["topic"].labels[best], "confidence": float(probs[best])}

    return app


def serve_plain(model_dir: Path, port: int, threads: int) -> None:
    import uvicorn

    uvicorn.run(plain_app(model_dir, threads), host="127.0.0.1", port=port, log_level="warning")


# ------------------------------------------------------------------------------------------------------------


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def champion_dir() -> tuple[str, Path]:
    from models.registry import Registry

    found = Registry().champion()
    if found is None:
        raise SystemExit("no champion model: run `appeal serve` once, or pass --model")
    return found


def scratch_home(model_dir: Path, version: str, root: Path, settings) -> Path:
    from knowledge_base.files import read_entries
    from knowledge_base.store import EntryStore
    from models.registry import Registry

    home = root / "home"
    registry = Registry(home / "registry")
    registry.promote(registry.add(model_dir, version=version))
    # The base encoder the knowledge base's dense retrieval uses; linked, not rebuilt.
    if settings.base_model_dir.is_dir():
        (home / "base-models").symlink_to(settings.base_model_dir.resolve())
    store = EntryStore(f"sqlite:///{home / 'appeal.db'}")
    store.upsert_many(read_entries(settings.demo_dir / "faq.jsonl"), updated_by="bench")
    store.close()
    month_of_tickets(home, settings)
    return home


def month_of_tickets(home: Path, settings) -> None:
    """The ticket log as a month of service leaves it: the hot messages, masked, spread over the last 30 days."""
    from datetime import timedelta

    from knowledge_base.store import utc_now
    from knowledge_base.ticket_log import SeenTicket, TicketLog
    from pipeline import masked_text

    frame = pd.read_csv(settings.teddy_dir / "hot_messages_raw.csv", dtype={"留言编号": str})
    log = TicketLog(f"sqlite:///{home / 'appeal.db'}")
    now = utc_now()
    log.add(*(SeenTicket(ticket_id, now - timedelta(days=29) * n / len(frame), masked_text(str(text)),
                         masked_text(str(title)))
              for n, (ticket_id, title, text) in enumerate(zip(frame["留言编号"], frame["留言主题"], frame["留言详情"]))))
    log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model directory (default: the champion under settings.home)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per run")
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime / torch intra-op threads")
    parser.add_argument("--no-plain", action="store_true", help="skip the transformers + torch comparison")
    parser.add_argument("--ticket", choices=("median", "longest"), default="median",
                        help="median: dev_raw.csv's median-length ticket; longest: hot_messages_raw.csv's longest")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--plain-server", type=int, help=argparse.SUPPRESS)  # internal: serve the plain app
    args = parser.parse_args()

    from appeal.config import get_settings

    settings = get_settings()
    if args.model is None:
        version, model_dir = champion_dir()
    else:
        model_dir = args.model.resolve()
        from models.card import ModelCard

        version = ModelCard.load(model_dir).version
    if args.plain_server:
        serve_plain(model_dir, args.plain_server, args.threads)
        return

    source = "dev_raw.csv" if args.ticket == "median" else "hot_messages_raw.csv"
    ticket = pick_ticket(settings.teddy_dir / source, args.ticket)
    print(f"ticket {ticket['id']}: {len(ticket['title']) + len(ticket['text'])} characters; model {version} "
          f"({model_dir})", flush=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="appeal-bench-") as scratch:
        scratch = Path(scratch)
        home = scratch_home(model_dir, version, scratch, settings)
        env = {**os.environ, "APPEAL_HOME": str(home), "APPEAL_API_KEYS": f"platform:{BENCH_KEY}",
               "APPEAL_ONNX_THREADS": str(args.threads), "APPEAL_SHARED_DATA": str(settings.shared_data.resolve())}
        port = free_port()
        service = start([sys.executable, "-m", "uvicorn", "serve.app:create_app", "--factory", "--port", str(port),
                         "--no-access-log", "--log-level", "warning"], env, scratch / "service.log")
        try:
            wait_ready(f"http://127.0.0.1:{port}", service, "/readyz")
            print("service:", httpx.get(f"http://127.0.0.1:{port}/readyz").json(), flush=True)
            url = f"http://127.0.0.1:{port}/v1/route"
            for concurrency in (1, 8):
                run = drive("appeal serve (ONNX Runtime)", url, ticket, {"X-API-Key": BENCH_KEY}, args.requests,
                            concurrency, args.warm_up)
                rows.append(run.row())
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        finally:
            stop(service)
        steps = breakdown(model_dir, home, ticket, args.threads)
        print("in-process steps (median ms):", json.dumps({k: round(v, 1) for k, v in steps.items()}), flush=True)
        if not args.no_plain:
            port = free_port()
            plain = start([sys.executable, __file__, "--model", str(model_dir), "--threads", str(args.threads),
                           "--plain-server", str(port)], env, scratch / "plain.log")
            try:
                wait_ready(f"http://127.0.0.1:{port}", plain, "/ready")
                for concurrency in (1, 8):
                    run = drive("plain transformers + torch", f"http://127.0.0.1:{port}/route", ticket, {},
                                args.requests, concurrency, args.warm_up)
                    rows.append(run.row())
                    print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
            finally:
                stop(plain)

    print()
    print("| server | concurrency | requests | errors | p50 ms | p95 ms | p99 ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['server']} | {row['concurrency']} | {row['requests']} | {row['errors']} | {row['p50_ms']:.1f} | "
              f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['req_per_s']:.1f} |")
    by = {(r["server"].startswith("plain"), r["concurrency"]): r for r in rows}
    for concurrency in (1, 8):
        if (True, concurrency) in by:
            ours, plain_row = by[(False, concurrency)], by[(True, concurrency)]
            print(f"concurrency {concurrency}: p50 plain/ours = {plain_row['p50_ms'] / ours['p50_ms']:.2f}x, "
                  f"throughput ours/plain = {ours['req_per_s'] / plain_row['req_per_s']:.2f}x")
    print("\n| step of /v1/route (in process) | median ms |\n|---|---:|")
    for name, ms in steps.items():
        print(f"| {name} | {ms:.1f} |")
    if args.json:
        args.json.write_text(json.dumps({"runs": rows, "steps_ms": steps}, ensure_ascii=False, indent=2),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
