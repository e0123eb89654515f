"""Daily Payments: the manager's morning report.

Per Sales Person, in the company currency, for a day `on`:

- due tomorrow: Payment Schedule rows of submitted invoices due on the next day with an outstanding amount;
- received today: submitted Payment Entries (Receive) posted on the day, their amounts allocated to invoices;
- due this week: outstanding schedule rows due in the day's week (Monday to Sunday), including those past;
- overdue: outstanding schedule rows due before the day.

Schedule amounts are in the invoice currency and converted with the invoice's conversion rate. What a schedule
row still asks is its `outstanding`, capped by what the invoice still owes: ERPNext lowers `outstanding` only for
a payment that names the row's payment term (`PaymentEntry.update_payment_schedule`), and a payment made from the
invoice names none, so a fully paid invoice keeps rows that look unpaid. The invoice's `outstanding_amount` is kept
whatever the payment; the amount paid went to the earliest rows first (as ERPNext's Accounts Receivable allocates
it to payment terms), so the invoice's outstanding amount covers its latest rows: a row still asks
`min(outstanding, invoice outstanding - what the rows due after it still ask)`, never less than nothing.
Everything is credited as in plan/fact (`crediting.CREDIT_JOINS`): the invoice's Sales Team by percentage, a
credit note's returned invoice's team, else the deal owner's Sales Person. Received today is read from the credit
ledger (Plan vs Fact's payment facts for one day); the schedules are joined to their invoices directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.inputs import check_company, check_date, name_list
from sales_funnel.engine.sales.crediting import CREDIT_JOINS, CREDIT_SHARE, CREDITED_TO
from sales_funnel.engine.sales.facts import NOT_CREDITED, NOT_CREDITED_KEY, payment_facts
from sales_funnel.engine.sales.sales_people import sales_person_tree, visible_people

FIGURES = ("due_tomorrow", "received_today", "due_this_week", "overdue")
DAYS_AHEAD = 7  # the days of the "by day" chart: today and the six after it

# The invoice's outstanding amount in the invoice currency: it is in the receivable account's currency, which is
# the company currency when the invoice is in another currency but its receivable account is not.
INVOICE_OUTSTANDING = """CASE WHEN IFNULL(NULLIF(si.party_account_currency, ''), si.currency) = si.currency
	THEN si.outstanding_amount ELSE si.outstanding_amount / NULLIF(si.conversion_rate, 0) END"""
# what the invoice's rows due after this one still ask (due later, or the same day and later in the table)
LATER_DUES = """IFNULL((SELECT SUM(later.outstanding) FROM `tabPayment Schedule` later
	WHERE later.parent = ps.parent AND later.parenttype = 'Sales Invoice' AND later.outstanding > 0
		AND (later.due_date > ps.due_date OR (later.due_date = ps.due_date
			AND (later.idx > ps.idx OR (later.idx = ps.idx AND later.name > ps.name))))), 0)"""
STILL_DUE = f"LEAST(ps.outstanding, GREATEST(0, {INVOICE_OUTSTANDING} - {LATER_DUES}))"


@dataclass(frozen=True)
class PaymentDay:
	on: date

	@property
	def tomorrow(self) -> date:
		return self.on + timedelta(days=1)

	@property
	def week(self) -> tuple[date, date]:
		monday = self.on - timedelta(days=self.on.weekday())
		return monday, monday + timedelta(days=6)


def daily_payments(
	db: Database,
	company: str,
	on: date,
	*,
	sales_people: Sequence[str] | None = None,
	within: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
	"""One row per Sales Person with any figure (and a "not credited" row), largest overdue first.

	`sales_people`: only these (a group means everyone under it); None for all. `within`: the people the user may
	see (a Sales User's own Sales People and everyone under them; no "not credited" row); None for everyone.
	Bad input (no such company or Sales Person, a text instead of a list, a date out of range) is InvalidInput."""
	check_company(db, company)
	check_date(on, _("Date"))
	tree = sales_person_tree(db)
	frame = _only_visible(_figures(db, company, PaymentDay(on)), tree, sales_people, within)
	return _rows(frame, tree)


def payments_due_by_day(
	db: Database,
	company: str,
	on: date,
	*,
	days: int = DAYS_AHEAD,
	sales_people: Sequence[str] | None = None,
	within: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
	"""What is due on each of the `days` days from `on`, for the same people as `daily_payments`: a row per day
	`{"day", "due"}` in the company currency (days with nothing due included), after one row `{"day": None}` of
	what fell due before `on` and is still outstanding. Credited and converted as `daily_payments`."""
	check_company(db, company)
	check_date(on, _("Date"))
	if days < 1:
		raise InvalidInput(Message(_("The number of days must be at least 1.")))
	tree = sales_person_tree(db)
	frame = _only_visible(_due_per_day(db, company, on, days), tree, sales_people, within)
	due = frame.groupby("day", dropna=False)["due"].sum() if len(frame) else pd.Series(dtype=float)
	totals = {
		(None if pd.isna(day) else pd.Timestamp(day).date()): float(value) for day, value in due.items()
	}
	calendar = [None, *(on + timedelta(days=offset) for offset in range(days))]
	return [{"day": day, "due": round(totals.get(day, 0.0), 2)} for day in calendar]


def _only_visible(
	frame: pd.DataFrame, tree: pd.DataFrame, sales_people: Sequence[str] | None, within: Sequence[str] | None
) -> pd.DataFrame:
	"""The rows of the people chosen (a group means everyone under it) that the user may see."""
	chosen = name_list(sales_people, _("Sales People"))
	own = name_list(within, _("Sales People"))
	visible = visible_people(tree, chosen, own)
	return frame if visible is None else frame[frame["sales_person"].isin(visible)]


def _due_per_day(db: Database, company: str, on: date, days: int) -> pd.DataFrame:
	"""Outstanding schedule amounts per credited Sales Person and due day (None: due before `on`)."""
	values = {"company": company, "on": on, "until": on + timedelta(days=days)}
	rows = db.sql(
		f"""SELECT {CREDITED_TO} AS sales_person,
			CASE WHEN ps.due_date < %(on)s THEN NULL ELSE ps.due_date END AS day,
			SUM({STILL_DUE} * si.conversion_rate * {CREDIT_SHARE}) AS due
		FROM `tabPayment Schedule` ps
		JOIN `tabSales Invoice` si ON si.name = ps.parent AND ps.parenttype = 'Sales Invoice'
		{CREDIT_JOINS}
		WHERE si.company = %(company)s AND si.docstatus = 1 AND ps.outstanding > 0 AND si.outstanding_amount > 0
			AND ps.due_date < %(until)s
		GROUP BY 1, 2""",
		values,
		as_dict=True,
	)
	frame = rows_frame(rows) if rows else pd.DataFrame(columns=["sales_person", "day", "due"])
	frame["due"] = frame["due"].astype(float)
	return frame


def _scheduled(db: Database, company: str, day: PaymentDay) -> list[dict[str, Any]]:
	"""Due tomorrow, due this week and overdue per credited Sales Person, from the invoices' schedules."""
	monday, sunday = day.week
	values = {"company": company, "on": day.on, "tomorrow": day.tomorrow, "monday": monday, "sunday": sunday}
	outstanding = f"{STILL_DUE} * si.conversion_rate * {CREDIT_SHARE}"
	return db.sql(
		f"""SELECT {CREDITED_TO} AS sales_person,
			SUM(CASE WHEN ps.due_date = %(tomorrow)s THEN {outstanding} ELSE 0 END) AS due_tomorrow,
			SUM(CASE WHEN ps.due_date BETWEEN %(monday)s AND %(sunday)s THEN {outstanding} ELSE 0 END)
				AS due_this_week,
			SUM(CASE WHEN ps.due_date < %(on)s THEN {outstanding} ELSE 0 END) AS overdue
		FROM `tabPayment Schedule` ps
		JOIN `tabSales Invoice` si ON si.name = ps.parent AND ps.parenttype = 'Sales Invoice'
		{CREDIT_JOINS}
		WHERE si.company = %(company)s AND si.docstatus = 1 AND ps.outstanding > 0 AND si.outstanding_amount > 0
			AND ps.due_date <= GREATEST(%(sunday)s, %(tomorrow)s)
		GROUP BY 1""",
		values,
		as_dict=True,
	)


def _figures(db: Database, company: str, day: PaymentDay) -> pd.DataFrame:
	"""One row per credited Sales Person ('' = not credited) with the four figures."""
	# payments received today are Plan vs Fact's payment facts for a one-day period (uncredited ones left out)
	facts = payment_facts(db, company, day.on, day.on).reset_index()
	received = (
		facts[facts["sales_person"] != NOT_CREDITED_KEY]
		.rename(columns={"payments_received": "received_today"})
		.to_dict("records")
	)
	frame = pd.DataFrame(columns=["sales_person", *FIGURES])
	for rows in (_scheduled(db, company, day), received):
		if rows:
			frame = pd.concat([frame, rows_frame(rows)], ignore_index=True)
	frame = frame.fillna({f: 0.0 for f in FIGURES})
	frame[list(FIGURES)] = frame[list(FIGURES)].astype(float)
	return frame.groupby("sales_person", as_index=False)[list(FIGURES)].sum()


def _rows(frame: pd.DataFrame, tree: pd.DataFrame) -> list[dict[str, Any]]:
	"""The report's rows: people with any figure, largest overdue first, with their name and group."""
	names = dict(zip(tree["name"], tree["sales_person_name"], strict=True))
	parents = dict(zip(tree["name"], tree["parent"], strict=True))
	frame = frame[(frame[list(FIGURES)].abs() > 0.005).any(axis=1)]
	frame = frame.sort_values(["overdue", "due_tomorrow", "sales_person"], ascending=[False, False, True])
	rows = []
	for record in frame.to_dict("records"):
		person = record["sales_person"]
		rows.append(
			{
				"sales_person": person or None,
				"sales_person_name": names.get(person) or person or NOT_CREDITED,
				"department": parents.get(person) or None,
				**{figure: round(float(record[figure]), 2) for figure in FIGURES},
			}
		)
	return rows


__all__ = [
	"DAYS_AHEAD",
	"FIGURES",
	"PaymentDay",
	"daily_payments",
	"payments_due_by_day",
]
