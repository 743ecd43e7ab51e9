"""The units a ticket can be sent to (承办单位) and the vocabulary of functional types they are filed under.

The `unit` model head predicts a *functional type* (市场监督管理, 乡镇人民政府/街道办事处 …), not a unit:
types survive re-organisations and are shared between cities, while the catalogue says which concrete unit
of this city holds each type. Older and colloquial names (卫计局, 国土局, 工商局 …) are aliases of the current
type, so routing rules, model labels and agents' corrections (`appeal feedback export`, which also reads a unit's
own name as its type) land on one name. Formats: `appeal/demo/UNITS.md`.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable, Collection, Iterable, Literal, Mapping, get_args

from pydantic import BaseModel

from pipeline.area import Area, deployment_area
from pipeline.errors import InputError
from pipeline.jurisdiction import Gazetteer, default_gazetteer

# A county's or a district's departments are 县直 / 区直 (洞口县's IT officer had to call his 市直部门, and the platform
# got that word in every lead_unit.level); only 乡镇街道 and 专家座席 change what the router does.
Level = Literal["市直部门", "县直部门", "区直部门", "乡镇街道", "公用企业", "专家座席"]
LEVELS: tuple[str, ...] = get_args(Level)
TOWNSHIP_LEVEL = "乡镇街道"
# What people add to a township's name to mean its government (湾头桥镇政府, 迎春亭街道办), besides nothing.
_TOWNSHIP_SUFFIXES = ("", "政府", "人民政府", "党委政府", "办", "办事处")
_TOWNSHIP_KIND = re.compile("(镇|乡|街道)$")
SEAT_LEVEL = "专家座席"
# An expert seat as agents name it, by what it answers and its kind (医保专席, 社保座席, 12315坐席)
_SEAT_SHORT_NAME = re.compile("(.+?)(?:专家)?(?:专席|座席|坐席)")
TYPE_COLUMNS = ("type", "aliases", "description")
UNIT_COLUMNS = ("id", "name", "functional_type", "level", "jurisdiction", "duties", "keywords")

_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "／": "/", "　": ""})


def _key(name: str) -> str:
    """The form names are compared in: no spaces, half-width brackets, no leading 湖南省/邵阳市/武冈市 (the
    deployment's areas, `pipeline.area`)."""
    return _area_prefix(deployment_area()).sub("", re.sub(r"\s+", "", str(name).translate(_FULL_WIDTH)))


@lru_cache(maxsize=4)
def _area_prefix(area: Area) -> re.Pattern[str]:
    outermost_first = [*reversed(area.within), area.name]
    return re.compile("^" + "".join(f"(?:{re.escape(name)})?" for name in outermost_first))


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[;；]", value or "") if part.strip()]


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
            # a keeper's valid_from column was read as nothing at all (the catalogue has no dates); a column of
            # notes says so by its name
            if unknown := [c for c in reader.fieldnames or [] if c and c not in columns and not c.startswith("_")]:
                raise InputError(f"{path}: unknown column(s) {', '.join(unknown)}, which would be ignored: the file "
                                 f"takes {', '.join(columns)}; a column of notes is named with a leading _ (_备注)")
            return [(line, {k: (v or "").strip() for k, v in row.items() if k}) for line, row in enumerate(reader, 2)]
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc})") from exc


@dataclass(frozen=True)
class FunctionalTypes:
    types: tuple[str, ...]
    descriptions: dict[str, str]
    _lookup: dict[str, str]  # compared form of a type or alias → canonical type

    def canonical(self, name: str | None) -> str | None:
        """The current type for a type, an alias or an old name; None when the name is unknown."""
        return self._lookup.get(_key(name)) if name else None

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def asked_for(self, text: str) -> tuple[str, str] | None:
        """(the name, its type) of the first type or alias `text` asks to act or says the caller went to (请派出所出警,
        要求城管处理, 去派出所办户口迁移): a ticket typed in a hurry names whom the caller wants. None: it names none."""
        found = self._asked.search(text)
        return (name := found.group(1) or found.group(2), self._lookup[name]) if found else None

    @cached_property
    def _asked(self) -> re.Pattern[str]:
        # the longest at a place; not the hotline (找12345, 打市长热线: the caller is on it already)
        names = "|".join(map(re.escape, sorted((name for name in self._lookup if not (name.isdigit() or "热线" in name)),
                                               key=len, reverse=True)))
        return re.compile(f"(?:请|要求|希望|麻烦|让|叫|找|通知|联系)(?:市|县)?({names})"
                          f"|(?:去|到)(?:市|县)?({names})(?=[^，。！？,!?\n]{{0,2}}(?:办|开|补|领|问|咨询|报案))")


