"""Reading a written address into its parts (district, road, house number), in Chinese or in English.

Customers write the same place many ways: 上海市浦东新区东方路800号, 上海 浦东 东方路８００弄,
"800 Dongfang Rd, Pudong New Area, Shanghai". The reader knows the districts' names; roads it only
recognises by their shape (a road word such as 路, 街, 大道, Road, St), leaving the gazetteer to match them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_CJK = "\u4e00-\u9fff"
# The road words of Chinese addresses; 街道 is a sub-district, not a street, so 街 must not be followed by 道.
_ZH_ROAD = f"[{_CJK}]*?(?:大道|公路|大街|路|街(?!道)|巷)"
_ZH_ROAD_AT_NUMBER = re.compile(f"({_ZH_ROAD})(\\d+)")
_ZH_ROAD_ANYWHERE = re.compile(f"({_ZH_ROAD})")
# What may follow a district's short name when it is really the start of a road: 浦东南路, 金山大道, 长宁路.
_ZH_ROAD_TAIL = re.compile("[东西南北中]*(?:[一二三四]?路|街|大道|公路|大街)")
_ZH_DISTRICT_SUFFIX = re.compile("(?:新区|区|县)$")
_ZH_CITY = re.compile("^(?:中华人民共和国|中国)?(?:\\d{6})?(?:上海市|上海)?")

_EN_DISTRICT_WORDS = (("new", "area"), ("new", "district"), ("district",), ("qu",), ("xinqu",))
_ROAD_TYPES = {
    "road": "road", "rd": "road", "lu": "road",
    "street": "street", "st": "street", "jie": "street",
    "avenue": "avenue", "ave": "avenue", "av": "avenue", "dadao": "avenue", "boulevard": "avenue",
    "blvd": "avenue",
    "highway": "highway", "hwy": "highway", "gonglu": "highway",
}  # fmt: skip
_DIRECTIONS = {
    "north": "north", "n": "north", "bei": "north",
    "south": "south", "s": "south", "nan": "south",
    "east": "east", "e": "east", "dong": "east",
    "west": "west", "w": "west", "xi": "west",
    "middle": "middle", "mid": "middle", "m": "middle", "central": "middle", "zhong": "middle",
}  # fmt: skip
# Shanghai's signs write the direction after the road in brackets: "Huaihai Rd (M)", "Nanjing Road (W.)".
_BRACKETED_DIRECTION = re.compile(r"\(\s*(north|south|east|west|middle|central|[nsewm])\s*\.?\s*\)")
_ORDINALS = {"1st": "1", "first": "1", "2nd": "2", "second": "2", "3rd": "3", "third": "3", "4th": "4"}
# Words around a road name that are never part of it.
_NOT_NAME = frozenset(
    {
        "no", "number", "num", "room", "rm", "lane", "ln", "alley", "building", "bldg", "tower", "floor",
        "fl", "unit", "apt", "flat", "suite", "block", "shanghai", "china", "prc", "city", "municipality",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AddressParts:
    """What an address says, as far as it can be read; any part may be missing."""

    district: str | None  # the district as the reader's vocabulary names it
    road: str | None  # a Chinese road name as written (东方路), or an English road key (see road_key)
    number: str | None  # the house or lane number on the road, in ASCII digits


def district_keys(name: str) -> set[str]:
    """How a district's name is looked up: 浦东新区 and 浦东; "Pudong New Area" and "Pudong" as pudong."""
    text = _normal(name)
    if re.search(f"[{_CJK}]", text):
        short = _ZH_DISTRICT_SUFFIX.sub("", text)
        return {text, short} if len(short) >= 2 else {text}
    return {"".join(_without_district_words(_words(text)))}


def road_key(name: str) -> str:
    """An English road name reduced so spellings agree: "Nanjing Rd (W)" and "Nanjing West Road" alike."""
    words = _words(_normal(name))
    kind = next((i for i, w in enumerate(words) if w in _ROAD_TYPES and i > 0), None)
    if kind is None:
        return "".join(words)
    return _key(words[:kind], _ROAD_TYPES[words[kind]], words[kind + 1 : kind + 2])


def loose_road_key(key: str) -> str:
    """A road key without its road type, for "Sanlu Road" written for Sanlu Highway."""
    return key.rsplit("|", 1)[0]


