# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests: run by `bench --site … run-tests --app sales_funnel` on a real bench (GitHub Actions).

They record a deal's stage history through the real Opportunity document events.
"""

from datetime import timedelta

import frappe
from frappe.utils import now_datetime

try:  # Frappe v15
	from frappe.tests.utils import FrappeTestCase as TestCase
except ImportError:  # Frappe v16
	from frappe.tests import IntegrationTestCase as TestCase

STAGES = ("SF Test Lead In", "SF Test Proposal", "SF Test Won", "SF Test Lost")
LOST_REASON = "SF Test Too Expensive"


def _named(doctype: str, field: str, value: str) -> str:
	"""The record of `doctype` whose `field` is `value`, created when missing."""
	name = frappe.db.get_value(doctype, {field: value}, "name")
	if name:
		return name
	return frappe.get_doc({"doctype": doctype, field: value}).insert(ignore_permissions=True).name


def _company() -> str:
	if not frappe.get_all("Company", limit=1):
		from erpnext.setup.utils import before_tests  # ERPNext's own test setup: completes the setup wizard

		before_tests()
	if frappe.db.exists("Company", "_Test Company"):
		return "_Test Company"
	return frappe.get_all("Company", pluck="name", order_by="creation asc", limit=1)[0]


class TestSalesFunnel(TestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = _company()
		cls.currency = frappe.get_cached_value("Company", cls.company, "default_currency")
		cls.lead_in, cls.proposal, cls.won, cls.lost = (
			_named("Sales Stage", "stage_name", stage) for stage in STAGES
		)
		cls.lost_reason = _named("Opportunity Lost Reason", "lost_reason", LOST_REASON)
		if not frappe.db.exists("Opportunity Type", "Sales"):
			frappe.get_doc({"doctype": "Opportunity Type", "__newname": "Sales"}).insert(
				ignore_permissions=True
			)

	def make_funnel(self, stages=None, **values):
		return frappe.get_doc(
			{
				"doctype": "Sales Funnel",
				"title": f"SF Test Funnel {frappe.generate_hash(length=8)}",
				"company": self.company,
				"stages": stages
				or [
					{"stage": self.lead_in, "kind": "Open", "probability": 10},
					{"stage": self.proposal, "kind": "Open", "probability": 50},
					{"stage": self.won, "kind": "Won", "probability": 100},
					{"stage": self.lost, "kind": "Lost"},
				],
				**values,
			}
		).insert()

	def make_opportunity(self, **values):
		lead = frappe.get_doc(
			{
				"doctype": "Lead",
				"first_name": "SF Test",
				"last_name": frappe.generate_hash(length=8),
				"company": self.company,
			}
		).insert(ignore_permissions=True)
		return frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": lead.name,
				"company": self.company,
				"currency": self.currency,
				"sales_stage": self.lead_in,
				**values,
			}
		).insert()

	def transitions(self, opportunity):
		return frappe.get_all(
			"Funnel Stage Transition",
			filters={"deal_doctype": "Opportunity", "deal": opportunity.name},
			fields=["*"],
			order_by="name asc",
		)

	def test_history_of_a_deal(self):
		funnel = self.make_funnel()
		opportunity = self.make_opportunity(sf_sales_funnel=funnel.name)

		(entry,) = self.transitions(opportunity)
		self.assertEqual(entry.funnel, funnel.name)
		self.assertIsNone(entry.from_stage)
		self.assertEqual(entry.to_stage, self.lead_in)
		self.assertEqual(entry.to_kind, "Open")
		self.assertEqual((entry.progress_from, entry.progress_to, entry.is_latest), (0, 1, 1))
		self.assertEqual(entry.customer_kind, "New")
		self.assertEqual(entry.recorded_via, "Manual")
		self.assertEqual(entry.deal_owner, opportunity.owner)
		self.assertIsNotNone(frappe.db.get_value("Opportunity", opportunity.name, "sf_stage_entered_at"))

		# the deal entered its first stage two days ago
		two_days_ago = now_datetime() - timedelta(days=2)
		frappe.db.set_value(
			"Funnel Stage Transition", entry.name, "transitioned_at", two_days_ago, update_modified=False
		)
		opportunity.reload()
		opportunity.sales_stage = self.proposal
		opportunity.save()

		first, second = self.transitions(opportunity)
		self.assertEqual(first.is_latest, 0)
		self.assertEqual((second.from_stage, second.to_stage), (self.lead_in, self.proposal))
		self.assertEqual((second.progress_from, second.progress_to, second.is_latest), (1, 2, 1))
		self.assertAlmostEqual(second.days_in_from_stage, 2.0, delta=0.01)
		self.assertEqual(second.funnel_entered_at, first.funnel_entered_at)

		# saving without a change of stage records nothing
		opportunity.reload()
		opportunity.save()
		self.assertEqual(len(self.transitions(opportunity)), 2)

		opportunity.reload()
		opportunity.declare_enquiry_lost([{"lost_reason": self.lost_reason}], [], "Chose a cheaper offer")

		rows = self.transitions(opportunity)
		self.assertEqual(len(rows), 3)
		lost = rows[-1]
		self.assertEqual((lost.from_stage, lost.to_stage, lost.to_kind), (self.proposal, self.lost, "Lost"))
		self.assertEqual(lost.lost_reason, self.lost_reason)
		self.assertEqual(lost.progress_to, 2)  # lost at the proposal stage, after passing it
		self.assertEqual([row.is_latest for row in rows], [0, 0, 1])

	def test_new_deal_goes_to_the_funnel_whose_rule_matches(self):
		funnel = self.make_funnel(customer_kind="New", priority=1000)
		opportunity = self.make_opportunity(sales_stage=self.proposal)

		self.assertEqual(opportunity.sf_sales_funnel, funnel.name)
		(entry,) = self.transitions(opportunity)
		self.assertEqual((entry.to_stage, entry.progress_to), (self.proposal, 2))

	def test_deal_starts_at_the_first_open_stage_when_its_stage_is_not_in_the_funnel(self):
		funnel = self.make_funnel()
		opportunity = self.make_opportunity(sf_sales_funnel=funnel.name, sales_stage=self.lost)

		self.assertEqual(opportunity.sales_stage, self.lead_in)
		(entry,) = self.transitions(opportunity)
		self.assertEqual(entry.to_stage, self.lead_in)

	def test_invalid_funnels_are_refused(self):
		no_won_stage = [
			{"stage": self.lead_in, "kind": "Open", "probability": 10},
			{"stage": self.proposal, "kind": "Open", "probability": 50},
		]
		falling_probability = [
			{"stage": self.lead_in, "kind": "Open", "probability": 50},
			{"stage": self.proposal, "kind": "Open", "probability": 10},
			{"stage": self.won, "kind": "Won", "probability": 100},
		]
		lost_before_won = [
			{"stage": self.lead_in, "kind": "Open", "probability": 10},
			{"stage": self.lost, "kind": "Lost"},
			{"stage": self.won, "kind": "Won", "probability": 100},
		]
		repeated_stage = [
			{"stage": self.lead_in, "kind": "Open", "probability": 10},
			{"stage": self.lead_in, "kind": "Open", "probability": 20},
			{"stage": self.won, "kind": "Won", "probability": 100},
		]
		for stages in (no_won_stage, falling_probability, lost_before_won, repeated_stage):
			with (
				self.subTest(stages=[row["stage"] for row in stages]),
				self.assertRaises(frappe.ValidationError),
			):
				self.make_funnel(stages)

	def test_one_default_funnel_per_company(self):
		frappe.db.set_value(
			"Sales Funnel", {"company": self.company, "is_default": 1}, "is_default", 0, update_modified=False
		)
		self.make_funnel(is_default=1)
		with self.assertRaises(frappe.ValidationError):
			self.make_funnel(is_default=1)

	def test_deal_type_is_forced_to_opportunity(self):
		funnel = self.make_funnel(deal_doctype="Opportunity")
		funnel.deal_doctype = "Quotation"
		funnel.save()
		self.assertEqual(funnel.deal_doctype, "Opportunity")
