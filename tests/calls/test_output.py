"""The Call Outcomes report's output for the Desk: the tree of managers and periods, the chart, the summary."""

from __future__ import annotations

from datetime import timedelta

from sales_funnel.engine.calls.filters import NOT_SET, CallFilters, CallScope
from sales_funnel.engine.calls.output import report_output
from sales_funnel.engine.calls.report import call_outcome_report, call_outcomes_output
from tests.calls.builders import NOW, WEEK, A, seed


def test_report_output_tree_chart_and_summary(db):
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="day"), NOW)
	output = report_output(result, lambda text: text, full_name=lambda user: user.split("@")[0].upper())
	groups = [row for row in output.data if row["indent"] == 0]
	assert [g["label"] for g in groups] == ["A", "B", NOT_SET]
	assert [g["calls"] for g in groups] == [10, 10, 1]
	a_days = [row for row in output.data if row.get("parent_label") == "A"]
	assert len(a_days) == 5 and sum(row["calls"] for row in a_days) == 10
	assert groups[2]["manager"] == ""
	assert output.chart["data"]["labels"] == ["A", "B", NOT_SET]
	assert output.chart["data"]["datasets"][1]["values"] == [2, 8, 0]
	summary = {item["label"]: item["value"] for item in output.summary}
	assert summary["Calls"] == 21 and summary["Deals Won"] == 2
	assert summary["Negotiations per 10 Calls"] == round(10 * 10 / 21, 2)
	fieldnames = [c["fieldname"] for c in output.columns]
	assert len(fieldnames) == len(set(fieldnames))


def test_the_report_entry_is_the_output_of_the_figures(db):
	"""`call_outcomes_output` (the report's `execute`) gives `report_output` of `call_outcome_report`."""
	seed(db)
	filters = CallFilters(WEEK, WEEK + timedelta(days=6), period="day")
	output = call_outcomes_output(db, filters, NOW, CallScope(own_of=A), str.upper, full_name=str.lower)
	result = call_outcome_report(db, filters, NOW, scope=CallScope(own_of=A))
	assert output == report_output(result, str.upper, full_name=str.lower)
	assert [row["label"] for row in output.data if row["indent"] == 0] == [A]
