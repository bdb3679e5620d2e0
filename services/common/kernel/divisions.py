"""Statistical division codes (统计用区划代码): districts, subdistricts (街道) and communities (社区).

    2301            a city (prefecture level, 4 digits on the platform)
    230102          a district (county level): the city's 4 digits and 2 more, never `00`
                    (230100 is the city's 市辖区 heading, not a district)
    230102001000    a subdistrict: the district's 6 digits, 3 of its own (not 000), then 000
    230102001001    a community: its subdistrict's 9 digits and 3 of its own (not 000)
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

class PlaceKind(str, Enum):
    SUBDISTRICT = "SUBDISTRICT"  # 街道
    COMMUNITY = "COMMUNITY"  # 社区


DISTRICT = re.compile(r"^\d{6}$")
CITY = re.compile(r"^\d{4}$")
SUBDISTRICT_CODE = re.compile(r"^\d{12}$")


def district_code_problem(code: str, city: str) -> str | None:
    """Why `code` is not a county-level district of `city`, or None."""
    if not isinstance(code, str) or not DISTRICT.match(code):
        return f"a district code is a 6-digit administrative division code, not {code!r}"
    if not isinstance(city, str) or not CITY.match(city):
        return f"a city code is a 4-digit administrative division code, not {city!r}"
    if not code.startswith(city):
        return f"district {code} does not belong to city {city}"
    if code.endswith("00"):
        return f"{code} is the city's own code (市辖区), not a county-level district: a district code does not end in 00"
    return None


def subdistrict_code_problem(code: str, district: str) -> str | None:
    """Why `code` is not a 12-digit subdistrict code of `district`, or None."""
    if not SUBDISTRICT_CODE.match(code or ""):
        return f"a subdistrict code has 12 digits, not {code!r}"
    if not code.startswith(district):
        return f"subdistrict code {code} is not under district {district} (it starts with {code[:6]})"
    if code[6:9] == "000" or code[9:] != "000":
        return f"a subdistrict code is the district's 6 digits, 3 of its own (not 000) and 000, not {code}"
    return None


def community_code_problem(code: str, subdistrict: str) -> str | None:
    """Why `code` is not a 12-digit community code under the subdistrict code `subdistrict`, or None."""
    if not SUBDISTRICT_CODE.match(code or ""):
        return f"a community code has 12 digits, not {code!r}"
    if code[:9] != subdistrict[:9]:
        return f"community code {code} is not under subdistrict {subdistrict} (its first 9 digits differ)"
    if code[9:] == "000":
        return f"a community code ends in 3 digits of its own (not 000), not {code}"
    return None


def normalize_name(value: str) -> str:
    """A place name as the gazetteer keeps it: NFC, trimmed, inner whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())
