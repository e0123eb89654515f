"""What the reports' output modules share to show figures as people read them: Frappe charts and percentages.

- A chart is the dict Frappe's query report renders (`frappe/desk/query_report.py` passes it through;
  `query_report.js` `get_chart_options` draws it with Frappe Charts when it has labels):
  `{"data": {"labels", "datasets": [{"name", "values"}]}, "type", "colors", "fieldtype"}`. `fieldtype` (and for
  money `options: "currency"` with the chart's own `currency`) formats the tooltips through `frappe.format`, the
  chart being the `doc` the Currency formatter reads its currency from.
- A percentage is shown with one decimal: 49.8 %, not 49.750 % (the site's float precision, 3 by default, is what
  Frappe uses without one). Percent columns and summary items carry `"precision": 1`, and their values are rounded
  to one decimal in the data, so that a table, its export, a summary and a test read the same figure. A chart of
  percentages has no `fieldtype`: Frappe's tooltip formatter would ignore the precision, Frappe Charts shows the
  rounded value as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

PERCENT_PRECISION = 1

# Frappe Charts' named colours, in the order the datasets of one chart take them
COLORS = ("blue", "green", "orange", "purple", "red", "light-blue", "yellow", "grey")
# the colour of a figure that is bad news (calls without an outcome, stale deals, overdue payments)
WARNING = "red"


def one_decimal(value: Any) -> float | None:
	"""A percentage (or a difference of percentages, in points) as shown: one decimal; None for no figure."""
	if value is None:
		return None
	number = float(value)
	return None if math.isnan(number) else round(number, PERCENT_PRECISION)


def percent_column(fieldname: str, label: str, width: int, **extra: Any) -> dict[str, Any]:
	return {"fieldname": fieldname, "label": label, "fieldtype": "Percent", "width": width,
		"precision": PERCENT_PRECISION, **extra}  # fmt: skip


def percent_item(value: Any, label: str, **extra: Any) -> dict[str, Any]:
	"""A report summary item of a percentage (`frappe.utils.build_summary_item`'s keys, and its precision)."""
	return {"value": one_decimal(value), "label": label, "datatype": "Percent",
		"precision": PERCENT_PRECISION, **extra}  # fmt: skip


def dataset(name: str, values: Iterable[Any], kind: type = int) -> dict[str, Any]:
	"""A named series; `kind` (int, float or `one_decimal`) makes its values JSON-safe plain numbers."""
	return {"name": name, "values": [kind(value or 0) for value in values]}


def chart(
	labels: Sequence[str],
	datasets: Sequence[dict[str, Any]],
	*,
	kind: str = "bar",
	fieldtype: str | None = "Int",
	currency: str | None = None,
	colors: Sequence[str] | None = None,
	**options: Any,
) -> dict[str, Any] | None:
	"""A Frappe chart of `datasets` over `labels`; None when there is nothing to draw (no labels)."""
	if not labels:
		return None
	out: dict[str, Any] = {
		"data": {"labels": [str(label) for label in labels], "datasets": list(datasets)},
		"type": kind,
		"colors": list(colors or COLORS[: len(datasets)]),
		**options,
	}
	if fieldtype:
		out["fieldtype"] = fieldtype
	if fieldtype == "Currency":
		out["options"] = "currency"
		out["currency"] = currency
	return out
