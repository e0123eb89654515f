"""Call outcomes on MariaDB: the report with hand-computed figures (the issue's seed example), the overdue
selection on edge times, and the idempotence of effect planning."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pymysql
import pytest

from devkit.mariadb import MariaDB, Row
from sales_funnel.engine.call_rollup import mark_changed
from sales_funnel.engine.calls import (
	NOT_SET,
	CallFilters,
	CallScope,
	backfill_from_call,
	call_outcome_report,
	calls_drilldown,
	check_outcome_setup,
	from_call_changes,
	load_call,
	missing_outcome_digest,
	overdue_calls,
	plan_outcome_effect,
	report_output,
	safe_recording_url,
)
from sales_funnel.engine.funnels.call_funnel import funnel_changes
from sales_funnel.engine.funnels.stages import Stage, load_funnel
from sales_funnel.engine.i18n import InvalidInput
from tests.builders import insert, make_funnel, make_opportunity

A, B = "a@example.com", "b@example.com"
WEEK = date(2026, 3, 2)  # a Monday
NOW = datetime(2026, 3, 10, 12, 0)

OUTCOMES = [
	# name, category, counts as negotiation, effect, funnel, stage, follow-up hours
	("Negotiation Started", "Negotiation Started", 1, "Create or Move Opportunity", "Calls", "Qualified", 0),
	("Meeting Booked", "Meeting Booked", 1, "Create or Move Opportunity", "Calls", "Meeting", 0),
	("Not a Target", "Not a Target", 0, "None", None, None, 0),
	("No Answer", "No Contact", 0, "Create Follow-up ToDo", None, None, 24),
	("New Lead", "Information Only", 0, "Create Lead", None, None, 0),
	("Old", "Spam", 0, "None", None, None, 0),
]

_serial = [0]


def outcomes(db) -> None:
	make_funnel(
		db,
		"Calls",
		[
			Stage("Qualified"),
			Stage("Meeting"),
			Stage("Proposal"),
			Stage("Won", kind="Won"),
			Stage("Lost", kind="Lost"),
		],
	)
	insert(
		db,
		"Call Outcome",
		[
			{
				"name": n,
				"title": n,
				"category": c,
				"counts_as_negotiation": neg,
				"effect": e,
				"funnel": f,
				"stage": s,
				"follow_up_hours": h,
				"enabled": 0 if n == "Old" else 1,
			}
			for n, c, neg, e, f, s, h in OUTCOMES
		],
	)


def call(db, employee: str | None, start: datetime, outcome: str | None = None, **fields: Any) -> str:
	_serial[0] += 1
	name = fields.pop("name", f"CALL-{_serial[0]:05d}")
	links = fields.pop("links", [])
	row = {
		"name": name,
		"id": name,
		"from": "+48500000001",
		"to": "+48221234001",
		"type": "Incoming",
		"status": "Completed",
		"start_time": start,
		"end_time": start + timedelta(minutes=5),
		"employee_user_id": employee,
		"sf_outcome": outcome,
		"recording_url": f"https://pbx.example/{name}.mp3",
		"creation": start,
		"modified": start,
		**fields,
	}
	insert(db, "Call Log", [row])
	for idx, (doctype, link) in enumerate(links, start=1):
		insert(
			db,
			"Dynamic Link",
			[
				{
					"name": f"dl-{name}-{idx}",
					"parent": name,
					"parenttype": "Call Log",
					"parentfield": "links",
					"idx": idx,
					"link_doctype": doctype,
					"link_name": link,
				}
			],
		)
	mark_from_call(db, [link for doctype, link in links if doctype == "Opportunity"])
	keep_funnel(db, [name])
	return name


def keep_funnel(db, calls, without_deal: str | None = None, now: datetime | None = None) -> None:
	"""What the Call Log and Opportunity hooks do: keep the calls' `sf_funnel` (the first linked deal's funnel)
	and, given `now`, unseal their days in the rollup (a new call's day is unsealed by its insert, which the
	`call` helper does not model)."""
	changes = funnel_changes(db, calls, without_deal=without_deal)
	for change in changes:
		db.sql("UPDATE `tabCall Log` SET sf_funnel = %s WHERE name = %s", (change.funnel, change.call))
	if now is not None:
		mark_changed(db, [change.start_time for change in changes], now)


def mark_from_call(db, opportunities, without_call: str | None = None) -> None:
	"""What the Call Log hook does after a call's links change: flag the Opportunities calls lead to."""
	for name, value in from_call_changes(db, opportunities, without_call=without_call).items():
		db.sql("UPDATE `tabOpportunity` SET sf_from_call = %s WHERE name = %s", (value, name))


