"""The periods the Funnels workspace compares, and how a figure changed from one to the other.

A month is compared with the same days of the month before (the 1st to today against the 1st to the same day of
the previous month, shortened to that month's last day), so the comparison is fair on any day of the month; a
quarter to date with the whole previous quarter (a conversion rate, which needs no equal lengths).
"""

from __future__ import annotations

import calendar
from datetime import date

from sales_funnel.engine.dates import add_months


def month_start(day: date) -> date:
	return day.replace(day=1)


def month_to_date(today: date) -> tuple[date, date]:
	"""The 1st of `today`'s month to `today`."""
	return month_start(today), today


def same_days_last_month(today: date) -> tuple[date, date]:
	"""The 1st of the previous month to the same day of it (its last day when it is shorter)."""
	end = add_months(today, -1)
	return month_start(end), end


def quarter_start(day: date) -> date:
	return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_to_date(today: date) -> tuple[date, date]:
	return quarter_start(today), today


def previous_quarter(today: date) -> tuple[date, date]:
	"""The whole quarter before `today`'s."""
	start = add_months(quarter_start(today), -3)
	end = date(start.year, start.month + 2, calendar.monthrange(start.year, start.month + 2)[1])
	return start, end


def months_back(today: date, count: int) -> list[date]:
	"""The first days of the `count` months up to `today`'s, oldest first."""
	first = month_start(today)
	return [add_months(first, offset) for offset in range(1 - count, 1)]


def percent_change(current: float, previous: float) -> float | None:
	"""How much `current` grew (or fell, negative) against `previous`, in percent; None without a previous
	figure to compare with (0: any growth from nothing is not a percentage)."""
	if not previous:
		return None
	return round((current - previous) / abs(previous) * 100.0, 1)


def point_change(current: float | None, previous: float | None) -> float | None:
	"""The difference of two percentages in percentage points; None when either is missing."""
	if current is None or previous is None:
		return None
	return round(current - previous, 1)
