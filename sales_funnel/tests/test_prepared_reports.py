# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the heavy reports (Stage Conversion, Plan vs Fact, Call Outcomes) as Prepared Reports: with the
Report's `prepared_report` ticked, `frappe.desk.query_report.run` no longer runs the report but answers from the
last completed Prepared Report of the same filters and user (frappe/desk/query_report.py, run /
get_prepared_report_result); the Desk's "Generate New Report" makes one (`make_prepared_report`) and the `long`
queue's job fills it (`generate_report`). Its rows must be the rows the report gives when run directly.

The job is run in this process, not on a worker: its first step (`update_job_id`, which records the RQ job's
id and commits) is skipped, as there is no RQ job here and this module never commits (all it makes is rolled
back after the class)."""

from __future__ import annotations

import json
from unittest import mock

import frappe
from frappe.core.doctype.prepared_report.prepared_report import generate_report, make_prepared_report
from frappe.desk.query_report import run
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_to_date, get_quarter_start, now_datetime, today

from sales_funnel.tests import call_docs as calls
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import reassignment_fixtures as fixtures
from sales_funnel.tests import sales_team

HEAVY = ("Stage Conversion", "Plan vs Fact", "Call Outcomes")


class TestPreparedReports(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.team = sales_team.team()
		company = cls.team.company
		funnel = fixtures.make_funnel(company)
		fixtures.converted(company, funnel, cls.team.sales_manager, 3, 1)
		start = add_to_date(now_datetime(), hours=-1)
		outcome = calls.outcome("None")
		calls.call(cls.team.sales_manager, start=start, sf_outcome=outcome)
		calls.call(cls.team.sales_manager, start=start)
		month = {"from_date": add_days(today(), -30), "to_date": today()}
		cls.filters = {
			"Stage Conversion": {"company": company, "funnel": funnel, "mode": "Cohort", **month},
			"Plan vs Fact": {
				"company": company,
				"period_type": "Quarter",
				"period_start": str(get_quarter_start(today())),
			},
			"Call Outcomes": {"period": "Day", **month},
		}

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def run_as_manager(self, report: str, **options) -> dict:
		frappe.set_user(self.team.sales_manager)
		try:
			return run(report, filters=frappe.as_json(self.filters[report]), **options)
		finally:
			frappe.set_user("Administrator")

	def prepare(self, report: str) -> str:
		"""What the Desk's "Generate New Report" does, and then the background job it queues."""
		frappe.set_user(self.team.sales_manager)
		try:
			name = make_prepared_report(report, frappe.as_json(self.filters[report]))["name"]
			with mock.patch("frappe.core.doctype.prepared_report.prepared_report.update_job_id"):
				generate_report(name)
		finally:
			frappe.set_user("Administrator")
		self.addCleanup(frappe.delete_doc, "Prepared Report", name, force=True, delete_permanently=True)
		return name

	def test_heavy_reports_run_as_prepared_reports_with_the_same_rows(self) -> None:
		for report in HEAVY:
			with self.subTest(report=report):
				frappe.db.set_value("Report", report, "prepared_report", 1)
				direct = self.run_as_manager(report, ignore_prepared_report=True)
				self.assertTrue(direct["result"], "the fixture gives the report rows")

				waiting = self.run_as_manager(report)
				self.assertTrue(waiting["prepared_report"])
				self.assertIsNone(waiting["doc"], "nothing prepared yet: the Desk offers to generate it")
				self.assertNotIn("result", waiting)

				name = self.prepare(report)
				prepared = self.run_as_manager(report)
				self.assertTrue(prepared["prepared_report"])
				self.assertEqual(prepared["doc"].name, name)
				self.assertEqual(prepared["doc"].status, "Completed")
				# the prepared rows went through JSON (dates as strings), so compare them the same way
				self.assertEqual(prepared["result"], json.loads(frappe.as_json(direct["result"])))
				self.assertEqual(
					[c["fieldname"] for c in prepared["columns"]], [c["fieldname"] for c in direct["columns"]]
				)

	def test_without_the_flag_the_report_runs_directly(self) -> None:
		for report in HEAVY:
			with self.subTest(report=report):
				frappe.db.set_value("Report", report, "prepared_report", 0)
				result = self.run_as_manager(report)
				self.assertNotIn("prepared_report", result)
				self.assertTrue(result["result"])

	def test_the_heavy_reports_ship_a_prepared_report_timeout(self) -> None:
		"""The background job's limit is the Report's `timeout` (Prepared Report.after_insert), shipped in the
		report JSON and synced on migrate; `prepared_report` itself is the site's choice (import_file keeps it)."""
		for report in HEAVY:
			with self.subTest(report=report):
				self.assertEqual(frappe.db.get_value("Report", report, "timeout"), 600)