def read_functional_types(path: Path) -> FunctionalTypes:
    types: list[str] = []
    descriptions: dict[str, str] = {}
    lookup: dict[str, str] = {}
    for line, row in _read_rows(path, TYPE_COLUMNS):
        name = row["type"]
        if not name:
            raise InputError(f"{path}, row {line}, column type: empty")
        for alias in [name, *_split(row["aliases"])]:
            owner = lookup.setdefault(_key(alias), name)
            if owner != name:
                raise InputError(f"{path}, row {line}, column aliases: {alias!r} already names type {owner!r}")
        if name in descriptions:
            raise InputError(f"{path}, row {line}, column type: duplicate type {name!r}")
        types.append(name)
        descriptions[name] = row["description"]
    if not types:
        raise InputError(f"{path}: no functional types")
    return FunctionalTypes(tuple(types), descriptions, lookup)


@lru_cache(maxsize=4)
def default_functional_types(path: Path | None = None) -> FunctionalTypes:
    if path is None:
        from appeal.config import get_settings

        path = get_settings().demo_dir / "functional_types.csv"
    return read_functional_types(path)


def canonical_type(name: str | None, vocabulary: FunctionalTypes | None = None) -> str | None:
    """Map a functional type or any of its aliases (卫计局 → 卫生健康, 国土局 → 自然资源和规划) to the current
    type name; None when unknown."""
    return (vocabulary or default_functional_types()).canonical(name)


class Unit(BaseModel):
    id: str
    name: str
    functional_type: str
    level: Level
    jurisdiction: str | None = None  # township full name (邓元泰镇) for township units and local branches
    duties: str = ""
    keywords: list[str] = []


