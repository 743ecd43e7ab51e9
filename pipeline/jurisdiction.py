"""Which township (乡镇街道) of the city a ticket is about, read from its text or its location field.

The answer decides which 乡镇人民政府/街道办事处 handles a village-level matter, so a wrong place is worse than
none: when two different townships are named, or a name is only a short word that also means something else
(双牌 is also a county of 永州, 龙溪 and 文坪 are common village names everywhere), the function answers None
and a human decides. Names are read from the deployment's gazetteer CSV (`pipeline.area`; bundled:
`resources/gazetteer_wugang.csv`, the 18 township-level divisions of 武冈市, NBS codes), which may also list
villages, communities and roads, each pointing at its township.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pipeline.area import deployment_area
from pipeline.errors import InputError
from pipeline.normalize import normalize
from pipeline.records import decode_text
from pipeline.segment import word_count, word_runs_into

GAZETTEER_COLUMNS = ("code", "name", "kind", "parent_code", "bare_name_ok", "source")
# …and the township-level units of a state farm or a management area that the division list numbers as townships
# (洞口县 430525500 茶铺茶场管理区: a county operator's round could not list it)
TOWNSHIP_KINDS = ("街道", "镇", "乡", "管理区", "农场", "林场", "苏木")
PLACE_KINDS = ("村", "社区", "路", "小区")  # 小区: an estate by its name (云山名城), which callers give for their street
# Words ending in 区/市/县 that name no other place (城区, 小区, 本市…, 超市: 大润发超市龙溪镇店).
GENERIC_AREAS = ("城区", "市区", "小区", "社区", "园区", "景区", "片区", "辖区", "山区", "郊区", "新区", "老区", "城市",
                 "超市", "集市", "菜市", "我市", "本市", "全市", "该市", "我县", "本县", "全县", "县市")
# A development or industrial zone is the county's its name gives: 武冈经济开发区 and a bare 开发区 are ours, 隆回县开发区,
# 隆回高新技术产业开发区 and 邵阳经开区 are not; the zone itself is no county.
_ZONE = re.compile("(?:开发区|经开区|工业区|高新区|示范区|集中区|工业园|园区)\\Z")
# What a township's name runs into that is no county or city of that name (双牌县, 邵阳市): 湾头桥市场, 邓家铺市民.
_WORDS_AFTER_A_NAME = ("市场", "市民", "市集", "区域")
# A shop named after a township may stand anywhere in the city (都梁路上邓元泰土菜馆, 城里湾头桥米粉店); 湾头桥镇米粉店,
# with the suffix, is still the township's.
_SHOPS = ("土菜馆", "菜馆", "米粉店", "粉店", "粉馆", "面馆", "饭店", "酒店", "酒楼", "酒家", "餐馆", "餐厅", "食府", "超市",
          "宾馆", "旅馆")

Method = Literal["name_with_suffix", "name_without_suffix", "name_with_context", "address", "gazetteer", "road_address",
                 "division_code"]

_HAN = "\u4e00-\u9fff"
# "…镇/乡/街道" may be written with the unit's own suffix; the longest alternatives come first.
_TOWNSHIP_SUFFIX = "(?:街道办事处|街道办|人民政府|街道|办事处|镇|乡|管理区|管委会|农场|林场|苏木)"
# A suffix of another kind names another place (重庆龙溪街道 is no 龙溪镇): read as no suffix. 乡 and 镇 are one: a 乡
# that became a 镇 is called by its old name for years (秦桥乡 in the board's messages is 秦桥镇).
_SUFFIXES_OF_KIND = {"街道": ("街道办事处", "街道办", "街道", "办事处"), "镇": ("镇", "乡", "人民政府"),
                     "乡": ("乡", "镇", "人民政府"), "管理区": ("管理区", "管委会"), "农场": ("农场",), "林场": ("林场",),
                     "苏木": ("苏木",)}
# A province counts too (福建省马坪镇). (\Z, not $: $ also matches before a closing line break, and a title ending in
# 集市 read as a city before the text)
_FOREIGN_AREA = re.compile(f"([{_HAN}]{{1,4}}?(?:县|市|区|州|省))\\Z")
# A village or community written right after the township (…镇…村, …街道…社区); words that only refer to
# "our / this village", count villages or say what kind they are (所有村, 几个村, 贫困村, 偏远山村) are not names, nor is
# what a village road ends (稠树塘镇承包了一段村道: a platform integrator's round read the village 承包了一段村).
_VILLAGE_AFTER = re.compile(f"^([{_HAN}]{{2,5}}?(?:村(?!道)|社区))")
_NOT_A_NAME = ("我", "本", "该", "这", "那", "某", "各", "全", "每", "哪", "附近", "一", "同", "到", "在", "的", "和", "与",
               "去", "从", "往", "有", "上", "下", "及", "或", "是",
               "所有", "多个", "几个", "好几", "两个", "其他", "其它", "部分", "大部分", "很多", "许多", "周边", "邻近", "相邻",
               "好多", "不少",  # 邓元泰镇好多村里的老人 (a township liaison's round read a village 好多村)
               "贫困", "偏远", "山村", "农村", "乡村", "新农村", "城中", "行政", "自然", "政府",
               "人民政府")  # 湾头桥镇人民政府对村里的路灯… (a keeper's round); 人民村 is a village
_ROAD_ADDRESS = re.compile(f"([{_HAN}]{{2,8}}?(?:大道|路|街|巷))([0-9０-９]+|[一二三四五六七八九十百零]+)号")


_ETHNIC_CORE = re.compile(r"(.{2,}?)[\u4e00-\u9fff]{1,2}族")


@dataclass(frozen=True)
class Township:
    code: str
    name: str  # full name as in the division list: 邓元泰镇, 辕门口街道
    kind: str  # 街道 / 镇 / 乡 (or 管理区, 农场, 林场, 苏木: TOWNSHIP_KINDS)
    bare_name_ok: bool  # whether the name without its suffix is distinctive enough on its own
    # The code of the township this one was merged into (乡镇撤并): callers and platforms name the old one for
    # years, and its villages keep their rows under its code.
    merged_into: str | None = None

    @property
    def core(self) -> str:
        return self.name[: -len(self.kind)]

    @property
    def cores(self) -> tuple[str, ...]:
        """The core, and for an ethnic township (民族乡) the name callers use, without the people's (麻林瑶族乡 is
        麻林, 麻林乡)."""
        ethnic = _ETHNIC_CORE.fullmatch(self.core)
        return (self.core, ethnic.group(1)) if ethnic else (self.core,)


@dataclass(frozen=True)
class Place:
    """A village, community or road that lies in one township."""

    name: str
    kind: str
    township_code: str


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    township: str
    matched: str
    start: int
    end: int
    method: Method
    source: Literal["location", "text"] = "text"
    village: str | None = None
    former: str | None = None  # the merged township the ticket named, `township` the one it is part of now


@dataclass(frozen=True)
class Gazetteer:
    townships: tuple[Township, ...]
    places: tuple[Place, ...] = field(default=())

    def township(self, code: str) -> Township:
        """The township of `code` as it is now: a merged one's survivor."""
        township = next(t for t in self.townships if t.code == code)
        return self.township(township.merged_into) if township.merged_into else township

    @property
    def names(self) -> frozenset[str]:
        """The townships as they are now (each has its government in the unit catalogue)."""
        return frozenset(t.name for t in self.townships if not t.merged_into)

    @cached_property
    def merged(self) -> dict[str, str]:
        """Each merged township's name → the name of the township it is part of now."""
        return {t.name: self.township(t.code).name for t in self.townships if t.merged_into}

    def now_named(self, name: str | None) -> str | None:
        """A township's name as it is now (a ticket logged before its township was merged names the old one)."""
        return self.merged.get(name, name) if name else name

    def mention(self, code: str, matched: str, start: int, end: int, method: Method, village: str | None = None
                ) -> Jurisdiction:
        """The township as it is now where a text names the one of `code`, a merged one by its former name."""
        named = next(t for t in self.townships if t.code == code)
        township = self.township(code)
        return Jurisdiction(township.code, township.name, matched, start, end, method, village=village,
                            former=named.name if named is not township else None)


