"""POST /v1/suggest: knowledge-base answers for a question or ticket, without classification."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from pipeline import masked_text
from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, check_text_length
from serve.routers.deps import ready
from knowledge_base.dispatch import (UnitRef, default_routing, emergency_rules, lines_to_put_through,
                                     rules_of_lines, urgent_words_in)
from serve.routing import answers_for_the_call, calm_first, suggestions
from serve.schemas import SuggestIn, SuggestOut
from serve.services import Services

router = APIRouter(prefix="/v1", tags=["suggest 知识库推荐"], responses=ERROR_RESPONSES)


@router.post("/suggest", response_model=SuggestOut, summary="推荐答复 / suggest answers")
def suggest(
    body: SuggestIn,
    request: Request,
    _caller: Caller = Depends(require("suggest")),
    services: Services = Depends(ready),
) -> SuggestOut:
    check_text_length(body.text, services.settings.max_text_chars)
    masked = masked_text(body.text)
    request.state.log.update(masked_text=masked)
    rules = default_routing()[1]
    emergencies = emergency_rules(masked, rules)
    lines = list(dict.fromkeys([*lines_to_put_through(urgent_words_in(masked, rules), rules),
                                *(rule.then.hand_over for rule in emergencies)]))
    search = dict(with_dense=True, source=body.source, weak_below=services.settings.kb_weak_cosine)
    found = suggestions(services.kb, masked, body.k * 5, **search)
    if not lines:
        return SuggestOut(suggestions=calm_first(services.kb, found, masked)[:body.k], masked_text=masked)
    # as /v1/route does: a caller to be put through hears no answer but the lines' own units' (a senior agent's round
    # was shown 违章搭建怎么举报 for 有人晕倒了快叫救护车, and 家里停电了找谁 for a fire at a correct answer's score)
    # and the unit the rules send it to, as the route's lead: the gas company's 关阀门、开窗 for a gas smell
    catalogue = default_routing()[0]
    called = rules_of_lines(masked, lines, rules)
    units = [UnitRef.of(unit) for rule in called if (unit := catalogue.get(rule.then.lead)) is not None]
    answers = answers_for_the_call(services.kb, found, lines, units, [rule.id for rule in called])
    return SuggestOut(suggestions=answers[:body.k], masked_text=masked, hand_over=lines)
