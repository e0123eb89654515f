"""The Desk's shape of the sales reports (Frappe's query report contract): the columns, rows, chart and summary of
Plan vs Fact, Daily Payments and Invoices Without Deal, from what their engine functions return.

The Frappe layer passes a `Desk`: its translation function; which doctypes the session user may read (Frappe
checks every Link column's doctype against the user's permissions before it shows a report's rows, so a Link
column to a doctype the user cannot read is shown as plain text instead); and the company currency, which each
row carries in its `currency` field, the field every money column names (Frappe reads a Currency column's
`options` as the row field holding the currency).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sales_funnel.engine.charts import COLORS, PERCENT_PRECISION, WARNING, chart, dataset
from sales_funnel.engine.i18n import _
from sales_funnel.engine.sales.facts import NOT_CREDITED
from sales_funnel.engine.sales.payments import FIGURES
from sales_funnel.engine.sales.planfact import PlanFactResult
from sales_funnel.engine.sales.plans import CURRENCY_METRICS, METRIC_LABELS

Translate = Callable[[str], str]
Report = tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None, list[dict[str, Any]]]
MAX_PEOPLE = 20  # bars of the Plan vs Fact chart: more people than this are shown by their groups


def _reads_everything(_doctype: str) -> bool:
	return True


@dataclass(frozen=True)
class Desk:
	"""What a report's shape needs from the Frappe layer."""

	translate: Translate
	currency: str | None = None  # the company currency
	can_read: Callable[[str], bool] = _reads_everything  # may the user follow a Link to this doctype


def link_column(
	desk: Desk, fieldname: str, label: str, doctype: str, width: int, **extra: Any
) -> dict[str, Any]:
	"""A Link column to `doctype`, or a Data column when the user may not read it."""
	column: dict[str, Any] = {"fieldname": fieldname, "label": label, "width": width, **extra}
	if desk.can_read(doctype):
		column.update(fieldtype="Link", options=doctype)
	else:
		column["fieldtype"] = "Data"
	return column


def money_column(fieldname: str, label: str, width: int) -> dict[str, Any]:
	"""A Currency column in the currency of each row's `currency` field."""
	return {
		"fieldname": fieldname,
		"label": label,
		"fieldtype": "Currency",
		"options": "currency",
		"width": width,
	}


# Plan vs Fact
# ------------

PLAN_FACT_LABELS = {
	"plan": _("{0}: Plan"),
	"fact": _("{0}: Fact"),
	"pct": _("{0}: % Done"),
	"projection": _("{0}: Projection"),
}


def plan_fact_report(result: PlanFactResult, desk: Desk) -> Report:
	"""(columns, data, chart, summary) of Plan vs Fact. The rows are in tree order with `indent`, and carry the
	Desk's tree keys (the report .js `name_field` / `parent_field`): `node` and `parent_node`."""
	company = result.filters.company
	data = []
	for row in result.rows:
		out = dict(row)
		if row.get("not_credited"):
			out["label"] = desk.translate(NOT_CREDITED)
		out["node"] = row["sales_person"] or ("" if row.get("not_credited") else company)
		out["parent_node"] = (row["parent"] or company) if row["indent"] else None
		out["currency"] = desk.currency
		data.append(out)
	return (
		_plan_fact_columns(result.filters.metrics, desk),
		data,
		_plan_fact_chart(result, desk),
		_summary(result, desk),
	)


def _plan_fact_columns(metrics: Sequence[str], desk: Desk) -> list[dict[str, Any]]:
	"""The Sales Person, then plan, fact, % done and projection of each metric."""
	translate = desk.translate
	columns = [
		{"fieldname": "label", "label": translate(_("Sales Person")), "fieldtype": "Data", "width": 240},
		link_column(desk, "sales_person", translate(_("Sales Person ID")), "Sales Person", 10, hidden=1),
	]
	for metric in metrics:
		name = translate(METRIC_LABELS[metric])
		for figure, label in PLAN_FACT_LABELS.items():
			column: dict[str, Any] = {
				"fieldname": f"{metric}_{figure}",
				"label": translate(label).format(name),
				"width": 130 if figure != "pct" else 90,
			}
			if figure == "pct":
				column.update(fieldtype="Percent", precision=PERCENT_PRECISION)
			elif metric in CURRENCY_METRICS:
				column["fieldtype"] = "Currency"
				column["options"] = "currency"
			else:
				column["fieldtype"] = "Float"
				column["precision"] = 0 if figure != "projection" else 1
			columns.append(column)
	return columns


def _plan_fact_chart(result: PlanFactResult, desk: Desk) -> dict[str, Any] | None:
	"""Each person's fact against their plan of the first metric (in tree order); with more than `MAX_PEOPLE`
	people, their groups: the departments (the company's children), or the visible roots."""
	first = result.filters.metrics[0]
	rows = [row for row in result.rows if not row.get("not_credited")]
	people = [row for row in rows if row["sales_person"] and not row.get("is_group")]
	if not people or len(people) > MAX_PEOPLE:
		level = 0 if result.restricted else 1
		people = [row for row in rows if row["indent"] == level]
	money = first in CURRENCY_METRICS
	return chart(
		[row["label"] for row in people],
		[
			dataset(desk.translate(_("Plan")), (row[f"{first}_plan"] for row in people), float),
			dataset(desk.translate(_("Fact")), (row[f"{first}_fact"] for row in people), float),
		],
		fieldtype="Currency" if money else "Float",
		currency=desk.currency,
		colors=("light-blue", COLORS[1]),
		title=desk.translate(METRIC_LABELS[first]),
	)


