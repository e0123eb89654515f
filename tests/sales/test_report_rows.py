"""The Desk's shape of Daily Payments and Invoices Without Deal (`sales.report_rows`), from hand-written engine rows:
columns, the currency every row carries, translated texts, Link columns only to doctypes the user may read.
(Plan vs Fact's shape is tested with its figures in test_planfact.py.)"""

from __future__ import annotations

from datetime import date

from sales_funnel.engine.sales.payments import FIGURES
from sales_funnel.engine.sales.report_rows import (
	Desk,
	daily_payments_report,
	invoices_without_deal_report,
	link_column,
)


def shout(text: str) -> str:
	return text.upper()


PAYMENT_ROWS = [
	{
		"sales_person": "Alice",
		"sales_person_name": "Alice A.",
		"department": "East",
		"due_tomorrow": 100.0,
		"received_today": 50.0,
		"due_this_week": 300.0,
		"overdue": 20.0,
	},
	{
		"sales_person": None,
		"sales_person_name": "Not credited to a Sales Person",
		"department": None,
		"due_tomorrow": 0.0,
		"received_today": 10.0,
		"due_this_week": 0.0,
		"overdue": 0.0,
	},
]

BY_DAY = [(11, 0.0), (12, 100.0), (13, 0.0)]  # today, tomorrow, the day after

INVOICE_ROWS = [
	{
		"invoice": "SINV-1",
		"posting_date": date(2026, 1, 5),
		"customer": "Cust",
		"is_return": 0,
		"base_net_total": 1200.0,
		"deal": None,
		"suggested_deal": "OPP-1",
		"deals": 2,
		"share": 75.0,
		"reason": "Several deals",
	}
]


def test_link_columns_only_to_doctypes_the_user_may_read():
	readable = Desk(shout, can_read=lambda doctype: doctype == "Sales Invoice")
	assert link_column(readable, "invoice", "Invoice", "Sales Invoice", 170) == {
		"fieldname": "invoice",
		"label": "Invoice",
		"width": 170,
		"fieldtype": "Link",
		"options": "Sales Invoice",
	}
	assert link_column(readable, "deal", "Deal", "Opportunity", 150, hidden=1) == {
		"fieldname": "deal",
		"label": "Deal",
		"width": 150,
		"hidden": 1,
		"fieldtype": "Data",
	}


def test_daily_payments_columns_rows_and_chart():
	columns, data, chart = daily_payments_report(PAYMENT_ROWS, Desk(shout, "EUR"))
	assert [(c["fieldname"], c["label"], c["fieldtype"]) for c in columns] == [
		("sales_person", "SALES PERSON", "Link"),
		("department", "GROUP", "Link"),
		("due_tomorrow", "DUE TOMORROW", "Currency"),
		("received_today", "RECEIVED TODAY", "Currency"),
		("due_this_week", "DUE THIS WEEK", "Currency"),
		("overdue", "OVERDUE", "Currency"),
	]
	assert {c.get("options") for c in columns[2:]} == {"currency"}
	assert [row["currency"] for row in data] == ["EUR", "EUR"]
	# only the "not credited" row's name is a text to translate; a Sales Person's name is shown as it is
	assert [row["sales_person_name"] for row in data] == ["Alice A.", "NOT CREDITED TO A SALES PERSON"]
	assert chart is None  # no days given: nothing to draw by day
	by_day = [{"day": None, "due": 20.0}, *({"day": date(2026, 2, d), "due": due} for d, due in BY_DAY)]
	chart = daily_payments_report(PAYMENT_ROWS, Desk(shout, "EUR"), by_day)[2]
	assert chart["data"]["labels"] == ["OVERDUE", "TODAY", "2026-02-12", "2026-02-13"]
	overdue, due, received = chart["data"]["datasets"]
	assert (overdue["name"], due["name"], received["name"]) == ("OVERDUE", "DUE", "RECEIVED TODAY")
	assert overdue["values"] == [20.0, 0.0, 0.0, 0.0]
	assert due["values"] == [0.0, 0.0, 100.0, 0.0]
	assert received["values"] == [0.0, 60.0, 0.0, 0.0]  # both rows' received today
	# money tooltips in the company currency (Frappe reads it from the chart's `currency`); what is late in red
	assert (chart["fieldtype"], chart["options"], chart["currency"]) == ("Currency", "currency", "EUR")
	assert chart["colors"] == ["red", "blue", "green"] and chart["barOptions"] == {"stacked": 1}
	nothing = [{"day": None, "due": 0.0}, {"day": date(2026, 2, 11), "due": 0.0}]
	assert daily_payments_report([], Desk(shout, "EUR"), nothing)[2] is None
	assert daily_payments_report([], Desk(shout, "EUR"))[2] is None
	assert PAYMENT_ROWS[1]["sales_person_name"] == "Not credited to a Sales Person"  # the input is left alone


def test_daily_payments_for_a_user_who_may_not_read_sales_people():
	columns, _data, _chart = daily_payments_report(PAYMENT_ROWS, Desk(shout, "EUR", lambda doctype: False))
	assert [c["fieldtype"] for c in columns[:2]] == ["Data", "Data"]


def test_invoices_without_deal_columns_and_rows():
	columns, data = invoices_without_deal_report(
		INVOICE_ROWS, Desk(shout, "USD", lambda d: d != "Opportunity")
	)
	by_field = {c["fieldname"]: c for c in columns}
	assert list(by_field) == [
		"invoice",
		"posting_date",
		"customer",
		"is_return",
		"base_net_total",
		"reason",
		"deal",
		"suggested_deal",
		"deals",
		"share",
	]
	assert by_field["invoice"]["fieldtype"] == "Link" and by_field["customer"]["options"] == "Customer"
	assert by_field["deal"]["fieldtype"] == "Data" and by_field["suggested_deal"]["fieldtype"] == "Data"
	assert by_field["base_net_total"]["fieldtype"] == "Currency"
	assert by_field["base_net_total"]["options"] == "currency"
	assert by_field["share"]["label"] == "SHARE OF SUGGESTED DEAL"
	assert data == [{**INVOICE_ROWS[0], "reason": "SEVERAL DEALS", "currency": "USD"}]
