"""GET /v1/labels: the labels the serving model knows and the unit catalogue, for a platform's answer form."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from knowledge_base.dispatch import UnitRef, default_routing
from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES
from serve.routers.deps import ready
from serve.schemas import CatalogueUnitOut, LabelsOut
from serve.services import Services

router = APIRouter(prefix="/v1", tags=["labels 标签"], responses=ERROR_RESPONSES)


@router.get("/labels", response_model=LabelsOut, summary="模型标签与单位目录 / labels and units")
def labels(
    _caller: Caller = Depends(require("labels")),
    services: Services = Depends(ready),
) -> LabelsOut:
    """An agent's answer in words the model has no label for (民政 for a topic, a typo) is stored as a new class that
    retraining learns: a platform builds its answer form from these lists instead. They follow the model a promotion
    or reload brings."""
    model = services.model
    heads = model.predictor.card.heads
    unit_labels = heads["unit"].labels if "unit" in heads else []
    catalogue, rules = default_routing()
    # as /v1/feedback reads an answer: 武冈市残疾人联合会 and the expert seats are reached by rules, and the unit head
    # has no label for them (an integrator's re-test: listed here, then named in unknown_labels)
    return LabelsOut(model_version=model.version, rules_version=rules.version, topic=heads["topic"].labels,
                     unit=unit_labels,
                     units=[CatalogueUnitOut(**UnitRef.of(unit).model_dump(), township=unit.jurisdiction,
                                             unit_label=catalogue.unit_label(unit.name, unit_labels) if unit_labels
                                             else None)
                            for unit in catalogue.units])
