"""Plan vs fact on hand-built documents, every figure computed by hand (company currency USD).

Q1 2026 (90 days), `now` = 2026-02-14 (45 days elapsed):

INV-1     2026-01-10  Alice 100 %   items 1000 (10 x 60) + 500 (5 x 50)   revenue 1500, margin 650
INV-2     2026-02-01  EUR at 1.1, Alice 60 % / Carol 40 %, 2000 EUR = 2200 (4 x 300)   revenue 2200, margin 1000
RET-1     2026-02-05  credit note against INV-1, no Sales Team: -500 (-5 x 50)         revenue -500, margin -250
INV-3     2026-02-10  no Sales Team, deal OPP-B owned by Bob: 800 (2 x 100)            revenue 800, margin 600
INV-OLD   2025-12-20  Alice, 999 (previous quarter)
INV-DRAFT 2026-01-15  draft, 10000: never counted

Payments: PE 2026-01-20 600 of INV-1 (partial); PE 2026-02-03 1000 EUR of INV-2 (= 1100 USD, 660 Alice / 440 Carol);
PE 2026-01-05 999 of INV-OLD; PE 2026-04-02 200 of INV-1 (next quarter); a draft PE of 5000.

Alice: revenue 1500 + 1320 - 500 = 2320, margin 650 + 600 - 250 = 1000, payments 600 + 660 + 999 = 2259
Carol: revenue 880, margin 400, payments 440.  Bob: revenue 800, margin 600.

Tree now: Sales Team > East (Alice, Bob, Carol), West (Dave). Carol was in West when INV-2 was posted; she has
moved to East since, and her facts go with her.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.sales import report_rows
from sales_funnel.engine.sales.facts import NOT_CREDITED_KEY, direct_facts
from sales_funnel.engine.sales.planfact import make_period, plan_fact_filters, plan_vs_fact
from sales_funnel.engine.sales.plans import PlanRow, period_containing, period_end, validate_plan
from sales_funnel.engine.sales.report_rows import Desk, plan_fact_report
from tests.builders import COMPANY, insert
from tests.sales import planfact_builders as b

Q1 = date(2026, 1, 1)
NOW = datetime(2026, 2, 14, 12, 0)
TREE_NOW = {"Sales Team": ("East", "West"), "East": ("Alice", "Bob", "Carol"), "West": ("Dave",)}
TREE_BEFORE = {"Sales Team": ("East", "West"), "East": ("Alice", "Bob"), "West": ("Carol", "Dave")}


def company_data(db, tree=TREE_NOW) -> None:
	b.sales_people(db, tree)
	b.opportunity(db, "OPP-A", "Alice", datetime(2026, 1, 2))
	b.opportunity(db, "OPP-B", "Bob", datetime(2026, 1, 3))
	b.opportunity(db, "OPP-C", "Carol", datetime(2025, 12, 1))
	b.invoice(
		db,
		"INV-1",
		date(2026, 1, 10),
		[
			{"base_net_amount": 1000, "stock_qty": 10, "incoming_rate": 60},
			{"base_net_amount": 500, "stock_qty": 5, "incoming_rate": 50},
		],
		team=[("Alice", 100)],
	)
	b.invoice(
		db,
		"INV-2",
		date(2026, 2, 1),
		[{"base_net_amount": 2200, "stock_qty": 4, "incoming_rate": 300}],
		team=[("Alice", 60), ("Carol", 40)],
		currency="EUR",
		conversion_rate=1.1,
	)
	b.invoice(
		db,
		"RET-1",
		date(2026, 2, 5),
		[{"base_net_amount": -500, "stock_qty": -5, "incoming_rate": 50}],
		is_return=1,
		return_against="INV-1",
	)
	b.invoice(
		db,
		"INV-3",
		date(2026, 2, 10),
		[{"base_net_amount": 800, "stock_qty": 2, "incoming_rate": 100}],
		opportunity="OPP-B",
	)
	b.invoice(db, "INV-OLD", date(2025, 12, 20), [{"base_net_amount": 999}], team=[("Alice", 100)])
	b.invoice(
		db, "INV-DRAFT", date(2026, 1, 15), [{"base_net_amount": 10000}], team=[("Alice", 100)], docstatus=0
	)
	b.payment(db, date(2026, 1, 20), [("INV-1", 600)])
	b.payment(db, date(2026, 2, 3), [("INV-2", 1000)])
	b.payment(db, date(2026, 1, 5), [("INV-OLD", 999)])
	b.payment(db, date(2026, 4, 2), [("INV-1", 200)])
	b.payment(db, date(2026, 2, 1), [("INV-1", 5000)], docstatus=0)
	b.won(db, "OPP-A", "Alice", datetime(2026, 1, 15, 10), 5000)
	b.won(db, "OPP-B", "Bob", datetime(2026, 1, 20, 10), 7000, is_latest=0)  # reopened since
	b.won(db, "OPP-C", "Carol", datetime(2025, 12, 31, 23), 3000)
	b.call_outcomes(db)
	b.call(db, "Alice", datetime(2026, 1, 5, 9), "Meeting Booked")
	b.call(db, "Alice", datetime(2026, 1, 6, 9), "No Answer")
	b.call(db, "Alice", datetime(2026, 3, 31, 23), "Meeting Booked")
	b.call(db, "Alice", datetime(2026, 1, 7, 9), None)
	b.call(db, "Dave", datetime(2026, 4, 1, 0), "No Answer")
	b.ledger(db)


def by_person(result) -> dict:
	return {row["sales_person"] or row["label"]: row for row in result.rows}


def test_direct_facts_by_hand(db):
	company_data(db)
	facts = direct_facts(db, COMPANY, Q1, date(2026, 3, 31))
	alice, carol, bob = facts.loc["Alice"], facts.loc["Carol"], facts.loc["Bob"]
	assert alice["invoiced_revenue"] == pytest.approx(2320)
	assert alice["gross_margin"] == pytest.approx(1000)
	assert alice["payments_received"] == pytest.approx(2259)
	assert carol["invoiced_revenue"] == pytest.approx(880)
	assert carol["gross_margin"] == pytest.approx(400)
	assert carol["payments_received"] == pytest.approx(440)
	assert bob["invoiced_revenue"] == pytest.approx(800)  # no Sales Team: the deal owner
	assert bob["gross_margin"] == pytest.approx(600)
	assert alice["won_deals"] == 1 and alice["won_amount"] == pytest.approx(5000)
	assert bob["won_deals"] == 0  # its Won move is not the latest any more
	assert carol["won_deals"] == 0  # won before the quarter
	assert alice["new_deals"] == 1 and bob["new_deals"] == 1 and carol["new_deals"] == 0
	assert alice["calls_with_outcome"] == 3 and alice["meetings_booked"] == 2
	assert "Dave" not in facts.index or facts.loc["Dave"].sum() == 0
	assert NOT_CREDITED_KEY not in facts.index or facts.loc[NOT_CREDITED_KEY].abs().sum() == 0


def test_plan_vs_fact_tree_rollup_and_projection(db):
	company_data(db)
	insert(
		db,
		"Sales Plan",
		[{"name": "PLAN-1", "company": COMPANY, "period_type": "Quarter", "period_start": Q1}],
	)
	targets = [
		("Sales Person", "Alice", "Invoiced Revenue", 4000),
		("Sales Person", "Carol", "Invoiced Revenue", 2000),
		("Sales Person", "West", "Invoiced Revenue", 1000),
		("Company", None, "Invoiced Revenue", 10000),
		("Sales Person", "Alice", "Payments Received", 2000),
	]
	insert(
		db,
		"Sales Plan Target",
		[
			{"name": f"PT-{i}", "parent": "PLAN-1", "parenttype": "Sales Plan", "parentfield": "targets",
			 "idx": i, "scope_type": s, "sales_person": p, "metric": m, "target": t}
			for i, (s, p, m, t) in enumerate(targets, start=1)
		],
	)  # fmt: skip
	filters = plan_fact_filters(
		company=COMPANY,
		period_type="Quarter",
		period_start=Q1,
		metrics=["Invoiced Revenue", "payments_received"],
	)
	result = plan_vs_fact(db, filters, now=NOW)
	assert result.period.end == date(2026, 3, 31) and result.elapsed_days == 45
	rows = by_person(result)
	alice = rows["Alice"]
	assert alice["invoiced_revenue_plan"] == 4000
	assert alice["invoiced_revenue_fact"] == pytest.approx(2320)
	assert alice["invoiced_revenue_pct"] == pytest.approx(58.0)
	assert alice["invoiced_revenue_projection"] == pytest.approx(4640)  # 2320 / 45 * 90
	assert alice["payments_received_pct"] == pytest.approx(112.9)  # 2259 / 2000
	# Carol moved to East: East has all three, West nothing
	east, west = rows["East"], rows["West"]
	assert east["invoiced_revenue_fact"] == pytest.approx(2320 + 800 + 880)
	assert east["invoiced_revenue_plan"] == 6000  # no own target: Alice's + Carol's (Bob has none)
	assert west["invoiced_revenue_fact"] == 0
	assert west["invoiced_revenue_plan"] == 1000  # its own target
	company = result.rows[0]
	assert company["label"] == COMPANY and company["indent"] == 0
	assert company["invoiced_revenue_fact"] == pytest.approx(4000)
	assert company["invoiced_revenue_plan"] == 10000
	assert company["invoiced_revenue_pct"] == pytest.approx(40.0)
	assert rows["Sales Team"]["invoiced_revenue_fact"] == pytest.approx(4000)
	assert [r["indent"] for r in result.rows[:4]] == [0, 1, 2, 3]  # company, Sales Team, East, Alice
	columns, data, chart, summary = plan_fact_report(result, Desk(lambda s: s, "USD"))
	assert [c["fieldname"] for c in columns[2:6]] == [
		"invoiced_revenue_plan",
		"invoiced_revenue_fact",
		"invoiced_revenue_pct",
		"invoiced_revenue_projection",
	]
	assert data[0]["label"] == COMPANY
	# each person's fact against their plan of the first metric, in tree order, as the rows say
	people = [r for r in result.rows if r["sales_person"] and not r["is_group"] and not r.get("not_credited")]
	assert chart["data"]["labels"] == [r["label"] for r in people] and "Alice" in chart["data"]["labels"]
	plan, fact = chart["data"]["datasets"]
	assert (plan["name"], fact["name"]) == ("Plan", "Fact")
	assert plan["values"] == [r["invoiced_revenue_plan"] or 0 for r in people]
	assert fact["values"] == [r["invoiced_revenue_fact"] for r in people]
	assert (chart["fieldtype"], chart["options"], chart["currency"]) == ("Currency", "currency", "USD")
	pct = next(c for c in columns if c["fieldname"] == "invoiced_revenue_pct")
	assert (pct["fieldtype"], pct["precision"]) == ("Percent", 1)
	assert summary[0]["value"] == pytest.approx(4000)


def test_plan_vs_fact_chart_of_many_people_shows_their_groups(db, monkeypatch):
	company_data(db, TREE_NOW)
	filters = plan_fact_filters(
		company=COMPANY, period_type="Quarter", period_start=Q1, metrics=["Invoiced Revenue"]
	)
	result = plan_vs_fact(db, filters, now=NOW)
	monkeypatch.setattr(report_rows, "MAX_PEOPLE", 2)
	_columns, _data, chart, _summary = plan_fact_report(result, Desk(lambda s: s, "USD"))
	assert chart["data"]["labels"] == ["Sales Team"]  # the company's children


def test_department_move_follows_the_tree_as_it_is_now(db):
	company_data(db, TREE_BEFORE)
	filters = plan_fact_filters(
		company=COMPANY, period_type="Quarter", period_start=Q1, metrics=["Invoiced Revenue"]
	)
	before = by_person(plan_vs_fact(db, filters, now=NOW))
	assert before["West"]["invoiced_revenue_fact"] == pytest.approx(880)
	assert before["East"]["invoiced_revenue_fact"] == pytest.approx(3120)
	b.sales_people(db, TREE_NOW)  # Carol moves to East
	after = by_person(plan_vs_fact(db, filters, now=NOW))
	assert after["West"]["invoiced_revenue_fact"] == 0
	assert after["East"]["invoiced_revenue_fact"] == pytest.approx(4000)
	assert after["Carol"]["invoiced_revenue_fact"] == pytest.approx(880)


def test_half_year_and_month_periods(db):
	company_data(db)
	half = plan_fact_filters(
		company=COMPANY, period_type="Half-year", period_start=Q1, metrics=["Payments Received"]
	)
	result = plan_vs_fact(db, half, now=NOW)
	assert result.period.end == date(2026, 6, 30) and result.period.days == 181
	assert by_person(result)["Alice"]["payments_received_fact"] == pytest.approx(2259 + 200)
	assert by_person(result)["Alice"]["payments_received_projection"] == pytest.approx(
		2459 / 45 * 181, abs=0.01
	)
	month = plan_fact_filters(company=COMPANY, period_type="Month", period_start=date(2026, 2, 1))
	rows = by_person(plan_vs_fact(db, month, now=NOW))
	# February: INV-2 (1320 to Alice), RET-1 (-500), INV-3 (Bob)
	assert rows["Alice"]["invoiced_revenue_fact"] == pytest.approx(820)
	assert rows["Alice"]["calls_with_outcome_fact"] == 0
	over = plan_vs_fact(db, month, now=datetime(2026, 5, 1))
	assert over.elapsed_days == 28
	assert by_person(over)["Alice"]["invoiced_revenue_projection"] == pytest.approx(820)
	before = plan_vs_fact(db, month, now=datetime(2026, 1, 1))
	assert by_person(before)["Alice"]["invoiced_revenue_projection"] is None


def test_uncredited_invoice_counts_for_the_company(db):
	b.sales_people(db, TREE_NOW)
	b.invoice(
		db, "INV-X", date(2026, 1, 10), [{"base_net_amount": 300, "stock_qty": 1, "incoming_rate": 100}]
	)
	b.ledger(db)
	filters = plan_fact_filters(
		company=COMPANY, period_type="Quarter", period_start=Q1, metrics=["Gross Margin"]
	)
	result = plan_vs_fact(db, filters, now=NOW)
	assert result.rows[0]["gross_margin_fact"] == pytest.approx(200)
	assert result.rows[-1]["label"] == "Not credited to a Sales Person"
	assert result.rows[-1]["gross_margin_fact"] == pytest.approx(200)


def test_periods():
	assert period_end("Quarter", date(2026, 10, 1)) == date(2026, 12, 31)
	assert period_end("Month", date(2024, 2, 1)) == date(2024, 2, 29)
	assert period_end("Year", date(2026, 1, 1)) == date(2026, 12, 31)
	assert period_containing("Half-year", date(2026, 8, 15)) == (date(2026, 7, 1), date(2026, 12, 31))
	assert make_period("Quarter", date(2026, 4, 1)).days == 91
	for period_type, start in (
		("Quarter", date(2026, 2, 1)),
		("Half-year", date(2026, 4, 1)),
		("Month", date(2026, 1, 2)),
	):
		with pytest.raises(InvalidInput):
			make_period(period_type, start)


def _rows(*specs) -> list[PlanRow]:
	return [PlanRow(s, m, t, p, i) for i, (s, p, m, t) in enumerate(specs, start=1)]


def test_plan_validation_messages(db):
	b.sales_people(db, TREE_NOW)

	def check(rows, start=Q1, period_type="Quarter", name=None):
		return validate_plan(
			db, name=name, company=COMPANY, period_type=period_type, period_start=start, rows=rows
		)

	assert check(
		_rows(("Sales Person", "East", "Won Deals", 10), ("Company", None, "Won Deals", 30))
	) == date(2026, 3, 31)
	with pytest.raises(InvalidInput) as error:
		check(_rows(("Sales Person", "Alice", "Won Deals", 1)), start=date(2026, 2, 1))
	assert "did you mean 2026-01-01" in str(error.value)
	with pytest.raises(InvalidInput) as error:
		check(_rows(("Sales Person", "Nobody", "Won Deals", 1)))
	assert "Sales Person Nobody does not exist" in str(error.value)
	with pytest.raises(InvalidInput) as error:
		check(_rows(("Sales Person", "Alice", "Won Deals", -1)))
	assert "zero or more" in str(error.value)
	with pytest.raises(InvalidInput) as error:
		check(_rows(("Sales Person", "Alice", "Won Deals", 1), ("Sales Person", "Alice", "Won Deals", 2)))
	assert "Rows 1 and 2" in str(error.value)
	with pytest.raises(InvalidInput) as error:
		check(_rows(("Sales Person", "Alice", "Won Deals", 1)), period_type="Week")
	assert error.value.message.args[1] == "Week"
	# another plan of the company for the same period already sets Alice's Won Deals
	insert(
		db,
		"Sales Plan",
		[{"name": "PLAN-9", "company": COMPANY, "period_type": "Quarter", "period_start": Q1}],
	)
	insert(
		db,
		"Sales Plan Target",
		[{"name": "PT-9", "parent": "PLAN-9", "parenttype": "Sales Plan", "parentfield": "targets", "idx": 1,
		  "scope_type": "Sales Person", "sales_person": "Alice", "metric": "Won Deals", "target": 5}],
	)  # fmt: skip
	with pytest.raises(InvalidInput) as error:
		check(_rows(("Sales Person", "Bob", "Won Deals", 1), ("Sales Person", "Alice", "Won Deals", 2)))
	assert "Row 2: Sales Plan PLAN-9 already sets Won Deals for Alice" in str(error.value)
	assert check(_rows(("Sales Person", "Alice", "Won Deals", 2)), name="PLAN-9")  # the plan itself
	assert check(_rows(("Sales Person", "Alice", "Won Deals", 2)), period_type="Month")  # another period
	db.sql("UPDATE `tabSales Plan` SET docstatus = 2 WHERE name = 'PLAN-9'")
	assert check(_rows(("Sales Person", "Alice", "Won Deals", 2)))  # cancelled plans do not count


def test_plan_fact_filters_reject_bad_input():
	with pytest.raises(InvalidInput):
		plan_fact_filters(company=None, period_type="Quarter", period_start=Q1)
	with pytest.raises(InvalidInput):
		plan_fact_filters(company=COMPANY, period_type="Quarter", period_start=Q1, metrics=["Happiness"])
	assert (
		plan_fact_filters(company=COMPANY, period_type="Year", period_start=Q1).metrics[0]
		== "invoiced_revenue"
	)


def test_plan_vs_fact_on_the_demo_company(demo_db):
	company = demo_db.sql(
		"SELECT company, MAX(posting_date) FROM `tabSales Invoice` GROUP BY company LIMIT 1"
	)[0]
	start = date(company[1].year, 1, 1)
	filters = plan_fact_filters(company=company[0], period_type="Year", period_start=start)
	result = plan_vs_fact(demo_db, filters, now=datetime(company[1].year, 12, 31))
	revenue = demo_db.sql(
		"""SELECT SUM(base_net_total) FROM `tabSales Invoice` WHERE company = %s AND docstatus = 1
		AND posting_date BETWEEN %s AND %s""",
		(company[0], start, date(start.year, 12, 31)),
	)[0][0]
	top = result.rows[0]
	assert top["invoiced_revenue_fact"] == pytest.approx(revenue, rel=1e-9)
	# every demo invoice has a Sales Team of 100 %: the tree's root holds the whole company
	root = next(row for row in result.rows if row["indent"] == 1)
	assert root["invoiced_revenue_fact"] == pytest.approx(revenue, rel=1e-6)
	assert top["payments_received_fact"] > 0 and top["gross_margin_fact"] > 0


def _plan(db, targets) -> None:
	insert(
		db,
		"Sales Plan",
		[{"name": "PLAN-R", "company": COMPANY, "period_type": "Quarter", "period_start": Q1}],
	)
	insert(
		db,
		"Sales Plan Target",
		[
			{"name": f"PTR-{i}", "parent": "PLAN-R", "parenttype": "Sales Plan", "parentfield": "targets",
			 "idx": i, "scope_type": s, "sales_person": p, "metric": m, "target": t}
			for i, (s, p, m, t) in enumerate(targets, start=1)
		],
	)  # fmt: skip


def test_a_restricted_view_shows_only_the_users_subtree(db):
	"""A Sales User sees their own Sales Person (and anyone under them), re-rooted: no company row, no other
	department, no "not credited" row; the summary is their own figures."""
	company_data(db)
	_plan(
		db,
		[
			("Sales Person", "Carol", "Invoiced Revenue", 1000),
			("Sales Person", "Alice", "Invoiced Revenue", 4000),
			("Company", None, "Invoiced Revenue", 10000),
		],
	)
	filters = plan_fact_filters(
		company=COMPANY, period_type="Quarter", period_start=Q1, metrics=["Invoiced Revenue"]
	)
	result = plan_vs_fact(db, filters, now=NOW, within=["Carol"])
	assert [row["sales_person"] for row in result.rows] == ["Carol"]
	(carol,) = result.rows
	assert carol["indent"] == 0 and carol["parent"] is None
	assert carol["invoiced_revenue_fact"] == pytest.approx(880)
	assert carol["invoiced_revenue_plan"] == 1000
	_columns, data, chart, summary = plan_fact_report(result, Desk(lambda s: s, "INR"))
	assert [row["node"] for row in data] == ["Carol"] and data[0]["parent_node"] is None
	assert chart["data"]["labels"] == ["Carol"]
	assert summary[0]["value"] == pytest.approx(880)
	assert summary[0]["indicator"] == "Orange"  # 88 % of her plan, not 40 % of the company's
	# a group: its members under it, indented below it
	east = plan_vs_fact(db, filters, now=NOW, within=["East"])
	assert [(row["sales_person"], row["indent"]) for row in east.rows] == [
		("East", 0),
		("Alice", 1),
		("Bob", 1),
		("Carol", 1),
	]
	assert east.rows[1]["parent"] == "East"
	# a user with no Sales Person sees nothing, not the company
	assert plan_vs_fact(db, filters, now=NOW, within=[]).rows == []
	# the Sales Person filter narrows the same way, and within the user's own subtree
	chosen = plan_fact_filters(company=COMPANY, period_type="Quarter", period_start=Q1, sales_people=["West"])
	assert [row["sales_person"] for row in plan_vs_fact(db, chosen, now=NOW).rows] == ["West", "Dave"]
	assert plan_vs_fact(db, chosen, now=NOW, within=["East"]).rows == []


def test_money_columns_take_their_currency_from_the_rows(db):
	"""Frappe formats a Currency column with the currency named by the row field in its `options` (a currency
	code there is read as a field name, found missing, and the site's default currency shown instead)."""
	company_data(db)
	filters = plan_fact_filters(
		company=COMPANY, period_type="Quarter", period_start=Q1, metrics=["Invoiced Revenue", "Won Deals"]
	)
	columns, data, _chart, summary = plan_fact_report(
		plan_vs_fact(db, filters, now=NOW), Desk(lambda s: s, "INR")
	)
	money = {c["fieldname"]: c for c in columns if c["fieldname"].startswith("invoiced_revenue")}
	assert money["invoiced_revenue_fact"]["fieldtype"] == "Currency"
	assert money["invoiced_revenue_fact"]["options"] == "currency"
	assert money["invoiced_revenue_plan"]["options"] == "currency"
	assert {row["currency"] for row in data} == {"INR"}
	assert next(c for c in columns if c["fieldname"] == "won_deals_fact")["fieldtype"] == "Float"
	assert summary[0]["currency"] == "INR"


@pytest.mark.parametrize(
	("arguments", "message"),
	[
		({"company": "No Such Co"}, "Company No Such Co does not exist"),
		({"period_type": "Year", "period_start": date(9999, 1, 1)}, "out of range"),
		({"period_type": "Month", "period_start": date(1, 1, 1)}, "out of range"),
		({"sales_people": "Alice"}, "must be a list of names"),
		({"sales_people": ["Nobody"]}, "Sales Person Nobody does not exist"),
	],
)
def test_plan_vs_fact_bad_input_is_a_clear_error(db, arguments, message):
	company_data(db)
	with pytest.raises(InvalidInput, match=message):
		values = {"company": COMPANY, "period_type": "Quarter", "period_start": Q1, **arguments}
		plan_vs_fact(db, plan_fact_filters(**values), now=NOW)


def test_plan_vs_fact_within_must_be_a_list(db):
	company_data(db)
	filters = plan_fact_filters(company=COMPANY, period_type="Quarter", period_start=Q1)
	with pytest.raises(InvalidInput, match="must be a list of names"):
		plan_vs_fact(db, filters, now=NOW, within="carol@example.com")


@pytest.mark.parametrize(
	("target", "message"),
	[
		(float("nan"), "must be a number"),
		(float("inf"), "must be a number"),
		(float("-inf"), "must be a number"),
		("lots", "must be a number"),
		(None, "must be a number"),
		(1e15, "too large"),
		(-1, "zero or more"),
	],
)
def test_plan_targets_must_be_real_amounts(db, target, message):
	b.sales_people(db, TREE_NOW)
	with pytest.raises(InvalidInput, match=message):
		validate_plan(
			db,
			name=None,
			company=COMPANY,
			period_type="Quarter",
			period_start=Q1,
			rows=_rows(("Sales Person", "Alice", "Won Deals", target)),
		)


def test_a_plan_needs_a_company_that_exists_and_a_period_in_range(db):
	b.sales_people(db, TREE_NOW)
	rows = _rows(("Sales Person", "Alice", "Won Deals", 1))

	def check(**values):
		arguments = {"name": None, "company": COMPANY, "period_type": "Quarter", "period_start": Q1, **values}
		return validate_plan(db, rows=rows, **arguments)

	with pytest.raises(InvalidInput, match="Company No Such Co does not exist"):
		check(company="No Such Co")
	with pytest.raises(InvalidInput, match="out of range"):
		check(period_type="Year", period_start=date(9999, 1, 1))
	with pytest.raises(InvalidInput, match="out of range"):
		check(period_type="Month", period_start=date(1, 1, 1))
	assert check(period_type="Quarter", period_start=date(9998, 10, 1)) == date(9998, 12, 31)
