# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""A document-driven move that fails never fails the document and is never lost (`sales_funnel.services.pending_moves`):
it is retried once, then left as a Pending Stage Move that the hourly job (`tasks.apply_pending_stage_moves`) makes
later, recorded when and by whom it first failed."""

from __future__ import annotations

from unittest.mock import patch

import frappe
from frappe.utils import now_datetime

from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests.deal_chain import (
	NEGOTIATION,
	PROPOSAL,
	PROSPECTING,
	TRANSITION,
	DocEventsTestCase,
)


class FailingMoves:
	"""Makes the next `times` document-driven saves of an Opportunity fail, as a lock wait or a stale read
	would (Frappe resolves a doc event's dotted path on every call, so patching the module attribute is seen)."""

	def __init__(self, times: int):
		from sales_funnel.overrides import opportunity

		self.real = opportunity.on_update
		self.times = times
		self.failed = 0

	def __call__(self, doc, method=None):
		if doc.flags.get("sf_move") and self.failed < self.times:
			self.failed += 1
			raise frappe.TimestampMismatchError("Document has been modified after you have opened it")
		return self.real(doc, method)

	def patch(self):
		return patch("sales_funnel.overrides.opportunity.on_update", new=self)


class TestFailedMoves(DocEventsTestCase):
	"""A document-driven move that fails is retried once, then left as a Pending Stage Move that the hourly job
	applies: never lost silently, and the document itself never fails."""

	def pending(self, deal_name: str) -> list[dict]:
		return frappe.get_all(
			"Pending Stage Move",
			filters={"deal": deal_name},
			fields=["name", "action", "reference_doctype", "reference_name", "attempts"],
		)

	def setUp(self) -> None:
		self.started = now_datetime()

	def errors_for(self, doctype: str, name: str) -> int:
		"""Error Logs written for the document since the test began (Frappe writes them even if the test's
		transaction is rolled back, and document names repeat across test runs)."""
		return frappe.db.count(
			"Error Log",
			{"reference_doctype": doctype, "reference_name": name, "creation": (">=", self.started)},
		)

	def test_a_move_that_fails_once_is_retried_and_recorded(self):
		deal = self.deal()
		failing = FailingMoves(times=1)
		with failing.patch():
			quotation = self.chain(deal, "Quotation")["Quotation"]
		self.assertEqual(failing.failed, 1)
		self.assertMoves(
			deal.name,
			[
				(None, PROSPECTING, "Open", "Manual", None),
				(PROSPECTING, PROPOSAL, "Open", "Document Trigger", ("Quotation", quotation.name)),
			],
		)
		self.assertStage(deal.name, PROPOSAL, 40)
		self.assertEqual(self.pending(deal.name), [])
		self.assertEqual(self.errors_for("Quotation", quotation.name), 0)

	def test_a_move_that_fails_twice_is_left_pending_and_applied_later(self):
		from sales_funnel.services.pending_moves import apply_pending_moves

		deal = self.deal()
		failing = FailingMoves(times=2)
		with failing.patch():
			quotation = self.chain(deal, "Quotation")["Quotation"]
		self.assertEqual(failing.failed, 2)
		self.assertEqual(frappe.db.get_value("Quotation", quotation.name, "docstatus"), 1)  # submitted anyway
		self.assertMoves(deal.name, [(None, PROSPECTING, "Open", "Manual", None)])  # undone, not half-done
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), PROSPECTING)
		(mark,) = self.pending(deal.name)
		self.assertEqual(
			(mark.action, mark.reference_doctype, mark.reference_name, mark.attempts),
			("Advance", "Quotation", quotation.name, 2),
		)
		self.assertEqual(self.errors_for("Quotation", quotation.name), 1)
		result = apply_pending_moves()
		self.assertGreaterEqual(result["applied"], 1)
		self.assertMoves(
			deal.name,
			[
				(None, PROSPECTING, "Open", "Manual", None),
				(PROSPECTING, PROPOSAL, "Open", "Document Trigger", ("Quotation", quotation.name)),
			],
		)
		self.assertStage(deal.name, PROPOSAL, 40)
		self.assertEqual(self.pending(deal.name), [])

	def test_a_failed_move_never_fails_the_invoice_or_its_credit(self):
		deal = self.deal()
		order = self.chain(deal, "Sales Order")["Sales Order"]
		with FailingMoves(times=2).patch():
			invoice = docs.sales_invoice(order.name)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice.name, "docstatus"), 1)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice.name, "sf_opportunity"), deal.name)
		self.assertEqual(
			len(self.ledger_of("Sales Invoice", invoice.name)), 1
		)  # written after the failed move
		self.assertEqual(self.history(deal.name)[-1].to_stage, NEGOTIATION)
		(mark,) = self.pending(deal.name)
		self.assertEqual((mark.reference_doctype, mark.reference_name), ("Sales Invoice", invoice.name))

	def test_a_repaired_move_is_recorded_when_and_by_whom_it_first_failed(self):
		from sales_funnel.services.pending_moves import apply_pending_moves

		seller = docs.user("sf-seller@example.com", "Sales User")
		deal = self.deal()
		quotation = docs.quotation(deal.name, party=deal.sf_test_party, submit=False)
		frappe.set_user(seller)
		with FailingMoves(times=2).patch():
			quotation.reload()
			quotation.submit()
		frappe.set_user("Administrator")
		failed_at = frappe.db.get_value("Pending Stage Move", {"deal": deal.name}, "failed_at")
		apply_pending_moves([deal.name])
		row = self.history(deal.name)[-1]
		self.assertEqual(row.to_stage, PROPOSAL)
		self.assertEqual(row.transitioned_at, failed_at)
		self.assertEqual(frappe.db.get_value(TRANSITION, row.name, "by_user"), seller)

	def test_a_pending_move_that_fails_again_stays_pending(self):
		from sales_funnel.services.pending_moves import apply_pending_moves

		deal = self.deal()
		with FailingMoves(times=3).patch():
			self.chain(deal, "Quotation")
			apply_pending_moves()
		(mark,) = self.pending(deal.name)
		self.assertEqual(mark.attempts, 3)
		self.assertEqual(len(self.history(deal.name)), 1)
		apply_pending_moves()
		self.assertEqual(self.pending(deal.name), [])
		self.assertEqual(self.history(deal.name)[-1].to_stage, PROPOSAL)

	def test_a_failed_step_back_is_repaired(self):
		from sales_funnel.services.pending_moves import apply_pending_moves

		deal = self.deal()
		quotation = self.chain(deal, "Quotation")["Quotation"]
		quotation.reload()
		with FailingMoves(times=2).patch():
			quotation.cancel()
		self.assertEqual(frappe.db.get_value("Quotation", quotation.name, "docstatus"), 2)
		self.assertEqual(self.history(deal.name)[-1].to_stage, PROPOSAL)
		(mark,) = self.pending(deal.name)
		self.assertEqual(mark.action, "Step Back")
		apply_pending_moves()
		rows = self.history(deal.name)
		self.assertEqual(
			(rows[-1].from_stage, rows[-1].to_stage, rows[-1].reference_name),
			(PROPOSAL, PROSPECTING, quotation.name),
		)
		self.assertEqual(self.pending(deal.name), [])

	def test_a_pending_advance_of_a_document_cancelled_since_is_dropped(self):
		from sales_funnel.services.pending_moves import apply_pending_moves

		deal = self.deal()
		with FailingMoves(times=2).patch():
			quotation = self.chain(deal, "Quotation")["Quotation"]
		quotation.reload()
		quotation.cancel()  # nothing to step back: the deal never moved
		apply_pending_moves()
		self.assertEqual(self.pending(deal.name), [])
		self.assertMoves(deal.name, [(None, PROSPECTING, "Open", "Manual", None)])

	def test_the_hourly_job_applies_pending_moves(self):
		# on the long queue with the other hourly jobs that can run for minutes
		job = "sales_funnel.tasks.apply_pending_stage_moves"
		self.assertIn(job, frappe.get_hooks("scheduler_events")["hourly_long"])
		deal = self.deal()
		with FailingMoves(times=2).patch():
			quotation = self.chain(deal, "Quotation")["Quotation"]
		self.assertEqual(len(self.pending(deal.name)), 1)
		frappe.get_attr(job)()
		self.assertEqual(self.pending(deal.name), [])
		self.assertEqual(self.history(deal.name)[-1].reference_name, quotation.name)
