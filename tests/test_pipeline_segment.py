from __future__ import annotations

import csv

import jieba
import pandas as pd
import pytest

from pipeline import bundled_stopwords, canonical, segment, tokens_for_search
from pipeline.resources import read_dictionary
from pipeline.area import BUNDLED
from pipeline.segment import dictionary_files


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("我住在武冈市邓元泰镇，想咨询住房公积金中心公积金提取的事情。", ["武冈市", "邓元泰镇", "住房公积金中心", "公积金提取"]),
        ("水浸坪乡的危房改造补贴什么时候发放", ["水浸坪乡", "危房改造"]),
        ("司马冲那边有人电动车充电，噪音扰民，物业纠纷一直没解决", ["司马冲", "电动车充电", "噪音扰民", "物业纠纷"]),
        ("请城管执法局和市场监管局处理违章建筑", ["城管执法局", "市场监管局", "违章建筑"]),
        ("拨打12345热线反映稠树塘镇低保问题", ["12345热线", "稠树塘镇", "低保"]),
        ("在迎春亭街道办理不动产登记和营业执照", ["迎春亭街道", "不动产登记", "营业执照"]),
        ("湖南省邵阳市的社保卡和养老保险", ["湖南省", "邵阳市", "社保卡", "养老保险"]),
    ],
)
def test_domain_words_stay_whole(text, words):
    tokens = segment(text)
    for word in words:
        assert word in tokens, (word, tokens)


def test_every_dictionary_word_is_cut_as_one_token():
    for path in dictionary_files():
        entries = read_dictionary(path)
        assert len(entries) >= 40, path
        for word, tag in entries:
            assert tag in {"ns", "nt", "n"}
            assert word in segment(f"关于{word}的问题", stopwords=False), word


def test_places_cover_all_townships_of_wugang(shared_data):
    places = {word for word, _ in read_dictionary(BUNDLED["places.txt"])}
    with open(shared_data / "admin-divisions" / "wugang_430581_townships.csv", encoding="utf-8") as handle:
        townships = [row["name"] for row in csv.DictReader(handle)]
    assert len(townships) == 18
    for name in townships:
        assert name in places
        assert name.removesuffix("街道").removesuffix("镇").removesuffix("乡") in places


def test_stopwords_and_punctuation_are_dropped():
    text = "我们的小区，到底什么时候能通上自来水？！  请尽快处理……"
    assert segment(text) == ["小区", "能通", "自来水", "处理"]  # hotline courtesies (请, 尽快) are stopwords too
    kept = segment(text, stopwords=False)
    assert "我们" in kept and "什么" in kept and "尽快" in kept
    assert not any(t.strip(" ，？！…") == "" for t in kept)


def test_bundled_stopwords_are_our_own_list(shared_data):
    ours = bundled_stopwords()
    assert 300 <= len(ours) <= 1000
    assert {"的", "了", "我们", "因为", "，", "。", "？"} <= ours
    assert "" not in ours and not any(w != w.strip() for w in ours)
    teddy = (shared_data / "teddy2020c" / "stop_words.txt").read_text(encoding="utf-8").split()
    assert sorted(ours) != sorted(teddy)


def test_default_dictionary_is_untouched_and_canonical_unaffected():
    segment("武冈市邓元泰镇住房公积金中心")  # loads the domain words into segment's own tokenizer
    assert "邓元泰镇" not in jieba.lcut("武冈市邓元泰镇住房公积金中心")
    assert "邓元泰镇" not in canonical("武冈市邓元泰镇", "住房公积金中心", stopwords=frozenset()).split()


def test_tokens_for_search_normalizes_and_yields_inner_words():
    tokens = tokens_for_search("我想咨詢住房公積金中心的事情 ETC卡")
    assert "住房公积金中心" in tokens and "公积金" in tokens  # Traditional converted, inner word for recall
    assert "etc" in tokens
    assert "的" not in tokens
    # one of the commonest complaints: jieba alone cuts it 路 + 灯不亮, so 路灯坏了 found nothing in it
    assert "路灯" in tokens_for_search("都梁路的路灯不亮") and "路灯" in tokens_for_search("路灯坏了")


def test_a_contacts_label_is_no_search_term():
    # a housing agent's round: the caller's ID number, masked, put 身份证丢了怎么补办 before the lift's answers
    tokens = tokens_for_search("小区电梯检验合格证过期了，物业还在用。来电人身份证号[身份证号]，电话：[手机号]。")
    assert {"电梯", "合格证", "过期"} <= set(tokens) and not {"身份证", "身份证号", "电话"} & set(tokens)
    # …where the number is the matter, its word stays
    assert "停机" in tokens_for_search("手机号[手机号]被停机了") and "手机" in tokens_for_search("手机号[手机号]被停机了")


def test_the_home_city_and_the_areas_around_it_are_not_search_terms():
    # Wugang's tickets name the city all the time (武冈市…, 邵阳市武冈市…): a place every ticket is in tells none apart.
    tokens = tokens_for_search("湖南省邵阳市武冈市二中门口堵车")
    assert {"二中", "门口", "堵车"} <= set(tokens)
    assert not {"武冈", "武冈市", "邵阳", "邵阳市", "湖南", "湖南省"} & set(tokens)
    assert tokens_for_search("武冈市") == []
    # …nor its townships, short forms and the words search mode cuts from them too (a knowledge-base trainer's round)
    assert not {"水西门街道", "水西门", "水西", "西门"} & set(tokens_for_search("水西门街道停电了"))
    assert tokens_for_search("湾头桥镇、稠树塘") == []
    assert "门口" in tokens_for_search("辕门口街道我家门口堵车")  # 辕门口's 门口 is a word of its own


def test_raw_ticket_gives_clean_tokens(shared_data):
    frame = pd.read_csv(shared_data / "teddy2020c" / "dev_raw.csv", keep_default_na=False)
    for title, body in zip(frame["留言主题"][:50], frame["留言详情"][:50]):
        tokens = tokens_for_search(f"{title} {body}")
        assert tokens
        assert all(t and t == t.strip() for t in tokens)
        assert not set(tokens) & bundled_stopwords()


def test_rejects_non_text():
    with pytest.raises(TypeError):
        segment(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tokens_for_search"):  # was an AttributeError from deep inside
        tokens_for_search(None)  # type: ignore[arg-type]



def test_a_run_jieba_would_cut_in_quadratic_time_is_cut_in_pieces_and_a_real_text_whole():
    """An integrator's round: 路 × 20,000 took 5 s to route (jieba's HMM over the run; bench/hostile_inputs.py)."""
    from pipeline.canonical import cut_in_bounded_runs

    pieces = list(cut_in_bounded_runs(lambda text: [text], "路灯坏了，" + "路" * 1200 + "。abc"))
    assert pieces == ["路灯坏了，", "路" * 500, "路" * 500, "路" * 200, "。abc"]
    real = "市民来电反映：都梁路的路灯坏了三个月，晚上出行很不方便，请城管局尽快修复。"
    assert list(cut_in_bounded_runs(lambda text: [text], real)) == [real]
    assert "".join(segment("路" * 1200)) == "路" * 1200
