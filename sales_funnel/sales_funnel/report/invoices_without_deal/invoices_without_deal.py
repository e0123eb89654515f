# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Invoices Without Deal: submitted Sales Invoices that realise no deal, or whose items come from several deals
and wait for an accountant to confirm one (set Deal on the invoice; it is allowed after submit).

Thin: rows from `sales_funnel.engine.deal_links.invoices_without_deal` (tested off a bench on MariaDB).
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate

from sales_funnel.engine.deal_links import invoices_without_deal


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	if not filters.company:
		frappe.throw(_("Choose a Company."))
	rows = invoices_without_deal(
		frappe.db,
		filters.company,
		getdate(filters.from_date) if filters.from_date else None,
		getdate(filters.to_date) if filters.to_date else None,
	)
	for row in rows:
		row["reason"] = _(row["reason"])
	currency = frappe.get_cached_value("Company", filters.company, "default_currency")
	columns = [
		{"fieldname": "invoice", "label": _("Sales Invoice"), "fieldtype": "Link", "options": "Sales Invoice", "width": 170},
		{"fieldname": "posting_date", "label": _("Posting Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "customer", "label": _("Customer"), "fieldtype": "Link", "options": "Customer", "width": 160},
		{"fieldname": "is_return", "label": _("Is Return"), "fieldtype": "Check", "width": 70},
		{"fieldname": "base_net_total", "label": _("Net Total"), "fieldtype": "Currency", "options": currency, "width": 120},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 120},
		{"fieldname": "deal", "label": _("Deal"), "fieldtype": "Link", "options": "Opportunity", "width": 150},
		{"fieldname": "suggested_deal", "label": _("Suggested Deal"), "fieldtype": "Link", "options": "Opportunity", "width": 150},
		{"fieldname": "deals", "label": _("Deals in Items"), "fieldtype": "Int", "width": 90},
		{"fieldname": "share", "label": _("Share of Suggested Deal"), "fieldtype": "Percent", "width": 110},
	]  # fmt: skip
	return columns, rows
