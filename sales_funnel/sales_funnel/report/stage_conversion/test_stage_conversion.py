# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench test (`bench --site … run-tests --app sales_funnel`): runs only on a real bench with ERPNext, in
GitHub Actions. The report's numbers and shaping are tested off a bench in tests/conversion/test_output.py; this
checks the wiring: filters in, the deals recorded by the Opportunity hooks counted, the Sales User's scope, and
the permission hooks of Funnel Stage Transition."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today

from sales_funnel.sales_funnel.report.stage_conversion.stage_conversion import execute
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import sales_team
from sales_funnel.tests.sales_team import ReportTestCase

FUNNEL = "_Test Stage Conversion Funnel"
FIRST, SECOND, WON, LOST = (
	"_Test SC Inquiry",
	"_Test SC Proposal",
	"_Test SC Won",
	"_Test SC Lost",
)
SALES_USER = "sf-stage-conversion-user@example.com"


def get_test_company() -> str:
	company = frappe.db.get_single_value("Global Defaults", "default_company") or frappe.db.get_value(
		"Company", {}, "name"
	)
	if not company:
		# a bare site: complete ERPNext's setup the way ERPNext's own tests do
		from erpnext.setup.utils import before_tests

		before_tests()
		company = frappe.db.get_value("Company", {}, "name")
	return company


def make_sales_stage(name: str) -> None:
	if not frappe.db.exists("Sales Stage", name):
		frappe.get_doc({"doctype": "Sales Stage", "stage_name": name}).insert(ignore_permissions=True)


def make_sales_user() -> None:
	if frappe.db.exists("User", SALES_USER):
		return
	user = frappe.get_doc(
		{"doctype": "User", "email": SALES_USER, "first_name": "Stage Conversion", "send_welcome_email": 0}
	)
	user.append("roles", {"role": "Sales User"})
	user.insert(ignore_permissions=True)


def make_funnel(company: str) -> None:
	if frappe.db.exists("Sales Funnel", FUNNEL):
		return
	frappe.get_doc(
		{
			"doctype": "Sales Funnel",
			"title": FUNNEL,
			"company": company,
			"deal_doctype": "Opportunity",
			"enabled": 1,
			"priority": 1000,
			"stages": [
				{
					"stage": FIRST,
					"kind": "Open",
					"probability": 10,
					"target_conversion": 50,
					"time_limit_days": 7,
				},
				{
					"stage": SECOND,
					"kind": "Open",
					"probability": 50,
					"target_conversion": 40,
					"time_limit_days": 14,
				},
				{"stage": WON, "kind": "Won", "probability": 100},
				{"stage": LOST, "kind": "Lost"},
			],
		}
	).insert(ignore_permissions=True)


def make_opportunity(company: str, **values) -> str:
	lead = frappe.get_doc(
		{"doctype": "Lead", "first_name": frappe.generate_hash(length=8), "company": company}
	)
	lead.insert(ignore_permissions=True)
	opportunity = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"company": company,
			"opportunity_from": "Lead",
			"party_name": lead.name,
			"transaction_date": today(),
			"currency": frappe.get_cached_value("Company", company, "default_currency"),
			"conversion_rate": 1.0,
			"sales_stage": FIRST,
			"sf_sales_funnel": FUNNEL,
			**values,
		}
	)
	opportunity.insert(ignore_permissions=True)
	return opportunity.name