def _summary(result: PlanFactResult, desk: Desk) -> list[dict[str, Any]]:
	"""One item per metric: the fact of the company (or of the visible subtrees), coloured by its % done."""
	total = result.total
	summary = []
	for metric in result.filters.metrics:
		pct = total[f"{metric}_pct"]
		money = metric in CURRENCY_METRICS
		summary.append(
			{
				"label": desk.translate(METRIC_LABELS[metric]),
				"value": total[f"{metric}_fact"],
				"datatype": "Currency" if money else "Float",
				"currency": desk.currency if money else None,
				"indicator": "Blue" if pct is None else ("Green" if pct >= 100 else "Orange"),
			}
		)
	return summary


# Daily Payments
# --------------

PAYMENT_LABELS = {
	"due_tomorrow": _("Due Tomorrow"),
	"received_today": _("Received Today"),
	"due_this_week": _("Due This Week"),
	"overdue": _("Overdue"),
}


def daily_payments_report(
	rows: Sequence[dict[str, Any]], desk: Desk, by_day: Sequence[dict[str, Any]] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None]:
	"""(columns, data, chart) of Daily Payments from `payments.daily_payments`' rows and, for the chart,
	`payments.payments_due_by_day`'s days."""
	translate = desk.translate
	data = []
	for row in rows:
		out = {**row, "currency": desk.currency}
		if not row["sales_person"]:
			out["sales_person_name"] = translate(row["sales_person_name"])
		data.append(out)
	columns = [
		link_column(desk, "sales_person", translate(_("Sales Person")), "Sales Person", 180),
		link_column(desk, "department", translate(_("Group")), "Sales Person", 150),
		*(money_column(figure, translate(PAYMENT_LABELS[figure]), 140) for figure in FIGURES),
	]
	return columns, data, _payments_chart(data, by_day, desk)


def _payments_chart(
	data: Sequence[dict[str, Any]], by_day: Sequence[dict[str, Any]], desk: Desk
) -> dict[str, Any] | None:
	"""Money by day, in the company currency, stacked: what is overdue (one bar before the days), what falls due
	on each day from today, and what was received today (the rows' total). Nothing to draw: None."""
	days = [row for row in by_day if row["day"] is not None]
	overdue = sum(row["due"] for row in by_day if row["day"] is None)
	received = sum(row["received_today"] for row in data)
	if not days or not (overdue or received or any(row["due"] for row in days)):
		return None
	labels = [
		desk.translate(_("Overdue")),
		desk.translate(_("Today")),
		*(str(row["day"]) for row in days[1:]),
	]
	blank = [0.0] * len(days)
	return chart(
		labels,
		[
			dataset(desk.translate(_("Overdue")), [overdue, *blank], float),
			dataset(desk.translate(_("Due")), [0.0, *(row["due"] for row in days)], float),
			dataset(desk.translate(PAYMENT_LABELS["received_today"]), [0.0, received, *blank[1:]], float),
		],
		fieldtype="Currency",
		currency=desk.currency,
		colors=[WARNING, "blue", "green"],
		barOptions={"stacked": 1},
	)


# Invoices Without Deal
# ---------------------


def invoices_without_deal_report(
	rows: Sequence[dict[str, Any]], desk: Desk
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
	"""(columns, data) of Invoices Without Deal from `deal_links.invoices_without_deal`' rows."""
	translate = desk.translate
	data = [{**row, "reason": translate(row["reason"]), "currency": desk.currency} for row in rows]
	columns = [
		link_column(desk, "invoice", translate(_("Sales Invoice")), "Sales Invoice", 170),
		{
			"fieldname": "posting_date",
			"label": translate(_("Posting Date")),
			"fieldtype": "Date",
			"width": 100,
		},
		link_column(desk, "customer", translate(_("Customer")), "Customer", 160),
		{"fieldname": "is_return", "label": translate(_("Is Return")), "fieldtype": "Check", "width": 70},
		money_column("base_net_total", translate(_("Net Total")), 120),
		{"fieldname": "reason", "label": translate(_("Reason")), "fieldtype": "Data", "width": 120},
		link_column(desk, "deal", translate(_("Deal")), "Opportunity", 150),
		link_column(desk, "suggested_deal", translate(_("Suggested Deal")), "Opportunity", 150),
		{"fieldname": "deals", "label": translate(_("Deals in Items")), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "share",
			"label": translate(_("Share of Suggested Deal")),
			"fieldtype": "Percent",
			"precision": PERCENT_PRECISION,
			"width": 110,
		},
	]
	return columns, data
