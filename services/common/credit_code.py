"""Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters, the last a check."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
CIVIL_AFFAIRS = "5"  # registration-authority code of civil-affairs bureaus


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str, *, authority: str | None = None) -> str | None:
    """None when the code is valid; otherwise the reason, in words a clerk understands."""
    if len(code) != 18:
        return f"a credit code has 18 characters, this one has {len(code)}"
    bad = [ch for ch in code if ch not in CHARSET]
    if bad:
        return f"a credit code may not contain '{bad[0]}' (allowed: digits and {CHARSET[10:]})"
    if authority is not None and code[0] != authority:
        return (
            f"the registration-authority code is '{code[0]}', but it must be '{authority}' "
            "(civil affairs) for a registered social organization"
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"the check character is '{code[17]}', but it should be '{expected}'"
    return None


def make_credit_code(body17: str) -> str:
    """Completes a 17-character body with its check character (used for demo data and tests)."""
    return body17 + check_character(body17)
