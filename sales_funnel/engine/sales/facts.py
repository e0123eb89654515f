"""Facts per credited Sales Person for a company and period, all amounts in the company currency.

- Invoiced Revenue, Gross Margin, Payments Received: submitted Sales Invoices (not opening entries) and the
  allocations of submitted Payment Entries to them, posted in the period, as the credit ledger holds them
  (`credit_ledger`; amounts and crediting rules in `crediting`: revenue `base_net_total`, margin as ERPNext's
  Gross Profit per item from the stored incoming rate, credit notes negative in the period they are posted).
- Won Deals / Won Amount: deals whose latest stage move (Funnel Stage Transition, `is_latest`) is into a Won
  stage, made in the period, and the deal amount recorded with it.
- New Deals: Opportunities created in the period.
- Calls With Outcome / Meetings Booked: Call Logs started in the period that have an outcome (`sf_outcome`);
  meetings are outcomes of category "Meeting Booked". Credited by `employee_user_id`, counted for the company
  whose Employee that user is.

Crediting: revenue, margin and payments by the invoice's Sales Team, else the returned invoice's, else the deal
owner's Sales Person (`crediting`), frozen in the ledger when the document is written; deals and calls go to
their owner's Sales Person; what reaches no Sales Person is credited to '' (`NOT_CREDITED_KEY`) and still counts
for the company.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.i18n import _
from sales_funnel.engine.sales.credit_ledger import credited_facts
from sales_funnel.engine.sales.crediting import USER_PERSON
from sales_funnel.engine.sales.plans import METRIC_KEYS

NOT_CREDITED = _("Not credited to a Sales Person")
NOT_CREDITED_KEY = ""  # facts that reach no Sales Person


def _values(company: str, start: date, end: date) -> dict[str, Any]:
	return {"company": company, "from_date": start, "to_date": end, "to_next": end + timedelta(days=1)}


def credit_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Invoiced revenue, gross margin and payments received per credited Sales Person ('' = not credited), read
	from the credit ledger (`credit_ledger`), which holds the rows `crediting` computes for each document."""
	return _frame(
		credited_facts(db, company, start, end), ("invoiced_revenue", "gross_margin", "payments_received")
	)


def payment_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Payments received per credited Sales Person."""
	return credit_facts(db, company, start, end)[["payments_received"]]


def deal_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Won deals and won amount (latest move into a Won stage in the period), new deals (created in the period)."""
	values = _values(company, start, end)
	owner_person = USER_PERSON.format(company_condition="")
	won = db.sql(
		f"""SELECT IFNULL(up.sales_person, '') AS sales_person, COUNT(*) AS won_deals, SUM(t.amount) AS won_amount
		FROM `tabFunnel Stage Transition` t
		LEFT JOIN {owner_person} up ON up.user = t.deal_owner
		WHERE t.company = %(company)s AND t.to_kind = 'Won' AND t.is_latest = 1
			AND t.transitioned_at >= %(from_date)s AND t.transitioned_at < %(to_next)s
		GROUP BY 1""",
		values,
		as_dict=True,
	)
	new = db.sql(
		f"""SELECT IFNULL(up.sales_person, '') AS sales_person, COUNT(*) AS new_deals
		FROM `tabOpportunity` o
		LEFT JOIN {owner_person} up ON up.user = COALESCE(NULLIF(o.opportunity_owner, ''), o.owner)
		WHERE o.company = %(company)s AND o.creation >= %(from_date)s AND o.creation < %(to_next)s
		GROUP BY 1""",
		values,
		as_dict=True,
	)
	return _frame(won, ("won_deals", "won_amount")).add(_frame(new, ("new_deals",)), fill_value=0)


def call_facts(db: Database, company: str, start: date, end: date) -> pd.DataFrame:
	"""Calls with an outcome and meetings booked, per Sales Person of `employee_user_id` (employees of the
	company)."""
	rows = db.sql(
		f"""SELECT up.sales_person, COUNT(*) AS calls_with_outcome,
			SUM(CASE WHEN co.category = 'Meeting Booked' THEN 1 ELSE 0 END) AS meetings_booked
		FROM `tabCall Log` cl
		JOIN {USER_PERSON.format(company_condition=" AND e.company = %(company)s")} up
			ON up.user = cl.employee_user_id
		LEFT JOIN `tabCall Outcome` co ON co.name = cl.sf_outcome
		WHERE IFNULL(cl.sf_outcome, '') != ''
			AND cl.start_time >= %(from_date)s AND cl.start_time < %(to_next)s
		GROUP BY 1""",
		_values(company, start, end),
		as_dict=True,
	)
	return _frame(rows, ("calls_with_outcome", "meetings_booked"))


FACT_QUERIES: dict[str, Callable[[Database, str, date, date], pd.DataFrame]] = {
	"invoiced_revenue": credit_facts,
	"gross_margin": credit_facts,
	"payments_received": credit_facts,
	"won_deals": deal_facts,
	"won_amount": deal_facts,
	"new_deals": deal_facts,
	"calls_with_outcome": call_facts,
	"meetings_booked": call_facts,
}


def _frame(rows: Sequence[Mapping[str, Any]], metrics: Sequence[str]) -> pd.DataFrame:
	frame = rows_frame(rows, ["sales_person", *metrics])
	frame["sales_person"] = frame["sales_person"].fillna(NOT_CREDITED_KEY)
	frame = frame.groupby("sales_person").sum(numeric_only=False)
	return frame.astype(float)


def direct_facts(
	db: Database, company: str, start: date, end: date, metrics: Sequence[str] = METRIC_KEYS
) -> pd.DataFrame:
	"""Facts credited directly to each Sales Person (index; '' = not credited), one column per metric."""
	queries = []
	for metric in metrics:
		query = FACT_QUERIES[metric]
		if query not in queries:
			queries.append(query)
	frame = pd.DataFrame(columns=list(metrics), dtype=float)
	for query in queries:
		frame = frame.add(query(db, company, start, end), fill_value=0)
	frame = frame.reindex(columns=list(metrics)).fillna(0.0)
	frame.index.name = "sales_person"
	return frame
