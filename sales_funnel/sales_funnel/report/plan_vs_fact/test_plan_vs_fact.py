# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of Plan vs Fact through `frappe.desk.query_report.run`, per role, on the invoices and payments of
two managers (sales_funnel.tests.sales_team) and a Sales Plan with a target for each."""

from __future__ import annotations

import frappe
from frappe.utils import nowdate

from sales_funnel.engine.sales.plans import period_containing
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import sales_team
from sales_funnel.tests.sales_team import ReportTestCase, formatted

REPORT = "Plan vs Fact"
TARGETS = {"a": 5000.0, "b": 20000.0}


class TestPlanVsFact(ReportTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.team = sales_team.team()
		cls.inr = docs.company_in("INR", "India")
		cls.start, cls.end = (
			str(day) for day in period_containing("Quarter", frappe.utils.getdate(nowdate()))
		)
		frappe.get_doc(
			{
				"doctype": "Sales Plan",
				"company": cls.team.company,
				"period_type": "Quarter",
				"period_start": cls.start,
				"targets": [
					{
						"scope_type": "Sales Person",
						"sales_person": cls.team.a.sales_person,
						"metric": "Invoiced Revenue",
						"target": TARGETS["a"],
					},
					{
						"scope_type": "Sales Person",
						"sales_person": cls.team.b.sales_person,
						"metric": "Invoiced Revenue",
						"target": TARGETS["b"],
					},
				],
			}
		).insert(ignore_permissions=True)

	def run_as(self, user: str, **filters) -> dict:
		values = {
			"company": self.team.company,
			"period_type": "Quarter",
			"period_start": self.start,
			"metrics": frappe.as_json(["Invoiced Revenue", "Payments Received", "New Deals"]),
			**filters,
		}
		return self.run_report(REPORT, user, **values)

	def assert_manager(self, row: dict, manager: sales_team.Manager, target: float) -> None:
		self.assertEqual(row["invoiced_revenue_fact"], manager.revenue(self.start, self.end))
		self.assertEqual(row["invoiced_revenue_plan"], target)
		self.assertEqual(row["payments_received_fact"], manager.received_today)
		self.assertEqual(row["new_deals_fact"], 1)

	def test_a_sales_manager_sees_each_managers_plan_and_fact(self) -> None:
		result = self.run_as(self.team.sales_manager)
		rows = self.rows_by(result, "sales_person")
		self.assert_manager(rows[self.team.a.sales_person], self.team.a, TARGETS["a"])
		self.assert_manager(rows[self.team.b.sales_person], self.team.b, TARGETS["b"])
		group = rows[self.team.group]
		self.assertEqual(
			group["invoiced_revenue_fact"],
			self.team.a.revenue(self.start, self.end) + self.team.b.revenue(self.start, self.end),
		)
		self.assertEqual(group["invoiced_revenue_plan"], TARGETS["a"] + TARGETS["b"])
		company = result["result"][0]
		self.assertEqual((company["label"], company["indent"]), (self.team.company, 0))
		# the chart: each manager's fact against their plan, as their rows say (the site may have more people)
		chart = result["chart"]
		labels = chart["data"]["labels"]
		plan, fact = chart["data"]["datasets"]
		for key, target in (("a", TARGETS["a"]), ("b", TARGETS["b"])):
			row = rows[getattr(self.team, key).sales_person]
			bar = labels.index(row["label"])
			self.assertEqual(
				(plan["values"][bar], fact["values"][bar]), (target, row["invoiced_revenue_fact"])
			)
		self.assertNotIn(group["label"], labels)  # people, not their group
		self.assertEqual((chart["fieldtype"], chart["currency"]), ("Currency", company["currency"]))
		pct = next(c for c in result["columns"] if c["fieldname"] == "invoiced_revenue_pct")
		self.assertEqual((pct["fieldtype"], pct["precision"]), ("Percent", 1))

	def test_a_sales_user_sees_only_their_own_plan_and_fact(self) -> None:
		result = self.run_as(self.team.a.user)
		self.assertEqual([row["sales_person"] for row in result["result"]], [self.team.a.sales_person])
		(row,) = result["result"]
		self.assert_manager(row, self.team.a, TARGETS["a"])
		self.assertEqual(row["indent"], 0)
		summary = {item["label"]: item["value"] for item in result["report_summary"]}
		self.assertEqual(summary["Invoiced Revenue"], self.team.a.revenue(self.start, self.end))
		b_name = frappe.db.get_value("Sales Person", self.team.b.sales_person, "sales_person_name")
		self.assertNotIn(b_name, result["chart"]["data"]["labels"])
		self.assertNotIn(self.team.company, [row["label"] for row in result["result"]])
		# asking for the other manager or the whole group shows nothing of anyone else's
		self.assertEqual(self.run_as(self.team.a.user, sales_person=self.team.b.sales_person)["result"], [])
		group = self.run_as(self.team.a.user, sales_person=self.team.group)["result"]
		self.assertEqual([row["sales_person"] for row in group], [self.team.a.sales_person])

	def test_a_sales_user_who_is_no_sales_person_sees_nothing(self) -> None:
		result = self.run_as(self.team.no_sales_person)
		self.assertEqual(result["result"], [])
		self.assertTrue(result["message"])

	def test_accounts_and_system_managers_see_everyone(self) -> None:
		for user in (self.team.accounts_user, self.team.system_manager):
			rows = self.rows_by(self.run_as(user), "sales_person")
			self.assert_manager(rows[self.team.a.sales_person], self.team.a, TARGETS["a"])
			self.assert_manager(rows[self.team.b.sales_person], self.team.b, TARGETS["b"])

	def test_the_sales_person_filter_shows_a_subtree(self) -> None:
		a, b = self.team.a.sales_person, self.team.b.sales_person
		group = self.run_as(self.team.sales_manager, sales_person=self.team.group)["result"]
		self.assertEqual([row["sales_person"] for row in group], [self.team.group, a, b])
		self.assertEqual([row["indent"] for row in group], [0, 1, 1])
		one = self.run_as(self.team.sales_manager, sales_person=frappe.as_json([b]))["result"]
		self.assertEqual([row["sales_person"] for row in one], [b])

	def test_amounts_show_in_the_companys_currency(self) -> None:
		invoice = docs.direct_invoice(self.inr, rate=80000, sales_team=[(self.team.a.sales_person, 100)])
		result = self.run_as(self.team.sales_manager, company=self.inr)
		row = self.rows_by(result, "sales_person")[self.team.a.sales_person]
		self.assertEqual(row["invoiced_revenue_fact"], invoice.base_net_total)
		column = next(c for c in result["columns"] if c["fieldname"] == "invoiced_revenue_fact")
		self.assertEqual(column["fieldtype"], "Currency")
		text = formatted(row["invoiced_revenue_fact"], column, row)
		self.assertIn("₹", text)
		self.assertNotIn("$", text)
		summary = next(item for item in result["report_summary"] if item["label"] == "Invoiced Revenue")
		self.assertEqual(summary["currency"], "INR")
		self.assertEqual(result["chart"]["currency"], "INR")  # the chart's tooltips too

	def test_a_company_the_user_is_not_permitted_is_refused(self) -> None:
		with self.assertRaises(frappe.PermissionError):
			self.run_as(self.team.a.user, company=self.inr)

	def test_bad_filters_are_a_clear_error(self) -> None:
		for filters in (
			{"company": None},
			{"company": "_Test SF No Such Company"},
			{"period_type": "Week"},
			{"period_start": "2026-02-01"},
			{"period_type": "Year", "period_start": "9999-01-01"},
			{"period_start": "0999-10-01"},
			{"metrics": frappe.as_json(["Happiness"])},
			{"metrics": "[not json"},
			{"sales_person": "_Test SF Nobody"},
		):
			with self.subTest(filters=filters), self.assertRaises(frappe.ValidationError):
				self.run_as(self.team.sales_manager, **filters)

	def test_a_role_the_report_does_not_serve_is_refused(self) -> None:
		stock_user = docs.user(sales_team.email("stock-user"), "Stock User")
		with self.assertRaises(frappe.PermissionError):
			self.run_as(stock_user)
