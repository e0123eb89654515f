# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the history backfill on a bench: `services.backfill` (batches, a deal saved meanwhile), the
whitelisted `sales_funnel.api.backfill_history` (who may run it, bad input) and the bench commands
`sf-backfill-history` and `sf-rebuild-credit-ledger`.

The commands connect to the site and commit; here their work is called on the test's connection without
committing (`commit=False`), and their options are parsed by click as `bench` parses them.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from unittest.mock import patch

import click
import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.bench_helper import get_app_commands

from sales_funnel import api, commands
from sales_funnel.engine.funnels.backfill.plan import iter_backfill
from sales_funnel.services import backfill
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import history_docs as h

MANAGER = "sf-history-manager@example.com"
SALES_USER = "sf-history-user@example.com"


class BackfillCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()

	def setUp(self) -> None:
		self.source = h.lead_source()
		self.funnel = h.funnel(self.company, source=self.source)

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def assert_backfilled(self, deals: list[str]) -> None:
		self.assertEqual(h.latest_rows(deals), dict.fromkeys(deals, 1))
		for deal in deals:
			self.assertEqual(
				[(r.funnel, r.to_stage, r.recorded_via) for r in h.history(deal)],
				[(self.funnel, h.STAGES[0], "Backfill")],
			)


class TestBackfillApply(BackfillCase):
	def test_a_failed_batch_leaves_none_of_its_rows_and_the_batches_before_it_whole(self) -> None:
		deals = h.deals_before_the_app(self.company, 4, source=self.source)
		real_claim = backfill.claim_deal

		def claim(db, deal):  # the second batch writes its first deal, then breaks
			if deal == deals[3]:
				raise RuntimeError("lost connection")
			return real_claim(db, deal)

		with patch("sales_funnel.services.backfill.claim_deal", side_effect=claim):
			with self.assertRaises(RuntimeError):
				backfill.run_backfill(deals, commit=False, batch_size=2)
		self.assert_backfilled(deals[:2])
		for deal in deals[2:]:
			self.assertEqual(h.history(deal), [], "a row of the failed batch stayed")
			self.assertIsNone(frappe.db.get_value("Opportunity", deal, "sf_stage_entered_at"))
		result = backfill.run_backfill(deals, commit=False, batch_size=2)
		self.assertEqual((result["deals_applied"], result["already_recorded"]), (2, 2))
		self.assert_backfilled(deals)

	def test_a_deal_saved_after_the_plan_keeps_its_live_history_and_funnel(self) -> None:
		deal = h.deals_before_the_app(self.company, 1, source=self.source, in_funnel=False)[0]
		plans = list(
			iter_backfill(frappe.db, frappe.utils.now_datetime(), deals=[deal], channel_columns=["source"])
		)
		self.assertEqual(plans[0].funnel_assignments, {deal: self.funnel})
		chosen = h.funnel(self.company)  # meanwhile a user puts the deal in another funnel
		doc = frappe.get_doc("Opportunity", deal)
		doc.sf_sales_funnel = chosen
		doc.save(ignore_permissions=True)
		live = h.history(deal)
		self.assertEqual([(r.funnel, r.recorded_via) for r in live], [(chosen, "Manual")])

		self.assertEqual(sum(backfill.apply_plan(plan) for plan in plans), 0)
		self.assertEqual(h.history(deal), live)
		self.assertEqual(frappe.db.get_value("Opportunity", deal, "sf_sales_funnel"), chosen)

	def test_the_backfill_reads_frappes_own_version_rows(self) -> None:
		# Opportunity keeps no Versions on ERPNext v15 unless a site turns Track Changes on: this site does
		frappe.make_property_setter(
			{
				"doctype": "Opportunity",
				"doctype_or_field": "DocType",
				"property": "track_changes",
				"value": 1,
				"property_type": "Check",
			}
		)
		deal = docs.opportunity(self.company, source=self.source)
		deal.sales_stage = docs.sales_stage(h.STAGES[1])
		# Frappe writes no Version while tests run unless asked to
		deal.save(ignore_permissions=True, ignore_version=False)
		live = [(r.from_stage, r.to_stage) for r in h.history(deal.name)]
		self.assertEqual(live, [(None, h.STAGES[0]), (h.STAGES[0], h.STAGES[1])])
		self.assertTrue(
			frappe.db.exists("Version", {"docname": deal.name, "data": ("like", '%"sales_stage"%')})
		)
		frappe.db.delete(h.TRANSITION, {"deal": deal.name})  # as if the app came after these saves
		frappe.db.set_value("Opportunity", deal.name, "sf_stage_entered_at", None, update_modified=False)

		result = backfill.run_backfill([deal.name], commit=False)
		self.assertEqual((result["moves_from_versions"], result["moves_at_modified"]), (1, 0))
		rows = h.history(deal.name)
		self.assertEqual([(r.from_stage, r.to_stage) for r in rows], live)
		self.assertEqual([(r.recorded_via, r.is_latest) for r in rows], [("Backfill", 0), ("Backfill", 1)])

	def test_a_move_after_the_backfill_continues_the_backfilled_history(self) -> None:
		deal = h.deals_before_the_app(self.company, 1, source=self.source)[0]
		backfill.run_backfill([deal], commit=False)
		doc = frappe.get_doc("Opportunity", deal)
		doc.sales_stage = docs.sales_stage(h.STAGES[1])
		doc.save(ignore_permissions=True)
		rows = h.history(deal)
		self.assertEqual(
			[(r.from_stage, r.to_stage, r.from_position, r.is_latest, r.recorded_via) for r in rows],
			[(None, h.STAGES[0], 0, 0, "Backfill"), (h.STAGES[0], h.STAGES[1], 1, 1, "Manual")],
		)