def read_gazetteer(*paths: Path) -> Gazetteer:
    """Townships and places from one or more gazetteer CSVs (the bundled one first, then a deployment's own)."""
    townships: dict[str, Township] = {}
    places: list[tuple[Place, str]] = []
    for path in paths:
        try:
            # in any encoding the FAQ's reader takes (a housing re-tester's GBK file, saved by Excel, was refused with
            # a codec's message)
            text, _ = decode_text(Path(path).read_bytes(), path)
        except OSError as exc:
            raise InputError(f"{path}: cannot read gazetteer ({exc})") from exc
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in GAZETTEER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            where = f"{path}, row {line}"
            name, kind = (row["name"] or "").strip(), (row["kind"] or "").strip()
            if not name and "，" in (row["code"] or ""):
                raise InputError(f"{where}: its fields are parted by full-width commas (，): part them with ,")
            if not name:
                raise InputError(f"{where}, column name: empty")
            if kind in TOWNSHIP_KINDS:
                code = (row["code"] or "").strip()
                if not name.endswith(kind) or not code:
                    raise InputError(f"{where}: township {name!r} needs a code and a name ending in {kind}")
                # a code a digit short was read, and the platform's real one then matched nothing
                if not re.fullmatch(r"\d{9}", code):
                    raise InputError(f"{where}, column code: {code!r} is no township's division code (9 "
                                     "digits, the county's 6 and the township's 3: 430581101)")
                if code in townships:
                    raise InputError(f"{where}, column code: duplicate township code {code}")
                bare = (row["bare_name_ok"] or "").strip().lower()
                if bare not in ("yes", "no"):
                    raise InputError(f"{where}, column bare_name_ok: expected yes or no, got {bare!r}")
                townships[code] = Township(code, name, kind, bare == "yes",
                                           (row["parent_code"] or "").strip() or None)
            elif kind in PLACE_KINDS:
                places.append((Place(name, kind, (row["parent_code"] or "").strip()), where))
            else:
                raise InputError(f"{where}, column kind: {kind!r} is not one of {TOWNSHIP_KINDS + PLACE_KINDS}")
    counties = Counter(code[:6] for code in townships)
    if len(counties) > 1:
        county = counties.most_common(1)[0][0]
        odd = ", ".join(f"{t.name} {t.code}" for t in townships.values() if not t.code.startswith(county))
        raise InputError(f"{', '.join(map(str, paths))}: the townships' codes start with {county} but for {odd}: "
                         "one county's townships share its 6 digits")
    for place, where in places:
        if place.township_code not in townships:
            raise InputError(f"{where}, column parent_code: {place.township_code!r} is not a township of the gazetteer")
    for township in townships.values():
        survivor = townships.get(township.merged_into) if township.merged_into else None
        if township.merged_into and (survivor is None or survivor.merged_into):
            raise InputError(f"{township.name}: merged into {township.merged_into!r} (column parent_code), which is no "
                             "township of the gazetteer that still stands")
    return Gazetteer(tuple(townships.values()), tuple(p for p, _ in places))


