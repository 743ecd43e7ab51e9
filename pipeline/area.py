"""Where the deployment is: its county-level city, the areas it lies within and those around it that callers name,
its townships (the gazetteer) and the place names of its tickets (a jieba dictionary).

The reference deployment's (武冈市) are bundled in `resources/`. A centre elsewhere puts its own three files in its
pack (APPEAL_DEMO_DIR, beside units.csv): `area.json`, `gazetteer.csv` and `places.txt`, all three, so that no place of
武冈 is taken for one of its own and none of its own for another county's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from pipeline.errors import InputError
from pipeline.resources import RESOURCES, read_dictionary

AREA_FILES = ("area.json", "gazetteer.csv", "places.txt")
BUNDLED = dict(zip(AREA_FILES, (RESOURCES / "area_wugang.json", RESOURCES / "gazetteer_wugang.csv",
                                RESOURCES / "dict_places.txt")))
_KEYS = {"name": str, "other_names": list, "within": list, "elsewhere": list}


@dataclass(frozen=True)
class Area:
    names: tuple[str, ...]  # the city's own, its full name first: 武冈市, 武冈县, 武冈
    within: tuple[str, ...]  # nearest first: 邵阳市, 湖南省
    elsewhere: tuple[str, ...]
    files: tuple[Path, Path, Path]  # area.json, gazetteer.csv, places.txt
    place_words: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def whole(self) -> str:
        """The whole deployment as its people say it: 全市 for 武冈市, 全县 for 洞口县."""
        return "全" + (self.name[-1] if self.name[-1] in "市县区旗" else "市")

    @property
    def gazetteer(self) -> Path:
        return self.files[1]

    @property
    def places(self) -> Path:
        return self.files[2]

    @property
    def home_areas(self) -> tuple[str, ...]:
        return self.names + self.within

    @cached_property
    def home_area_words(self) -> frozenset[str]:
        """The home areas as words, short forms too (邵阳, 湖南). They say where every ticket of the deployment is,
        not what it is about, so search and group keywords leave them out."""
        return frozenset(self.home_areas) | {area[:-1] for area in self.home_areas if area[-1] in "市县区省"}

    @cached_property
    def elsewhere_short_names(self) -> dict[str, str]:
        """The places elsewhere as callers say them, without 省, 市 or 县 (福建, 重庆, 洞口), each to its full name; never
        a name of the home areas (邵阳县 said short is 邵阳, the prefecture's name: 邵阳武冈晏田乡 is ours)."""
        return {short: area for area in self.elsewhere if area[-1] in "市县省" and len(area) > 2
                and (short := area[:-1]) not in self.home_area_words}


def read_area(pack: Path) -> Area:
    """The area of the pack in `pack`, or the bundled 武冈 one when the pack has none of the three files."""
    # a centre that copied the bundled files in unchanged had its estates ignored, the start line as usual
    misnamed = [f"{bundled.name} (as {name})" for name, bundled in BUNDLED.items()
                if (pack / bundled.name).is_file() and not (pack / name).is_file()]
    if misnamed:
        raise InputError(f"{pack}: has {', '.join(misnamed)}: a pack's area files are named {', '.join(AREA_FILES)} "
                         "(see appeal/demo/UNITS.md); rename them")
    present = [name for name in AREA_FILES if (pack / name).is_file()]
    if present and len(present) < len(AREA_FILES):
        missing = [name for name in AREA_FILES if name not in present]
        raise InputError(f"{pack}: has {', '.join(present)} but not {', '.join(missing)}: a deployment's area is all "
                         f"three files ({', '.join(AREA_FILES)}; see appeal/demo/UNITS.md)")
    files = tuple(pack / name for name in AREA_FILES) if present else tuple(BUNDLED.values())
    path = files[0]
    try:
        spec = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(spec, dict):
        raise InputError(f"{path}: expected a JSON object with {', '.join(_KEYS)}")
    # first: a misspelt key (othernames) was told as the right one missing, and the typo never named
    unknown = sorted(set(spec) - set(_KEYS) - {"_doc"})
    if unknown:
        raise InputError(f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(_KEYS)})")
    for key, kind in _KEYS.items():
        value = spec.get(key)
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) and v for v in value)) \
                or not value and key == "name":
            shape = "a name" if kind is str else "a list of names"
            raise InputError(f"{path}: {key!r} must be {shape}, got {value!r}")
    try:
        place_words = frozenset(word for word, _ in read_dictionary(files[2]))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{files[2]}: cannot be read ({exc})") from None
    return Area((spec["name"], *spec["other_names"]), tuple(spec["within"]), tuple(spec["elsewhere"]), files,
                place_words)


@lru_cache(maxsize=4)
def _area(pack: Path) -> Area:
    return read_area(pack)


def deployment_area() -> Area:
    """The configured pack's area (APPEAL_DEMO_DIR), read once per pack."""
    from appeal.config import get_settings  # the one configuration object, read where it is needed

    return _area(get_settings().demo_dir)
