# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Plan vs Fact: per Sales Person, rolled up the Sales Person tree to departments and the company, the plan,
fact, % done and run-rate projection of each metric for one period.

Thin: facts, rollup and plans come from `sales_funnel.engine.sales.planfact.plan_vs_fact`, the columns, chart and
summary from `sales_funnel.engine.sales.report_rows.plan_fact_report` (both tested off a bench on MariaDB).
Sales Managers, System Managers and Accounts see everyone; anyone else (a Sales User) only their own Sales People
and those under them, without the company's totals (`permissions.own_sales_people`). A company the user's Company User Permissions exclude is refused.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.sales.planfact import plan_fact_filters, plan_vs_fact
from sales_funnel.engine.sales.report_rows import plan_fact_report
from sales_funnel.permissions import check_company_permission, own_sales_people
from sales_funnel.sales_funnel.report.utils import desk, names, no_sales_person_message, report_date
from sales_funnel.utils import throw_invalid

# the documents the figures come from (a Company User Permission applying to one of them restricts the report)
SOURCES = ("Sales Plan", "Sales Credit Entry", "Sales Invoice", "Payment Entry", "Opportunity", "Call Log")


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	check_company_permission(filters.company, SOURCES)
	within = own_sales_people()
	try:
		chosen = plan_fact_filters(
			company=filters.company,
			period_type=filters.period_type,
			period_start=report_date(filters.period_start),
			metrics=names(filters.metrics, "Metrics") or [],
			sales_people=names(filters.sales_person, "Sales Person"),
		)
		result = plan_vs_fact(frappe.db, chosen, now=now_datetime(), within=within)
	except InvalidInput as error:
		throw_invalid(error, title=_("Plan vs Fact"))
	columns, data, chart, summary = plan_fact_report(result, desk(chosen.company))
	return columns, data, no_sales_person_message() if within == [] else None, chart, summary
