"""Calls for the engine tests of `sales_funnel.engine.calls` (and the Stage Conversion report's Call Received row):
the Call Outcomes, a call with its links as the Call Log hooks leave it, and the issue's seed example."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sales_funnel.engine.calls.from_call import from_call_changes
from sales_funnel.engine.calls.rollup import mark_changed
from sales_funnel.engine.funnels.call_funnel import funnel_changes
from sales_funnel.engine.funnels.stages import Stage, load_funnel
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