def default_gazetteer() -> Gazetteer:
    """The deployment's gazetteer (`pipeline.area`: the pack's gazetteer.csv, or the bundled 武冈 one)."""
    return _gazetteer_at(deployment_area().gazetteer)


@lru_cache(maxsize=4)
def _gazetteer_at(path: Path) -> Gazetteer:
    return read_gazetteer(path)


def _is_foreign(text: str, start: int) -> bool:
    """Is the name at `start` preceded by a county or city that is not ours (双牌县, 永州市…)? A county-level name
    right before a township name that is not the deployment's own (隆回县…) points elsewhere."""
    before = text[max(0, start - 6) : start]
    if before.endswith(tuple(deployment_area().elsewhere_short_names)):  # 福建马坪镇, 重庆龙溪街道, 洞口文坪镇
        return True
    if _in_another_province(text[max(0, start - 10) : start]):
        return True
    zone = _ZONE.search(before)
    if zone:
        zone_start = start - len(before) + zone.start()
        return _zone_is_foreign(text[max(0, zone_start - 10) : zone_start])
    match = _FOREIGN_AREA.search(before)
    if not match:
        return False
    return not match.group(1).endswith(deployment_area().home_areas + GENERIC_AREAS)


# The provinces by the names callers give them; a town of another province shares a township's name (湖北广水马坪镇,
# 重庆合川龙溪镇), with its county or city said without 县 / 市 between.
_PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
              "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
              "青海", "宁夏", "新疆", "台湾", "香港", "澳门")
