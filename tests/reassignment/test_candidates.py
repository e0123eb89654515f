"""Each trigger fires at its exact boundary, and only on open deals in the stages the rule watches."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sales_funnel.engine.reassignment.model import PLANNED
from sales_funnel.engine.reassignment.plan import plan_reassignments
from tests.builders import history, insert
from tests.reassignment.builders import SECOND, T0, deals, make_rule, stale


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
