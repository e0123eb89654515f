"""The Stale Deals and Reassignment Preview data, and the reports on the demo company."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.reassignment.model import PLANNED, SKIPPED
from sales_funnel.engine.reassignment.ranking import manager_ranking
from sales_funnel.engine.reassignment.rules import load_rules, pool_users
from sales_funnel.engine.reassignment.stale import reassignment_preview, stale_deals
from sales_funnel.engine.scope import DealScope
from tests.builders import insert
from tests.reassignment.builders import T0, make_rule, stale


def test_stale_deals_lists_days_over_the_acting_rule_and_a_suggestion(db, funnel):
	now = T0 + timedelta(days=10)
	stale(db, funnel, "D1")  # Qualification since T0: 10 days, limit 5 → 5 over
	stale(
		db, funnel, "D2", moved_at=T0 - timedelta(days=10)
	)  # 20 days: 15 over = 3 x the limit → close as lost
	stale(db, funnel, "D3", moved_at=T0 + timedelta(days=6))  # 4 days: within the limit
	stale(db, funnel, "D4", stage="Negotiation")  # no limit
	insert(db, "Comment", [{"name": "c1", "comment_type": "Comment", "reference_doctype": "Opportunity",
							"reference_name": "D1", "creation": T0 + timedelta(days=3)}])  # fmt: skip
	make_rule(db, "R", threshold=2, stages=("Qualification",))
	frame = stale_deals(db, now, funnel="F")
	assert frame["deal"].tolist() == ["D2", "D1"]
	d1 = frame.set_index("deal").loc["D1"]
	assert (d1["days_over"], d1["time_limit_days"], d1["rule"]) == (5.0, 5.0, "R")
	assert d1["last_activity"] == T0 + timedelta(days=3)
	assert d1["acts_at"] == now  # 5 + 2 days after T0 has passed: the next run
	assert d1["suggested_action"] == "Reassign"
	assert frame.set_index("deal").loc["D2", "suggested_action"] == "Close as Lost"


def test_stale_deals_and_the_preview_keep_to_the_deals_a_scope_sees(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	stale(db, funnel, "D2", owner="b@x.com", moved_at=T0 - timedelta(days=1))
	stale(db, funnel, "D3", owner="c@x.com", opportunity={"_assign": json.dumps(["a@x.com"])})
	make_rule(db)
	now = T0 + timedelta(days=10)
	own = DealScope(own_or_assigned_of="a@x.com")
	assert stale_deals(db, now, funnel="F")["deal"].tolist() == ["D2", "D1", "D3"]
	assert stale_deals(db, now, funnel="F", scope=own)["deal"].tolist() == ["D1", "D3"]
	# the limit counts the deals the scope sees: b's more overdue deal does not take a's place
	assert stale_deals(db, now, funnel="F", limit=1, scope=own)["deal"].tolist() == ["D1"]
	everything = reassignment_preview(db, now)
	assert sorted(everything["deal"]) == ["D1", "D2", "D3"]
	seen = reassignment_preview(db, now, scope=own)
	assert sorted(seen["deal"]) == ["D1", "D3"]
	# the same plan, only fewer rows: each deal keeps the move the whole plan gives it
	whole = everything.set_index("deal")
	assert all(whole.loc[row.deal, "to_user"] == row.to_user for row in seen.itertuples())
	assert reassignment_preview(db, now, scope=DealScope(own_or_assigned_of="nobody@x.com")).empty


@pytest.mark.parametrize("limit", [-1, 0, 2.5, "10", True])
def test_stale_deals_refuses_a_limit_that_is_not_a_positive_whole_number(db, funnel, limit):
	stale(db, funnel, "D1")
	with pytest.raises(InvalidInput) as error:
		stale_deals(db, T0 + timedelta(days=10), funnel="F", limit=limit)
	assert error.value.message.english() == "The limit must be a whole number of at least 1."
	assert stale_deals(db, T0 + timedelta(days=10), funnel="F", limit=1)["deal"].tolist() == ["D1"]


def test_reports_on_the_demo_company(demo_db, demo_spec):
	now = demo_spec.now
	frame = stale_deals(demo_db, now)
	assert len(frame) > 0 and (frame["days_over"] >= 0).all()
	assert set(frame["suggested_action"]) <= {"Reassign", "Close as Lost"}
	assert frame["rule"].isna().all()  # no rules yet
	insert(demo_db, "Reassignment Rule", [{
		"name": "Demo", "rule_name": "Demo", "funnel": "Inbound Retail", "enabled": 1, "dry_run": 1, "all_stages": 1,
		"trigger": "Days Over Stage Limit", "threshold": 3, "pool_type": "Sales Person Group",
		"sales_person_group": "Inbound Sales", "strategy": "By Temperature", "converter_window_days": 365,
		"converter_min_deals": 20, "max_reassignments": 2, "cooldown_hours": 72, "never_to_previous_owner": 1,
		"skip_if_future_event": 1, "skip_if_future_todo": 1,
	}])  # fmt: skip
	[rule] = load_rules(demo_db)
	ranking = manager_ranking(demo_db, rule, now)
	assert len(ranking) == len(pool_users(demo_db, rule)) > 0
	assert set(ranking["tier"]) <= {"top", "middle", "rest"} and "top" in set(ranking["tier"])
	ranked = ranking[ranking["ranked"]]
	assert ranked["rate"].is_monotonic_decreasing
	preview = reassignment_preview(demo_db, now)
	assert len(preview) > 0 and set(preview["status"]) <= {PLANNED, SKIPPED}
	assert preview["dry_run"].all()
	planned = preview[preview["status"] == PLANNED]
	assert (planned["to_user"] != planned["from_user"]).all()
	inbound = stale_deals(demo_db, now, funnel="Inbound Retail")
	assert (inbound["rule"] == "Demo").any()
