"""The Call Outcomes filters: what the report's filters become, and what is refused (by the report and the
drill-down alike) with a message saying what is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from sales_funnel.engine.calls.drilldown import calls_drilldown
from sales_funnel.engine.calls.filters import CallFilters, call_filters, validate_filters
from sales_funnel.engine.calls.report import call_outcome_report
from sales_funnel.engine.i18n import InvalidInput
from tests.calls.builders import NOW, WEEK


@pytest.mark.parametrize(
	"filters",
	[
		CallFilters(date(2026, 3, 5), date(2026, 3, 1)),
		CallFilters(WEEK, WEEK, period="quarter"),
		CallFilters(WEEK, WEEK, call_type="Sideways"),
		CallFilters(None, WEEK),  # type: ignore[arg-type]
		CallFilters(WEEK, date.max),  # the day after To Date does not exist
		CallFilters(date.min, WEEK),
		CallFilters(date(1899, 12, 31), WEEK),
		CallFilters(WEEK, date(3000, 1, 1)),
	],
)
def test_bad_filters(db, filters):
	with pytest.raises(InvalidInput):
		call_outcome_report(db, filters, NOW)
	with pytest.raises(InvalidInput):
		calls_drilldown(db, filters)


def test_bad_filters_say_what_is_wrong(db):
	with pytest.raises(InvalidInput) as reversed_dates:
		call_outcome_report(db, CallFilters(date(2026, 3, 5), date(2026, 3, 1)), NOW)
	assert reversed_dates.value.message.template == "From Date {0} is after To Date {1}."
	with pytest.raises(InvalidInput) as too_late:
		call_outcome_report(db, CallFilters(WEEK, date.max), NOW)
	assert too_late.value.message.template == "{0} {1} is out of range: use a date from {2} to {3}."
	assert too_late.value.message.args == ("To Date", date.max, date(1900, 1, 1), date(2999, 12, 31))


@pytest.mark.parametrize(
	("period", "expected"),
	[(None, "week"), ("", "week"), ("Day", "day"), ("Week", "week"), ("Month", "month"), ("month", "month")],
)
def test_the_report_period_becomes_the_engine_period(period, expected):
	assert call_filters({"from_date": WEEK, "to_date": WEEK, "period": period}).period == expected


def test_the_report_filters_become_the_engine_filters():
	filters = call_filters(
		{
			"from_date": WEEK,
			"to_date": WEEK,
			"company": "Test Co",
			"manager": "",
			"call_type": "Incoming",
			"x": 1,
		}
	)
	assert filters == CallFilters(WEEK, WEEK, "week", company="Test Co", manager=None, call_type="Incoming")
	# an unknown period passes through, lowercased, for the checks to refuse with a message
	unknown = call_filters({"from_date": WEEK, "to_date": WEEK, "period": "Quarter"})
	assert unknown.period == "quarter"
	with pytest.raises(InvalidInput) as refused:
		validate_filters(unknown)
	assert refused.value.message.args == ("quarter", "day, week, month")
