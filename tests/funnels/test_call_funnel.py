"""Which funnel a call belongs to (`Call Log.sf_funnel`, engine/funnels/call_funnel.py), kept by the hooks and the
backfill, computed by hand.

Funnels Inbound (Test Co's default) and Partners; deals OPP-I (Inbound), OPP-P (Partners), OPP-N (in no funnel).
A call belongs to the funnel of the first deal in a funnel its links name, by the link's position.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sales_funnel.engine.calls.rollup import seal_days, sealed_days
from sales_funnel.engine.funnels.call_funnel import backfill_call_funnels, calls_linking, funnel_changes
from tests.builders import insert, make_funnel, make_opportunity
from tests.calls.builders import call, keep_funnel
from tests.conversion.test_call_received import STAGES

NOW = datetime(2026, 3, 20, 12, 0)
ANNA = "anna@example.com"
OPP = "Opportunity"


def at(day: int, hour: int = 10) -> datetime:
	return datetime(2026, 3, day, hour)


def funnel_of(db, name: str) -> str | None:
	return db.sql("SELECT sf_funnel FROM `tabCall Log` WHERE name = %s", (name,))[0][0]


def link(db, call_name: str, doctype: str, name: str, idx: int) -> None:
	insert(db, "Dynamic Link", [{"name": f"dl-{call_name}-{idx}", "parent": call_name, "parenttype": "Call Log",
		"parentfield": "links", "idx": idx, "link_doctype": doctype, "link_name": name}])  # fmt: skip


@pytest.fixture
def deals(db):
	inbound = make_funnel(db, "Inbound", STAGES, is_default=1, starts_with_calls=1)
	partners = make_funnel(db, "Partners", STAGES, starts_with_calls=1)
	make_opportunity(db, "OPP-I", inbound)
	make_opportunity(db, "OPP-P", partners)
	make_opportunity(db, "OPP-N", None)
	insert(db, "Employee", [{"name": "EMP-A", "user_id": ANNA, "company": "Test Co"}])
	return db


def test_the_first_deal_in_a_funnel_decides(deals):
	cases = {
		"lead-then-inbound": ([("Lead", "LEAD-1"), (OPP, "OPP-I")], "Inbound"),
		"partners-first": ([(OPP, "OPP-P"), (OPP, "OPP-I")], "Partners"),
		"inbound-first": ([(OPP, "OPP-I"), (OPP, "OPP-P")], "Inbound"),
		"no-funnel-deal-skipped": ([(OPP, "OPP-N"), (OPP, "OPP-P")], "Partners"),
		"only-a-deal-in-no-funnel": ([(OPP, "OPP-N")], None),
		"lead-only": ([("Lead", "LEAD-1")], None),
		"no-links": ([], None),
	}
	for name, (links, _expected) in cases.items():
		call(deals, ANNA, at(3), links=links, name=name)
	assert {name: funnel_of(deals, name) for name in cases} == {n: f for n, (_l, f) in cases.items()}
	assert funnel_changes(deals, list(cases)) == []  # nothing left to change


def test_a_link_added_and_removed(deals):
	name = call(deals, ANNA, at(3), name="CALL-X")
	assert funnel_of(deals, name) is None
	link(deals, name, OPP, "OPP-P", 1)
	changes = funnel_changes(deals, [name])
	assert [(c.call, c.funnel, c.start_time) for c in changes] == [(name, "Partners", at(3))]
	keep_funnel(deals, [name])
	assert funnel_of(deals, name) == "Partners"
	link(deals, name, OPP, "OPP-I", 0)  # a link put before it: the first deal is now OPP-I
	keep_funnel(deals, [name])
	assert funnel_of(deals, name) == "Inbound"
	deals.sql("DELETE FROM `tabDynamic Link` WHERE parent = %s", (name,))
	keep_funnel(deals, [name])
	assert funnel_of(deals, name) is None


def test_a_deal_moved_to_another_funnel_takes_its_calls(deals):
	first = call(deals, ANNA, at(3), links=[(OPP, "OPP-I")], name="CALL-1")
	second = call(deals, ANNA, at(4), links=[(OPP, "OPP-P"), (OPP, "OPP-I")], name="CALL-2")
	other = call(deals, ANNA, at(5), links=[(OPP, "OPP-P")], name="CALL-3")
	assert calls_linking(deals, ["OPP-I"]) == [first, second]
	deals.sql("UPDATE `tabOpportunity` SET sf_sales_funnel = 'Partners' WHERE name = 'OPP-I'")
	keep_funnel(deals, calls_linking(deals, ["OPP-I"]))
	assert (funnel_of(deals, first), funnel_of(deals, second), funnel_of(deals, other)) == (
		"Partners",
		"Partners",
		"Partners",
	)
	# the deal taken out of every funnel: its calls fall to the next deal in a funnel, or none
	deals.sql("UPDATE `tabOpportunity` SET sf_sales_funnel = NULL WHERE name = 'OPP-I'")
	keep_funnel(deals, calls_linking(deals, ["OPP-I"]))
	assert (funnel_of(deals, first), funnel_of(deals, second)) == (None, "Partners")


def test_a_deal_being_deleted_no_longer_counts(deals):
	name = call(deals, ANNA, at(3), links=[(OPP, "OPP-I"), (OPP, "OPP-P")], name="CALL-1")
	assert funnel_of(deals, name) == "Inbound"
	keep_funnel(deals, calls_linking(deals, ["OPP-I"]), without_deal="OPP-I")  # during on_trash
	assert funnel_of(deals, name) == "Partners"


def test_a_changed_funnel_unseals_the_calls_day(deals):
	name = call(deals, ANNA, at(3), links=[(OPP, "OPP-I")], name="CALL-1")
	call(deals, ANNA, at(5), name="CALL-2")
	seal_days(deals, NOW, limit=None)
	assert sealed_days(deals, date(2026, 3, 3), date(2026, 3, 5)) == {date(2026, 3, d) for d in (3, 4, 5)}
	deals.sql("UPDATE `tabOpportunity` SET sf_sales_funnel = 'Partners' WHERE name = 'OPP-I'")
	keep_funnel(deals, calls_linking(deals, ["OPP-I"]), now=NOW)
	assert funnel_of(deals, name) == "Partners"
	assert sealed_days(deals, date(2026, 3, 3), date(2026, 3, 5)) == {date(2026, 3, 4), date(2026, 3, 5)}


def test_the_backfill_gives_what_the_hooks_keep(deals):
	links = {
		"C1": [("Lead", "LEAD-1"), (OPP, "OPP-I")],
		"C2": [(OPP, "OPP-P"), (OPP, "OPP-I")],
		"C3": [(OPP, "OPP-N"), (OPP, "OPP-P")],
		"C4": [(OPP, "OPP-N")],
		"C5": [],
		"C6": [(OPP, "OPP-I"), (OPP, "OPP-P")],
	}
	for day, (name, call_links) in enumerate(links.items(), start=2):
		call(deals, ANNA, at(day), links=call_links, name=name)
	kept = {name: funnel_of(deals, name) for name in links}
	assert kept == {
		"C1": "Inbound",
		"C2": "Partners",
		"C3": "Partners",
		"C4": None,
		"C5": None,
		"C6": "Inbound",
	}
	seal_days(deals, NOW, limit=None)
	# a site before the field existed (or after a repair behind the hooks): every value wrong or missing
	deals.sql("UPDATE `tabCall Log` SET sf_funnel = IF(sf_funnel IS NULL, 'Partners', NULL)")
	deals.sql("UPDATE `tabCall Log` SET sf_funnel = '' WHERE name = 'C5'")
	assert backfill_call_funnels(deals) == 6
	assert {name: funnel_of(deals, name) for name in links} == kept
	assert sealed_days(deals, date(2026, 3, 1), date(2026, 3, 18)) == set()  # every day to be sealed again
	assert backfill_call_funnels(deals) == 0
