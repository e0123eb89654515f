"""Daily Payments on hand-built schedules and payments (company currency USD), for Wednesday 2026-02-11
(week 2026-02-09 .. 2026-02-15, tomorrow 2026-02-12).

INV-1 (Alice 100 %): due 02-12 outstanding 400; due 02-01 outstanding 300 (overdue); due 03-01 outstanding 500.
INV-2 (EUR at 1.1, Alice 60 % / Carol 40 %): due 02-14 outstanding 1000 EUR = 1100 (660 / 440).
Received on 02-11: 250 of INV-1 and 100 EUR of INV-2 (= 110: 66 / 44). A draft invoice due tomorrow and a paid
schedule row due tomorrow do not count.
"""

from __future__ import annotations

from datetime import date

import pytest

from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.sales.payments import PaymentDay, daily_payments, payments_due_by_day
from sales_funnel.engine.sales.sales_people import sales_people_of_user
from tests.builders import COMPANY
from tests.sales import planfact_builders as b
from tests.sales.test_planfact import TREE_NOW

ON = date(2026, 2, 11)


def data(db) -> None:
	b.sales_people(db, TREE_NOW)
	b.invoice(db, "INV-1", date(2026, 1, 10), [{"base_net_amount": 1500}], team=[("Alice", 100)])
	b.schedule(db, "INV-1", date(2026, 2, 12), 1000, 400)
	b.schedule(db, "INV-1", date(2026, 2, 1), 300, 300)
	b.schedule(db, "INV-1", date(2026, 3, 1), 500, 500)
	b.schedule(db, "INV-1", date(2026, 2, 12), 200, 0)
	b.invoice(
		db,
		"INV-2",
		date(2026, 2, 1),
		[{"base_net_amount": 2200}],
		team=[("Alice", 60), ("Carol", 40)],
		currency="EUR",
		conversion_rate=1.1,
	)
	b.schedule(db, "INV-2", date(2026, 2, 14), 2000, 1000)
	b.invoice(
		db, "INV-DRAFT", date(2026, 2, 1), [{"base_net_amount": 50}], team=[("Alice", 100)], docstatus=0
	)
	b.schedule(db, "INV-DRAFT", date(2026, 2, 12), 50, 50)
	b.payment(db, ON, [("INV-1", 250), ("INV-2", 100)])
	b.payment(db, date(2026, 2, 10), [("INV-1", 999)])
	b.ledger(db)


def test_daily_payments_by_hand(db):
	data(db)
	rows = {row["sales_person"]: row for row in daily_payments(db, COMPANY, ON)}
	assert set(rows) == {"Alice", "Carol"}
	alice, carol = rows["Alice"], rows["Carol"]
	assert alice["due_tomorrow"] == pytest.approx(400)
	assert alice["due_this_week"] == pytest.approx(1060)
	assert alice["overdue"] == pytest.approx(300)
	assert alice["received_today"] == pytest.approx(316)
	assert alice["department"] == "East"
	assert carol == {
		"sales_person": "Carol",
		"sales_person_name": "Carol",
		"department": "East",
		"due_tomorrow": 0.0,
		"received_today": pytest.approx(44),
		"due_this_week": pytest.approx(440),
		"overdue": 0.0,
	}


def test_payments_due_by_day_by_hand(db):
	"""Overdue as one bar (INV-1's 300 of 02-01), then each day from 02-11: INV-1's 400 on 02-12, INV-2's 1100 on
	02-14 (Alice 660, Carol 440); INV-1's 500 of 03-01 is after the seven days; a Sales User sees their share."""
	data(db)
	days = payments_due_by_day(db, COMPANY, ON)
	assert [row["day"] for row in days] == [None, *(date(2026, 2, d) for d in range(11, 18))]
	assert [row["due"] for row in days] == pytest.approx([300, 0, 400, 0, 1100, 0, 0, 0])
	carol = payments_due_by_day(db, COMPANY, ON, days=4, within=["Carol"])
	assert [row["due"] for row in carol] == pytest.approx([0, 0, 0, 0, 440])
	assert [row["due"] for row in payments_due_by_day(db, COMPANY, ON, sales_people=["West"])] == [0] * 8
	with pytest.raises(InvalidInput, match="at least 1"):
		payments_due_by_day(db, COMPANY, ON, days=0)


def test_a_sales_user_sees_their_own_and_a_group_its_members(db):
	data(db)
	assert sales_people_of_user(db, "carol@example.com") == ["Carol"]
	own = daily_payments(db, COMPANY, ON, sales_people=["Carol"])
	assert [row["sales_person"] for row in own] == ["Carol"]
	east = daily_payments(db, COMPANY, ON, sales_people=["East"])
	assert {row["sales_person"] for row in east} == {"Alice", "Carol"}
	assert daily_payments(db, COMPANY, ON, sales_people=["West"]) == []
	assert daily_payments(db, COMPANY, ON, sales_people=[]) == []


