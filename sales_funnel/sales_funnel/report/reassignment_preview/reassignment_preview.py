# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Reassignment Preview: what the next scheduled run would do and why (planned moves first, then the deals the
rules' limits hold back). Sales Managers see every deal's row, anyone else the rows of the deals they own or are
assigned (`permissions.deal_scope`). Thin over `sales_funnel.engine.reassignment.report.preview_report`."""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.engine.reassignment.report import preview_report
from sales_funnel.permissions import deal_scope


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	scope = deal_scope(frappe.session.user)
	return preview_report(frappe.db, now_datetime(), filters or {}, scope, _)
