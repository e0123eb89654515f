"""The Call Outcomes report: per manager and period bucket, and per manager over the whole range, the calls,
answered, with an outcome, negotiations started, meetings booked, deals created from calls and won.

`call_outcome_report` gives the figures (`figures.CallOutcomeResult`); `call_outcomes_output` the whole report for
Frappe's query report (`output.py`), which the report's `execute` returns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sales_funnel.engine.calls.figures import CallOutcomeResult, outcome_figures
from sales_funnel.engine.calls.filters import CallFilters, CallScope, validate_filters
from sales_funnel.engine.calls.output import CallReportOutput, Translate, report_output
from sales_funnel.engine.calls.query import call_counts, deal_counts, load_outcomes
from sales_funnel.engine.db import Database


def call_outcome_report(
	db: Database, filters: CallFilters, now: datetime | None = None, scope: CallScope | None = None
) -> CallOutcomeResult:
	"""The Call Outcomes report's figures.

	Calls: sealed past days from the daily rollup (`rollup.py`), every other day of the range from the Call Logs
	themselves, each one grouped pass per (manager, period). Deals: one grouped pass over the index of the
	Opportunities that calls led to."""
	validate_filters(filters)
	outcomes = load_outcomes(db)
	calls = call_counts(db, filters, scope, outcomes=outcomes)
	deals = deal_counts(db, filters, scope)
	return outcome_figures(filters, calls, deals)


def call_outcomes_output(
	db: Database,
	filters: CallFilters,
	now: datetime,
	scope: CallScope | None,
	translate: Translate,
	full_name: Callable[[str], str] | None = None,
) -> CallReportOutput:
	"""The whole report for the Desk: columns, rows, chart and summary (`full_name(user)` names a manager)."""
	return report_output(call_outcome_report(db, filters, now, scope=scope), translate, full_name=full_name)
