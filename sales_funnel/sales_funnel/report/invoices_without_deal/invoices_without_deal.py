# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Invoices Without Deal: submitted Sales Invoices that realise no deal, or whose items come from several deals
and wait for an accountant to confirm one (set Deal on the invoice; it is allowed after submit).

Thin: rows from `sales_funnel.engine.sales.deal_links.invoices_without_deal`, columns from
`sales_funnel.engine.sales.report_rows.invoices_without_deal_report` (both tested off a bench on MariaDB). For Accounts
(ERPNext lets them read Sales Invoice; the Report's roles say so); a company the user's Company User Permissions
exclude is refused. Money columns name the row field `currency`, which holds the company currency.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.sales.deal_links import invoices_without_deal
from sales_funnel.engine.sales.report_rows import invoices_without_deal_report
from sales_funnel.permissions import check_company_permission
from sales_funnel.sales_funnel.report.utils import desk, report_date
from sales_funnel.utils import throw_invalid

SOURCES = ("Sales Invoice",)


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	if not filters.company:
		frappe.throw(_("Choose a Company."))
	check_company_permission(filters.company, SOURCES)
	try:
		rows = invoices_without_deal(
			frappe.db, filters.company, report_date(filters.from_date), report_date(filters.to_date)
		)
	except InvalidInput as error:
		throw_invalid(error, title=_("Invoices Without Deal"))
	return invoices_without_deal_report(rows, desk(filters.company))
