# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Invoices Without Deal: submitted Sales Invoices that realise no deal, or whose items come from several deals
and wait for an accountant to confirm one (set Deal on the invoice; it is allowed after submit).

Thin: rows from `sales_funnel.engine.deal_links.invoices_without_deal` (tested off a bench on MariaDB). For Accounts
(ERPNext lets them read Sales Invoice; the Report's roles say so); a company the user's Company User Permissions
exclude is refused. Money columns name the row field `currency`, which holds the company currency.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _

from sales_funnel.engine.deal_links import invoices_without_deal
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.permissions import check_company_permission
from sales_funnel.sales_funnel.report.utils import link_column, report_date
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
	currency = frappe.get_cached_value("Company", filters.company, "default_currency")
	for row in rows:
		row["reason"] = _(row["reason"])
		row["currency"] = currency
	columns = [
		link_column("invoice", _("Sales Invoice"), "Sales Invoice", 170),
		{"fieldname": "posting_date", "label": _("Posting Date"), "fieldtype": "Date", "width": 100},
		link_column("customer", _("Customer"), "Customer", 160),
		{"fieldname": "is_return", "label": _("Is Return"), "fieldtype": "Check", "width": 70},
		{"fieldname": "base_net_total", "label": _("Net Total"), "fieldtype": "Currency", "options": "currency", "width": 120},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 120},
		link_column("deal", _("Deal"), "Opportunity", 150),
		link_column("suggested_deal", _("Suggested Deal"), "Opportunity", 150),
		{"fieldname": "deals", "label": _("Deals in Items"), "fieldtype": "Int", "width": 90},
		{"fieldname": "share", "label": _("Share of Suggested Deal"), "fieldtype": "Percent", "width": 110},
	]  # fmt: skip
	return columns, rows
