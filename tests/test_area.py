"""A pack for another county (新宁县, next to 武冈) brings its own area: townships, place names, the areas around it."""
from __future__ import annotations

import csv
import json
import re
import shutil

import pytest

from appeal.config import DEMO_DIR
from knowledge_base.dispatch import decide
from knowledge_base.units import load_catalogue
from models.predictor import HeadPrediction
from pipeline import mask_pii, tokens_for_search
from pipeline.area import deployment_area
from pipeline.errors import InputError
from pipeline.jurisdiction import Gazetteer, Township, find_jurisdiction, places_elsewhere, read_gazetteer

XINNING = {"430528100": "金石镇", "430528101": "水庙镇", "430528102": "崀山镇", "430528104": "黄龙镇"}


@pytest.fixture()
def xinning(tmp_path, monkeypatch):
    from appeal.config import get_settings

    pack = tmp_path / "xinning"
    shutil.copytree(DEMO_DIR, pack)
    (pack / "area.json").write_text(json.dumps({
        "name": "新宁县", "other_names": ["新宁"], "within": ["邵阳市", "湖南省"],
        "elsewhere": ["武冈市", "隆回县", "城步苗族自治县", "东安县"]}, ensure_ascii=False), encoding="utf-8")
    with open(pack / "gazetteer.csv", "w", encoding="utf-8", newline="") as handle:
        rows = csv.writer(handle)
        rows.writerow(["code", "name", "kind", "parent_code", "bare_name_ok", "source"])
        rows.writerows([code, name, "镇", "", "yes", "NBS division codes 2023"] for code, name in XINNING.items())
    names = [*XINNING.values(), *(name.removesuffix("镇") for name in XINNING.values())]
    (pack / "places.txt").write_text("\n".join(f"{name} ns" for name in ["新宁县", "新宁", *names]), encoding="utf-8")
    with open(DEMO_DIR / "units.csv", encoding="utf-8") as handle:
        units = [row for row in csv.DictReader(handle) if row["level"] != "乡镇街道"]
    units += [{"id": f"twp-{code}", "name": f"{name}人民政府", "functional_type": "乡镇人民政府/街道办事处",
               "level": "乡镇街道", "jurisdiction": name, "duties": "属地管理", "keywords": name}
              for code, name in XINNING.items()]
    with open(pack / "units.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(units[0]))
        writer.writeheader()
        writer.writerows(units)
    monkeypatch.setenv("APPEAL_DEMO_DIR", str(pack))
    get_settings.cache_clear()
    yield pack
    get_settings.cache_clear()


def test_a_pack_for_another_county_reads_its_own_places(xinning):
    """Without an area of its own, 新宁县水庙镇 was another county's (新宁县 was in 武冈's list of places around it), the
    catalogue refused 新宁's townships, and 我是黄龙 was a name."""
    assert deployment_area().name == "新宁县"
    found = find_jurisdiction("新宁县水庙镇街上路灯坏了一个月，晚上出行不便。")
    assert found is not None and found.township == "水庙镇"
    # 武冈 is now a place around the county: its township is no township of ours
    text = "武冈市湾头桥镇某村路灯坏了，请镇政府处理。"
    assert places_elsewhere(text) == ["武冈市"] and find_jurisdiction(text) is None
    # the county's own name and its townships' say nothing about the matter; 武冈市 does
    tokens = tokens_for_search("新宁县崀山镇路灯坏了")
    assert "路灯" in tokens and not {"新宁县", "崀山镇", "崀山"} & set(tokens)
    assert "武冈市" in tokens_for_search("武冈市路灯坏了")
    assert mask_pii("我是黄龙，村里路灯坏了。我叫张建国").text == "我是黄龙，村里路灯坏了。我叫[姓名]"
    catalogue = load_catalogue()
    assert catalogue.township_unit("水庙镇").name == "水庙镇人民政府"
    assert [catalogue.functional_type_of(name) for name in ("县教育局", "新宁县教育局", "水庙镇政府")] == [
        "教育", "教育", "乡镇人民政府/街道办事处"]
    # a matter of 武冈 goes to an agent as one that may not be the county's, in the county's own words
    reasons = decide({"unit": HeadPrediction("住房和城乡建设", 0.95, review=False)}, text).reasons
    assert any(r.startswith("可能非新宁县事项: 提到 武冈市，未提到新宁县乡镇街道") for r in reasons)


def test_an_area_is_all_three_files(xinning):
    (xinning / "places.txt").unlink()
    with pytest.raises(InputError, match=r"has area.json, gazetteer.csv but not places.txt: a deployment's area is "
                                         r"all three files"):
        deployment_area()
    (xinning / "places.txt").write_text("新宁 ns\n", encoding="utf-8")
    (xinning / "area.json").write_text('{"name": "新宁县", "within": "邵阳市"}', encoding="utf-8")
    with pytest.raises(InputError, match=r"area.json: 'other_names' must be a list of names, got None"):
        deployment_area()
    (xinning / "area.json").write_text('{"name": "新宁县", "othernames": [], "within": [], "elsewhere": []}',
                                       encoding="utf-8")
    with pytest.raises(InputError, match=r"area.json: unknown key\(s\) othernames \(known: name, other_names"):
        deployment_area()  # the typo was told as other_names missing


def test_area_files_copied_under_their_bundled_names_are_refused(xinning):
    """A housing re-tester copied gazetteer_wugang.csv and the two others into her pack unchanged and added estates:
    the bundled files were read, her estates never found, and the start line said nothing."""
    for name, bundled in (("area.json", "area_wugang.json"), ("gazetteer.csv", "gazetteer_wugang.csv"),
                          ("places.txt", "dict_places.txt")):
        (xinning / name).rename(xinning / bundled)
    with pytest.raises(InputError, match=r"has area_wugang.json \(as area.json\), gazetteer_wugang.csv \(as "
                                         r"gazetteer.csv\), dict_places.txt \(as places.txt\): a pack's area files are "
                                         r"named area.json, gazetteer.csv, places.txt"):
        deployment_area()
    (xinning / "gazetteer_wugang.csv").rename(xinning / "gazetteer.csv")
    with pytest.raises(InputError, match=r"has area_wugang.json \(as area.json\), dict_places.txt"):
        deployment_area()


def test_a_township_code_a_digit_short_or_of_another_county_is_refused(xinning, tmp_path):
    """Another county's IT officer: 43052810 for 水庙镇 was read, and the platform's real code then matched nothing."""
    gazetteer = (xinning / "gazetteer.csv").read_text(encoding="utf-8")
    for wrong, says in (("43052810", "'43052810' is no township's division code (9 digits"),
                        ("430581101", "codes start with 430528 but for 水庙镇 430581101")):
        (tmp_path / "gazetteer.csv").write_text(gazetteer.replace("430528101", wrong), encoding="utf-8")
        with pytest.raises(InputError, match=re.escape(says)):
            read_gazetteer(tmp_path / "gazetteer.csv")


def test_an_ethnic_township_is_found_by_the_name_callers_use():
    """麻林瑶族乡 (新宁) was found only by its full name: 麻林, 麻林乡 and a location field of 麻林乡 found none."""
    gazetteer = Gazetteer((Township("430528205", "麻林瑶族乡", "乡", True), Township("430528206", "黄金瑶族乡", "乡", False)))
    for text, location in (("麻林那边的村道被大车压坏了", None), ("麻林乡的村道被大车压坏了", None), ("路灯坏了", "麻林乡"),
                           ("麻林瑶族乡的村道坏了", None)):
        assert find_jurisdiction(text, location, gazetteer).township == "麻林瑶族乡", text
    assert find_jurisdiction("黄金乡的路坏了", gazetteer=gazetteer).township == "黄金瑶族乡"
    assert find_jurisdiction("黄金价格涨了", gazetteer=gazetteer) is None  # not a name to read bare


def test_the_countys_own_words_in_what_the_hotline_reads(xinning, tmp_path):
    """Another county's IT officer: the hotspots filter refused 湾头桥镇 and gave 湾头桥镇 as the example of a name it
    takes; `appeal hotspots` called a county-wide matter 全市."""
    from knowledge_base.repeats import Repeats
    from serve.routing import hotspots_out
    from training.feedback_store import FeedbackStore

    url = f"sqlite:///{tmp_path / 'appeal.db'}"
    repeats, feedback = Repeats(url, threshold=0.25, window_days=30), FeedbackStore(url)
    try:
        with pytest.raises(InputError, match="a name such as 金石镇, or its division code 430528100"):
            hotspots_out(repeats, feedback, days=7, min_size=2, limit=10, township="湾头桥镇")
        assert hotspots_out(repeats, feedback, days=7, min_size=2, limit=10, township="水庙镇").township == "水庙镇"
    finally:
        repeats.close()
        feedback.close()
    assert deployment_area().whole == "全县"


def test_a_management_area_or_a_state_farm_listed_as_a_township_is_one(tmp_path):
    """A county operator's round: 洞口县's division list holds 430525500 茶铺茶场管理区, which the gazetteer refused
    (kind 管理区 was none of 街道/镇/乡), so its tickets named no township and its village matters went nowhere."""
    path = tmp_path / "gazetteer.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        rows = csv.writer(handle)
        rows.writerow(["code", "name", "kind", "parent_code", "bare_name_ok", "source"])
        rows.writerows([["430525101", "竹市镇", "镇", "", "yes", "NBS"], ["430525500", "茶铺茶场管理区", "管理区", "", "yes", "NBS"],
                        ["430525501", "某某林场", "林场", "", "no", "sample"]])
    gazetteer = read_gazetteer(path)
    for text, how in (("茶铺茶场管理区某村路灯坏了", "name_with_suffix"), ("茶铺茶场管委会门口的路灯坏了", "name_with_suffix"),
                      ("茶铺茶场那边路灯坏了", "name_without_suffix")):
        found = find_jurisdiction(text, gazetteer=gazetteer)
        assert (found.township, found.code, found.method) == ("茶铺茶场管理区", "430525500", how), text
    assert find_jurisdiction("430525500", location="430525500", gazetteer=gazetteer).township == "茶铺茶场管理区"
    # a name's kind is still its suffix: 茶铺茶场镇 would be another place's name
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["430525502", "茶铺茶场", "管理区", "", "yes", "NBS"])
    with pytest.raises(InputError, match=r"township '茶铺茶场' needs a code and a name ending in 管理区"):
        read_gazetteer(path)
