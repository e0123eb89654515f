# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Daily Payments: per manager, payments due tomorrow, received today, due this week and overdue; a chart of
the money by day (overdue, due each day of the coming week, received today).

Thin: rows from `sales_funnel.engine.sales.payments.daily_payments`, columns and chart from
`sales_funnel.engine.sales.report_rows.daily_payments_report` (both tested off a bench on MariaDB). Sales Managers,
System Managers and Accounts see everyone; anyone else (a Sales User) only their own Sales People and those under
them (`permissions.own_sales_people`). A company the user's Company User Permissions exclude is refused.
Money columns name the row field `currency` (Frappe's Currency column contract), which holds the company currency.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, today

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.sales.payments import daily_payments, payments_due_by_day
from sales_funnel.engine.sales.report_rows import daily_payments_report
from sales_funnel.permissions import check_company_permission, own_sales_people
from sales_funnel.sales_funnel.report.utils import desk, names, no_sales_person_message, report_date
from sales_funnel.utils import throw_invalid

# the documents the figures come from (a Company User Permission applying to one of them restricts the report)
SOURCES = ("Sales Invoice", "Payment Entry", "Sales Credit Entry")


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	if not filters.company:
		frappe.throw(_("Choose a Company."))
	check_company_permission(filters.company, SOURCES)
	within = own_sales_people()
	on = report_date(filters.date, getdate(today()))
	people = {"sales_people": names(filters.sales_person, "Manager"), "within": within}
	try:
		rows = daily_payments(frappe.db, filters.company, on, **people)
		by_day = payments_due_by_day(frappe.db, filters.company, on, **people)
	except InvalidInput as error:
		throw_invalid(error, title=_("Daily Payments"))
	columns, data, chart = daily_payments_report(rows, desk(filters.company), by_day)
	return columns, data, no_sales_person_message() if within == [] else None, chart
