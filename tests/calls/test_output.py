"""The Call Outcomes report's output for the Desk: the tree of managers and periods, the chart, the summary."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from sales_funnel.engine.calls.figures import CallOutcomeResult
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
	assert summary["Negotiations per 10 Calls"] == round(10 * 10 / 21, 1) == 4.8
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


def test_the_chart_draws_the_managers_rows(db):
	"""One bar group per manager row, in the rows' order: its calls, negotiations and calls without an outcome
	(the bad news in red); counts formatted as Int in the tooltips; the dataset names translated."""
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="week"), NOW)
	output = report_output(result, lambda text: f"«{text}»")
	groups = [row for row in output.data if row["indent"] == 0]
	chart = output.chart
	assert chart["type"] == "bar" and chart["fieldtype"] == "Int"
	assert chart["data"]["labels"] == [g["label"] for g in groups]
	datasets = chart["data"]["datasets"]
	assert [d["name"] for d in datasets] == ["«Calls»", "«Negotiations Started»", "«Without Outcome»"]
	for dataset, key in zip(datasets, ("calls", "negotiations", "without_outcome"), strict=True):
		assert dataset["values"] == [g[key] for g in groups]
		assert all(type(value) is int for value in dataset["values"])
	assert len(chart["colors"]) == len(datasets) and chart["colors"][2] == "red"
	assert sum(datasets[2]["values"]) > 0


def test_no_calls_no_chart(db):
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6)), NOW)
	output = report_output(result, str)
	assert output.data == [] and output.chart is None


def test_ratios_read_with_one_decimal():
	"""83.3 %, not 83.333 %: the ratio columns and summary items carry precision 1, their values one decimal."""
	filters = CallFilters(WEEK, WEEK + timedelta(days=6))
	managers = pd.DataFrame([{"manager": A, "period": None, "calls": 3, "with_outcome": 2, "without_outcome": 1,
		"outcome_pct": 66.66666, "negotiations": 1, "negotiations_per_10": 3.33333, "incoming": 3, "outgoing": 0,
		"answered": 3, "meetings": 0, "deals": 0, "won": 0}])  # fmt: skip
	total = managers.iloc[0].to_dict()
	output = report_output(CallOutcomeResult(filters, managers.assign(period=WEEK), managers, total), str)
	columns = {c["fieldname"]: c for c in output.columns}
	assert (columns["outcome_pct"]["fieldtype"], columns["outcome_pct"]["precision"]) == ("Percent", 1)
	assert (columns["negotiations_per_10"]["fieldtype"], columns["negotiations_per_10"]["precision"]) == (
		"Float",
		1,
	)
	assert "precision" not in columns["calls"]
	summary = {item["label"]: item for item in output.summary}
	assert summary["With Outcome %"] == {"label": "With Outcome %", "value": 66.7, "datatype": "Percent",
		"precision": 1, "indicator": "Red"}  # fmt: skip
	assert (
		summary["Negotiations per 10 Calls"]["value"],
		summary["Negotiations per 10 Calls"]["precision"],
	) == (3.3, 1)


def test_the_figures_round_the_ratios_to_one_decimal(db):
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="day"), NOW)
	for frame in (result.rows, result.managers):
		for key in ("outcome_pct", "negotiations_per_10"):
			assert all(round(value, 1) == value for value in frame[key])
