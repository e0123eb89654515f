"""A rule's pool of managers, and the errors that keep a bad rule from being saved."""

from __future__ import annotations

from typing import Any

from sales_funnel.engine.funnels.stages import load_funnel
from sales_funnel.engine.reassignment.model import Rule
from sales_funnel.engine.reassignment.rules import check_rule, pool_members, pool_users
from tests.builders import insert
from tests.reassignment.builders import USERS, make_rule, make_users


def test_pool_resolution_keeps_only_enabled_users(db, funnel):
	make_users(db, ("off@x.com",), enabled=0)
	rule = make_rule(db, users=("a@x.com", "off@x.com", "ghost@x.com"))
	assert pool_members(db, rule) == [("a@x.com", True), ("ghost@x.com", False), ("off@x.com", False)]
	assert pool_users(db, rule) == ["a@x.com"]
	by_role = Rule(name="X", funnel="F", pool_type="Role", role="Sales User")
	assert pool_users(db, by_role) == list(USERS)


def test_pool_from_a_sales_person_group(db, funnel):
	insert(db, "Sales Person", [
		{"name": "Team", "is_group": 1, "lft": 1, "rgt": 6, "enabled": 1},
		{"name": "Ann", "is_group": 0, "lft": 2, "rgt": 3, "enabled": 1, "employee": "E1", "parent_sales_person": "Team"},
		{"name": "Bob", "is_group": 0, "lft": 4, "rgt": 5, "enabled": 0, "employee": "E2", "parent_sales_person": "Team"},
	])  # fmt: skip
	insert(db, "Employee", [{"name": "E1", "user_id": "a@x.com", "status": "Active"},
							{"name": "E2", "user_id": "b@x.com", "status": "Active"}])  # fmt: skip
	rule = Rule(name="X", funnel="F", pool_type="Sales Person Group", sales_person_group="Team")
	assert pool_members(db, rule) == [("a@x.com", True), ("b@x.com", False)]


def test_bad_configuration_gives_clear_errors(db, funnel):
	make_users(db, ("off@x.com",), enabled=0)
	f = load_funnel(db, "F")

	def errors(**fields: Any) -> list[str]:
		rule = Rule(**{"name": "X", "funnel": "F", "cooldown_hours": 24, **fields})
		return [m.english() for m in check_rule(rule, f, pool_members(db, rule))]

	assert errors(users=("a@x.com",)) == []
	assert errors(users=()) == ["The pool of managers is empty: nobody could take the deals."]
	assert errors(users=("off@x.com",)) == [
		"Every manager in the pool is disabled (off@x.com): nobody could take the deals."
	]
	assert errors(users=("a@x.com",), stages=("Closing",)) == ["Stage Closing is not in funnel F."]
	assert errors(users=("a@x.com",), stages=("Won",)) == [
		"Stage Won is a Won stage; deals are reassigned only in open stages."
	]
	assert errors(users=("a@x.com",), cooldown_hours=0.5) == [
		"The cooldown (0.5 hours) must be at least the job's interval of 1.0 hour."
	]
	assert errors(users=("a@x.com",), stages=("Negotiation",)) == [
		"None of the chosen stages of funnel F has a time limit, so no deal can go over it."
	]
	# not a number, infinite, or absurdly large: a clear error, never a value the database refuses
	nan, inf = float("nan"), float("inf")
	assert errors(users=("a@x.com",), threshold=nan) == ["The threshold must be a finite number."]
	assert errors(users=("a@x.com",), threshold=-inf) == ["The threshold must be a finite number."]
	assert errors(users=("a@x.com",), threshold=3650) == []
	assert errors(users=("a@x.com",), threshold=3650.5) == ["The threshold cannot be more than 3650 days."]
	assert errors(users=("a@x.com",), trigger="Overdue ToDo", threshold=87_600) == []
	assert errors(users=("a@x.com",), trigger="Overdue ToDo", threshold=1e9) == [
		"The threshold cannot be more than 87600 hours."
	]
	assert errors(users=("a@x.com",), cooldown_hours=inf) == [
		"The cooldown must be a finite number of hours."
	]
	assert errors(users=("a@x.com",), cooldown_hours=nan) == [
		"The cooldown must be a finite number of hours."
	]
	assert errors(users=("a@x.com",), cooldown_hours=1e6) == ["The cooldown cannot be more than 87600 hours."]
	assert errors(users=("a@x.com",), max_per_hour=10**12, max_reassignments=10**6) == [
		"Max Reassignments per Hour cannot be more than 100000.",
		"Max Reassignments per Deal cannot be more than 1000.",
	]
	assert errors(
		users=("a@x.com",), strategy="Best Converter", converter_window_days=10**5, converter_min_deals=10**7
	) == [
		"Conversion Window (Days) cannot be more than 3650.",
		"Minimum Deals for Ranking cannot be more than 100000.",
	]
	assert "There is no Sales Funnel Nope." in [
		m.english() for m in check_rule(Rule(name="X", funnel="Nope"), None, [("a@x.com", True)])
	]
