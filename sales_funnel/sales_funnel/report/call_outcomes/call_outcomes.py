# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Call Outcomes: per manager and day / week / month, calls, answered, with an outcome, negotiations started,
meetings booked, deals created from calls and won; a chart comparing managers; the calls behind a row (with
their recordings) through `get_calls`.

Thin: the figures come from `sales_funnel.engine.calls` (tested off a bench on MariaDB). A Sales User sees only
their own calls; a Sales Manager or System Manager sees everyone's.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, get_fullname, getdate, now_datetime

from sales_funnel.engine.calls import (
	CallFilters,
	CallScope,
	call_outcome_report,
	calls_drilldown,
	report_output,
)
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.permissions import is_funnel_manager
from sales_funnel.recording import throw_invalid

PERIODS = {"Day": "day", "Week": "week", "Month": "month"}


def call_scope(user: str | None = None) -> CallScope:
	user = user or frappe.session.user
	return CallScope() if is_funnel_manager(user) else CallScope(own_of=user)


def call_filters(filters: frappe._dict) -> CallFilters:
	if not filters.from_date or not filters.to_date:
		frappe.throw(_("Choose both a From Date and a To Date."))
	return CallFilters(
		from_date=getdate(filters.from_date),
		to_date=getdate(filters.to_date),
		period=PERIODS.get(filters.period or "Week", str(filters.period).lower()),
		company=filters.company or None,
		manager=filters.manager or None,
		call_type=filters.call_type or None,
	)


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	try:
		result = call_outcome_report(frappe.db, call_filters(filters), now_datetime(), scope=call_scope())
	except InvalidInput as error:
		throw_invalid(error, title=_("Call Outcomes"))
	output = report_output(result, _, full_name=get_fullname)
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
	"""The calls behind a report row (newest first, with recording links), as the user may see them."""
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
