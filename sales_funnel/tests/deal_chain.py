# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The base of the doc-event bench tests (`test_doc_events`, `test_pending_moves`): a company, a funnel whose stages
have document triggers and one whose Won stage follows conversion; deals and their document chain made through
ERPNext's own API and mappers (sales_funnel/tests/erpnext_docs.py), so ERPNext's controllers and the app's hooks
run as they do for a user; and the assertions on the stage history and the credit ledger, which after each event
must equal what the engine's `rebuild_credits` writes for the same documents.
"""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import flt, now_datetime

from sales_funnel.engine.sales.credit_ledger import ledger_rows, rebuild_credits
from sales_funnel.tests import erpnext_docs as docs

TRANSITION = "Funnel Stage Transition"
PROSPECTING, PROPOSAL, NEGOTIATION, INVOICED, WON, LOST = (
	"SF Test Prospecting",
	"SF Test Proposal",
	"SF Test Negotiation",
	"SF Test Invoiced",
	"SF Test Won",
	"SF Test Lost",
)
# stage, kind, probability, trigger
TRIGGER_STAGES = (
	(PROSPECTING, "Open", 10, None),
	(PROPOSAL, "Open", 40, "Quotation Submitted"),
	(NEGOTIATION, "Open", 70, "Sales Order Submitted"),
	(INVOICED, "Open", 90, "Sales Invoice Submitted"),
	(WON, "Won", 100, "Sales Invoice Paid"),
	(LOST, "Lost", 0, None),
)
# the same stages, but Won is reached when ERPNext converts the deal (no trigger on the Won stage)
CONVERSION_STAGES = (*TRIGGER_STAGES[:4], (WON, "Won", 100, None), TRIGGER_STAGES[5])
HISTORY_FIELDS = (
	"from_stage",
	"to_stage",
	"to_kind",
	"recorded_via",
	"reference_doctype",
	"reference_name",
	"from_position",
	"to_position",
	"progress_from",
	"progress_to",
	"is_latest",
	"lost_reason",
)


def make_funnel(company: str, stages=TRIGGER_STAGES) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Sales Funnel",
				"title": docs.unique("SF Test Funnel"),
				"company": company,
				"enabled": 1,
				# no rule: left unset, Frappe would fill the Link field customer_group with the global default that
				# Selling Settings keeps (frappe.db.set_default), which makes a rule of it
				"customer_group": "",
				"stages": [
					{
						"stage": docs.sales_stage(stage),
						"kind": kind,
						"probability": probability,
						"trigger": trigger,
					}
					for stage, kind, probability, trigger in stages
				],
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


class DocEventsTestCase(FrappeTestCase):
	"""A company, a funnel whose stages have document triggers and one whose Won stage follows conversion."""

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = docs.company()
		cls.funnel = make_funnel(cls.company)
		cls.conversion_funnel = make_funnel(cls.company, CONVERSION_STAGES)
		cls.lost_reason = docs.named("Opportunity Lost Reason", "lost_reason", "SF Test Too Expensive")

	def tearDown(self) -> None:
		frappe.set_user("Administrator")
		self.assertLedgerRebuilds()  # after every event, whatever the test looked at

	# Documents
	# ---------

	def deal(
		self, *, funnel: str | None = None, stage: str | None = PROSPECTING, rate: float = 1000.0, **values
	):
		"""An Opportunity of a new Customer with one item, in `funnel` (the trigger funnel by default)."""
		party = docs.customer()
		code = docs.item(rate=rate)
		deal = docs.opportunity(
			self.company,
			party=party,
			items=[(code, 1, rate)],
			sf_sales_funnel=funnel or self.funnel,
			**({"sales_stage": stage} if stage else {}),
			**values,
		)
		deal.sf_test_party = party
		return deal

	def move(self, deal, stage: str):
		deal.reload()
		deal.sales_stage = stage
		deal.save(ignore_permissions=True)
		return deal

	def chain(self, deal, until: str):
		"""Quotation, Sales Order, Sales Invoice, Payment Entry of `deal`, up to and including `until`."""
		made = {}
		made["Quotation"] = docs.quotation(deal.name, party=deal.sf_test_party)
		if until == "Quotation":
			return made
		made["Sales Order"] = docs.sales_order(made["Quotation"].name)
		if until == "Sales Order":
			return made
		made["Sales Invoice"] = docs.sales_invoice(made["Sales Order"].name)
		if until == "Sales Invoice":
			return made
		made["Payment Entry"] = docs.payment(made["Sales Invoice"].name)
		return made

	# Assertions
	# ----------

	def history(self, deal_name: str) -> list[dict]:
		return frappe.get_all(
			TRANSITION,
			filters={"deal_doctype": "Opportunity", "deal": deal_name},
			fields=["name", "funnel", "transitioned_at", "customer_group", "customer_kind", *HISTORY_FIELDS],
			order_by="transitioned_at asc, name asc",
		)

	def assertMoves(self, deal_name: str, expected: list[tuple]) -> list[dict]:
		"""The deal's whole history as (from_stage, to_stage, to_kind, recorded_via, reference) rows; exactly the
		last row is latest."""
		rows = self.history(deal_name)
		self.assertEqual(
			[
				(
					row.from_stage,
					row.to_stage,
					row.to_kind,
					row.recorded_via,
					(row.reference_doctype, row.reference_name) if row.reference_doctype else None,
				)
				for row in rows
			],
			expected,
		)
		self.assertEqual([row.is_latest for row in rows], [0] * (len(rows) - 1) + [1])
		return rows

	def assertPositions(self, row: dict, from_position: int, to_position: int, progress: tuple[int, int]):
		self.assertEqual(
			(row.from_position, row.to_position, row.progress_from, row.progress_to),
			(from_position, to_position, *progress),
		)

	def assertStage(self, deal_name: str, stage: str, probability: float | None = None):
		values = frappe.db.get_value(
			"Opportunity",
			deal_name,
			["sales_stage", "probability", "sf_stage_entered_at"],
			as_dict=True,
		)
		self.assertEqual(values.sales_stage, stage)
		latest = self.history(deal_name)[-1]
		self.assertEqual(values.sf_stage_entered_at, latest.transitioned_at)
		if probability is not None:
			self.assertEqual(flt(values.probability), probability)

	def assertLedgerRebuilds(self) -> list[dict]:
		"""The ledger the doc events wrote equals the engine's rebuild from the same documents."""
		written = ledger_rows(frappe.db, company=self.company)
		rebuild_credits(frappe.db, now=now_datetime(), user="Administrator", company=self.company)
		self.assertEqual(written, ledger_rows(frappe.db, company=self.company))
		return written

	def ledger_of(self, voucher_type: str, voucher_no: str) -> list[dict]:
		return [
			row
			for row in ledger_rows(frappe.db, company=self.company)
			if row["voucher_type"] == voucher_type and row["voucher_no"] == voucher_no
		]
