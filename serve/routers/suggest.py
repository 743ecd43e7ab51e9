"""POST /v1/suggest: knowledge-base answers for a question or ticket, without classification."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from pipeline import masked_text
from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, check_text_length
from serve.routers.deps import ready
from serve.routing import suggestions
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
    return SuggestOut(suggestions=suggestions(services.kb, masked, body.k, with_dense=True, source=body.source),
                      masked_text=masked)
