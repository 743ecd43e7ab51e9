"""The demo unit catalogue and functional-type vocabulary load, map old names, and refuse bad rows clearly."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from appeal.config import DEMO_DIR
from knowledge_base.units import canonical_type, default_functional_types, load_catalogue
from pipeline.errors import InputError


@pytest.fixture()
def pack(tmp_path):
    for name in ("units.csv", "functional_types.csv"):
        shutil.copy(DEMO_DIR / name, tmp_path / name)
    return tmp_path


def _edit_units(pack, edit):
    path = pack / "units.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows = edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_demo_catalogue_covers_every_township_and_type_of_the_tickets():
    catalogue = load_catalogue()
    assert len(catalogue.units) >= 50
    assert catalogue.township_unit("邓元泰镇").name == "邓元泰镇人民政府"
    assert catalogue.township_unit("辕门口街道").name == "辕门口街道办事处"
    assert catalogue.get("wg-sthj").name == "邵阳市生态环境局武冈分局"
    vocabulary = default_functional_types()
    assert 25 <= len(vocabulary.types) <= 35
    tickets = [json.loads(line) for line in (DEMO_DIR / "tickets.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(tickets) >= 250
    counts = {t: sum(row["unit"] == t for row in tickets) for t in {row["unit"] for row in tickets}}
    assert all(t in vocabulary for t in counts) and min(counts.values()) >= 6
    for functional_type in counts:
        if functional_type not in ("乡镇人民政府/街道办事处", "村(居)委会"):
            assert catalogue.units_of_type(functional_type), functional_type


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("卫计局", "卫生健康"),
        ("武冈市卫生和计划生育局", "卫生健康"),
        ("国土资源局", "自然资源和规划"),
        ("规划局", "自然资源和规划"),
        ("城管局", "城市管理和综合执法"),
        ("工商局", "市场监督管理"),
        ("食药监局", "市场监督管理"),
        ("质监局", "市场监督管理"),
        ("市监局", "市场监督管理"), ("市场监管所", "市场监督管理"),  # how a market bureau's liaison calls it
        ("市监所", "市场监督管理"), ("工商所", "市场监督管理"), ("市场局", "市场监督管理"), ("市场监督局", "市场监督管理"),
        ("环保局", "生态环境"),
        ("村（居）委会", "村(居)委会"),
        (" 住建局 ", "住房和城乡建设"),
        ("市场监督管理", "市场监督管理"),
        ("宇宙管理局", None),
        ("", None),
    ],
)
def test_canonical_type_maps_old_names(name, expected):
    assert canonical_type(name) == expected


def test_expert_seats_are_not_routed_by_type():
    catalogue = load_catalogue()
    assert [u.id for u in catalogue.units_of_type("市场监督管理")] == ["wg-scjgj"]
    assert catalogue.get("seat-12315").level == "专家座席"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows: rows + [{**rows[-1]}], r"row 58, column id: duplicate id 'seat-12345' \(first on row 57\)"),
        (lambda rows: [{**rows[0], "functional_type": "宇宙管理"}] + rows[1:], r"row 2, column functional_type: unknown type '宇宙管理'"),
        (lambda rows: [{**rows[0], "jurisdiction": "双牌县"}] + rows[1:], r"row 2, column jurisdiction: '双牌县' is not a township"),
        (lambda rows: [{**rows[0], "level": "省直部门"}] + rows[1:], r"row 2, column level"),
        (lambda rows: rows[1:], r"no 乡镇街道 unit for 辕门口街道"),
        # a keeper's column was read as nothing: the change it dated held from the next start
        (lambda rows: [{**row, "valid_from": "2027-01-01"} for row in rows],
         r"units.csv: unknown column\(s\) valid_from, which would be ignored: the file takes id, name, "),
        # a copy-paste slip: two units of one name (a re-tester's round: tickets went out under it)
        (lambda rows: rows + [{**rows[-1], "id": "wg-sjj"}], r"row 58, column name: '.+' is already the name of "),
    ],
)
def test_bad_catalogue_rows_are_named(pack, edit, message):
    _edit_units(pack, edit)
    with pytest.raises(InputError, match=message):
        load_catalogue(pack / "units.csv", pack / "functional_types.csv")


def test_a_column_of_notes_is_read_past(pack):
    _edit_units(pack, lambda rows: [{**row, "_备注": "2027年1月1日起更名"} for row in rows])
    assert load_catalogue(pack / "units.csv", pack / "functional_types.csv").get("wg-cgj") is not None


def test_a_countys_departments_are_its_own_level(pack):
    _edit_units(pack, lambda rows: [{**row, "level": "县直部门"} if row["id"] == "wg-wjj" else row for row in rows])
    assert load_catalogue(pack / "units.csv", pack / "functional_types.csv").get("wg-wjj").level == "县直部门"


def test_old_type_names_in_the_catalogue_are_canonicalised(pack):
    _edit_units(pack, lambda rows: [{**row, "functional_type": "卫计局"} if row["id"] == "wg-wjj" else row for row in rows])
    assert load_catalogue(pack / "units.csv", pack / "functional_types.csv").get("wg-wjj").functional_type == "卫生健康"


def test_alias_claimed_by_two_types_is_refused(pack):
    path = pack / "functional_types.csv"
    path.write_text(path.read_text(encoding="utf-8") + "城市环境,城管局,duplicate alias\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column aliases: '城管局' already names type '城市管理和综合执法'"):
        load_catalogue(pack / "units.csv", path)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_catalogue(tmp_path / "nope.csv")


def test_answers_for_a_type_renamed_since_the_model_learnt_it_are_read_as_its_label(pack):
    """城市管理和综合执法 renamed 城市运行管理, the old name kept as an alias (as UNITS.md says): agents' answers
    (城管局, the unit's new name, the new type) were no label of the model's, and a retrain learnt each as a class
    of its own beside the old one."""
    types = (pack / "functional_types.csv").read_text(encoding="utf-8")
    (pack / "functional_types.csv").write_text(
        types.replace("\n城市管理和综合执法,城管局;", "\n城市运行管理,城市管理和综合执法;城管局;"), encoding="utf-8")
    _edit_units(pack, lambda rows: [{**r, "name": "武冈市城市运行管理局", "functional_type": "城市运行管理"}
                                    if r["id"] == "wg-cgj" else r for r in rows])
    catalogue = load_catalogue(pack / "units.csv", pack / "functional_types.csv")
    learnt = {"城市管理和综合执法", "住房和城乡建设", "乡镇人民政府/街道办事处"}
    read = catalogue.label_reader(learnt)
    for answer in ("城管局", "武冈市城市运行管理局", "城市运行管理", "城市管理和综合执法", "wg-cgj"):
        assert read(answer) == catalogue.unit_label(answer, learnt) == "城市管理和综合执法", answer
    assert read("住建局") == "住房和城乡建设" and read("武冈市数据局") is None
    assert read("武冈市教育局") == "教育"  # a type new to the model: one new class, named by the type


def test_the_one_unit_an_answer_names():
    """Where an agent sent a ticket: a unit by its name as agents write it, or a type only one unit has; a type of
    several units (the townships' governments) names none of them."""
    catalogue = load_catalogue()
    named = {name: (unit.name if (unit := catalogue.unit_named(name)) else None)
             for name in ("湾头桥镇", "邓元泰镇政府", "twp-430581101", "市林业局", "林业", "住建局", "乡镇人民政府/街道办事处",
                          "县长信箱", "公安局", None)}
    assert named == {"湾头桥镇": "湾头桥镇人民政府", "邓元泰镇政府": "邓元泰镇人民政府", "twp-430581101": "湾头桥镇人民政府",
                     "市林业局": "武冈市林业局", "林业": "武冈市林业局", "住建局": "武冈市住房和城乡建设局",
                     "乡镇人民政府/街道办事处": None, "县长信箱": None, None: None,
                     "公安局": "武冈市公安局"}  # an alias of the type 公安 and its bureau's name (a supervisor's round)
    # a township by its bare name, as agents type it sending a ticket on (a trainer's round: a new unit class)
    assert catalogue.unit_named("邓元泰").name == "邓元泰镇人民政府" and catalogue.unit_named("辕门口").id == "twp-430581001"
    assert catalogue.shares_type(catalogue.unit_named("人社局"))  # with the 社保 expert seat
    assert not catalogue.shares_type(catalogue.unit_named("住建局"))
    # the traffic police as every agent types them (a transport agent's round: read as the type 公安 alone); 公安, the
    # type of both, still names neither
    assert [getattr(catalogue.unit_named(name), "id", None) for name in ("交警", "交警大队", "派出所", "公安")] == [
        "wg-gaj-jj", "wg-gaj-jj", "wg-gaj", None]
    # the environment bureau's branch as an environment agent's liaison typed it (refused by the hotspots)
    assert {getattr(catalogue.unit_named(name), "id", None) for name in ("武冈分局", "环保分局", "环境局", "生态局")} == {
        "wg-sthj"}
    assert catalogue.unit_named("消防").id == "wg-xfjy"  # its re-tester's (消防大队 was read, 消防 refused)
    # a company as everyone names it, an alias of its type too (an integrator's round: read as the type 通信 alone)
    # (the type's own name, a part of its bureau's, still names neither bureau nor seat)
    assert [getattr(catalogue.unit_named(name), "id", None)
            for name in ("中国移动", "中国电信", "中国联通", "通信", "医疗保障")] == ["ut-mobile", "ut-telecom", "ut-unicom", None, None]
    # …and as agents type it (a re-tester's round: 移动公司 and 电信公司 were no unit of the catalogue)
    assert [catalogue.unit_named(name).id for name in ("移动公司", "电信公司", "联通公司")] == [
        "ut-mobile", "ut-telecom", "ut-unicom"]
    # a township as a liaison typed it, 城建局 for the housing bureau, and 12345, a type whose one unit is the hotline's
    # own seat (a township liaison's and a social desk's rounds: none was recorded)
    assert [catalogue.unit_named(name).id for name in ("司马冲政府", "司马冲人民政府", "城建局", "12345", "市长热线")] == [
        "twp-430581107", "twp-430581107", "wg-zjj", "seat-12345", "seat-12345"]
    # …and as a shift leader's round typed them: 12315 for its seat, 应急局, 医保 for the bureau
    assert [catalogue.unit_named(name).id for name in ("12315", "应急局", "医保", "市场监管局")] == [
        "seat-12315", "wg-yjj", "wg-ybj", "wg-scjgj"]
    # …and the power company as its own liaison names it (a utilities liaison's round: `--unit` refused it)
    assert [catalogue.unit_named(name).id for name in ("国网武冈市供电公司", "武冈市供电公司")] == ["ut-power", "ut-power"]
    # an expert seat by what it answers and its kind, as agents type it (a shift leader's and a township liaison's
    # rounds: 医保专席 and 社保专席 named no unit); a kind with no seat of that matter names none
    assert [getattr(catalogue.unit_named(name), "id", None)
            for name in ("医保专席", "社保座席", "12315坐席", "人社专席", "医疗保障专家座席", "住建专席", "专席")] == [
        "seat-medical", "seat-social", "seat-12315", "seat-social", "seat-medical", None, None]


def test_a_bureaus_station_in_a_township_names_the_bureau():
    """A police desk's round: 水西门派出所, 荆竹铺司法所, 反诈中心, 出入境 were stored as unknown units, and the ticket's
    place not recorded; a township's own government keeps its name."""
    catalogue = load_catalogue()
    assert [getattr(catalogue.unit_named(name), "id", None) for name in (
        "水西门派出所", "湾头桥派出所", "荆竹铺司法所", "邓元泰镇国土所", "出入境", "反诈中心", "户政科", "湾头桥镇政府",
        "水西门超市", "派出所所长")] == [
        "wg-gaj", "wg-gaj", "wg-sfj", "wg-zrzyj", "wg-gaj", "wg-gaj", "wg-gaj", "twp-430581101", None, None]


def test_a_listing_by_unit_reads_its_other_names_and_its_type():
    """A township clerk's round: kb list --unit 湾头桥镇 found none of the answers written for every township
    (各乡镇人民政府/街道办事处), and 公安局 none of 武冈市公安局's."""
    from knowledge_base.units import same_unit

    assert same_unit("各乡镇人民政府/街道办事处", "湾头桥镇") and same_unit("武冈市公安局", "公安局")
    assert same_unit("武冈市人力资源和社会保障局", "人社局") and same_unit("武冈市公安局", "公安")
    assert not same_unit("武冈市公安局交通警察大队", "公安局") and not same_unit("武冈市住房和城乡建设局", "湾头桥镇")


def test_a_unit_answer_is_read_as_a_label_the_model_knows():
    catalogue = load_catalogue()
    types = {"住房和城乡建设", "乡镇人民政府/街道办事处"}
    assert catalogue.unit_label("住房和城乡建设", types) == "住房和城乡建设"
    assert catalogue.unit_label("武冈市住房和城乡建设局", types) == "住房和城乡建设"  # a unit's name
    assert catalogue.unit_label("住房和城乡建设局", types) == "住房和城乡建设"  # the name without the city
    assert catalogue.unit_label("住建局", types) == "住房和城乡建设"  # an alias of the type
    assert catalogue.unit_label("twp-430581101", types) == "乡镇人民政府/街道办事处"  # a unit id
    assert catalogue.unit_label("湾头桥镇人民政府", types) == "乡镇人民政府/街道办事处"
    # a township's government as agents and work-order exports name it, and a city department with 市 in front
    for name in ("湾头桥镇", "湾头桥镇政府", "湾头桥镇党委政府", "迎春亭街道", "迎春亭街道办", "邓元泰", "迎春亭"):
        assert catalogue.unit_label(name, types) == "乡镇人民政府/街道办事处", name
    assert catalogue.unit_label("市住建局", types) == "住房和城乡建设"
    assert catalogue.functional_type_of("市场监管局") == "市场监督管理"  # an alias that starts with 市 as it stands
    assert catalogue.functional_type_of("市民政局") == "民政" and catalogue.functional_type_of("市") is None
    assert catalogue.unit_label("武冈市教育局", types) is None  # a known unit of a type the model lacks
    assert catalogue.unit_label("县长信箱", types) is None
    # A model trained on unit names keeps them: the name itself is a label.
    assert catalogue.unit_label("武冈市教育局", {"武冈市教育局"}) == "武冈市教育局"
