"""The enumerations events carry, as the literal strings on the wire."""

from __future__ import annotations

from typing import Literal

from services.common.kernel.categories import Category

CategoryName = Literal[tuple(c.value for c in Category)]  # type: ignore[valid-type]
OrganizationStatusName = Literal["ACTIVE", "SUSPENDED", "DEREGISTERED"]
RecoverySourceName = Literal["BUREAU", "EVALUATION"]
PhaseName = Literal["INITIAL", "MIDTERM", "FINAL"]
RatingName = Literal["EXCELLENT", "GOOD", "PASS", "FAIL", "PASS_AFTER_RECOVERY"]
