"""The Call Outcomes report's output for Frappe's query report: columns, rows (a tree: each manager's totals,
then the manager's periods), a chart comparing managers and a summary. `translate` is `frappe._`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sales_funnel.engine.calls.figures import CallOutcomeResult
from sales_funnel.engine.calls.filters import NOT_SET
from sales_funnel.engine.charts import (
	COLORS,
	PERCENT_PRECISION,
	WARNING,
	chart,
	dataset,
	one_decimal,
	percent_item,
)
from sales_funnel.engine.i18n import _

Translate = Callable[[str], str]


@dataclass
class CallReportOutput:
	columns: list[dict[str, Any]]
	data: list[dict[str, Any]]
	chart: dict[str, Any] | None
	summary: list[dict[str, Any]]


COLUMN_LABELS = {
	"calls": _("Calls"),
	"incoming": _("Incoming"),
	"outgoing": _("Outgoing"),
	"answered": _("Answered"),
	"with_outcome": _("With Outcome"),
	"without_outcome": _("Without Outcome"),
	"outcome_pct": _("With Outcome %"),
	"negotiations": _("Negotiations Started"),
	"negotiations_per_10": _("Negotiations per 10 Calls"),
	"meetings": _("Meetings Booked"),
	"deals": _("Deals from Calls"),
	"won": _("Deals Won"),
}
# the ratio columns, shown with one decimal (83.3 %, 2.4 per 10 calls); the others are counts
RATIOS = {"outcome_pct": "Percent", "negotiations_per_10": "Float"}


def report_output(
	result: CallOutcomeResult, translate: Translate, full_name: Callable[[str], str] | None = None
) -> CallReportOutput:
	"""Columns, rows, chart and summary; `full_name(user)` names a manager (the user id when not given)."""
	data = report_rows(result, translate, full_name or (lambda user: user))
	return CallReportOutput(
		report_columns(translate),
		data,
		report_chart(result, data, translate),
		report_summary(result, translate),
	)


def report_columns(translate: Translate) -> list[dict[str, Any]]:
	columns: list[dict[str, Any]] = [
		{"fieldname": "label", "label": translate("Manager / Period"), "fieldtype": "Data", "width": 200},
		{
			"fieldname": "manager",
			"label": translate("Manager"),
			"fieldtype": "Link",
			"options": "User",
			"hidden": 1,
		},
		{"fieldname": "period", "label": translate("Period"), "fieldtype": "Date", "hidden": 1},
	]
	for key, label in COLUMN_LABELS.items():
		column = {"fieldname": key, "label": translate(label), "fieldtype": "Int", "width": 110}
		if key in RATIOS:  # one decimal: 83.3 %, 2.4 per 10 calls
			column.update(fieldtype=RATIOS[key], precision=PERCENT_PRECISION)
		columns.append(column)
	return columns


def report_rows(
	result: CallOutcomeResult, translate: Translate, name_of: Callable[[str], str]
) -> list[dict[str, Any]]:
	"""Each manager's row (indent 0, a group), then the manager's periods (indent 1); (not set) last."""
	data: list[dict[str, Any]] = []
	for manager in result.managers.itertuples(index=False):
		manager_row = manager._asdict()
		is_nobody = manager_row["manager"] == NOT_SET
		label = translate(NOT_SET) if is_nobody else name_of(manager_row["manager"]) or manager_row["manager"]
		data.append({**manager_row, "manager": "" if is_nobody else manager_row["manager"], "label": label,
			"indent": 0, "is_group": 1})  # fmt: skip
		periods = result.rows[result.rows["manager"] == manager_row["manager"]]
		for row in periods.itertuples(index=False):
			values = row._asdict()
			data.append({**values, "manager": "" if is_nobody else values["manager"],
				"label": str(values["period"]), "parent_label": label, "indent": 1})  # fmt: skip
	return data


def report_chart(
	result: CallOutcomeResult, data: list[dict[str, Any]], translate: Translate
) -> dict[str, Any] | None:
	"""Calls, negotiations and calls without an outcome per manager (labelled like the managers' rows)."""
	managers = result.managers
	return chart(
		[row["label"] for row in data if row.get("indent") == 0],
		[
			dataset(translate("Calls"), managers["calls"]),
			dataset(translate("Negotiations Started"), managers["negotiations"]),
			dataset(translate("Without Outcome"), managers["without_outcome"]),
		],
		colors=(COLORS[0], COLORS[1], WARNING),
	)


def report_summary(result: CallOutcomeResult, translate: Translate) -> list[dict[str, Any]]:
	total = result.total
	outcome_pct = one_decimal(total.get("outcome_pct")) or 0.0
	return [
		{"label": translate("Calls"), "value": int(total.get("calls") or 0), "datatype": "Int"},
		percent_item(outcome_pct, translate("With Outcome %"), indicator="Green" if outcome_pct >= 90 else "Red"),
		{"label": translate("Negotiations per 10 Calls"), "value": one_decimal(total.get("negotiations_per_10")) or 0.0,
			"datatype": "Float", "precision": PERCENT_PRECISION},
		{"label": translate("Deals from Calls"), "value": int(total.get("deals") or 0), "datatype": "Int"},
		{"label": translate("Deals Won"), "value": int(total.get("won") or 0), "datatype": "Int"},
	]  # fmt: skip
