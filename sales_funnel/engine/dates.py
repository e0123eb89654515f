"""Calendar arithmetic the engine's packages share."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
	"""The same day `months` later (earlier when negative), shortened to the target month's last day."""
	year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
	return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