def seed(db) -> None:
	"""The issue's example: A took 10 calls and started 2 negotiations, leaving 3 calls without an outcome;
	B took 10 and started 8 (6 negotiations + 2 meetings booked)."""
	outcomes(db)
	insert(db, "Employee", [{"name": "HR-EMP-1", "user_id": A, "company": "Test Co"}])
	insert(db, "Employee", [{"name": "HR-EMP-2", "user_id": B, "company": "Other Co"}])
	for deal, status in [("OPP-A1", "Open"), ("OPP-A2", "Converted"), ("OPP-B1", "Open")]:
		owner = A if deal.startswith("OPP-A") else B
		make_opportunity(
			db,
			deal,
			None,
			status=status,
			creation=datetime(2026, 3, 3, 12),
			opportunity_owner=owner,
			owner=owner,
		)
	# won without being Converted: its sales stage is the Won stage of its funnel (its latest history row)
	calls_funnel = load_funnel(db, "Calls")
	make_opportunity(
		db, "OPP-B2", calls_funnel, sales_stage="Won", creation=datetime(2026, 3, 3, 12), opportunity_owner=B
	)
	# won once, then moved back to Proposal: not won
	make_opportunity(
		db,
		"OPP-B3",
		calls_funnel,
		sales_stage="Proposal",
		creation=datetime(2026, 3, 3, 12),
		opportunity_owner=B,
	)
	# created before the period: not a deal of this period, though a call of the period links to it
	make_opportunity(
		db, "OPP-OLD", None, status="Converted", creation=datetime(2026, 1, 5), opportunity_owner=B
	)
	# created in the period without a call
	make_opportunity(db, "OPP-WEB", None, status="Open", creation=datetime(2026, 3, 4), opportunity_owner=B)
	insert(
		db,
		"Funnel Stage Transition",
		[
			{"name": 9001, "deal_doctype": "Opportunity", "deal": "OPP-B2", "is_latest": 1, "to_kind": "Won"},
			{"name": 9002, "deal_doctype": "Opportunity", "deal": "OPP-B3", "is_latest": 0, "to_kind": "Won"},
			{
				"name": 9003,
				"deal_doctype": "Opportunity",
				"deal": "OPP-B3",
				"is_latest": 1,
				"to_kind": "Open",
			},
		],
	)
	a_outcomes = ["Negotiation Started"] * 2 + ["Not a Target"] * 5 + [None] * 3
	for i, outcome in enumerate(a_outcomes):
		links = [("Opportunity", f"OPP-A{i + 1}")] if i < 2 else []
		call(
			db,
			A,
			datetime(2026, 3, 2 + i % 5, 9 + i),
			outcome,
			type="Incoming" if i < 6 else "Outgoing",
			status="Completed" if i < 8 else "No Answer",
			links=links,
		)
	b_outcomes = ["Negotiation Started"] * 6 + ["Meeting Booked"] * 2 + ["Not a Target"] * 2
	b_links = {0: "OPP-B1", 1: "OPP-B1", 2: "OPP-B2", 3: "OPP-B3", 4: "OPP-OLD"}
	for i, outcome in enumerate(b_outcomes):
		links = [("Lead", "LEAD-1")] + ([("Opportunity", b_links[i])] if i in b_links else [])
		call(db, B, datetime(2026, 3, 3, 8 + i), outcome, type="Outgoing", links=links)
	call(db, A, datetime(2026, 3, 9, 10), "Negotiation Started")  # next week: outside the filters below
	call(db, None, datetime(2026, 3, 4, 10), None)  # no employee


def figures(frame, manager: str) -> dict[str, Any]:
	row = frame[frame["manager"] == manager]
	assert len(row) == 1, frame
	return row.iloc[0].to_dict()


