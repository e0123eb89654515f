# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench test (`bench --site … run-tests --app sales_funnel`): runs only on a real bench with ERPNext, in GitHub
Actions. The rules are tested off a bench in tests/sales/test_planfact.py; this checks the controller's wiring: the
period end is derived, and bad input is refused with a clear error."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase

from sales_funnel.sales_funnel.report.stage_conversion.test_stage_conversion import get_test_company
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import sales_team
from sales_funnel.tests.sales_team import ReportTestCase

PERSON = "_Test SF Plan Person"


def make_sales_person() -> None:
	if frappe.db.exists("Sales Person", PERSON):
		return
	root = frappe.db.get_value(
		"Sales Person", {"is_group": 1, "parent_sales_person": ("in", ("", None))}, "name"
	)
	frappe.get_doc(
		{"doctype": "Sales Person", "sales_person_name": PERSON, "parent_sales_person": root, "is_group": 0}
	).insert(ignore_permissions=True)


def plan(company: str, period_start: str, rows: list[tuple]) -> frappe.model.document.Document:
	return frappe.get_doc(
		{
			"doctype": "Sales Plan",
			"company": company,
			"period_type": "Quarter",
			"period_start": period_start,
			"targets": [
				{"scope_type": scope, "sales_person": person, "metric": metric, "target": target}
				for scope, person, metric, target in rows
			],
		}
	)


class TestSalesPlan(FrappeTestCase):
	def setUp(self) -> None:
		self.company = get_test_company()
		make_sales_person()

	def test_period_end_is_derived(self) -> None:
		doc = plan(self.company, "2031-04-01", [("Sales Person", PERSON, "Won Deals", 5)]).insert()
		self.assertEqual(str(doc.period_end), "2031-06-30")

	def test_bad_input_is_refused(self) -> None:
		with self.assertRaises(frappe.ValidationError):
			plan(self.company, "2031-05-01", [("Sales Person", PERSON, "Won Deals", 5)]).insert()
		with self.assertRaises(frappe.ValidationError):
			plan(self.company, "2031-07-01", [("Sales Person", "_Test SF Nobody", "Won Deals", 5)]).insert()
		with self.assertRaises(frappe.ValidationError):
			plan(
				self.company,
				"2031-07-01",
				[("Sales Person", PERSON, "Won Deals", 5), ("Sales Person", PERSON, "Won Deals", 6)],
			).insert()
		plan(self.company, "2031-10-01", [("Company", None, "New Deals", 50)]).insert()
		with self.assertRaises(frappe.ValidationError):
			plan(self.company, "2031-10-01", [("Company", None, "New Deals", 60)]).insert()


class TestSalesPlanInput(ReportTestCase):
	"""Bad input is a clear, translated error and writes nothing."""

	def setUp(self) -> None:
		super().setUp()
		self.company = get_test_company()
		make_sales_person()
		self.plans = frappe.db.count("Sales Plan")

	def assert_refused(self, doc: frappe.model.document.Document) -> None:
		with self.assertRaises(frappe.ValidationError):
			doc.insert()
		self.assertEqual(frappe.db.count("Sales Plan"), self.plans)
		self.assertFalse(frappe.db.exists("Sales Plan Target", {"sales_person": PERSON, "target": ("<", 0)}))

	def test_a_target_must_be_a_real_amount(self) -> None:
		for target in ("nan", float("nan"), float("inf"), "-inf", "1e400", 1e15, -5):
			with self.subTest(target=target):
				self.assert_refused(
					plan(self.company, "2032-01-01", [("Sales Person", PERSON, "Won Deals", target)])
				)

	def test_the_largest_target_the_field_holds_is_kept(self) -> None:
		doc = plan(
			self.company, "2032-04-01", [("Sales Person", PERSON, "Invoiced Revenue", 999_999_999_999)]
		)
		doc.insert()
		self.assertEqual(
			frappe.db.get_value("Sales Plan Target", {"parent": doc.name}, "target"), 999_999_999_999
		)

	def test_a_period_the_reports_cannot_compute_with_is_refused(self) -> None:
		for period_type, start in (("Year", "9999-01-01"), ("Month", "0999-12-01")):
			doc = plan(self.company, start, [("Sales Person", PERSON, "Won Deals", 1)])
			doc.period_type = period_type
			with self.subTest(start=start):
				self.assert_refused(doc)

	def test_a_company_that_does_not_exist_is_refused(self) -> None:
		self.assert_refused(
			plan("_Test SF No Such Company", "2032-07-01", [("Company", None, "New Deals", 5)])
		)


class TestSalesPlanPermissions(ReportTestCase):
	"""A Sales User reads the plans whose every target is for their own Sales People; Sales Managers and Accounts
	read every plan."""

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = get_test_company()
		cls.people, cls.users = {}, {}
		for label in ("a", "b"):
			user = docs.user(sales_team.email(f"plan-{label}"), "Sales User")
			cls.users[label] = user
			cls.people[label] = docs.sales_person(employee_name=docs.employee(user, cls.company))
		a, b = cls.people["a"], cls.people["b"]
		cls.plans = {
			"a": plan(cls.company, "2033-01-01", [("Sales Person", a, "Won Deals", 5)]).insert(),
			"both": plan(
				cls.company,
				"2033-01-01",
				[("Sales Person", a, "New Deals", 5), ("Sales Person", b, "New Deals", 7)],
			).insert(),
			"company": plan(cls.company, "2033-01-01", [("Company", None, "Won Deals", 50)]).insert(),
			"b": plan(cls.company, "2033-01-01", [("Sales Person", b, "Won Deals", 9)]).insert(),
		}
		cls.sales_manager = docs.user(sales_team.email("plan-manager"), "Sales Manager")
		cls.accounts_user = docs.user(sales_team.email("plan-accounts"), "Accounts User")

	def visible(self, user: str) -> set[str]:
		frappe.set_user(user)
		names = set(frappe.get_list("Sales Plan", filters={"period_start": "2033-01-01"}, pluck="name"))
		frappe.set_user("Administrator")
		return names

	def test_a_sales_user_lists_only_plans_of_their_own_targets(self) -> None:
		self.assertEqual(self.visible(self.users["a"]), {self.plans["a"].name})
		self.assertEqual(self.visible(self.users["b"]), {self.plans["b"].name})

	def test_a_sales_user_cannot_open_a_plan_with_someone_elses_target(self) -> None:
		user = self.users["a"]
		self.assertTrue(frappe.has_permission("Sales Plan", "read", self.plans["a"], user=user))
		for key in ("both", "company", "b"):
			with self.subTest(plan=key):
				self.assertFalse(frappe.has_permission("Sales Plan", "read", self.plans[key], user=user))
		frappe.set_user(user)
		with self.assertRaises(frappe.PermissionError):
			frappe.client.get("Sales Plan", self.plans["both"].name)

	def test_a_sales_user_reads_only_their_own_target_rows(self) -> None:
		frappe.set_user(self.users["a"])
		rows = frappe.get_list(
			"Sales Plan Target",
			parent_doctype="Sales Plan",
			filters={"parent": ("in", [plan.name for plan in self.plans.values()])},
			fields=["sales_person", "target"],
		)
		frappe.set_user("Administrator")
		self.assertEqual({row.sales_person for row in rows}, {self.people["a"]})

	def test_managers_and_accounts_read_every_plan(self) -> None:
		every = {doc.name for doc in self.plans.values()}
		self.assertEqual(self.visible(self.sales_manager), every)
		self.assertEqual(self.visible(self.accounts_user), every)
