"""Place extraction on ticket-like Chinese text: the right township, or None — never a guess."""
from __future__ import annotations

import csv
import json

import pytest

from appeal.config import DEMO_DIR
from pipeline.errors import InputError
from pipeline.area import BUNDLED
from pipeline.jurisdiction import default_gazetteer, find_jurisdiction, read_gazetteer, scan_places

GAZETTEER = BUNDLED["gazetteer.csv"]


def test_gazetteer_is_the_official_division_list(shared_data):
    with open(shared_data / "admin-divisions" / "wugang_430581_townships.csv", encoding="utf-8") as handle:
        official = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    assert {t.code: t.name for t in default_gazetteer().townships} == official


@pytest.mark.parametrize(
    ("text", "township", "method"),
    [
        ("邓元泰镇某村通组的水泥路被一户村民在路中间砌了围墙，全组二十多户进出都要绕路。", "邓元泰镇", "name_with_suffix"),
        ("我家在晏田乡，房子是土砖房，去年被鉴定为C级危房。", "晏田乡", "name_with_suffix"),
        ("辕门口街道一条背街小巷的路灯坏了好久，晚上出门很不安全。", "辕门口街道", "name_with_suffix"),
        ("请辕门口办事处协调一下小区停车问题。", "辕门口街道", "name_with_suffix"),
        ("来电人反映武冈市龙溪镇云峰村的村道塌方，车辆无法通行。", "龙溪镇", "address"),
        ("法相岩街道东塔社区的路灯不亮。", "法相岩街道", "address"),
        ("从武冈到邓家铺的客运班车经常超载，过道上都站满了人。", "邓家铺镇", "name_without_suffix"),
        ("我老家在武冈大甸，村里的山塘漏水好几年了。", "大甸镇", "name_with_context"),
        ("邓元泰镇附近一条小河最近又黑又臭，邓元泰的村民都很担心。", "邓元泰镇", "name_with_suffix"),
        # a township's market runs into its name (湾头桥市场 was read as a city 湾头桥市 and found nothing), and the
        # city's development zone before a township is no county of its own
        ("湾头桥市场门口每天早上摊贩乱摆，把路都堵死了。", "湾头桥镇", "name_without_suffix"),
        ("邓家铺市场后面的排水沟堵死了，村里不管。", "邓家铺镇", "name_without_suffix"),
        ("武冈经济开发区湾头桥镇片区的工厂排放废气，气味刺鼻。", "湾头桥镇", "name_with_suffix"),
        ("武冈工业集中区龙溪镇那边的工厂排放废气。", "龙溪镇", "name_with_suffix"),
        # a dispatcher's round: a title ending in 集市 joined to the text by a line break was read as a city before
        # the text's 武冈市 ($ matched before the break); a 乡 called by the 镇 it became, and the other way round
        ("秦桥集市\n武冈市秦桥有人在集市上卖病死猪肉。", "秦桥镇", "name_with_context"),
        ("秦桥乡的老街路灯坏了。", "秦桥镇", "name_with_suffix"),
        ("马坪镇那边的路灯坏了。", "马坪乡", "name_with_suffix"),
        # a re-tester's round of that change: the prefecture said short (邵阳县 is 邵阳 said short, but so is 邵阳市),
        # a word that only crosses the name's start (张伟大甸镇 is cut 张 / 伟大 / 甸镇), a supermarket's branch
        ("邵阳武冈晏田乡的一座桥有裂缝，存在安全隐患。", "晏田乡", "name_with_suffix"),
        ("湖南邵阳武冈龙溪镇联群村二组村民反映山林纠纷。", "龙溪镇", "address"),
        ("邵阳湾头桥镇的通村公路塌了。", "湾头桥镇", "name_with_suffix"),
        ("来电人张伟大甸镇政府门口摆摊被罚。", "大甸镇", "name_with_suffix"),
        ("大润发超市龙溪镇店卖过期食品。", "龙溪镇", "name_with_suffix"),
        ("湾头桥镇米粉店门口的路灯坏了。", "湾头桥镇", "name_with_suffix"),  # a shop's name with the suffix
        # a community named as its street is, as 迎春亭社区 (a blind round: 水西门, too common alone, found nothing)
        ("水西门社区这里下水道堵了，污水流到路上。", "水西门街道", "name_without_suffix"),
        ("迎春亭社区附近夜宵摊太吵，半夜都不消停。", "迎春亭街道", "name_without_suffix"),
        ("辕门口街道水西门社区的下水道堵了。", "辕门口街道", "address"),  # …but another street's, named
    ],
)
def test_finds_the_township(text, township, method):
    found = find_jurisdiction(text)
    assert found is not None and found.township == township and found.method == method
    assert text[found.start : found.end] == found.matched and found.source == "text"