def test_seed_example_per_manager_and_week(db):
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="week"), NOW)
	a, b = figures(result.rows, A), figures(result.rows, B)
	assert a["period"] == WEEK and b["period"] == WEEK
	assert (a["calls"], a["incoming"], a["outgoing"], a["answered"]) == (10, 6, 4, 8)
	assert (a["with_outcome"], a["without_outcome"], a["outcome_pct"]) == (7, 3, 70.0)
	assert (a["negotiations"], a["negotiations_per_10"], a["meetings"]) == (2, 2.0, 0)
	assert (a["deals"], a["won"]) == (2, 1)  # OPP-A2 is Converted
	assert (b["calls"], b["incoming"], b["outgoing"], b["answered"]) == (10, 0, 10, 10)
	assert (b["with_outcome"], b["without_outcome"], b["outcome_pct"]) == (10, 0, 100.0)
	assert (b["negotiations"], b["negotiations_per_10"], b["meetings"]) == (8, 8.0, 2)
	# OPP-B1 is linked from two calls and counted once; OPP-B2 is at its funnel's Won stage, OPP-B3 is not; OPP-OLD
	# was created before the period and OPP-WEB without a call
	assert (b["deals"], b["won"]) == (3, 1)
	nobody = figures(result.rows, NOT_SET)
	assert (nobody["calls"], nobody["without_outcome"]) == (1, 1)
	assert result.total["calls"] == 21 and result.total["negotiations"] == 10
	assert result.total["deals"] == 5 and result.total["won"] == 2


def test_days_split_and_managers_add_up(db):
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="day"), NOW)
	a_days = result.rows[result.rows["manager"] == A]
	assert list(a_days["calls"]) == [2, 2, 2, 2, 2]
	assert sorted(a_days["period"]) == [WEEK + timedelta(days=i) for i in range(5)]
	assert figures(result.managers, A)["calls"] == 10
	assert figures(result.managers, A)["negotiations_per_10"] == 2.0
	month = call_outcome_report(db, CallFilters(WEEK, date(2026, 3, 31), period="month"), NOW)
	assert figures(month.rows, A)["period"] == date(2026, 3, 1)
	assert figures(month.rows, A)["calls"] == 11  # with the call of the next week


def test_filters_company_manager_type_and_scope(db):
	seed(db)
	week = (WEEK, WEEK + timedelta(days=6))
	by_company = call_outcome_report(db, CallFilters(*week, company="Test Co"), NOW)
	assert list(by_company.rows["manager"]) == [A]
	by_manager = call_outcome_report(db, CallFilters(*week, manager=B), NOW)
	assert list(by_manager.rows["manager"]) == [B]
	incoming = call_outcome_report(db, CallFilters(*week, call_type="Incoming"), NOW)
	assert figures(incoming.rows, A)["calls"] == 6
	own = call_outcome_report(db, CallFilters(*week), NOW, scope=CallScope(own_of=B))
	assert list(own.rows["manager"]) == [B]
	empty = call_outcome_report(db, CallFilters(date(2020, 1, 1), date(2020, 1, 2)), NOW)
	assert empty.rows.empty and empty.total["calls"] == 0


@pytest.mark.parametrize(
	"filters",
	[
		CallFilters(date(2026, 3, 5), date(2026, 3, 1)),
		CallFilters(WEEK, WEEK, period="quarter"),
		CallFilters(WEEK, WEEK, call_type="Sideways"),
		CallFilters(None, WEEK),  # type: ignore[arg-type]
		CallFilters(WEEK, date.max),  # the day after To Date does not exist
		CallFilters(date.min, WEEK),
		CallFilters(date(1899, 12, 31), WEEK),
		CallFilters(WEEK, date(3000, 1, 1)),
	],
)
def test_bad_filters(db, filters):
	with pytest.raises(InvalidInput):
		call_outcome_report(db, filters, NOW)
	with pytest.raises(InvalidInput):
		calls_drilldown(db, filters)


def test_bad_filters_say_what_is_wrong(db):
	with pytest.raises(InvalidInput) as reversed_dates:
		call_outcome_report(db, CallFilters(date(2026, 3, 5), date(2026, 3, 1)), NOW)
	assert reversed_dates.value.message.template == "From Date {0} is after To Date {1}."
	with pytest.raises(InvalidInput) as too_late:
		call_outcome_report(db, CallFilters(WEEK, date.max), NOW)
	assert too_late.value.message.template == "{0} {1} is out of range: use a date from {2} to {3}."
	assert too_late.value.message.args == ("To Date", date.max, date(1900, 1, 1), date(2999, 12, 31))


