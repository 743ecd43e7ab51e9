"""Prometheus metrics: request count and latency per route and status (prometheus-fastapi-instrumentator), plus
what the model does: predictions per label, how often a human must review, how many tickets repeat an earlier one,
which model version answers, and how often agents keep its topic and confirm its repeat flags (the live
counterpart of the report's fixed evaluation set).

Each app gets its own registry, so several apps in one process (tests) never clash over metric names.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_fastapi_instrumentator import Instrumentator, metrics


class ServeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.predictions = Counter(
            "appeal_predictions", "Predictions by head and label", ["head", "label"], registry=self.registry
        )
        self.decisions = Counter(
            "appeal_decisions", "Routing decisions (auto or review)", ["decision"], registry=self.registry
        )
        self.repeats = Counter(
            "appeal_repeats", "Routed tickets with an earlier ticket about the same matter in the repeat window",
            registry=self.registry,
        )
        self.urgent = Counter(
            "appeal_urgent", "Routed tickets flagged urgent, by where the caller is to be put through (hand_over: 120 "
            "急救, 110 报警, 119 救援 as the routing rules name them; none: safety words alone)",
            ["hand_over"], registry=self.registry,
        )
        self.review_rate = Gauge(
            "appeal_review_rate", "Share of routed tickets sent to human review since start", registry=self.registry
        )
        self.model_info = Gauge(
            "appeal_model_info", "The model version answering now (value 1)", ["version", "kind"], registry=self.registry
        )
        self.feedback = Counter(
            "appeal_feedback", "Agents' final answers, by the model version that routed the ticket (other: one the "
            "registry does not hold) and whether the agent kept its topic (yes, no; unknown when the answer names no "
            "prediction)",
            ["model_version", "topic_kept"], registry=self.registry,
        )
        self.repeat_verdicts = Counter(
            "appeal_repeat_verdicts", "Agents' answers on the repeat check, for tickets whose feedback says what the "
            "route listed: confirmed (the agent linked a listed ticket), rejected (the agent linked none of the listed "
            "tickets, perhaps another one), missed (none listed, the agent linked one), unseen (none listed, the agent "
            "linked one the service never routed within its window), new (none listed, none linked)",
            ["verdict"], registry=self.registry,
        )
        self.refusal_verdicts = Counter(
            "appeal_refusal_verdicts", "Agents' answers on the refusal rules (不予受理), for tickets whose feedback says "
            "whether they were refused: confirmed / overruled (a rule flagged it; refused / accepted after all), "
            "missed / accepted (no rule flagged it; refused / accepted); rule other: one the rules file does not name",
            ["rule", "verdict"], registry=self.registry,
        )
        self.hand_over_verdicts = Counter(
            "appeal_hand_over_verdicts", "Agents' answers on the lines /v1/route said to put the caller through to "
            "(120 急救, 110 报警, 119 救援), for tickets whose feedback says where the agent did: confirmed, other_line, "
            "false_alarm (a line named, none put through), missed (none named, one put through), none",
            ["verdict"], registry=self.registry,
        )
        self.unsaved = Gauge(
            "appeal_tickets_unsaved", "Routed tickets waiting in memory for the database to store them for the repeat "
            "check (above 0: the database fails, and a restart now would lose them)", registry=self.registry,
        )
        self._lock = threading.Lock()
        self._routed = 0
        self._reviewed = 0

    def instrument(self, app: FastAPI) -> None:
        instrumentator = Instrumentator(
            should_group_status_codes=False, excluded_handlers=["/metrics"], registry=self.registry
        )
        instrumentator.add(metrics.requests(registry=self.registry))
        # Latency by route AND status: a fast 4xx must not hide a slow 200.
        instrumentator.add(metrics.latency(registry=self.registry,
                                           buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)))
        instrumentator.instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)

    def observe_route(self, labels: dict[str, str], decision: str, repeat: bool, urgent: bool,
                      hand_over: Sequence[str]) -> None:
        for head, label in labels.items():
            self.predictions.labels(head, label).inc()
        self.decisions.labels(decision).inc()
        if repeat:
            self.repeats.inc()
        for refer_to in hand_over or (["none"] if urgent else []):
            self.urgent.labels(refer_to).inc()
        with self._lock:
            self._routed += 1
            self._reviewed += decision == "review"
            self.review_rate.set(self._reviewed / self._routed)

    def observe_feedback(self, model_version: str | None, predicted_topic: str | None, topic: str,
                         repeat_verdict: str | None, refusal: tuple[str | None, str | None] = (None, None),
                         hand_over_verdict: str | None = None) -> None:
        """`refusal`: the rule /v1/route named (None: none) and the verdict on it (None: not said)."""
        kept = "unknown" if predicted_topic is None else "yes" if predicted_topic == topic else "no"
        self.feedback.labels(model_version or "unknown", kept).inc()
        if repeat_verdict is not None:
            self.repeat_verdicts.labels(repeat_verdict).inc()
        rule, verdict = refusal
        if verdict is not None:
            self.refusal_verdicts.labels(rule or "(none)", verdict).inc()
        if hand_over_verdict is not None:
            self.hand_over_verdicts.labels(hand_over_verdict).inc()

    def set_model(self, version: str, kind: str) -> None:
        self.model_info.clear()
        self.model_info.labels(version, kind).set(1)