# …but not a province said in passing before the name (在广东打工的龙溪镇人, 从湖北回到马坪乡)
_PROVINCE_BEFORE = re.compile(f"({'|'.join(_PROVINCES)})(?:省|市|自治区)?(?:(?![的在了和与到从去回人我])[{_HAN}]){{0,4}}\\Z")


def _in_another_province(before: str) -> bool:
    match = _PROVINCE_BEFORE.search(before)
    return match is not None and not any(area.startswith(match.group(1)) for area in deployment_area().home_areas)


def _zone_is_foreign(name: str) -> bool:
    """Is a zone whose name ends with `name` (隆回县经济, 武冈高新技术产业, 新宁县移民) another county's?"""
    area = deployment_area()
    if any(own in name for own in area.names):
        return False
    # the zone's name may give its county without 县 (隆回经济开发区), or the prefecture's (邵阳经开区)
    others = area.elsewhere + area.within
    return (any(place in name or (len(place) > 2 and place[:-1] in name) for place in others)
            or bool(re.search(f"[{_HAN}]{{1,4}}(?:县|市|州)", name)))


def _village_after(text: str, end: int) -> str | None:
    match = _VILLAGE_AFTER.match(text[end : end + 7])
    if not match or match.group(1).startswith(_NOT_A_NAME):
        return None
    return match.group(1)


# A village a ticket names where a name can start (我们白沙村停电了, 反映：龙溪村…, 晏田乡红星村): two callers of two
# villages report two matters however alike their words. Most names are two characters; a longer one is read right
# after its township (湾头桥镇石门桥村), and elsewhere left unread rather than read with the word before it (现在农村,
# 作为村干部, 多次跟村里).
# An agent's 来电反映桥头村…, 关于白沙村…, 来电人称龙溪村… (words that report or concern a place) start a name as well.
_NAME_STARTS = "(?:^|(?<=[\\s，。、！？：；,.!?:;（(“\"镇乡道区们是在住和与及到去从映于称诉报]))"
_ANY_VILLAGE = re.compile(f"{_NAME_STARTS}([{_HAN}]{{2}})村"
                          "(?!委|民|里|部|干|级|组长)"
                          f"|(?:(?<=[镇乡])|(?<=街道))([{_HAN}]{{3}})村(?!委|民|里|部|干|级|组长)")
# What stands there as often and names no village: a word of everyday use (现在村里, 通过村委, 联盟村 is lost with
# them), a pair holding a function word (而我村, 路让村), a request (请问村里) or a kind of village (生态村, 示范村).
_COMMON_WORD = 1500  # jieba's count: 光明 1,219, 花园 1,291 are names of villages; 确保 1,965, 现在 34,145 are not
_NOT_IN_NAMES = frozenset("我你他她它们的了被让在到把将对而且以就曾不并赴给向住乡村请任每个")
_NOT_VILLAGES = frozenset({"作为", "还我", "生态", "美丽", "文明", "示范", "试点", "重点", "小康", "癌症", "弱势", "近邻",
                           # where a village stands (镇整个村, 镇对面村) or its kind (空心村, 安置社区), after a township too
                           "整个", "对面", "旁边", "隔壁", "周边", "空心", "移民", "安置", "辖区", "城中", "新型", "农村"})