def test_village_written_after_the_township_is_kept():
    found = find_jurisdiction("湖南省武冈市邓元泰镇田心村村民反映：村里的低保评议不公开。")
    assert found.township == "邓元泰镇" and found.village == "田心村" and found.matched == "武冈市邓元泰镇"
    # "our village" is no village name
    assert find_jurisdiction("邓元泰镇我们村的财务一年多没有公开了。").village is None
    # nor are villages counted or of a kind
    for text in ("湾头桥镇所有村都停电了", "湾头桥镇好几个村", "湾头桥镇贫困村", "湾头桥镇偏远山村", "湾头桥镇政府所在地社区",
                 "湾头桥镇好多村里的老人被拉去投钱",  # a township liaison's round read a village 好多村 (邓元泰镇…)
                 "湾头桥镇人民政府对村里的路灯坏了不管",  # a keeper's round: village 人民政府对村
                 "本人张海军，在湾头桥镇承包了一段村道修建，镇政府拖欠工程款"):  # a village road is no village
        found = find_jurisdiction(text)
        assert found.township == "湾头桥镇" and found.village is None, text
    assert find_jurisdiction("湾头桥镇人民村的路灯坏了").village == "人民村"


@pytest.mark.parametrize(
    "text",
    [
        "我在永州市双牌县打工，老板拖欠了三个月工资。",  # 双牌县 is a county of 永州, not 双牌镇
        "双牌县人民医院的收费有问题。",
        "龙溪村的路坏了很久了。",  # short names are common village names everywhere
        "在文坪中学门口的文具店买的笔是假货。",
        "家住大甸，想问问医保怎么交。",
        "去南京玩住在水西门附近，回来后想办异地就医备案。",  # 水西门 is also a Nanjing district name
        "我在南京水西门社区租房，房东不退押金。",
        "隆回县司马冲的朋友说那边也停电。",  # a township-like name after another county
        "隆回县开发区龙溪镇的工厂排污。",  # …or after its development zone
        "洞口县工业园区文坪镇的路灯坏了。",
        "隆回高新技术产业开发区龙溪镇的工厂排污。",  # the zone's name gives its county without 县
        "邵阳经开区龙溪镇的工厂排污。",
        "城区菜市场的猪肉价格太高了。",
        # inside a longer place name, with the suffix of another kind, after a province or city said short, or
        # inside a shop's name (a dispatcher's round: each was one of ours, 黄龙溪镇 led by 龙溪镇人民政府)
        "黄龙溪镇古镇里吃饭被宰，一条鱼收了三百多。",
        "我在重庆龙溪街道一家餐馆打工，老板不发工资。",
        "我们在福建马坪镇做工程，包工头欠薪跑了。",
        "城区都梁路的邓家铺子卤菜店卖的卤菜有酸味。",
        # a shop in town named after a township (a blind round: read as 邓元泰镇 and 湾头桥镇, unflagged)
        "都梁路上邓元泰土菜馆旁边的路灯坏了一个多月了",
        "城里湾头桥米粉店门口的路灯坏了",
        "城里新开的稠树塘饭店卫生太差了",
        "福建省马坪镇有人冒用我身份办了贷款。",  # …or after a province written whole
        # a township-level round: a town of another province with its county said short (马坪乡 and 龙溪镇 led)
        "我在湖北广水马坪镇的工地干活，老板拖欠工资三个月。",
        "我在重庆合川龙溪镇出了车祸，保险公司不赔。",
        "",
    ],
)
def test_no_township_is_none(text):
    assert find_jurisdiction(text) is None


def test_two_different_townships_are_ambiguous():
    text = "我从邓元泰镇搬到了龙溪镇，医保关系要不要转？"
    assert {m.township for m in scan_places(text)} == {"邓元泰镇", "龙溪镇"}
    assert find_jurisdiction(text) is None


