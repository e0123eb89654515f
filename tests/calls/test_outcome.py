"""What setting an outcome on a call plans, and that planning is idempotent: each plan is applied in SQL as the
Frappe layer would, and planning again sees the result."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pymysql
import pytest

from devkit.mariadb import MariaDB
from sales_funnel.engine.calls.outcome import check_outcome_setup, load_call, plan_outcome_effect
from sales_funnel.engine.i18n import InvalidInput
from tests.builders import insert, make_opportunity
from tests.calls.builders import NOW, A, call, outcomes


def apply(db, plan, created_name: str = "OPP-NEW") -> None:
	"""What the Frappe layer does with a plan, in SQL, so a second planning sees the result."""
	if plan.set_fields:
		sets = ", ".join(f"`{k}` = %({k})s" for k in plan.set_fields)
		db.sql(
			f"UPDATE `tabCall Log` SET {sets} WHERE name = %(call)s", {**plan.set_fields, "call": plan.call}
		)
	idx = 10
	if plan.create_lead:
		insert(db, "Lead", [{"name": "LEAD-NEW", "lead_name": plan.lead_phone}])
		insert(db, "Dynamic Link", [_link(plan.call, "Lead", "LEAD-NEW", idx)])
	if plan.opportunity and plan.opportunity.action == "create":
		make_opportunity(db, created_name, None, sales_stage=plan.opportunity.stage, sf_sales_funnel="Calls")
		insert(db, "Dynamic Link", [_link(plan.call, "Opportunity", created_name, idx + 1)])
	if plan.opportunity and plan.opportunity.action == "move":
		db.sql(
			"UPDATE `tabOpportunity` SET sales_stage = %s WHERE name = %s",
			(plan.opportunity.stage, plan.opportunity.name),
		)
	if plan.todo:
		insert(
			db,
			"ToDo",
			[
				{
					"name": f"todo-{plan.call}-{plan.todo.date}",
					"status": "Open",
					"allocated_to": plan.todo.allocated_to,
					"date": plan.todo.date,
					"reference_type": "Call Log",
					"reference_name": plan.call,
				}
			],
		)
	for todo in plan.close_todos:
		db.sql("UPDATE `tabToDo` SET status = 'Closed' WHERE name = %s", (todo,))


def _link(parent: str, doctype: str, name: str, idx: int) -> dict[str, Any]:
	return {
		"name": f"dl-{parent}-{doctype}-{name}",
		"parent": parent,
		"parenttype": "Call Log",
		"parentfield": "links",
		"idx": idx,
		"link_doctype": doctype,
		"link_name": name,
	}


def plan(db, name: str, outcome: str, **kwargs: Any):
	return plan_outcome_effect(db, load_call(db, name), outcome, NOW, user=A, **kwargs)


def test_same_outcome_twice_plans_nothing_new(db):
	outcomes(db)
	name = call(db, A, NOW - timedelta(hours=1), links=[("Lead", "LEAD-1")])
	first = plan(db, name, "Negotiation Started")
	assert first.opportunity.action == "create"
	assert (first.opportunity.opportunity_from, first.opportunity.party_name) == ("Lead", "LEAD-1")
	assert (first.opportunity.funnel, first.opportunity.stage) == ("Calls", "Qualified")
	assert not first.create_lead and first.set_fields["sf_outcome"] == "Negotiation Started"
	apply(db, first)
	second = plan(db, name, "Negotiation Started")
	assert second.is_noop
	# the note may still be edited, without any effect
	third = plan(db, name, "Negotiation Started", note="asked for prices")
	assert third.set_fields["sf_outcome_note"] == "asked for prices"
	assert third.opportunity is None and not third.create_lead and third.todo is None


def test_negotiation_to_not_a_target_keeps_the_opportunity_and_records_the_change(db):
	outcomes(db)
	name = call(db, A, NOW - timedelta(hours=1), links=[("Lead", "LEAD-1")])
	apply(db, plan(db, name, "Negotiation Started"))
	changed = plan(db, name, "Not a Target")
	assert changed.opportunity is None and not changed.create_lead
	assert changed.previous_outcome == "Negotiation Started"
	assert changed.change_note.args == ("Negotiation Started", "Not a Target")
	apply(db, changed)
	# and back: the linked Opportunity is not created again (it is already at the stage)
	back = plan(db, name, "Negotiation Started")
	assert back.opportunity is None
	assert db.sql("SELECT COUNT(*) FROM `tabOpportunity`")[0][0] == 1
	# a later outcome moves the same deal forward, never back
	meeting = plan(db, name, "Meeting Booked")
	assert (meeting.opportunity.action, meeting.opportunity.name) == ("move", "OPP-NEW")
	assert meeting.opportunity.stage == "Meeting"
	apply(db, meeting)
	db.sql("UPDATE `tabOpportunity` SET sales_stage = 'Proposal' WHERE name = 'OPP-NEW'")
	apply(db, plan(db, name, "Not a Target"))
	assert plan(db, name, "Meeting Booked").opportunity is None


def test_create_lead_and_opportunity_for_an_unknown_caller(db):
	outcomes(db)
	name = call(db, A, NOW - timedelta(hours=1), **{"from": "+48600111222"})
	lead = plan(db, name, "New Lead")
	assert lead.create_lead and lead.lead_phone == "+48600111222"
	apply(db, lead)
	assert not plan(db, name, "Not a Target").create_lead
	other = call(db, A, NOW - timedelta(hours=1))
	deal = plan(db, other, "Negotiation Started")
	assert deal.create_lead and deal.opportunity.party_name is None  # the Opportunity is for the new Lead
	customer_call = call(db, A, NOW - timedelta(hours=1), customer="CUST-1")
	assert not plan(db, customer_call, "New Lead").create_lead
	for_customer = plan(db, customer_call, "Negotiation Started")
	assert (for_customer.opportunity.opportunity_from, for_customer.opportunity.party_name) == (
		"Customer",
		"CUST-1",
	)


def test_follow_up_todo_once_and_reminders_closed(db):
	outcomes(db)
	name = call(db, A, NOW - timedelta(hours=3))
	insert(
		db,
		"ToDo",
		[
			{
				"name": "reminder",
				"status": "Open",
				"allocated_to": A,
				"reference_type": "Call Log",
				"reference_name": name,
			}
		],
	)
	first = plan(db, name, "No Answer")
	assert first.todo.allocated_to == A and first.todo.date == (NOW + timedelta(hours=24)).date()
	assert first.close_todos == ("reminder",)
	apply(db, first)
	assert plan(db, name, "No Answer").is_noop
	# a new follow-up date moves the follow-up: one new ToDo, the old one closed
	later = plan(db, name, "No Answer", follow_up_on=date(2026, 3, 20))
	assert later.todo.date == date(2026, 3, 20) and len(later.close_todos) == 1
	apply(db, later)
	assert plan(db, name, "No Answer", follow_up_on=date(2026, 3, 20)).is_noop
	# another outcome closes the obsolete follow-up
	done = plan(db, name, "Not a Target")
	assert done.todo is None and done.close_todos == (f"todo-{name}-2026-03-20",)


@pytest.mark.parametrize(
	("outcome", "kwargs"),
	[
		("Nonexistent", {}),
		(None, {}),
		("Old", {}),  # disabled
		("Not a Target", {"follow_up_on": date(2026, 3, 9)}),  # in the past
		("Not a Target", {"follow_up_on": NOW - timedelta(minutes=1)}),
	],
)
def test_bad_input_is_rejected(db, outcome, kwargs):
	outcomes(db)
	name = call(db, A, NOW - timedelta(hours=1))
	with pytest.raises(InvalidInput):
		plan(db, name, outcome, **kwargs)
	with pytest.raises(InvalidInput):
		load_call(db, "no such call")


def test_outcome_setup_checks():
	check_outcome_setup("None", None, None, 0)
	check_outcome_setup("Create Follow-up ToDo", None, None, 4)
	check_outcome_setup("Create or Move Opportunity", None, None, 0)  # created in the funnel the app chooses
	for args in [
		("Create Follow-up ToDo", None, None, 0),
		("Explode", None, None, 0),
		("None", None, "Qualified", 0),
		("Create Follow-up ToDo", None, None, 8785),  # more than a year
		("Create Follow-up ToDo", None, None, 10**12),
	]:
		with pytest.raises(InvalidInput):
			check_outcome_setup(*args)


def test_concurrent_outcomes_are_serialised_by_the_row_lock(db, db_settings, scratch_database):
	"""Two requests on the same call: the second waits for the first's lock (here: times out)."""
	outcomes(db)
	name = call(db, A, NOW - timedelta(hours=1))
	load_call(db, name, for_update=True)
	with MariaDB(db_settings.with_database(scratch_database)) as other:
		other.sql("SET SESSION innodb_lock_wait_timeout = 1")
		with pytest.raises(pymysql.err.OperationalError) as error:
			load_call(other, name, for_update=True)
		assert error.value.args[0] == 1205  # lock wait timeout
