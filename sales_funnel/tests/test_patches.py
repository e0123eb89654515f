# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of every patch in patches.txt, each on a site put back into the state that predates it: the patch's
`execute()` must produce the state a fresh installation has. (`remove_old_workspace` is tested beside the
workspace, in test_workspace.py.)

`build_credit_ledger` predates the `Sales Invoice.sf_opportunity` column, so its test drops the column: schema
changes commit in MariaDB, so that test commits, and it puts the site back (fields, indexes, ledger) and cancels
the documents it made, even when it fails (its Opportunity stays: deleting the last one of a naming series hands
its name out again, to a deal the cancelled documents would then seem to link to). The other tests change data only, in the test's transaction.
"""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime, today
from frappe.utils.fixtures import sync_fixtures

from sales_funnel import install
from sales_funnel.engine.calls.rollup import DAYS
from sales_funnel.engine.sales.credit_ledger import rebuild_credits
from sales_funnel.patches import fixtures
from sales_funnel.patches.v1_0 import build_credit_ledger, keep_call_funnels, mark_deals_from_calls
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import history_docs as h

LEDGER_FIELDS = ("sf_opportunity", "sf_deal_ambiguous")  # the Sales Invoice fields of the ledger's release


def rebuilt_ledger() -> list[tuple]:
	"""The ledger a rebuild writes now (the ledger as it is, rebuilt in a savepoint that is rolled back)."""
	frappe.db.savepoint("sf_test_rebuild")
	rebuild_credits(frappe.db, now=now_datetime(), user="Administrator")
	rows = h.ledger_rows()
	frappe.db.rollback(save_point="sf_test_rebuild")
	return rows


class TestBuildCreditLedger(FrappeTestCase):
	def setUp(self) -> None:
		self.company = docs.company()
		self.chain = docs.deal_chain(self.company)
		self.addCleanup(self.put_the_site_back)

	def put_the_site_back(self) -> None:
		frappe.db.rollback()  # whatever a failed assertion left uncommitted
		if not all(fixtures.has_column("Sales Invoice", field) for field in LEDGER_FIELDS):
			sync_fixtures("sales_funnel")
		frappe.clear_cache(doctype="Sales Invoice")
		install.add_app_indexes()
		for doctype in ("Payment Entry", "Sales Invoice", "Sales Order", "Quotation"):
			name = self.chain[doctype].name
			if frappe.db.get_value(doctype, name, "docstatus") == 1:
				frappe.get_doc(doctype, name).cancel()
		rebuild_credits(frappe.db, now=now_datetime(), user="Administrator")
		frappe.db.commit()

	def predate_the_ledger(self) -> None:
		"""The site before the ledger's release: no ledger fields on Sales Invoice (record, column, index) and
		no ledger rows."""
		for field in LEDGER_FIELDS:
			frappe.delete_doc("Custom Field", f"Sales Invoice-{field}", ignore_permissions=True, force=True)
		if frappe.db.sql("SHOW INDEX FROM `tabSales Invoice` WHERE Key_name = 'sf_planfact'"):
			frappe.db.sql_ddl("ALTER TABLE `tabSales Invoice` DROP INDEX `sf_planfact`")
		frappe.db.sql_ddl(
			"ALTER TABLE `tabSales Invoice` " + ", ".join(f"DROP COLUMN `{field}`" for field in LEDGER_FIELDS)
		)
		frappe.clear_cache(doctype="Sales Invoice")
		frappe.db.delete("Sales Credit Entry")
		self.assertFalse(fixtures.has_column("Sales Invoice", "sf_opportunity"))

	def test_the_patch_adds_the_invoice_fields_first_and_builds_the_ledger(self) -> None:
		self.predate_the_ledger()
		build_credit_ledger.execute()
		for field in LEDGER_FIELDS:
			self.assertTrue(frappe.db.exists("Custom Field", f"Sales Invoice-{field}"))
			self.assertTrue(fixtures.has_column("Sales Invoice", field))
			self.assertTrue(frappe.get_meta("Sales Invoice").has_field(field))
		built = h.ledger_rows()
		vouchers = {row[2] for row in built}
		self.assertTrue({self.chain["Sales Invoice"].name, self.chain["Payment Entry"].name} <= vouchers)
		self.assertEqual(built, rebuilt_ledger())


class TestCallPatches(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()

	def setUp(self) -> None:
		self.source = h.lead_source()
		self.funnel = h.funnel(self.company, source=self.source)

	def test_mark_deals_from_calls_flags_the_deals_calls_link_to(self) -> None:
		called = docs.opportunity(self.company, source=self.source).name
		quiet = docs.opportunity(self.company, source=self.source).name
		docs.call_log(links=[("Opportunity", called)])
		self.assertEqual(frappe.db.get_value("Opportunity", called, "sf_from_call"), 1)  # the hook's doing
		frappe.db.sql(
			"UPDATE `tabOpportunity` SET sf_from_call = 0 WHERE name = %s", called
		)  # before the field existed
		frappe.db.sql("UPDATE `tabOpportunity` SET sf_from_call = 1 WHERE name = %s", quiet)  # a stale flag
		mark_deals_from_calls.execute()
		self.assertEqual(frappe.db.get_value("Opportunity", called, "sf_from_call"), 1)
		self.assertEqual(frappe.db.get_value("Opportunity", quiet, "sf_from_call"), 0)

	def test_keep_call_funnels_puts_calls_in_their_deals_funnel_and_unseals_the_rollup(self) -> None:
		deal = docs.opportunity(self.company, source=self.source).name
		self.assertEqual(frappe.db.get_value("Opportunity", deal, "sf_sales_funnel"), self.funnel)
		call = docs.call_log(links=[("Opportunity", deal)]).name
		no_deal = docs.call_log(links=[("Lead", docs.lead(self.company).name)]).name
		self.assertEqual(frappe.db.get_value("Call Log", call, "sf_funnel"), self.funnel)  # the hook's doing
		# before the field existed: no call had a funnel; the rollup's past days were sealed without funnels
		frappe.db.sql(
			"UPDATE `tabCall Log` SET sf_funnel = NULL WHERE name IN %(calls)s", {"calls": [call, no_deal]}
		)
		day = add_days(today(), -400)
		frappe.db.delete(DAYS, {"day": day})
		frappe.get_doc({"doctype": DAYS, "day": day, "sealed": 1, "changes": 0}).insert(
			ignore_permissions=True
		)
		keep_call_funnels.execute()
		self.assertEqual(frappe.db.get_value("Call Log", call, "sf_funnel"), self.funnel)
		self.assertIn(frappe.db.get_value("Call Log", no_deal, "sf_funnel"), (None, ""))
		self.assertEqual(frappe.db.get_value(DAYS, {"day": day}, ["sealed", "changes"]), (0, 1))
		self.assertFalse(frappe.db.count(DAYS, {"sealed": 1}), "every day of the rollup is unsealed")
