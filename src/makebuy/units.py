"""Calendar units shared by every stage, so a month is the same length everywhere."""

HOURS_PER_MONTH = 8760 / 12
"""A month is a twelfth of a 365-day year: 730 hours."""
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