def test_a_township_said_short_beside_one_named_in_full_is_ambiguous():
    """The caller's home in full and the matter's township by its short name, too common to be read alone: the
    ticket went to the home's government, unflagged."""
    assert find_jurisdiction("我住在迎春亭街道，老家在秦桥的村里，村里的路灯坏了半年没人修。") is None
    # a province said in passing is no county of a town of that name; our own province is ours
    for text in ("在广东打工的龙溪镇人反映村里路灯坏了", "从湖北回到马坪乡，路坏了", "湖南武冈马坪乡的路坏了"):
        assert find_jurisdiction(text) is not None, text


@pytest.mark.parametrize(
    ("text", "township", "village"),
    [
        ("湾头桥镇龙溪村的路灯坏了", "湾头桥镇", "龙溪村"),
        ("邓元泰镇马坪村村口垃圾没人清", "邓元泰镇", "马坪村"),
        ("我们司马冲镇大甸村的水渠垮了", "司马冲镇", "大甸村"),
        ("湾头桥镇上马坪村的水渠垮了", "湾头桥镇", None),
        ("邓元泰镇龙溪河边有人倒垃圾", "邓元泰镇", None),
        ("邓家铺镇双牌村有人在河里电鱼", "邓家铺镇", "双牌村"),
        ("司马冲镇有个老板是大甸人，在镇上开砂场噪音大", "司马冲镇", None),
        ("司马冲镇有个老板是邓家铺人，在镇上开砂场噪音大", "司马冲镇", None),  # a short name read alone, too
        # a township liaison's round: a village's group named like a township, after the village
        ("湾头桥镇高家村司马冲组的组级公路塌了一截，村里说没钱修。", "湾头桥镇", "高家村"),
    ],
)
def test_a_short_name_in_a_village_river_or_home_town_beside_a_township_in_full_is_no_second_township(
        text, township, village):
    """A blind round: each went to a person as two townships, the village's namesake (龙溪, 马坪) the second."""
    found = find_jurisdiction(text)
    assert found is not None and (found.township, found.village) == (township, village)
    assert {m.township for m in scan_places(text, structured=True)} == {township}


def test_same_township_named_twice_is_not_ambiguous():
    found = find_jurisdiction("迎春亭街道某小区没有物业，请迎春亭街道办协调。")
    assert found.township == "迎春亭街道" and found.start == 0


def test_location_field_wins_and_may_use_short_names():
    found = find_jurisdiction("班车从邓家铺开过来时经常超载。", location="龙溪")
    assert found.township == "龙溪镇" and found.source == "location"
    # a location that names no township falls back to the text
    assert find_jurisdiction("邓家铺镇赶集时摊位占道。", location="城区").township == "邓家铺镇"
    assert find_jurisdiction("城区某路口井盖缺失。", location="双牌县") is None


def test_a_location_field_may_give_the_division_code_of_the_township_or_a_village():
    found = find_jurisdiction("邓家铺镇赶集时摊位占道。", location="430581101")
    assert (found.township, found.method, found.source, found.matched) == ("湾头桥镇", "division_code", "location",
                                                                           "430581101")
    assert find_jurisdiction("村道塌了。", location=" 430581101203 ").township == "湾头桥镇"  # a village's code
    # a code that is no township of ours falls back to the text, as a name that is none does
    assert find_jurisdiction("邓家铺镇赶集时摊位占道。", location="430581999").township == "邓家铺镇"
    assert find_jurisdiction("城区某路口井盖缺失。", location="4305811012") is None
    # a platform's field typed in Traditional characters or full-width digits, as a ticket's text may be
    for typed in ("灣頭橋鎮", "４３０５８１１０１"):
        assert find_jurisdiction("村道塌了。", location=typed).township == "湾头桥镇"


def test_deployment_gazetteer_adds_villages_and_roads(tmp_path):
    extra = tmp_path / "villages.csv"
    extra.write_text(
        "code,name,kind,parent_code,bare_name_ok,source\n"
        ",云峰村,村,430581106,,test\n"
        ",都梁路,路,430581001,,test\n"
        ",云山名城,小区,430581002,,test\n",
        encoding="utf-8",
    )
    gaz = read_gazetteer(GAZETTEER, extra)
    # an estate by its name, as a housing caller tells the street (a housing agent's round: 云山名城 gave none)
    estate = find_jurisdiction("来电人反映：云山名城8栋电梯停运两天了。", gazetteer=gaz)
    assert (estate.township, estate.method, estate.village) == ("迎春亭街道", "gazetteer", "云山名城")
    # …and one name two townships hold is either, for the agent to ask (it was the first row's, silently)
    extra.write_text(extra.read_text(encoding="utf-8") + ",云山名城,小区,430581004,,test\n", encoding="utf-8")
    twice = read_gazetteer(GAZETTEER, extra)
    assert find_jurisdiction("来电人反映：云山名城8栋电梯停运两天了。", gazetteer=twice) is None
    assert {m.township for m in scan_places("云山名城8栋电梯停运", twice)} == {"迎春亭街道", "水西门街道"}
    village = find_jurisdiction("我是云峰村的村民，村里的自来水管老化。", gazetteer=gaz)
    assert village.township == "龙溪镇" and village.method == "gazetteer" and village.village == "云峰村"
    road = find_jurisdiction("城区都梁路18号门口下水道堵塞。", gazetteer=gaz)
    assert road.township == "辕门口街道" and road.method == "road_address" and road.matched == "城区都梁路18号"
    # a road without a house number is not an address
    assert find_jurisdiction("都梁路上车很多。", gazetteer=gaz) is None


