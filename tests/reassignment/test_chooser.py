"""Each strategy chooses the new owner: round robin, least loaded, best converter, by temperature."""

from __future__ import annotations

from datetime import timedelta

from sales_funnel.engine.reassignment.model import SKIPPED
from sales_funnel.engine.reassignment.plan import plan_reassignments
from sales_funnel.engine.reassignment.ranking import converter_ranking, temperature_tiers
from tests.builders import history
from tests.reassignment.builders import T0, USERS, log, make_rule, stale


def test_round_robin_continues_where_it_stopped(db, funnel):
	for n in range(1, 5):
		stale(db, funnel, f"D{n}", moved_at=T0 + timedelta(hours=n))  # D1 the most overdue
	make_rule(db, strategy="Round Robin")
	history(db, funnel, "OLD", [(T0 - timedelta(days=30), "Prospecting"), (T0 - timedelta(days=29), "Won")])
	log(db, "OLD", "b@x.com", T0)  # the rule last gave a deal to b
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	assert [(i.deal, i.to_user) for i in plan.moves] == [
		("D1", "c@x.com"),
		("D2", "d@x.com"),
		("D3", "a@x.com"),
		("D4", "b@x.com"),
	]


def test_round_robin_skips_the_owner_and_starts_at_the_first_without_history(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	make_rule(db, strategy="Round Robin")
	assert [(i.deal, i.to_user) for i in plan_reassignments(db, T0 + timedelta(days=10)).moves] == [
		("D1", "b@x.com")
	]


def test_least_loaded_breaks_ties_by_name_and_counts_planned_moves(db, funnel):
	# open loads: a 2, b 1, c 1, d 3 (closed deals do not count)
	for n, owner in enumerate(["a@x.com", "a@x.com", "b@x.com", "c@x.com", "d@x.com", "d@x.com", "d@x.com"]):
		stale(db, funnel, f"L{n}", stage="Negotiation", owner=owner)
	history(db, funnel, "W1", [(T0, "Prospecting"), (T0, "Won")], owner="b@x.com")
	stale(db, funnel, "S1", moved_at=T0)
	stale(db, funnel, "S2", moved_at=T0 + timedelta(hours=1))
	stale(db, funnel, "S3", moved_at=T0 + timedelta(hours=2))
	make_rule(db, strategy="Least Loaded")
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	# S1: b and c tie at 1 → b; S2: c (1) ; S3: a, b, c tie at 2 → a
	assert [(i.deal, i.to_user) for i in plan.moves] == [
		("S1", "b@x.com"),
		("S2", "c@x.com"),
		("S3", "a@x.com"),
	]
	assert plan.moves[0].decision.english() == "Least loaded: 1 open deals."


def _entered_qualification(db, funnel, prefix: str, owner: str, entered: int, moved_on: int) -> None:
	for n in range(entered):
		moves = [(T0 - timedelta(days=20), "Prospecting"), (T0 - timedelta(days=10), "Qualification")]
		# those that did not move on were lost, so only the deal under test is open
		moves.append((T0 - timedelta(days=5), "Negotiation" if n < moved_on else "Lost"))
		history(db, funnel, f"{prefix}{n}", moves, owner=owner)


def test_best_converter_honours_the_minimum_sample(db, funnel):
	_entered_qualification(db, funnel, "A", "a@x.com", entered=3, moved_on=3)  # 100 % but only 3 deals
	_entered_qualification(db, funnel, "B", "b@x.com", entered=5, moved_on=3)  # 60 %
	_entered_qualification(db, funnel, "C", "c@x.com", entered=4, moved_on=1)  # 25 %
	stale(db, funnel, "S1", moved_at=T0 - timedelta(days=1), owner="d@x.com")
	make_rule(db, strategy="Best Converter", converter_min_deals=4, converter_window_days=30)
	now = T0 + timedelta(days=10)
	ranking = converter_ranking(db, funnel, 2, 3, now, 30, list(USERS), 4)
	assert ranking[["user", "entered", "moved_on", "ranked"]].values.tolist() == [
		["b@x.com", 5, 3, True],
		["c@x.com", 4, 1, True],
		["a@x.com", 3, 3, False],
		["d@x.com", 1, 0, False],
	]
	item = plan_reassignments(db, now).moves[0]
	assert (item.deal, item.to_user) == ("S1", "b@x.com")
	assert item.decision.english() == (
		"Best converter in stage Qualification: 60.0% of 5 deals moved on in the last 30 days."
	)
	# with a minimum nobody meets, nobody is chosen and the reason says so
	db.sql("UPDATE `tabReassignment Rule` SET converter_min_deals = 6")
	item = plan_reassignments(db, now).items[0]
	assert item.status == SKIPPED and "at least 6 deals in stage Qualification" in item.decision.english()


def test_by_temperature_sends_hot_deals_to_the_top_tier(db, funnel):
	for prefix, owner, won in (("A", "a@x.com", 3), ("B", "b@x.com", 2), ("C", "c@x.com", 1)):
		for n in range(3):
			moves = [(T0 - timedelta(days=20), "Prospecting")]
			moves.append((T0 - timedelta(days=5), "Won" if n < won else "Lost"))
			history(db, funnel, f"{prefix}{n}", moves, owner=owner)
	now = T0 + timedelta(days=10)
	ranking = converter_ranking(db, funnel, 1, 4, now, 90, list(USERS), 3)
	assert temperature_tiers(ranking, list(USERS)) == {
		"a@x.com": "top",
		"b@x.com": "middle",
		"c@x.com": "rest",
		"d@x.com": "rest",  # unranked
	}
	# the deals to move entered the funnel before the 90-day window, so d stays unranked
	before = T0 - timedelta(days=100)
	stale(db, funnel, "HOT", before, owner="d@x.com", opportunity={"sf_temperature": "Hot"})
	stale(db, funnel, "WARM", before, owner="d@x.com", opportunity={"sf_temperature": "Warm"})
	stale(db, funnel, "COLD", before, owner="d@x.com", opportunity={"sf_temperature": "Cold"})
	make_rule(db, strategy="By Temperature", converter_min_deals=3)
	moves = {i.deal: i.to_user for i in plan_reassignments(db, now).moves}
	assert moves == {"HOT": "a@x.com", "WARM": "b@x.com", "COLD": "c@x.com"}


def test_by_temperature_with_a_pool_of_two_moves_cold_deals(db, funnel):
	# a won 2 of 2, b 1 of 2: ranked a, b → a top, b middle, nobody in the rest tier
	for prefix, owner, won in (("A", "a@x.com", 2), ("B", "b@x.com", 1)):
		for n in range(2):
			moves = [(T0 - timedelta(days=20), "Prospecting")]
			moves.append((T0 - timedelta(days=5), "Won" if n < won else "Lost"))
			history(db, funnel, f"{prefix}{n}", moves, owner=owner)
	before = T0 - timedelta(days=100)
	stale(db, funnel, "COLD", before, owner="c@x.com", opportunity={"sf_temperature": "Cold"})
	stale(db, funnel, "HOT", before, owner="c@x.com", opportunity={"sf_temperature": "Hot"})
	make_rule(db, strategy="By Temperature", converter_min_deals=2, users=("a@x.com", "b@x.com"))
	plan = plan_reassignments(db, T0 + timedelta(days=10))
	assert {i.deal: i.to_user for i in plan.moves} == {"COLD": "b@x.com", "HOT": "a@x.com"}
	assert plan.skipped == []
	cold = next(i for i in plan.moves if i.deal == "COLD")
	assert cold.decision.english() == (
		"Cold deal to the Middle tier, the nearest with managers (nobody is in the Rest tier); "
		"least loaded there (0 open deals)."
	)
