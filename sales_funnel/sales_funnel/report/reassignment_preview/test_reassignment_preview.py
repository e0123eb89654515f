# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the Reassignment Preview report through the Desk's report runner, as each role opens it: what
the next run would do with the rule's deals (the same plan the job applies), all of it for managers, the Sales
User's own deals for a Sales User, nothing for a user without a sales role."""

from __future__ import annotations

import frappe

from sales_funnel.tests.reassignment_fixtures import ReportCase, owner_of, run_report

REPORT = "Reassignment Preview"


class TestReassignmentPreview(ReportCase):
	def rows(self, user: str) -> list[dict]:
		return run_report(REPORT, {"rule": self.reassignment_rule}, user)

	def test_managers_see_every_planned_move_of_the_rule(self) -> None:
		for user in (self.system_manager, self.sales_manager):
			with self.subTest(user=user):
				rows = self.rows(user)
				self.assertEqual(sorted(r["deal"] for r in rows), sorted([self.own_deal, self.other_deal]))
				self.assertEqual({r["status"] for r in rows}, {"Planned"})
				for row in rows:
					self.assertNotEqual(row["to_user"], row["from_user"])
					self.assertIn(row["to_user"], (self.sales_user, self.other, self.third))
					self.assertIn("Least loaded", row["reason"])

	def test_the_preview_changes_nothing(self) -> None:
		self.rows(self.sales_manager)
		self.assertEqual(owner_of(self.own_deal), self.sales_user)
		self.assertFalse(frappe.db.exists("Reassignment Log", {"deal": self.own_deal}))

	def test_a_sales_user_sees_only_their_own_deals(self) -> None:
		rows = self.rows(self.sales_user)
		self.assertEqual([r["deal"] for r in rows], [self.own_deal])
		self.assertEqual(rows[0]["from_user"], self.sales_user)

	def test_a_user_without_a_sales_role_is_refused(self) -> None:
		self.assertRefused(REPORT, {"rule": self.reassignment_rule})
