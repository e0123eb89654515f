# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The reports' scripts as the Desk loads them: `frappe.desk.query_report.get_script` reads the report's .js file and
inlines its `{% include "app/path" %}` blocks (`render_include`). The filters the reports share (the company and a
date range, with their defaults) are one block, `public/js/report_filters.js`, included by each report that uses them
instead of written into each."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import frappe
from frappe import get_module_path, scrub
from frappe.desk.query_report import get_script
from frappe.tests.utils import FrappeTestCase

MODULE = "Sales Funnel"
SHARED = ("sales_funnel", "public", "js", "report_filters.js")
USES_SHARED_FILTERS = {
	"Call Outcomes",
	"Daily Payments",
	"Invoices Without Deal",
	"Plan vs Fact",
	"Stage Conversion",
	"Stale Deals",
}


def reports() -> list[str]:
	return frappe.get_all("Report", filters={"module": MODULE, "is_standard": "Yes"}, pluck="name")


def own_file(report: str) -> str:
	"""The report's .js file as written (before Frappe inlines its includes)."""
	return (Path(get_module_path(MODULE)) / "report" / scrub(report) / f"{scrub(report)}.js").read_text()


class TestReportScripts(FrappeTestCase):
	def test_each_report_serves_the_shared_filters_it_includes(self) -> None:
		shared = Path(frappe.get_app_path(*SHARED)).read_text().strip()
		names = reports()
		self.assertLessEqual(USES_SHARED_FILTERS, set(names))
		for name in names:
			script = get_script(name)["script"]
			self.assertIn(f'frappe.query_reports["{name}"]', script, name)
			self.assertNotIn("{% include", script, name)
			if name in USES_SHARED_FILTERS:
				self.assertIn(shared, script, name)
				self.assertIn("sales_funnel.report_filters.company(", script, name)
			else:
				self.assertNotIn("sales_funnel.report_filters", script, name)

	def test_no_report_writes_the_shared_filters_itself(self) -> None:
		for name in reports():
			source = own_file(name)
			for fieldname in ("company", "from_date", "to_date"):
				self.assertNotIn(f'fieldname: "{fieldname}"', source, f"{name} defines {fieldname} itself")

	def test_each_served_script_is_valid_javascript(self) -> None:
		node = shutil.which("node")  # every bench has it: `bench build` runs on it
		if not node:
			self.skipTest("node is not on this bench's PATH")
		for name in reports():
			with tempfile.NamedTemporaryFile("w", suffix=".js") as file:
				file.write(get_script(name)["script"])
				file.flush()
				checked = subprocess.run([node, "--check", file.name], capture_output=True, text=True)
			self.assertEqual(checked.returncode, 0, f"{name}: {checked.stderr}")
