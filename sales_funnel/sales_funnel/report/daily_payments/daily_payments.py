# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Daily Payments: per manager, payments due tomorrow, received today, due this week and overdue.

Thin: rows from `sales_funnel.engine.payments.daily_payments` (tested off a bench on MariaDB). A Sales User who is
not a Sales Manager or in Accounts sees only their own Sales Person's figures.
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import getdate, today

from sales_funnel.engine.payments import FIGURE_LABELS, FIGURES, daily_payments, sales_people_of_user

SEES_EVERYONE = frozenset({"Sales Manager", "System Manager", "Accounts User", "Accounts Manager"})


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	if not filters.company:
		frappe.throw(_("Choose a Company."))
	user = frappe.session.user
	people = [filters.sales_person] if filters.sales_person else None
	if user != "Administrator" and SEES_EVERYONE.isdisjoint(frappe.get_roles(user)):
		own = sales_people_of_user(frappe.db, user)
		people = [p for p in people if p in own] if people else own
	rows = daily_payments(frappe.db, filters.company, getdate(filters.date or today()), sales_people=people)
	for row in rows:
		if not row["sales_person"]:
			row["sales_person_name"] = _(row["sales_person_name"])
	currency = frappe.get_cached_value("Company", filters.company, "default_currency")
	columns = [
		{"fieldname": "sales_person", "label": _("Sales Person"), "fieldtype": "Link", "options": "Sales Person", "width": 180},
		{"fieldname": "department", "label": _("Group"), "fieldtype": "Link", "options": "Sales Person", "width": 150},
	]  # fmt: skip
	columns += [
		{
			"fieldname": f,
			"label": _(FIGURE_LABELS[f]),
			"fieldtype": "Currency",
			"options": currency,
			"width": 140,
		}
		for f in FIGURES
	]
	chart = {
		"data": {
			"labels": [row["sales_person_name"] for row in rows],
			"datasets": [{"name": _(FIGURE_LABELS[f]), "values": [row[f] for row in rows]} for f in FIGURES],
		},
		"type": "bar",
	}
	return columns, rows, None, chart
