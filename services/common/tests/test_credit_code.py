"""Credit codes checked in full (GB 32100-2015), each part refused in its own words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.kernel.credit_code import (
    AUTHORITIES,
    CHARSET,
    CIVIL_AFFAIRS,
    check_character,
    credit_code_problem,
    make_credit_code,
    organization_check_digit,
)

DAOLI = "230102"


def complete(first17: str) -> str:
    """A code whose check character holds, so that only the part under test is wrong."""
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        # The example: the check character is right, every other part is made up.
        ("57110101YYYYYYYYYL", "the type code (position 2) '7' does not exist under registration authority 5 "
                               "(civil affairs): 1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他"),
        (complete("52110101YYYYYYYY7"), "the administrative division code (positions 3-8) is '110101'"),
        # The province's prefix is not enough: 230000 is Heilongjiang, not Harbin.
        (complete("52230000000000019"), "is '230000', but an organization registered in district 230102 carries "
                                        "230102 (the district) or 230100 (its city)"),
        (complete("52230103000000019"), "is '230103'"),
        (complete("5223010A000000019"), "an administrative division code of 6 digits, not '23010A'"),
        (complete("52230102YYYYYYYYY"), "the organization code (positions 9-17) 'YYYYYYYYY' fails its own check: "
                                        "its last character is 'Y', but it should be '7'"),
        (complete("52230102000000018"), "fails its own check"),
        (complete("92230102000000019"), "the registration-authority code (position 1) is '9' (market regulation"),
        (complete("B2230102000000019"), "the registration-authority code (position 1) 'B' does not exist"),
        (complete("50230102000000019"), "the type code (position 2) '0' does not exist"),
        ("52230102000000019E", "the check character (position 18) is 'E', but it should be 'D'"),
        ("5223010200000001", "a credit code has 18 characters, this one has 16"),
        ("52230102I00000019D", "may not contain 'I'"),
    ],
)
def test_each_wrong_part_is_named(code, words):
    problem = credit_code_problem(code, authority=CIVIL_AFFAIRS, district=DAOLI)
    assert problem is not None and words in problem, problem


@pytest.mark.parametrize(
    "code",
    [
        make_credit_code(DAOLI, 1),
        make_credit_code("2301", 1, kind="1"),  # registered by the city's bureau: 230100
        complete("53230100MA1234569"),
        complete("59230102" + "12345678" + organization_check_digit("12345678")),
    ],
)
def test_codes_of_the_district_or_its_city_pass(code):
    assert credit_code_problem(code, authority=CIVIL_AFFAIRS, district=DAOLI) is None


def test_a_published_company_code_passes_when_any_authority_and_division_are_allowed():
    # 91350100M000100Y43 is a published example of a valid code (a company, authority 9, Fuzhou).
    assert credit_code_problem("91350100M000100Y43") is None
    assert organization_check_digit("M000100Y") == "4"
    assert "registration-authority" in credit_code_problem("91350100M000100Y43", authority=CIVIL_AFFAIRS)


def test_the_organization_check_digit_writes_10_as_x_and_11_as_0():
    # weights 3 7 9 10 5 8 4 2
    assert organization_check_digit("00000000") == "0"  # sum 0: 11 - 0 = 11 -> '0'
    assert organization_check_digit("00009000") == "X"  # sum 45 = 1 mod 11: 11 - 1 = 10 -> 'X'
    assert organization_check_digit("00000001") == "9"  # sum 2: 11 - 2 = 9


def test_make_credit_code_refuses_what_it_cannot_make_valid():
    with pytest.raises(ValueError):
        make_credit_code(DAOLI, 1, kind="7")
    with pytest.raises(ValueError):
        make_credit_code(DAOLI, 10**8)


_body = st.text(alphabet=CHARSET, min_size=8, max_size=8)  # a credit code's organization code uses its characters
_districts = st.from_regex(r"\A23[0-9]{2}[0-9]{2}\Z")


@st.composite
def valid_codes(draw):
    district = draw(_districts)
    authority = draw(st.sampled_from(sorted(AUTHORITIES)))
    kind = draw(st.sampled_from(sorted(AUTHORITIES[authority].types)))
    division = draw(st.sampled_from([district, district[:4] + "00"]))
    body = draw(_body)
    return district, complete(f"{authority}{kind}{division}{body}{organization_check_digit(body)}")


@given(valid_codes(), st.data())
def test_every_valid_code_passes_and_any_single_character_change_is_refused(drawn, data):
    district, code = drawn
    assert credit_code_problem(code, district=district) is None
    position = data.draw(st.integers(0, 17))
    other = data.draw(st.sampled_from([c for c in CHARSET if c != code[position]]))
    changed = code[:position] + other + code[position + 1:]
    assert credit_code_problem(changed, district=district) is not None