@dataclass(frozen=True)
class Catalogue:
    units: tuple[Unit, ...]
    types: FunctionalTypes
    # a merged township's name → the township it is part of now (the gazetteer's `merged`): agents name its old
    # government (水浸坪乡人民政府) for years
    merged_townships: tuple[tuple[str, str], ...] = ()

    def get(self, unit_id: str) -> Unit | None:
        """The unit of an id, as the catalogue writes it or in other case (TWP-430581100, typed by hand)."""
        return next((u for u in self.units if u.id == unit_id), None) or next(
            (u for u in self.units if u.id.lower() == unit_id.lower()), None)

    def township_unit(self, township: str) -> Unit | None:
        return next((u for u in self.units if u.level == TOWNSHIP_LEVEL and u.jurisdiction == township), None)

    def shares_type(self, unit: Unit) -> bool:
        """Whether another unit has this unit's type, an expert seat included (人社局 and the 社保 seat)."""
        return any(other.functional_type == unit.functional_type for other in self.units if other.id != unit.id)

    def units_of_type(self, functional_type: str) -> list[Unit]:
        """The units a type routes to by itself; expert seats are reached only through explicit rules."""
        return [u for u in self.units if u.functional_type == functional_type and u.level != SEAT_LEVEL]

    @cached_property
    def _by_key(self) -> dict[str, Unit]:
        """Every unit under its id and the keys (`_key`) of its name and, for a township's government, of the other
        names people give it (湾头桥镇, 湾头桥镇政府, 迎春亭街道办)."""
        by_key: dict[str, Unit] = {}
        for unit in self.units:
            by_key[unit.id] = by_key[_key(unit.name)] = unit
            if unit.level == TOWNSHIP_LEVEL and unit.jurisdiction:
                for suffix in _TOWNSHIP_SUFFIXES:
                    by_key.setdefault(_key(unit.jurisdiction + suffix), unit)
                # the bare name agents type when they send a ticket on (邓元泰, 迎春亭: a trainer's round found it a
                # new unit class; 司马冲政府: a township liaison's), never a name of one character (a 乡 of two)
                if len(bare := _TOWNSHIP_KIND.sub("", unit.jurisdiction)) > 1:
                    for suffix in _TOWNSHIP_SUFFIXES:
                        by_key.setdefault(_key(bare + suffix), unit)
        for key, (_, township) in self._former_names.items():
            if unit := self.township_unit(township):
                by_key.setdefault(key, unit)
        return by_key

    @cached_property
    def _former_names(self) -> dict[str, tuple[str, str]]:
        """The keys of the names people give a merged township's government (水浸坪乡人民政府, 水浸坪乡政府) → (the
        merged township, the one it is part of now)."""
        return {_key(former + suffix): (former, now) for former, now in self.merged_townships
                for suffix in _TOWNSHIP_SUFFIXES}

    def _read(self, name: str | None) -> tuple[str, Unit | None] | None:
        """(the functional type, the unit) a name stands for: a type or one of its aliases (住建局: no unit), or a
        unit of the catalogue by id or name (武冈市住房和城乡建设局, 湾头桥镇人民政府, 湾头桥镇, 市教育局); None when it is
        none of these."""
        if not name:
            return None
        # 市教育局 (县教育局 in a county) is how people write a city department, but 市场监管局 is an alias as it stands:
        # the prefix goes last.
        for spelling in (name, name[1:]) if name.startswith(("市", "县", "区")) else (name,):
            unit = self._by_key.get(spelling) or self._by_key.get(_key(spelling))
            found = self.types.canonical(spelling)
            # 公安局 is an alias of the type 公安 and the name of one of its units (the traffic police is the other)
            if unit is not None and found in (None, unit.functional_type):
                return unit.functional_type, unit
            if found is not None:
                return found, None
        if (short := _SEAT_SHORT_NAME.fullmatch(name)) and (seat := self._seat_answering(short.group(1))):
            return seat.functional_type, seat
        if (station := self._station(name)) != name:
            return self._read(station)
        return None

    def _station(self, name: str) -> str:
        """A bureau's station in a township as agents write it (水西门派出所, 荆竹铺司法所: a police desk's round, stored as
        unknown units) named as the station alone (派出所), where the township's name comes before a name of a type;
        else `name`."""
        for place in self._township_names:
            if name.startswith(place) and self.types.canonical(rest := name[len(place):]) is not None:
                return rest
        return name

    @cached_property
    def _township_names(self) -> tuple[str, ...]:
        """The townships' names and their cores (湾头桥镇, 湾头桥), merged ones' included, longest first."""
        names = {u.jurisdiction for u in self.units if u.level == TOWNSHIP_LEVEL and u.jurisdiction}
        names |= {former for former, _ in self.merged_townships}
        bare = {_TOWNSHIP_KIND.sub("", n) for n in names}  # as `_by_key` reads them, none of one character
        return tuple(sorted(names | {b for b in bare if len(b) > 1}, key=len, reverse=True))

    def _seat_answering(self, matter: str) -> Unit | None:
        """The one expert seat of the type `matter` names (医保, 12315; 人社 as its bureau without 局) or that lists it
        among its keywords (社保)."""
        of_type = self.types.canonical(matter) or self.types.canonical(matter + "局")
        seats = [unit for unit in self.units if unit.level == SEAT_LEVEL
                 and (unit.functional_type == of_type or matter in unit.keywords)]
        return seats[0] if len(seats) == 1 else None

    def functional_type_of(self, name: str | None) -> str | None:
        """The functional type a name stands for (`_read`); None when it names neither a type nor a unit."""
        read = self._read(name)
        return read[0] if read else None

    def former_township(self, name: str | None) -> tuple[str, str] | None:
        """(the merged township, the one it is part of now) where `name` names a merged township's government
        (晏田乡人民政府, 晏田乡政府)."""
        return self._former_names.get(_key(name)) if name else None

    def type_named(self, name: str | None) -> str | None:
        """The functional type a name stands for where it is no unit's own name or id: a type or an alias (供水,
        城管局), not 公安局 (an alias that is also the bureau's name); None otherwise."""
        read = self._read(name)
        return read[0] if read and read[1] is None else None

    def unit_named(self, name: str | None) -> Unit | None:
        """The one unit a name stands for: a unit by id or name (`_read`), or a type that only one unit has (林业 or
        林业局: 武冈市林业局); None for a type of several units (乡镇人民政府/街道办事处) or a name it does not know."""
        read = self._read(name)
        if read is None:
            return None
        if read[1] is not None:
            return read[1]
        name = self._station(name)
        # the type by its own name is also its expert seat's (人力资源和社会保障: the bureau or the 社保 seat); by a
        # name people give a department (人社局), the department
        by_alias = self.types.canonical(name) != name
        units = (self.units_of_type(read[0]) if by_alias
                 else [unit for unit in self.units if unit.functional_type == read[0]])
        # …or a type whose one unit is a seat (12345: the hotline's own answer, which a social desk's round sent and
        # was told of "a type of 1 units")
        units = units or [unit for unit in self.units if unit.functional_type == read[0]]
        # a hotline's number names the seat that answers it, not the bureau (12315: a shift leader's round)
        if by_alias and name.isdigit() and (seat := self._seat_answering(name)):
            return seat
        # …or an alias of a type of several that one of them lists among its keywords (交警, 交警大队: a transport
        # agent's answer was read as 公安 alone, and the hotspots refused it), or that is a part of one's name (中国移动
        # of the type 通信: an integrator's round; the type's own name, 医疗保障, still names neither bureau nor seat)
        if len(units) > 1:
            units = [unit for unit in units if name in unit.keywords] or [
                unit for unit in units if by_alias and name in unit.name] or units
        return units[0] if len(units) == 1 else None

    def unit_label(self, name: str, known: Collection[str]) -> str | None:
        """The label among `known` (a unit head's labels) that an agent's unit answer means: the name itself, or
        the functional type it names, also where the head learnt that type under a former name (a type renamed
        since, its old name kept as an alias: its answers must not become a class per spelling); None when
        neither is known."""
        if name in known:
            return name
        found = self.functional_type_of(name)
        if found is None or found in known:
            return found
        return next((label for label in sorted(known) if self.types.canonical(label) == found), None)

    def label_reader(self, known: Collection[str]) -> Callable[[str], str | None]:
        """How a unit answer becomes one of a unit head's labels (`known`): people name the unit they know
        (武冈市住房和城乡建设局, 住建局) while the head may know only its functional type (住房和城乡建设). When the
        head's labels are all catalogue types, any unit the catalogue knows is read as its type, a type new to the
        head too: 残联 and 武冈市残疾人联合会 then become one new class, named as the head names its classes.
        Otherwise only answers that land on a known label are read. None for an answer it cannot place."""
        if all(self.types.canonical(label) is not None for label in known):
            return lambda name: self.unit_label(name, known) or self.functional_type_of(name)
        return lambda name: self.unit_label(name, known)


