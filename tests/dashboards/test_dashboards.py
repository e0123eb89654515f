"""The Funnels workspace's cards and charts (`sales_funnel.engine.dashboards`), hand-checked on MariaDB: the
periods they compare, open deals and the weighted pipeline, funnel entries and first wins, wins per month, stale
deals as the Stale Deals report finds them, and the figures taken from the reports' own engine calls."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sales_funnel.engine.calls.filters import CallScope
from sales_funnel.engine.conversion.stages import NOT_SET
from sales_funnel.engine.dashboards import figures, periods, queries
from sales_funnel.engine.funnels.deal_rules import deal_amount
from sales_funnel.engine.funnels.stages import Stage
from sales_funnel.engine.reassignment.stale import stale_deals
from sales_funnel.engine.scope import DealScope
from tests.builders import COMPANY, history, insert, make_funnel, make_opportunity
from tests.sales import planfact_builders as b
from tests.sales.test_payments import ON as PAYMENT_DAY
from tests.sales.test_payments import data as payment_data
from tests.sales.test_planfact import NOW as PLAN_NOW
from tests.sales.test_planfact import company_data as plan_company_data

STAGES = [
	Stage("Lead In", "Open", 10, time_limit_days=5),
	Stage("Proposal", "Open", 50, time_limit_days=10),
	Stage("Won", "Won", 100),
	Stage("Lost", "Lost"),
]
TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 15, 0)
ANN, BEN = "ann@example.com", "ben@example.com"


# ------------------------------------------------------------------------------------------------- periods
@pytest.mark.parametrize(
	("today", "this_month", "last_month"),
	[
		(date(2026, 3, 20), (date(2026, 3, 1), date(2026, 3, 20)), (date(2026, 2, 1), date(2026, 2, 20))),
		(date(2026, 3, 31), (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28))),
		(date(2024, 3, 30), (date(2024, 3, 1), date(2024, 3, 30)), (date(2024, 2, 1), date(2024, 2, 29))),
		(date(2026, 1, 5), (date(2026, 1, 1), date(2026, 1, 5)), (date(2025, 12, 1), date(2025, 12, 5))),
	],
)
def test_a_month_to_date_is_compared_with_the_same_days_of_last_month(today, this_month, last_month):
	assert periods.month_to_date(today) == this_month
	assert periods.same_days_last_month(today) == last_month


@pytest.mark.parametrize(
	("today", "quarter", "previous"),
	[
		(date(2026, 3, 20), date(2026, 1, 1), (date(2025, 10, 1), date(2025, 12, 31))),
		(date(2026, 5, 31), date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
		(date(2026, 8, 1), date(2026, 7, 1), (date(2026, 4, 1), date(2026, 6, 30))),
		(date(2026, 12, 31), date(2026, 10, 1), (date(2026, 7, 1), date(2026, 9, 30))),
	],
)
def test_a_quarter_to_date_is_compared_with_the_whole_previous_quarter(today, quarter, previous):
	assert periods.quarter_to_date(today) == (quarter, today)
	assert periods.previous_quarter(today) == previous


def test_months_back_and_changes():
	assert periods.months_back(date(2026, 2, 14), 3) == [
		date(2025, 12, 1),
		date(2026, 1, 1),
		date(2026, 2, 1),
	]
	assert len(periods.months_back(TODAY, 12)) == 12
	assert periods.percent_change(15, 10) == 50.0
	assert periods.percent_change(5, 10) == -50.0
	assert periods.percent_change(3, 0) is None  # growth from nothing is no percentage
	assert periods.percent_change(0, 4) == -100.0
	assert periods.point_change(42.5, 40.0) == 2.5
	assert periods.point_change(None, 40.0) is None


# ------------------------------------------------------------------------------------------------ pipeline
def test_open_pipeline_counts_open_deals_and_weighs_their_amount(db):
	deals = [
		("D-1", "Open", 1000, 10, ANN, None),
		("D-2", "Quotation", 2000, 50, ANN, None),
		("D-3", "Replied", 400, 25, BEN, f'["{ANN}"]'),  # Ben's, assigned to Ann
		("D-4", "Lost", 9000, 10, ANN, None),
		("D-5", "Converted", 9000, 100, ANN, None),
		("D-6", "Open", 800, 50, BEN, None),
	]
	for name, status, amount, probability, owner, assign in deals:
		make_opportunity(
			db,
			name,
			None,
			status=status,
			base_opportunity_amount=amount,
			probability=probability,
			opportunity_owner=owner,
			owner=owner,
			_assign=assign,
		)
	make_opportunity(db, "D-OTHER", None, company="Other Co", base_opportunity_amount=5000, probability=50)
	everyone = queries.open_pipeline(db, COMPANY)
	assert everyone == queries.Pipeline(deals=4, weighted=100 + 1000 + 100 + 400)
	assert queries.open_pipeline(db, COMPANY, DealScope(own_or_assigned_of=ANN)) == queries.Pipeline(3, 1200)
	assert queries.open_pipeline(db, COMPANY, DealScope(own_or_assigned_of=BEN)) == queries.Pipeline(2, 500)
	assert queries.open_pipeline(db, "Nobody Co") == queries.Pipeline(0, 0.0)


@pytest.mark.parametrize(
	"amounts",
	[
		{"base_opportunity_amount": 300, "opportunity_amount": 999, "conversion_rate": 2, "base_total": 7},
		{"base_opportunity_amount": 0, "opportunity_amount": 100, "conversion_rate": 3, "base_total": 7},
		{"base_opportunity_amount": 0, "opportunity_amount": 150, "conversion_rate": 0, "base_total": 7},
		{"base_opportunity_amount": 0, "opportunity_amount": 0, "conversion_rate": 1, "base_total": 250},
		{"base_opportunity_amount": 0, "opportunity_amount": 0, "conversion_rate": 0, "base_total": 0},
	],
)
def test_the_pipeline_weighs_the_deal_amount_the_history_records(db, amounts):
	"""ERPNext's server sets only the items' base_total; the form's script sets the deal's amounts: the pipeline
	takes the amount as the stage history does (`deal_rules.deal_amount`)."""
	make_opportunity(db, "D-1", None, probability=50, **amounts)
	assert queries.open_pipeline(db, COMPANY).weighted == pytest.approx(deal_amount(amounts) / 2)


# ------------------------------------------------------------------------------------------ entries, wins
def _deals(db) -> None:
	"""In funnel F (Test Co): this month (March 2026) three deals entered, one won; one deal that entered in
	February was won in March; one was won in February, reopened and won again in March (one win, in
	February). Funnel G of another company has a March entry and win that Test Co never counts."""
	funnel = make_funnel(db, "F", STAGES, is_default=1)
	march, feb = datetime(2026, 3, 2, 10), datetime(2026, 2, 3, 10)
	history(
		db, funnel, "M-1", [(march, "Lead In"), (march + timedelta(days=3), "Won")], amount=500, owner=ANN
	)
	history(db, funnel, "M-2", [(march, "Lead In")], owner=ANN)
	history(db, funnel, "M-3", [(march + timedelta(days=1), "Lead In")], owner=BEN)
	history(db, funnel, "F-1", [(feb, "Lead In"), (march, "Won")], amount=700, owner=BEN)
	history(
		db,
		funnel,
		"F-2",
		[(feb, "Lead In"), (feb + timedelta(days=5), "Won"), (march, "Proposal"), (march, "Won")],
		amount=300,
		owner=ANN,
	)
	other = make_funnel(db, "G", [Stage("G In", "Open"), Stage("G Won", "Won")], company="Other Co")
	history(
		db, other, "G-1", [(march, "G In"), (march, "G Won")], owner=ANN, opportunity={"company": "Other Co"}
	)
	db.sql("UPDATE `tabFunnel Stage Transition` SET company = 'Other Co' WHERE deal = 'G-1'")


def test_funnel_entries_and_first_wins_of_a_period(db):
	_deals(db)
	march = (date(2026, 3, 1), date(2026, 3, 20))
	assert queries.funnel_moves(db, COMPANY, *march) == queries.Moves(entered=3, won=2)
	assert queries.funnel_moves(db, COMPANY, date(2026, 2, 1), date(2026, 2, 20)) == queries.Moves(2, 1)
	ann = DealScope(own_or_assigned_of=ANN)
	assert queries.funnel_moves(db, COMPANY, *march, ann) == queries.Moves(entered=2, won=1)
	# both days are whole: a move at 10:00 on the last day counts
	assert queries.funnel_moves(db, COMPANY, date(2026, 3, 1), date(2026, 3, 2)) == queries.Moves(2, 1)
	assert queries.funnel_moves(db, "Other Co", *march) == queries.Moves(1, 1)


def test_wins_per_month_count_first_wins_and_fill_empty_months(db):
	_deals(db)
	months = periods.months_back(TODAY, 4)
	assert queries.wins_by_month(db, COMPANY, months) == [
		(date(2025, 12, 1), 0),
		(date(2026, 1, 1), 0),
		(date(2026, 2, 1), 1),
		(date(2026, 3, 1), 2),
	]
	assert queries.wins_by_month(db, COMPANY, months, DealScope(own_or_assigned_of=BEN))[-1] == (
		date(2026, 3, 1),
		1,
	)
	assert queries.wins_by_month(db, COMPANY, []) == []


# ----------------------------------------------------------------------------------------------- stale
def test_stale_deals_are_open_deals_past_their_stage_limit(db):
	funnel = make_funnel(db, "F", STAGES, is_default=1)
	limit = timedelta(days=5)
	history(db, funnel, "S-AT", [(NOW - limit, "Lead In")], owner=ANN)  # exactly at the limit: stale
	history(db, funnel, "S-NOT", [(NOW - limit + timedelta(seconds=1), "Lead In")], owner=ANN)
	history(
		db, funnel, "S-PROP", [(NOW - timedelta(days=30), "Lead In"), (NOW - timedelta(days=11), "Proposal")]
	)
	history(db, funnel, "S-WON", [(NOW - timedelta(days=30), "Lead In"), (NOW - timedelta(days=20), "Won")])
	history(db, funnel, "S-CLOSED", [(NOW - timedelta(days=30), "Lead In")])
	db.sql("UPDATE `tabOpportunity` SET status = 'Closed' WHERE name = 'S-CLOSED'")  # closed, stage kept
	history(db, funnel, "S-BEN", [(NOW - timedelta(days=9), "Lead In")], owner=BEN)
	no_limits = make_funnel(db, "N", [Stage("N In", "Open"), Stage("N Won", "Won")])
	history(db, no_limits, "S-N", [(NOW - timedelta(days=99), "N In")])
	assert queries.stale_deal_count(db, NOW, COMPANY) == 3  # S-AT, S-PROP, S-BEN: not S-CLOSED
	assert queries.stale_deal_count(db, NOW, COMPANY, DealScope(own_or_assigned_of=ANN)) == 1
	assert queries.stale_deal_count(db, NOW, "Other Co") == 0
	# the Stale Deals report lists the same deals
	assert sorted(stale_deals(db, NOW, company=COMPANY, limit=None)["deal"]) == ["S-AT", "S-BEN", "S-PROP"]


def test_the_stale_count_is_the_stale_deals_reports_on_the_demo_company(demo_db):
	now = demo_db.sql("SELECT MAX(transitioned_at) FROM `tabFunnel Stage Transition`")[0][0]
	owner = demo_db.sql(
		"""SELECT opportunity_owner FROM `tabOpportunity` WHERE status = 'Open'
		GROUP BY opportunity_owner ORDER BY COUNT(*) DESC LIMIT 1"""
	)[0][0]
	for company in [row[0] for row in demo_db.sql("SELECT name FROM `tabCompany` ORDER BY name")]:
		for scope in (None, DealScope(own_or_assigned_of=owner)):
			report = stale_deals(demo_db, now, company=company, limit=None, scope=scope)
			assert queries.stale_deal_count(demo_db, now, company, scope) == len(report)
	assert queries.stale_deal_count(demo_db, now, company) > 0


# ----------------------------------------------------------------------------------------- from reports
def _quarters(db) -> None:
	"""Funnel F (default of Test Co): this quarter (2026 Q1 to March 20) four deals entered, one won (Ann's two,
	Ben's two); last quarter two entered, both won."""
	funnel = make_funnel(db, "F", STAGES, is_default=1)
	jan, march, nov = datetime(2026, 1, 12, 9), datetime(2026, 3, 2, 9), datetime(2025, 11, 5, 9)
	history(
		db,
		funnel,
		"Q-1",
		[(jan, "Lead In"), (jan + timedelta(days=2), "Proposal"), (march, "Won")],
		owner=ANN,
	)
	history(db, funnel, "Q-2", [(jan, "Lead In")], owner=ANN)
	history(db, funnel, "Q-3", [(march, "Lead In"), (march + timedelta(days=1), "Proposal")], owner=BEN)
	history(db, funnel, "Q-4", [(march + timedelta(days=2), "Lead In")], owner=BEN)
	history(db, funnel, "P-1", [(nov, "Lead In"), (nov + timedelta(days=9), "Won")], owner=ANN)
	history(db, funnel, "P-2", [(nov, "Lead In"), (nov + timedelta(days=1), "Won")], owner=BEN)


def test_overall_conversion_this_quarter_against_last(db):
	_quarters(db)
	assert figures.overall_conversion(db, COMPANY, TODAY, NOW, DealScope()) == figures.Comparison(25.0, 100.0)
	ann = figures.overall_conversion(db, COMPANY, TODAY, NOW, DealScope(own_or_assigned_of=ANN))
	assert ann == figures.Comparison(50.0, 100.0)
	assert figures.overall_conversion(db, "Other Co", TODAY, NOW, DealScope()) == figures.Comparison(
		None, None
	)


def test_deals_entering_each_stage_this_month_and_the_same_days_last_month(db):
	_quarters(db)
	feb = datetime(2026, 2, 10, 9)
	history(db, load(db), "F-1", [(feb, "Lead In"), (feb, "Proposal")], owner=ANN)
	history(db, load(db), "F-LATE", [(datetime(2026, 2, 25, 9), "Lead In")], owner=ANN)  # after Feb 20
	entries = figures.stage_entries(db, COMPANY, TODAY, NOW, DealScope())
	assert entries.funnel == "F"
	assert entries.stages == ["Lead In", "Proposal", "Won"]
	assert entries.current == [
		2,
		1,
		1,
	]  # entered, Q-3 went on; Q-1 (at Proposal since January) won
	assert entries.previous == [1, 1, 0]
	assert figures.stage_entries(db, "Other Co", TODAY, NOW, DealScope()) is None


def load(db):
	from sales_funnel.engine.funnels.stages import load_funnel

	return load_funnel(db, "F")


def test_conversion_per_manager_best_first(db):
	_quarters(db)
	history(db, load(db), "Q-NONE", [(datetime(2026, 2, 2, 9), "Lead In")], owner="")
	rows = figures.manager_conversion(db, COMPANY, TODAY, NOW, DealScope())
	assert [(r.manager, r.entered, r.won, r.conversion) for r in rows] == [
		(ANN, 2, 1, 50.0),
		(BEN, 2, 0, 0.0),
		(NOT_SET, 1, 0, 0.0),
	]
	own = figures.manager_conversion(db, COMPANY, TODAY, NOW, DealScope(own_or_assigned_of=BEN))
	assert [(r.manager, r.entered) for r in own] == [(BEN, 2)]
	assert figures.manager_conversion(db, "Other Co", TODAY, NOW, DealScope()) == []


def test_calls_without_outcome_today(db):
	b.company(db)
	insert(db, "Employee", [{"name": "EMP-ANN", "user_id": ANN, "company": COMPANY, "status": "Active"}])
	insert(db, "Employee", [{"name": "EMP-BEN", "user_id": BEN, "company": "Other Co", "status": "Active"}])
	for index, (user, at, outcome) in enumerate(
		[
			(ANN, NOW - timedelta(hours=1), None),
			(ANN, NOW - timedelta(hours=2), None),
			(ANN, NOW - timedelta(hours=3), "Not a Target"),
			(ANN, NOW - timedelta(days=1), None),  # yesterday
			(BEN, NOW - timedelta(hours=1), None),  # another company's employee
		]
	):
		insert(
			db,
			"Call Log",
			[{"name": f"CALL-{index}", "employee_user_id": user, "start_time": at, "sf_outcome": outcome,
			  "status": "Completed", "type": "Outgoing"}],
		)  # fmt: skip
	assert figures.calls_without_outcome(db, COMPANY, TODAY, NOW, CallScope()) == 2
	assert figures.calls_without_outcome(db, COMPANY, TODAY, NOW, CallScope(own_of=BEN)) == 0
	assert figures.calls_without_outcome(db, "Other Co", TODAY, NOW, CallScope(own_of=BEN)) == 1


def test_overdue_payments_are_daily_payments_overdue(db):
	"""tests/test_payments.py's invoices: Alice's INV-1 has 300 overdue; Carol nothing."""
	payment_data(db)
	assert figures.overdue_payments(db, COMPANY, PAYMENT_DAY, None) == pytest.approx(300)
	assert figures.overdue_payments(db, COMPANY, PAYMENT_DAY, ["Alice"]) == pytest.approx(300)
	assert figures.overdue_payments(db, COMPANY, PAYMENT_DAY, ["Carol"]) == 0
	assert figures.overdue_payments(db, COMPANY, PAYMENT_DAY, []) == 0


def test_plan_completion_this_month(db):
	"""tests/test_planfact.py's company in February 2026: revenue 2,500 (Alice 1,320 - 500 returned = 820,
	Carol 880, Bob 800) against a company plan of 5,000 and Alice's 2,000."""
	plan_company_data(db)
	insert(db, "Sales Plan", [{"name": "PLAN-FEB", "company": COMPANY, "period_type": "Month",
		"period_start": date(2026, 2, 1)}])  # fmt: skip
	insert(
		db,
		"Sales Plan Target",
		[
			{"name": f"PT-{i}", "parent": "PLAN-FEB", "parenttype": "Sales Plan", "parentfield": "targets",
			 "idx": i, "scope_type": scope, "sales_person": person, "metric": "Invoiced Revenue", "target": t}
			for i, (scope, person, t) in enumerate([("Company", None, 5000), ("Sales Person", "Alice", 2000)])
		],
	)  # fmt: skip
	today = PLAN_NOW.date()
	company = figures.plan_completion(db, COMPANY, today, PLAN_NOW, None)
	assert company == figures.PlanCompletion(plan=5000.0, fact=pytest.approx(2500), percent=50.0)
	alice = figures.plan_completion(db, COMPANY, today, PLAN_NOW, ["Alice"])
	assert (alice.plan, alice.percent) == (2000.0, 41.0)
	assert figures.plan_completion(db, COMPANY, today, PLAN_NOW, ["Carol"]).percent is None  # no plan of hers
	assert figures.plan_completion(db, COMPANY, date(2026, 3, 5), PLAN_NOW, None).plan is None
