# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Stale Deals ("hope clients"): open deals beyond their stage's time limit, with days over, owner, last activity,
the Reassignment Rule that will act and when, and a suggested action. Sales Managers see every deal, anyone else
the deals they own or are assigned (`permissions.deal_scope`). Thin over
`sales_funnel.engine.reassignment.report.stale_deals_report` (tested off a bench on MariaDB)."""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import get_fullname, now_datetime

from sales_funnel.engine.reassignment.report import stale_deals_report
from sales_funnel.permissions import deal_scope


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	scope = deal_scope(frappe.session.user)
	return stale_deals_report(frappe.db, now_datetime(), filters or {}, scope, _, get_fullname)
