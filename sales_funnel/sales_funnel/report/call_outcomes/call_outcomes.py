# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Call Outcomes: per manager and day / week / month, calls, answered, with an outcome, negotiations started,
meetings booked, deals created from calls and won; a chart comparing managers; the calls behind a row (with
their recordings, http(s) links only: `calls.drilldown.safe_recording_url`) through `get_calls`.

Thin: the filters go to `sales_funnel.engine.calls.report.call_outcomes_output`, which gives the columns, rows,
chart and summary, and the drill-down's to `calls.drilldown` (tested off a bench on MariaDB). A Sales User sees only
their own calls; a Sales Manager or System Manager sees everyone's.

Who may run it: the report's roles (Sales User, Sales Manager, System Manager) and report permission on its
ref_doctype, Call Outcome, which those roles have (`frappe.desk.query_report.run` asks both). Its ref_doctype was
Call Log, on which ERPNext gives report permission to System Manager only, so Sales Users and Sales Managers were
refused; which calls a user sees is the report's own scope, not Call Log's permissions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, escape_html, get_fullname, now_datetime

from sales_funnel.engine.calls.drilldown import calls_drilldown
from sales_funnel.engine.calls.filters import CallFilters, CallScope
from sales_funnel.engine.calls.filters import call_filters as engine_filters
from sales_funnel.engine.calls.report import call_outcomes_output
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.permissions import is_funnel_manager, may_run_report
from sales_funnel.utils import throw_invalid

REPORT = "Call Outcomes"


def call_scope(user: str | None = None) -> CallScope:
	user = user or frappe.session.user
	return CallScope() if is_funnel_manager(user) else CallScope(own_of=user)


def call_filters(filters: frappe._dict) -> CallFilters:
	if not filters.from_date or not filters.to_date:
		frappe.throw(_("Choose both a From Date and a To Date."), title=_("Call Outcomes"))
	dates = {
		"from_date": parse_date(filters.from_date, _("From Date")),
		"to_date": parse_date(filters.to_date, _("To Date")),
	}
	return engine_filters({**filters, **dates})


def parse_date(value: Any, label: str) -> date:
	"""A filter's date ("2026-03-20", or a date); anything else is a user error naming the filter. The range the
	report accepts is the engine's (`calls.filters.validate_filters`)."""
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	text = str(value).strip()
	try:
		return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in " T" else text)
	except ValueError:
		frappe.throw(
			_("{0} {1} is not a date.").format(label, frappe.bold(escape_html(text))),
			title=_("Call Outcomes"),
		)


def check_report_permission() -> None:
	"""What `frappe.desk.query_report.run` asks before running the report, asked by the drill-down too: one of the
	report's roles (Sales User, Sales Manager, System Manager) and report permission on its ref_doctype."""
	if not may_run_report(REPORT):
		frappe.throw(_("You don't have access to Report: {0}").format(_(REPORT)), frappe.PermissionError)


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	try:
		output = call_outcomes_output(
			frappe.db, call_filters(filters), now_datetime(), call_scope(), _, full_name=get_fullname
		)
	except InvalidInput as error:
		throw_invalid(error, title=_("Call Outcomes"))
	return output.columns, output.data, None, output.chart, output.summary


@frappe.whitelist()
@frappe.read_only()
def get_calls(
	filters: str | dict,
	manager: str | None = None,
	negotiations_only: int | str = 0,
	without_outcome: int | str = 0,
	period_from: str | None = None,
	period_to: str | None = None,
) -> list[dict[str, Any]]:
	"""The calls behind a report row (newest first; a recording only when it is an http(s) link), as the user
	may see them."""
	check_report_permission()
	parsed = frappe._dict(frappe.parse_json(filters) if isinstance(filters, str) else filters)
	if period_from and period_to:
		parsed.from_date, parsed.to_date = period_from, period_to
	try:
		return calls_drilldown(
			frappe.db,
			call_filters(parsed),
			call_scope(),
			manager=manager,
			negotiations_only=bool(cint(negotiations_only)),
			without_outcome=bool(cint(without_outcome)),
		)
	except InvalidInput as error:
		throw_invalid(error, title=_("Call Outcomes"))
