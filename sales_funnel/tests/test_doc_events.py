# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The doc events on a real bench (`sales_funnel/overrides/`): what a user's Opportunity, Quotation, Sales Order, Sales
Invoice and Payment Entry do to the deal's stage history (Funnel Stage Transition), its probability and the credit
ledger (Sales Credit Entry). A move that fails: `test_pending_moves`.

Every document is made through ERPNext's own API and mappers (sales_funnel/tests/erpnext_docs.py), so ERPNext's
controllers and the app's hooks run as they do for a user. After each event the ledger must equal what the
engine's `rebuild_credits` writes for the same documents.
"""

from __future__ import annotations

import frappe
from frappe.utils import flt

from sales_funnel.engine.sales.credit_ledger import ledger_rows
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests.deal_chain import (
	INVOICED,
	LOST,
	NEGOTIATION,
	PROPOSAL,
	PROSPECTING,
	WON,
	DocEventsTestCase,
	make_funnel,
)


class TestOpportunityEvents(DocEventsTestCase):
	def test_a_new_deal_enters_its_funnel_at_its_stage(self):
		deal = self.deal(stage=PROPOSAL)
		(row,) = self.assertMoves(deal.name, [(None, PROPOSAL, "Open", "Manual", None)])
		self.assertPositions(row, 0, 2, (0, 2))
		self.assertEqual(row.funnel, self.funnel)
		self.assertStage(deal.name, PROPOSAL)

	def test_a_new_deal_without_a_stage_of_the_funnel_starts_at_the_first_open_stage(self):
		for stage in (None, LOST, docs.sales_stage("SF Test Not In Funnel")):
			deal = self.deal(stage=stage)
			self.assertMoves(deal.name, [(None, PROSPECTING, "Open", "Manual", None)])
			self.assertStage(deal.name, PROSPECTING)

	def test_a_new_deal_without_a_funnel_enters_the_funnel_its_rule_matches(self):
		group = docs.named(
			"Customer Group",
			"customer_group_name",
			docs.unique("_Test SF Group"),
			parent_customer_group=docs.root_of("Customer Group"),
		)
		ruled = frappe.get_doc("Sales Funnel", make_funnel(self.company))
		ruled.customer_group = group
		ruled.priority = 5
		ruled.save(ignore_permissions=True)
		party = docs.customer(group=group)
		# the group is given: left unset, Frappe fills Opportunity.customer_group with Selling Settings' default
		# before ERPNext's map_fields could copy the customer's
		deal = docs.opportunity(self.company, party=party, customer_group=group, sales_stage=NEGOTIATION)
		self.assertEqual(deal.sf_sales_funnel, ruled.name)
		(row,) = self.assertMoves(deal.name, [(None, NEGOTIATION, "Open", "Manual", None)])
		self.assertEqual((row.funnel, row.customer_group, row.customer_kind), (ruled.name, group, "Existing"))
		self.assertStage(deal.name, NEGOTIATION, 70)

	def test_a_changed_stage_is_one_move_and_a_save_without_one_is_none(self):
		deal = self.deal()
		self.move(deal, NEGOTIATION)
		deal.reload()
		deal.title = "renamed"
		deal.save(ignore_permissions=True)
		rows = self.assertMoves(
			deal.name,
			[(None, PROSPECTING, "Open", "Manual", None), (PROSPECTING, NEGOTIATION, "Open", "Manual", None)],
		)
		self.assertPositions(rows[1], 1, 3, (1, 3))
		self.assertStage(deal.name, NEGOTIATION)

	def test_declare_enquiry_lost_records_the_lost_move_with_its_reason(self):
		deal = self.deal(stage=PROPOSAL)
		deal.reload()
		deal.declare_enquiry_lost([{"lost_reason": self.lost_reason}], [], detailed_reason="too expensive")
		rows = self.assertMoves(
			deal.name,
			[(None, PROPOSAL, "Open", "Manual", None), (PROPOSAL, LOST, "Lost", "Manual", None)],
		)
		self.assertEqual(rows[1].lost_reason, self.lost_reason)
		self.assertPositions(rows[1], 2, -1, (2, 2))  # lost at Proposal: the progress stays
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "sales_stage"), PROPOSAL)

	def test_a_plain_status_change_to_lost_is_a_lost_move(self):
		deal = self.deal()
		deal.reload()
		deal.status = "Lost"
		deal.append("lost_reasons", {"lost_reason": self.lost_reason})
		deal.save(ignore_permissions=True)
		rows = self.assertMoves(
			deal.name,
			[(None, PROSPECTING, "Open", "Manual", None), (PROSPECTING, LOST, "Lost", "Manual", None)],
		)
		self.assertEqual(rows[1].lost_reason, self.lost_reason)

	def test_a_reopened_deal_goes_back_to_its_stage(self):
		deal = self.deal(stage=NEGOTIATION)
		deal.reload()
		deal.declare_enquiry_lost([{"lost_reason": self.lost_reason}], [])
		deal.reload()
		deal.status = "Open"
		deal.save(ignore_permissions=True)
		rows = self.assertMoves(
			deal.name,
			[
				(None, NEGOTIATION, "Open", "Manual", None),
				(NEGOTIATION, LOST, "Lost", "Manual", None),
				(LOST, NEGOTIATION, "Open", "Manual", None),
			],
		)
		self.assertPositions(rows[2], -1, 3, (3, 3))
		self.assertIsNone(rows[2].lost_reason)

	def test_a_deal_set_converted_is_won(self):
		deal = self.deal(stage=NEGOTIATION)
		deal.reload()
		deal.status = "Converted"
		deal.save(ignore_permissions=True)
		rows = self.assertMoves(
			deal.name,
			[(None, NEGOTIATION, "Open", "Manual", None), (NEGOTIATION, WON, "Won", "Manual", None)],
		)
		self.assertPositions(rows[1], 3, 5, (3, 5))

	def test_a_sales_order_converts_the_deal_to_won_when_won_has_no_trigger(self):
		deal = self.deal(funnel=self.conversion_funnel)
		made = self.chain(deal, "Sales Order")
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "status"), "Converted")
		quotation, order = ("Quotation", made["Quotation"].name), ("Sales Order", made["Sales Order"].name)
		self.assertMoves(
			deal.name,
			[
				(None, PROSPECTING, "Open", "Manual", None),
				(PROSPECTING, PROPOSAL, "Open", "Document Trigger", quotation),
				(PROPOSAL, WON, "Won", "Document Trigger", order),  # the furthest of Negotiation and Won
			],
		)
		self.assertStage(deal.name, WON, 100)

	def test_a_deal_moved_to_another_funnel_enters_it_afresh(self):
		deal = self.deal(stage=NEGOTIATION)
		deal.reload()
		deal.sf_sales_funnel = self.conversion_funnel
		deal.save(ignore_permissions=True)
		rows = self.assertMoves(
			deal.name,
			[(None, NEGOTIATION, "Open", "Manual", None), (None, NEGOTIATION, "Open", "Manual", None)],
		)
		self.assertEqual([row.funnel for row in rows], [self.funnel, self.conversion_funnel])
		self.assertPositions(rows[1], 0, 3, (0, 3))  # an entry: nothing carried over from the other funnel
		self.assertStage(deal.name, NEGOTIATION, 70)

	def test_a_deal_from_a_lead_is_a_new_customer_deal(self):
		deal = docs.opportunity(self.company, sf_sales_funnel=self.funnel, sales_stage=PROPOSAL)
		(row,) = self.assertMoves(deal.name, [(None, PROPOSAL, "Open", "Manual", None)])
		self.assertEqual(row.customer_kind, "New")
		self.assertStage(deal.name, PROPOSAL, 40)

	def test_a_deleted_deal_takes_its_history_with_it(self):
		deal = self.deal()
		self.move(deal, PROPOSAL)
		frappe.delete_doc("Opportunity", deal.name, ignore_permissions=True)
		self.assertEqual(self.history(deal.name), [])


class TestStageProbability(DocEventsTestCase):
	"""The stage's probability becomes the deal's (ERPNext's Opportunity only defaults it to 100 in its JSON)."""

	def test_a_new_deal_takes_its_entry_stage_probability(self):
		self.assertEqual(flt(self.deal(stage=PROPOSAL).probability), 40)
		deal = self.deal(stage=None)
		self.assertStage(deal.name, PROSPECTING, 10)

	def test_a_manual_stage_change_sets_the_probability(self):
		deal = self.deal()
		self.move(deal, NEGOTIATION)
		self.assertEqual(flt(deal.probability), 70)  # the saved document shows it too
		self.assertStage(deal.name, NEGOTIATION, 70)

	def test_a_document_trigger_sets_the_probability(self):
		deal = self.deal()
		self.chain(deal, "Quotation")
		self.assertStage(deal.name, PROPOSAL, 40)
		self.chain(self.deal(), "Sales Invoice")

	def test_lost_won_and_reopened_deals_take_their_stage_probability(self):
		deal = self.deal(stage=NEGOTIATION)
		deal.reload()
		deal.declare_enquiry_lost([{"lost_reason": self.lost_reason}], [])
		self.assertEqual(flt(frappe.db.get_value("Opportunity", deal.name, "probability")), 0)
		deal.reload()
		deal.status = "Open"
		deal.save(ignore_permissions=True)
		self.assertStage(deal.name, NEGOTIATION, 70)
		paid = self.deal()
		self.chain(paid, "Payment Entry")
		self.assertStage(paid.name, WON, 100)

	def test_a_deal_declared_lost_through_its_quotation_takes_the_lost_probability(self):
		deal = self.deal()
		quotation = self.chain(deal, "Quotation")["Quotation"]
		reason = docs.named("Quotation Lost Reason", "order_lost_reason", "SF Test Quotation Too Expensive")
		quotation.reload()
		quotation.declare_enquiry_lost([{"lost_reason": reason}], [])
		self.assertEqual(flt(frappe.db.get_value("Opportunity", deal.name, "probability")), 0)

	def test_a_save_that_does_not_move_keeps_a_probability_set_by_hand(self):
		deal = self.deal()
		deal.reload()
		deal.probability = 25
		deal.save(ignore_permissions=True)
		self.assertEqual(flt(frappe.db.get_value("Opportunity", deal.name, "probability")), 25)


class TestQuotationEvents(DocEventsTestCase):
	def test_a_submitted_quotation_moves_the_deal_to_its_stage(self):
		deal = self.deal()
		quotation = self.chain(deal, "Quotation")["Quotation"]
		rows = self.assertMoves(
			deal.name,
			[
				(None, PROSPECTING, "Open", "Manual", None),
				(PROSPECTING, PROPOSAL, "Open", "Document Trigger", ("Quotation", quotation.name)),
			],
		)
		self.assertPositions(rows[1], 1, 2, (1, 2))
		self.assertStage(deal.name, PROPOSAL)
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "status"), "Quotation")

	def test_a_quotation_never_moves_a_deal_back(self):
		deal = self.deal(stage=NEGOTIATION)
		self.chain(deal, "Quotation")
		self.assertMoves(deal.name, [(None, NEGOTIATION, "Open", "Manual", None)])

	def test_a_cancelled_quotation_steps_the_deal_back(self):
		deal = self.deal()
		quotation = self.chain(deal, "Quotation")["Quotation"]
		quotation.reload()
		quotation.cancel()
		reference = ("Quotation", quotation.name)
		rows = self.assertMoves(
			deal.name,
			[
				(None, PROSPECTING, "Open", "Manual", None),
				(PROSPECTING, PROPOSAL, "Open", "Document Trigger", reference),
				(PROPOSAL, PROSPECTING, "Open", "Document Trigger", reference),
			],
		)
		self.assertPositions(rows[2], 2, 1, (2, 2))  # the progress reached stays
		self.assertStage(deal.name, PROSPECTING, 10)
		self.assertEqual(frappe.db.get_value("Quotation", quotation.name, "docstatus"), 2)

	def test_a_cancelled_quotation_leaves_a_deal_that_moved_on_alone(self):
		deal = self.deal()
		quotation = self.chain(deal, "Quotation")["Quotation"]
		self.move(deal, NEGOTIATION)
		quotation.reload()
		quotation.cancel()
		self.assertEqual(self.history(deal.name)[-1].to_stage, NEGOTIATION)
		self.assertEqual(len(self.history(deal.name)), 3)

	def test_a_quotation_declared_lost_records_the_deal_lost(self):
		deal = self.deal()
		quotation = self.chain(deal, "Quotation")["Quotation"]
		reason = docs.named("Quotation Lost Reason", "order_lost_reason", "SF Test Quotation Too Expensive")
		quotation.reload()
		quotation.declare_enquiry_lost([{"lost_reason": reason}], [], detailed_reason="cheaper elsewhere")
		self.assertEqual(frappe.db.get_value("Opportunity", deal.name, "status"), "Lost")
		rows = self.assertMoves(
			deal.name,
			[
				(None, PROSPECTING, "Open", "Manual", None),
				(PROSPECTING, PROPOSAL, "Open", "Document Trigger", ("Quotation", quotation.name)),
				(PROPOSAL, LOST, "Lost", "Document Trigger", ("Quotation", quotation.name)),
			],
		)
		self.assertPositions(rows[2], 2, -1, (2, 2))
		# saving the lost quotation again records nothing more
		quotation.reload()
		quotation.save()
		self.assertEqual(len(self.history(deal.name)), 3)