def village_names(text: str) -> frozenset[str]:
    """The villages `text` names (see `_ANY_VILLAGE`), each as written before 村 (白沙, 长塘), and those named right
    after a township (湾头桥镇桃花村, 迎春亭街道幸福社区), where a common word is a name too (桃花, 大塘 were not read)."""
    def as_named(name: str) -> str:  # a village merged or renamed is told by its former name (原桐仁村, 现老里村)
        return name[1:] if len(name) >= 3 and name[0] in "原现" else name

    def a_name(name: str) -> bool:
        return (not name.startswith(_NOT_A_NAME) and f"{name}村" not in _NOT_A_NAME and name not in _NOT_VILLAGES
                and not _NOT_IN_NAMES.intersection(name) and not name.endswith("农"))

    named = {name for name in (as_named(found) for pair in _ANY_VILLAGE.findall(text) for found in pair if found)
             if a_name(name) and word_count(name) < _COMMON_WORD}
    # a community keeps 社区 in its name (幸福社区), apart from a village 幸福村
    after_township = {as_named(place.village.removesuffix("村")) for place in scan_places(text) if place.village}
    return frozenset(named | {name for name in after_township if a_name(name.removesuffix("社区"))})


# A road or street a ticket names where a name can start (玉带路, 春光路口, 都梁大道; not a 街道, the township), as two
# characters before 路/街/大道: a burst main's callers give the road and seldom the township (a night supervisor's
# round). Left unread where the two are no name (这条路, 十字路口, 水泥路, 过马路, 县公路, 新修的路): a name missed costs a
# link, a word read as a name links two roads' calls.
_ANY_ROAD = re.compile(f"{_NAME_STARTS}([{_HAN}]{{2}})(?:路|街(?!道)|大道)")
_NOT_IN_ROADS = _NOT_IN_NAMES | frozenset("这那该此哪每整条段个种处边旁口头叉字交行过修上下里外内前后新老大小国县省乡镇村区市公铁"
                                          "马线道路街坡弯堵宽学电水泥油石青")


def road_names(text: str, *, whole: bool = False) -> frozenset[str]:
    """The roads and streets `text` names (see `_ANY_ROAD`), each as its two characters before 路/街/大道 (玉带, 都梁),
    or `whole`, as named (玉带路, 都梁大道)."""
    return frozenset(found[0] if whole else found[1] for found in _ANY_ROAD.finditer(text)
                     if not _NOT_IN_ROADS.intersection(found[1]) and word_count(found[1]) < _COMMON_WORD)


@lru_cache(maxsize=8)
def _township_patterns(gazetteer: Gazetteer, city: tuple[str, ...]) -> list[tuple[Township, re.Pattern[str]]]:
    # the city's name before a township's (武冈市龙溪) makes even a common one (龙溪) a name of ours
    names = "|".join(map(re.escape, sorted(city, key=len, reverse=True)))
    return [(t, re.compile(f"(?P<city>{names})?(?:{'|'.join(map(re.escape, t.cores))})"
                           f"(?P<suffix>{_TOWNSHIP_SUFFIX})?"))
            for t in gazetteer.townships]


