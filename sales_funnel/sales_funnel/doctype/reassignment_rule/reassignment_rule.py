# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""A Reassignment Rule: which stale deals go to which managers, checked by the engine before saving."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from sales_funnel.engine.funnels.stages import load_funnel
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.reassignment.model import Rule
from sales_funnel.engine.reassignment.rules import check_rule, pool_members
from sales_funnel.services.lead_routing import clear_cached_tiers
from sales_funnel.utils import translate


class ReassignmentRule(Document):
	def validate(self) -> None:
		rule = self.as_rule()
		try:
			funnel = load_funnel(frappe.db, rule.funnel) if rule.funnel else None
		except InvalidInput:
			funnel = None
		errors = check_rule(rule, funnel, pool_members(frappe.db, rule))
		if errors:
			frappe.throw("<br>".join(translate(m) for m in errors), title=_("Invalid Reassignment Rule"))

	def on_update(self) -> None:
		clear_cached_tiers()  # the pool or the ranking settings may have changed: lead routing ranks again

	def on_trash(self) -> None:
		clear_cached_tiers()

	def as_rule(self) -> Rule:
		return Rule(
			name=self.name or self.rule_name,
			funnel=self.funnel,
			trigger=self.trigger,
			threshold=flt(self.threshold),
			stages=() if self.all_stages else tuple(row.stage for row in self.get("stages") if row.stage),
			pool_type=self.pool_type,
			sales_person_group=self.sales_person_group or None,
			role=self.role or None,
			users=tuple(row.user for row in self.get("users") if row.user),
			strategy=self.strategy,
			converter_window_days=cint(self.converter_window_days),
			converter_min_deals=cint(self.converter_min_deals),
			max_reassignments=cint(self.max_reassignments),
			max_per_hour=cint(self.max_per_hour),
			cooldown_hours=flt(self.cooldown_hours),
			never_to_previous_owner=bool(self.never_to_previous_owner),
			skip_if_future_event=bool(self.skip_if_future_event),
			skip_if_future_todo=bool(self.skip_if_future_todo),
			enabled=bool(self.enabled),
			dry_run=bool(self.dry_run),
			route_new_leads=bool(self.route_new_leads),
		)
