# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from sales_funnel.engine.funnels.history import rebuild_positions
from sales_funnel.engine.funnels.stages import Stage, check_stages, load_funnel
from sales_funnel.services.funnels import clear_funnel_cache
from sales_funnel.utils import translate

DEAL_DOCTYPE = "Opportunity"
INLINE_REBUILD_LIMIT = 50_000  # transition rows; more are rebuilt in a background job


def rebuild_history_positions(funnel: str) -> None:
	"""After the stages were reordered: recompute the history's positions (inline when small)."""
	rows = frappe.db.count("Funnel Stage Transition", {"funnel": funnel})
	if not rows:
		return
	if rows <= INLINE_REBUILD_LIMIT:
		_rebuild(funnel)
	else:
		frappe.enqueue(
			"sales_funnel.sales_funnel.doctype.sales_funnel.sales_funnel._rebuild",
			queue="long",
			funnel=funnel,
			enqueue_after_commit=True,
		)
		frappe.msgprint(
			_("The stage history of this funnel is being updated to the new stage order."), alert=True
		)


def _rebuild(funnel: str) -> None:
	rebuild_positions(frappe.db, load_funnel(frappe.db, funnel))


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
		if self.stage_order_changed():
			rebuild_history_positions(self.name)

	def stage_order_changed(self) -> bool:
		"""Positions stored on the history depend on the order and kinds of the stages."""
		before = self.get_doc_before_save()
		if before is None:
			return False

		def layout(doc: Document) -> list[tuple[str, str]]:
			return [(row.stage, row.kind) for row in doc.get("stages")]

		return layout(before) != layout(self)

	def on_trash(self) -> None:
		clear_funnel_cache()
