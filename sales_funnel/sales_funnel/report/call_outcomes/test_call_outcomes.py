# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the Call Outcomes report as the Desk runs it (`frappe.desk.query_report.run`): who may run it,
whose calls each role sees, the calls behind a row (`get_calls`) with only http(s) recordings as links, and bad
filters refused with a clear message. The figures themselves are tested off a bench (tests/calls/)."""

from __future__ import annotations

import frappe
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, now_datetime, today

from sales_funnel.sales_funnel.report.call_outcomes.call_outcomes import get_calls
from sales_funnel.tests import call_docs as calls
from sales_funnel.tests import erpnext_docs as docs

REPORT = "Call Outcomes"


class TestCallOutcomesReport(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		docs.company()
		# this module never commits, so these users' calls are the ones made here (rolled back after the class)
		cls.seller_a = calls.named_user("report-seller-a", "Sales User")
		cls.seller_b = calls.named_user("report-seller-b", "Sales User")
		cls.manager = calls.named_user("report-manager", "Sales User", "Sales Manager")
		cls.system_manager = calls.named_user("report-system-manager", "System Manager")
		cls.accountant = calls.named_user("report-accountant", "Accounts User")
		cls.outcome = calls.outcome("None")
		start = add_to_date(now_datetime(), hours=-1)
		cls.calls_a = [calls.call(cls.seller_a, start=start, sf_outcome=cls.outcome) for _ in range(2)]
		cls.calls_a.append(calls.call(cls.seller_a, start=start))
		cls.calls_b = [calls.call(cls.seller_b, start=start)]

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def filters(self, **values) -> dict:
		return {"from_date": add_days(today(), -1), "to_date": today(), "period": "Day", **values}

	def run_as(self, user: str, **filters) -> dict:
		frappe.set_user(user)
		return run(REPORT, filters=self.filters(**filters))

	def managers(self, result: dict) -> dict[str, int]:
		"""Calls per manager (the managers' total rows)."""
		return {row["manager"]: row["calls"] for row in result["result"] if row.get("indent") == 0}

	def test_a_system_manager_sees_everyones_calls(self) -> None:
		seen = self.managers(self.run_as(self.system_manager))
		self.assertEqual((seen.get(self.seller_a), seen.get(self.seller_b)), (3, 1))

	def test_a_sales_manager_sees_everyones_calls(self) -> None:
		result = self.run_as(self.manager)
		seen = self.managers(result)
		self.assertEqual((seen.get(self.seller_a), seen.get(self.seller_b)), (3, 1))
		row_a = next(r for r in result["result"] if r.get("indent") == 0 and r["manager"] == self.seller_a)
		self.assertEqual((row_a["with_outcome"], row_a["without_outcome"]), (2, 1))

	def test_a_sales_user_sees_own_calls_only(self) -> None:
		self.assertEqual(self.managers(self.run_as(self.seller_a)), {self.seller_a: 3})
		self.assertEqual(self.managers(self.run_as(self.seller_b)), {self.seller_b: 1})
		# asking for another manager's calls gives nothing, in the report and in the calls behind it
		self.assertEqual(self.managers(self.run_as(self.seller_a, manager=self.seller_b)), {})
		frappe.set_user(self.seller_a)
		self.assertEqual(get_calls(self.filters(), manager=self.seller_b), [])
		mine = {row["name"] for row in get_calls(self.filters(), manager=self.seller_a)}
		self.assertEqual(mine, {call.name for call in self.calls_a})

	def test_the_desk_gets_a_chart_of_the_managers_and_ratios_of_one_decimal(self) -> None:
		"""A bar group per manager row (calls, negotiations, without an outcome), as the rows say; the share of
		calls with an outcome to one decimal, with precision 1 on its column and summary."""
		result = self.run_as(self.manager)
		groups = [row for row in result["result"] if row.get("indent") == 0]
		chart = result["chart"]
		self.assertEqual((chart["type"], chart["fieldtype"]), ("bar", "Int"))
		self.assertEqual(chart["data"]["labels"], [row["label"] for row in groups])
		calls_set, _negotiations, without = chart["data"]["datasets"]
		self.assertEqual(calls_set["values"], [row["calls"] for row in groups])
		self.assertEqual(without["values"], [row["without_outcome"] for row in groups])
		row_a = next(
			row for row in groups if row["manager"] == self.seller_a
		)  # 2 of 3, or more made by other tests
		self.assertEqual(row_a["outcome_pct"], round(100 * row_a["with_outcome"] / row_a["calls"], 1))
		self.assertTrue(all(round(row["outcome_pct"], 1) == row["outcome_pct"] for row in result["result"]))
		column = next(c for c in result["columns"] if c["fieldname"] == "outcome_pct")
		self.assertEqual((column["fieldtype"], column["precision"]), ("Percent", 1))
		share = next(item for item in result["report_summary"] if item["datatype"] == "Percent")
		self.assertEqual(share["precision"], 1)
		self.assertEqual(round(share["value"], 1), share["value"])

	def test_a_user_without_a_sales_role_is_refused(self) -> None:
		with self.assertRaises(frappe.PermissionError):
			self.run_as(self.accountant)
		with self.assertRaises(frappe.PermissionError):
			get_calls(self.filters(), manager=self.seller_a)

	def test_only_http_recordings_are_links(self) -> None:
		start = add_to_date(now_datetime(), minutes=-30)
		bad = calls.call(self.seller_a, start=start, recording_url="javascript:alert(document.cookie)")
		spaced = calls.call(self.seller_a, start=start, recording_url=" JAVASCRIPT:alert(1)")
		good = calls.call(self.seller_a, start=start, recording_url="https://pbx.example.com/rec/1.mp3")
		frappe.set_user(self.seller_a)
		rows = {row["name"]: row for row in get_calls(self.filters(), manager=self.seller_a)}
		self.assertIsNone(rows[bad.name]["recording_url"])
		self.assertIsNone(rows[spaced.name]["recording_url"])
		self.assertEqual(rows[good.name]["recording_url"], "https://pbx.example.com/rec/1.mp3")

	def assert_refused(self, fragment: str, **filters) -> None:
		frappe.set_user(self.system_manager)
		with self.assertRaises(frappe.ValidationError) as raised:
			run(REPORT, filters=self.filters(**filters))
		self.assertIn(fragment, str(raised.exception))
		with self.assertRaises(frappe.ValidationError):
			get_calls(self.filters(**filters))

	def test_dates_at_the_ends_of_the_calendar_are_refused(self) -> None:
		self.assert_refused("is out of range", to_date="9999-12-31")
		self.assert_refused("is out of range", from_date="0001-01-01")

	def test_reversed_dates_are_refused(self) -> None:
		self.assert_refused("is after To Date", from_date=today(), to_date=add_days(today(), -3))

	def test_a_date_that_is_not_a_date_is_refused(self) -> None:
		self.assert_refused("is not a date", from_date="yesterday-ish")

	def test_an_unknown_period_or_call_type_is_refused(self) -> None:
		self.assert_refused("Unknown period", period="Quarter")
		self.assert_refused("Unknown call type", call_type="Sideways")
