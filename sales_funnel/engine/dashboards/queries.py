"""The Funnels workspace's own queries: open deals and their weighted amount, funnel entries and wins of a period,
wins per month, and the count of stale deals as the Stale Deals report finds them.

Every query is of one company and of the deals a `DealScope` sees (`permissions.deal_scope`: every deal for a
Sales Manager, a Sales User's own or assigned ones). The stage history is read over the company's funnels, each
an index range of `sf_activity` (funnel, transitioned_at) or `sf_open_now` (funnel, is_latest, to_position,
transitioned_at).

What counts (the Stage Conversion report's rules, `engine/conversion/`):
- a funnel entry is the row with which a deal entered a funnel (`from_position = 0` and `progress_from = 0`);
- a win is the row with which a deal first entered its funnel's Won stage (`to_kind = 'Won'`, from a position
  below it): a deal won, reopened and won again is won once;
- a stale deal is an open deal whose latest row is at an open stage with a time limit, entered at least that
  many days before `now` (the Stale Deals report, `reassignment/stale.py` `stale_deals`, without its per-funnel limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sales_funnel.engine.dates import add_months
from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import load_funnels
from sales_funnel.engine.names import DEAL_DOCTYPE, OPEN_DEAL_STATUSES
from sales_funnel.engine.scope import DealScope
from sales_funnel.engine.sql import in_list

ENTRY = "t.from_position = 0 AND t.progress_from = 0"
# a deal's amount in company currency, as the stage history records it (`funnels/deal_rules.py` `deal_amount`):
# base_opportunity_amount, else opportunity_amount times the conversion rate, else the items' base_total (ERPNext
# sets the amounts in the form's script, and only the items' totals on the server)
DEAL_AMOUNT = """COALESCE(NULLIF(d.base_opportunity_amount, 0),
	NULLIF(IFNULL(d.opportunity_amount, 0) * IFNULL(NULLIF(d.conversion_rate, 0), 1), 0), d.base_total, 0)"""
FIRST_WIN = "t.to_kind = 'Won' AND t.progress_from < t.to_position"


@dataclass(frozen=True)
class Pipeline:
	deals: int  # open deals
	weighted: float  # their amount (company currency) times their probability


@dataclass(frozen=True)
class Moves:
	entered: int  # funnel entries
	won: int  # first wins


def open_pipeline(db: Database, company: str, scope: DealScope | None = None) -> Pipeline:
	"""The company's open deals (`OPEN_DEAL_STATUSES`) and their amount (`DEAL_AMOUNT`) times their probability
	over them: what the pipeline is worth at each deal's stage probability."""
	values: dict[str, Any] = {"company": company}
	statuses = in_list("status_", OPEN_DEAL_STATUSES, values)
	visible = (scope or DealScope()).deal_filter("d.name", values)
	rows = db.sql(
		f"""SELECT COUNT(*) AS deals,
			SUM({DEAL_AMOUNT} * IFNULL(d.probability, 0) / 100) AS weighted
		FROM `tabOpportunity` d
		WHERE d.company = %(company)s AND d.status IN ({statuses}){visible}""",
		values,
		as_dict=True,
	)
	return Pipeline(int(rows[0]["deals"] or 0), round(float(rows[0]["weighted"] or 0), 2))


def company_funnels(db: Database, company: str) -> list[str]:
	"""Every funnel of the company, enabled or not (a disabled funnel's history still happened)."""
	return [row[0] for row in db.sql("SELECT name FROM `tabSales Funnel` WHERE company = %s", (company,))]


def _history_where(
	db: Database, company: str, start: date, end: date, scope: DealScope | None, values: dict[str, Any]
) -> str:
	"""The company's stage history rows moved in [start, end] (whole days) that the scope sees."""
	values.update(
		company=company,
		deal_doctype=DEAL_DOCTYPE,
		start=datetime.combine(start, datetime.min.time()),
		end=datetime.combine(end + timedelta(days=1), datetime.min.time()),
	)
	funnels = in_list("funnel_", company_funnels(db, company), values)
	visible = (scope or DealScope()).deal_filter("t.deal", values)
	return (
		f"t.funnel IN ({funnels}) AND t.company = %(company)s AND t.deal_doctype = %(deal_doctype)s"
		f" AND t.transitioned_at >= %(start)s AND t.transitioned_at < %(end)s{visible}"
	)


def funnel_moves(db: Database, company: str, start: date, end: date, scope: DealScope | None = None) -> Moves:
	"""Funnel entries and first wins of the company's deals from `start` to `end` (both days whole)."""
	values: dict[str, Any] = {}
	where = _history_where(db, company, start, end, scope, values)
	rows = db.sql(
		f"""SELECT SUM({ENTRY}) AS entered, SUM({FIRST_WIN}) AS won
		FROM `tabFunnel Stage Transition` t WHERE {where}""",
		values,
		as_dict=True,
	)
	return Moves(int(rows[0]["entered"] or 0), int(rows[0]["won"] or 0))


def wins_by_month(
	db: Database, company: str, months: list[date], scope: DealScope | None = None
) -> list[tuple[date, int]]:
	"""(first day of the month, first wins) for each month of `months` (first days, oldest first), months
	without a win included."""
	if not months:
		return []
	values: dict[str, Any] = {}
	last_day = add_months(months[-1], 1) - timedelta(days=1)
	where = _history_where(db, company, months[0], last_day, scope, values)
	rows = db.sql(
		f"""SELECT EXTRACT(YEAR_MONTH FROM t.transitioned_at) AS month, COUNT(*) AS won
		FROM `tabFunnel Stage Transition` t WHERE {where} AND {FIRST_WIN}
		GROUP BY month ORDER BY NULL""",
		values,
		as_dict=True,
	)
	found = {int(row["month"]): int(row["won"]) for row in rows}
	return [(month, found.get(month.year * 100 + month.month, 0)) for month in months]


def stale_deal_count(db: Database, now: datetime, company: str, scope: DealScope | None = None) -> int:
	"""Open deals of the company's enabled funnels past their stage's time limit at `now`, every one of them
	(the Stale Deals report lists at most `STALE_LIMIT` per funnel, the most overdue first)."""
	values: dict[str, Any] = {"deal_doctype": DEAL_DOCTYPE}
	ranges = []
	for f_index, funnel in enumerate(load_funnels(db, company)):
		values[f"f{f_index}"] = funnel.name
		for stage in funnel.open_stages:
			if stage.time_limit_days > 0:
				key = f"{f_index}_{len(ranges)}"
				values[f"p{key}"] = funnel.position(stage.stage)
				values[f"c{key}"] = now - timedelta(days=stage.time_limit_days)
				ranges.append(
					f"(t.funnel = %(f{f_index})s AND t.to_position = %(p{key})s"
					f" AND t.transitioned_at <= %(c{key})s)"
				)
	if not ranges:
		return 0
	statuses = in_list("status_", OPEN_DEAL_STATUSES, values)
	visible = (scope or DealScope()).deal_filter("t.deal", values)
	rows = db.sql(
		f"""SELECT COUNT(*) FROM `tabFunnel Stage Transition` t
		JOIN `tabOpportunity` d ON d.name = t.deal
		WHERE t.is_latest = 1 AND t.deal_doctype = %(deal_doctype)s AND ({" OR ".join(ranges)})
			AND d.status IN ({statuses}){visible}""",
		values,
	)
	return int(rows[0][0] or 0)
