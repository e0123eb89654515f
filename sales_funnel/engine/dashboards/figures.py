"""The workspace's figures that the reports already compute: overall conversion and entries per stage (Stage
Conversion), conversion per manager, calls without an outcome (Call Outcomes), overdue payments (Daily Payments)
and plan completion (Plan vs Fact). Each is the report's own engine call for the card's period and scope, so a
card and the report it opens show the same number.

Conversion is a funnel's: the company's default funnel unless one is chosen (a company without one has no
conversion to show, which is None here rather than an error on the workspace).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sales_funnel.engine.calls.filters import CallFilters, CallScope
from sales_funnel.engine.calls.report import call_outcome_report
from sales_funnel.engine.conversion.call_received import CALL_KIND
from sales_funnel.engine.conversion.filters import ConversionFilters
from sales_funnel.engine.conversion.report import stage_conversion
from sales_funnel.engine.conversion.stages import NOT_SET, WHOLE, ConversionResult
from sales_funnel.engine.dashboards.periods import (
	month_start,
	month_to_date,
	previous_quarter,
	quarter_to_date,
	same_days_last_month,
)
from sales_funnel.engine.db import Database
from sales_funnel.engine.sales.payments import daily_payments
from sales_funnel.engine.sales.planfact import PlanFactFilters, plan_vs_fact
from sales_funnel.engine.scope import DealScope

PLAN_METRIC = "invoiced_revenue"  # plan completion is the invoiced revenue's (Plan vs Fact's first metric)


@dataclass(frozen=True)
class Comparison:
	current: float | None
	previous: float | None


@dataclass(frozen=True)
class StageEntries:
	funnel: str
	stages: list[str]
	current: list[int]  # deals that entered each stage this month to date
	previous: list[int]  # and in the same days of last month


@dataclass(frozen=True)
class ManagerConversion:
	manager: str  # the deal owner as the deals entered the funnel; conversion.NOT_SET for none
	entered: int
	won: int
	conversion: float | None  # percent


@dataclass(frozen=True)
class PlanCompletion:
	plan: float | None
	fact: float
	percent: float | None  # None without a plan


def default_funnel(db: Database, company: str) -> str | None:
	"""The company's enabled default funnel (the one Stage Conversion opens with no funnel chosen)."""
	rows = db.sql(
		"""SELECT name FROM `tabSales Funnel` WHERE enabled = 1 AND is_default = 1 AND company = %s
		ORDER BY name LIMIT 1""",
		(company,),
	)
	return rows[0][0] if rows else None


def _conversion(
	db: Database,
	funnel: str,
	company: str,
	period: tuple[date, date],
	now: datetime,
	scope: DealScope,
	**filters: str,
) -> ConversionResult:
	chosen = ConversionFilters(period[0], period[1], funnel=funnel, company=company, **filters)
	return stage_conversion(db, chosen, now, scope)


def overall_conversion(
	db: Database, company: str, today: date, now: datetime, scope: DealScope, funnel: str | None = None
) -> Comparison:
	"""Won / entered of the deals that entered the funnel this quarter to date, and of last quarter's (cohort
	mode, each followed to `now`), in percent."""
	funnel = funnel or default_funnel(db, company)
	if funnel is None:
		return Comparison(None, None)
	current, previous = (
		_conversion(db, funnel, company, period, now, scope).total().get("overall_conversion")
		for period in (quarter_to_date(today), previous_quarter(today))
	)
	return Comparison(current, previous)


def stage_entries(
	db: Database, company: str, today: date, now: datetime, scope: DealScope, funnel: str | None = None
) -> StageEntries | None:
	"""Deals that entered each stage of the funnel this month to date and in the same days of last month
	(activity mode: the moves made in each period)."""
	funnel = funnel or default_funnel(db, company)
	if funnel is None:
		return None
	counts = []
	for period in (month_to_date(today), same_days_last_month(today)):
		rows = _conversion(db, funnel, company, period, now, scope, mode="activity").whole()
		counts.append(rows[rows["kind"] != CALL_KIND])
	current, previous = counts
	return StageEntries(
		funnel,
		[str(stage) for stage in current["stage"]],
		[int(n) for n in current["entered"]],
		[int(n) for n in previous["entered"]],
	)


def manager_conversion(
	db: Database, company: str, today: date, now: datetime, scope: DealScope, funnel: str | None = None
) -> list[ManagerConversion]:
	"""Each manager's overall conversion of the deals that entered the funnel this quarter to date (cohort
	mode, sliced by the owner as the deals entered), best first; deals without an owner and managers with no
	conversion last."""
	funnel = funnel or default_funnel(db, company)
	if funnel is None:
		return []
	totals = _conversion(db, funnel, company, quarter_to_date(today), now, scope, slice_by="manager").totals
	rows = [
		ManagerConversion(str(row.slice), int(row.entered), int(row.won), row.overall_conversion)
		for row in totals[totals["slice"] != WHOLE].itertuples()
	]
	return sorted(
		rows, key=lambda r: (r.manager == NOT_SET, r.conversion is None, -(r.conversion or 0), r.manager)
	)


def calls_without_outcome(db: Database, company: str, today: date, now: datetime, scope: CallScope) -> int:
	"""Today's calls of the company's employees that have no outcome (Call Outcomes for today)."""
	filters = CallFilters(from_date=today, to_date=today, period="day", company=company)
	return int(call_outcome_report(db, filters, now, scope=scope).total["without_outcome"])


def overdue_payments(db: Database, company: str, today: date, within: Sequence[str] | None) -> float:
	"""What the company's invoices still ask on payment terms due before today (Daily Payments' overdue), of the
	Sales People `within` (None: everyone's, the uncredited included)."""
	rows = daily_payments(db, company, today, within=within)
	return round(sum(row["overdue"] for row in rows), 2)


def plan_completion(
	db: Database, company: str, today: date, now: datetime, within: Sequence[str] | None
) -> PlanCompletion:
	"""This month's invoiced revenue against its plan (Plan vs Fact for the month: the company's, or the
	Sales People's `within` together)."""
	filters = PlanFactFilters(company, "Month", month_start(today), metrics=(PLAN_METRIC,))
	total = plan_vs_fact(db, filters, now=now, within=within).total
	return PlanCompletion(
		total[f"{PLAN_METRIC}_plan"], total[f"{PLAN_METRIC}_fact"], total[f"{PLAN_METRIC}_pct"]
	)
