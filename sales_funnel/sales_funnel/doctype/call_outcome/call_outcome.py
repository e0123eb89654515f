# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from sales_funnel.engine.calls.outcome import check_outcome_setup, check_outcome_stage
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.utils import throw_invalid


class CallOutcome(Document):
	def validate(self) -> None:
		"""The effect needs its follow-up hours, or a stage that is an open stage of its funnel (without a funnel
		the Opportunity is created in the funnel the app chooses for it, and a linked one is never moved)."""
		try:
			check_outcome_setup(self.effect, self.funnel, self.stage, self.follow_up_hours)
			if self.effect == "Create or Move Opportunity" and self.funnel:
				check_outcome_stage(frappe.db, self.funnel, self.stage)
		except InvalidInput as error:
			throw_invalid(error, title=self.doctype)
		if self.effect != "Create or Move Opportunity":
			self.funnel = self.stage = None
		if self.effect != "Create Follow-up ToDo":
			self.follow_up_hours = 0
