"""Money is integer fen; on the wire a string of yuan with exactly two decimals. No floats anywhere."""

from __future__ import annotations

import re

from services.common.kernel.errors import BadInput

_YUAN = re.compile(r"^(0|[1-9]\d{0,13})(\.\d{1,2})?$")


def parse_yuan(text: str, *, field: str | None = None) -> int:
    """"2000000.00" -> 200000000 fen. Negative, over-precise or malformed amounts are refused."""
    if not isinstance(text, str) or not _YUAN.match(text.strip()):
        raise BadInput(
            f"'{text}' is not an amount of money: give yuan as a string with at most two decimals, "
            'e.g. "2000000.00"',
            field=field,
        )
    whole, _, frac = text.strip().partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def format_fen(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
