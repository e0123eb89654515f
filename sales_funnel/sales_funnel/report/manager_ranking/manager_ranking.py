# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Manager Ranking: a Reassignment Rule's pool ranked by conversion over its funnel (entered → won in the rule's
window), with the tier each manager is in (Hot leads → top, Warm → middle, Cold → rest) and their open deals.
Sales Managers see the whole pool; anyone else their own row (their rank and tier among the pool). Thin over
`sales_funnel.engine.reassignment.ranking.manager_ranking`."""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import get_fullname, now_datetime

from sales_funnel.engine.reassignment.ranking import TIER_LABELS, manager_ranking
from sales_funnel.engine.reassignment.rules import load_rules
from sales_funnel.permissions import is_funnel_manager


@frappe.read_only()
def execute(filters: dict[str, Any] | None = None) -> tuple:
	filters = frappe._dict(filters or {})
	if not filters.rule:
		frappe.throw(_("Choose a Reassignment Rule."))
	rules = load_rules(frappe.db, [filters.rule], enabled_only=False)
	if not rules:
		frappe.throw(_("There is no Reassignment Rule {0}.").format(filters.rule))
	frame = manager_ranking(frappe.db, rules[0], now_datetime())
	if not is_funnel_manager(frappe.session.user):
		frame = frame[frame["user"] == frappe.session.user]
	columns = [
		{"fieldname": "rank", "label": _("Rank"), "fieldtype": "Int", "width": 70},
		{"fieldname": "user", "label": _("Manager"), "fieldtype": "Link", "options": "User", "width": 180},
		{"fieldname": "full_name", "label": _("Name"), "fieldtype": "Data", "width": 150},
		{"fieldname": "entered", "label": _("Deals Entered"), "fieldtype": "Int", "width": 110},
		{"fieldname": "moved_on", "label": _("Deals Won"), "fieldtype": "Int", "width": 100},
		{"fieldname": "rate", "label": _("Conversion %"), "fieldtype": "Percent", "width": 110},
		{"fieldname": "tier", "label": _("Tier"), "fieldtype": "Data", "width": 90},
		{"fieldname": "open_deals", "label": _("Open Deals"), "fieldtype": "Int", "width": 100},
	]
	data = []
	for row in frame.itertuples():
		data.append(
			{
				"rank": None if row.rank != row.rank else int(row.rank),  # NaN: below the minimum sample
				"user": row.user,
				"full_name": get_fullname(row.user),
				"entered": int(row.entered),
				"moved_on": int(row.moved_on),
				"rate": None if row.rate != row.rate else round(float(row.rate) * 100, 1),
				"tier": _(TIER_LABELS[row.tier]),
				"open_deals": int(row.open_deals),
			}
		)
	return columns, data
