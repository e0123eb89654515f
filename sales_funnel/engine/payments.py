"""Daily Payments: the manager's morning report.

Per Sales Person, in the company currency, for a day `on`:

- due tomorrow: Payment Schedule rows of submitted invoices due on the next day with an outstanding amount;
- received today: submitted Payment Entries (Receive) posted on the day, their amounts allocated to invoices;
- due this week: outstanding schedule rows due in the day's week (Monday to Sunday), including those past;
- overdue: outstanding schedule rows due before the day.

Schedule amounts (`outstanding`) are in the invoice currency and converted with the invoice's conversion rate.
Everything is credited as in plan/fact (`crediting.CREDIT_JOINS`): the invoice's Sales Team by percentage, a
credit note's returned invoice's team, else the deal owner's Sales Person. Received today is read from the credit
ledger (Plan vs Fact's payment facts for one day); the schedules are joined to their invoices directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sales_funnel.engine.crediting import CREDIT_JOINS, CREDIT_SHARE, CREDITED_TO
from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.i18n import _
from sales_funnel.engine.planfact import (
	NOT_CREDITED,
	NOT_CREDITED_KEY,
	payment_facts,
	sales_person_tree,
)

FIGURES = ("due_tomorrow", "received_today", "due_this_week", "overdue")
FIGURE_LABELS = {
	"due_tomorrow": _("Due Tomorrow"),
	"received_today": _("Received Today"),
	"due_this_week": _("Due This Week"),
	"overdue": _("Overdue"),
}


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
	db: Database, company: str, on: date, *, sales_people: Sequence[str] | None = None
) -> list[dict[str, Any]]:
	"""One row per Sales Person with any figure (and a "not credited" row), largest overdue first.

	`sales_people`: only these (a group means everyone under it); None for all."""
	day = PaymentDay(on)
	monday, sunday = day.week
	values = {"company": company, "on": on, "tomorrow": day.tomorrow, "monday": monday, "sunday": sunday}
	outstanding = "ps.outstanding * si.conversion_rate * " + CREDIT_SHARE
	scheduled = db.sql(
		f"""SELECT {CREDITED_TO} AS sales_person,
			SUM(CASE WHEN ps.due_date = %(tomorrow)s THEN {outstanding} ELSE 0 END) AS due_tomorrow,
			SUM(CASE WHEN ps.due_date BETWEEN %(monday)s AND %(sunday)s THEN {outstanding} ELSE 0 END)
				AS due_this_week,
			SUM(CASE WHEN ps.due_date < %(on)s THEN {outstanding} ELSE 0 END) AS overdue
		FROM `tabPayment Schedule` ps
		JOIN `tabSales Invoice` si ON si.name = ps.parent AND ps.parenttype = 'Sales Invoice'
		{CREDIT_JOINS}
		WHERE si.company = %(company)s AND si.docstatus = 1 AND ps.outstanding > 0
			AND ps.due_date <= GREATEST(%(sunday)s, %(tomorrow)s)
		GROUP BY 1""",
		values,
		as_dict=True,
	)
	# payments received today are Plan vs Fact's payment facts for a one-day period (uncredited ones left out)
	facts = payment_facts(db, company, on, on).reset_index()
	received = (
		facts[facts["sales_person"] != NOT_CREDITED_KEY]
		.rename(columns={"payments_received": "received_today"})
		.to_dict("records")
	)
	frame = pd.DataFrame(columns=["sales_person", *FIGURES])
	for rows in (scheduled, received):
		if rows:
			frame = pd.concat([frame, rows_frame(rows)], ignore_index=True)
	frame = frame.fillna({f: 0.0 for f in FIGURES})
	frame[list(FIGURES)] = frame[list(FIGURES)].astype(float)
	frame = frame.groupby("sales_person", as_index=False)[list(FIGURES)].sum()
	tree = sales_person_tree(db)
	if sales_people is not None:
		chosen = tree[tree["name"].isin(list(sales_people))]
		lft, rgt = tree["lft"].to_numpy(dtype=np.int64), tree["rgt"].to_numpy(dtype=np.int64)
		under = (chosen["lft"].to_numpy(dtype=np.int64)[:, None] <= lft[None, :]) & (
			chosen["rgt"].to_numpy(dtype=np.int64)[:, None] >= rgt[None, :]
		)
		frame = frame[frame["sales_person"].isin(set(tree["name"][under.any(axis=0)]))]
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


def sales_people_of_user(db: Database, user: str) -> list[str]:
	"""The Sales People whose Employee is this user (a Sales User sees only their own figures)."""
	return [
		row[0]
		for row in db.sql(
			"""SELECT sp.name FROM `tabSales Person` sp JOIN `tabEmployee` e ON e.name = sp.employee
			WHERE e.user_id = %s""",
			(user,),
		)
	]


__all__ = [
	"FIGURES",
	"FIGURE_LABELS",
	"NOT_CREDITED_KEY",
	"PaymentDay",
	"daily_payments",
	"sales_people_of_user",
]
