# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench test of the Stage Conversion report: a deal won when its invoice is paid, reopened when the payment is
cancelled and won again when it is paid again is one won deal, with its amount counted once (the engine's figures
are tested by hand in tests/conversion/test_report.py)."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today

from sales_funnel.sales_funnel.report.stage_conversion.stage_conversion import execute
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import history_docs as h

AMOUNT = 1000.0


class TestWonAgain(FrappeTestCase):
	def test_a_deal_won_reopened_and_won_again_is_won_once(self) -> None:
		company = docs.company()
		source = h.lead_source()
		inquiry, proposal, won, lost = (docs.sales_stage(stage) for stage in h.STAGES)
		funnel = h.funnel(
			company,
			source=source,
			stages=[
				{"stage": inquiry, "kind": "Open", "probability": 10},
				{"stage": proposal, "kind": "Open", "probability": 50, "trigger": "Quotation Submitted"},
				{"stage": won, "kind": "Won", "probability": 100, "trigger": "Sales Invoice Paid"},
				{"stage": lost, "kind": "Lost"},
			],
		)
		chain = docs.deal_chain(company, rate=AMOUNT, source=source)
		deal, invoice = chain["Opportunity"].name, chain["Sales Invoice"].name
		chain["Payment Entry"].cancel()  # the payment bounced: the deal steps back from Won
		docs.payment(invoice)  # paid again: Won again
		self.assertEqual(
			[(r.from_stage, r.to_stage) for r in h.history(deal)],
			[(None, inquiry), (inquiry, proposal), (proposal, won), (won, proposal), (proposal, won)],
		)

		_columns, data, _message, _chart, summary = execute(
			frappe._dict(
				company=company,
				funnel=funnel,
				from_date=add_days(today(), -1),
				to_date=today(),
				mode="Cohort",
			)
		)
		figures = {item["label"]: item["value"] for item in summary}
		self.assertEqual(figures["Won Amount"], AMOUNT)
		won_row = next(row for row in data if row.get("stage") == won)
		self.assertEqual(won_row["entered"], 1)
