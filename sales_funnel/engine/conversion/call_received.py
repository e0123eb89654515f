"""The Call Received row of a funnel that starts with Calls: the query of the calls that belong to the funnel and
how many of them led to a deal of it (the row's figures are made with the stages', in `stages.py`).

A call belongs to the funnel it is kept in (`Call Log.sf_funnel`: the funnel of the first deal in a funnel its
links name, see `call_funnel.py`); when the funnel is its company's default, also a call kept in no funnel whose
employee is an Employee of the company. Other funnels run no extra query.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from sales_funnel.engine.calls.rollup import FUNNEL_ROLLUP, sealed_days, unsealed_ranges
from sales_funnel.engine.conversion.query import StageQuery, numeric_frame
from sales_funnel.engine.db import Database
from sales_funnel.engine.i18n import _

# A funnel that starts with calls opens with this row (position 0): the calls of the period that belong to the
# funnel, how many of them led to a deal of the funnel (moved on) and how many to none (lost).
CALL_RECEIVED = _("Call Received")
CALL_KIND = "Call"
CALL_SLICES = ("manager",)  # the slices a call has: its employee (Call Log.employee_user_id)


def _days(first: date, last: date) -> list[date]:
	return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _call_log_indexes(db: Database) -> set[str]:
	rows = db.sql(
		"""SELECT DISTINCT index_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND table_name = 'tabCall Log'"""
	)
	return {row[0] for row in rows}


def call_rows(query: StageQuery, db: Database, *, use_rollup: bool = True) -> pd.DataFrame:
	"""A funnel that starts with calls: per period (and manager, when sliced by manager) the calls that belong
	to the funnel and how many of them led to a deal of the funnel.

	Calls are counted by their start time, the same in cohort and activity mode: sealed past days from `Call
	Funnel Rollup`, the other days from the Call Logs (`use_rollup=False` reads every day from the Call Logs: the
	reference the rollup is tested against)."""
	first, last = query.prev_start.date(), (query.end - timedelta(days=1)).date()
	sealed = sealed_days(db, first, last) if use_rollup else set()
	frames = []
	sealed_runs = unsealed_ranges(first, last, {d for d in _days(first, last) if d not in sealed})
	if sealed_runs:
		frames.append(_call_query(query, db, sealed_runs, rollup=True))
	live_runs = unsealed_ranges(first, last, sealed)
	if live_runs:
		frames.append(_call_query(query, db, live_runs, rollup=False))
	columns = ["period", "slice", "calls", "moved_on"]
	rows = [row for frame in frames for row in frame]
	frame = numeric_frame(rows, columns, ["period", "calls", "moved_on"])
	# one row per (period, slice): a slice with sealed and live days comes from both queries
	frame[["period", "calls", "moved_on"]] = frame[["period", "calls", "moved_on"]].astype(int)
	frame["slice"] = frame["slice"].fillna("")  # no slice, or a call without an employee
	return frame.groupby(["period", "slice"], as_index=False)[["calls", "moved_on"]].sum()


def _call_query(
	query: StageQuery, db: Database, runs: list[tuple[date, date]], *, rollup: bool
) -> list[dict[str, Any]]:
	"""One grouped read of the calls on these [start, end) runs of days: from the rollup's covering index
	(`funnel_day`) or the Call Logs' (`sf_call_funnel`); one index range per funnel value and run."""
	values = query.params()
	values["company"] = query.funnel.company
	funnel, manager = ("r.funnel", "r.manager") if rollup else ("c.sf_funnel", "c.employee_user_id")
	slice_sql = "NULLIF(r.manager, '')" if rollup else manager  # no employee: NULL from either table
	day = "r.day" if rollup else "c.start_time"
	none = f"{funnel} = ''" if rollup else f"({funnel} IS NULL OR {funnel} = '')"
	belongs = f"{funnel} = %(funnel)s"
	if query.funnel.is_default:
		belongs = (
			f"({belongs} OR ({none} AND {manager} IN (SELECT e.user_id FROM `tabEmployee` e"
			" WHERE e.company = %(company)s AND e.user_id IS NOT NULL)))"
		)
	ranges = []
	for index, (start, end) in enumerate(runs):
		values[f"run_start_{index}"], values[f"run_end_{index}"] = start, end
		ranges.append(f"({day} >= %(run_start_{index})s AND {day} < %(run_end_{index})s)")
	slice_sql = slice_sql if query.filters.slice_by in CALL_SLICES else "NULL"
	scope = ""
	if query.scope.own_or_assigned_of is not None:  # a Sales User: their own calls
		values["scope_user"] = query.scope.own_or_assigned_of
		scope = f" AND {manager} = %(scope_user)s"
	count = "r.calls" if rollup else "1"
	table = f"`tab{FUNNEL_ROLLUP}` r" if rollup else "`tabCall Log` c"
	hint = (
		"FORCE INDEX (`sf_call_funnel`)" if not rollup and "sf_call_funnel" in _call_log_indexes(db) else ""
	)
	return db.sql(
		f"""SELECT ({day} >= %(start)s) AS period, {slice_sql} AS slice, SUM({count}) AS calls,
			SUM(IF({funnel} = %(funnel)s, {count}, 0)) AS moved_on
		FROM {table} {hint}
		WHERE {belongs} AND ({" OR ".join(ranges)}){scope}
		GROUP BY period, slice ORDER BY NULL""",
		values,
		as_dict=True,
	)
