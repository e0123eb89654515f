"""The planner: the limits, the caps per rule and per hour, determinism, and the law that applying a plan and
planning again at the same `now` plans nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sales_funnel.engine.reassignment.model import MAX_MOVES_PER_HOUR, PLANNED, SKIPPED, Plan
from sales_funnel.engine.reassignment.plan import plan_reassignments
from tests.builders import history, insert
from tests.reassignment.builders import SECOND, T0, deals, insert_log, log, make_rule, stale


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
