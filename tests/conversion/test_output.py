"""The Stage Conversion report's output (columns, rows, tree, chart, summary) on the demo company."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from sales_funnel.engine.conversion.filters import ConversionFilters, conversion_filters
from sales_funnel.engine.conversion.output import (
	ALL_DEALS,
	COLUMNS,
	PREVIOUS_COLUMNS,
	build_report,
	report_columns,
)
from sales_funnel.engine.conversion.report import stage_conversion, stage_conversion_output
from sales_funnel.engine.conversion.stages import NOT_SET, WHOLE, ConversionResult
from sales_funnel.engine.funnels.stages import Funnel, Stage

NOW = datetime(2026, 11, 1, 18)
COMPANY = "Demo Trading"
PERIOD = {"from_date": date(2026, 4, 1), "to_date": date(2026, 6, 30)}


def mark(text: str) -> str:
	"""A visible stand-in for frappe._: proves every label went through the callback."""
	return f"«{text}»"


def identity(text: str) -> str:
	return text


def run(db, *, translate=identity, slice_label=None, currency="PLN", **raw):
	filters = conversion_filters({"company": COMPANY, **PERIOD, **raw})
	result = stage_conversion(db, filters, now=NOW)
	return result, build_report(result, translate, currency=currency, slice_label=slice_label)


def json_safe(value) -> str:
	return json.dumps(value, allow_nan=False)  # raises on NaN / numpy scalars


# ---------------------------------------------------------------------------------------------- columns
def test_columns_are_frappe_columns_with_translated_labels():
	plain, compared = report_columns(False, mark), report_columns(True, mark)
	assert [c["fieldname"] for c in plain] == [c.fieldname for c in COLUMNS]
	assert [c["fieldname"] for c in compared] == [c.fieldname for c in COLUMNS + PREVIOUS_COLUMNS]
	assert len({c["fieldname"] for c in compared}) == len(compared)
	for column in compared:
		decimal = column["fieldtype"] in ("Percent", "Float")  # 49.8 %, 3.5 pp, 12.4 days
		assert set(column) == {"fieldname", "label", "fieldtype", "width"} | (
			{"precision"} if decimal else set()
		)
		assert column.get("precision") == (1 if decimal else None)
		assert column["label"].startswith("«") and column["label"].endswith("»")
		assert column["fieldtype"] in {"Data", "Int", "Percent", "Float", "Currency"}


# ------------------------------------------------------------------------------------------------- rows
def test_unsliced_rows_are_the_whole_funnel_flat(demo_db):
	result, out = run(demo_db)
	whole = result.whole()
	assert [r["stage"] for r in out.data] == list(whole["stage"])
	assert [r["entered"] for r in out.data] == [int(v) for v in whole["entered"]]
	assert all("indent" not in r for r in out.data)  # Frappe's Desk makes a tree as soon as one row has it
	fieldnames = {c["fieldname"] for c in out.columns}
	assert all(fieldnames <= set(row) for row in out.data)
	json_safe(out.data)
	for row in out.data:
		for key in ("entered", "lost", "open", "stale"):
			assert type(row[key]) is int
	won = out.data[-1]
	assert won["kind"] == "Won" and won["moved_on"] is None and won["conversion_to_next"] is None
	first = out.data[0]
	assert first["moved_on"] == out.data[1]["entered"]


def test_sliced_rows_are_a_tree_with_the_whole_funnel_first(demo_db):
	result, out = run(demo_db, slice_by="Lead Temperature", translate=mark)
	stages = len(result.funnel.progress_stages)
	parents = [r for r in out.data if r["indent"] == 0]
	assert out.data[0] is parents[0] and parents[0]["stage"] == mark(ALL_DEALS)
	assert len(parents) == len(result.totals)
	assert len(out.data) == len(parents) * (stages + 1)
	parent = None
	for row in out.data:
		if row["indent"] == 0:
			parent = row
			assert row["is_group"] == 1 and row["parent_slice"] == ""
		else:
			assert row["indent"] == 1 and row["parent_slice"] == parent["stage"]
	whole_total = result.total(WHOLE)
	assert parents[0]["entered"] == whole_total["entered"]
	assert parents[0]["moved_on"] == whole_total["won"]
	assert parents[0]["conversion_from_entry"] == round(whole_total["overall_conversion"], 1)
	# every deal is in exactly one slice, so the slice rows add up to the whole
	assert sum(p["entered"] for p in parents[1:]) == parents[0]["entered"]
	assert sum(p["moved_on"] for p in parents[1:]) == parents[0]["moved_on"]
	# Select values of the temperature slice go through translation
	assert {p["stage"] for p in parents[1:]} <= {mark(t) for t in ("Cold", "Warm", "Hot")}
	json_safe(out.data)


def test_slice_label_callback_names_the_managers(demo_db):
	_, out = run(demo_db, slice_by="manager", slice_label=lambda user: f"Name of {user}")
	parents = [r for r in out.data if r["indent"] == 0]
	assert len(parents) > 2
	assert all(p["stage"].startswith("Name of ") for p in parents[1:])
	children = [r for r in out.data if r["indent"] == 1 and r["parent_slice"] != ALL_DEALS]
	assert all(r["parent_slice"].startswith("Name of ") for r in children)


def test_previous_period_columns_compare_stage_by_stage(demo_db):
	result, out = run(demo_db, compare_previous=1, slice_by="channel")
	previous = result.previous_stages.set_index(["slice", "stage"])
	assert {c["fieldname"] for c in out.columns} >= {"previous_entered", "previous_conversion", "change"}
	whole_rows = [r for r in out.data if r.get("parent_slice") == ALL_DEALS]
	for row in whole_rows:
		assert row["previous_entered"] == int(previous.loc[(WHOLE, row["stage"]), "entered"])
		if row["conversion_to_next"] is not None and row["previous_conversion"] is not None:
			# the difference of the figures as shown, so the row adds up as it reads
			assert row["change"] == round(row["conversion_to_next"] - row["previous_conversion"], 1)
	assert any(r["change"] not in (None, 0) for r in whole_rows)
	json_safe(out.data)


def test_gap_is_conversion_minus_target(demo_db):
	_, out = run(demo_db)
	for row in out.data:
		if row["gap"] is not None:
			assert row["gap"] == round(row["conversion_to_next"] - row["target_conversion"], 1)
	assert any(r["gap"] is not None for r in out.data)


# ------------------------------------------------------------------------------------------------ chart
def test_chart_is_a_frappe_bar_chart_of_entered_per_stage(demo_db):
	result, out = run(demo_db, compare_previous=True, translate=mark)
	chart = out.chart
	assert chart["type"] == "bar" and chart["fieldtype"] == "Int"
	assert chart["data"]["labels"] == list(result.whole()["stage"])
	assert len(chart["colors"]) == 2
	current, before = chart["data"]["datasets"]
	assert current["name"] == mark("Entered") and mark("Entered") in before["name"]
	assert current["values"] == [int(v) for v in result.whole()["entered"]]
	previous_whole = result.previous_stages[result.previous_stages["slice"] == WHOLE]
	assert before["values"] == [int(v) for v in previous_whole["entered"]]
	json_safe(chart)
	_, plain = run(demo_db)
	assert len(plain.chart["data"]["datasets"]) == 1


def test_empty_period_gives_zero_rows_and_no_crash(demo_db):
	_, out = run(demo_db, from_date=date(2030, 1, 1), to_date=date(2030, 1, 31), compare_previous=True)
	assert all(r["entered"] == 0 for r in out.data)
	json_safe([out.data, out.chart, out.summary])


def test_percentages_and_days_read_with_one_decimal(demo_db):
	"""Rows: every Percent and Float figure rounded to one decimal, the engine's to two; some really rounded."""
	result, out = run(demo_db, compare_previous=True, slice_by="channel")
	decimals = [c["fieldname"] for c in out.columns if c["fieldtype"] in ("Percent", "Float")]
	figures = [row[key] for row in out.data for key in decimals if row.get(key) is not None]
	assert figures and all(round(value, 1) == value for value in figures)
	whole = result.whole().set_index("stage")
	shown = {row["stage"]: row for row in out.data if row.get("parent_slice") == ALL_DEALS}
	pairs = [(shown[stage]["conversion_to_next"], whole.loc[stage, "conversion_to_next"]) for stage in shown]
	pairs = [(a, b) for a, b in pairs if not pd.isna(b)]
	assert all(a == round(b, 1) for a, b in pairs)
	assert any(a != b for a, b in pairs)  # the engine's figure had a second decimal


