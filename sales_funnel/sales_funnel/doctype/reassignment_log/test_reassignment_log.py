# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests: deleting a deal that a scheduled reassignment moved.

Its Reassignment Log rows blocked the delete (Frappe's link check). They are history about a deal that no longer
exists, and the reassignment job reads a deal's rows for its limits; Frappe gives the name of the last deal of a
naming series to the next new deal when that deal is deleted, so the rows go with the deal, as its stage history
does (hooks.py, Opportunity `on_trash`).
"""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from sales_funnel.engine.reassignment.history import reassignment_history
from sales_funnel.tests import erpnext_docs as docs

FROM_USER = "sf-log-from@example.com"
TO_USER = "sf-log-to@example.com"


class TestReassignmentLog(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()
		docs.user(FROM_USER, "Sales User")
		docs.user(TO_USER, "Sales User")

	def log(self, deal: str, status: str = "Applied") -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Reassignment Log",
					"deal": deal,
					"status": status,
					"at": now_datetime(),
					"from_user": FROM_USER,
					"to_user": TO_USER,
					"trigger": "Days Over Stage Limit",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def test_a_reassigned_deal_can_be_deleted_and_its_log_goes_with_it(self) -> None:
		kept = docs.opportunity(self.company).name
		deal = docs.opportunity(self.company).name
		other = self.log(kept)
		logs = [self.log(deal), self.log(deal, "Skipped")]

		frappe.delete_doc("Opportunity", deal, ignore_permissions=True)

		self.assertFalse(frappe.db.exists("Opportunity", deal))
		for name in logs:
			self.assertFalse(frappe.db.exists("Reassignment Log", name))
		self.assertEqual(
			frappe.db.get_value("Reassignment Log", other, "deal"), kept, "other deals keep theirs"
		)
		self.assertNotIn(deal, reassignment_history(frappe.db, now_datetime()))

	def test_a_new_deal_given_a_deleted_deals_name_has_no_reassignment_history(self) -> None:
		deal = docs.opportunity(self.company).name
		self.log(deal)
		frappe.delete_doc("Opportunity", deal, ignore_permissions=True)
		new = docs.opportunity(self.company).name
		self.assertEqual(new, deal, "Frappe hands the last name of the naming series out again")
		self.assertEqual(frappe.get_all("Reassignment Log", filters={"deal": new}), [])
		self.assertNotIn(new, reassignment_history(frappe.db, now_datetime()))
