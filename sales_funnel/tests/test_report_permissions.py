# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests across the money and funnel reports: every role a Report names can run it through
`frappe.desk.query_report.run` (the Report's roles and the report permission on its ref_doctype are both checked),
and the credit ledger's list follows the same rule as the reports (a Sales User sees their own rows)."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, getdate, nowdate

from sales_funnel.engine.sales.plans import period_containing
from sales_funnel.sales_funnel.report.stage_conversion.test_stage_conversion import (
	FIRST,
	FUNNEL,
	LOST,
	SECOND,
	WON,
	make_funnel,
	make_sales_stage,
)
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import sales_team
from sales_funnel.tests.sales_team import ReportTestCase

REPORTS = ("Stage Conversion", "Plan vs Fact", "Daily Payments", "Invoices Without Deal")


class TestReportPermissions(ReportTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.team = sales_team.team()
		for stage in (FIRST, SECOND, WON, LOST):
			make_sales_stage(stage)
		make_funnel(cls.team.company)

	def filters(self, report: str) -> dict:
		company = self.team.company
		return {
			"Stage Conversion": {
				"company": company,
				"funnel": FUNNEL,
				"from_date": add_days(nowdate(), -30),
				"to_date": nowdate(),
			},
			"Plan vs Fact": {
				"company": company,
				"period_type": "Quarter",
				"period_start": str(period_containing("Quarter", getdate(nowdate()))[0]),
			},
			"Daily Payments": {"company": company, "date": nowdate()},
			"Invoices Without Deal": {"company": company},
		}[report]

	def test_every_role_a_report_names_can_run_it(self) -> None:
		for report in REPORTS:
			roles = frappe.get_all(
				"Has Role", filters={"parent": report, "parenttype": "Report"}, pluck="role"
			)
			self.assertTrue(roles, report)
			for role in roles:
				user = docs.user(sales_team.email(frappe.scrub(role)), role)
				with self.subTest(report=report, role=role):
					result = self.run_report(report, user, **self.filters(report))
					self.assertIn("result", result)

	def test_a_role_a_report_does_not_name_is_refused(self) -> None:
		for report, role in (
			("Stage Conversion", "Accounts User"),
			("Invoices Without Deal", "Sales Manager"),
			("Invoices Without Deal", "Sales User"),
			("Daily Payments", "Stock User"),
			("Plan vs Fact", "Purchase User"),
		):
			user = docs.user(sales_team.email(frappe.scrub(role)), role)
			with self.subTest(report=report, role=role), self.assertRaises(frappe.PermissionError):
				self.run_report(report, user, **self.filters(report))

	def test_the_credit_ledger_list_shows_a_sales_user_their_own_rows(self) -> None:
		a, b = self.team.a, self.team.b
		people = [a.sales_person, b.sales_person]

		def listed(user: str) -> set[str]:
			frappe.set_user(user)
			try:
				rows = frappe.get_list(
					"Sales Credit Entry", filters={"sales_person": ("in", people)}, pluck="sales_person"
				)
			finally:
				frappe.set_user("Administrator")
			return set(rows)

		self.assertEqual(listed(a.user), {a.sales_person})
		self.assertEqual(listed(self.team.accounts_user), set(people))
		self.assertEqual(listed(self.team.sales_manager), set(people))
		self.assertEqual(listed(self.team.no_sales_person), set())
		b_row = frappe.get_all("Sales Credit Entry", filters={"sales_person": b.sales_person}, pluck="name")[
			0
		]
		self.assertFalse(frappe.has_permission("Sales Credit Entry", "read", b_row, user=a.user))
		self.assertTrue(
			frappe.has_permission("Sales Credit Entry", "read", b_row, user=self.team.accounts_user)
		)
