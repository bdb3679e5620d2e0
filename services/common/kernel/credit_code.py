"""Unified social credit code (统一社会信用代码), GB 32100-2015, checked in full.

18 characters from a 31-character set (no I, O, S, V, Z):

    position 1      registration-authority code (登记管理部门代码)
    position 2      type code under that authority (机构类别代码)
    positions 3-8   administrative division code of the registering bureau (GB/T 2260)
    positions 9-17  organization code (组织机构代码, GB 11714): 8 body characters and its own check digit
    position 18     check character over the first 17

A code whose last character is right can still be made up in every other part (`57110101YYYYYYYYYL`
has a correct check character, but type 7 does not exist under authority 5 and its organization code
fails its own check), so every part is checked, and a refusal names the part that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714, over the organization code's 8 body characters
CIVIL_AFFAIRS = "5"  # registration-authority code of civil-affairs bureaus


@dataclass(frozen=True)
class Authority:
    name: str  # in the words of a clerk's error message
    chinese: str
    types: dict[str, str]  # type code -> 机构类别

    @property
    def label(self) -> str:
        return f"{self.name} ({self.chinese})"


# GB 32100-2015 table of registration authorities and their type codes (with the codes added since).
# The platform registers only authority 5; the others are known so that an evaluation agency (a company,
# a law firm, ...) can be checked too.
AUTHORITIES: dict[str, Authority] = {
    "1": Authority("organization staffing", "机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": Authority("foreign affairs", "外交", {"1": "外国常住新闻机构", "9": "其他"}),
    "3": Authority("justice", "司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会", "9": "其他"}),
    "4": Authority("culture", "文化", {"1": "外国在华文化中心", "9": "其他"}),
    CIVIL_AFFAIRS: Authority("civil affairs", "民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": Authority("tourism", "旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": Authority("religious affairs", "宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": Authority("trade unions", "工会", {"1": "基层工会", "9": "其他"}),
    "9": Authority("market regulation", "工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": Authority("the Central Military Commission", "中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": Authority("agriculture", "农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": Authority("other authorities", "其他", {"1": "其他"}),
}


def _listing(items: dict[str, str]) -> str:
    return ", ".join(f"{code} {name}" for code, name in items.items())


def check_character(first17: str) -> str:
    """GB 32100: the 18th character, from the first 17 (weights 3^i mod 31, check = 31 - sum mod 31)."""
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def organization_check_digit(body8: str) -> str:
    """GB 11714: the 9th character of an organization code; digits count as themselves, A-Z as 10-35."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def city_division(district: str) -> str:
    """A city's own division code: Harbin 2301 is 230100 (the district 230102 belongs to it)."""
    return district[:4] + "00"


def credit_code_problem(code: str, *, authority: str | None = None, district: str | None = None,
                        kind: str | None = None, subject: str = "a registered social organization") -> str | None:
    """None when the code is valid; otherwise what is wrong, part by part, in words a clerk understands.

    `authority`: the only registration authority accepted (CIVIL_AFFAIRS for a registered organization).
    `district`: the registering district; its division code (positions 3-8) must then be the district's
    own or its city's, since a district or city bureau registers the organization.
    `kind`: the only type code accepted (a bureau is authority 1's type 1, 机关); `subject` names the holder.
    """
    if len(code) != 18:
        return f"a credit code has 18 characters, this one has {len(code)}"
    bad = [ch for ch in code if ch not in CHARSET]
    if bad:
        return f"a credit code may not contain '{bad[0]}' (allowed: digits and {CHARSET[10:]})"
    first, kind_code, division, organization = code[0], code[1], code[2:8], code[8:17]
    known = AUTHORITIES.get(first)
    if known is None:
        return (
            f"the registration-authority code (position 1) '{first}' does not exist; "
            f"it is one of {', '.join(f'{c} {a.label}' for c, a in AUTHORITIES.items())}"
        )
    if authority is not None and first != authority:
        return (
            f"the registration-authority code (position 1) is '{first}' ({known.label}), but it must be "
            f"'{authority}' ({AUTHORITIES[authority].label}) for {subject}"
        )
    if kind_code not in known.types:
        return (
            f"the type code (position 2) '{kind_code}' does not exist under registration authority {first} "
            f"({known.name}): {_listing(known.types)}"
        )
    if kind is not None and kind_code != kind:
        return (
            f"the type code (position 2) is '{kind_code}' ({known.types[kind_code]}), but it must be "
            f"'{kind}' ({known.types[kind]}) for {subject}"
        )
    if not division.isdigit():
        return f"positions 3-8 are an administrative division code of 6 digits, not '{division}'"
    if district is not None and division not in (district, city_division(district)):
        return (
            f"the administrative division code (positions 3-8) is '{division}', but an organization "
            f"registered in district {district} carries {district} (the district) or "
            f"{city_division(district)} (its city)"
        )
    expected_org = organization_check_digit(organization[:8])
    if organization[8] != expected_org:
        return (
            f"the organization code (positions 9-17) '{organization}' fails its own check: its last "
            f"character is '{organization[8]}', but it should be '{expected_org}'"
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"the check character (position 18) is '{code[17]}', but it should be '{expected}'"
    return None


def make_credit_code(division: str, serial: int, *, authority: str = CIVIL_AFFAIRS, kind: str = "2") -> str:
    """A code valid in full, for demo data and tests: `division` is a district's code (230102) or a
    city's (2301, padded to 230100); `serial` (0-99,999,999) becomes the organization code's body.
    Kind 2 is 民办非企业单位, the usual community social organization."""
    if len(division) == 4:
        division = division + "00"
    if kind not in AUTHORITIES[authority].types or len(division) != 6 or not 0 <= serial < 10**8:
        raise ValueError(f"no valid credit code for authority {authority}, type {kind}, division {division}, serial {serial}")
    body = f"{serial:08d}"
    first17 = f"{authority}{kind}{division}{body}{organization_check_digit(body)}"
    return first17 + check_character(first17)


STAFFING, ORGAN = "1", "1"  # 机构编制 authority, type 机关: a district bureau of civil affairs is a government organ


def bureau_credit_code_problem(code: str, district: str) -> str | None:
    """None when `code` is a district civil-affairs bureau's own credit code: authority 1 (机构编制), type 1
    (机关), registered in the district or its city."""
    return credit_code_problem(code, authority=STAFFING, kind=ORGAN, district=district,
                               subject=f"the civil-affairs bureau of district {district} (a government organ)")
