"""The Call Outcomes report's SQL: call counts and deals from calls per (manager, period bucket).

Reading ERPNext's `Call Log` with the app's `sf_outcome*` custom fields, `Call Outcome`, the call's `links` rows in
`Dynamic Link`, `Opportunity`, and the per-day rollup of past calls (`rollup.py`):

- *answered* is status Completed; *with outcome* has `sf_outcome` set; *negotiations* have an outcome that counts
  as negotiation started; *meetings booked* have an outcome of category Meeting Booked;
- *deals from calls* are the Opportunities created in the period that any Call Log links to (`links` rows with
  link_doctype Opportunity, kept on the deal as `sf_from_call`), each counted once, for its owner in the bucket of
  its creation; *won* are those whose status is Converted or whose sales stage is their funnel's Won stage (what
  the latest stage-history row records: the recorder moves the sales stage with every move).

Every query groups on CRC32 of the user and an integer period key (day number, its week's Monday's, or
year*100+month); the bucket's date is made in pandas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from sales_funnel.engine.calls.filters import CallFilters, CallScope, period_bounds, who_sql
from sales_funnel.engine.calls.rollup import (
	ANSWERED_STATUS,
	ROLLUP,
	sealed_days,
	sealed_ranges,
	unsealed_ranges,
)
from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.sql import in_list

MEETING_CATEGORY = "Meeting Booked"
COUNT_COLUMNS = ["calls", "incoming", "outgoing", "answered", "with_outcome", "negotiations", "meetings"]
OUTCOME_COLUMNS = ["name", "category", "counts_as_negotiation", "enabled", "effect", "funnel", "stage",
	"follow_up_hours"]  # fmt: skip

# period -> an integer key of the bucket over a DATE or DATETIME column `{0}` (cheaper to compute and group on
# than a date; `period_date` turns it back): TO_DAYS of the day or of its week's Monday, year*100 + month
_PERIOD_KEYS = {
	"day": "TO_DAYS({0})",
	"week": "TO_DAYS({0}) - WEEKDAY({0})",
	"month": "EXTRACT(YEAR_MONTH FROM {0})",
}

Query = tuple[str, dict[str, Any]]


def load_outcomes(db: Database) -> pd.DataFrame:
	"""Every Call Outcome: name, category, counts_as_negotiation, enabled, effect, funnel, stage, hours."""
	rows = db.sql(
		"""SELECT name, category, counts_as_negotiation, enabled, effect, funnel, stage, follow_up_hours
		FROM `tabCall Outcome`""",
		as_dict=True,
	)
	return rows_frame(rows, OUTCOME_COLUMNS)


def period_date(period: str, key: int) -> date:
	"""The date of a bucket from its integer key (`_PERIOD_KEYS`)."""
	key = int(key)
	if period == "month":
		return date(key // 100, key % 100, 1)
	return date.fromordinal(key - 365)  # TO_DAYS('0001-01-01') is 366


def _outcome_lists(values: dict[str, Any], outcomes: pd.DataFrame) -> tuple[str, str]:
	"""`(…)` lists of the negotiation outcomes and of the meeting ones (`(NULL)`, matching nothing, when none)."""
	negotiation = [o.name for o in outcomes.itertuples() if int(o.counts_as_negotiation or 0) == 1]
	meeting = [o.name for o in outcomes.itertuples() if o.category == MEETING_CATEGORY]
	return f"({in_list('negotiation_', negotiation, values)})", f"({in_list('meeting_', meeting, values)})"


def _grouped(db: Database, build: Callable[[bool], Query]) -> list[dict[str, Any]]:
	"""Run `build(exact)`'s query grouped on CRC32 of the user; if a group's MIN and MAX user differ (a
	collision), run it again grouped on the user itself."""
	rows = db.sql(*build(False), as_dict=True)
	if any(row["manager"] != row["manager_check"] for row in rows):
		rows = db.sql(*build(True), as_dict=True)
	return rows


def _group_key(column: str, exact: bool) -> str:
	return column if exact else f"CRC32({column})"


def call_counts(
	db: Database,
	filters: CallFilters,
	scope: CallScope | None = None,
	*,
	outcomes: pd.DataFrame | None = None,
	use_rollup: bool = True,
) -> pd.DataFrame:
	"""The call counts (COUNT_COLUMNS) per (manager, period); manager '' for calls without one. Sealed days are
	read from the rollup, the rest of the range from the Call Logs (`use_rollup=False` reads every day from the
	Call Logs: the reference the rollup is tested against)."""
	outcomes = load_outcomes(db) if outcomes is None else outcomes
	sealed = sealed_days(db, filters.from_date, filters.to_date) if use_rollup else set()
	rows: list[dict[str, Any]] = []
	sealed_runs = sealed_ranges(filters.from_date, filters.to_date, sealed)
	if sealed_runs:
		rows += _grouped(db, lambda exact: _rollup_query(filters, scope, outcomes, sealed_runs, exact))
	live_runs = unsealed_ranges(filters.from_date, filters.to_date, sealed)
	if live_runs:
		rows += _grouped(db, lambda exact: _live_query(filters, scope, outcomes, live_runs, exact))
	frame = rows_frame(rows, ["manager", "manager_check", "period", *COUNT_COLUMNS])
	frame = frame.drop(columns="manager_check")
	frame[COUNT_COLUMNS] = frame[COUNT_COLUMNS].apply(pd.to_numeric).fillna(0).astype(int)
	frame["period"] = [period_date(filters.period, key) for key in frame["period"]]
	# a bucket with sealed and live days comes from both queries
	return frame.groupby(["manager", "period"], as_index=False)[COUNT_COLUMNS].sum()


def _rollup_query(
	filters: CallFilters,
	scope: CallScope | None,
	outcomes: pd.DataFrame,
	runs: list[tuple[date, date]],
	exact: bool,
) -> Query:
	"""The sealed days' counts from `Call Rollup` (one row per day, manager and outcome; per call type in
	columns, so a call-type filter picks columns)."""
	values: dict[str, Any] = {}
	days = _ranges(values, "r.day", runs, "s", dates=True)
	negotiation, meeting = _outcome_lists(values, outcomes)
	calls, answered = {
		None: ("r.calls", "r.answered"),
		"Incoming": ("r.incoming", "r.answered_incoming"),
		"Outgoing": ("r.outgoing", "r.answered_outgoing"),
	}[filters.call_type]
	incoming = "r.incoming" if filters.call_type in (None, "Incoming") else "0"
	outgoing = "r.outgoing" if filters.call_type in (None, "Outgoing") else "0"
	who = who_sql(replace(filters, call_type=None), scope, values, "r.manager", "")
	if filters.call_type:
		who += f" AND {calls} > 0"  # rows with no call of the type make no group
	sql = f"""SELECT MIN(r.manager) AS manager, MAX(r.manager) AS manager_check,
			{_PERIOD_KEYS[filters.period].format("r.day")} AS period, SUM({calls}) AS calls,
			SUM({incoming}) AS incoming, SUM({outgoing}) AS outgoing, SUM({answered}) AS answered,
			SUM(IF(r.outcome != '', {calls}, 0)) AS with_outcome,
			SUM(IF(r.outcome IN {negotiation}, {calls}, 0)) AS negotiations,
			SUM(IF(r.outcome IN {meeting}, {calls}, 0)) AS meetings
		FROM `tab{ROLLUP}` r
		WHERE ({days}){who}
		GROUP BY {_group_key("r.manager", exact)}, period ORDER BY NULL"""
	return sql, values


def _live_query(
	filters: CallFilters,
	scope: CallScope | None,
	outcomes: pd.DataFrame,
	runs: list[tuple[date, date]],
	exact: bool,
) -> Query:
	"""The counts of the days not sealed, from the Call Logs."""
	values: dict[str, Any] = {"answered": ANSWERED_STATUS}
	days = _ranges(values, "c.start_time", runs, "l")
	negotiation, meeting = _outcome_lists(values, outcomes)
	manager = "IFNULL(c.employee_user_id, '')"
	sql = f"""SELECT MIN({manager}) AS manager, MAX({manager}) AS manager_check,
			{_PERIOD_KEYS[filters.period].format("c.start_time")} AS period, COUNT(*) AS calls,
			SUM(c.`type` = 'Incoming') AS incoming, SUM(c.`type` = 'Outgoing') AS outgoing,
			SUM(c.status = %(answered)s) AS answered, SUM(IFNULL(c.sf_outcome, '') != '') AS with_outcome,
			SUM(c.sf_outcome IN {negotiation}) AS negotiations, SUM(c.sf_outcome IN {meeting}) AS meetings
		FROM `tabCall Log` c
		WHERE ({days}){who_sql(filters, scope, values, "c.employee_user_id", "c.`type`")}
		GROUP BY {_group_key(manager, exact)}, period ORDER BY NULL"""
	return sql, values


def _ranges(
	values: dict[str, Any], column: str, runs: list[tuple[date, date]], prefix: str, *, dates: bool = False
) -> str:
	"""`column` within any of the [start, end) runs of days (bounds as dates for a DATE column, else as
	datetimes, so each compares with its column's own type and the index range stays exact)."""
	parts = []
	for index, (start, end) in enumerate(runs):
		bounds = (
			(start, end)
			if dates
			else (datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time()))
		)
		values[f"{prefix}{index}_start"], values[f"{prefix}{index}_end"] = bounds
		parts.append(f"({column} >= %({prefix}{index}_start)s AND {column} < %({prefix}{index}_end)s)")
	return " OR ".join(parts)