def test_the_widest_range_runs(db):
	"""From the first to the last allowed date, by day: no overflow, and the range is not walked day by day."""
	seed(db)
	result = call_outcome_report(db, CallFilters(date(1900, 1, 1), date(2999, 12, 31), period="day"), NOW)
	century = call_outcome_report(db, CallFilters(date(2000, 1, 1), date(2099, 12, 31), period="day"), NOW)
	assert result.total["calls"] == century.total["calls"] == 22
	assert result.rows.equals(century.rows)


def test_drilldown_has_recordings_and_deals(db):
	seed(db)
	week = CallFilters(WEEK, WEEK + timedelta(days=6))
	negotiations = calls_drilldown(db, week, manager=B, negotiations_only=True)
	assert len(negotiations) == 8
	assert all(r["recording_url"].startswith("https://pbx.example/") for r in negotiations)
	assert {r["opportunity"] for r in negotiations} == {"OPP-B1", "OPP-B2", "OPP-B3", "OPP-OLD", None}
	assert len(calls_drilldown(db, week, manager=A, without_outcome=True)) == 3
	assert len(calls_drilldown(db, week, manager=NOT_SET)) == 1
	assert len(calls_drilldown(db, week, outcome="Meeting Booked")) == 2
	assert len(calls_drilldown(db, week, manager=A, limit=4)) == 4
	assert calls_drilldown(db, week, scope=CallScope(own_of=A), manager=B) == []
	with pytest.raises(InvalidInput):
		calls_drilldown(db, week, limit=0)


@pytest.mark.parametrize(
	("url", "safe"),
	[
		("https://pbx.example/rec/1.mp3", True),
		("HTTP://pbx.example/rec?id=1&x=2", True),
		("  https://pbx.example/a  ", True),
		("javascript:alert(1)", False),
		("JavaScript:alert(document.cookie)", False),
		(" javascript:alert(1)", False),
		("java\tscript:alert(1)", False),
		("data:text/html,<script>alert(1)</script>", False),
		("vbscript:msgbox(1)", False),
		("//pbx.example/rec.mp3", False),
		("/files/rec.mp3", False),
		("https://", False),
		('https://pbx.example/" onmouseover="alert(1)', False),
		("https://pbx.example/<script>", False),
		("ftp://pbx.example/rec.mp3", False),
		("https://[::1", False),
		("", False),
		(None, False),
	],
)
def test_only_http_recordings_are_links(url, safe):
	assert safe_recording_url(url) == (url.strip() if safe else None)


def test_drilldown_drops_unsafe_recordings(db):
	seed(db)
	day = datetime.combine(WEEK, datetime.min.time()) + timedelta(hours=9)
	bad = call(db, A, day, recording_url="javascript:alert(document.cookie)")
	good = call(db, A, day, recording_url="https://pbx.example/good.mp3")
	rows = {r["name"]: r for r in calls_drilldown(db, CallFilters(WEEK, WEEK), manager=A)}
	assert rows[bad]["recording_url"] is None
	assert rows[good]["recording_url"] == "https://pbx.example/good.mp3"


# ------------------------------------------------------------------------------------------ overdue
def test_overdue_boundary_employee_status_and_todos(db):
	grace = timedelta(hours=2)
	at_limit = call(db, A, NOW - grace - timedelta(minutes=5))  # ended exactly NOW - grace
	just_inside = call(db, A, NOW - grace - timedelta(minutes=5) + timedelta(seconds=1))
	no_end = call(db, A, NOW - grace, end_time=None)  # falls back to start_time: exactly at the limit
	nobody = call(db, None, NOW - timedelta(hours=5))
	cancelled = call(db, A, NOW - timedelta(hours=5), status="Canceled")
	no_answer = call(db, A, NOW - timedelta(hours=5), status="No Answer")
	done = call(db, A, NOW - timedelta(hours=5), "Not a Target")
	reminded = call(db, B, NOW - timedelta(hours=5))
	closed_reminder = call(db, B, NOW - timedelta(hours=6))
	old = call(db, B, NOW - timedelta(days=30))
	insert(
		db,
		"ToDo",
		[
			{"name": "td1", "status": "Open", "reference_type": "Call Log", "reference_name": reminded},
			{
				"name": "td2",
				"status": "Closed",
				"reference_type": "Call Log",
				"reference_name": closed_reminder,
			},
		],
	)
	result = overdue_calls(db, NOW, since=NOW - timedelta(days=7))
	assert [c.call for c in result.with_employee] == [at_limit, no_end]
	assert result.with_employee[0].due_at == NOW
	assert [c.call for c in result.without_employee] == [nobody]
	assert just_inside not in {c.call for c in result.with_employee}
	with_no_answer = overdue_calls(
		db, NOW, statuses=("Completed", "No Answer"), since=NOW - timedelta(days=7)
	)
	assert no_answer in {c.call for c in with_no_answer.with_employee}
	assert cancelled not in {c.call for c in with_no_answer.with_employee}
	assert old in {c.call for c in overdue_calls(db, NOW).with_employee}  # no `since`: everything
	assert done not in {c.call for c in overdue_calls(db, NOW).with_employee}
	# one second later the other call is due too; a zero grace period makes every ended call due
	assert just_inside in {c.call for c in overdue_calls(db, NOW + timedelta(seconds=1)).with_employee}
	limited = overdue_calls(db, NOW, grace_hours=0, limit=2)  # the oldest two, with or without an employee
	assert [c.call for c in limited.with_employee + limited.without_employee] == [old, nobody]
	with pytest.raises(InvalidInput):
		overdue_calls(db, NOW, grace_hours=-1)
	with pytest.raises(InvalidInput):
		overdue_calls(db, NOW, statuses=())


