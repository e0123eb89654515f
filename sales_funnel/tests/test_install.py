# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the installation steps (`sales_funnel.install`): `after_sync` on a site that holds deals,
invoices and payments made before the app, `after_migrate`, and a catch-up step that fails half way (nothing of it
may stay behind, the installation goes on, and running the step again completes it).

Each test runs in the test's transaction (the install steps commit nothing when run inline); only the index test
changes the schema, which MariaDB commits, and it writes no data.
"""

from __future__ import annotations

from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from sales_funnel import install
from sales_funnel.engine.indexes import APP_INDEXES, named_index
from sales_funnel.engine.sales import credit_ledger as engine_ledger
from sales_funnel.services import backfill
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import history_docs as h

BACKFILL_FAILED = "Sales Funnel: stage history backfill failed"
LEDGER_FAILED = "Sales Funnel: building the credit ledger failed"


def error_logs(title: str) -> int:
	return frappe.db.count("Error Log", {"method": title})


def app_indexes() -> list[tuple]:
	"""Every index of the app (name, table, columns in order) as the database has it."""
	rows = frappe.db.sql(
		"""SELECT table_name, index_name, GROUP_CONCAT(column_name ORDER BY seq_in_index)
		FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name IN %(names)s
		GROUP BY table_name, index_name ORDER BY table_name, index_name""",
		{"names": [named_index(index)[0] for indexes in APP_INDEXES.values() for index in indexes]},
	)
	return [tuple(row) for row in rows]


def expected_indexes() -> list[tuple]:
	return sorted(
		(f"tab{doctype}", name, ",".join(columns))
		for doctype, indexes in APP_INDEXES.items()
		for name, columns in map(named_index, indexes)
	)


class TestInstallSteps(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()

	def setUp(self) -> None:
		self.source = h.lead_source()
		self.funnel = h.funnel(self.company, source=self.source)

	def test_a_failed_backfill_leaves_no_half_written_history_and_a_rerun_completes_it(self) -> None:
		in_funnel = h.deals_before_the_app(self.company, 2, source=self.source)
		unassigned = h.deals_before_the_app(self.company, 1, source=self.source, in_funnel=False)
		deals = sorted(in_funnel + unassigned)
		rows_before = frappe.db.count(h.TRANSITION)
		errors_before = error_logs(BACKFILL_FAILED)
		real_claim = backfill.claim_deal

		def claim(db, deal):  # the first deal is written, then the step breaks
			if deal == deals[1]:
				raise RuntimeError("the database went away")
			return real_claim(db, deal)

		with patch("sales_funnel.services.backfill.claim_deal", side_effect=claim) as claimed:
			install.backfill_existing_deals()
		self.assertGreaterEqual(claimed.call_count, 2, "the step failed half way, after writing a deal")
		self.assertEqual(frappe.db.count(h.TRANSITION), rows_before, "rows of the failed step stayed")
		for deal in deals:
			self.assertEqual(h.history(deal), [])
			self.assertIsNone(frappe.db.get_value("Opportunity", deal, "sf_stage_entered_at"))
		self.assertIsNone(frappe.db.get_value("Opportunity", unassigned[0], "sf_sales_funnel"))
		self.assertEqual(error_logs(BACKFILL_FAILED), errors_before + 1, "the failure is logged")

		install.backfill_existing_deals()  # the command the log names does the same: run it again
		self.assertEqual(h.latest_rows(deals), dict.fromkeys(deals, 1))
		for deal in deals:
			self.assertEqual(
				[(r.funnel, r.from_stage, r.to_stage, r.recorded_via) for r in h.history(deal)],
				[(self.funnel, None, h.STAGES[0], "Backfill")],
			)
			self.assertIsNotNone(frappe.db.get_value("Opportunity", deal, "sf_stage_entered_at"))
		self.assertEqual(frappe.db.get_value("Opportunity", unassigned[0], "sf_sales_funnel"), self.funnel)

	def test_a_failed_credit_ledger_build_leaves_the_ledger_as_it_was_and_a_rerun_builds_it(self) -> None:
		chain = docs.deal_chain(self.company, source=self.source)
		invoice, payment = chain["Sales Invoice"].name, chain["Payment Entry"].name
		complete = h.ledger_rows()
		self.assertTrue(any(row[2] == payment for row in complete), "the payment's credit is in the ledger")
		frappe.db.delete("Sales Credit Entry", {"voucher_no": payment})  # a ledger that needs the step
		before = h.ledger_rows()
		errors_before = error_logs(LEDGER_FAILED)

		with patch.object(engine_ledger, "_rows_written", side_effect=RuntimeError("disk full")) as written:
			install.build_credit_ledger()  # the invoices' rows are written, then the step breaks
		self.assertEqual(written.call_count, 1)
		self.assertEqual(h.ledger_rows(), before, "the failed step changed the ledger")
		self.assertEqual(error_logs(LEDGER_FAILED), errors_before + 1, "the failure is logged")

		install.build_credit_ledger()
		self.assertEqual(h.ledger_rows(), complete)
		self.assertTrue(frappe.db.exists("Sales Credit Entry", {"voucher_no": invoice}))


class TestAfterSync(FrappeTestCase):
	"""`after_sync` on a site that had deals, invoices and payments before the app."""

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()

	def test_after_sync_backfills_history_builds_the_ledger_and_has_the_indexes(self) -> None:
		source = h.lead_source()
		funnel = h.funnel(self.company, source=source)
		chain = docs.deal_chain(self.company, source=source)
		won = chain["Opportunity"].name
		frappe.db.delete(h.TRANSITION, {"deal": won})
		frappe.db.set_value("Opportunity", won, "sf_stage_entered_at", None, update_modified=False)
		open_deals = h.deals_before_the_app(self.company, 2, source=source, in_funnel=False)
		# a deal that no funnel takes: in this test the company has no funnel but the test's (other tests and the
		# lifecycle check leave funnels, a default one among them)
		frappe.db.sql(
			"UPDATE `tabSales Funnel` SET enabled = 0, is_default = 0 WHERE company = %s AND name != %s",
			(self.company, funnel),
		)
		outside = h.deals_before_the_app(self.company, 1, source=h.lead_source(), in_funnel=False)
		frappe.db.delete("Sales Credit Entry")  # the ledger did not exist before the app

		install.after_sync()

		self.assertEqual(h.latest_rows([won, *open_deals]), dict.fromkeys([won, *open_deals], 1))
		self.assertEqual(
			[(r.from_stage, r.to_stage, r.recorded_via) for r in h.history(won)],
			[(None, h.STAGES[0], "Backfill"), (h.STAGES[0], h.STAGES[2], "Backfill")],
			"the won deal enters at creation and is Won at its last change (ERPNext set Converted)",
		)
		for deal in open_deals:
			self.assertEqual(frappe.db.get_value("Opportunity", deal, "sf_sales_funnel"), funnel)
		self.assertEqual(h.history(outside[0]), [], "a deal that no funnel takes is left without history")
		self.assertIsNone(frappe.db.get_value("Opportunity", outside[0], "sf_sales_funnel"))
		built = h.ledger_rows()
		self.assertTrue(
			{chain["Sales Invoice"].name, chain["Payment Entry"].name} <= {row[2] for row in built},
			"the invoice's and the payment's credit are in the ledger",
		)
		engine_ledger.rebuild_credits(frappe.db, now=now_datetime(), user="Administrator")
		self.assertEqual(h.ledger_rows(), built, "the ledger built on install equals a rebuild")
		self.assertEqual(app_indexes(), expected_indexes())

	def test_after_sync_again_changes_nothing(self) -> None:
		source = h.lead_source()
		h.funnel(self.company, source=source)
		docs.deal_chain(self.company, source=source)
		deals = h.deals_before_the_app(self.company, 2, source=source)
		install.after_sync()
		history = {deal: h.history(deal) for deal in deals}
		ledger = h.ledger_rows()
		install.after_sync()
		self.assertEqual({deal: h.history(deal) for deal in deals}, history)
		self.assertEqual(h.ledger_rows(), ledger)

	def test_a_failing_step_does_not_fail_the_installation_nor_the_next_step(self) -> None:
		source = h.lead_source()
		h.funnel(self.company, source=source)
		chain = docs.deal_chain(self.company, source=source)
		deals = h.deals_before_the_app(self.company, 1, source=source)
		frappe.db.delete("Sales Credit Entry")
		errors = error_logs(BACKFILL_FAILED)
		with patch("sales_funnel.services.backfill.claim_deal", side_effect=RuntimeError("broken")):
			install.after_sync()  # does not raise
		self.assertEqual(error_logs(BACKFILL_FAILED), errors + 1)
		self.assertEqual(h.history(deals[0]), [])
		self.assertIn(
			chain["Sales Invoice"].name, {row[2] for row in h.ledger_rows()}, "the ledger was built"
		)


class TestAfterMigrate(FrappeTestCase):
	def test_after_migrate_restores_a_missing_index_and_is_idempotent(self) -> None:
		# schema changes commit in MariaDB: this test writes no data, and puts the index back itself
		frappe.db.sql_ddl("ALTER TABLE `tabOpportunity` DROP INDEX `sf_funnel_history`")
		self.addCleanup(install.add_app_indexes)
		self.assertNotIn(
			("tabOpportunity", "sf_funnel_history", "sf_sales_funnel,sf_stage_entered_at"), app_indexes()
		)
		install.after_migrate()
		self.assertEqual(app_indexes(), expected_indexes())
		install.after_migrate()
		self.assertEqual(app_indexes(), expected_indexes())
