# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of Invoices Without Deal through `frappe.desk.query_report.run`, per role: the report lists Sales
Invoices, which ERPNext lets Accounts read and Sales roles not."""

from __future__ import annotations

import frappe

from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import sales_team
from sales_funnel.tests.sales_team import ReportTestCase, formatted

REPORT = "Invoices Without Deal"


class TestInvoicesWithoutDeal(ReportTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.team = sales_team.team()
		cls.inr = docs.company_in("INR", "India")
		# sold over the counter: no order, so no deal
		cls.direct = docs.direct_invoice(
			cls.team.company, rate=700, sales_team=[(cls.team.a.sales_person, 100)]
		)
		cls.accounts_manager = docs.user(sales_team.email("accounts-manager"), "Accounts Manager")

	def run_as(self, user: str, **filters) -> dict:
		return self.run_report(REPORT, user, **{"company": self.team.company, **filters})

	def test_an_accounts_user_sees_the_invoices_without_a_deal(self) -> None:
		for user in (self.team.accounts_user, self.accounts_manager):
			rows = self.rows_by(self.run_as(user), "invoice")
			row = rows[self.direct.name]
			self.assertEqual(row["base_net_total"], self.direct.base_net_total)
			self.assertEqual(row["reason"], "No deal")
			self.assertIsNone(row["deal"])
			for manager in self.team.managers:  # their invoices came from a deal
				for invoice in manager.invoices:
					self.assertNotIn(invoice.name, rows)

	def test_an_invoice_of_two_deals_is_listed_with_the_larger_one_suggested(self) -> None:
		from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice

		party = docs.customer()
		deals, orders = [], []
		for manager, rate in ((self.team.a, 1000), (self.team.b, 3000)):
			code = docs.item(rate=rate)
			deal = docs.opportunity(
				self.team.company, party=party, items=[(code, 1, rate)], opportunity_owner=manager.user
			)
			deals.append(deal.name)
			orders.append(docs.sales_order(docs.quotation(deal.name).name).name)
		invoice = make_sales_invoice(orders[0])
		line = make_sales_invoice(orders[1]).items[0].as_dict()
		invoice.append(
			"items", {k: v for k, v in line.items() if k not in ("name", "parent", "parenttype", "idx")}
		)
		invoice.insert(ignore_permissions=True)
		invoice.submit()
		result = self.run_as(self.team.accounts_user)
		row = self.rows_by(result, "invoice")[invoice.name]
		self.assertEqual(row["reason"], "Several deals")
		self.assertEqual(row["suggested_deal"], deals[1])  # 3000 of 4000
		self.assertEqual(row["deals"], 2)
		self.assertEqual(row["share"], 75.0)
		# an Accounts User may not read Opportunity: the deal columns are text, not links Frappe would refuse
		columns = {c["fieldname"]: c for c in result["columns"]}
		self.assertEqual(columns["suggested_deal"]["fieldtype"], "Data")
		self.assertEqual(columns["invoice"]["fieldtype"], "Link")

	def test_sales_roles_and_a_system_manager_are_refused(self) -> None:
		"""ERPNext gives Sales Invoice to Accounts only; the report does not list Sales Manager any more."""
		for user in (self.team.sales_manager, self.team.a.user, self.team.system_manager):
			with self.subTest(user=user), self.assertRaises(frappe.PermissionError):
				self.run_as(user)

	def test_a_company_the_user_is_not_permitted_is_refused(self) -> None:
		accountant = docs.user(sales_team.email("accounts-restricted"), "Accounts User")
		docs.user_permission(accountant, "Company", self.inr)
		with self.assertRaises(frappe.PermissionError):
			self.run_as(accountant)
		self.assertEqual(self.run_as(accountant, company=self.inr)["result"], [])

	def test_amounts_show_in_the_companys_currency(self) -> None:
		invoice = docs.direct_invoice(self.inr, rate=2500)
		result = self.run_as(self.team.accounts_user, company=self.inr)
		row = self.rows_by(result, "invoice")[invoice.name]
		column = next(c for c in result["columns"] if c["fieldname"] == "base_net_total")
		text = formatted(row["base_net_total"], column, row)
		self.assertIn("₹", text)
		self.assertNotIn("$", text)

	def test_bad_filters_are_a_clear_error(self) -> None:
		for filters in (
			{"company": None},
			{"company": "_Test SF No Such Company"},
			{"from_date": "2026-12-31", "to_date": "2026-01-01"},
			{"to_date": "9999-12-31"},
			{"from_date": "0999-12-31"},  # "0001-01-01" is Frappe's empty date
			{"from_date": "not a date"},
		):
			with self.subTest(filters=filters), self.assertRaises(frappe.ValidationError):
				self.run_as(self.team.accounts_user, **filters)
