"""The platform's calendar: dates (due days, service days, deadlines) are China's (UTC+8), whatever the
server's zone, so a date a district enters means the same day to every service."""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def local_date(instant: dt.datetime) -> dt.date:
    """The China calendar day of an instant (e.g. the day a project was awarded)."""
    return instant.astimezone(CHINA).date()