def won_stages(db: Database) -> list[tuple[str, str]]:
	"""(funnel, stage) of every funnel's Won stage."""
	rows = db.sql(
		"""SELECT parent, stage FROM `tabSales Funnel Stage`
		WHERE parenttype = 'Sales Funnel' AND parentfield = 'stages' AND kind = 'Won' ORDER BY parent, idx"""
	)
	return [(row[0], row[1]) for row in rows]


def _has_index(db: Database, table: str, index: str) -> bool:
	return bool(
		db.sql(
			"""SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = %s
			AND index_name = %s LIMIT 1""",
			(table, index),
		)
	)


def _in_won_stage(won: list[tuple[str, str]], values: dict[str, Any]) -> str:
	"""1 when the deal `o` is at its funnel's Won stage (0 when no funnel has one)."""
	if not won:
		return "0"
	pairs = []
	for index, (funnel, stage) in enumerate(won):
		values[f"won_funnel_{index}"], values[f"won_stage_{index}"] = funnel, stage
		pairs.append(f"(%(won_funnel_{index})s, %(won_stage_{index})s)")
	# the stage name first: one cheap test rules out nearly every deal before the (funnel, stage) pair is built
	stage_names = in_list("won_name_", sorted({stage for _funnel, stage in won}), values)
	return (
		f"(o.sales_stage IN ({stage_names}) AND (o.sf_sales_funnel, o.sales_stage) IN ({', '.join(pairs)}))"
	)