# ---------------------------------------------------------------------------------------------- summary
def test_summary_percentages_and_days_have_one_decimal(demo_db):
	result, out = run(demo_db, compare_previous=True)
	total = result.total(WHOLE)
	by_label = {item["label"]: item for item in out.summary}
	conversion = by_label["Overall Conversion"]
	assert conversion["value"] == round(total["overall_conversion"], 1)
	assert (conversion["datatype"], conversion["precision"]) == ("Percent", 1)
	length = by_label["Median Funnel Length (days)"]
	assert (length["value"], length["precision"]) == (round(total["median_funnel_days"], 1), 1)
	previous = by_label["Overall Conversion, previous period"]
	assert previous["precision"] == 1 and round(previous["value"], 1) == previous["value"]


def test_summary_items_follow_frappes_format(demo_db):
	result, out = run(demo_db, translate=mark)
	total = result.total(WHOLE)
	by_label = {item["label"]: item for item in out.summary}
	assert by_label[mark("Entered")]["value"] == total["entered"]
	assert by_label[mark("Won")]["value"] == total["won"]
	assert by_label[mark("Overall Conversion")]["datatype"] == "Percent"
	assert by_label[mark("Median Funnel Length (days)")]["datatype"] == "Float"
	amount = by_label[mark("Won Amount")]
	assert amount["datatype"] == "Currency" and amount["currency"] == "PLN"
	stale = by_label[mark("Stale Deals")]
	assert stale["indicator"] == ("Red" if total["stale"] > 0 else "Green")
	for item in out.summary:
		assert {"value", "label", "datatype"} <= set(item)
		assert item.get("indicator", "Green") in {"Green", "Red", "Blue"}
	json_safe(out.summary)


