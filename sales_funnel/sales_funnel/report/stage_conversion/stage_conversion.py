# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Stage Conversion: per stage of a Sales Funnel, how many deals entered, moved on, were lost, are open or stale,
and how long they stayed; optionally per slice and against the previous period.

Thin: the filters go to `sales_funnel.engine.conversion.report.stage_conversion_output`, which gives the columns,
rows, chart and summary (tested off a bench on MariaDB). The Report's permission is on Funnel Stage Transition (the
history it counts), which its roles may read; a company the user's Company User Permissions exclude is refused.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import get_fullname, getdate, now_datetime

from sales_funnel.engine.conversion.filters import conversion_filters
from sales_funnel.engine.conversion.report import stage_conversion_output
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.permissions import check_company_permission, deal_scope
from sales_funnel.utils import throw_invalid

SOURCES = ("Opportunity", "Funnel Stage Transition")


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	if not filters.from_date or not filters.to_date:
		frappe.throw(_("Choose both a From Date and a To Date."))
	check_company_permission(filters.company, SOURCES)
	dates = {"from_date": getdate(filters.from_date), "to_date": getdate(filters.to_date)}
	try:
		report = stage_conversion_output(
			frappe.db,
			conversion_filters({**filters, **dates}),
			now=now_datetime(),
			scope=deal_scope(frappe.session.user),
			translate=_,
			check_company=lambda company: check_company_permission(company, SOURCES),
			currency_of=lambda company: frappe.get_cached_value("Company", company, "default_currency"),
			full_name=get_fullname,
		)
	except InvalidInput as error:
		throw_invalid(error, title=_("Stage Conversion"))
	return report.columns, report.data, None, report.chart, report.summary
