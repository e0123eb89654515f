# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the Manager Ranking report through the Desk's report runner, as each role opens it: the rule's
pool ranked by conversion with tiers for managers, a Sales User's own row (their rank among the pool), nothing for
a user without a sales role. The ranking is tested off a bench (tests/reassignment/)."""

from __future__ import annotations

import frappe

from sales_funnel.tests.reassignment_fixtures import WON, ReportCase, converted, report_result, run_report

REPORT = "Manager Ranking"


class TestManagerRanking(ReportCase):
	def setUp(self) -> None:
		super().setUp()
		# the pool's record in the funnel: third won 2 of 2, the Sales User 1 of 3, other none of 3 (each also owns
		# one of the stale deals, which entered the funnel in the window)
		converted(self.company, self.funnel, self.third, count=2, moved_on=2, to_stage=WON)
		converted(self.company, self.funnel, self.sales_user, count=2, moved_on=1, to_stage=WON)
		converted(self.company, self.funnel, self.other, count=2, moved_on=0, to_stage=WON)
		frappe.db.set_value("Reassignment Rule", self.reassignment_rule, "converter_min_deals", 2)

	def rows(self, user: str) -> list[dict]:
		return run_report(REPORT, {"rule": self.reassignment_rule}, user)

	def test_managers_see_the_whole_pool_ranked_with_tiers(self) -> None:
		for user in (self.system_manager, self.sales_manager):
			with self.subTest(user=user):
				rows = self.rows(user)
				self.assertEqual(
					[(r["rank"], r["user"], r["tier"]) for r in rows],
					[(1, self.third, "Top"), (2, self.sales_user, "Middle"), (3, self.other, "Rest")],
				)
				self.assertEqual([r["rate"] for r in rows], [100.0, 33.3, 0.0])

	def test_the_desk_gets_a_chart_of_the_ranked_conversion_and_one_decimal(self) -> None:
		result = report_result(REPORT, {"rule": self.reassignment_rule}, self.sales_manager)
		chart = result["chart"]
		self.assertEqual(chart["type"], "bar")
		self.assertEqual(
			chart["data"]["labels"],
			[frappe.utils.get_fullname(u) for u in (self.third, self.sales_user, self.other)],
		)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [100.0, 33.3, 0.0])
		rate = next(c for c in result["columns"] if c["fieldname"] == "rate")
		self.assertEqual((rate["fieldtype"], rate["precision"]), ("Percent", 1))

	def test_a_sales_user_sees_only_their_own_row(self) -> None:
		rows = self.rows(self.sales_user)
		self.assertEqual([(r["rank"], r["user"], r["tier"]) for r in rows], [(2, self.sales_user, "Middle")])

	def test_a_user_without_a_sales_role_is_refused(self) -> None:
		self.assertRefused(REPORT, {"rule": self.reassignment_rule})

	def test_a_rule_that_does_not_exist_gets_a_clear_message(self) -> None:
		with self.assertRaises(frappe.ValidationError) as raised:
			run_report(REPORT, {"rule": "_Test RA No Such Rule"}, self.sales_manager)
		self.assertIn("There is no Reassignment Rule _Test RA No Such Rule.", str(raised.exception))
