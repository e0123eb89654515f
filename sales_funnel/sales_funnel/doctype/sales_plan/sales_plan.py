# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sales Plan: targets per Sales Person (or group) and for the company, for one period. The rules live in
`sales_funnel.engine.sales.plans.validate_plan` (tested off a bench); this controller passes the document to it."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.sales.plans import PlanRow, validate_plan
from sales_funnel.utils import throw_invalid


class SalesPlan(Document):
	def validate(self) -> None:
		try:
			self.period_end = validate_plan(
				frappe.db,
				name=None if self.is_new() else self.name,
				company=self.company,
				period_type=self.period_type,
				period_start=getdate(self.period_start) if self.period_start else None,
				rows=[
					PlanRow(
						scope_type=row.scope_type,
						metric=row.metric,
						target=row.target,  # as entered: a text or NaN is refused, not read as 0
						sales_person=row.sales_person if row.scope_type == "Sales Person" else None,
						idx=row.idx,
					)
					for row in self.get("targets")
				],
			)
		except InvalidInput as error:
			throw_invalid(error, title=_("Invalid Sales Plan"))
		for row in self.get("targets"):
			if row.scope_type != "Sales Person":
				row.sales_person = None
		if not self.title:
			self.title = _("{0} {1} from {2}").format(self.company, _(self.period_type), self.period_start)