def test_a_gazetteer_saved_by_excel_is_read_and_full_width_commas_are_named(tmp_path):
    """A housing re-tester's round: a GBK file was refused with a codec's message, a row typed with ， as
    "column name: empty"."""
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("code,name,kind,parent_code,bare_name_ok,source\n,云山名城,小区,430581002,,test\n".encode("gbk"))
    estate = find_jurisdiction("云山名城8栋电梯停运", gazetteer=read_gazetteer(GAZETTEER, gbk))
    assert (estate.township, estate.village) == ("迎春亭街道", "云山名城")
    typed = tmp_path / "typed.csv"
    typed.write_text("code,name,kind,parent_code,bare_name_ok,source\n430581003504，书香门第，小区，430581003，，test\n",
                     encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2: its fields are parted by full-width commas"):
        read_gazetteer(GAZETTEER, typed)


def test_bad_gazetteer_rows_name_the_row(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind,parent_code,bare_name_ok,source\n,云峰村,村,999,,test\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column parent_code"):
        read_gazetteer(GAZETTEER, bad)
    bad.write_text("code,name,kind\n1,某镇,镇\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_gazetteer(bad)


def test_demo_tickets_with_a_location_resolve_to_it():
    rows = [json.loads(line) for line in (DEMO_DIR / "tickets.jsonl").read_text(encoding="utf-8").splitlines()]
    located = [r for r in rows if r.get("location")]
    assert len(located) >= 20
    for row in located:
        assert find_jurisdiction(row["text"], row["location"]).township == row["location"]
        # the text alone agrees whenever it names a township at all
        from_text = find_jurisdiction(row["title"] + "。" + row["text"])
        assert from_text is None or from_text.township == row["location"]


def test_real_province_messages_give_no_false_townships(shared_data):
    """teddy2020c holds real messages from all over a Hunan province (pseudonymised: 邵阳市 is E市, 武冈市 is
    E12市). Among 2,443 of them, a township is found only in messages about E12市 — and there it is right."""
    import pandas as pd

    found = {}
    for name in ("dev_raw.csv", "replies_raw.csv"):
        frame = pd.read_csv(shared_data / "teddy2020c" / name, dtype=str).fillna("")
        for _, row in frame.iterrows():
            text = f"{row['留言主题']}{row['留言详情']}"
            if scan_places(text):
                assert "E12市" in text, text[:200]
                found[row["留言编号"]] = find_jurisdiction(text)
    assert len(found) == 5
    assert {j.township for j in found.values()} == {"秦桥镇", "马坪乡", "水浸坪乡"}
    # the old name 秦桥乡 (before it became a 镇) is still understood
    assert found["63276"].township == "秦桥镇" and found["63276"].matched == "秦桥乡"


def test_where_a_person_is_from_is_no_place_of_the_matter_beside_another():
    """A dispatcher's round: a worker from 双牌镇 unpaid on a site in 迎春亭街道 got no township (属地不明确)."""
    assert find_jurisdiction("他是双牌镇人，在城区迎春亭街道一个商品房工地上做木工，老板欠了工资。").township == "迎春亭街道"
    assert find_jurisdiction("我是湾头桥镇人，在邓元泰镇的一个砖厂打工").township == "邓元泰镇"
    # …alone it is still the place; a township's government or its people's congress are no one's origin
    assert find_jurisdiction("在广东打工的龙溪镇人反映村里路灯坏了").township == "龙溪镇"
    assert find_jurisdiction("双牌镇人民政府说归迎春亭街道管") is None
