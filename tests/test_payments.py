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

from sales_funnel.engine.payments import PaymentDay, daily_payments, sales_people_of_user
from tests import planfact_builders as b
from tests.builders import COMPANY
from tests.test_planfact import TREE_NOW

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


def test_a_sales_user_sees_their_own_and_a_group_its_members(db):
	data(db)
	assert sales_people_of_user(db, "carol@example.com") == ["Carol"]
	own = daily_payments(db, COMPANY, ON, sales_people=["Carol"])
	assert [row["sales_person"] for row in own] == ["Carol"]
	east = daily_payments(db, COMPANY, ON, sales_people=["East"])
	assert {row["sales_person"] for row in east} == {"Alice", "Carol"}
	assert daily_payments(db, COMPANY, ON, sales_people=["West"]) == []
	assert daily_payments(db, COMPANY, ON, sales_people=[]) == []


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
