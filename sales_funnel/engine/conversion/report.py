"""The Stage Conversion report: per stage of a funnel, how many deals entered, moved on, were lost, are still open
or stale, and how long they stayed; totals and the previous period; optionally per slice.

`stage_conversion` gives the figures (`stages.ConversionResult`); `stage_conversion_output` the whole report for
Frappe's query report (`output.py`), which the report's `execute` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd

from sales_funnel.engine.conversion.call_received import call_rows
from sales_funnel.engine.conversion.filters import ConversionFilters, validate_filters
from sales_funnel.engine.conversion.output import ReportOutput, Translate, build_report
from sales_funnel.engine.conversion.query import StageQuery, existing_indexes
from sales_funnel.engine.conversion.stages import ConversionResult, shape_stages
from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import load_funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.scope import DealScope


def resolve_funnel_name(db: Database, filters: ConversionFilters) -> str:
	"""The chosen funnel, else the company's default (the first by name of the enabled defaults)."""
	if filters.funnel:
		return filters.funnel
	rows = db.sql(
		"""SELECT name FROM `tabSales Funnel` WHERE enabled = 1 AND is_default = 1
		AND (%(company)s IS NULL OR company = %(company)s) ORDER BY name LIMIT 1""",
		{"company": filters.company},
	)
	if not rows:
		raise InvalidInput(
			Message(_("Choose a funnel: company {0} has no default Sales Funnel."), (filters.company,))
		)
	return rows[0][0]


def stage_conversion(
	db: Database,
	filters: ConversionFilters,
	now: datetime,
	scope: DealScope | None = None,
) -> ConversionResult:
	"""The whole report for one funnel."""
	validate_filters(filters)
	funnel = load_funnel(db, resolve_funnel_name(db, filters))
	if filters.company and funnel.company and funnel.company != filters.company:
		raise InvalidInput(
			Message(_("Funnel {0} belongs to {1}, not {2}."), (funnel.name, funnel.company, filters.company))
		)
	query = StageQuery(funnel, filters, scope or DealScope(), now, existing_indexes(db))
	grouped = pd.concat([query.grouped_rows(db), query.no_history_rows(db)], ignore_index=True)
	durations = query.duration_rows(db)
	snapshot = None
	if filters.mode == "activity":
		snapshot = pd.concat(
			[query.open_now_rows(db), query.no_history_rows(db, open_now=True)], ignore_index=True
		)
	calls = call_rows(query, db) if funnel.starts_with_calls else None
	current = shape_stages(funnel, filters, grouped, durations, snapshot, period=1, calls=calls)
	result = ConversionResult(funnel, filters, current[0], current[1])
	if filters.compare_previous:
		result.previous_stages, result.previous_totals = shape_stages(
			funnel, filters, grouped, durations, snapshot, period=0, calls=calls
		)
	result.extra["period"] = (query.start, query.end)
	return result


def stage_conversion_output(
	db: Database,
	filters: ConversionFilters,
	*,
	now: datetime,
	scope: DealScope | None,
	translate: Translate,
	check_company: Callable[[str | None], None],
	currency_of: Callable[[str], str | None],
	full_name: Callable[[str], str] | None = None,
) -> ReportOutput:
	"""The whole report for the Desk: columns, rows, chart and summary.

	The Frappe layer's part, as callables: `check_company(company)` refuses (raises) a company the user may not
	see, asked for the company whose figures are shown (the filter's, else the funnel's, which may be None);
	`currency_of(company)` is its currency for the Won Amount; `full_name(user)` names a manager when sliced by
	manager."""
	result = stage_conversion(db, filters, now=now, scope=scope)
	company = filters.company or result.funnel.company
	check_company(company)
	return build_report(
		result,
		translate,
		currency=currency_of(company) if company else None,
		slice_label=full_name if filters.slice_by == "manager" else None,
	)
