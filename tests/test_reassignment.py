"""Scheduled reassignment, hand-checked on MariaDB: each trigger at its exact boundary, each strategy, the limits,
rule validation, and the law that applying a plan and planning again at the same `now` plans nothing."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from sales_funnel.engine.funnels.stages import Stage, load_funnel
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.reassignment import (
	MAX_MOVES_PER_HOUR,
	PLANNED,
	SKIPPED,
	Plan,
	converter_ranking,
	manager_ranking,
	plan_reassignments,
	reassignment_preview,
	route_lead,
	stale_deals,
	temperature_tiers,
)
from sales_funnel.engine.reassignment_rules import Rule, check_rule, load_rules, pool_members, pool_users
from sales_funnel.engine.scope import DealScope
from tests.builders import history, insert, make_funnel

T0 = datetime(2026, 3, 1, 9, 0)
SECOND = timedelta(seconds=1)
USERS = ("a@x.com", "b@x.com", "c@x.com", "d@x.com")
STAGES = [
	Stage("Prospecting", "Open", 10, time_limit_days=10),
	Stage("Qualification", "Open", 30, time_limit_days=5),
	Stage("Negotiation", "Open", 60),
	Stage("Won", "Won", 100),
	Stage("Lost", "Lost"),
]


def make_users(db, users=USERS, enabled: int = 1, role: str = "Sales User") -> None:
	for user in users:
		insert(db, "User", [{"name": user, "email": user, "first_name": user, "enabled": enabled}])
		insert(
			db,
			"Has Role",
			[
				{
					"name": f"hr-{user}",
					"parent": user,
					"parenttype": "User",
					"parentfield": "roles",
					"role": role,
				}
			],
		)


def make_rule(db, name: str = "R", **fields: Any) -> Rule:
	users = fields.pop("users", USERS)
	stages = fields.pop("stages", ())
	row = {
		"name": name,
		"rule_name": name,
		"funnel": "F",
		"enabled": 1,
		"dry_run": 0,
		"all_stages": 0 if stages else 1,
		"trigger": "Days Over Stage Limit",
		"threshold": 0,
		"pool_type": "Listed Users",
		"strategy": "Least Loaded",
		"converter_window_days": 90,
		"converter_min_deals": 1,
		"max_reassignments": 0,
		"cooldown_hours": 24,
		"never_to_previous_owner": 1,
		"skip_if_future_event": 1,
		"skip_if_future_todo": 1,
		**fields,
	}
	insert(db, "Reassignment Rule", [row])
	for i, user in enumerate(users, start=1):
		insert(
			db,
			"Reassignment Rule User",
			[{"name": f"{name}-u{i}", "parent": name, "parenttype": "Reassignment Rule", "parentfield": "users",
			  "idx": i, "user": user}],
		)  # fmt: skip
	for i, stage in enumerate(stages, start=1):
		insert(
			db,
			"Reassignment Rule Stage",
			[{"name": f"{name}-s{i}", "parent": name, "parenttype": "Reassignment Rule", "parentfield": "stages",
			  "idx": i, "stage": stage}],
		)  # fmt: skip
	return next(r for r in load_rules(db) if r.name == name)


_log_name = [0]


def insert_log(db, **row: Any) -> None:
	"""A Reassignment Log row (autoincrement names, given in insertion order as Frappe's sequence would)."""
	_log_name[0] += 1
	insert(db, "Reassignment Log", [{"name": _log_name[0], "status": "Applied", **row}])


def log(
	db, deal: str, to_user: str, at: datetime, from_user: str = "owner@example.com", rule: str = "R"
) -> None:
	insert_log(db, deal=deal, rule=rule, at=at, from_user=from_user, to_user=to_user)


@pytest.fixture
def funnel(db):
	make_users(db)
	return make_funnel(db, "F", STAGES)


def stale(db, funnel, deal: str, moved_at: datetime = T0, stage: str = "Qualification", **attrs):
	"""A deal that entered `stage` at `moved_at` (Prospecting a day before)."""
	return history(
		db, funnel, deal, [(moved_at - timedelta(days=1), "Prospecting"), (moved_at, stage)], **attrs
	)


def deals(plan: Plan, status: str = PLANNED) -> list[str]:
	return [i.deal for i in plan.items if i.status == status]


# Triggers at their boundaries
# ----------------------------


def test_days_over_stage_limit_fires_exactly_at_limit_plus_threshold(db, funnel):
	stale(db, funnel, "D1")  # Qualification, limit 5 days
	make_rule(db, threshold=1.5)
	boundary = T0 + timedelta(days=6.5)
	assert plan_reassignments(db, boundary - SECOND).items == []
	item = plan_reassignments(db, boundary).items[0]
	assert (item.deal, item.status, item.stage) == ("D1", PLANNED, "Qualification")
	assert item.figures["days_in_stage"] == 6.5
	assert item.figures["days_over"] == 1.5
	assert item.why.english() == "6.5 days in stage Qualification, 1.5 days over its limit of 5.0 days."


def test_stage_without_a_limit_never_fires_and_only_chosen_stages_count(db, funnel):
	stale(db, funnel, "D1", stage="Negotiation")  # no limit
	stale(db, funnel, "D2", stage="Qualification")
	stale(db, funnel, "D3", stage="Prospecting")
	make_rule(db, stages=("Prospecting", "Negotiation"))
	plan = plan_reassignments(db, T0 + timedelta(days=100))
	assert deals(plan) == ["D3"]


def test_closed_deals_are_never_triggered(db, funnel):
	history(db, funnel, "D1", [(T0, "Prospecting"), (T0 + timedelta(days=1), "Lost", None)])
	history(db, funnel, "D2", [(T0, "Prospecting"), (T0 + timedelta(days=1), "Won")])
	make_rule(db)
	assert plan_reassignments(db, T0 + timedelta(days=100)).items == []


def test_overdue_todo_fires_when_overdue_by_threshold_hours_after_the_due_day(db, funnel):
	stale(db, funnel, "D1", stage="Negotiation")
	insert(db, "ToDo", [{"name": "td1", "status": "Open", "date": date(2026, 3, 10), "allocated_to": "owner@example.com",
						 "reference_type": "Opportunity", "reference_name": "D1"}])  # fmt: skip
	insert(db, "ToDo", [{"name": "td2", "status": "Closed", "date": date(2026, 3, 1), "allocated_to": "owner@example.com",
						 "reference_type": "Opportunity", "reference_name": "D1"}])  # fmt: skip
	make_rule(db, trigger="Overdue ToDo", threshold=5)
	boundary = datetime(2026, 3, 11, 5, 0)  # due by the end of 10 March, overdue from 11 March 00:00
	assert plan_reassignments(db, boundary - SECOND).items == []
	item = plan_reassignments(db, boundary).items[0]
	assert (item.deal, item.status, item.figures["overdue_hours"]) == ("D1", PLANNED, 5.0)
	assert "2026-03-10" in item.why.english()


def test_no_activity_fires_exactly_threshold_days_after_the_last_activity(db, funnel):
	stale(db, funnel, "D1", stage="Negotiation")
	comment_at = T0 + timedelta(days=2)
	insert(db, "Comment", [
		{"name": "c1", "comment_type": "Comment", "reference_doctype": "Opportunity", "reference_name": "D1",
		 "creation": comment_at, "content": "called"},
		# an Info comment (e.g. our own "reassigned" note) or a later system comment is not activity
		{"name": "c2", "comment_type": "Info", "reference_doctype": "Opportunity", "reference_name": "D1",
		 "creation": comment_at + timedelta(days=1), "content": "info"},
	])  # fmt: skip
	insert(
		db,
		"Call Log",
		[{"name": "cl1", "start_time": T0 + timedelta(days=1), "creation": T0 + timedelta(days=1)}],
	)
	insert(db, "Dynamic Link", [{"name": "dl1", "parent": "cl1", "parenttype": "Call Log", "parentfield": "links",
								 "link_doctype": "Opportunity", "link_name": "D1"}])  # fmt: skip
	make_rule(db, trigger="No Activity", threshold=3)
	boundary = comment_at + timedelta(days=3)
	assert plan_reassignments(db, boundary - SECOND).items == []
	item = plan_reassignments(db, boundary).items[0]
	assert (item.deal, item.figures["idle_days"]) == ("D1", 3.0)


def test_no_activity_counts_communications_and_calls(db, funnel):
	stale(db, funnel, "D1", stage="Negotiation")
	stale(db, funnel, "D2", stage="Negotiation")
	insert(db, "Communication", [{"name": "m1", "reference_doctype": "Opportunity", "reference_name": "D1",
								  "communication_date": T0 + timedelta(days=4)}])  # fmt: skip
	insert(db, "Call Log", [{"name": "cl1", "start_time": T0 + timedelta(days=4), "creation": T0}])
	insert(db, "Dynamic Link", [{"name": "dl1", "parent": "cl1", "parenttype": "Call Log", "parentfield": "links",
								 "link_doctype": "Opportunity", "link_name": "D2"}])  # fmt: skip
	stale(db, funnel, "D3", stage="Negotiation")
	make_rule(db, trigger="No Activity", threshold=3)
	assert deals(plan_reassignments(db, T0 + timedelta(days=5))) == ["D3"]
	assert sorted(deals(plan_reassignments(db, T0 + timedelta(days=7)))) == ["D1", "D2", "D3"]


# Strategies
# ----------


def test_round_robin_continues_where_it_stopped(db, funnel):
	for n in range(1, 5):
		stale(db, funnel, f"D{n}", moved_at=T0 + timedelta(hours=n))  # D1 the most overdue
	make_rule(db, strategy="Round Robin")
	history(db, funnel, "OLD", [(T0 - timedelta(days=30), "Prospecting"), (T0 - timedelta(days=29), "Won")])
	log(db, "OLD", "b@x.com", T0)  # the rule last gave a deal to b
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	assert [(i.deal, i.to_user) for i in plan.moves] == [
		("D1", "c@x.com"),
		("D2", "d@x.com"),
		("D3", "a@x.com"),
		("D4", "b@x.com"),
	]


def test_round_robin_skips_the_owner_and_starts_at_the_first_without_history(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	make_rule(db, strategy="Round Robin")
	assert [(i.deal, i.to_user) for i in plan_reassignments(db, T0 + timedelta(days=10)).moves] == [
		("D1", "b@x.com")
	]


def test_least_loaded_breaks_ties_by_name_and_counts_planned_moves(db, funnel):
	# open loads: a 2, b 1, c 1, d 3 (closed deals do not count)
	for n, owner in enumerate(["a@x.com", "a@x.com", "b@x.com", "c@x.com", "d@x.com", "d@x.com", "d@x.com"]):
		stale(db, funnel, f"L{n}", stage="Negotiation", owner=owner)
	history(db, funnel, "W1", [(T0, "Prospecting"), (T0, "Won")], owner="b@x.com")
	stale(db, funnel, "S1", moved_at=T0)
	stale(db, funnel, "S2", moved_at=T0 + timedelta(hours=1))
	stale(db, funnel, "S3", moved_at=T0 + timedelta(hours=2))
	make_rule(db, strategy="Least Loaded")
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	# S1: b and c tie at 1 → b; S2: c (1) ; S3: a, b, c tie at 2 → a
	assert [(i.deal, i.to_user) for i in plan.moves] == [
		("S1", "b@x.com"),
		("S2", "c@x.com"),
		("S3", "a@x.com"),
	]
	assert plan.moves[0].decision.english() == "Least loaded: 1 open deals."


def _entered_qualification(db, funnel, prefix: str, owner: str, entered: int, moved_on: int) -> None:
	for n in range(entered):
		moves = [(T0 - timedelta(days=20), "Prospecting"), (T0 - timedelta(days=10), "Qualification")]
		# those that did not move on were lost, so only the deal under test is open
		moves.append((T0 - timedelta(days=5), "Negotiation" if n < moved_on else "Lost"))
		history(db, funnel, f"{prefix}{n}", moves, owner=owner)


def test_best_converter_honours_the_minimum_sample(db, funnel):
	_entered_qualification(db, funnel, "A", "a@x.com", entered=3, moved_on=3)  # 100 % but only 3 deals
	_entered_qualification(db, funnel, "B", "b@x.com", entered=5, moved_on=3)  # 60 %
	_entered_qualification(db, funnel, "C", "c@x.com", entered=4, moved_on=1)  # 25 %
	stale(db, funnel, "S1", moved_at=T0 - timedelta(days=1), owner="d@x.com")
	make_rule(db, strategy="Best Converter", converter_min_deals=4, converter_window_days=30)
	now = T0 + timedelta(days=10)
	ranking = converter_ranking(db, funnel, 2, 3, now, 30, list(USERS), 4)
	assert ranking[["user", "entered", "moved_on", "ranked"]].values.tolist() == [
		["b@x.com", 5, 3, True],
		["c@x.com", 4, 1, True],
		["a@x.com", 3, 3, False],
		["d@x.com", 1, 0, False],
	]
	item = plan_reassignments(db, now).moves[0]
	assert (item.deal, item.to_user) == ("S1", "b@x.com")
	assert item.decision.english() == (
		"Best converter in stage Qualification: 60.0% of 5 deals moved on in the last 30 days."
	)
	# with a minimum nobody meets, nobody is chosen and the reason says so
	db.sql("UPDATE `tabReassignment Rule` SET converter_min_deals = 6")
	item = plan_reassignments(db, now).items[0]
	assert item.status == SKIPPED and "at least 6 deals in stage Qualification" in item.decision.english()


def test_by_temperature_sends_hot_deals_to_the_top_tier(db, funnel):
	for prefix, owner, won in (("A", "a@x.com", 3), ("B", "b@x.com", 2), ("C", "c@x.com", 1)):
		for n in range(3):
			moves = [(T0 - timedelta(days=20), "Prospecting")]
			moves.append((T0 - timedelta(days=5), "Won" if n < won else "Lost"))
			history(db, funnel, f"{prefix}{n}", moves, owner=owner)
	now = T0 + timedelta(days=10)
	ranking = converter_ranking(db, funnel, 1, 4, now, 90, list(USERS), 3)
	assert temperature_tiers(ranking, list(USERS)) == {
		"a@x.com": "top",
		"b@x.com": "middle",
		"c@x.com": "rest",
		"d@x.com": "rest",  # unranked
	}
	# the deals to move entered the funnel before the 90-day window, so d stays unranked
	before = T0 - timedelta(days=100)
	stale(db, funnel, "HOT", before, owner="d@x.com", opportunity={"sf_temperature": "Hot"})
	stale(db, funnel, "WARM", before, owner="d@x.com", opportunity={"sf_temperature": "Warm"})
	stale(db, funnel, "COLD", before, owner="d@x.com", opportunity={"sf_temperature": "Cold"})
	make_rule(db, strategy="By Temperature", converter_min_deals=3)
	moves = {i.deal: i.to_user for i in plan_reassignments(db, now).moves}
	assert moves == {"HOT": "a@x.com", "WARM": "b@x.com", "COLD": "c@x.com"}


# Limits
# ------


def test_cooldown_counts_from_the_last_applied_reassignment(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	now = T0 + timedelta(days=10)
	log(db, "D1", "a@x.com", now - timedelta(hours=24) + SECOND)
	make_rule(db, cooldown_hours=24)
	item = plan_reassignments(db, now).items[0]
	assert item.status == SKIPPED
	assert item.decision.english() == "Skipped: reassigned 24.0 hours ago; the cooldown is 24.0 hours."
	assert plan_reassignments(db, now + SECOND).items[0].status == PLANNED


def test_max_reassignments_per_deal(db, funnel):
	stale(db, funnel, "D1", owner="b@x.com")
	now = T0 + timedelta(days=10)
	log(db, "D1", "a@x.com", T0 - timedelta(days=10), from_user="c@x.com", rule="OTHER")
	log(db, "D1", "b@x.com", T0 - timedelta(days=5), from_user="a@x.com")
	make_rule(db, max_reassignments=2)
	item = plan_reassignments(db, now).items[0]
	assert (item.status, item.decision.english()) == (
		SKIPPED,
		"Skipped: already reassigned 2 times; the limit is 2.",
	)
	db.sql("UPDATE `tabReassignment Rule` SET max_reassignments = 3")
	# never back to a previous owner (a, c) nor the owner (b): d is left
	assert plan_reassignments(db, now).items[0].to_user == "d@x.com"


def test_never_back_to_the_previous_owner_unless_allowed(db, funnel):
	stale(db, funnel, "D1", owner="b@x.com")
	now = T0 + timedelta(days=10)
	log(db, "D1", "b@x.com", T0 - timedelta(days=5), from_user="a@x.com")
	make_rule(db, users=("a@x.com", "b@x.com"))
	item = plan_reassignments(db, now).items[0]
	assert item.status == SKIPPED and item.to_user is None
	assert item.decision.english().startswith("No eligible manager")
	db.sql("UPDATE `tabReassignment Rule` SET never_to_previous_owner = 0")
	assert plan_reassignments(db, now).items[0].to_user == "a@x.com"


def test_no_eligible_manager_is_skipped_with_a_reason(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	make_rule(db, users=("a@x.com",))
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	assert plan.moves == []
	[item] = plan.skipped
	assert (item.deal, item.from_user, item.to_user) == ("D1", "a@x.com", None)
	assert "No eligible manager" in item.reason and "days over its limit" in item.reason


def test_deals_with_a_future_event_or_pending_todo_are_skipped(db, funnel):
	now = T0 + timedelta(days=10)
	for deal in ("E", "T", "P", "OK"):
		stale(db, funnel, deal)
	insert(db, "Event", [{"name": "ev1", "subject": "meet", "starts_on": now + timedelta(hours=1), "status": "Open"},
						 {"name": "ev2", "subject": "past", "starts_on": now - timedelta(hours=1), "status": "Open"}])  # fmt: skip
	insert(db, "Event Participants", [
		{"name": "ep1", "parent": "ev1", "parenttype": "Event", "parentfield": "event_participants",
		 "reference_doctype": "Opportunity", "reference_docname": "E"},
		{"name": "ep2", "parent": "ev2", "parenttype": "Event", "parentfield": "event_participants",
		 "reference_doctype": "Opportunity", "reference_docname": "P"},
	])  # fmt: skip
	insert(db, "ToDo", [{"name": "td1", "status": "Open", "date": now.date(), "reference_type": "Opportunity",
						 "reference_name": "T"}])  # fmt: skip
	make_rule(db)
	plan = plan_reassignments(db, now)
	assert sorted(deals(plan)) == ["OK", "P"]
	assert sorted(deals(plan, SKIPPED)) == ["E", "T"]
	db.sql("UPDATE `tabReassignment Rule` SET skip_if_future_event = 0, skip_if_future_todo = 0")
	assert sorted(deals(plan_reassignments(db, now))) == ["E", "OK", "P", "T"]


def test_a_deal_is_planned_by_one_rule_only_and_dry_run_is_carried(db, funnel):
	stale(db, funnel, "D1")
	db.sql("UPDATE `tabOpportunity` SET modified = %s WHERE name = 'D1'", (T0,))
	make_rule(db, "R1", dry_run=1)
	make_rule(db, "R2")
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	assert [(i.deal, i.rule, i.dry_run) for i in plan.moves] == [("D1", "R1", True)]
	assert plan.moves[0].modified == T0


def test_max_per_hour_moves_the_most_overdue_first_and_counts_the_last_hour(db, funnel):
	for n in range(1, 5):
		stale(db, funnel, f"D{n}", moved_at=T0 + timedelta(hours=n))  # D1 the most overdue
	now = T0 + timedelta(days=10)
	make_rule(db, max_per_hour=3)
	assert deals(plan_reassignments(db, now)) == ["D1", "D2", "D3"]
	history(db, funnel, "OLD", [(T0, "Prospecting"), (T0, "Won")])
	log(db, "OLD", "a@x.com", now - timedelta(hours=1))  # an hour ago: outside the window
	log(db, "OLD", "a@x.com", now - timedelta(minutes=59))  # inside
	assert deals(plan_reassignments(db, now)) == ["D1", "D2"]


def test_the_hours_bound_across_rules_takes_the_most_overdue_first_and_counts_every_rule(db, funnel):
	for n in range(1, 6):
		stale(db, funnel, f"D{n}", moved_at=T0 + timedelta(hours=n))  # D1 the most overdue
	now = T0 + timedelta(days=10)
	make_rule(db, "R1", stages=("Qualification",), max_per_hour=2)
	make_rule(db, "R2")
	assert deals(plan_reassignments(db, now, max_moves_per_hour=None)) == ["D1", "D2", "D3", "D4", "D5"]
	plan = plan_reassignments(db, now, max_moves_per_hour=3)
	assert [(i.deal, i.rule) for i in plan.moves] == [("D1", "R1"), ("D2", "R1"), ("D3", "R2")]
	history(db, funnel, "OLD", [(T0, "Prospecting"), (T0, "Won")])
	log(db, "OLD", "a@x.com", now - timedelta(minutes=59), rule="Another Rule")  # any rule's move counts
	plan = plan_reassignments(db, now, max_moves_per_hour=3)
	assert [(i.deal, i.rule) for i in plan.moves] == [("D1", "R1"), ("D2", "R1")]
	log(db, "OLD", "a@x.com", now - timedelta(minutes=30), rule="R1")
	log(db, "OLD", "a@x.com", now - timedelta(minutes=20), rule="R1")
	assert plan_reassignments(db, now, max_moves_per_hour=3).items == []
	assert deals(plan_reassignments(db, now + timedelta(hours=1), max_moves_per_hour=3)) == ["D1", "D2", "D3"]


def test_planning_is_deterministic(db, funnel):
	for n in range(6):
		stale(db, funnel, f"D{n}", moved_at=T0 + timedelta(hours=n % 3))
	make_rule(db, strategy="Round Robin")
	now = T0 + timedelta(days=10)
	assert plan_reassignments(db, now).items == plan_reassignments(db, now).items


# Rules and pools
# ---------------


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


# The law: apply the plan, plan again at the same `now`: nothing to do
# ----------------------------------------------------------------------


def apply_plan(db, plan: Plan) -> None:
	"""What the Frappe layer does, minus notifications: owner, assignment, log."""
	for item in plan.moves:
		if item.dry_run:
			continue
		db.sql(
			"UPDATE `tabOpportunity` SET opportunity_owner = %(to)s, _assign = %(assign)s, modified = %(now)s "
			"WHERE name = %(deal)s",
			{"to": item.to_user, "assign": json.dumps([item.to_user]), "now": plan.now, "deal": item.deal},
		)
		db.sql(
			"UPDATE `tabToDo` SET status = 'Cancelled' WHERE reference_type = 'Opportunity' "
			"AND reference_name = %(deal)s AND status = 'Open'",
			{"deal": item.deal},
		)
		insert(db, "ToDo", [{"name": f"new-{item.deal}", "status": "Open", "date": plan.now.date(),
							 "allocated_to": item.to_user, "reference_type": "Opportunity", "reference_name": item.deal}])  # fmt: skip
		insert_log(db, deal=item.deal, rule=item.rule, at=plan.now, from_user=item.from_user, to_user=item.to_user,
				   reason=item.reason)  # fmt: skip


@pytest.mark.parametrize(
	("strategy", "trigger", "threshold", "per_hour", "bound"),
	[
		("Round Robin", "Days Over Stage Limit", 0, 0, None),
		("Round Robin", "Days Over Stage Limit", 0, 40, None),  # capped: the hour's quota is used up
		("Least Loaded", "No Activity", 10, 0, None),
		("Least Loaded", "No Activity", 10, 30, None),
		("Best Converter", "Days Over Stage Limit", 2, 0, None),
		("By Temperature", "Overdue ToDo", 24, 0, None),
		("Least Loaded", "Days Over Stage Limit", 0, 0, 150),  # the job's bound across rules is used up
		("Round Robin", "Days Over Stage Limit", 0, 0, MAX_MOVES_PER_HOUR),  # as the job plans
	],
)
def test_applying_a_plan_then_planning_again_plans_nothing(
	demo_db, demo_spec, strategy, trigger, threshold, per_hour, bound
):
	insert(demo_db, "Reassignment Rule", [{
		"name": "Demo", "rule_name": "Demo", "funnel": "B2B New Customers", "enabled": 1, "dry_run": 0, "all_stages": 1,
		"trigger": trigger, "threshold": threshold, "pool_type": "Role", "role": "Sales User", "strategy": strategy,
		"converter_window_days": 180, "converter_min_deals": 5, "max_reassignments": 3, "cooldown_hours": 48, "max_per_hour": per_hour,
		"never_to_previous_owner": 1, "skip_if_future_event": 1, "skip_if_future_todo": 0,
	}])  # fmt: skip
	now = demo_spec.now
	plan = plan_reassignments(demo_db, now, max_moves_per_hour=bound)
	assert len(plan.moves) > 0
	if per_hour:
		assert len(plan.moves) == per_hour
	bound_used = bound is not None and len(plan.moves) == bound
	if bound == 150:
		assert bound_used  # the demo has more stale deals than that
	assert len({i.deal for i in plan.moves}) == len(plan.moves)
	assert all(i.to_user != i.from_user for i in plan.moves)
	apply_plan(demo_db, plan)
	again = plan_reassignments(demo_db, now, max_moves_per_hour=bound)
	assert again.moves == []
	if per_hour or bound_used:  # the hour's quota is used up: nothing more this hour
		assert again.items == []
	elif trigger == "Days Over Stage Limit":  # still over the limit, now held back by the cooldown
		assert {i.deal for i in plan.moves} <= {i.deal for i in again.skipped}
	else:  # the reassignment is activity, and the overdue ToDo went with the old owner
		assert not {i.deal for i in plan.moves} & {i.deal for i in again.items}


# Lead routing and reports
# ------------------------


def test_route_lead_goes_to_the_least_loaded_of_the_matching_tier():
	tiers = {"a@x.com": "top", "b@x.com": "top", "c@x.com": "middle", "d@x.com": "rest"}
	load = {"a@x.com": 5, "b@x.com": 2}
	assert route_lead(tiers, load, "Hot")[0] == "b@x.com"
	assert route_lead(tiers, load, "Warm")[0] == "c@x.com"
	assert route_lead(tiers, load, "Cold")[0] == "d@x.com"
	assert route_lead(tiers, load, None)[0] is None
	assert route_lead({}, load, "Hot") == (None, route_lead({}, {}, "Hot")[1])
	assert route_lead({}, {}, "Hot")[1].english() == "Nobody is in the pool; the Lead is not routed."


def test_route_lead_with_a_pool_of_one_or_two_routes_every_temperature():
	# one manager, ranked (top) or not (rest): every Lead goes to them
	for tier in ("top", "rest"):
		for temperature in ("Hot", "Warm", "Cold"):
			assert route_lead({"a@x.com": tier}, {}, temperature)[0] == "a@x.com", (tier, temperature)
	# two ranked managers: a is the top third (ceil(2 / 3) = 1), b the middle; nobody is in the rest
	two = {"a@x.com": "top", "b@x.com": "middle"}
	assert [route_lead(two, {}, t)[0] for t in ("Hot", "Warm", "Cold")] == ["a@x.com", "b@x.com", "b@x.com"]
	user, why = route_lead(two, {"b@x.com": 4}, "Cold")
	assert user == "b@x.com"
	assert why.english() == (
		"Cold Lead to the Middle tier, the nearest with managers (nobody is in the Rest tier); "
		"least loaded there (4 open deals)."
	)
	# one ranked (top) and one unranked (rest): a Warm Lead goes up to the top tier, the better one first
	mixed = {"a@x.com": "top", "b@x.com": "rest"}
	assert [route_lead(mixed, {}, t)[0] for t in ("Hot", "Warm", "Cold")] == ["a@x.com", "a@x.com", "b@x.com"]


def test_by_temperature_with_a_pool_of_two_moves_cold_deals(db, funnel):
	# a won 2 of 2, b 1 of 2: ranked a, b → a top, b middle, nobody in the rest tier
	for prefix, owner, won in (("A", "a@x.com", 2), ("B", "b@x.com", 1)):
		for n in range(2):
			moves = [(T0 - timedelta(days=20), "Prospecting")]
			moves.append((T0 - timedelta(days=5), "Won" if n < won else "Lost"))
			history(db, funnel, f"{prefix}{n}", moves, owner=owner)
	before = T0 - timedelta(days=100)
	stale(db, funnel, "COLD", before, owner="c@x.com", opportunity={"sf_temperature": "Cold"})
	stale(db, funnel, "HOT", before, owner="c@x.com", opportunity={"sf_temperature": "Hot"})
	make_rule(db, strategy="By Temperature", converter_min_deals=2, users=("a@x.com", "b@x.com"))
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	assert {i.deal: i.to_user for i in plan.moves} == {"COLD": "b@x.com", "HOT": "a@x.com"}
	assert plan.skipped == []
	cold = next(i for i in plan.moves if i.deal == "COLD")
	assert cold.decision.english() == (
		"Cold deal to the Middle tier, the nearest with managers (nobody is in the Rest tier); "
		"least loaded there (0 open deals)."
	)


def test_stale_deals_lists_days_over_the_acting_rule_and_a_suggestion(db, funnel):
	now = T0 + timedelta(days=10)
	stale(db, funnel, "D1")  # Qualification since T0: 10 days, limit 5 → 5 over
	stale(
		db, funnel, "D2", moved_at=T0 - timedelta(days=10)
	)  # 20 days: 15 over = 3 x the limit → close as lost
	stale(db, funnel, "D3", moved_at=T0 + timedelta(days=6))  # 4 days: within the limit
	stale(db, funnel, "D4", stage="Negotiation")  # no limit
	insert(db, "Comment", [{"name": "c1", "comment_type": "Comment", "reference_doctype": "Opportunity",
							"reference_name": "D1", "creation": T0 + timedelta(days=3)}])  # fmt: skip
	make_rule(db, "R", threshold=2, stages=("Qualification",))
	frame = stale_deals(db, now, funnel="F")
	assert frame["deal"].tolist() == ["D2", "D1"]
	d1 = frame.set_index("deal").loc["D1"]
	assert (d1["days_over"], d1["time_limit_days"], d1["rule"]) == (5.0, 5.0, "R")
	assert d1["last_activity"] == T0 + timedelta(days=3)
	assert d1["acts_at"] == now  # 5 + 2 days after T0 has passed: the next run
	assert d1["suggested_action"] == "Reassign"
	assert frame.set_index("deal").loc["D2", "suggested_action"] == "Close as Lost"


def test_stale_deals_and_the_preview_keep_to_the_deals_a_scope_sees(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	stale(db, funnel, "D2", owner="b@x.com", moved_at=T0 - timedelta(days=1))
	stale(db, funnel, "D3", owner="c@x.com", opportunity={"_assign": json.dumps(["a@x.com"])})
	make_rule(db)
	now = T0 + timedelta(days=10)
	own = DealScope(own_or_assigned_of="a@x.com")
	assert stale_deals(db, now, funnel="F")["deal"].tolist() == ["D2", "D1", "D3"]
	assert stale_deals(db, now, funnel="F", scope=own)["deal"].tolist() == ["D1", "D3"]
	# the limit counts the deals the scope sees: b's more overdue deal does not take a's place
	assert stale_deals(db, now, funnel="F", limit=1, scope=own)["deal"].tolist() == ["D1"]
	everything = reassignment_preview(db, now)
	assert sorted(everything["deal"]) == ["D1", "D2", "D3"]
	seen = reassignment_preview(db, now, scope=own)
	assert sorted(seen["deal"]) == ["D1", "D3"]
	# the same plan, only fewer rows: each deal keeps the move the whole plan gives it
	whole = everything.set_index("deal")
	assert all(whole.loc[row.deal, "to_user"] == row.to_user for row in seen.itertuples())
	assert reassignment_preview(db, now, scope=DealScope(own_or_assigned_of="nobody@x.com")).empty


@pytest.mark.parametrize("limit", [-1, 0, 2.5, "10", True])
def test_stale_deals_refuses_a_limit_that_is_not_a_positive_whole_number(db, funnel, limit):
	stale(db, funnel, "D1")
	with pytest.raises(InvalidInput) as error:
		stale_deals(db, T0 + timedelta(days=10), funnel="F", limit=limit)
	assert error.value.message.english() == "The limit must be a whole number of at least 1."
	assert stale_deals(db, T0 + timedelta(days=10), funnel="F", limit=1)["deal"].tolist() == ["D1"]


def test_reports_on_the_demo_company(demo_db, demo_spec):
	now = demo_spec.now
	frame = stale_deals(demo_db, now)
	assert len(frame) > 0 and (frame["days_over"] >= 0).all()
	assert set(frame["suggested_action"]) <= {"Reassign", "Close as Lost"}
	assert frame["rule"].isna().all()  # no rules yet
	insert(demo_db, "Reassignment Rule", [{
		"name": "Demo", "rule_name": "Demo", "funnel": "Inbound Retail", "enabled": 1, "dry_run": 1, "all_stages": 1,
		"trigger": "Days Over Stage Limit", "threshold": 3, "pool_type": "Sales Person Group",
		"sales_person_group": "Inbound Sales", "strategy": "By Temperature", "converter_window_days": 365,
		"converter_min_deals": 20, "max_reassignments": 2, "cooldown_hours": 72, "never_to_previous_owner": 1,
		"skip_if_future_event": 1, "skip_if_future_todo": 1,
	}])  # fmt: skip
	[rule] = load_rules(demo_db)
	ranking = manager_ranking(demo_db, rule, now)
	assert len(ranking) == len(pool_users(demo_db, rule)) > 0
	assert set(ranking["tier"]) <= {"top", "middle", "rest"} and "top" in set(ranking["tier"])
	ranked = ranking[ranking["ranked"]]
	assert ranked["rate"].is_monotonic_decreasing
	preview = reassignment_preview(demo_db, now)
	assert len(preview) > 0 and set(preview["status"]) <= {PLANNED, SKIPPED}
	assert preview["dry_run"].all()
	planned = preview[preview["status"] == PLANNED]
	assert (planned["to_user"] != planned["from_user"]).all()
	inbound = stale_deals(demo_db, now, funnel="Inbound Retail")
	assert (inbound["rule"] == "Demo").any()