def scan_places(text: str, gazetteer: Gazetteer | None = None, *, structured: bool = False) -> list[Jurisdiction]:
    """Every mention of a township of the gazetteer in `text`, overlapping mentions reduced to the longest.

    `structured=True` is for a location field, where a bare short name (龙溪, 双牌) is what the field is for."""
    gaz = gazetteer or default_gazetteer()
    found: list[Jurisdiction] = []
    for township, pattern in _township_patterns(gaz, deployment_area().names):
        for match in pattern.finditer(text):
            start, end = match.span()
            core_end = end - len(match["suffix"] or "")
            if (text.startswith(("县", "市", "区"), core_end) and not text.startswith(_WORDS_AFTER_A_NAME, core_end)
                    or _is_foreign(text, start)):
                continue
            with_context = match["city"] is not None
            # inside a longer name (成都黄龙溪镇, 邓家铺子卤菜店: a shop), not the township
            if (not with_context and word_runs_into(text, start, core_end) or text.startswith("子", core_end)
                    or not match["suffix"] and text.startswith(_SHOPS, core_end)):
                continue
            suffix = match["suffix"]
            if suffix and suffix not in _SUFFIXES_OF_KIND[township.kind]:
                end, suffix = core_end, None
            if suffix:
                village = _village_after(text, end)
                method: Method = "address" if village else "name_with_suffix"
            elif township.bare_name_ok or structured:
                village, method = _village_after(text, end), "name_without_suffix"
            elif with_context:
                village, method = None, "name_with_context"
            elif township.kind == "街道" and text.startswith("社区", end):
                # a community named as its street is (水西门社区, as 迎春亭社区), where 水西门 alone may be 南京's
                village, method = None, "name_without_suffix"
            else:
                continue
            found.append(gaz.mention(township.code, text[start:end], start, end, method, village))
    for place in gaz.places:
        if place.kind == "路":
            continue
        for match in re.finditer(re.escape(place.name), text):
            found.append(gaz.mention(place.township_code, place.name, *match.span(), "gazetteer", place.name))
    roads = {p.name: p for p in gaz.places if p.kind == "路"}
    for match in _ROAD_ADDRESS.finditer(text):
        road = next((roads[name] for name in roads if match.group(1).endswith(name)), None)
        if road:
            found.append(gaz.mention(road.township_code, match.group(0), *match.span(), "road_address"))
    found.sort(key=lambda j: (j.start, -(j.end - j.start)))
    kept: list[Jurisdiction] = []
    for j in found:
        # one name that two townships hold (an estate's or a village's of the gazetteer) is both, for an agent to ask
        # which (a housing re-tester's round: the first row won, silently)
        same_name_elsewhere = kept and (j.start, j.end) == (kept[-1].start, kept[-1].end) and j.code != kept[-1].code
        if kept and j.start < kept[-1].end and not same_name_elsewhere:
            continue  # inside a longer mention already kept (迎春亭 within 迎春亭街道)
        kept.append(j)
    if any(j.method != "name_without_suffix" for j in kept):
        kept = [j for j in kept if not _names_a_part(text, j, kept)]
    return kept


# What a short name runs into right after a township named in full (湾头桥镇龙溪村, 邓元泰镇龙溪河边): the township's
# village, river or hill of that name, no second township.
_PARTS_AFTER_A_NAME = ("村", "社区", "居委会", "组", "河", "溪", "江", "水库", "山", "人")


def _names_a_part(text: str, mention: Jurisdiction, mentions: list[Jurisdiction]) -> bool:
    """Is a short name, beside a township named in full, a village's (上马坪村) or a person's home town (老板是大甸人)?
    A blind round sent each to a person as two townships; so did a township liaison's 湾头桥镇高家村司马冲组, a village's
    group after the village."""
    if mention.method != "name_without_suffix":
        return False
    if text.startswith("村", mention.end) or text.startswith("人", mention.end) and not text.startswith("人民", mention.end):
        return True
    return text.startswith(_PARTS_AFTER_A_NAME, mention.end) and any(
        m.method != "name_without_suffix" and ((between := text[m.end : mention.start]) in ("", "的")
                                               or _VILLAGE_AFTER.fullmatch(between)) for m in mentions)


def _single(mentions: list[Jurisdiction]) -> Jurisdiction | None:
    """The first mention when all mentions name one township; None when none or when they disagree."""
    if not mentions or len({m.code for m in mentions}) > 1:
        return None
    # Prefer a mention that also names the village: it says the most.
    return next((m for m in mentions if m.village), mentions[0])