class TestOrderAndInvoiceEvents(DocEventsTestCase):
	def test_a_submitted_sales_order_moves_the_deal(self):
		deal = self.deal()
		order = self.chain(deal, "Sales Order")["Sales Order"]
		rows = self.history(deal.name)
		self.assertEqual(
			(rows[-1].from_stage, rows[-1].to_stage, rows[-1].reference_name),
			(PROPOSAL, NEGOTIATION, order.name),
		)
		self.assertPositions(rows[-1], 2, 3, (2, 3))
		self.assertStage(deal.name, NEGOTIATION, 70)

	def test_a_cancelled_sales_order_steps_the_deal_back(self):
		deal = self.deal()
		order = self.chain(deal, "Sales Order")["Sales Order"]
		order.reload()
		order.cancel()
		rows = self.history(deal.name)
		self.assertEqual(len(rows), 4)
		self.assertEqual(
			(rows[-1].from_stage, rows[-1].to_stage, rows[-1].recorded_via, rows[-1].reference_name),
			(NEGOTIATION, PROPOSAL, "Document Trigger", order.name),
		)
		self.assertStage(deal.name, PROPOSAL, 40)

	def test_a_submitted_invoice_moves_the_deal_links_it_and_writes_its_credit(self):
		owner = docs.user("sf-deal-owner@example.com", "Sales User")
		person = docs.sales_person_of_user(owner, self.company)
		deal = self.deal(opportunity_owner=owner)
		invoice = self.chain(deal, "Sales Invoice")["Sales Invoice"]
		rows = self.history(deal.name)
		self.assertEqual((rows[-1].to_stage, rows[-1].reference_name), (INVOICED, invoice.name))
		self.assertStage(deal.name, INVOICED, 90)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice.name, "sf_opportunity"), deal.name)
		self.assertLedgerRebuilds()
		(credit,) = self.ledger_of("Sales Invoice", invoice.name)
		self.assertEqual(
			(credit["sales_person"], credit["credited_via"], flt(credit["invoiced_revenue"])),
			(person, "Deal Owner", flt(invoice.base_net_total)),
		)

	def test_a_cancelled_invoice_steps_the_deal_back_and_takes_its_credit(self):
		deal = self.deal()
		invoice = self.chain(deal, "Sales Invoice")["Sales Invoice"]
		self.assertTrue(self.ledger_of("Sales Invoice", invoice.name))
		invoice.reload()
		invoice.cancel()
		rows = self.history(deal.name)
		self.assertEqual(
			(rows[-1].from_stage, rows[-1].to_stage, rows[-1].reference_name),
			(INVOICED, NEGOTIATION, invoice.name),
		)
		self.assertStage(deal.name, NEGOTIATION, 70)
		self.assertEqual(self.ledger_of("Sales Invoice", invoice.name), [])
		self.assertLedgerRebuilds()

	def test_an_accountant_corrects_the_deal_of_a_submitted_invoice(self):
		first = docs.user("sf-first-owner@example.com", "Sales User")
		second = docs.user("sf-second-owner@example.com", "Sales User")
		second_person = docs.sales_person_of_user(second, self.company)
		docs.sales_person_of_user(first, self.company)
		deal = self.deal(opportunity_owner=first)
		made = self.chain(deal, "Payment Entry")
		invoice, payment = made["Sales Invoice"], made["Payment Entry"]
		other = self.deal(opportunity_owner=second)
		history_before = (self.history(deal.name), self.history(other.name))
		invoice.reload()
		invoice.sf_deal_ambiguous = 1
		invoice.sf_opportunity = other.name
		invoice.save()  # allowed on submit
		self.assertEqual(
			frappe.db.get_value("Sales Invoice", invoice.name, ["sf_opportunity", "sf_deal_ambiguous"]),
			(other.name, 0),
		)
		for voucher_type, voucher in (("Sales Invoice", invoice.name), ("Payment Entry", payment.name)):
			(credit,) = self.ledger_of(voucher_type, voucher)
			self.assertEqual(credit["sales_person"], second_person, voucher_type)  # the payment follows
		self.assertLedgerRebuilds()
		self.assertEqual(
			(self.history(deal.name), self.history(other.name)), history_before
		)  # no stage moves


