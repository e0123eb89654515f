"""The Stage Conversion report's output for Frappe's query report: columns, rows, chart and summary.

Pure shaping, no frappe import: the Frappe layer (`report/stage_conversion/stage_conversion.py`, through
`report.stage_conversion_output`) passes `frappe._` as `translate` and returns what `build_report` gives it. The
dicts follow Frappe's contract (`frappe/desk/query_report.py`, `generate_report_result`):

- columns: `{"label", "fieldname", "fieldtype", "width"}`;
- rows: dicts keyed by fieldname, JSON-safe (no NaN, no numpy scalars). When the report is sliced every row has
  `indent` (Frappe's Desk turns a report into a tree as soon as one row has it): one parent row per slice
  (`indent` 0, `is_group` 1, its totals) followed by its stage rows (`indent` 1, `parent_slice` = the
  parent's label), the whole funnel first;
- chart: a Frappe Charts bar chart `{"data": {"labels", "datasets": [{"name", "values"}]}, "type": "bar", ...}`
  (`engine.charts.chart`);
- report summary: `{"value", "label", "datatype", "indicator"}` items (`frappe.utils.build_summary_item`).

Percentages, points and days are shown with one decimal (`"precision": 1`, values rounded so, `engine.charts`);
the gap and the change are the differences of the rounded figures, so that the row adds up as it reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sales_funnel.engine.charts import COLORS, PERCENT_PRECISION, chart, dataset, one_decimal, percent_item
from sales_funnel.engine.conversion.call_received import CALL_KIND
from sales_funnel.engine.conversion.stages import NOT_SET, WHOLE, ConversionResult
from sales_funnel.engine.i18n import _

Translate = Callable[[str], str]

ALL_DEALS = _("All Deals")
PREVIOUS = _("{0}, previous period")
# Select-type slices whose values are the doctype's option strings, translatable like any Select value
TRANSLATED_SLICES = ("customer_kind", "temperature", "reassigned")

_INDICATOR_GOOD, _INDICATOR_BAD = "Green", "Red"


@dataclass(frozen=True)
class Column:
	fieldname: str
	label: str
	fieldtype: str
	width: int

	def as_dict(self, translate: Translate) -> dict[str, Any]:
		column = {
			"fieldname": self.fieldname,
			"label": translate(self.label),
			"fieldtype": self.fieldtype,
			"width": self.width,
		}
		if self.fieldtype in ("Percent", "Float"):  # 49.8 %, 3.5 pp, 12.4 days
			column["precision"] = PERCENT_PRECISION
		return column


COLUMNS = (
	Column("stage", _("Stage"), "Data", 220),
	Column("entered", _("Entered"), "Int", 90),
	Column("moved_on", _("Moved On"), "Int", 95),
	Column("conversion_to_next", _("Conversion to Next %"), "Percent", 120),
	Column("conversion_from_entry", _("Conversion from Entry %"), "Percent", 130),
	Column("target_conversion", _("Target %"), "Percent", 90),
	Column("gap", _("Gap (pp)"), "Float", 90),
	Column("lost", _("Lost Here"), "Int", 90),
	Column("top_lost_reasons", _("Top Lost Reasons"), "Data", 260),
	Column("open", _("Open Here"), "Int", 90),
	Column("stale", _("Stale Here"), "Int", 90),
	Column("avg_days", _("Avg Days in Stage"), "Float", 120),
	Column("median_days", _("Median Days in Stage"), "Float", 130),
)
PREVIOUS_COLUMNS = (
	Column("previous_entered", _("Previous Entered"), "Int", 110),
	Column("previous_conversion", _("Previous Conversion to Next %"), "Percent", 150),
	Column("change", _("Change (pp)"), "Float", 100),
)


@dataclass
class ReportOutput:
	columns: list[dict[str, Any]]
	data: list[dict[str, Any]]
	chart: dict[str, Any] | None
	summary: list[dict[str, Any]]


# ---------------------------------------------------------------------------------------------- columns
def report_columns(compare_previous: bool, translate: Translate) -> list[dict[str, Any]]:
	columns = COLUMNS + (PREVIOUS_COLUMNS if compare_previous else ())
	return [column.as_dict(translate) for column in columns]


# ------------------------------------------------------------------------------------------------- rows
def report_data(
	result: ConversionResult,
	translate: Translate,
	slice_label: Callable[[str], str] | None = None,
) -> list[dict[str, Any]]:
	"""Rows for the Desk: the whole funnel's stages, or (sliced) a tree of slice rows and their stages.

	`slice_label` turns a slice value into the text shown (e.g. a user id into a full name); Select-type slices
	and "(not set)" are translated."""
	sliced = bool(result.filters.slice_by)
	compare = result.filters.compare_previous and result.previous_stages is not None
	current = _by_slice(result.stages)
	previous = _by_slice(result.previous_stages) if compare else {}
	previous_totals = _totals_by_slice(result.previous_totals) if compare else {}
	totals = _totals_by_slice(result.totals)
	rows: list[dict[str, Any]] = []
	for key in current:
		label = _slice_text(key, result.filters.slice_by, translate, slice_label)
		if sliced:
			rows.append(_slice_row(label, totals.get(key, {}), previous_totals.get(key) if compare else None))
		for stage in current[key].values():
			row = _stage_row(stage, translate)
			if compare:
				_add_previous(row, previous.get(key, {}).get(stage["stage"]))
			if sliced:
				row["indent"] = 1
				row["parent_slice"] = label
			rows.append(row)
	return rows


def _by_slice(frame: pd.DataFrame | None) -> dict[str, dict[str, dict[str, Any]]]:
	"""slice -> stage -> row, in the engine's order (the whole funnel first, stages in funnel order)."""
	out: dict[str, dict[str, dict[str, Any]]] = {}
	if frame is None or frame.empty:
		return out
	for record in frame.to_dict("records"):
		out.setdefault(record["slice"], {})[record["stage"]] = _plain(record)
	return out