def test_digest_counts_missing_per_employee(db):
	for hours in (3, 4, 5):
		call(db, A, NOW - timedelta(hours=hours))
	call(db, A, NOW - timedelta(hours=3), "Not a Target")
	call(db, A, NOW - timedelta(minutes=30))  # still within the grace period
	call(db, B, NOW - timedelta(hours=3))
	insert(
		db, "ToDo", [{"name": "tdx", "status": "Open", "reference_type": "Call Log", "reference_name": "x"}]
	)
	call(db, None, NOW - timedelta(hours=3))
	call(db, B, NOW - timedelta(hours=3), "Not a Target")
	digest = missing_outcome_digest(db, NOW, since=NOW - timedelta(days=1))
	assert list(digest["employee"]) == [A, "", B]
	assert list(digest["missing"]) == [3, 1, 1]
	assert list(digest["due"]) == [4, 1, 2]
	assert digest.iloc[0]["oldest_missing"] == NOW - timedelta(hours=5)


# --------------------------------------------------------------------------------------- planning
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


def test_demo_company_report_is_consistent(demo_db):
	rows = demo_db.sql("SELECT MIN(start_time), MAX(start_time) FROM `tabCall Log`")
	start, end = rows[0]
	result = call_outcome_report(demo_db, CallFilters(start.date(), end.date(), period="month"), NOW)
	total = demo_db.sql("SELECT COUNT(*), SUM(IFNULL(sf_outcome, '') != '') FROM `tabCall Log`")[0]
	assert result.total["calls"] == total[0] and result.total["with_outcome"] == int(total[1])
	assert (result.rows["negotiations"] <= result.rows["with_outcome"]).all()
	assert (result.rows["won"] <= result.rows["deals"]).all()
	assert result.managers["calls"].sum() == total[0]
	deals = demo_db.sql(
		"""SELECT COUNT(*) FROM `tabOpportunity` o WHERE o.creation >= %s AND o.creation < %s AND o.name IN (
			SELECT link_name FROM `tabDynamic Link` WHERE parenttype = 'Call Log' AND link_doctype = 'Opportunity')""",
		(start.date(), end.date() + timedelta(days=1)),
	)[0][0]
	assert result.total["deals"] == deals > 0


def test_report_output_tree_chart_and_summary(db):
	seed(db)
	result = call_outcome_report(db, CallFilters(WEEK, WEEK + timedelta(days=6), period="day"), NOW)
	output = report_output(result, lambda text: text, full_name=lambda user: user.split("@")[0].upper())
	groups = [row for row in output.data if row["indent"] == 0]
	assert [g["label"] for g in groups] == ["A", "B", NOT_SET]
	assert [g["calls"] for g in groups] == [10, 10, 1]
	a_days = [row for row in output.data if row.get("parent_label") == "A"]
	assert len(a_days) == 5 and sum(row["calls"] for row in a_days) == 10
	assert groups[2]["manager"] == ""
	assert output.chart["data"]["labels"] == ["A", "B", NOT_SET]
	assert output.chart["data"]["datasets"][1]["values"] == [2, 8, 0]
	summary = {item["label"]: item["value"] for item in output.summary}
	assert summary["Calls"] == 21 and summary["Deals Won"] == 2
	assert summary["Negotiations per 10 Calls"] == round(10 * 10 / 21, 2)
	fieldnames = [c["fieldname"] for c in output.columns]
	assert len(fieldnames) == len(set(fieldnames))


