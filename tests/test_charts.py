"""engine/charts.py: the Frappe chart dict and the one-decimal percentages the reports' output modules share."""

from __future__ import annotations

import json

import numpy as np

from sales_funnel.engine.charts import chart, dataset, one_decimal, percent_column, percent_item


def test_one_decimal_rounds_and_keeps_no_figure_as_none():
	assert one_decimal(49.75) == 49.8 and one_decimal(np.float64(33.333)) == 33.3
	assert one_decimal(None) is None and one_decimal(float("nan")) is None
	assert one_decimal(7) == 7.0


def test_percent_column_and_item_carry_the_precision():
	column = percent_column("share", "Share %", 90)
	assert column == {
		"fieldname": "share",
		"label": "Share %",
		"fieldtype": "Percent",
		"width": 90,
		"precision": 1,
	}
	item = percent_item(np.float64(49.75), "Share", indicator="Green")
	assert item == {
		"value": 49.8,
		"label": "Share",
		"datatype": "Percent",
		"precision": 1,
		"indicator": "Green",
	}
	assert percent_item(None, "Share")["value"] is None
	json.dumps(item, allow_nan=False)


def test_chart_is_frappes_dict_with_plain_numbers():
	out = chart(
		["a", "b"], [dataset("Calls", np.array([3, 4])), dataset("Share", [49.75, None], one_decimal)]
	)
	assert out["type"] == "bar" and out["fieldtype"] == "Int"
	assert out["data"] == {"labels": ["a", "b"], "datasets": [{"name": "Calls", "values": [3, 4]},
		{"name": "Share", "values": [49.8, 0]}]}  # fmt: skip
	assert out["colors"] == ["blue", "green"]
	assert all(type(v) is int for v in out["data"]["datasets"][0]["values"])
	json.dumps(out, allow_nan=False)


def test_money_chart_names_its_currency_for_the_tooltips():
	out = chart(["May"], [dataset("Paid", [10.5], float)], kind="line", fieldtype="Currency", currency="PLN")
	assert (out["type"], out["fieldtype"], out["options"], out["currency"]) == (
		"line",
		"Currency",
		"currency",
		"PLN",
	)


def test_a_chart_of_percentages_has_no_tooltip_fieldtype_and_nothing_to_draw_is_none():
	assert "fieldtype" not in chart(["a"], [dataset("Share", [1.2], one_decimal)], fieldtype=None)
	assert chart([], [dataset("Calls", [])]) is None
