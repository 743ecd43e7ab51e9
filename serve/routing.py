"""One ticket in, one routing answer out: classify, mask, find the jurisdiction, decide, suggest.

The model reads the ticket in the canonical form it was trained on (made from the raw text); everything that
leaves the process (response, log, knowledge-base query, feedback row) is the normalized, PII-masked text.
Batches go through the model in one call (the costly step); everything else is per ticket.
"""
from __future__ import annotations

import re
from typing import Sequence

from knowledge_base.kb import KnowledgeBase
from models.predictor import HeadPrediction
from pipeline import canonical
from pipeline.jurisdiction import find_jurisdiction
from pipeline.normalize import normalize
from pipeline.pii import mask_pii
from serve.model_holder import LoadedModel
from serve.schemas import HeadOut, JurisdictionOut, LabelScore, RouteOut, SuggestionOut, TicketIn

_HAN = re.compile(r"[\u3400-\u9fff]")
NO_CHINESE = "文本不含中文，需人工处理 / no Chinese text: an agent decides"


def mask(text: str) -> str:
    return mask_pii(normalize(text)).text


def head_out(prediction: HeadPrediction) -> HeadOut:
    return HeadOut(
        label=prediction.label,
        confidence=round(prediction.confidence, 4),
        alternatives=[LabelScore(label=a.label, confidence=round(a.confidence, 4)) for a in prediction.alternatives],
    )


def suggestions(kb: KnowledgeBase, query: str, k: int) -> list[SuggestionOut]:
    if k == 0:
        return []
    return [
        SuggestionOut(id=hit.entry_id, question=hit.question, answer=hit.answer, unit=hit.unit or None,
                      score=round(hit.score, 4))
        for hit in kb.search(query, k)
    ]


def route_tickets(tickets: Sequence[TicketIn], model: LoadedModel, kb: KnowledgeBase, k: int) -> list[RouteOut]:
    predictor = model.predictor
    predictions = predictor.predict([canonical(t.title, t.text, stopwords=predictor.stopwords) for t in tickets])
    results = []
    for ticket, heads in zip(tickets, predictions):
        masked = mask(ticket.text)
        masked_title = mask(ticket.title) if ticket.title else ""
        place = find_jurisdiction(f"{masked_title}{masked}", ticket.location)
        reasons = [f"{head} 置信度低于阈值 / {head} confidence below threshold" for head, p in heads.items() if p.review]
        if not _HAN.search(f"{masked_title}{masked}"):
            reasons.append(NO_CHINESE)
        results.append(
            RouteOut(
                id=ticket.id,
                topic=head_out(heads["topic"]),
                unit=head_out(heads["unit"]) if "unit" in heads else None,
                jurisdiction=JurisdictionOut(township=place.township, code=place.code, matched=place.matched,
                                             village=place.village, source=place.source) if place else None,
                decision="review" if reasons else "auto",
                reasons=reasons,
                suggestions=suggestions(kb, f"{masked_title} {masked}".strip(), k),
                masked_text=masked,
                model_version=model.version,
            )
        )
    return results