def test_a_crc32_collision_falls_back_to_grouping_on_the_name(db):
	seed(db)

	class Colliding:
		"""Reports a collision in the first group of every CRC32-grouped query."""

		def __init__(self, inner):
			self.inner, self.queries = inner, []

		def sql(self, query, values=None, as_dict=False):
			self.queries.append(query)
			rows = self.inner.sql(query, values, as_dict=as_dict)
			if as_dict and "CRC32" in query and rows:
				rows[0] = Row(rows[0], manager_check="someone-else@example.com")
			return rows

	wrapped = Colliding(db)
	result = call_outcome_report(wrapped, CallFilters(WEEK, WEEK + timedelta(days=6)), NOW)
	# only the deals are grouped on CRC32 (the calls come from the rollup or a small live range, by name)
	assert sum("CRC32" not in q and "GROUP BY IFNULL(o.opportunity_owner" in q for q in wrapped.queries) == 1
	assert figures(result.rows, A)["calls"] == 10 and figures(result.rows, B)["deals"] == 3


def test_deals_from_calls_follow_the_links(db):
	"""`sf_from_call` as the Call Log hook keeps it: set when a call links the deal, cleared when its last call
	is unlinked or deleted; the installation backfill gets the same flags from the links alone."""
	seed(db)

	def flags() -> dict[str, int]:
		return dict(db.sql("SELECT name, sf_from_call FROM `tabOpportunity` ORDER BY name"))

	expected = {"OPP-A1": 1, "OPP-A2": 1, "OPP-B1": 1, "OPP-B2": 1, "OPP-B3": 1, "OPP-OLD": 1, "OPP-WEB": 0}
	assert flags() == expected
	# the call linking OPP-B2 is deleted (its links still exist during on_trash): OPP-B2 came from no call now
	(call_b2,) = db.sql("SELECT parent FROM `tabDynamic Link` WHERE link_name = 'OPP-B2'")[0]
	assert from_call_changes(db, ["OPP-B2"], without_call=call_b2) == {"OPP-B2": 0}
	mark_from_call(db, ["OPP-B2"], without_call=call_b2)
	db.sql("DELETE FROM `tabDynamic Link` WHERE parent = %s", (call_b2,))
	# OPP-B1 loses one of its two calls: still from a call
	(first_b1,) = db.sql("SELECT parent FROM `tabDynamic Link` WHERE link_name = 'OPP-B1' ORDER BY parent")[0]
	db.sql("DELETE FROM `tabDynamic Link` WHERE parent = %s AND link_name = 'OPP-B1'", (first_b1,))
	assert from_call_changes(db, ["OPP-B1", None, "OPP-WEB"]) == {}
	assert flags() == {**expected, "OPP-B2": 0}
	week = CallFilters(WEEK, WEEK + timedelta(days=6))
	assert (
		figures(call_outcome_report(db, week, NOW).rows, B)["deals"],
		figures(call_outcome_report(db, week, NOW).rows, B)["won"],
	) == (2, 0)
	# a call now links the web deal
	call(db, B, datetime(2026, 3, 5, 9), "Meeting Booked", links=[("Opportunity", "OPP-WEB")])
	assert flags()["OPP-WEB"] == 1
	# flags wrong behind the hooks are put right by the backfill: two set, one cleared
	db.sql("UPDATE `tabOpportunity` SET sf_from_call = IF(name IN ('OPP-A1', 'OPP-B1'), 0, 1)")
	assert backfill_from_call(db) == 3
	assert flags() == {**expected, "OPP-B2": 0, "OPP-WEB": 1}


def test_deals_by_call_type_read_the_calls(db):
	seed(db)
	week = CallFilters(WEEK, WEEK + timedelta(days=6), call_type="Outgoing")
	rows = call_outcome_report(db, week, NOW).rows
	# A's deal calls are incoming (calls 1-2), so none of A's deals came from an outgoing call; B's calls all are
	assert figures(rows, A)["deals"] == 0
	assert (figures(rows, B)["deals"], figures(rows, B)["won"]) == (3, 1)
