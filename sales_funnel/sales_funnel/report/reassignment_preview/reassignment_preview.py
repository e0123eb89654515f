# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Reassignment Preview: what the next scheduled run would do and why (planned moves first, then the deals the
rules' limits hold back). Thin over `sales_funnel.engine.reassignment.reassignment_preview`."""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.engine.reassignment import reassignment_preview


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	frame = reassignment_preview(frappe.db, now_datetime())
	if not frame.empty and filters.rule:
		frame = frame[frame["rule"] == filters.rule]
	if not frame.empty and filters.status:
		frame = frame[frame["status"] == filters.status]
	columns = [
		{"fieldname": "deal", "label": _("Deal"), "fieldtype": "Link", "options": "Opportunity", "width": 170},
		{"fieldname": "rule", "label": _("Rule"), "fieldtype": "Link", "options": "Reassignment Rule", "width": 150},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 90},
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Link", "options": "Sales Stage", "width": 140},
		{"fieldname": "from_user", "label": _("From"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "to_user", "label": _("To"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 480},
		{"fieldname": "dry_run", "label": _("Dry Run"), "fieldtype": "Check", "width": 70},
	]  # fmt: skip
	frame = frame.astype(object).where(frame.notna(), None)
	data = frame.to_dict("records")
	for row in data:
		row["status"] = _(row["status"])
	return columns, data