def read_catalogue(path: Path, types: FunctionalTypes, gazetteer: Gazetteer) -> Catalogue:
    townships = gazetteer.names
    units: list[Unit] = []
    seen: dict[str, int] = {}
    township_units: dict[str, str] = {}
    for line, row in _read_rows(path, UNIT_COLUMNS):
        where = f"{path}, row {line}"
        unit_id = row["id"]
        if not unit_id or not row["name"]:
            raise InputError(f"{where}, column {'id' if not unit_id else 'name'}: empty")
        if unit_id in seen:
            raise InputError(f"{where}, column id: duplicate id {unit_id!r} (first on row {seen[unit_id]})")
        seen[unit_id] = line
        # two units of one name: answers and repeats naming it would reach either (a re-tester's copy-paste slip)
        if (twin := next((unit for unit in units if _key(unit.name) == _key(row["name"])), None)) is not None:
            raise InputError(f"{where}, column name: {row['name']!r} is already the name of {twin.id} (row "
                             f"{seen[twin.id]})")
        functional_type = types.canonical(row["functional_type"])
        if functional_type is None:
            raise InputError(f"{where}, column functional_type: unknown type {row['functional_type']!r}")
        level = row["level"]
        if level not in LEVELS:
            raise InputError(f"{where}, column level: {level!r} is not one of {', '.join(LEVELS)}")
        jurisdiction = row["jurisdiction"] or None
        if jurisdiction is not None and jurisdiction not in townships:
            raise InputError(
                f"{where}, column jurisdiction: {jurisdiction!r} is not a township of the division list "
                f"({', '.join(sorted(townships))})"
            )
        if level == TOWNSHIP_LEVEL:
            if jurisdiction is None:
                raise InputError(f"{where}, column jurisdiction: a {TOWNSHIP_LEVEL} unit needs its township")
            if jurisdiction in township_units:
                raise InputError(f"{where}, column jurisdiction: {jurisdiction} already has unit {township_units[jurisdiction]!r}")
            township_units[jurisdiction] = unit_id
        units.append(Unit(id=unit_id, name=row["name"], functional_type=functional_type, level=level,
                          jurisdiction=jurisdiction, duties=row["duties"], keywords=_split(row["keywords"])))
    missing = sorted(townships - township_units.keys())
    if missing:
        raise InputError(f"{path}: no {TOWNSHIP_LEVEL} unit for {', '.join(missing)}")
    return Catalogue(tuple(units), types, tuple(gazetteer.merged.items()))