class AddressReader:
    """Reads addresses against a fixed vocabulary of district names."""

    def __init__(self, districts: Mapping[str, Iterable[str]]) -> None:
        self._zh: dict[str, str] = {}
        self._en: dict[str, str] = {}
        for district, names in districts.items():
            for name in (district, *names):
                for key in district_keys(name):
                    (self._zh if re.search(f"[{_CJK}]", key) else self._en)[key] = district
        self._zh_longest_first = sorted(self._zh, key=len, reverse=True)

    def read(self, address: str) -> AddressParts:
        """Split an address into district, road and number: Chinese first, then English for the rest."""
        text = _normal(address)
        zh = self._read_chinese(text)
        if zh.road is not None and zh.district is not None:
            return zh
        en = self._read_english(text)
        return AddressParts(
            district=zh.district or en.district,
            road=zh.road or en.road,
            number=zh.number or en.number if zh.road else en.number or zh.number,
        )

    def _read_chinese(self, text: str) -> AddressParts:
        compact = _ZH_CITY.sub("", re.sub(r"\s+", "", text), count=1)
        district, rest = self._chinese_district(compact)
        found = _ZH_ROAD_AT_NUMBER.search(rest)
        if found is not None:
            return AddressParts(district, found.group(1), found.group(2))
        anywhere = _ZH_ROAD_ANYWHERE.search(rest)
        return AddressParts(district, anywhere.group(1) if anywhere else None, None)

    def _chinese_district(self, text: str) -> tuple[str | None, str]:
        for key in self._zh_longest_first:
            if _ZH_DISTRICT_SUFFIX.search(key):
                at = text.find(key)
                if at >= 0:
                    return self._zh[key], text[:at] + text[at + len(key) :]
            elif text.startswith(key) and not _ZH_ROAD_TAIL.match(text, len(key)):
                return self._zh[key], text[len(key) :]
        return None, text

    def _read_english(self, text: str) -> AddressParts:
        district = None
        road: str | None = None
        number: str | None = None
        for segment in re.split(r"[,;、()\[\]\n]+", _BRACKETED_DIRECTION.sub(r" \1 ", text)):
            words = _words(segment)
            found, words = self._english_district(words)
            district = district or found
            if road is None:
                road, number = _english_road(words)
            if number is None:
                number = _first_number(words)
        return AddressParts(district, road, number)

    def _english_district(self, words: list[str]) -> tuple[str | None, list[str]]:
        whole = "".join(_without_district_words(words))
        if whole in self._en:
            return self._en[whole], []
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                key = "".join(words[start : start + size])
                after = words[start + size : start + size + 1]
                if key in self._en and not (after and (after[0] in _ROAD_TYPES or after[0] in _DIRECTIONS)):
                    return self._en[key], words[:start] + _without_district_words(words[start + size :])
        return None, words


def _english_road(words: list[str]) -> tuple[str | None, str | None]:
    """The first road in the words, and the number written just before or just after it."""
    for at, word in enumerate(words):
        if word not in _ROAD_TYPES or at == 0:
            continue
        start = at
        while start > 0 and _may_name(words[start - 1]):
            start -= 1
        name = words[start:at]
        if not name or all(w in _DIRECTIONS or w in _ORDINALS for w in name):
            continue
        after = words[at + 1 : at + 2]
        direction = after if after and after[0] in _DIRECTIONS else []
        before = words[start - 1] if start > 0 and words[start - 1].isdigit() else None
        rest = words[at + 1 + len(direction) :]
        return _key(name, _ROAD_TYPES[word], direction), before or _first_number(rest)
    return None, None


def _key(name: list[str], kind: str, trailing: list[str]) -> str:
    words = list(name)
    direction = _DIRECTIONS[trailing[0]] if trailing and trailing[0] in _DIRECTIONS else ""
    ordinal = ""
    if words and words[-1] in _ORDINALS:
        ordinal = _ORDINALS[words.pop()]
    # A direction counts when it sits next to the road word (Nanjing West Road, West Nanjing Road); inside a
    # name written in separate syllables (Dong Fang Road) it is part of the name.
    if words and len(words) > 1 and words[-1] in _DIRECTIONS:
        direction = direction or _DIRECTIONS[words.pop()]
    elif len(words) > 1 and words[0] in _DIRECTIONS and words[0] not in ("dong", "nan", "xi", "bei", "zhong"):
        direction = direction or _DIRECTIONS[words.pop(0)]
    return f"{''.join(words)}|{direction}|{ordinal}|{kind}"


def _may_name(word: str) -> bool:
    return (word.isalpha() and word not in _NOT_NAME and word not in _ROAD_TYPES) or word in _ORDINALS


def _first_number(words: list[str]) -> str | None:
    return next((w for w in words if w.isdigit()), None)


def _without_district_words(words: list[str]) -> list[str]:
    for tail in _EN_DISTRICT_WORDS:
        if len(words) > len(tail) and tuple(words[-len(tail) :]) == tail:
            return words[: -len(tail)]
    return words


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+|\d+(?:st|nd|rd|th)?", text)


def _normal(text: str) -> str:
    """Full-width characters as ASCII, lower case, apostrophes gone (Jing'an is jingan)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.sub("['`\u2019\u00b4]", "", folded).replace("號", "号")
