"""What a curated answer states that a trainer must check (knowledge_base.answer_checks), on 人社 answers a trainer
wrote for the wage-arrears season."""
from __future__ import annotations

import pytest

from knowledge_base.answer_checks import specifics_warnings
from knowledge_base.store import EntryIn


def said(answer: str) -> list[str]:
    entry = EntryIn(id="rs-1", question="工伤认定怎么申请？", answer=answer, unit="武冈市人力资源和社会保障局")
    return specifics_warnings([entry])


@pytest.mark.parametrize("answer, gives", [
    # every number is named, and a mobile as a person's: the office line was, the section chief's mobile was not
    ("可拨打0739-4236789或联系王科长（13907391111）。",
     "a phone number (0739-4236789), a mobile number (13907391111) (a person's phone, not an office's line?)"),
    ("缴费基数下限为每月4200元、上限为每月21000元，最低每月840元。", "a fee (4200元, 21000元, 840元)"),
    ("工本费二十元。", "a fee (二十元)"),
    ("请在事故发生之日起1年内申请。", "a deadline (1年内)"),
    ("仲裁时效期间为一年。", "a deadline (时效期间为一年)"),
    ("每年6月30日前完成认证。", "a deadline (6月30日前)"),
])
def test_what_an_answer_states_is_named_for_the_trainer_to_check(answer, gives):
    assert said(answer) == [f"rs-1: the answer gives {gives}; check it against the unit's published one"]


def test_an_answer_without_such_details_says_nothing():
    assert said("元旦后，可拨打12333咨询，或到市人社局窗口办理。") == []