def unknown_unit_warnings(entries: Iterable, catalogue: Catalogue, most: int = 10) -> list[str]:
    """One line per unit that a FAQ answer among `entries` (knowledge-base entries) names and the catalogue cannot
    place, the `most` commonest, and one line counting the rest. Such an entry is stored as written, since the
    catalogue may lag behind a reorganisation, but a typo would reach agents, so the trainer is told. Another
    city's FAQ names a hundred units: a screenful of them would hide the import's result."""
    faq_units = [e.unit for e in entries if e.source == "faq" and e.unit]
    unknown = Counter(unit for unit in faq_units if catalogue.functional_type_of(unit) is None).most_common()
    lines = [f"单位 {unit!r}（{count} 条）不在单位目录中，按原样保存 / unit {unit!r} ({count}×) is not in the unit "
             "catalogue; stored as written" for unit, count in unknown[:most]]
    if rest := unknown[most:]:
        entries_of_rest = sum(c for _, c in rest)
        lines.append(f"…另有 {len(rest)} 个单位不在目录中（{entries_of_rest} 条） / … and {len(rest)} more units not in "
                     f"the catalogue ({entries_of_rest} entries)")
    # a merged township's government is read as its survivor's, but agents would be shown the old name (a keeper's
    # round: 晏田乡人民政府 was added without a word after 晏田乡 joined 邓家铺镇)
    for unit, count in Counter(faq_units).items():
        if (former := catalogue.former_township(unit)) and (now := catalogue.unit_named(unit)):
            lines.append(f"单位 {unit!r}（{count} 条）是已并入{former[1]}的{former[0]}的，按原样保存，坐席会看到旧名：请写 "
                         f"{now.name} / unit {unit!r} ({count}×) names {former[0]}, merged into {former[1]}; stored as "
                         f"written, agents will read the old name: write {now.name}")
    return lines


def unit_label_reader(heads: Mapping) -> Callable[[str], str | None] | None:
    """The catalogue's reading of unit answers as the labels of a model's unit head (its card's `heads`): see
    `Catalogue.label_reader`. None when the model has no unit head."""
    return load_catalogue().label_reader(set(heads["unit"].labels)) if "unit" in heads else None


@lru_cache(maxsize=4)
def pack_catalogue(pack: Path) -> Catalogue:
    """The catalogue of a routing pack (APPEAL_DEMO_DIR), loaded once."""
    return load_catalogue(pack / "units.csv", pack / "functional_types.csv")


def configured_catalogue() -> Catalogue:
    """The catalogue of the configured pack (`Settings.demo_dir`)."""
    from appeal.config import get_settings

    return pack_catalogue(get_settings().demo_dir)


def unit_now_named(name: str | None) -> str | None:
    """A unit's name as the configured pack's catalogue names that unit now: one renamed since (its old name kept among
    its type's aliases, UNITS.md) or a merged township's government (a keeper's round: repeats said 已派 武冈市城市管理局
    and 晏田乡人民政府 after the reorganisation, and a hotspot counted one unit under two names); a name it cannot place,
    as it was."""
    unit = configured_catalogue().unit_named(name) if name else None
    return unit.name if unit else name


def unit_asked_for(name: str) -> Unit:
    """The one unit of the configured pack's catalogue that `name` stands for (`Catalogue.unit_named`: 卫健局,
    湾头桥镇); InputError, with an example of the deployment's, where it stands for none or for a type of several."""
    catalogue = configured_catalogue()
    if (unit := catalogue.unit_named(name)) is None:
        example = next(u for u in catalogue.units if u.level not in (TOWNSHIP_LEVEL, SEAT_LEVEL))
        raise InputError(f"unit: {name!r} 不是单位目录中的一个单位 / names no one unit of the catalogue (a name such as "
                         f"{example.name}, as units.csv writes it or shortened as people say it)")
    return unit


def same_unit(one: str, other: str) -> bool:
    """Whether two names stand for one unit of the configured pack's catalogue (人社局 and 武冈市人力资源和社会保障局),
    or are one name; a type (乡镇人民政府/街道办事处, or an entry's 各乡镇人民政府/街道办事处: every township's) stands
    for each of its units."""
    if one == other:
        return True
    catalogue = configured_catalogue()
    units = [catalogue.unit_named(name) for name in (one, other)]
    if None not in units:
        return units[0] == units[1]
    # a name that is no unit stands for its units only as a type's own name: 交警大队, read as 公安, listed the 户口
    # answers too
    names = [name.removeprefix("各") for name in (one, other)]
    kinds = [catalogue.functional_type_of(name) for name in names]
    return kinds[0] is not None and kinds[0] == kinds[1] and all(
        unit is not None or catalogue.types.canonical(name) == name for unit, name in zip(units, names))


def load_catalogue(units_path: Path | None = None, types_path: Path | None = None,
                   gazetteer: Gazetteer | None = None) -> Catalogue:
    """The unit catalogue, validated against the functional types and the division list (default: demo pack)."""
    from appeal.config import get_settings

    demo = get_settings().demo_dir
    types = read_functional_types(types_path or demo / "functional_types.csv")
    return read_catalogue(units_path or demo / "units.csv", types, gazetteer or default_gazetteer())
