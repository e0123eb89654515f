# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of lead routing (Lead after_insert → `services.lead_routing.route_new_lead`): a new Lead with a
temperature goes to a manager of the matching tier of the first enabled routing rule (Hot → the best
converters, Warm → the middle, Cold → the rest), as its Lead Owner with a ToDo; a pool of one or two managers
still takes every temperature. The tiers are tested off a bench (tests/reassignment/)."""

from __future__ import annotations

import frappe

from sales_funnel.services.lead_routing import TIERS_CACHE_KEY, refresh_manager_tiers
from sales_funnel.tests import erpnext_docs
from sales_funnel.tests.reassignment_fixtures import WON, ReassignmentCase, converted, open_todos


class TestLeadRouting(ReassignmentCase):
	def routing_rule(self, users: list[str]) -> str:
		return self.rule(users, strategy="By Temperature", route_new_leads=1, converter_min_deals=2)

	def new_lead(self, temperature: str | None) -> frappe._dict:
		lead = erpnext_docs.lead(self.company, sf_temperature=temperature)
		return frappe.db.get_value("Lead", lead.name, ["name", "lead_owner"], as_dict=True)

	def assertRoutedTo(self, temperature: str | None, user: str | None) -> None:
		lead = self.new_lead(temperature)
		# not routed: the Lead Owner stays its default, the user who made it
		self.assertEqual(lead.lead_owner, user or frappe.session.user, temperature)
		self.assertEqual(open_todos(lead.name, "Lead"), [user] if user else [], temperature)

	def test_hot_warm_and_cold_leads_go_to_the_top_middle_and_rest_tiers(self) -> None:
		best, middle, rest = self.manager("best"), self.manager("middle"), self.manager("rest")
		for user, won in ((best, 3), (middle, 2), (rest, 1)):
			converted(self.company, self.funnel, user, count=3, moved_on=won, to_stage=WON)
		self.routing_rule([best, middle, rest])

		self.assertRoutedTo("Hot", best)
		self.assertRoutedTo("Warm", middle)
		self.assertRoutedTo("Cold", rest)

	def test_a_pool_of_one_manager_takes_every_temperature(self) -> None:
		only = self.manager("only")
		converted(self.company, self.funnel, only, count=2, moved_on=1, to_stage=WON)
		self.routing_rule([only])

		for temperature in ("Hot", "Warm", "Cold"):
			self.assertRoutedTo(temperature, only)

	def test_a_pool_of_two_managers_routes_cold_leads_to_the_nearest_tier(self) -> None:
		best, second = self.manager("best"), self.manager("second")
		converted(self.company, self.funnel, best, count=2, moved_on=2, to_stage=WON)
		converted(self.company, self.funnel, second, count=2, moved_on=1, to_stage=WON)
		self.routing_rule([best, second])  # best is the top tier, second the middle, nobody the rest

		self.assertRoutedTo("Hot", best)
		self.assertRoutedTo("Warm", second)
		self.assertRoutedTo("Cold", second)

	def test_a_lead_without_a_temperature_is_left_alone(self) -> None:
		self.routing_rule([self.manager("only")])

		self.assertRoutedTo(None, None)

	def test_a_new_routing_rule_routes_at_once_without_waiting_for_the_daily_refresh(self) -> None:
		refresh_manager_tiers()  # the tiers cached before the rule exists
		self.assertIsNotNone(frappe.cache.get_value(TIERS_CACHE_KEY, expires=True))
		only = self.manager("only")
		self.routing_rule([only])

		self.assertRoutedTo("Hot", only)
