from __future__ import annotations

import opencc
import pandas as pd
import pytest

from pipeline import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３！ｗｗｗ．ｗｕｇａｎｇ．ｇｏｖ．ｃｎ", "ABC123!www.wugang.gov.cn"),
        # full-width ASCII punctuation goes half-width; 。 and 、 have no half-width form and stay
        ("路灯不亮，请尽快维修！（水西门街道）、谢谢。", "路灯不亮,请尽快维修!(水西门街道)、谢谢。"),
        ("臺北市政府警察局交通警察大隊常見問答", "台北市政府警察局交通警察大队常见问答"),
        ("請問該怎麼辦？", "请问该怎么办?"),
        ("乾隆年間的建築與幹部宿舍都很乾淨", "乾隆年间的建筑与干部宿舍都很干净"),
        ("\n\t\t\t\t\t\n\t\t\t\t\t\u3000\u3000小区停水\xa0\xa0三天了\r\n\t\t\t\t", "小区停水 三天了"),
        ("武\u200b冈\u200c市\u200d邓元泰镇\ufeff", "武冈市邓元泰镇"),
        # bidi isolates, the grapheme joiner, a variation selector, a Hangul filler: invisible, and they kept a
        # phone number or a name from being masked; a keycap leaves its digit
        ("电话138\u206607391234\u2069，张\u034f建国\ufe0f，138ㅤ0739", "电话13807391234,张建国,1380739"),
        ("1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e3", "138"),
        ("<p>路灯不亮</p><p>请尽快<b>维修</b></p>&nbsp;&amp;谢谢", "路灯不亮 请尽快维修 &谢谢"),
        ("第一行<br/>第二行<BR>第三行", "第一行 第二行 第三行"),
        ('<div class="content"><span style="color:red">噪音</span>扰民</div>', "噪音扰民"),
        ("<script>var a = 1;</script><!-- 注释 -->正文", "正文"),
        # an opening never closed stays text, and the blocks after it are still dropped
        ("a<!-- x -->b<style>.c{}</style>c<!-- 没有结尾", "a b c<!-- 没有结尾"),
        ("<STYLE x>.c{}</style >正文<script>未闭合", "正文未闭合"),
        # doubly escaped, then a tag written with full-width brackets: each layer peels off
        ("&amp;lt;b&amp;gt;加粗&amp;lt;/b&amp;gt;", "加粗"),
        ("＜ｐ＞段落＜／ｐ＞", "段落"),
        ("&#27494;&#20872;&#x5E02;", "武冈市"),
        # comparisons in a complaint are text, not tags
        ("水温<30度, 气温>35度, a < b > c <3", "水温<30度, 气温>35度, a < b > c <3"),
        # a line break typed in Excel, as a workbook escapes it and a reader may leave it (dev_raw.csv holds 131)
        ("尊敬的领导:_x000D_\n您好!_x000D_\n\u3000\u3000我们是业主", "尊敬的领导: 您好! 我们是业主"),
        ("第一列_x0009_第二列", "第一列 第二列"),
        ("文件my_x0041_file.xlsx", "文件my_x0041_file.xlsx"),  # escapes a letter, not a control: left as written
        # circled list numbers read as the parenthesized ones (⑴ → (1)): ② ran into the digits after it (building
        # 15 became 215, a second phone number no phone number); a circled ideograph stays the numeral NFKC makes it
        ("②15号栋均价7550元/平", "(2)15号栋均价7550元/平"),
        ("①13807391234;②13907391234", "(1)13807391234;(2)13907391234"),
        ("❶➀⓫㉑⑴⒉㊀", "(1)(1)(11)(21)(1)2.一"),
        ("家住①号楼302室，③组", "家住1号楼302室,3组"),  # a building's or a group's number
        ("", ""),
        (" \t\u3000\n ", ""),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def _assert_idempotent(texts: list[str]) -> int:
    changed = 0
    for text in texts:
        once = normalize(text)
        assert normalize(once) == once, text[:80]
        assert "  " not in once and once == once.strip()
        assert not any(ch in once for ch in "\t\n\r\u3000\xa0\u200b\ufeff") and "_x000D_" not in once
        changed += once != text
    return changed


def test_idempotent_on_real_raw_tickets(shared_data):
    teddy = shared_data / "teddy2020c"
    titles: list[str] = []
    details: list[str] = []
    for name in ("dev_raw.csv", "hot_messages_raw.csv", "replies_raw.csv"):
        frame = pd.read_csv(teddy / name, keep_default_na=False)
        titles += frame["留言主题"].tolist()
        details += frame["留言详情"].tolist()[:700]
    replies = pd.read_csv(teddy / "replies_raw.csv", keep_default_na=False)
    _assert_idempotent(titles + replies["答复意见"].tolist()[:500])
    # normalize skips the converter for text without a character it could change: nothing is left over
    dev = [normalize(text) for text in details[:448]]
    converter = opencc.OpenCC("t2s")
    assert [converter.convert(text) for text in dev] == dev
    # raw details are wrapped in scraped tabs, newlines, U+3000 and U+00A0 (all but one, already clean)
    assert _assert_idempotent(details) >= len(details) - 1


def test_idempotent_on_traditional_faq_and_converts_it(shared_data):
    faq = pd.read_csv(shared_data / "taipei-faq" / "taipei_faq.csv", keep_default_na=False)
    texts = faq["question"].tolist() + faq["answer"].tolist()[:300] + faq["dept"].unique().tolist()
    assert _assert_idempotent(texts) > len(texts) // 2
    questions = [normalize(q) for q in faq["question"]]
    assert not any(ch in q for q in questions for ch in "臺問題請這個們為麼")


def test_simplified_text_is_left_alone():
    text = "我们小区什么时候能通自来水?怎么办理社保卡?"
    assert normalize(text) == text


def test_zhe_read_zhao_is_simplified_and_zhu_is_kept():
    """A Traditional 著火 was left as it is by OpenCC's t2s, and no fire word matched it (a web channel's round)."""
    assert normalize("我們家樓下著火了！快來人") == "我们家楼下着火了!快来人"
    assert normalize("房子燒著了，好著急") == "房子烧着了,好着急"
    assert normalize("著名商標，效果顯著") == "著名商标,效果显著"
    assert normalize("卢浮原著小区的著作权") == "卢浮原著小区的著作权"
    assert normalize("後山著大火了，她穿著火紅的衣服") == "后山着大火了,她穿著火红的衣服"


def test_rejects_non_text():
    with pytest.raises(TypeError):
        normalize(None)  # type: ignore[arg-type]
