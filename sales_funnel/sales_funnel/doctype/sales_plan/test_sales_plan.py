# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench test (`bench --site … run-tests --app sales_funnel`): runs only on a real bench with ERPNext, in GitHub
Actions. The rules are tested off a bench in tests/test_planfact.py; this checks the controller's wiring: the
period end is derived, and bad input is refused with a clear error."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase

from sales_funnel.sales_funnel.report.stage_conversion.test_stage_conversion import get_test_company

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
