# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The Funnels workspace's Number Cards and Dashboard Charts: Frappe's own doctypes, shipped as standard records of
the Sales Funnel module (`sales_funnel/sales_funnel/number_card/`, `dashboard_chart/`, `dashboard_chart_source/`,
synced by install and migrate), computed here from the engine (`sales_funnel.engine.dashboards`).

Why Custom cards and Custom charts (a method here) rather than Document Type cards or Group By charts:
- ERPNext lets a Sales User read every Opportunity, so a Document Type card (Frappe's `get_list`) would count
  everyone's deals; these count the deals the app's scope gives the user (`permissions.deal_scope`: a Sales
  Manager every deal, a Sales User their own and assigned ones) and the money of their own Sales People;
- Frappe caches a Group By or Count chart per chart, not per user (`frappe.utils.dashboard.cache_source`, key
  `chart-data:<name>`), so the first user's figures would be shown to the next; these sources compute each time;
- Frappe's "% since last month" exists for Document Type cards only and compares everything created before a
  month ago; these cards compare this month with the same days of last month, this quarter with the last.

A card method returns what Frappe's NumberCardWidget reads from a Custom card: `value`, the docfield it is
formatted with (`fieldtype`, `precision`) and the `route` and `route_options` a click opens (the report or
list behind the card, filtered as the card counts); `public/js/dashboards.js` shows `currency` and
`comparison` too. A user sees a card when they may read its `document_type` (Number Card's has_permission) and
a chart when they have one of its roles; each method refuses what the user may not open.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import frappe
from frappe import _
from frappe.utils import fmt_money, formatdate, get_fullname, getdate, now_datetime, today

from sales_funnel.engine.calls.filters import CallScope
from sales_funnel.engine.conversion.stages import NOT_SET
from sales_funnel.engine.dashboards import figures, periods, queries
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.names import OPEN_DEAL_STATUSES
from sales_funnel.permissions import (
	check_company_permission,
	deal_scope,
	is_funnel_manager,
	may_run_report,
	own_sales_people,
)
from sales_funnel.utils import throw_invalid

DEALS = "Opportunity"
HISTORY = "Funnel Stage Transition"
# the documents the cards read (a Company User Permission applying to one of them refuses that company)
SOURCES = (DEALS, HISTORY, "Call Log", "Sales Invoice", "Payment Entry", "Sales Credit Entry", "Sales Plan")
WINS_MONTHS = 12


# Filters, permissions, the card's answer
# ---------------------------------------


def _filters(filters: str | dict | None) -> frappe._dict:
	parsed = frappe.parse_json(filters) if isinstance(filters, str) else filters
	return frappe._dict(parsed if isinstance(parsed, dict) else {})


def _company(filters: frappe._dict) -> str:
	"""The card's company: its filter (the user's default Company, `dynamic_filters_json`), else the default."""
	from erpnext import get_default_company

	company = filters.company or get_default_company()
	if not company or not frappe.db.exists("Company", company):
		frappe.throw(_("Set a default Company to see the Funnels dashboards."), title=_("Funnels"))
	check_company_permission(company, SOURCES)
	return company


def _refuse() -> None:
	frappe.throw(
		_("You are not permitted to see this card."), frappe.PermissionError, title=_("Not Permitted")
	)


def check_list(doctype: str) -> None:
	"""What opening the list behind a card asks: read permission on its doctype."""
	if not frappe.has_permission(doctype, "read"):
		_refuse()


def check_report(report: str) -> None:
	"""What opening the report behind a card asks (`frappe.desk.query_report.run`): one of the Report's roles and
	report permission on its ref_doctype."""
	if not may_run_report(report):
		_refuse()


def card(
	value: float,
	fieldtype: str,
	route: list[str],
	route_options: dict[str, Any],
	*,
	currency: str | None = None,
	comparison: dict[str, Any] | None = None,
) -> dict[str, Any]:
	"""A Custom Number Card's answer: the value with the docfield that formats it, and where a click goes."""
	answer: dict[str, Any] = {
		"value": value,
		"fieldtype": fieldtype,
		"route": route,
		"route_options": route_options,
	}
	if fieldtype == "Percent":
		answer["precision"] = 1
	if currency:
		answer["currency"] = currency
	if comparison:
		answer["comparison"] = comparison
	return answer


def compared(change: float | None, text: str) -> dict[str, Any] | None:
	"""The line under a card's figure: how it changed (its sign colours it) and the words."""
	return None if change is None else {"change": change, "text": text}


def _days(period: tuple[date, date]) -> list[str]:
	return [day.isoformat() for day in period]


def _number(value: float) -> str:
	"""A percentage or a change as people read it: one decimal, in the user's number format."""
	return frappe.format_value(value, {"fieldtype": "Float", "precision": 1})


def _today() -> date:
	return getdate(today())


def _currency(company: str) -> str:
	return frappe.get_cached_value("Company", company, "default_currency")


# Deals
# -----


def open_deal_filters(company: str) -> dict[str, Any]:
	"""The Opportunity list of the open deals: a Sales User's own (the list filters by owner; a deal only assigned
	to them, which the card counts, is left out of it)."""
	options: dict[str, Any] = {"company": company, "status": ["in", list(OPEN_DEAL_STATUSES)]}
	if not is_funnel_manager():
		options["opportunity_owner"] = frappe.session.user
	return options


@frappe.whitelist()
@frappe.read_only()
def open_deals(filters: str | dict | None = None) -> dict[str, Any]:
	"""Open deals of the company."""
	check_list(DEALS)
	company = _company(_filters(filters))
	pipeline = queries.open_pipeline(frappe.db, company, deal_scope())
	return card(pipeline.deals, "Int", ["List", DEALS], open_deal_filters(company))


@frappe.whitelist()
@frappe.read_only()
def weighted_pipeline(filters: str | dict | None = None) -> dict[str, Any]:
	"""The open deals' amount times their stage's probability, in the company currency."""
	check_list(DEALS)
	company = _company(_filters(filters))
	pipeline = queries.open_pipeline(frappe.db, company, deal_scope())
	return card(
		pipeline.weighted,
		"Currency",
		["List", DEALS],
		open_deal_filters(company),
		currency=_currency(company),
	)


def _moves_card(filters: str | dict | None, figure: str, route_filter: dict[str, Any]) -> dict[str, Any]:
	"""Funnel entries or first wins this month to date, against the same days of last month."""
	check_list(HISTORY)
	company = _company(_filters(filters))
	this_month, last_month = periods.month_to_date(_today()), periods.same_days_last_month(_today())
	current, previous = (
		getattr(queries.funnel_moves(frappe.db, company, *period, deal_scope()), figure)
		for period in (this_month, last_month)
	)
	change = periods.percent_change(current, previous)
	text = _("{0} % since the same days of last month ({1})").format(_number(abs(change or 0)), previous)
	route_options = {"company": company, **route_filter, "transitioned_at": ["between", _days(this_month)]}
	return card(current, "Int", ["List", HISTORY], route_options, comparison=compared(change, text))


@frappe.whitelist()
@frappe.read_only()
def deals_entered(filters: str | dict | None = None) -> dict[str, Any]:
	"""Deals that entered a funnel this month (the stage history's entry rows)."""
	return _moves_card(filters, "entered", {"from_position": 0, "progress_from": 0})


@frappe.whitelist()
@frappe.read_only()
def deals_won(filters: str | dict | None = None) -> dict[str, Any]:
	"""Deals won this month (the list shows every move into Won; a deal won again after a reopening is counted
	once, in the month of its first win)."""
	return _moves_card(filters, "won", {"to_kind": "Won"})


@frappe.whitelist()
@frappe.read_only()
def overall_conversion(filters: str | dict | None = None) -> dict[str, Any]:
	"""Won / entered of the deals that entered the company's default funnel this quarter, against last quarter's
	(Stage Conversion, cohort mode)."""
	check_report("Stage Conversion")
	company, day = _company(_filters(filters)), _today()
	result = figures.overall_conversion(frappe.db, company, day, now_datetime(), deal_scope())
	change = periods.point_change(result.current, result.previous)
	text = _("{0} points since last quarter ({1} %)").format(
		_number(abs(change or 0)), _number(result.previous or 0)
	)
	start, end = periods.quarter_to_date(day)
	route_options = {
		"company": company,
		"from_date": start.isoformat(),
		"to_date": end.isoformat(),
		"mode": "Cohort",
	}
	return card(
		result.current or 0,
		"Percent",
		["query-report", "Stage Conversion"],
		route_options,
		comparison=compared(change, text),
	)


@frappe.whitelist()
@frappe.read_only()
def stale_deals(filters: str | dict | None = None) -> dict[str, Any]:
	"""Open deals past their stage's time limit ("hope clients", the Stale Deals report's deals)."""
	check_report("Stale Deals")
	company = _company(_filters(filters))
	count = queries.stale_deal_count(frappe.db, now_datetime(), company, deal_scope())
	return card(count, "Int", ["query-report", "Stale Deals"], {"company": company})


# Calls and money
# ---------------


@frappe.whitelist()
@frappe.read_only()
def calls_without_outcome(filters: str | dict | None = None) -> dict[str, Any]:
	"""Today's calls without an outcome (a Sales User's own; the company's employees' for a Sales Manager)."""
	check_report("Call Outcomes")
	company, day = _company(_filters(filters)), _today()
	scope = CallScope() if is_funnel_manager() else CallScope(own_of=frappe.session.user)
	count = figures.calls_without_outcome(frappe.db, company, day, now_datetime(), scope)
	route_options = {
		"company": company,
		"from_date": day.isoformat(),
		"to_date": day.isoformat(),
		"period": "Day",
	}
	return card(count, "Int", ["query-report", "Call Outcomes"], route_options)


@frappe.whitelist()
@frappe.read_only()
def overdue_payments(filters: str | dict | None = None) -> dict[str, Any]:
	"""What the company's invoices still ask on payment terms due before today (Daily Payments' overdue), of the
	user's own Sales People for a Sales User."""
	check_report("Daily Payments")
	company, day = _company(_filters(filters)), _today()
	amount = figures.overdue_payments(frappe.db, company, day, own_sales_people())
	route_options = {"company": company, "date": day.isoformat()}
	return card(
		amount, "Currency", ["query-report", "Daily Payments"], route_options, currency=_currency(company)
	)


@frappe.whitelist()
@frappe.read_only()
def plan_completion(filters: str | dict | None = None) -> dict[str, Any]:
	"""This month's invoiced revenue against its plan (Plan vs Fact for the month)."""
	check_report("Plan vs Fact")
	company, day = _company(_filters(filters)), _today()
	try:
		result = figures.plan_completion(frappe.db, company, day, now_datetime(), own_sales_people())
	except InvalidInput as error:
		throw_invalid(error, title=_("Plan vs Fact"))
	currency = _currency(company)
	if result.plan is None:
		comparison = {"change": None, "text": _("No plan for this month")}
	else:
		fact, plan = (fmt_money(amount, currency=currency) for amount in (result.fact, result.plan))
		comparison = {"change": None, "text": _("{0} of {1} planned").format(fact, plan)}
	route_options = {
		"company": company,
		"period_type": "Month",
		"period_start": periods.month_start(day).isoformat(),
	}
	return card(
		result.percent or 0, "Percent", ["query-report", "Plan vs Fact"], route_options, comparison=comparison
	)


# Charts (Dashboard Chart Source methods: Frappe's chart widget passes the chart's filters and its time controls)
# ------


def _chart_company(filters: str | dict | None) -> tuple[frappe._dict, str]:
	parsed = _filters(filters)
	return parsed, _company(parsed)


@frappe.whitelist()
@frappe.read_only()
def stage_entries_chart(filters: str | dict | None = None, **_controls: Any) -> dict[str, Any] | None:
	"""Deals that entered each stage of the funnel (the company's default unless chosen) this month to date and
	in the same days of last month."""
	check_report("Stage Conversion")
	parsed, company = _chart_company(filters)
	try:
		entries = figures.stage_entries(
			frappe.db, company, _today(), now_datetime(), deal_scope(), funnel=parsed.funnel or None
		)
	except InvalidInput as error:
		throw_invalid(error, title=_("Deals Entering Each Stage"))
	if entries is None:
		return None
	return {
		"labels": entries.stages,
		"datasets": [
			{"name": _("This Month"), "values": entries.current},
			{"name": _("Same Days Last Month"), "values": entries.previous},
		],
	}


@frappe.whitelist()
@frappe.read_only()
def wins_per_month_chart(filters: str | dict | None = None, **_controls: Any) -> dict[str, Any]:
	"""First wins of the company's deals in each of the last twelve months."""
	check_list(HISTORY)
	_parsed, company = _chart_company(filters)
	months = periods.months_back(_today(), WINS_MONTHS)
	wins = queries.wins_by_month(frappe.db, company, months, deal_scope())
	return {
		"labels": [formatdate(month, "MMM yyyy") for month, _won in wins],
		"datasets": [{"name": _("Deals Won"), "values": [won for _month, won in wins]}],
	}


@frappe.whitelist()
@frappe.read_only()
def manager_conversion_chart(filters: str | dict | None = None, **_controls: Any) -> dict[str, Any] | None:
	"""Each manager's conversion of the deals that entered the funnel this quarter (a Sales User: their own)."""
	check_report("Stage Conversion")
	parsed, company = _chart_company(filters)
	try:
		rows = figures.manager_conversion(
			frappe.db, company, _today(), now_datetime(), deal_scope(), funnel=parsed.funnel or None
		)
	except InvalidInput as error:
		throw_invalid(error, title=_("Conversion per Manager"))
	if not rows:
		return None
	return {
		"labels": [_(NOT_SET) if row.manager == NOT_SET else get_fullname(row.manager) for row in rows],
		"datasets": [{"name": _("Conversion %"), "values": [row.conversion or 0 for row in rows]}],
	}