def test_payments_that_name_no_payment_term_pay_the_earliest_dues(db):
	"""ERPNext lowers a schedule row's `outstanding` only for a payment that names its payment term; a payment made
	from the invoice (no term, the common case) lowers the invoice's outstanding amount alone. The rows keep their
	amounts, and what the invoice still owes is the latest rows': the payments went to the earliest."""
	b.sales_people(db, TREE_NOW)
	# paid in full, no term named: nothing is due although the row still says 1000
	b.invoice(
		db, "INV-PAID", date(2026, 2, 1), [{"base_net_amount": 1000}], team=[("Alice", 100)], outstanding=0
	)
	b.schedule(db, "INV-PAID", date(2026, 2, 12), 1000, 1000)
	# 1200 in three rows, 600 paid: the overdue row (300) is paid, 100 of tomorrow's 400 still due, 03-01 all due
	b.invoice(
		db, "INV-PART", date(2026, 1, 5), [{"base_net_amount": 1200}], team=[("Carol", 100)], outstanding=600
	)
	b.schedule(db, "INV-PART", date(2026, 2, 1), 300, 300, idx=1)
	b.schedule(db, "INV-PART", date(2026, 2, 12), 400, 400, idx=2)
	b.schedule(db, "INV-PART", date(2026, 3, 1), 500, 500, idx=3)
	# in EUR at 1.1: 150 EUR of 200 still owed, both rows due tomorrow: the second row (idx 2) is the later one
	b.invoice(
		db,
		"INV-EUR",
		date(2026, 2, 1),
		[{"base_net_amount": 220}],
		team=[("Dave", 100)],
		currency="EUR",
		conversion_rate=1.1,
		outstanding=150,
	)
	b.schedule(db, "INV-EUR", date(2026, 2, 12), 100, 100, idx=1)
	b.schedule(db, "INV-EUR", date(2026, 2, 12), 100, 100, idx=2)
	b.ledger(db)
	rows = {row["sales_person"]: row for row in daily_payments(db, COMPANY, ON)}
	assert "Alice" not in rows
	carol = rows["Carol"]
	assert carol["overdue"] == 0.0
	assert carol["due_tomorrow"] == pytest.approx(100)
	assert carol["due_this_week"] == pytest.approx(100)
	assert rows["Dave"]["due_tomorrow"] == pytest.approx(165)  # 150 EUR


def test_a_row_lowered_by_a_payment_term_keeps_its_own_outstanding(db):
	b.sales_people(db, TREE_NOW)
	b.invoice(
		db, "INV-T", date(2026, 2, 1), [{"base_net_amount": 1000}], team=[("Alice", 100)], outstanding=700
	)
	b.schedule(db, "INV-T", date(2026, 2, 10), 500, 200, idx=1)  # 300 paid against its term
	b.schedule(db, "INV-T", date(2026, 2, 12), 500, 500, idx=2)
	b.ledger(db)
	(alice,) = daily_payments(db, COMPANY, ON)
	assert alice["overdue"] == pytest.approx(200)
	assert alice["due_tomorrow"] == pytest.approx(500)


@pytest.mark.parametrize(
	("arguments", "message"),
	[
		({"sales_people": "Alice"}, "must be a list of names"),
		({"within": "alice@example.com"}, "must be a list of names"),
		({"sales_people": ["Nobody"]}, "Sales Person Nobody does not exist"),
		({"company": None}, "Choose a Company"),
		({"company": "No Such Co"}, "Company No Such Co does not exist"),
		({"on": date.max}, "out of range"),
		({"on": date(9999, 12, 30)}, "out of range"),  # its week would end after date.max
		({"on": None}, "Set the Date"),
	],
)
def test_bad_input_is_a_clear_error(db, arguments, message):
	data(db)
	call = {"company": COMPANY, "on": ON, **arguments}
	with pytest.raises(InvalidInput, match=message):
		daily_payments(db, call.pop("company"), call.pop("on"), **call)


def test_within_limits_to_the_users_own_people(db):
	data(db)
	assert [row["sales_person"] for row in daily_payments(db, COMPANY, ON, within=["Carol"])] == ["Carol"]
	# a group leader's own subtree, narrowed further by the chosen person
	both = daily_payments(db, COMPANY, ON, sales_people=["Alice"], within=["East"])
	assert [row["sales_person"] for row in both] == ["Alice"]
	assert daily_payments(db, COMPANY, ON, sales_people=["Alice"], within=["Carol"]) == []
	assert daily_payments(db, COMPANY, ON, within=[]) == []


def test_week_runs_monday_to_sunday():
	assert PaymentDay(date(2026, 2, 15)).week == (date(2026, 2, 9), date(2026, 2, 15))
	assert PaymentDay(date(2026, 2, 16)).week == (date(2026, 2, 16), date(2026, 2, 22))


def test_daily_payments_on_the_demo_company(demo_db):
	company, day = demo_db.sql(
		"SELECT company, MAX(posting_date) FROM `tabPayment Entry` GROUP BY company LIMIT 1"
	)[0]
	rows = daily_payments(demo_db, company, day)
	received = demo_db.sql(
		"""SELECT SUM(per.allocated_amount * si.conversion_rate) FROM `tabPayment Entry` pe
		JOIN `tabPayment Entry Reference` per ON per.parent = pe.name
		JOIN `tabSales Invoice` si ON si.name = per.reference_name
		WHERE pe.company = %s AND pe.posting_date = %s AND pe.docstatus = 1""",
		(company, day),
	)[0][0]
	assert sum(row["received_today"] for row in rows) == pytest.approx(received, rel=1e-6)
	assert any(row["overdue"] > 0 for row in rows)