class TestBackfillApi(BackfillCase):
	def test_a_sales_manager_may_backfill_given_deals(self) -> None:
		deals = h.deals_before_the_app(self.company, 2, source=self.source)
		docs.user(MANAGER, "Sales Manager")
		frappe.set_user(MANAGER)
		result = api.backfill_history(json.dumps(deals))
		self.assertEqual(result["deals_applied"], 2)
		self.assert_backfilled(deals)
		frappe.set_user("Administrator")
		again = api.backfill_history(",".join(deals))  # comma-separated names as well; idempotent
		self.assertEqual((again["deals_applied"], again["already_recorded"]), (0, 2))

	def test_a_sales_user_may_not(self) -> None:
		deals = h.deals_before_the_app(self.company, 1, source=self.source)
		docs.user(SALES_USER, "Sales User")
		frappe.set_user(SALES_USER)
		with self.assertRaises(frappe.PermissionError):
			api.backfill_history(json.dumps(deals))
		frappe.set_user("Administrator")
		self.assertEqual(h.history(deals[0]), [])

	def test_deals_that_are_not_a_list_of_names_are_refused_and_nothing_is_written(self) -> None:
		deals = h.deals_before_the_app(self.company, 1, source=self.source)
		rows = frappe.db.count(h.TRANSITION)
		bad_inputs = (
			json.dumps({"deal": deals[0]}),  # a JSON object
			json.dumps(deals[0]),  # a JSON string, not a list
			json.dumps([1, 2]),  # a list of numbers
			"[" + deals[0],  # broken JSON
			{"deal": deals[0]},  # an object, not a list
			[deals[0], 7],
		)
		for bad in bad_inputs:
			with self.subTest(deals=bad):
				with self.assertRaises(frappe.ValidationError) as raised:
					api.backfill_history(bad)
				self.assertIn("Deals must be a list of Opportunity names", str(raised.exception))
		self.assertEqual(frappe.db.count(h.TRANSITION), rows)
		self.assertEqual(h.history(deals[0]), [])


class TestCommands(BackfillCase):
	def run_command(self, work) -> str:
		out = io.StringIO()
		with redirect_stdout(out):
			work()
		return out.getvalue()

	def test_bench_finds_the_commands(self) -> None:
		found = get_app_commands("sales_funnel")
		self.assertEqual(set(found), {"sf-backfill-history", "sf-rebuild-credit-ledger"})
		self.assertIs(found["sf-backfill-history"], commands.backfill_history)

	def test_sf_backfill_history_options(self) -> None:
		ctx = commands.backfill_history.make_context(
			"sf-backfill-history", ["--deal", "A", "--deal", "B", "--batch-size", "7", "--dry-run"]
		)
		self.assertEqual(ctx.params, {"deals": ("A", "B"), "batch_size": 7, "dry_run": True})
		defaults = commands.backfill_history.make_context("sf-backfill-history", [])
		self.assertEqual(defaults.params, {"deals": (), "batch_size": 1000, "dry_run": False})
		with self.assertRaises(click.BadParameter):
			commands.backfill_history.make_context("sf-backfill-history", ["--batch-size", "0"])

	def test_sf_backfill_history_dry_run_writes_nothing_then_the_run_backfills(self) -> None:
		deals = h.deals_before_the_app(self.company, 2, source=self.source)
		missing = f"CRM-OPP-NONE-{frappe.generate_hash(length=6)}"
		dry = self.run_command(
			lambda: commands.backfill_deals((*deals, missing), batch_size=1, dry_run=True, commit=False)
		)
		self.assertIn("deals_planned: 2", dry)
		self.assertIn("dry_run: 1", dry)
		self.assertIn(f"Skipped {missing}: There is no such Opportunity.", dry)
		for deal in deals:
			self.assertEqual(h.history(deal), [])
		out = self.run_command(lambda: commands.backfill_deals(deals, batch_size=1, commit=False))
		self.assertIn("deals_applied: 2", out)
		self.assert_backfilled(deals)

	def test_sf_rebuild_credit_ledger_rebuilds_the_ledger(self) -> None:
		chain = docs.deal_chain(self.company, source=self.source)
		complete = h.ledger_rows(self.company)
		frappe.db.delete("Sales Credit Entry", {"voucher_no": chain["Payment Entry"].name})
		frappe.db.sql("UPDATE `tabSales Credit Entry` SET invoiced_revenue = 0 WHERE voucher_no = %s",
			chain["Sales Invoice"].name)  # fmt: skip
		out = self.run_command(lambda: commands.rebuild_ledger(self.company, commit=False))
		self.assertIn(f"Credit ledger rebuilt: {len(complete)} rows.", out)
		self.assertEqual(h.ledger_rows(self.company), complete)
