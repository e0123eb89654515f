# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from sales_funnel.engine.funnels import Stage, check_stages
from sales_funnel.recording import clear_funnel_cache, translate

DEAL_DOCTYPE = "Opportunity"


class SalesFunnel(Document):
	def validate(self) -> None:
		self.deal_doctype = DEAL_DOCTYPE
		self.validate_stages()
		self.validate_single_default()

	def validate_stages(self) -> None:
		"""The engine's rules for a funnel's stage list: errors block saving, warnings are shown."""
		check = check_stages(
			[
				Stage(
					stage=row.stage or "",
					kind=row.kind or "Open",
					probability=flt(row.probability),
					target_conversion=flt(row.target_conversion),
					time_limit_days=flt(row.time_limit_days),
					trigger=row.trigger or None,
				)
				for row in self.get("stages")
			]
		)
		if check.errors:
			frappe.throw("<br>".join(translate(m) for m in check.errors), title=_("Invalid Funnel"))
		if check.warnings:
			frappe.msgprint("<br>".join(translate(m) for m in check.warnings), indicator="orange", alert=True)

	def validate_single_default(self) -> None:
		"""A company has at most one default funnel (where new deals go when no funnel's rule matches)."""
		if not self.is_default:
			return
		other = frappe.db.get_value(
			"Sales Funnel",
			{"company": self.company, "is_default": 1, "name": ("!=", self.name or "")},
			"name",
		)
		if other:
			frappe.throw(
				_(
					"Sales Funnel {0} is already the default funnel of company {1}. Clear its Default for Company first."
				).format(frappe.bold(other), frappe.bold(self.company)),
				title=_("Invalid Funnel"),
			)

	def on_update(self) -> None:
		clear_funnel_cache()

	def on_trash(self) -> None:
		clear_funnel_cache()