def _totals_by_slice(frame: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
	if frame is None or frame.empty:
		return {}
	return {record["slice"]: _plain(record) for record in frame.to_dict("records")}


def _plain(record: Mapping[str, Any]) -> dict[str, Any]:
	"""JSON-safe values: NaN -> None, numpy scalars -> int/float, integral counts stay int."""
	out = {}
	for key, value in record.items():
		if value is None or (isinstance(value, float) and math.isnan(value)):
			out[key] = None
		elif hasattr(value, "item"):  # numpy scalar
			item = value.item()
			out[key] = None if isinstance(item, float) and math.isnan(item) else item
		else:
			out[key] = value
	return out


def _slice_text(
	key: str, slice_by: str | None, translate: Translate, slice_label: Callable[[str], str] | None
) -> str:
	if key == WHOLE:
		return translate(ALL_DEALS)
	if key == NOT_SET:
		return translate(NOT_SET)
	if slice_by in TRANSLATED_SLICES:
		return translate(key)
	return slice_label(key) if slice_label else key


def _count(value: Any) -> int | None:
	return None if value is None else int(value)


def _stage_label(stage: Mapping[str, Any], translate: Translate) -> str:
	"""A stage's name as shown: the funnel's own stage names as they are, the app's Call Received row translated."""
	return translate(stage["stage"]) if stage["kind"] == CALL_KIND else stage["stage"]


def _stage_row(stage: Mapping[str, Any], translate: Translate) -> dict[str, Any]:
	return {
		"stage": _stage_label(stage, translate),
		"kind": stage["kind"],
		"entered": _count(stage["entered"]),
		"moved_on": _count(stage["moved_on"]),
		"conversion_to_next": one_decimal(stage["conversion_to_next"]),
		"conversion_from_entry": one_decimal(stage["conversion_from_entry"]),
		"target_conversion": one_decimal(stage["target_conversion"]),
		"gap": _difference(stage["conversion_to_next"], stage["target_conversion"]),
		"lost": _count(stage["lost"]),
		"top_lost_reasons": _translate_not_set(stage["top_lost_reasons"] or "", translate),
		"open": _count(stage["open"]),
		"stale": _count(stage["stale"]),
		"avg_days": one_decimal(stage["avg_days"]),
		"median_days": one_decimal(stage["median_days"]),
	}


def _translate_not_set(text: str, translate: Translate) -> str:
	"""The engine writes the reasons as one string; the only fixed text in it is "(not set)"."""
	return text.replace(NOT_SET, translate(NOT_SET)) if NOT_SET in text else text


def _slice_row(label: str, total: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
	"""A slice's parent row: Entered, Won (in Moved On: out of the funnel), overall conversion (in Conversion
	from Entry), lost/open/stale totals and the funnel length (in the days columns)."""
	row: dict[str, Any] = {
		"stage": label,
		"is_group": 1,
		"indent": 0,
		"parent_slice": "",
		"entered": _count(total.get("entered")),
		"moved_on": _count(total.get("won")),
		"conversion_to_next": None,
		"conversion_from_entry": one_decimal(total.get("overall_conversion")),
		"target_conversion": None,
		"gap": None,
		"lost": _count(total.get("lost")),
		"top_lost_reasons": "",
		"open": _count(total.get("open")),
		"stale": _count(total.get("stale")),
		"avg_days": one_decimal(total.get("avg_funnel_days")),
		"median_days": one_decimal(total.get("median_funnel_days")),
	}
	if previous is not None:
		row["previous_entered"] = _count(previous.get("entered"))
		row["previous_conversion"] = one_decimal(previous.get("overall_conversion"))
		row["change"] = _difference(total.get("overall_conversion"), previous.get("overall_conversion"))
	return row


def _add_previous(row: dict[str, Any], previous: Mapping[str, Any] | None) -> None:
	row["previous_entered"] = _count(previous["entered"]) if previous else None
	row["previous_conversion"] = one_decimal(previous["conversion_to_next"]) if previous else None
	row["change"] = _difference(row["conversion_to_next"], row["previous_conversion"])


def _difference(current: float | None, previous: float | None) -> float | None:
	"""Points between two percentages as shown (each to one decimal), to one decimal."""
	if current is None or previous is None:
		return None
	return one_decimal(one_decimal(current) - one_decimal(previous))


# ------------------------------------------------------------------------------------------------ chart
def report_chart(result: ConversionResult, translate: Translate) -> dict[str, Any] | None:
	"""Bar chart of Entered per stage of the whole funnel, with the previous period beside it when compared."""
	whole = _by_slice(result.stages).get(WHOLE, {})
	stages = list(whole)
	entered = translate(_("Entered"))
	datasets = [dataset(entered, (whole[s]["entered"] for s in stages))]
	if result.filters.compare_previous and result.previous_stages is not None:
		before = _by_slice(result.previous_stages).get(WHOLE, {})
		previous = (before.get(s, {}).get("entered") for s in stages)
		datasets.append(dataset(translate(PREVIOUS).format(entered), previous))
	labels = [_stage_label(whole[s], translate) for s in stages]
	return chart(labels, datasets, colors=(COLORS[0], "light-blue")[: len(datasets)])


# ---------------------------------------------------------------------------------------------- summary
@dataclass(frozen=True)
class _Figure:
	key: str
	label: str
	datatype: str
	higher_is_better: bool = True


_FIGURES = (
	_Figure("entered", _("Entered"), "Int"),
	_Figure("won", _("Won"), "Int"),
	_Figure("overall_conversion", _("Overall Conversion"), "Percent"),
	_Figure("median_funnel_days", _("Median Funnel Length (days)"), "Float", higher_is_better=False),
	_Figure("won_amount", _("Won Amount"), "Currency"),
)


def report_summary(
	result: ConversionResult, translate: Translate, currency: str | None = None
) -> list[dict[str, Any]]:
	"""Whole-funnel figures; with the previous period, each figure's previous value follows it and the current
	value is green when it improved and red when it got worse."""
	total = _plain(result.total(WHOLE))
	compare = result.filters.compare_previous and result.previous_totals is not None
	before = _totals_by_slice(result.previous_totals).get(WHOLE, {}) if compare else {}
	items: list[dict[str, Any]] = []
	for figure in _FIGURES:
		item = _summary_item(total.get(figure.key), translate(figure.label), figure.datatype, currency)
		items.append(item)
		if compare:
			label = translate(PREVIOUS).format(translate(figure.label))
			old = _summary_item(before.get(figure.key), label, figure.datatype, currency)
			# as shown: figures equal to their decimal have no trend
			indicator = _trend(item["value"], old["value"], figure.higher_is_better)
			if indicator:
				item["indicator"] = indicator
			items.append(old)
	if result.funnel.starts_with_calls:
		items.append(_summary_item(total.get("calls"), translate(_("Calls Received")), "Int", currency))
		items.append(percent_item(total.get("call_conversion"), translate(_("Calls That Became Deals"))))
	stale = int(total.get("stale") or 0)
	stale_item = _summary_item(stale, translate(_("Stale Deals")), "Int", currency)
	stale_item["indicator"] = _INDICATOR_BAD if stale > 0 else _INDICATOR_GOOD
	items.append(stale_item)
	return items


def _summary_item(value: Any, label: str, datatype: str, currency: str | None) -> dict[str, Any]:
	if datatype == "Percent":
		return percent_item(value, label)
	if datatype == "Int" and value is not None:
		value = int(value)
	item: dict[str, Any] = {"value": value, "label": label, "datatype": datatype}
	if datatype == "Float":
		item.update(value=one_decimal(value), precision=PERCENT_PRECISION)
	if datatype == "Currency" and currency:
		item["currency"] = currency
	return item


def _trend(current: Any, previous: Any, higher_is_better: bool) -> str | None:
	if current is None or previous is None or current == previous:
		return None
	better = current > previous if higher_is_better else current < previous
	return _INDICATOR_GOOD if better else _INDICATOR_BAD


# ------------------------------------------------------------------------------------------------ whole
def build_report(
	result: ConversionResult,
	translate: Translate,
	*,
	currency: str | None = None,
	slice_label: Callable[[str], str] | None = None,
) -> ReportOutput:
	return ReportOutput(
		columns=report_columns(result.filters.compare_previous, translate),
		data=report_data(result, translate, slice_label),
		chart=report_chart(result, translate),
		summary=report_summary(result, translate, currency),
	)
