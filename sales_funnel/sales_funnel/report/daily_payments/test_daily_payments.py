# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of Daily Payments through `frappe.desk.query_report.run`, per role, on documents made with ERPNext's
mappers (sales_funnel.tests.sales_team): two managers' invoices due tomorrow, overdue, and paid today in full by a
Payment Entry made from the invoice."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, nowdate

from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import sales_team
from sales_funnel.tests.sales_team import ReportTestCase, formatted

REPORT = "Daily Payments"


class TestDailyPayments(ReportTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.team = sales_team.team()
		cls.inr = docs.company_in("INR", "India")

	def run_as(self, user: str, **filters) -> dict:
		return self.run_report(REPORT, user, **{"company": self.team.company, "date": nowdate(), **filters})

	def assert_figures(self, row: dict, manager: sales_team.Manager) -> None:
		self.assertEqual(row["due_tomorrow"], manager.due_tomorrow_amount)
		self.assertEqual(row["received_today"], manager.received_today)
		self.assertEqual(row["overdue"], manager.overdue_amount)
		self.assertEqual(row["due_this_week"], manager.due_this_week())

	def test_a_sales_manager_sees_each_managers_figures(self) -> None:
		rows = self.rows_by(self.run_as(self.team.sales_manager), "sales_person")
		for manager in self.team.managers:
			self.assert_figures(rows[manager.sales_person], manager)
			self.assertEqual(rows[manager.sales_person]["department"], self.team.group)

	def test_an_invoice_paid_in_full_is_neither_due_nor_overdue(self) -> None:
		"""The payment names no payment term, so ERPNext leaves the schedule row's outstanding at the full amount;
		the invoice's outstanding amount says it is paid."""
		paid = self.team.a.paid
		schedule = frappe.get_all("Payment Schedule", filters={"parent": paid.name}, pluck="outstanding")
		self.assertEqual(schedule, [paid.base_grand_total])  # what ERPNext left behind
		self.assertEqual(frappe.db.get_value("Sales Invoice", paid.name, "outstanding_amount"), 0)
		row = self.rows_by(self.run_as(self.team.accounts_user), "sales_person")[self.team.a.sales_person]
		self.assertEqual(row["overdue"], self.team.a.overdue.base_grand_total)  # the unpaid one only
		# paying the one due tomorrow leaves nothing due tomorrow
		docs.payment(self.team.a.due_tomorrow.name)
		row = self.rows_by(self.run_as(self.team.accounts_user), "sales_person")[self.team.a.sales_person]
		self.assertEqual(row["due_tomorrow"], 0)
		self.assertEqual(
			row["received_today"], self.team.a.received_today + self.team.a.due_tomorrow.base_grand_total
		)

	def test_a_part_payment_leaves_the_rest_due(self) -> None:
		docs.payment(self.team.b.overdue.name, 1000)
		row = self.rows_by(self.run_as(self.team.sales_manager), "sales_person")[self.team.b.sales_person]
		self.assertEqual(row["overdue"], self.team.b.overdue.base_grand_total - 1000)

	def test_a_sales_user_sees_only_their_own_figures(self) -> None:
		result = self.run_as(self.team.a.user)
		self.assertEqual([row["sales_person"] for row in result["result"]], [self.team.a.sales_person])
		self.assert_figures(result["result"][0], self.team.a)
		# the chart by day holds their money only: overdue, and received today, as their row says
		overdue, _due, received = result["chart"]["data"]["datasets"]
		self.assertEqual(overdue["values"][0], result["result"][0]["overdue"])
		self.assertEqual(received["values"][1], result["result"][0]["received_today"])
		# choosing another manager, or their group, shows nothing of theirs
		other = self.run_as(self.team.a.user, sales_person=self.team.b.sales_person)
		self.assertEqual(other["result"], [])
		group = self.run_as(self.team.a.user, sales_person=self.team.group)
		self.assertEqual([row["sales_person"] for row in group["result"]], [self.team.a.sales_person])

	def test_a_sales_user_who_is_no_sales_person_sees_nothing(self) -> None:
		result = self.run_as(self.team.no_sales_person)
		self.assertEqual(result["result"], [])
		self.assertTrue(result["message"])

	def test_accounts_and_system_managers_see_everyone(self) -> None:
		for user in (self.team.accounts_user, self.team.system_manager):
			rows = self.rows_by(self.run_as(user), "sales_person")
			for manager in self.team.managers:
				self.assert_figures(rows[manager.sales_person], manager)

	def test_the_sales_person_filter_takes_a_person_a_group_or_a_list(self) -> None:
		a, b = self.team.a.sales_person, self.team.b.sales_person
		one = self.run_as(self.team.sales_manager, sales_person=a)["result"]
		self.assertEqual([row["sales_person"] for row in one], [a])
		group = self.run_as(self.team.sales_manager, sales_person=self.team.group)["result"]
		self.assertEqual({row["sales_person"] for row in group}, {a, b})
		listed = self.run_as(self.team.sales_manager, sales_person=frappe.as_json([a, b]))["result"]
		self.assertEqual({row["sales_person"] for row in listed}, {a, b})

	def test_a_company_the_user_is_not_permitted_is_refused(self) -> None:
		"""Manager A is an Employee of the team's company, and ERPNext restricted them to it."""
		other = self.inr
		with self.assertRaises(frappe.PermissionError):
			self.run_as(self.team.a.user, company=other)
		accountant = docs.user(sales_team.email("accounts-restricted"), "Accounts User")
		docs.user_permission(accountant, "Company", other)
		with self.assertRaises(frappe.PermissionError):
			self.run_as(accountant)
		self.assertEqual(self.run_report(REPORT, accountant, company=other, date=nowdate())["result"], [])

	def test_amounts_show_in_the_companys_currency(self) -> None:
		company = self.inr
		invoice = docs.direct_invoice(
			company,
			rate=5000,
			sales_team=[(self.team.a.sales_person, 100)],
			due_date=add_days(nowdate(), 1),
		)
		result = self.run_report(REPORT, self.team.sales_manager, company=company, date=nowdate())
		(row,) = result["result"]
		self.assertEqual(row["due_tomorrow"], invoice.base_grand_total)
		column = next(c for c in result["columns"] if c["fieldname"] == "due_tomorrow")
		self.assertEqual(column["fieldtype"], "Currency")
		text = formatted(row["due_tomorrow"], column, row)
		self.assertIn("₹", text)
		self.assertNotIn("$", text)
		chart = result["chart"]
		self.assertEqual((chart["fieldtype"], chart["currency"]), ("Currency", "INR"))
		# by day: nothing overdue, nothing due today, the invoice due tomorrow, nothing after
		due = chart["data"]["datasets"][1]
		self.assertEqual(due["values"][:3], [0, 0, invoice.base_grand_total])
		self.assertEqual(sum(due["values"]), invoice.base_grand_total)
		self.assertEqual(len(chart["data"]["labels"]), 8)  # overdue, today and the six days after it

	def test_bad_filters_are_a_clear_error(self) -> None:
		for filters in (
			{"company": None},
			{"company": "_Test SF No Such Company"},
			{"sales_person": "_Test SF Nobody"},
			{"sales_person": frappe.as_json(["_Test SF Nobody"])},
			{"date": "9999-12-31"},
			{"date": "0999-12-31"},
			{"date": "not a date"},
		):
			with self.subTest(filters=filters), self.assertRaises(frappe.ValidationError):
				self.run_report(REPORT, self.team.sales_manager, **{"company": self.team.company, **filters})

	def test_a_role_the_report_does_not_serve_is_refused(self) -> None:
		stock_user = docs.user(sales_team.email("stock-user"), "Stock User")
		with self.assertRaises(frappe.PermissionError):
			self.run_as(stock_user)
