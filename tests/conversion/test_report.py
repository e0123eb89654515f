"""Stage Conversion on hand-built histories whose figures were computed by hand (see the comments)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from sales_funnel.engine.conversion.filters import ConversionFilters, previous_period
from sales_funnel.engine.conversion.report import stage_conversion
from sales_funnel.engine.conversion.stages import WHOLE
from sales_funnel.engine.funnels.stages import Stage
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.scope import DealScope
from tests.builders import history, make_funnel, make_opportunity

NOW = datetime(2026, 4, 2, 12, 0)
MARCH = dict(from_date=date(2026, 3, 1), to_date=date(2026, 3, 31), funnel="T")
STAGES = (
	# positions: A 1, B 2, C 3, D 4, W 5
	Stage("A", "Open", 10, 50, 5),
	Stage("B", "Open", 30, 50, 10),
	Stage("C", "Open", 60, 50, 0),  # no time limit: never stale
	Stage("D", "Open", 80, 70, 7),
	Stage("W", "Won", 100),
	Stage("L", "Lost"),
)


def d(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
	return datetime(2026, month, day, hour, minute)


@pytest.fixture
def march(db):
	"""Ten deals around March 2026 in funnel T (now = 2 April 12:00)."""
	funnel = make_funnel(db, "T", STAGES)
	anna = {"owner": "anna@example.com", "territory": "North", "temperature": "Hot"}
	boris = {"owner": "boris@example.com", "territory": "South", "temperature": "Cold"}
	# won straight through: stays A 2d, B 3d, C 2d, D 2d; funnel length 9d
	history(db, funnel, "d1", [(d(1, 9), "A"), (d(3, 9), "B"), (d(6, 9), "C"), (d(8, 9), "D"), (d(10, 9), "W")],
		amount=1000, **anna)  # fmt: skip
	# skips B (A -> C counts as passing B), lost at C: stays A 2d, C 1d
	history(db, funnel, "d2", [(d(2, 10), "A"), (d(4, 10), "C"), (d(5, 10), "L", "Price")], **anna)
	# A -> B -> back to A -> B, open at B since 6 March 08:00: stale (27.2 d > 10); stays A 1d, B 1d, A 1d
	history(db, funnel, "d3", [(d(3, 8), "A"), (d(4, 8), "B"), (d(5, 8), "A"), (d(6, 8), "B")], **boris)
	# lost at A: stay A 2d
	history(db, funnel, "d4", [(d(10, 12), "A"), (d(12, 12), "L", "No budget")], **boris)
	# open at A since 20 March: stale (13.5 d > 5)
	history(db, funnel, "d5", [(d(20), "A")], **boris)
	# enters at B directly (counts as passing A), open, not stale (8 d < 10)
	history(db, funnel, "d6", [(d(25, 12), "B")], **anna)
	# enters at 23:30 on the period's last day: in the period; open at A, not stale (1.5 d)
	history(db, funnel, "d7", [(d(31, 23, 30), "A")], **anna)
	# entered a minute before the period: previous period's cohort; moved to B on 2 March (activity)
	history(db, funnel, "d8", [(d(28, 23, 59, month=2), "A"), (d(2, 12), "B")], **boris)
	# enters after the period
	history(db, funnel, "d9", [(d(1, 0, 10, month=4), "A")], **boris)
	# enters at C, D, back to C, D, won: stays C 1d, D 1d, C 2d, D 2d; funnel length 6d
	history(db, funnel, "d10", [(d(15, 9), "C"), (d(16, 9), "D"), (d(17, 9), "C"), (d(19, 9), "D"), (d(21, 9), "W")],
		amount=3000, **anna)  # fmt: skip
	return funnel


def by_stage(result) -> dict[str, dict]:
	return {row["stage"]: row for row in result.whole().to_dict("records")}


def test_cohort_counts_durations_and_stale_by_hand(db, march):
	result = stage_conversion(db, ConversionFilters(**MARCH), NOW)
	s = by_stage(result)
	# cohort: d1..d7 and d10 (8 deals); d8 entered in February, d9 in April
	assert [s[k]["entered"] for k in "ABCDW"] == [8, 5, 3, 2, 2]
	assert [s[k]["moved_on"] for k in "ABCD"] == [5, 3, 2, 2]
	assert [s[k]["conversion_to_next"] for k in "ABCD"] == [62.5, 60.0, 66.67, 100.0]
	assert [s[k]["conversion_from_entry"] for k in "ABCDW"] == [100.0, 62.5, 37.5, 25.0, 25.0]
	assert [s[k]["gap"] for k in "ABCD"] == [12.5, 10.0, 16.67, 30.0]
	assert [s[k]["lost"] for k in "ABCD"] == [1, 0, 1, 0]
	assert s["A"]["top_lost_reasons"] == "No budget (1)" and s["C"]["top_lost_reasons"] == "Price (1)"
	assert [s[k]["open"] for k in "ABCD"] == [2, 2, 0, 0]  # A: d5, d7; B: d3, d6
	assert [s[k]["stale"] for k in "ABCD"] == [1, 1, 0, 0]  # d5 and d3
	# stays: A [2, 2, 1, 1, 2]; B [3, 1]; C [2, 1, 1, 2]; D [2, 1, 2] (days)
	assert [s[k]["avg_days"] for k in "ABCD"] == [1.6, 2.0, 1.5, 1.67]
	assert [s[k]["median_days"] for k in "ABCD"] == [2.0, 2.0, 1.5, 2.0]
	total = result.total()
	assert total["entered"] == 8 and total["won"] == 2 and total["lost"] == 2
	assert total["open"] == 4 and total["stale"] == 2
	assert total["overall_conversion"] == 25.0
	assert total["avg_funnel_days"] == 7.5 and total["median_funnel_days"] == 7.5  # 9 d and 6 d
	assert total["won_amount"] == 4000.0


def test_activity_mode_counts_moves_in_the_period_and_open_deals_now(db, march):
	result = stage_conversion(db, ConversionFilters(**MARCH, mode="activity"), NOW)
	s = by_stage(result)
	# moves in March: entries of d1..d7, d10 cross A; B is also crossed by d8's move on 2 March
	assert [s[k]["entered"] for k in "ABCDW"] == [8, 6, 3, 2, 2]
	assert s["A"]["conversion_to_next"] == 75.0
	assert [s[k]["lost"] for k in "ABCD"] == [1, 0, 1, 0]
	# open now, whatever the period: A d5, d7, d9 (d5 stale); B d3, d6, d8 (d3 and d8 stale: 31 d)
	assert [s[k]["open"] for k in "AB"] == [3, 3] and [s[k]["stale"] for k in "AB"] == [1, 2]


def test_previous_period_is_the_same_length_before(db, march):
	assert previous_period(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 1, 29), date(2026, 2, 28))
	result = stage_conversion(db, ConversionFilters(**MARCH, compare_previous=True), NOW)
	assert result.total()["entered"] == 8
	previous = result.previous_stages[result.previous_stages["slice"] == WHOLE]
	assert previous.set_index("stage")["entered"].to_dict() == {"A": 1, "B": 1, "C": 0, "D": 0, "W": 0}  # d8
	assert result.previous_totals.iloc[0]["entered"] == 1


def test_slices_use_the_deal_as_it_entered_and_add_up(db, march):
	result = stage_conversion(db, ConversionFilters(**MARCH, slice_by="manager"), NOW)
	stages = result.stages
	anna = stages[stages["slice"] == "anna@example.com"].set_index("stage")
	boris = stages[stages["slice"] == "boris@example.com"].set_index("stage")
	# anna: d1, d2, d6, d7, d10; boris: d3, d4, d5
	assert anna["entered"].tolist() == [5, 4, 3, 2, 2]
	assert boris["entered"].tolist() == [3, 1, 0, 0, 0]
	whole = stages[stages["slice"] == WHOLE].set_index("stage")
	for column in ("entered", "lost", "open", "stale"):
		assert (anna[column] + boris[column]).tolist() == whole[column].tolist()


def test_time_zone_of_the_connection_changes_nothing(db, march):
	before = stage_conversion(db, ConversionFilters(**MARCH), NOW)
	db.sql("SET time_zone = '+05:00'")
	try:
		after = stage_conversion(db, ConversionFilters(**MARCH), NOW)
	finally:
		db.sql("SET time_zone = SYSTEM")
	pd.testing.assert_frame_equal(before.stages, after.stages)
	pd.testing.assert_frame_equal(before.totals, after.totals)


def test_deals_without_history_count_from_their_creation_and_current_stage(db, march):
	# not backfilled yet: no transitions, sf_stage_entered_at empty
	make_opportunity(db, "legacy-open", march, sales_stage="C", creation=d(5), status="Open")
	make_opportunity(
		db, "legacy-lost", march, sales_stage="B", creation=d(6), status="Lost", order_lost_reason="Price"
	)
	make_opportunity(
		db,
		"legacy-won",
		march,
		sales_stage="W",
		creation=d(7),
		status="Converted",
		base_opportunity_amount=500,
	)
	make_opportunity(db, "legacy-old", march, sales_stage="A", creation=d(1, month=1), status="Open")
	s = by_stage(stage_conversion(db, ConversionFilters(**MARCH), NOW))
	# + open at C (passing A, B), lost at B (passing A), won (passing all)
	assert [s[k]["entered"] for k in "ABCDW"] == [11, 8, 5, 3, 3]
	assert s["C"]["open"] == 1 and s["C"]["stale"] == 0  # C has no time limit
	assert s["B"]["lost"] == 1 and s["B"]["top_lost_reasons"] == "Price (1)"
	result = stage_conversion(db, ConversionFilters(**MARCH), NOW)
	total = result.total()
	assert total["won"] == 3 and total["won_amount"] == 4500.0
	assert total["avg_funnel_days"] == 7.5  # the legacy win has no known length


def test_a_sales_user_sees_only_own_or_assigned_deals(db, march):
	make_opportunity(db, "other", march, sales_stage="A", creation=d(9), _assign='["anna@example.com"]',
		opportunity_owner="zoe@example.com", owner="zoe@example.com")  # fmt: skip
	scope = DealScope(own_or_assigned_of="anna@example.com")
	s = by_stage(stage_conversion(db, ConversionFilters(**MARCH), NOW, scope))
	assert s["A"]["entered"] == 6  # d1, d2, d6, d7, d10 + the legacy deal assigned to her
	db.sql("UPDATE tabOpportunity SET territory = 'South' WHERE name IN ('d3', 'd4')")
	db.sql("UPDATE tabOpportunity SET territory = 'North' WHERE name IN ('d1', 'd2')")
	strict = DealScope(allowed={"territory": ["South"]}, strict=True)
	s = by_stage(stage_conversion(db, ConversionFilters(**MARCH), NOW, strict))
	assert s["A"]["entered"] == 2  # d3, d4
	# Frappe's default: a deal whose territory is empty is not hidden by a territory permission
	lenient = DealScope(allowed={"territory": ["South"]})
	s = by_stage(stage_conversion(db, ConversionFilters(**MARCH), NOW, lenient))
	assert s["A"]["entered"] == 7  # all 9 March deals but d1, d2 (North)


@pytest.mark.parametrize(
	("changes", "message"),
	[
		({"funnel": "Nope"}, "There is no Sales Funnel Nope"),
		({"from_date": date(2026, 4, 1)}, "is after To Date"),
		({"slice_by": "zodiac"}, "Cannot slice by zodiac"),
		({"mode": "weekly"}, "Unknown mode weekly"),
		({"from_date": None}, "Choose both a From Date and a To Date"),
		({"to_date": date.max}, "To Date 9999-12-31 is out of range"),  # the period ends the day after
		({"from_date": date.min}, "From Date 0001-01-01 is out of range"),
		# the previous period of the same length would start before the first date there is
		({"from_date": date(1000, 1, 1), "compare_previous": True}, "previous period would start"),
		(
			{"from_date": date(1500, 1, 1), "to_date": date(9998, 12, 31), "compare_previous": True},
			"previous period would start",
		),
	],
)
def test_bad_input_is_a_clear_error(db, march, changes, message):
	with pytest.raises(InvalidInput, match=message):
		stage_conversion(db, ConversionFilters(**{**MARCH, **changes}), NOW)


def test_a_company_without_a_default_funnel_must_choose_one(db, march):
	with pytest.raises(InvalidInput, match="has no default Sales Funnel"):
		stage_conversion(db, ConversionFilters(date(2026, 3, 1), date(2026, 3, 31), company="Test Co"), NOW)


def test_an_empty_period_gives_zeros_not_errors(db, march):
	result = stage_conversion(db, ConversionFilters(date(2025, 1, 1), date(2025, 1, 31), funnel="T"), NOW)
	assert result.total()["entered"] == 0 and result.total()["overall_conversion"] is None
	assert result.whole()["entered"].sum() == 0


def test_a_deal_lost_at_each_stage(db):
	funnel = make_funnel(db, "T", STAGES)
	path = ["A", "B", "C", "D"]
	for lost_at in range(4):  # deal k walks A.. up to path[k], one day per stage, then is lost there
		moves = [(d(1 + day, 10), stage) for day, stage in enumerate(path[: lost_at + 1])]
		moves.append((d(2 + lost_at, 10) + timedelta(hours=18), "L", f"Reason {lost_at}"))
		history(db, funnel, f"lost-{lost_at}", moves)
	s = by_stage(stage_conversion(db, ConversionFilters(**MARCH), NOW))
	assert [s[k]["entered"] for k in "ABCDW"] == [4, 3, 2, 1, 0]
	assert [s[k]["lost"] for k in "ABCD"] == [1, 1, 1, 1]
	assert [s[k]["top_lost_reasons"] for k in "ABCD"] == [f"Reason {k} (1)" for k in range(4)]
	assert [s[k]["conversion_to_next"] for k in "ABCD"] == [75.0, 66.67, 50.0, 0.0]
	# every deal spent 1 day in each stage it passed and 1.75 days in the one it was lost at:
	# A [1.75, 1, 1, 1], B [1.75, 1, 1], C [1.75, 1], D [1.75]
	assert [s[k]["avg_days"] for k in "ABCD"] == pytest.approx([1.1875, 1.25, 1.375, 1.75], abs=0.006)
	assert [s[k]["median_days"] for k in "ABCD"] == [1.0, 1.0, 1.38, 1.75]
	total = stage_conversion(db, ConversionFilters(**MARCH), NOW).total()
	assert total["lost"] == 4 and total["won"] == 0 and total["open"] == 0


def test_slice_by_whether_a_scheduled_reassignment_moved_the_deal(db, march):
	rows = [("d1", "Applied"), ("d5", "Applied"), ("d3", "Skipped"), ("d5", "Applied")]
	for number, (deal, status) in enumerate(rows, start=1):
		db.sql(
			"INSERT INTO `tabReassignment Log` (name, deal, status, at) VALUES (%s, %s, %s, %s)",
			(number, deal, status, d(20)),
		)
	result = stage_conversion(db, ConversionFilters(**MARCH, slice_by="reassigned"), NOW)
	stages = result.stages
	moved = stages[stages["slice"] == "Reassigned"].set_index("stage")["entered"]
	kept = stages[stages["slice"] == "Not Reassigned"].set_index("stage")["entered"]
	# d1 (won straight through) and d5 (open at A) were moved; d3's log row was only Skipped
	assert moved.tolist() == [2, 1, 1, 1, 1]
	assert kept.tolist() == [6, 4, 2, 1, 1]
	assert (moved + kept).tolist() == by_stage_entered(result)


def by_stage_entered(result) -> list[int]:
	return [row["entered"] for row in result.whole().to_dict("records")]


def test_a_deal_won_reopened_and_won_again_counts_once(db):
	"""A payment cancelled after the win steps the deal back from Won (a new row); paid again, it is won again.
	It is one won deal: its amount and its time to win count once, at its first win (when it entered Won, as
	the Won count has it)."""
	funnel = make_funnel(db, "T", STAGES)
	# won straight through in 9 days
	history(db, funnel, "once", [(d(1, 9), "A"), (d(3, 9), "B"), (d(6, 9), "C"), (d(8, 9), "D"), (d(10, 9), "W")],
		amount=1000)  # fmt: skip
	# won after 4 days (A 2 d, B 2 d), back to D when the payment was cancelled, won again 3 days later
	history(db, funnel, "twice", [(d(1, 9), "A"), (d(3, 9), "B"), (d(5, 9), "W"), (d(7, 9), "D"), (d(8, 9), "W")],
		amount=2000)  # fmt: skip
	total = stage_conversion(db, ConversionFilters(**MARCH), NOW).total()
	assert total["won"] == 2 and total["entered"] == 2
	assert total["won_amount"] == 3000.0  # 1000 + 2000, not 5000
	assert total["avg_funnel_days"] == 6.5  # (9 d + 4 d) / 2, not (9 + 4 + 7) / 3
	assert total["median_funnel_days"] == 8.0  # unchanged: the latest Won rows, 9 d and 7 d
	activity = stage_conversion(db, ConversionFilters(**MARCH, mode="activity"), NOW).total()
	assert activity["won_amount"] == 3000.0 and activity["avg_funnel_days"] == 6.5
	# a period holding only the second win: no deal entered Won in it, so no amount and no time either
	second = ConversionFilters(
		from_date=date(2026, 3, 8), to_date=date(2026, 3, 8), funnel="T", mode="activity"
	)
	again = stage_conversion(db, second, NOW).total()
	assert again["won"] == 0 and again["won_amount"] == 0.0 and again["avg_funnel_days"] is None
