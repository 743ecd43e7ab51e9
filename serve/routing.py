"""One ticket in, one routing answer out: classify, mask, decide (unit catalogue + rules), suggest.

The model reads the ticket in the canonical form it was trained on (made from the raw text); everything that
leaves the process (response, log, knowledge-base query, feedback row) is the normalized, PII-masked text.
Batches go through the model in one call (the costly step); everything else is per ticket.
"""
from __future__ import annotations

from typing import Sequence

from knowledge_base.dispatch import decide
from knowledge_base.kb import KnowledgeBase
from models.predictor import HeadPrediction
from pipeline import canonical
from pipeline.normalize import normalize
from pipeline.pii import mask_pii
from serve.model_holder import LoadedModel
from serve.schemas import HeadOut, LabelScore, RouteOut, SuggestionOut, TicketIn


def mask(text: str) -> str:
    return mask_pii(normalize(text)).text


def head_out(prediction: HeadPrediction) -> HeadOut:
    return HeadOut(
        label=prediction.label,
        confidence=round(prediction.confidence, 4),
        alternatives=[LabelScore(label=a.label, confidence=round(a.confidence, 4)) for a in prediction.alternatives],
    )


def suggestions(kb: KnowledgeBase, query: str, k: int, *, with_dense: bool) -> list[SuggestionOut]:
    if k == 0:
        return []
    return [
        SuggestionOut(id=hit.entry_id, question=hit.question, answer=hit.answer, unit=hit.unit or None,
                      score=round(hit.score, 4))
        for hit in kb.search(query, k, with_dense=with_dense)
    ]


def route_tickets(tickets: Sequence[TicketIn], model: LoadedModel, kb: KnowledgeBase, k: int) -> list[RouteOut]:
    predictor = model.predictor
    predictions = predictor.predict([canonical(t.title, t.text, stopwords=predictor.stopwords) for t in tickets])
    results = []
    for ticket, heads in zip(tickets, predictions):
        masked = mask(ticket.text)
        # Title and body on separate lines, so no place name or keyword is read across the join.
        full = f"{mask(ticket.title)}\n{masked}" if ticket.title else masked
        routing = decide(heads, full, ticket.location)
        results.append(
            RouteOut(
                id=ticket.id,
                topic=head_out(heads["topic"]),
                unit=head_out(heads["unit"]) if "unit" in heads else None,
                jurisdiction=routing.jurisdiction,
                decision=routing.decision,
                reasons=routing.reasons,
                urgent=routing.urgent,
                not_accepted=routing.not_accepted,
                lead_unit=routing.lead,
                assisting_units=routing.assisting,
                rule=routing.rule,
                # Lexical only: encoding the whole ticket with e5 costs ~10x the rest of the request on 2 cores
                # (bench/RESULTS.md ## Serving); /v1/suggest adds the dense ranking.
                suggestions=suggestions(kb, full, k, with_dense=False),
                masked_text=masked,
                model_version=model.version,
            )
        )
    return results
