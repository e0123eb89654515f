"""`Opportunity.sf_from_call` as the Call Log hook keeps it and the installation backfill sets it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sales_funnel.engine.calls.filters import CallFilters
from sales_funnel.engine.calls.from_call import backfill_from_call, from_call_changes
from sales_funnel.engine.calls.report import call_outcome_report
from tests.calls.builders import NOW, WEEK, B, call, figures, mark_from_call, seed


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