class TestStageConversion(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = get_test_company()
		for stage in (FIRST, SECOND, WON, LOST):
			make_sales_stage(stage)
		make_sales_user()
		make_funnel(cls.company)
		cls.own_deal = make_opportunity(cls.company, opportunity_owner=SALES_USER)
		cls.other_deal = make_opportunity(cls.company)

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def run_report(self, **filters) -> tuple:
		return execute(
			frappe._dict(
				{
					"company": self.company,
					"funnel": FUNNEL,
					"from_date": add_days(today(), -1),
					"to_date": today(),
					"mode": "Cohort",
					**filters,
				}
			)
		)

	def test_returns_columns_rows_chart_and_summary(self) -> None:
		result = self.run_report()
		self.assertEqual(len(result), 5)
		columns, data, message, chart, summary = result
		self.assertEqual(columns[0]["fieldname"], "stage")
		self.assertIsNone(message)
		self.assertEqual([row["stage"] for row in data], [FIRST, SECOND, WON])
		self.assertEqual(chart["type"], "bar")
		self.assertTrue(summary)

	def test_counts_the_deals_that_entered(self) -> None:
		_columns, data, _message, chart, summary = self.run_report()
		self.assertEqual(data[0]["entered"], 2)
		self.assertEqual(data[1]["entered"], 0)
		self.assertEqual(data[0]["open"], 2)
		self.assertEqual(chart["data"]["datasets"][0]["values"][0], 2)
		self.assertEqual(summary[0]["value"], 2)  # Entered

	def test_previous_period_and_slices(self) -> None:
		columns, data, *_ = self.run_report(compare_previous=1, slice_by="Manager")
		self.assertIn("previous_entered", [column["fieldname"] for column in columns])
		self.assertEqual(data[0]["indent"], 0)  # the whole funnel's row comes first
		self.assertEqual(data[0]["entered"], 2)
		self.assertEqual(data[1]["indent"], 1)
		self.assertEqual(data[1]["previous_entered"], 0)

	def test_sales_user_sees_own_deals_only(self) -> None:
		frappe.set_user(SALES_USER)
		_columns, data, *_ = self.run_report()
		self.assertEqual(data[0]["entered"], 1)

	def test_bad_filters_are_a_validation_error(self) -> None:
		with self.assertRaises(frappe.ValidationError):
			self.run_report(from_date=today(), to_date=add_days(today(), -5))
		with self.assertRaises(frappe.ValidationError):
			self.run_report(funnel="_Test No Such Funnel")

	def test_transition_list_and_document_follow_the_deal(self) -> None:
		frappe.set_user(SALES_USER)
		deals = set(frappe.get_list("Funnel Stage Transition", filters={"funnel": FUNNEL}, pluck="deal"))
		self.assertEqual(deals, {self.own_deal})

		frappe.set_user("Administrator")
		own = frappe.get_doc("Funnel Stage Transition", {"deal": self.own_deal})
		other = frappe.get_doc("Funnel Stage Transition", {"deal": self.other_deal})
		self.assertTrue(frappe.has_permission("Funnel Stage Transition", "read", own, user=SALES_USER))
		self.assertFalse(frappe.has_permission("Funnel Stage Transition", "read", other, user=SALES_USER))


class TestStageConversionByRole(ReportTestCase):
	"""Through `frappe.desk.query_report.run`, as the Desk runs it: each role the report names can run it (the
	report permission is on Funnel Stage Transition, which all of them may read), a Sales User counts their own
	deals, other roles are refused."""

	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = get_test_company()
		cls.other_company = docs.company_in("INR", "India")
		for stage in (FIRST, SECOND, WON, LOST):
			make_sales_stage(stage)
		make_funnel(cls.company)
		cls.manager_a = docs.user(sales_team.email("deals-a"), "Sales User")
		cls.manager_b = docs.user(sales_team.email("deals-b"), "Sales User")
		cls.deals = [
			make_opportunity(cls.company, opportunity_owner=owner)
			for owner in (cls.manager_a, cls.manager_a, cls.manager_b)
		]
		cls.users = {
			role: docs.user(sales_team.email(frappe.scrub(role)), role)
			for role in ("Sales Manager", "System Manager", "Accounts User")
		}

	def run_as(self, user: str, **filters) -> dict:
		values = {
			"company": self.company,
			"funnel": FUNNEL,
			"from_date": add_days(today(), -1),
			"to_date": today(),
			"mode": "Cohort",
			**filters,
		}
		return self.run_report("Stage Conversion", user, **values)

	def entered(self, result: dict) -> int:
		return result["result"][0]["entered"]

	def test_managers_see_every_deal(self) -> None:
		for role in ("Sales Manager", "System Manager"):
			with self.subTest(role=role):
				self.assertEqual(self.entered(self.run_as(self.users[role])), len(self.deals))

	def test_a_sales_user_counts_their_own_deals(self) -> None:
		self.assertEqual(self.entered(self.run_as(self.manager_a)), 2)
		self.assertEqual(self.entered(self.run_as(self.manager_b)), 1)
		sliced = self.run_as(self.manager_a, slice_by="Manager")["result"]
		owners = {row["stage"] for row in sliced if row.get("indent") == 0}
		self.assertNotIn(frappe.utils.get_fullname(self.manager_b), owners)

	def test_an_accounts_user_is_refused(self) -> None:
		with self.assertRaises(frappe.PermissionError):
			self.run_as(self.users["Accounts User"])

	def test_the_desk_gets_a_chart_of_the_stages_and_one_decimal_percentages(self) -> None:
		"""What the Desk draws: a bar per stage of Entered, as the rows say; Percent columns and summary figures
		with precision 1 and values of one decimal."""
		result = self.run_as(self.users["Sales Manager"])
		rows, chart = result["result"], result["chart"]
		self.assertEqual((chart["type"], chart["fieldtype"]), ("bar", "Int"))
		self.assertEqual(chart["data"]["labels"], [row["stage"] for row in rows])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [row["entered"] for row in rows])
		percent_columns = [c for c in result["columns"] if c["fieldtype"] == "Percent"]
		self.assertTrue(percent_columns)
		self.assertEqual({c["precision"] for c in percent_columns}, {1})
		for row in rows:
			for column in percent_columns:
				value = row.get(column["fieldname"])
				self.assertTrue(value is None or round(value, 1) == value, (column["fieldname"], value))
		summary = [item for item in result["report_summary"] if item["datatype"] == "Percent"]
		self.assertTrue(summary)
		self.assertEqual({item["precision"] for item in summary}, {1})
		by_manager = self.run_as(self.manager_a, slice_by="Manager")
		self.assertEqual(by_manager["chart"]["data"]["datasets"][0]["values"][0], 2)

	def test_dates_the_report_cannot_compute_with_are_a_clear_error(self) -> None:
		for filters in (
			{"to_date": "9999-12-31"},  # the period ends the day after
			{"from_date": "1000-01-01", "to_date": "5000-01-01", "compare_previous": 1},
			{"from_date": "0999-12-31"},
		):
			with self.subTest(filters=filters), self.assertRaises(frappe.ValidationError):
				self.run_as(self.users["Sales Manager"], **filters)

	def test_a_company_the_user_is_not_permitted_is_refused(self) -> None:
		restricted = docs.user(sales_team.email("deals-restricted"), "Sales User")
		docs.user_permission(restricted, "Company", self.other_company)
		with self.assertRaises(frappe.PermissionError):
			self.run_as(restricted)
