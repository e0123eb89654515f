# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Stale Deals ("hope clients"): open deals beyond their stage's time limit, with days over, owner, last activity,
the Reassignment Rule that will act and when, and a suggested action. Sales Managers see every deal, anyone else
the deals they own or are assigned (`permissions.deal_scope`). Thin over
`sales_funnel.engine.reassignment.stale.stale_deals` (tested off a bench on MariaDB)."""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import get_fullname, now_datetime

from sales_funnel.engine.reassignment.stale import stale_deals
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
	frame = stale_deals(
		frappe.db,
		now_datetime(),
		funnel=filters.funnel or None,
		company=filters.company or None,
		scope=deal_scope(frappe.session.user),
	)
	columns = [
		{"fieldname": "deal", "label": _("Deal"), "fieldtype": "Dynamic Link", "options": "deal_doctype", "width": 170},
		{"fieldname": "funnel", "label": _("Sales Funnel"), "fieldtype": "Link", "options": "Sales Funnel", "width": 150},
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 140},
		{"fieldname": "owner", "label": _("Owner"), "fieldtype": "Link", "options": "User", "width": 160},
		{"fieldname": "owner_name", "label": _("Owner Name"), "fieldtype": "Data", "width": 140},
		{"fieldname": "days_in_stage", "label": _("Days in Stage"), "fieldtype": "Float", "precision": 1, "width": 110},
		{"fieldname": "time_limit_days", "label": _("Limit (Days)"), "fieldtype": "Float", "precision": 1, "width": 100},
		{"fieldname": "days_over", "label": _("Days Over"), "fieldtype": "Float", "precision": 1, "width": 100},
		{"fieldname": "last_activity", "label": _("Last Activity"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "reassigned", "label": _("Times Reassigned"), "fieldtype": "Int", "width": 90},
		{"fieldname": "rule", "label": _("Rule"), "fieldtype": "Link", "options": "Reassignment Rule", "width": 150},
		{"fieldname": "acts_at", "label": _("Rule Acts At"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "suggested_action", "label": _("Suggested Action"), "fieldtype": "Data", "width": 130},
	]  # fmt: skip
	frame = frame.astype(object).where(frame.notna(), None)
	data = frame.to_dict("records")
	for row in data:
		row["deal_doctype"] = DEAL_DOCTYPE
		row["owner_name"] = get_fullname(row["owner"]) if row["owner"] else None
		row["suggested_action"] = _(row["suggested_action"])
	return columns, data