def _deals_query(
	filters: CallFilters, scope: CallScope | None, won: list[tuple[str, str]], hint: str, exact: bool
) -> Query:
	"""Opportunities created in the period that a Call Log links to (`sf_from_call`), by owner and the bucket of
	their creation; won when the status is Converted or the deal's sales stage is its funnel's Won stage (the
	stage its history's latest row records: the recorder moves the sales stage with every move)."""
	values: dict[str, Any] = {}
	values["start"], values["end"] = period_bounds(filters)
	where = "o.sf_from_call = 1 AND o.creation >= %(start)s AND o.creation < %(end)s"
	# the owner's company, as for the calls (so a manager's row is whole or absent)
	where += who_sql(replace(filters, call_type=None), scope, values, "o.opportunity_owner", "")
	if filters.call_type:
		values["call_type"] = filters.call_type
		where += (
			" AND EXISTS (SELECT 1 FROM `tabDynamic Link` dl JOIN `tabCall Log` c ON c.name = dl.parent"
			" WHERE dl.link_doctype = 'Opportunity' AND dl.link_name = o.name AND dl.parenttype = 'Call Log'"
			" AND c.`type` = %(call_type)s)"
		)
	owner = "IFNULL(o.opportunity_owner, '')"
	sql = f"""SELECT MIN({owner}) AS manager, MAX({owner}) AS manager_check,
			{_PERIOD_KEYS[filters.period].format("o.creation")} AS period, COUNT(*) AS deals,
			SUM(o.status = 'Converted' OR {_in_won_stage(won, values)}) AS won
		FROM `tabOpportunity` o {hint}
		WHERE {where}
		GROUP BY {_group_key(owner, exact)}, period ORDER BY NULL"""
	return sql, values


def deal_counts(db: Database, filters: CallFilters, scope: CallScope | None = None) -> pd.DataFrame:
	"""Deals from calls and the won ones, per (owner, period bucket of creation): one pass over the covering
	index `sf_from_call` of the Opportunities that calls led to."""
	won = won_stages(db)
	hint = "FORCE INDEX (`sf_from_call`)" if _has_index(db, "tabOpportunity", "sf_from_call") else ""
	rows = _grouped(db, lambda exact: _deals_query(filters, scope, won, hint, exact))
	frame = rows_frame(rows, ["manager", "manager_check", "period", "deals", "won"])
	frame["period"] = [period_date(filters.period, key) for key in frame["period"]]
	return frame.drop(columns="manager_check")