# A platform may give the place as its division code: the township's 9 digits, or a village's 12 that start with them.
_DIVISION_CODE = re.compile(r"(\d{9})(?:\d{3})?")


def _by_division_code(location: str, gazetteer: Gazetteer | None) -> Jurisdiction | None:
    gaz = gazetteer or default_gazetteer()
    match = _DIVISION_CODE.fullmatch(location)
    if not (match and any(t.code == match.group(1) for t in gaz.townships)):
        return None
    return replace(gaz.mention(match.group(1), location, 0, len(location), "division_code"), source="location")


def find_jurisdiction(text: str, location: str | None = None, gazetteer: Gazetteer | None = None) -> Jurisdiction | None:
    """The one township a ticket is about, or None when no township or several different ones are named.

    A location field that names exactly one township, or gives its division code, wins over the text. It is read
    normalised, as the text is (灣頭橋鎮 and ４３０５８１１０１ found nothing where the text's 灣頭橋鎮 was found)."""
    location = normalize(location) if location else location
    if location and location.strip():
        by_code = _by_division_code(location.strip(), gazetteer)
        if by_code:
            return by_code
        from_location = _single(scan_places(location, gazetteer, structured=True))
        if from_location:
            return replace(from_location, source="location")
    text = text or ""
    found = _single(_of_the_matter(scan_places(text, gazetteer), text))
    # A township whose short name is too common to be read alone (秦桥, 龙溪) is still a second place beside one named
    # in full: 我住在迎春亭街道，老家在秦桥的村里，路灯坏了 went to 迎春亭街道's government, unflagged.
    if found and any(m.code != found.code
                     for m in _of_the_matter(scan_places(text, gazetteer, structured=True), text)):
        return None
    return found


# 他是双牌镇人，在城区迎春亭街道的工地上做木工 (a dispatcher's round): where a person is from is no place of the matter
# where the ticket names another
_ORIGIN = re.compile(r"人(?:[，,。、；;\s]|$)")


def _of_the_matter(mentions: list[Jurisdiction], text: str) -> list[Jurisdiction]:
    return [m for m in mentions if not _ORIGIN.match(text, m.end)] or mentions


# 我们是洞口县户口，在武冈城里租房子住 (an agents' round): where a caller is from or registered is no place of a matter
_FROM_THERE = re.compile(rf"的?(?:户口|户籍|籍)|{_ORIGIN.pattern}")


def places_elsewhere(text: str) -> list[str]:
    """The places around the deployment (its area's `elsewhere`) that `text` names, in reading order, each once by
    its full name; never the start of a longer word (邵阳市区域, 邵阳市区县两级, 邵阳市区号), nor where a caller comes
    from (洞口县户口, 隆回县人). A place said short counts right before a township's name (洞口文坪镇, 城步儒林镇: 洞口县,
    城步县), not alone (洞口 is also a hole's mouth)."""
    area = deployment_area()
    found = [area.elsewhere_short_names.get(match.group(), match.group())
             for match in _elsewhere_pattern(area.elsewhere, tuple(area.elsewhere_short_names)).finditer(text)
             if not (match.group().endswith("区") and text.startswith(("域", "县", "号"), match.end()))
             and not _FROM_THERE.match(text, match.end())]
    return list(dict.fromkeys(found))


# A township's name after a place said short: a few characters of a name, then 镇, 乡 or 街道 (not 洞口附近的镇上)
_TOWNSHIP_AHEAD = f"(?=(?:(?![{''.join(sorted(_NOT_IN_NAMES | {'镇'}))}])[{_HAN}]){{1,4}}?(?:镇|乡|街道))"


@lru_cache(maxsize=4)
def _elsewhere_pattern(names: tuple[str, ...], short_names: tuple[str, ...]) -> re.Pattern[str]:
    def either(words: tuple[str, ...]) -> str:
        return "|".join(map(re.escape, sorted(words, key=len, reverse=True))) or "(?!)"

    return re.compile(f"{either(names)}|(?:{either(short_names)}){_TOWNSHIP_AHEAD}")
