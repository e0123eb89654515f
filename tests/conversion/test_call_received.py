"""Stage Conversion for a funnel that starts with calls: the Call Received row, computed by hand.

Funnel "Inbound" (Test Co's default, starts with calls) and funnel "Partners" (starts with calls, not the
default). Week of Monday 2 March 2026; the previous week is 23 February - 1 March.

calls in the week                                    Inbound            Partners
  c1  anna   links OPP-1 (Inbound)                   in, moved on       -
  c2  anna   links OPP-1 again                       in, moved on       -
  c3  anna   links a Lead only                       in, lost           -   (no deal: default funnel only)
  c4  boris  no links                                in, lost           -
  c5  boris  links OPP-P (Partners)                  -                  in, moved on
  c6  clara  (Other Co) no links                     -  (other company) -
  c7  nobody no links                                -  (no employee)   -
  c8  boris  links OPP-2 (Inbound) and a Lead        in, moved on       -
  c10 dmitri no links (dmitri owns no deal)          in, lost           -
previous week
  c0  anna   links OPP-1                             in, moved on (previous period)
after the week
  c9  anna   no links                                -  (outside)

Inbound: 6 calls, 3 moved on (50 %), 3 lost; anna 3 / 2, boris 2 / 1, dmitri 1 / 0. Partners: 1 call, 1 moved
on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from sales_funnel.engine.calls.rollup import seal_days, sealed_days
from sales_funnel.engine.conversion.call_received import CALL_RECEIVED
from sales_funnel.engine.conversion.filters import ConversionFilters
from sales_funnel.engine.conversion.output import build_report
from sales_funnel.engine.conversion.report import stage_conversion
from sales_funnel.engine.conversion.stages import NOT_SET, WHOLE
from sales_funnel.engine.funnels.call_funnel import calls_linking
from sales_funnel.engine.funnels.stages import Stage
from sales_funnel.engine.scope import DealScope
from tests.builders import history, insert, make_funnel
from tests.calls.builders import call, keep_funnel

NOW = datetime(2026, 3, 20, 12, 0)
WEEK = dict(from_date=date(2026, 3, 2), to_date=date(2026, 3, 8))
ANNA, BORIS, CLARA, DMITRI = (
	"anna@example.com",
	"boris@example.com",
	"clara@example.com",
	"dmitri@example.com",
)
STAGES = (Stage("Qualified"), Stage("Proposal"), Stage("Won", kind="Won"), Stage("Lost", kind="Lost"))


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
	return datetime(2026, month, day, hour)


@pytest.fixture
def calls(db):
	inbound = make_funnel(db, "Inbound", STAGES, is_default=1, starts_with_calls=1)
	partners = make_funnel(db, "Partners", STAGES, starts_with_calls=1)
	insert(
		db,
		"Employee",
		[
			{"name": "EMP-A", "user_id": ANNA, "company": "Test Co"},
			{"name": "EMP-B", "user_id": BORIS, "company": "Test Co"},
			{"name": "EMP-C", "user_id": CLARA, "company": "Other Co"},
			{"name": "EMP-D", "user_id": DMITRI, "company": "Test Co"},
		],
	)
	# deals: OPP-1 Qualified -> Proposal, OPP-2 Qualified (Inbound); OPP-P Qualified (Partners)
	history(db, inbound, "OPP-1", [(at(2, 11), "Qualified"), (at(4), "Proposal")], owner=ANNA)
	history(db, inbound, "OPP-2", [(at(5, 12), "Qualified")], owner=BORIS)
	history(db, partners, "OPP-P", [(at(3, 12), "Qualified")], owner=BORIS)
	opp = ("Opportunity",)
	call(db, ANNA, at(2), links=[(*opp, "OPP-1")])  # c1
	call(db, ANNA, at(3), links=[(*opp, "OPP-1")])  # c2
	call(db, ANNA, at(3, 15), links=[("Lead", "LEAD-1")])  # c3
	call(db, BORIS, at(4))  # c4
	call(db, BORIS, at(3, 11), links=[(*opp, "OPP-P")])  # c5
	call(db, CLARA, at(5))  # c6
	call(db, None, at(5, 16))  # c7
	call(db, BORIS, at(8, 23), links=[("Lead", "LEAD-2"), (*opp, "OPP-2")])  # c8
	call(db, ANNA, at(25, month=2), links=[(*opp, "OPP-1")])  # c0
	call(db, ANNA, at(9, 0))  # c9
	call(db, DMITRI, at(6))  # c10
	return db


def call_row(result, slice_value: str = WHOLE) -> dict:
	rows = result.stages[(result.stages["slice"] == slice_value) & (result.stages["stage"] == CALL_RECEIVED)]
	assert len(rows) == 1, result.stages
	return rows.iloc[0].to_dict()


def test_call_received_opens_the_funnel(calls):
	result = stage_conversion(calls, ConversionFilters(**WEEK, funnel="Inbound"), NOW)
	whole = result.whole()
	assert list(whole["stage"]) == [CALL_RECEIVED, "Qualified", "Proposal", "Won"]
	row = call_row(result)
	assert (row["entered"], row["moved_on"], row["lost"]) == (6, 3, 3)
	assert (row["conversion_to_next"], row["conversion_from_entry"]) == (50.0, 100.0)
	assert all(pd.isna(row[c]) for c in ("open", "stale", "avg_days", "median_days", "target_conversion"))
	assert result.total()["calls"] == 6 and result.total()["call_conversion"] == 50.0
	# the deal stages are what they are without calls: two deals entered Qualified, one moved on
	qualified = whole[whole["stage"] == "Qualified"].iloc[0]
	assert (qualified["entered"], qualified["moved_on"]) == (2, 1)


def test_only_the_default_funnel_takes_calls_without_a_deal(calls):
	result = stage_conversion(calls, ConversionFilters(**WEEK, funnel="Partners"), NOW)
	row = call_row(result)
	assert (row["entered"], row["moved_on"], row["lost"]) == (1, 1, 0)


def test_sliced_by_manager_the_calls_follow_their_employee(calls):
	result = stage_conversion(calls, ConversionFilters(**WEEK, funnel="Inbound", slice_by="manager"), NOW)
	assert (call_row(result, ANNA)["entered"], call_row(result, ANNA)["moved_on"]) == (3, 2)
	assert (call_row(result, BORIS)["entered"], call_row(result, BORIS)["moved_on"]) == (2, 1)
	assert call_row(result)["entered"] == 6
	# a manager with calls and no deal has his own tree: the call row, then empty stages
	dmitri = result.stages[result.stages["slice"] == DMITRI]
	assert list(dmitri["stage"]) == [CALL_RECEIVED, "Qualified", "Proposal", "Won"]
	assert list(dmitri["entered"]) == [1, 0, 0, 0] and call_row(result, DMITRI)["lost"] == 1
	assert result.total(DMITRI)["calls"] == 1 and result.total(DMITRI)["entered"] == 0
	# other slices have no call row: a call has no territory
	by_territory = stage_conversion(
		calls, ConversionFilters(**WEEK, funnel="Inbound", slice_by="territory"), NOW
	)
	call_rows = by_territory.stages[by_territory.stages["stage"] == CALL_RECEIVED]
	assert list(call_rows["slice"]) == [WHOLE]


def test_previous_period_and_own_calls(calls):
	result = stage_conversion(calls, ConversionFilters(**WEEK, funnel="Inbound", compare_previous=True), NOW)
	before = result.previous_stages
	previous = before[(before["slice"] == WHOLE) & (before["stage"] == CALL_RECEIVED)].iloc[0]
	assert (previous["entered"], previous["moved_on"]) == (1, 1)  # c0
	own = stage_conversion(
		calls, ConversionFilters(**WEEK, funnel="Inbound"), NOW, scope=DealScope(own_or_assigned_of=BORIS)
	)
	assert (call_row(own)["entered"], call_row(own)["moved_on"]) == (2, 1)


def test_a_funnel_without_calls_is_unchanged(calls):
	with_calls = stage_conversion(calls, ConversionFilters(**WEEK, funnel="Inbound"), NOW)
	calls.sql("UPDATE `tabSales Funnel` SET starts_with_calls = 0 WHERE name = 'Inbound'")
	queries = []

	class Recording:
		def sql(self, query, values=None, as_dict=False):
			queries.append(query)
			return calls.sql(query, values, as_dict=as_dict)

	without = stage_conversion(Recording(), ConversionFilters(**WEEK, funnel="Inbound"), NOW)
	assert not any("tabCall Log" in q for q in queries)
	assert CALL_RECEIVED not in set(without.stages["stage"])
	deal_rows = with_calls.stages[with_calls.stages["stage"] != CALL_RECEIVED].reset_index(drop=True)
	pd_equal = (
		deal_rows.drop(columns=["slice"])
		.astype(object)
		.equals(without.stages.drop(columns=["slice"]).astype(object))
	)
	assert pd_equal
	assert "calls" not in without.total()


def test_report_rows_translate_the_call_row(calls):
	result = stage_conversion(calls, ConversionFilters(**WEEK, funnel="Inbound", compare_previous=True), NOW)
	ru = {CALL_RECEIVED: "Входящий звонок", "Calls Received": "Получено звонков"}
	output = build_report(result, lambda text: ru.get(text, text))
	first = output.data[0]
	assert (first["stage"], first["entered"], first["moved_on"], first["lost"]) == (
		"Входящий звонок",
		6,
		3,
		3,
	)
	# previous week: c0 only, 1 of 1 moved on (100 %); this week 50 %
	assert (first["previous_entered"], first["previous_conversion"], first["change"]) == (1, 100.0, -50.0)
	assert output.chart["data"]["labels"][0] == "Входящий звонок"
	assert output.chart["data"]["datasets"][0]["values"][0] == 6
	summary = {item["label"]: item["value"] for item in output.summary}
	assert summary["Получено звонков"] == 6 and summary["Calls That Became Deals"] == 50.0


def test_calls_days_outside_the_week_are_not_counted(calls):
	day = ConversionFilters(from_date=date(2026, 3, 9), to_date=date(2026, 3, 9), funnel="Inbound")
	row = call_row(stage_conversion(calls, day, NOW + timedelta(days=1)))
	assert (row["entered"], row["moved_on"]) == (1, 0)  # c9: anna, no deal, default funnel


def test_a_call_about_deals_of_two_funnels_counts_in_the_first_only(calls):
	# c11: boris, links OPP-P (Partners) first, then OPP-2 (Inbound): a Partners call only
	call(calls, BORIS, at(6, 14), links=[("Opportunity", "OPP-P"), ("Opportunity", "OPP-2")])
	inbound = call_row(stage_conversion(calls, ConversionFilters(**WEEK, funnel="Inbound"), NOW))
	partners = call_row(stage_conversion(calls, ConversionFilters(**WEEK, funnel="Partners"), NOW))
	assert (inbound["entered"], inbound["moved_on"]) == (6, 3)  # unchanged
	assert (partners["entered"], partners["moved_on"]) == (2, 2)  # c5 and c11


FILTER_SHAPES = [
	dict(funnel="Inbound"),
	dict(funnel="Partners"),
	dict(funnel="Inbound", slice_by="manager"),
	dict(funnel="Inbound", compare_previous=True),
	dict(funnel="Inbound", mode="activity", slice_by="manager", compare_previous=True),
]


def _call_rows(result) -> list[tuple]:
	frames = [result.stages] + ([result.previous_stages] if result.previous_stages is not None else [])
	rows = []
	for frame in frames:
		part = frame[frame["stage"] == CALL_RECEIVED]
		rows.append(sorted(zip(part["slice"], part["entered"], part["moved_on"], part["lost"], strict=True)))
	return rows


@pytest.mark.parametrize("shape", FILTER_SHAPES)
def test_sealed_days_from_the_rollup_give_the_same_row(calls, shape):
	from_call_logs = stage_conversion(calls, ConversionFilters(**WEEK, **shape), NOW)
	own = DealScope(own_or_assigned_of=ANNA)
	own_from_call_logs = stage_conversion(calls, ConversionFilters(**WEEK, **shape), NOW, scope=own)
	sealed = seal_days(calls, NOW, limit=None)
	assert all(s.sealed for s in sealed) and sealed[0].day == date(2026, 2, 25)
	queries = []

	class Recording:
		def sql(self, query, values=None, as_dict=False):
			queries.append(query)
			return calls.sql(query, values, as_dict=as_dict)

	from_rollup = stage_conversion(Recording(), ConversionFilters(**WEEK, **shape), NOW)
	assert any("tabCall Funnel Rollup" in q for q in queries)
	if not shape.get("compare_previous"):  # (23-24 February, before the first call, are never sealed)
		assert not any("tabCall Log" in q for q in queries)  # every day of the week is sealed
	assert _call_rows(from_rollup) == _call_rows(from_call_logs)
	own_from_rollup = stage_conversion(calls, ConversionFilters(**WEEK, **shape), NOW, scope=own)
	assert _call_rows(own_from_rollup) == _call_rows(own_from_call_logs)


def test_a_deal_moved_after_sealing_moves_its_calls(calls):
	seal_days(calls, NOW, limit=None)
	# OPP-2 (c8, 8 March) moves to Partners: the hook keeps c8's funnel and unseals 8 March
	calls.sql("UPDATE `tabOpportunity` SET sf_sales_funnel = 'Partners' WHERE name = 'OPP-2'")
	keep_funnel(calls, calls_linking(calls, ["OPP-2"]), now=NOW)
	assert date(2026, 3, 8) not in sealed_days(calls, date(2026, 3, 2), date(2026, 3, 8))
	inbound = call_row(stage_conversion(calls, ConversionFilters(**WEEK, funnel="Inbound"), NOW))
	partners = call_row(stage_conversion(calls, ConversionFilters(**WEEK, funnel="Partners"), NOW))
	assert (inbound["entered"], inbound["moved_on"]) == (5, 2)
	assert (partners["entered"], partners["moved_on"]) == (2, 2)


def test_calls_without_an_employee_of_a_funnel_deal_are_a_not_set_slice(calls):
	# c12: no employee, links OPP-1 (Inbound), on a day sealed below; c13: the same, on a live day
	call(calls, None, at(4, 9), links=[("Opportunity", "OPP-1")])
	call(calls, None, at(19, 9), links=[("Opportunity", "OPP-1")])
	seal_days(calls, NOW, limit=None)  # seals up to 18 March
	filters = ConversionFilters(date(2026, 3, 2), date(2026, 3, 19), funnel="Inbound", slice_by="manager")
	result = stage_conversion(calls, filters, NOW)
	nobody = call_row(result, NOT_SET)
	assert (nobody["entered"], nobody["moved_on"], nobody["lost"]) == (2, 2, 0)
	assert call_row(result)["entered"] == 6 + 2 + 1  # the week's 6, c12 and c13, and c9 (9 March)
