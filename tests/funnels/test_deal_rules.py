"""The deal rules the doc events apply (engine/funnels/deal_rules.py), on hand-computed cases: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from sales_funnel.engine.funnels.deal_rules import (
	deal_amount,
	entry_stage,
	furthest,
	largest_item_group,
	move_time,
	number,
	stage_probability,
	won_by_conversion,
)
from sales_funnel.engine.funnels.history import DealSnapshot, plan_transition
from sales_funnel.engine.funnels.stages import Funnel, Stage

STAGES = (
	Stage("A", "Open", 10),
	Stage("B", "Open", 30, trigger="Quotation Submitted"),
	Stage("C", "Open", 60, trigger="Sales Order Submitted"),
	Stage("W", "Won", 100),
	Stage("L", "Lost", 0),
	Stage("L2", "Lost", 5),
)
FUNNEL = Funnel("F", "Co", STAGES)
PAID_WON = Funnel("P", "Co", (*STAGES[:3], Stage("W", "Won", 100, trigger="Sales Invoice Paid"), STAGES[4]))
ONLY_WON = Funnel("O", "Co", (Stage("W", "Won", 100), Stage("L", "Lost")))
T0 = datetime(2026, 3, 1, 9)
DEAL = DealSnapshot("Opportunity", "OPP-1", "Co", "a@example.com", 1000.0)


def row(funnel: Funnel, to_stage: str, at: datetime = T0, previous=None):
	return plan_transition(funnel, previous, DEAL, to_stage, at, "a@example.com")


@pytest.mark.parametrize(
	("sales_stage", "expected"),
	[
		("B", "B"),  # the deal's own stage, in the funnel
		("W", "W"),  # the Won stage is a stage of the funnel too
		("L", "A"),  # never enters at a Lost stage
		("Elsewhere", "A"),  # not in the funnel: the first open stage
		(None, "A"),
		("", "A"),
	],
)
def test_entry_stage(sales_stage, expected):
	assert entry_stage(FUNNEL, sales_stage) == expected


def test_entry_stage_of_a_funnel_without_open_stages_is_its_won_stage():
	assert entry_stage(ONLY_WON, None) == "W"
	assert entry_stage(ONLY_WON, "L") == "W"


def test_won_by_conversion():
	assert won_by_conversion(FUNNEL, None) == "W"  # no history yet
	assert won_by_conversion(FUNNEL, row(FUNNEL, "C")) == "W"
	assert won_by_conversion(FUNNEL, row(FUNNEL, "L")) == "W"  # a lost deal that is converted after all
	assert won_by_conversion(FUNNEL, row(FUNNEL, "W")) is None  # already won here
	other = row(Funnel("G", "Co", STAGES), "W")
	assert won_by_conversion(FUNNEL, other) == "W"  # won in another funnel: enters Won in this one
	assert won_by_conversion(PAID_WON, None) is None  # the Won stage waits for its own trigger
	assert won_by_conversion(PAID_WON, row(PAID_WON, "C")) is None


def test_furthest():
	assert furthest(FUNNEL, ["B", None, "C"]) == "C"
	assert furthest(FUNNEL, ["W", "C"]) == "W"
	assert furthest(FUNNEL, [None, None]) is None
	assert furthest(FUNNEL, []) is None
	assert furthest(FUNNEL, iter(["A"])) == "A"  # any iterable
	# a stage outside the progress stages has position 0: it loses to any open stage, but still counts alone
	assert furthest(FUNNEL, ["L", "A"]) == "A"
	assert furthest(FUNNEL, ["L"]) == "L"
	assert furthest(FUNNEL, ["L", "L2"]) == "L"  # the first of equals


@pytest.mark.parametrize(
	("deal", "expected"),
	[
		({"base_opportunity_amount": 250.0, "opportunity_amount": 100, "conversion_rate": 4}, 250.0),
		({"base_opportunity_amount": 0, "opportunity_amount": 100, "conversion_rate": 4}, 400.0),
		({"opportunity_amount": 100, "conversion_rate": None}, 100.0),  # no rate: 1
		({"opportunity_amount": 100, "conversion_rate": 0}, 100.0),  # a zero rate is unset too
		({"opportunity_amount": "1,234.5", "conversion_rate": "2"}, 2469.0),  # flt: separators dropped
		({"opportunity_amount": 0, "base_total": 75.5}, 75.5),  # only items: their base total
		({"opportunity_amount": None, "base_total": None}, 0.0),
		({}, 0.0),
		({"base_opportunity_amount": "n/a", "base_total": 9}, 9.0),  # unreadable is 0
	],
)
def test_deal_amount(deal, expected):
	assert deal_amount(deal) == pytest.approx(expected)


def test_largest_item_group():
	items = [
		{"item_group": "Services", "base_amount": 300, "amount": 1},
		{"item_group": "Hardware", "base_amount": 200},
		{"item_group": "Hardware", "base_amount": 150},  # Hardware 350 > Services 300
		{"item_group": None, "base_amount": 10_000},  # no group: not counted
	]
	assert largest_item_group(items) == "Hardware"
	# base_amount 0 or missing: the amount in the deal's currency stands in
	assert (
		largest_item_group([{"item_group": "X", "amount": 50}, {"item_group": "Y", "base_amount": 40}]) == "X"
	)
	# a tie goes to the first in name order, whatever the order of the items
	assert largest_item_group([{"item_group": "Z", "amount": 5}, {"item_group": "M", "amount": 5}]) == "M"
	assert largest_item_group([]) is None
	assert largest_item_group([{"item_group": "", "amount": 5}]) is None
	assert largest_item_group([{"item_group": "Q"}]) == "Q"  # a group without an amount is still the group


def test_move_time_is_never_before_the_last_recorded_move():
	previous = row(FUNNEL, "A", at=T0)
	assert move_time(T0 + timedelta(minutes=5), previous) == T0 + timedelta(minutes=5)
	assert move_time(T0, previous) == T0  # the same moment is not before it
	# the clock went back (or the last row was imported with a later time): the move takes the last row's time
	assert move_time(T0 - timedelta(hours=2), previous) == T0
	assert move_time(T0 - timedelta(hours=2), None) == T0 - timedelta(hours=2)  # no history: now
	assert move_time(T0, replace(previous, transitioned_at=None)) == T0
	# the time chosen is always one the recorder accepts
	later = plan_transition(FUNNEL, previous, DEAL, "B", move_time(T0 - timedelta(days=1), previous), None)
	assert later.transitioned_at == T0 and later.days_in_from_stage == 0


def test_stage_probability():
	assert stage_probability(FUNNEL, "A") == 10.0
	assert stage_probability(FUNNEL, "C") == 60.0
	assert stage_probability(FUNNEL, "W") == 100.0
	assert stage_probability(FUNNEL, "L2") == 5.0  # a Lost stage has its own (usually 0)
	assert stage_probability(FUNNEL, "Elsewhere") is None
	assert stage_probability(FUNNEL, None) is None


def test_number_reads_values_as_flt_does():
	assert number(None) == 0.0
	assert number("") == 0.0
	assert number("12.5") == 12.5
	assert number("1,000") == 1000.0
	assert number(3) == 3.0
	assert number("abc") == 0.0
