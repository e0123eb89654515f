"""The Stale Deals, Reassignment Preview and Manager Ranking reports as the Desk gets them: columns with translated
labels, rows with the deal's doctype, names and translated values, and the filters applied."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.reassignment.report import preview_report, ranking_report, stale_deals_report
from sales_funnel.engine.scope import DealScope
from tests.builders import history
from tests.reassignment.builders import T0, make_rule, stale

NOW = T0 + timedelta(days=10)
EVERYTHING = DealScope()


def translate(text: str) -> str:
	return f"<{text}>"


def full_name(user: str) -> str:
	return user.split("@")[0].title()


def test_stale_deals_rows_name_the_owner_and_translate_the_suggestion(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	stale(db, funnel, "D2", moved_at=T0 - timedelta(days=10), owner="")
	columns, data, _message, _chart = stale_deals_report(
		db, NOW, {"funnel": "F"}, EVERYTHING, translate, full_name
	)
	assert [c["fieldname"] for c in columns] == [
		"deal", "funnel", "stage", "owner", "owner_name", "days_in_stage", "time_limit_days", "days_over",
		"last_activity", "reassigned", "rule", "acts_at", "suggested_action",
	]  # fmt: skip
	assert columns[0] == {
		"fieldname": "deal", "label": "<Deal>", "fieldtype": "Dynamic Link", "options": "deal_doctype", "width": 170,
	}  # fmt: skip
	assert [r["deal"] for r in data] == ["D2", "D1"]
	d2, d1 = data
	assert (d1["deal_doctype"], d1["owner"], d1["owner_name"]) == ("Opportunity", "a@x.com", "A")
	assert (d2["owner"], d2["owner_name"]) == (None, None)
	assert (d1["suggested_action"], d2["suggested_action"]) == ("<Reassign>", "<Close as Lost>")
	assert (d1["rule"], d1["acts_at"]) == (None, None)  # no rule: None, never NaN or NaT
	assert (
		stale_deals_report(db, NOW, {"funnel": "F", "company": "Nope"}, EVERYTHING, translate, full_name)[1]
		== []
	)


def test_the_preview_keeps_the_rule_and_status_filtered_on(db, funnel):
	stale(db, funnel, "D1", owner="a@x.com")
	stale(db, funnel, "D2", owner="b@x.com", stage="Prospecting", moved_at=T0 - timedelta(days=5))
	make_rule(db, "R1", stages=("Qualification",))
	make_rule(db, "R2", users=("b@x.com",))  # D2's owner is the only manager: skipped
	columns, data = preview_report(db, NOW, {}, EVERYTHING, translate)
	assert [c["fieldname"] for c in columns] == [
		"deal", "rule", "status", "stage", "from_user", "to_user", "reason", "dry_run",
	]  # fmt: skip
	assert [(r["deal"], r["rule"], r["status"], r["deal_doctype"]) for r in data] == [
		("D1", "R1", "<Planned>", "Opportunity"),
		("D2", "R2", "<Skipped>", "Opportunity"),
	]
	assert data[1]["to_user"] is None
	assert [r["deal"] for r in preview_report(db, NOW, {"rule": "R2"}, EVERYTHING, translate)[1]] == ["D2"]
	assert [r["deal"] for r in preview_report(db, NOW, {"status": "Planned"}, EVERYTHING, translate)[1]] == [
		"D1"
	]
	assert preview_report(db, NOW, {"rule": "R1", "status": "Skipped"}, EVERYTHING, translate)[1] == []


def test_the_ranking_needs_an_existing_rule_and_can_show_one_manager(db, funnel):
	for prefix, owner, won in (("A", "a@x.com", 2), ("B", "b@x.com", 1)):
		for n in range(2):
			moves = [
				(T0 - timedelta(days=20), "Prospecting"),
				(T0 - timedelta(days=5), "Won" if n < won else "Lost"),
			]
			history(db, funnel, f"{prefix}{n}", moves, owner=owner)
	make_rule(
		db, "R", strategy="By Temperature", converter_min_deals=2, users=("a@x.com", "b@x.com", "c@x.com")
	)
	columns, data, _message, _chart = ranking_report(db, NOW, {"rule": "R"}, translate, full_name)
	assert [c["label"] for c in columns][:3] == ["<Rank>", "<Manager>", "<Name>"]
	assert data == [
		{"rank": 1, "user": "a@x.com", "full_name": "A", "entered": 2, "moved_on": 2, "rate": 100.0, "tier": "<Top>",
		 "open_deals": 0},
		{"rank": 2, "user": "b@x.com", "full_name": "B", "entered": 2, "moved_on": 1, "rate": 50.0,
		 "tier": "<Middle>", "open_deals": 0},
		{"rank": None, "user": "c@x.com", "full_name": "C", "entered": 0, "moved_on": 0, "rate": None,
		 "tier": "<Rest>", "open_deals": 0},
	]  # fmt: skip
	assert not any(isinstance(v, float) and math.isnan(v) for row in data for v in row.values())
	assert ranking_report(db, NOW, {"rule": "R"}, translate, full_name, only_user="b@x.com")[1] == [data[1]]
	for filters, message in (
		({}, "Choose a Reassignment Rule."),
		({"rule": "Nope"}, "There is no Reassignment Rule Nope."),
	):
		with pytest.raises(InvalidInput) as error:
			ranking_report(db, NOW, filters, translate, full_name)
		assert error.value.message.english() == message
