# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the Stale Deals report through the Desk's report runner, as each role opens it: managers see
every stale deal of the funnel, a Sales User their own, a user without a sales role is refused. The figures are
tested off a bench (tests/reassignment/)."""

from __future__ import annotations

from sales_funnel.tests.reassignment_fixtures import FIRST_LIMIT_DAYS, ReportCase, report_result, run_report

REPORT = "Stale Deals"


class TestStaleDeals(ReportCase):
	def deals(self, user: str) -> list[str]:
		return [row["deal"] for row in run_report(REPORT, {"funnel": self.funnel}, user)]

	def test_managers_see_every_stale_deal_most_overdue_first(self) -> None:
		for user in (self.system_manager, self.sales_manager):
			with self.subTest(user=user):
				self.assertEqual(self.deals(user), [self.other_deal, self.own_deal])

	def test_a_row_says_how_far_over_the_deal_is_and_which_rule_acts(self) -> None:
		[row] = [
			r
			for r in run_report(REPORT, {"funnel": self.funnel}, self.sales_manager)
			if r["deal"] == self.own_deal
		]
		self.assertEqual(row["owner"], self.sales_user)
		self.assertEqual(row["time_limit_days"], FIRST_LIMIT_DAYS)
		self.assertAlmostEqual(row["days_over"], 10 - FIRST_LIMIT_DAYS, places=1)
		self.assertEqual(row["rule"], self.reassignment_rule)
		self.assertEqual(row["suggested_action"], "Reassign")

	def test_a_sales_user_sees_only_their_own_deals(self) -> None:
		self.assertEqual(self.deals(self.sales_user), [self.own_deal])

	def test_a_user_without_a_sales_role_is_refused(self) -> None:
		self.assertRefused(REPORT, {"funnel": self.funnel})

	def test_the_desk_gets_a_chart_of_the_stale_deals_per_owner_and_stage(self) -> None:
		result = report_result(REPORT, {"funnel": self.funnel}, self.sales_manager)
		chart, rows = result["chart"], result["result"]
		self.assertEqual((chart["type"], chart["barOptions"]), ("bar", {"stacked": 1}))
		owners = {row["owner_name"] or row["owner"] for row in rows}
		self.assertEqual(set(chart["data"]["labels"]), owners)
		self.assertEqual({d["name"] for d in chart["data"]["datasets"]}, {row["stage"] for row in rows})
		self.assertEqual(sum(sum(d["values"]) for d in chart["data"]["datasets"]), len(rows))
		# a Sales User's chart is of their own deals only
		own = report_result(REPORT, {"funnel": self.funnel}, self.sales_user)["chart"]
		self.assertEqual(sum(sum(d["values"]) for d in own["data"]["datasets"]), 1)
