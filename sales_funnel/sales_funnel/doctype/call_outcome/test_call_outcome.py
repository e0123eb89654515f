# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the Call Outcome controller: what each effect needs, refused with a clear message and nothing
saved; the fields another effect does not use are cleared."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase

from sales_funnel.tests import call_docs as calls
from sales_funnel.tests import erpnext_docs as docs


class TestCallOutcome(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.funnel = calls.funnel(docs.company())

	def assert_refused(self, fragment: str, **values) -> None:
		title = f"SF Outcome {calls.tag()}"
		doc = frappe.get_doc(
			{"doctype": "Call Outcome", "title": title, "category": "Information Only", **values}
		)
		with self.assertRaises(frappe.ValidationError) as raised:
			doc.insert(ignore_permissions=True)
		self.assertIn(fragment, str(raised.exception))
		self.assertFalse(frappe.db.exists("Call Outcome", title))

	def test_a_follow_up_needs_its_hours(self) -> None:
		self.assert_refused("after how many hours", effect="Create Follow-up ToDo", follow_up_hours=0)

	def test_a_follow_up_is_due_within_a_year(self) -> None:
		self.assert_refused("at most 8784 hours", effect="Create Follow-up ToDo", follow_up_hours=10**9)

	def test_a_stage_needs_its_funnel_and_must_be_open(self) -> None:
		open_stage, won_stage = self.funnel.stages[0].stage, self.funnel.stages[3].stage
		self.assert_refused("Choose the Funnel", effect="Create or Move Opportunity", stage=open_stage)
		self.assert_refused(
			"is not an open stage",
			effect="Create or Move Opportunity",
			funnel=self.funnel.name,
			stage=won_stage,
		)

	def test_fields_of_other_effects_are_cleared(self) -> None:
		name = calls.outcome("Create Lead", follow_up_hours=5)
		self.assertEqual(frappe.db.get_value("Call Outcome", name, "follow_up_hours"), 0)
		deal_outcome = calls.outcome(
			"Create or Move Opportunity", funnel=self.funnel.name, stage=self.funnel.stages[1].stage
		)
		doc = frappe.get_doc("Call Outcome", deal_outcome)
		doc.effect = "None"
		doc.save(ignore_permissions=True)
		self.assertEqual((doc.funnel, doc.stage), (None, None))
