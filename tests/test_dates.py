from datetime import date

import pytest

from sales_funnel.engine.dates import add_months


@pytest.mark.parametrize(
	("day", "months", "expected"),
	[
		(date(2026, 1, 31), 1, date(2026, 2, 28)),  # shortened to the month's last day
		(date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
		(date(2026, 3, 31), -1, date(2026, 2, 28)),
		(date(2026, 1, 15), -1, date(2025, 12, 15)),  # across a year, backwards
		(date(2026, 11, 30), 3, date(2027, 2, 28)),  # across a year, forwards
		(date(2026, 5, 10), 0, date(2026, 5, 10)),
		(date(2026, 5, 10), -24, date(2024, 5, 10)),
	],
)
def test_add_months(day, months, expected):
	assert add_months(day, months) == expected
