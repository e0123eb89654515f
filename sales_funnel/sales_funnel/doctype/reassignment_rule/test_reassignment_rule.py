# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of Reassignment Rule validation: bad input (numbers that are not finite or absurd, stages and
users that are not there) gets a clear message and nothing is saved. Every rule check is tested off a bench
(tests/reassignment/, `check_rule`); these check that the form's values reach it and that the database
never sees a value it would refuse."""

from __future__ import annotations

from typing import Any

import frappe

from sales_funnel.tests.reassignment_fixtures import RULE, ReassignmentCase, rule


class TestReassignmentRule(ReassignmentCase):
	def setUp(self) -> None:
		super().setUp()
		self.managers = [self.manager("a"), self.manager("b")]

	def assertRefused(self, message: str, users: list[str] | None = None, **fields: Any) -> None:
		before = frappe.db.count(RULE)
		with self.assertRaises(frappe.ValidationError) as raised:
			rule(self.funnel, users or self.managers, **fields)
		self.assertIn(message, str(raised.exception))
		self.assertEqual(frappe.db.count(RULE), before)

	def test_a_valid_rule_is_saved_with_its_stages_and_users(self) -> None:
		name = rule(self.funnel, self.managers, all_stages=0, stages=[{"stage": "_Test RA Inquiry"}])
		doc = frappe.get_doc(RULE, name)
		self.assertEqual([row.user for row in doc.users], self.managers)
		self.assertEqual([row.stage for row in doc.stages], ["_Test RA Inquiry"])

	def test_a_threshold_that_is_not_a_finite_number_is_refused(self) -> None:
		for value in ("nan", "inf", float("-inf")):
			with self.subTest(value=value):
				self.assertRefused("The threshold must be a finite number.", threshold=value)

	def test_an_absurd_threshold_is_refused(self) -> None:
		self.assertRefused("The threshold cannot be more than 3650 days.", threshold=1e12)
		self.assertRefused(
			"The threshold cannot be more than 87600 hours.", trigger="Overdue ToDo", threshold=1e7
		)
		self.assertRefused("The threshold cannot be negative.", threshold=-1)

	def test_a_cooldown_that_is_not_finite_or_absurd_is_refused(self) -> None:
		self.assertRefused("The cooldown must be a finite number of hours.", cooldown_hours="nan")
		self.assertRefused("The cooldown must be a finite number of hours.", cooldown_hours="inf")
		self.assertRefused("The cooldown cannot be more than 87600 hours.", cooldown_hours=1e9)

	def test_limits_too_large_for_any_use_are_refused(self) -> None:
		self.assertRefused("Max Reassignments per Hour cannot be more than 100000.", max_per_hour=10**12)
		self.assertRefused("Max Reassignments per Deal cannot be more than 1000.", max_reassignments=10**6)
		self.assertRefused(
			"Conversion Window (Days) cannot be more than 3650.",
			strategy="Best Converter",
			converter_window_days=10**6,
		)

	def test_a_stage_that_is_not_in_the_funnel_is_refused(self) -> None:
		frappe.get_doc({"doctype": "Sales Stage", "stage_name": "_Test RA Elsewhere"}).insert(
			ignore_permissions=True, ignore_if_duplicate=True
		)
		self.assertRefused(
			"Stage _Test RA Elsewhere is not in funnel",
			all_stages=0,
			stages=[{"stage": "_Test RA Elsewhere"}],
		)
		self.assertRefused(
			"deals are reassigned only in open stages", all_stages=0, stages=[{"stage": "_Test RA Won"}]
		)

	def test_a_stage_or_user_that_does_not_exist_is_refused(self) -> None:
		self.assertRefused(
			"_Test RA No Such Stage", all_stages=0, stages=[{"stage": "_Test RA No Such Stage"}]
		)
		missing = "sf-ra-nobody-" + frappe.generate_hash(length=8) + "@example.com"
		self.assertRefused(missing, users=[self.managers[0], missing])

	def test_a_pool_of_disabled_managers_is_refused(self) -> None:
		off = self.manager("off")
		frappe.db.set_value("User", off, "enabled", 0)
		self.assertRefused("Every manager in the pool is disabled", users=[off])
