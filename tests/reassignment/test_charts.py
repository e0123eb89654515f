"""The Stale Deals and Manager Ranking charts: drawn from the report's rows, so each bar is a count or a figure of
the table (`engine/reassignment/charts.py`)."""

from __future__ import annotations

import json
from datetime import timedelta

from sales_funnel.engine.reassignment.charts import MAX_OWNERS, ranking_chart, stale_deals_chart
from sales_funnel.engine.reassignment.report import stale_deals_report
from sales_funnel.engine.scope import DealScope
from tests.reassignment.builders import T0, stale

NOW = T0 + timedelta(days=10)


def mark(text: str) -> str:
	return f"«{text}»"


def row(owner: str | None, stage: str, name: str | None = None) -> dict:
	return {"owner": owner, "owner_name": name, "stage": stage}


def test_stale_deals_per_owner_stacked_by_stage():
	rows = [row("a@x", "Qualification", "Ann"), row("a@x", "Proposal", "Ann"), row("a@x", "Qualification", "Ann"),
		row("b@x", "Proposal", "Bob"), row(None, "Qualification")]  # fmt: skip
	chart = stale_deals_chart(rows, mark)
	assert chart["data"]["labels"] == ["Ann", "Bob", "«(not set)»"]  # most stale deals first
	assert chart["barOptions"] == {"stacked": 1} and chart["fieldtype"] == "Int"
	datasets = {d["name"]: d["values"] for d in chart["data"]["datasets"]}
	assert list(datasets) == ["Qualification", "Proposal"]
	assert datasets == {"Qualification": [2, 0, 1], "Proposal": [1, 1, 0]}
	# every row is in exactly one bar
	assert sum(sum(values) for values in datasets.values()) == len(rows)
	assert stale_deals_chart([], mark) is None


def test_owners_past_the_limit_share_one_bar():
	rows = [
		row(f"u{n:02}@x", "S", f"User {n:02}") for n in range(MAX_OWNERS + 5) for _ in range(1 + (n == 0))
	]
	chart = stale_deals_chart(rows, mark)
	labels, (values,) = chart["data"]["labels"], [d["values"] for d in chart["data"]["datasets"]]
	assert len(labels) == MAX_OWNERS and labels[0] == "User 00" and labels[-1] == "«Other Owners»"
	assert values[0] == 2 and values[-1] == 6  # the 6 owners past the first 14
	assert sum(values) == len(rows)


def test_the_ranking_chart_is_the_ranked_managers_conversion_in_rank_order():
	data = [
		{"rank": 2, "user": "b@x", "full_name": "Bob", "rate": 45.25},
		{"rank": None, "user": "c@x", "full_name": "", "rate": None},
		{"rank": 1, "user": "a@x", "full_name": None, "rate": 80.0},
	]
	chart = ranking_chart(data, mark)
	assert chart["data"]["labels"] == ["a@x", "Bob"]
	assert chart["data"]["datasets"] == [{"name": "«Conversion %»", "values": [80.0, 45.2]}]
	assert "fieldtype" not in chart  # percentages: the rounded value is the tooltip
	assert ranking_chart(data[1:2], mark) is None
	json.dumps(chart, allow_nan=False)


def test_the_stale_deals_report_returns_the_chart_of_its_rows(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	stale(db, funnel, "D2", moved_at=T0 - timedelta(days=10), owner="a@x.com")
	stale(db, funnel, "D3", owner="b@x.com")
	_columns, data, message, chart = stale_deals_report(
		db, NOW, {"funnel": "F"}, DealScope(), mark, lambda user: user.split("@")[0].title()
	)
	assert message is None and chart == stale_deals_chart(data, mark)
	assert chart["data"]["labels"] == ["A", "B"]
	assert [d["values"] for d in chart["data"]["datasets"]] == [[2, 1]]
	json.dumps(chart, allow_nan=False)
