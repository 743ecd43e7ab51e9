"""What a curated answer states that a trainer must check (knowledge_base.answer_checks), on 人社 answers a trainer
wrote for the wage-arrears season."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from knowledge_base.answer_checks import specifics_warnings
from knowledge_base.store import EntryIn


def said(answer: str) -> list[str]:
    entry = EntryIn(id="rs-1", question="工伤认定怎么申请？", answer=answer, unit="武冈市人力资源和社会保障局")
    return specifics_warnings([entry])


@pytest.mark.parametrize("answer, zh, en", [
    # every number is named, and a mobile as a person's: the office line was, the section chief's mobile was not
    ("可拨打0739-4236789或联系王科长（13907391111）。",
     "电话号码（0739-4236789）、手机号码（13907391111）（是个人手机，不是单位电话？）",
     "a phone number (0739-4236789), a mobile number (13907391111) (a person's phone, not an office's line?)"),
    ("缴费基数下限为每月4200元、上限为每月21000元，最低每月840元。", "费用（4200元、21000元、840元）",
     "a fee (4200元, 21000元, 840元)"),
    ("工本费二十元。", "费用（二十元）", "a fee (二十元)"),
    ("请在事故发生之日起1年内申请。", "期限（1年内）", "a deadline (1年内)"),
    ("仲裁时效期间为一年。", "期限（时效期间为一年）", "a deadline (时效期间为一年)"),
    ("每年6月30日前完成认证。", "期限（6月30日前）", "a deadline (6月30日前)"),
    # a knowledge-base editor's round: the day a payment period ends went unnamed beside a 两周内 that was
    ("2027年度集中缴费期截至2026年12月31日。", "期限（截至2026年12月31日）", "a deadline (截至2026年12月31日)"),
    ("二是每年都有，一月一日至三月一日两个月。", None, None),
])
def test_what_an_answer_states_is_named_for_the_trainer_to_check(answer, zh, en):
    """In Chinese first, as the service's other messages (a knowledge-base editor's round read them in English only)."""
    assert said(answer) == ([f"rs-1: 答复给出{zh}，请与单位公布的核对 / the answer gives {en}; check it against the "
                             "unit's published one"] if zh else [])


def test_an_answer_too_long_to_read_out_on_a_call_is_named():
    """A knowledge-base editor's round saved an answer of 5,088 characters without a word."""
    block = "城乡居民医保可通过湘税社保微信小程序、银行网点或村（社区）代缴点缴纳，请按当地通知时间办理。"
    assert said(block * 30) == [f"rs-1: 答复有 {len(block) * 30} 字，坐席在电话中读不完，请精简 / the answer has "
                                f"{len(block) * 30} characters, more than an agent reads out on a call: shorten it"]
    assert said(block * 20) == []  # 920 characters


def test_a_question_or_phrasing_too_long_to_be_a_callers_is_refused():
    """A knowledge-base trainer's round saved a phrasing of 5,000 characters without a word: a text pasted in the wrong
    field, which then ranked its entry first for anything sharing a word with it. Its re-tester's pasted a notice as a
    question: saved with a warning, it was suggested at once. A FAQ's question or phrasing over 200 characters, or a
    question over lines, is refused."""
    pasted = "冬天屋里好冷" * 40
    with pytest.raises(ValidationError, match="'冬天屋里好冷冬天屋里好冷…' has 240 characters, no question a caller asks"):
        EntryIn(id="rs-2", question="工伤认定怎么申请？", alternatives=["工伤怎么认定", pasted], answer="向市人社局申请。",
                unit="武冈市人力资源和社会保障局")
    with pytest.raises(ValidationError, match="over several lines"):
        EntryIn(id="rs-2", question="2027年度城乡居民医保缴费通知\n一、缴费标准", answer="向市人社局申请。",
                unit="武冈市人力资源和社会保障局")
    asked = "我家老人在武冈市工业园一家鞋厂上班，" * 11  # 198 characters: long, but a caller's question may be
    assert specifics_warnings([EntryIn(id="rs-3", question=asked, answer="向市人社局申请。", unit="武冈市人力资源和社会保障局")]) == []
    # a past case's question is the citizen's message, lines and all
    assert EntryIn(question=pasted + "\n" + pasted, answer="已转人社局。", unit="", source="case").question


def test_an_answer_with_nothing_to_read_out_is_named():
    """A trainer's round saved "x" over an answer, a slip, without a word."""
    assert said("x") == ["rs-1: 答复只有 1 个字，坐席无可读给来电人，是否误存 / the answer holds 1 character(s) of text, nothing an "
                         "agent can read out: saved by mistake?"]
    assert said("可以。") == []


def test_an_answer_without_such_details_says_nothing():
    assert said("元旦后，可拨打12333咨询，或到市人社局窗口办理。") == []
