# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Reassignment Preview: what the next scheduled run would do and why (planned moves first, then the deals the
rules' limits hold back). Sales Managers see every deal's row, anyone else the rows of the deals they own or are
assigned (`permissions.deal_scope`). Thin over `sales_funnel.engine.reassignment.stale.reassignment_preview`."""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.engine.reassignment.stale import reassignment_preview
from sales_funnel.permissions import deal_scope

# Which rows a user gets is decided by the app's scope (`permissions.deal_scope`: every deal for a Sales or System
# Manager, else the user's own or assigned deals, narrowed by their Opportunity user permissions). Frappe's report
# runner also refuses the whole report to a user who cannot read the doctype of a Link column with a value
# (frappe/desk/query_report.py, get_filtered_data): a System Manager has no Opportunity permission in ERPNext, a
# Sales User none on Sales Stage. So the deal is a Dynamic Link (to the row's `deal_doctype`, still a link in the
# Desk) and the stage plain text.
DEAL_DOCTYPE = "Opportunity"


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	frame = reassignment_preview(frappe.db, now_datetime(), scope=deal_scope(frappe.session.user))
	if not frame.empty and filters.rule:
		frame = frame[frame["rule"] == filters.rule]
	if not frame.empty and filters.status:
		frame = frame[frame["status"] == filters.status]
	columns = [
		{"fieldname": "deal", "label": _("Deal"), "fieldtype": "Dynamic Link", "options": "deal_doctype", "width": 170},
		{"fieldname": "rule", "label": _("Rule"), "fieldtype": "Link", "options": "Reassignment Rule", "width": 150},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 90},
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 140},
		{"fieldname": "from_user", "label": _("From"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "to_user", "label": _("To"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 480},
		{"fieldname": "dry_run", "label": _("Dry Run"), "fieldtype": "Check", "width": 70},
	]  # fmt: skip
	frame = frame.astype(object).where(frame.notna(), None)
	data = frame.to_dict("records")
	for row in data:
		row["deal_doctype"] = DEAL_DOCTYPE
		row["status"] = _(row["status"])
	return columns, data
