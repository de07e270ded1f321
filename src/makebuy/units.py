"""Calendar units shared by every stage, so a month is the same length everywhere."""

import datetime as dt

HOURS_PER_MONTH = 8760 / 12
"""A month is a twelfth of a 365-day year: 730 hours."""
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months, clamped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")