def test_summary_with_previous_period_shows_both_and_the_trend(demo_db):
	result, out = run(demo_db, compare_previous=True)
	now_total, before = result.total(WHOLE), result.previous_totals.iloc[0].to_dict()
	labels = [item["label"] for item in out.summary]
	assert labels.index("Entered, previous period") == labels.index("Entered") + 1
	entered = out.summary[labels.index("Entered")]
	if now_total["entered"] != before["entered"]:
		assert entered["indicator"] == ("Green" if now_total["entered"] > before["entered"] else "Red")
	length = out.summary[labels.index("Median Funnel Length (days)")]
	if now_total["median_funnel_days"] != before["median_funnel_days"]:
		shorter = now_total["median_funnel_days"] < before["median_funnel_days"]
		assert length["indicator"] == ("Green" if shorter else "Red")
	json_safe(out.summary)


# -------------------------------------------------------------------------------- hand-built result
def test_not_set_is_translated_in_slice_labels_and_lost_reasons():
	funnel = Funnel("F", "C", (Stage("A"), Stage("W", kind="Won"), Stage("L", kind="Lost")))
	filters = ConversionFilters(date(2026, 1, 1), date(2026, 1, 31), slice_by="channel")
	stage = {
		"position": 1, "stage": "A", "kind": "Open", "entered": 2, "moved_on": 1.0, "conversion_to_next": 50.0,
		"conversion_from_entry": 100.0, "target_conversion": float("nan"), "gap": float("nan"), "lost": 1,
		"top_lost_reasons": f"{NOT_SET} (1)", "open": 0, "stale": 0, "time_limit_days": float("nan"),
		"avg_days": 1.5, "median_days": 1.5,
	}  # fmt: skip
	won = {**stage, "position": 2, "stage": "W", "kind": "Won", "entered": 1, "moved_on": float("nan"),
		"conversion_to_next": float("nan"), "conversion_from_entry": 50.0, "lost": 0, "top_lost_reasons": ""}  # fmt: skip
	stages = pd.DataFrame([{**s, "slice": key} for key in (WHOLE, NOT_SET) for s in (stage, won)])
	totals = pd.DataFrame(
		[{"entered": 2, "won": 1, "lost": 1, "open": 0, "stale": 0, "overall_conversion": 50.0,
			"avg_funnel_days": 3.0, "median_funnel_days": 3.0, "won_amount": 10.0, "slice": key}
			for key in (WHOLE, NOT_SET)]
	)  # fmt: skip
	out = build_report(ConversionResult(funnel, filters, stages, totals), mark)
	assert [r["stage"] for r in out.data if r["indent"] == 0] == [mark(ALL_DEALS), mark(NOT_SET)]
	assert out.data[1]["top_lost_reasons"] == f"{mark(NOT_SET)} (1)"
	assert out.data[1]["target_conversion"] is None and out.data[2]["moved_on"] is None
	json_safe(out.data)


# ------------------------------------------------------------------------------------ the report's entry
def test_the_report_entry_asks_the_frappe_layer_about_the_company_shown(demo_db):
	"""`stage_conversion_output` (the report's `execute`): the company whose figures are shown is checked and its
	currency asked (the filter's, else the funnel's); the output is `build_report`'s."""
	checked, asked = [], []

	def output(**raw):
		return stage_conversion_output(
			demo_db,
			conversion_filters({**PERIOD, **raw}),
			now=NOW,
			scope=None,
			translate=identity,
			check_company=checked.append,
			currency_of=lambda company: asked.append(company) or "PLN",
			full_name=str.upper,
		)

	sliced = output(company=COMPANY, slice_by="Manager")
	assert checked == asked == [COMPANY]
	_, expected = run(demo_db, slice_by="Manager", slice_label=str.upper)
	assert sliced == expected
	assert {"label": "Won Amount", "currency": "PLN"}.items() <= sliced.summary[4].items()
	checked.clear()
	output()  # no company: the default funnel's
	funnel = stage_conversion(demo_db, conversion_filters(PERIOD), now=NOW).funnel
	assert checked == [funnel.company] and funnel.company

	def refuse(company):
		raise PermissionError(company)

	with pytest.raises(PermissionError):
		stage_conversion_output(
			demo_db,
			conversion_filters({**PERIOD, "company": COMPANY}),
			now=NOW,
			scope=None,
			translate=identity,
			check_company=refuse,
			currency_of=asked.append,
		)
