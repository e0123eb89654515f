# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""A sales team with deals and money, for the bench tests of the money and funnel reports.

Two managers, each a user with the Sales User role who is the Employee of a Sales Person in one group (ERPNext then
also gives them the Employee role and a User Permission on their company). Each owns one deal (Opportunity ->
Quotation -> Sales Order) invoiced three times, one unit each, through ERPNext's mappers:

- `overdue`: posted 10 days ago, due 3 days ago, unpaid;
- `due_tomorrow`: posted today, due tomorrow, unpaid;
- `paid`: posted 10 days ago, due 3 days ago, paid in full today by a Payment Entry made from the invoice (its
  reference names no payment term, so ERPNext leaves the Payment Schedule row's `outstanding` as it was).

Besides them: a Sales Manager, an Accounts User, a System Manager and a Sales User with no Sales Person. Names
are unique (a hash), so tests never collide; FrappeTestCase rolls everything back after the class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import frappe
from frappe.model.document import Document
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, flt, getdate, nowdate

from sales_funnel.tests import erpnext_docs as docs


@dataclass
class Manager:
	user: str
	employee: str
	sales_person: str
	deal: str
	overdue: Document
	due_tomorrow: Document
	paid: Document
	payment: Document

	@property
	def invoices(self) -> list[Document]:
		return [self.overdue, self.due_tomorrow, self.paid]

	def revenue(self, start: str, end: str) -> float:
		"""Invoiced revenue (net, company currency) of the invoices posted from `start` to `end`."""
		first, last = getdate(start), getdate(end)
		return flt(
			sum(inv.base_net_total for inv in self.invoices if first <= getdate(inv.posting_date) <= last), 2
		)

	@property
	def received_today(self) -> float:
		return flt(self.payment.base_received_amount, 2)

	@property
	def due_tomorrow_amount(self) -> float:
		return flt(self.due_tomorrow.base_grand_total, 2)

	@property
	def overdue_amount(self) -> float:
		return flt(self.overdue.base_grand_total, 2)

	def due_this_week(self, on: str | None = None) -> float:
		"""What Daily Payments counts as due in the week (Monday to Sunday) of `on`: the unpaid invoices due in it."""
		day = getdate(on or nowdate())
		monday = add_days(day, -day.weekday())
		sunday = add_days(monday, 6)
		unpaid = (self.overdue, self.due_tomorrow)
		return flt(
			sum(inv.base_grand_total for inv in unpaid if monday <= getdate(inv.due_date) <= sunday), 2
		)


@dataclass
class Team:
	company: str
	group: str
	a: Manager
	b: Manager
	sales_manager: str
	accounts_user: str
	system_manager: str
	no_sales_person: str  # a Sales User who is no Sales Person's Employee
	users: dict[str, str] = field(default_factory=dict)  # role label -> user

	@property
	def managers(self) -> list[Manager]:
		return [self.a, self.b]


def email(label: str) -> str:
	return f"sf-{label}-{frappe.generate_hash(length=8)}@example.com"


def manager(company: str, group: str, label: str, rate: float) -> Manager:
	user = docs.user(email(label), "Sales User")
	employee = docs.employee(user, company)
	person = docs.sales_person(docs.unique(f"_Test SF {label}"), employee_name=employee, parent=group)
	party = docs.customer()
	code = docs.item(rate=rate)
	deal = docs.opportunity(company, party=party, items=[(code, 3, rate)], opportunity_owner=user)
	order = docs.sales_order(docs.quotation(deal.name).name)
	past, three_days_ago = add_days(nowdate(), -10), add_days(nowdate(), -3)
	overdue = docs.sales_invoice(
		order.name, qty=1, posting_date=past, due_date=three_days_ago, payment_schedule=[]
	)
	due_tomorrow = docs.sales_invoice(order.name, qty=1, due_date=add_days(nowdate(), 1), payment_schedule=[])
	paid = docs.sales_invoice(
		order.name, qty=1, posting_date=past, due_date=three_days_ago, payment_schedule=[]
	)
	payment = docs.payment(paid.name)
	return Manager(user, employee, person, deal.name, overdue, due_tomorrow, paid, payment)


def team(company: str | None = None) -> Team:
	company = company or docs.company()
	group = docs.sales_person(docs.unique("_Test SF Group"), is_group=1)
	a = manager(company, group, "manager-a", 1000.0)
	b = manager(company, group, "manager-b", 3000.0)
	users = {
		"Sales Manager": docs.user(email("sales-manager"), "Sales Manager"),
		"Accounts User": docs.user(email("accounts-user"), "Accounts User"),
		"System Manager": docs.user(email("system-manager"), "System Manager"),
		"Sales User": a.user,
	}
	nobody = docs.user(email("no-sales-person"), "Sales User")
	return Team(
		company,
		group,
		a,
		b,
		users["Sales Manager"],
		users["Accounts User"],
		users["System Manager"],
		nobody,
		users,
	)


# Running the reports as a user
# -----------------------------

SAVEPOINT = "sf_report_test"


class ReportTestCase(FrappeTestCase):
	"""Each test runs in a savepoint rolled back after it, so what one test adds (an invoice, a plan, a User
	Permission) never reaches the next; the class's data (`setUpClass`) is rolled back by FrappeTestCase. The
	users' cached User Permissions and roles (Redis, not rolled back) are forgotten after each test too."""

	def setUp(self) -> None:
		frappe.set_user("Administrator")
		frappe.db.savepoint(SAVEPOINT)

	def tearDown(self) -> None:
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point=SAVEPOINT)
		frappe.cache.delete_value(["user_permissions", "roles"])

	def run_report(self, report: str, user: str, **filters) -> dict:
		"""`frappe.desk.query_report.run` as the Desk calls it for `user` (it checks the Report's roles and the
		report permission on its ref_doctype for the session user)."""
		from frappe.desk.query_report import run

		frappe.set_user(user)
		try:
			return run(report, filters=filters, user=user)
		finally:
			frappe.set_user("Administrator")

	def rows_by(self, result: dict, key: str) -> dict:
		return {row.get(key): row for row in result["result"]}


def formatted(value: float, column: dict, row: dict) -> str:
	"""The value as Frappe formats the cell (frappe.format_value with the row as the document)."""
	doc = frappe._dict(row, doctype="Report Row", name=frappe.generate_hash(length=10))
	return frappe.format_value(value, frappe._dict(column), doc)