class TestPaymentEvents(DocEventsTestCase):
	def test_a_payment_in_full_wins_the_deal_and_writes_its_credit(self):
		deal = self.deal()
		made = self.chain(deal, "Payment Entry")
		payment = made["Payment Entry"]
		self.assertMoves(
			deal.name,
			[
				(None, PROSPECTING, "Open", "Manual", None),
				(PROSPECTING, PROPOSAL, "Open", "Document Trigger", ("Quotation", made["Quotation"].name)),
				(
					PROPOSAL,
					NEGOTIATION,
					"Open",
					"Document Trigger",
					("Sales Order", made["Sales Order"].name),
				),
				(
					NEGOTIATION,
					INVOICED,
					"Open",
					"Document Trigger",
					("Sales Invoice", made["Sales Invoice"].name),
				),
				(INVOICED, WON, "Won", "Document Trigger", ("Payment Entry", payment.name)),
			],
		)
		self.assertPositions(self.history(deal.name)[-1], 4, 5, (4, 5))
		self.assertStage(deal.name, WON, 100)
		self.assertLedgerRebuilds()
		(credit,) = self.ledger_of("Payment Entry", payment.name)
		self.assertEqual(
			(credit["invoice"], flt(credit["payments_received"])),
			(made["Sales Invoice"].name, flt(payment.paid_amount)),
		)

	def test_a_partial_payment_does_not_win_the_deal(self):
		deal = self.deal()
		invoice = self.chain(deal, "Sales Invoice")["Sales Invoice"]
		payment = docs.payment(invoice.name, amount=flt(invoice.grand_total) / 4)
		self.assertEqual(self.history(deal.name)[-1].to_stage, INVOICED)
		(credit,) = self.ledger_of("Payment Entry", payment.name)
		self.assertEqual(flt(credit["payments_received"]), flt(invoice.grand_total) / 4)
		self.assertLedgerRebuilds()

	def test_a_cancelled_payment_steps_the_deal_back_and_takes_its_credit(self):
		deal = self.deal()
		payment = self.chain(deal, "Payment Entry")["Payment Entry"]
		payment.reload()
		payment.cancel()
		rows = self.history(deal.name)
		self.assertEqual(
			(rows[-1].from_stage, rows[-1].to_stage, rows[-1].reference_name), (WON, INVOICED, payment.name)
		)
		self.assertStage(deal.name, INVOICED, 90)
		self.assertEqual(self.ledger_of("Payment Entry", payment.name), [])
		self.assertLedgerRebuilds()

	def test_a_reconciled_advance_that_pays_the_invoice_wins_the_deal(self):
		deal = self.deal()
		invoice = self.chain(deal, "Sales Invoice")["Sales Invoice"]
		advance = docs.unallocated_payment(self.company, deal.sf_test_party, flt(invoice.grand_total))
		self.assertEqual(self.history(deal.name)[-1].to_stage, INVOICED)
		self.assertEqual(self.ledger_of("Payment Entry", advance.name), [])  # allocated to no invoice yet
		docs.reconcile(self.company, deal.sf_test_party, advance.name, invoice.name)
		self.assertEqual(flt(frappe.db.get_value("Sales Invoice", invoice.name, "outstanding_amount")), 0)
		rows = self.history(deal.name)
		self.assertEqual(
			(rows[-1].from_stage, rows[-1].to_stage, rows[-1].reference_doctype, rows[-1].reference_name),
			(INVOICED, WON, "Payment Entry", advance.name),
		)
		self.assertStage(deal.name, WON, 100)
		(credit,) = self.ledger_of("Payment Entry", advance.name)
		self.assertEqual(
			(credit["invoice"], flt(credit["payments_received"])), (invoice.name, flt(invoice.grand_total))
		)
		self.assertLedgerRebuilds()

	def test_a_reconciled_part_payment_does_not_win_the_deal(self):
		deal = self.deal()
		invoice = self.chain(deal, "Sales Invoice")["Sales Invoice"]
		advance = docs.unallocated_payment(self.company, deal.sf_test_party, flt(invoice.grand_total) / 2)
		docs.reconcile(self.company, deal.sf_test_party, advance.name, invoice.name)
		self.assertEqual(self.history(deal.name)[-1].to_stage, INVOICED)
		self.assertEqual(len(self.ledger_of("Payment Entry", advance.name)), 1)
		self.assertLedgerRebuilds()


class TestCreditLedgerRebuildPermission(DocEventsTestCase):
	def test_an_accounts_manager_may_rebuild_the_credit_ledger(self):
		from sales_funnel.api import rebuild_credit_ledger

		self.chain(self.deal(), "Payment Entry")
		manager = docs.user("sf-accounts-manager@example.com", "Accounts Manager")
		frappe.set_user(manager)
		result = rebuild_credit_ledger(company=self.company)
		frappe.set_user("Administrator")
		self.assertGreaterEqual(result["rows"], 2)
		self.assertLedgerRebuilds()

	def test_a_sales_user_may_not_rebuild_the_credit_ledger(self):
		from sales_funnel.api import rebuild_credit_ledger

		self.chain(self.deal(), "Sales Invoice")
		before = ledger_rows(frappe.db, company=self.company)
		frappe.set_user(docs.user("sf-sales-user@example.com", "Sales User"))
		with self.assertRaises(frappe.PermissionError):
			rebuild_credit_ledger(company=self.company)
		frappe.set_user("Administrator")
		self.assertEqual(ledger_rows(frappe.db, company=self.company), before)
