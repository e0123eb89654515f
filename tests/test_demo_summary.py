"""The main job's other reports on the demo company: the plan it sets and what Plan vs Fact, Call Outcomes,
Daily Payments and the Reassignment Preview show of it."""

from __future__ import annotations

from datetime import date

import pytest

from devkit.demo.summary import (
	DEMO_COMPANY,
	PLAN_METRICS,
	PLAN_UPLIFT,
	call_outcome_table,
	daily_payments_table,
	plan_fact_table,
	quarter_start,
	reassignment_tables,
	set_demo_plan,
)
from sales_funnel.engine.sales.facts import NOT_CREDITED_KEY, direct_facts
from sales_funnel.engine.sales.plans import plan_targets


def test_quarter_start():
	assert quarter_start(date(2026, 11, 1)) == date(2026, 10, 1)
	assert quarter_start(date(2026, 3, 31)) == date(2026, 1, 1)
	assert quarter_start(date(2026, 7, 1)) == date(2026, 7, 1)


def test_demo_plan_is_last_years_quarter_with_the_uplift(demo_db):
	start = date(2026, 10, 1)
	set_demo_plan(demo_db, DEMO_COMPANY, start)
	set_demo_plan(demo_db, DEMO_COMPANY, start)  # replaces, never doubles
	facts = direct_facts(demo_db, DEMO_COMPANY, date(2025, 10, 1), date(2025, 12, 31), PLAN_METRICS)
	targets = plan_targets(demo_db, DEMO_COMPANY, "Quarter", start)
	people = [p for p in facts.index if p != NOT_CREDITED_KEY and facts.loc[p, "invoiced_revenue"] > 0]
	assert people
	for person in people:
		assert targets[(person, "invoiced_revenue")] == pytest.approx(
			facts.loc[person, "invoiced_revenue"] * PLAN_UPLIFT, abs=0.01
		)
	assert all(scope is not None for scope, _ in targets)  # per Sales Person only


def test_plan_fact_table_rolls_the_plan_up_to_the_company(demo_db, demo_spec):
	table, targets = plan_fact_table(demo_db, DEMO_COMPANY, demo_spec.now)
	assert targets > 0
	company = table.iloc[0]
	assert company["sales person"] == DEMO_COMPANY
	leaves = table[table["sales person"].str.startswith("      ")]  # indent 3: the managers
	assert company["revenue plan"] == pytest.approx(leaves["revenue plan"].sum(), abs=0.05)
	assert company["revenue %"] == pytest.approx(
		round(company["revenue fact"] / company["revenue plan"] * 100, 1), abs=0.05
	)


def test_call_outcomes_daily_payments_and_preview_have_rows(demo_db, demo_spec):
	calls = call_outcome_table(demo_db, demo_spec.now)
	assert len(calls) > 1 and (calls["with_outcome"] <= calls["calls"]).all()
	assert list(calls["negotiations_per_10"]) == sorted(calls["negotiations_per_10"], reverse=True)
	payments = daily_payments_table(demo_db, DEMO_COMPANY, demo_spec.now)
	assert len(payments) and (payments[["due_tomorrow", "due_this_week", "overdue"]] >= 0).all().all()
	tables = reassignment_tables(demo_db, demo_spec.now, "B2B New Customers", "Direct Sales")
	assert 0 < len(tables["moves"]) <= 8
	assert tables["counts"]["deals"].sum() >= 1
	assert (tables["moves"]["to_user"] != tables["moves"]["from_user"]).all()
