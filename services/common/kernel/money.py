"""Money is integer fen; on the wire a string of yuan with exactly two decimals. No floats anywhere."""

from __future__ import annotations

import re

from services.common.kernel.errors import BadInput

# The contract (DESIGN.md): a string of yuan with exactly two decimals, nothing around it. ASCII digits
# only (\d would take other scripts' digits); "100" and "12.5" are refused, not guessed at.
_YUAN = re.compile(r"(0|[1-9][0-9]{0,13})\.[0-9]{2}")


def parse_yuan(text: str, *, field: str | None = None) -> int:
    """"2000000.00" -> 200000000 fen. Negative, over- or under-precise and malformed amounts are refused."""
    if not isinstance(text, str) or not _YUAN.fullmatch(text):
        raise BadInput(
            f"'{text}' is not an amount of money: give yuan as a string with exactly two decimals, "
            'e.g. "2000000.00"',
            field=field,
        )
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int(frac)


def format_fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
