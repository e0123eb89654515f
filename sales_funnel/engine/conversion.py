"""The Stage Conversion report: per stage, how many deals entered, moved on, were lost, are still open or
stale, and how long they stayed; totals and the previous period; optionally per slice.

Counting works on the transition rows alone, in one grouped pass (see `history.py` for the columns):

- a deal *entered* stage k when one of its rows crossed k: `progress_from < k <= progress_to`, so reaching
  stage 4 counts as passing 2 and 3, and moving back and forth never counts a stage twice;
- it *moved on* from k when it entered k+1; *won* is entering the Won stage, and the Won Amount and the average
  funnel days come from that row: a deal won, reopened (a cancelled payment steps it back) and won again is won
  once;
- *lost at k*, *open at k* and *stale at k* look at each deal's latest row (`is_latest`);
- days in a stage come from `days_in_from_stage` of the rows that left it, won or lost (every stay counts).

Cohort mode takes the deals that entered the funnel in the period and follows them to `now`; activity mode
takes the moves made in the period (a flow, so a stage's conversion can exceed 100 % when deals that entered it
earlier move on in the period), and shows the open and stale deals as of `now`.

Slices use the deal's attributes as it entered the funnel, so every deal is in exactly one slice and the
slices add up to the whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sales_funnel.engine.call_rollup import FUNNEL_ROLLUP, sealed_days, unsealed_ranges
from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.funnels.history import SLICE_COLUMNS
from sales_funnel.engine.funnels.stages import Funnel, load_funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.inputs import EARLIEST_DATE, check_date
from sales_funnel.engine.scope import DealScope

MODES = ("cohort", "activity")
REASSIGNED = _("Reassigned")
NOT_REASSIGNED = _("Not Reassigned")
# Whether a scheduled reassignment ever moved the deal (an Applied Reassignment Log row): a semi-join that
# MariaDB materialises once, so the slice costs no schema change.
REASSIGNED_SQL = (
	"IF({deal} IN (SELECT rl.deal FROM `tabReassignment Log` rl WHERE rl.status = 'Applied'), "
	"%(slice_reassigned)s, %(slice_not_reassigned)s)"
)
# slice key -> SQL over tabFunnel Stage Transition: the deal's attributes as it entered the funnel, and whether
# it was reassigned since
SLICES: dict[str, str] = {
	**{column: f"`{column}`" for column in SLICE_COLUMNS},
	"reassigned": REASSIGNED_SQL.format(deal="deal"),
}
SLICE_LABELS = {
	"manager": _("Manager"),
	"department": _("Department"),
	"territory": _("Territory"),
	"customer_group": _("Customer Group"),
	"channel": _("Channel"),
	"item_group": _("Item Group"),
	"customer_kind": _("New vs Existing Customer"),
	"temperature": _("Lead Temperature"),
	"reassigned": _("Reassigned or Not"),
}
NOT_SET = _("(not set)")
TOP_LOST_REASONS = 3
# A funnel that starts with calls opens with this row (position 0): the calls of the period that belong to the
# funnel, how many of them led to a deal of the funnel (moved on) and how many to none (lost).
CALL_RECEIVED = _("Call Received")
CALL_KIND = "Call"
CALL_SLICES = ("manager",)  # the slices a call has: its employee (Call Log.employee_user_id)
WHOLE = "__all__"


@dataclass(frozen=True)
class ConversionFilters:
	from_date: date
	to_date: date
	funnel: str | None = None
	company: str | None = None
	mode: str = "cohort"
	slice_by: str | None = None
	compare_previous: bool = False


@dataclass
class ConversionResult:
	funnel: Funnel
	filters: ConversionFilters
	stages: pd.DataFrame  # one row per (slice, stage); slice == WHOLE for the whole funnel
	totals: pd.DataFrame  # one row per slice
	previous_stages: pd.DataFrame | None = None
	previous_totals: pd.DataFrame | None = None
	extra: dict[str, Any] = field(default_factory=dict)

	def whole(self) -> pd.DataFrame:
		return self.stages[self.stages["slice"] == WHOLE].reset_index(drop=True)

	def total(self, slice_value: str = WHOLE) -> dict[str, Any]:
		row = self.totals[self.totals["slice"] == slice_value]
		return row.iloc[0].to_dict() if len(row) else {}


def resolve_funnel_name(db: Database, filters: ConversionFilters) -> str:
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


def validate_filters(filters: ConversionFilters) -> None:
	if filters.from_date is None or filters.to_date is None:
		raise InvalidInput(Message(_("Choose both a From Date and a To Date.")))
	check_date(filters.from_date, _("From Date"))
	check_date(filters.to_date, _("To Date"))
	if filters.from_date > filters.to_date:
		raise InvalidInput(
			Message(_("From Date {0} is after To Date {1}."), (filters.from_date, filters.to_date))
		)
	if filters.compare_previous:
		length = (filters.to_date - filters.from_date).days + 1
		if (filters.from_date - EARLIEST_DATE).days < length:
			raise InvalidInput(
				Message(
					_(
						"The previous period would start before {0}: choose a shorter period or a later From Date."
					),
					(EARLIEST_DATE.isoformat(),),
				)
			)
	if filters.mode not in MODES:
		raise InvalidInput(Message(_("Unknown mode {0}: use cohort or activity."), (filters.mode,)))
	if filters.slice_by and filters.slice_by not in SLICES:
		raise InvalidInput(
			Message(_("Cannot slice by {0}. Choose one of: {1}."), (filters.slice_by, ", ".join(SLICES)))
		)


def period_bounds(from_date: date, to_date: date) -> tuple[datetime, datetime]:
	"""[start, end) covering both dates whole, in the site's time zone (the one the datetimes are stored in)."""
	return datetime.combine(from_date, datetime.min.time()), datetime.combine(
		to_date + timedelta(days=1), datetime.min.time()
	)


def previous_period(from_date: date, to_date: date) -> tuple[date, date]:
	"""The period of the same length that ends the day before `from_date`."""
	length = (to_date - from_date).days + 1
	return from_date - timedelta(days=length), from_date - timedelta(days=1)


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
	query = _Query(funnel, filters, scope or DealScope(), now, _existing_indexes(db))
	grouped = pd.concat([query.grouped_rows(db), query.no_history_rows(db)], ignore_index=True)
	durations = query.duration_rows(db)
	snapshot = None
	if filters.mode == "activity":
		snapshot = pd.concat(
			[query.open_now_rows(db), query.no_history_rows(db, open_now=True)], ignore_index=True
		)
	calls = query.call_rows(db) if funnel.starts_with_calls else None
	current = _shape(funnel, filters, grouped, durations, snapshot, period=1, calls=calls)
	result = ConversionResult(funnel, filters, current[0], current[1])
	if filters.compare_previous:
		result.previous_stages, result.previous_totals = _shape(
			funnel, filters, grouped, durations, snapshot, period=0, calls=calls
		)
	result.extra["period"] = (query.start, query.end)
	return result


# ------------------------------------------------------------------------------------------------- SQL
GROUPED_COLUMNS = ["period", "slice", "progress_from", "progress_to", "from_position", "to_position",
	"is_latest", "lost_reason", "legacy", "n", "stale", "won_seconds", "amount", "days"]  # fmt: skip
GROUPED_NUMERIC = [c for c in GROUPED_COLUMNS if c not in ("slice", "lost_reason")]


# Medians come from histograms of the time in stage: by the hour for the whole funnel (exact to the hour), by
# 6 hours when sliced (a slice multiplies the groups; its medians are exact to the quarter day). The epsilon
# keeps 8 h, stored as 0.333333 days, in its own bucket.
def _buckets_sql(days: str, hours_per_bucket: int) -> str:
	return f"FLOOR({days} * {24 // hours_per_bucket} + 0.0001)"


OPEN_NOW_COLUMNS = ["slice", "to_position", "n", "stale"]

# Deals of the funnel with no recorded history yet (not backfilled): Opportunity.sf_stage_entered_at is NULL,
# since recording and the backfill both set it. Such a deal counts as having entered the funnel when it was
# created and reached its current sales stage (passing the stages before it); as having sat in that stage since
# creation (for stale); and adds no time in stage or funnel length, which are unknown.
OPPORTUNITY_SLICES = {
	"manager": "COALESCE(NULLIF(o.opportunity_owner, ''), o.owner)",
	"department": "NULL",
	"territory": "o.territory",
	"customer_group": "o.customer_group",
	"channel": "o.source",
	"item_group": "NULL",
	"customer_kind": "IF(o.opportunity_from = 'Customer', 'Existing', 'New')",
	"temperature": "o.sf_temperature",
	"reassigned": REASSIGNED_SQL.format(deal="o.name"),
}


def _existing_indexes(db: Database) -> set[str]:
	rows = db.sql(
		"""SELECT DISTINCT index_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND table_name = 'tabFunnel Stage Transition'"""
	)
	return {row[0] for row in rows}


def _days(first: date, last: date) -> list[date]:
	return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _call_log_indexes(db: Database) -> set[str]:
	rows = db.sql(
		"""SELECT DISTINCT index_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND table_name = 'tabCall Log'"""
	)
	return {row[0] for row in rows}


def _frame(rows: list[dict[str, Any]], columns: list[str], numeric: list[str]) -> pd.DataFrame:
	frame = rows_frame(rows, columns)
	frame[numeric] = frame[numeric].apply(pd.to_numeric).fillna(0)
	return frame


class _Query:
	"""The SQL of one report call. Every value is a parameter; only column names and the CASE skeletons that
	the funnel's own stage count shapes are written into the text."""

	def __init__(
		self, funnel: Funnel, filters: ConversionFilters, scope: DealScope, now: datetime, indexes: set[str]
	):
		self.funnel, self.filters, self.scope, self.now = funnel, filters, scope, now
		# MariaDB takes `ref` on the first key column (funnel) of whichever covering index it meets first and
		# ignores the date range; name the one that has the period's column second.
		wanted = "sf_cohort" if filters.mode == "cohort" else "sf_activity"
		self.hint = f"FORCE INDEX (`{wanted}`)" if wanted in indexes else ""
		self.open_hint = "FORCE INDEX (`sf_open_now`)" if "sf_open_now" in indexes else ""
		self.start, self.end = period_bounds(filters.from_date, filters.to_date)
		self.prev_start = (
			period_bounds(*previous_period(filters.from_date, filters.to_date))[0]
			if filters.compare_previous
			else self.start
		)
		self.won = len(funnel.progress_stages)  # the Won stage's position
		self.slice = SLICES[filters.slice_by] if filters.slice_by else "NULL"
		self.bucket_hours = 6 if filters.slice_by else 1

	def _values(self) -> dict[str, Any]:
		values: dict[str, Any] = {
			"funnel": self.funnel.name,
			"prev_start": self.prev_start,
			"start": self.start,
			"end": self.end,
			"won": self.won,
			"slice_reassigned": REASSIGNED,
			"slice_not_reassigned": NOT_REASSIGNED,
		}
		for position, stage in enumerate(self.funnel.open_stages, start=1):
			if stage.time_limit_days and stage.time_limit_days > 0:
				values[f"cutoff_{position}"] = self.now - timedelta(days=float(stage.time_limit_days))
		return values

	def _stale(self, values: dict[str, Any], position: str, since: str) -> str:
		"""1 when an open deal at `position` has been there since before its stage's cutoff."""
		cases = [
			f"WHEN {k.removeprefix('cutoff_')} THEN {since} < %({k})s"
			for k in values
			if k.startswith("cutoff_")
		]
		return f"(CASE {position} {' '.join(cases)} ELSE 0 END)" if cases else "0"

	def _where(self, values: dict[str, Any]) -> tuple[str, str]:
		"""The rows of the period (and the previous one), and the expression telling them apart (1 = this)."""
		column = "funnel_entered_at" if self.filters.mode == "cohort" else "transitioned_at"
		where = f"funnel = %(funnel)s AND `{column}` >= %(prev_start)s AND `{column}` < %(end)s"
		period = f"(`{column}` >= %(start)s)" if self.filters.compare_previous else "1"
		return where + self.scope.deal_filter("deal", values), period

	def grouped_rows(self, db: Database) -> pd.DataFrame:
		"""One pass over the period's rows, grouped by what they did. Only raw columns are summed: counts that
		follow from the group keys (entries, stays, wins) are derived in pandas."""
		values = self._values()
		where, period = self._where(values)
		stale = self._stale(values, "to_position", "transitioned_at")
		rows = db.sql(
			f"""
			SELECT {period} AS period, {self.slice} AS slice, progress_from, progress_to, from_position, to_position,
				is_latest, IF(to_position = -1, lost_reason, NULL) AS lost_reason, 0 AS legacy, COUNT(*) AS n,
				SUM(IF(is_latest = 1, {stale}, 0)) AS stale,
				SUM(IF(to_position = %(won)s, TIMESTAMPDIFF(SECOND, funnel_entered_at, transitioned_at), 0)) AS won_seconds,
				SUM(amount) AS amount, SUM(days_in_from_stage) AS days
			FROM `tabFunnel Stage Transition` {self.hint}
			WHERE {where}
			GROUP BY period, slice, progress_from, progress_to, from_position, to_position, is_latest,
				IF(to_position = -1, lost_reason, NULL)
			ORDER BY NULL
			""",
			values,
			as_dict=True,
		)
		return _frame(rows, GROUPED_COLUMNS, GROUPED_NUMERIC)

	def duration_rows(self, db: Database) -> pd.DataFrame:
		"""Histograms, by whole hours, of the time spent in each stage (rows that left it) and of the funnel
		length of won deals (their latest row, through the small `sf_open_now` index)."""
		values = self._values()
		where, period = self._where(values)
		stays = db.sql(
			f"""
			SELECT {period} AS period, {self.slice} AS slice, from_position AS position,
				{_buckets_sql("days_in_from_stage", self.bucket_hours)} AS bucket, COUNT(*) AS n
			FROM `tabFunnel Stage Transition` {self.hint}
			WHERE {where} AND from_position > 0
			GROUP BY period, slice, position, bucket
			ORDER BY NULL
			""",
			values,
			as_dict=True,
		)
		values = self._values()
		values["bucket_seconds"] = self.bucket_hours * 3600
		column = "funnel_entered_at" if self.filters.mode == "cohort" else "transitioned_at"
		scope = self.scope.deal_filter("deal", values)
		lengths = db.sql(
			f"""
			SELECT (`{column}` >= %(start)s) AS period, {self.slice} AS slice, 0 AS position,
				FLOOR(TIMESTAMPDIFF(SECOND, funnel_entered_at, transitioned_at) / %(bucket_seconds)s) AS bucket,
				COUNT(*) AS n
			FROM `tabFunnel Stage Transition` {self.open_hint}
			WHERE funnel = %(funnel)s AND is_latest = 1 AND to_position = %(won)s
				AND `{column}` >= %(prev_start)s AND `{column}` < %(end)s {scope}
			GROUP BY period, slice, bucket
			ORDER BY NULL
			""",
			values,
			as_dict=True,
		)
		columns = ["period", "slice", "position", "bucket", "n"]
		frame = pd.concat(
			[
				_frame(stays, columns, ["period", "position", "bucket", "n"]).assign(what="stay"),
				_frame(lengths, columns, ["period", "position", "bucket", "n"]).assign(what="length"),
			],
			ignore_index=True,
		)
		frame["seconds"] = frame["bucket"] * self.bucket_hours * 3600
		return frame[["period", "slice", "position", "what", "seconds", "n"]]

	def open_now_rows(self, db: Database) -> pd.DataFrame:
		"""Activity mode: every deal of the funnel open now, by position, and how many of them are stale."""
		values = self._values()
		values["last_open"] = self.won - 1
		stale = self._stale(values, "to_position", "transitioned_at")
		where = "funnel = %(funnel)s AND is_latest = 1 AND to_position BETWEEN 1 AND %(last_open)s"
		where += self.scope.deal_filter("deal", values)
		rows = db.sql(
			f"""SELECT {self.slice} AS slice, to_position, COUNT(*) AS n, SUM({stale}) AS stale
			FROM `tabFunnel Stage Transition` {self.open_hint} WHERE {where} GROUP BY slice, to_position ORDER BY NULL""",
			values,
			as_dict=True,
		)
		return _frame(rows, OPEN_NOW_COLUMNS, ["to_position", "n", "stale"])

	def call_rows(self, db: Database, *, use_rollup: bool = True) -> pd.DataFrame:
		"""A funnel that starts with calls: per period (and manager, when sliced by manager) the calls that belong
		to the funnel and how many of them led to a deal of the funnel.

		A call belongs to the funnel it is kept in (`Call Log.sf_funnel`: the funnel of the first deal in a funnel
		its links name, see `call_funnel.py`); when the funnel is its company's default, also a call kept in no
		funnel whose employee is an Employee of the company. Calls are counted by their start time, the same in
		cohort and activity mode: sealed past days from `Call Funnel Rollup`, the other days from the Call Logs
		(`use_rollup=False` reads every day from the Call Logs: the reference the rollup is tested against)."""
		first, last = self.prev_start.date(), (self.end - timedelta(days=1)).date()
		sealed = sealed_days(db, first, last) if use_rollup else set()
		frames = []
		sealed_runs = unsealed_ranges(first, last, {d for d in _days(first, last) if d not in sealed})
		if sealed_runs:
			frames.append(self._call_query(db, sealed_runs, rollup=True))
		live_runs = unsealed_ranges(first, last, sealed)
		if live_runs:
			frames.append(self._call_query(db, live_runs, rollup=False))
		columns = ["period", "slice", "calls", "moved_on"]
		rows = [row for frame in frames for row in frame]
		frame = _frame(rows, columns, ["period", "calls", "moved_on"])
		# one row per (period, slice): a slice with sealed and live days comes from both queries
		frame[["period", "calls", "moved_on"]] = frame[["period", "calls", "moved_on"]].astype(int)
		frame["slice"] = frame["slice"].fillna("")  # no slice, or a call without an employee
		return frame.groupby(["period", "slice"], as_index=False)[["calls", "moved_on"]].sum()

	def _call_query(
		self, db: Database, runs: list[tuple[date, date]], *, rollup: bool
	) -> list[dict[str, Any]]:
		"""One grouped read of the calls on these [start, end) runs of days: from the rollup's covering index
		(`funnel_day`) or the Call Logs' (`sf_call_funnel`); one index range per funnel value and run."""
		values = self._values()
		values["company"] = self.funnel.company
		funnel, manager = ("r.funnel", "r.manager") if rollup else ("c.sf_funnel", "c.employee_user_id")
		slice_sql = "NULLIF(r.manager, '')" if rollup else manager  # no employee: NULL from either table
		day = "r.day" if rollup else "c.start_time"
		none = f"{funnel} = ''" if rollup else f"({funnel} IS NULL OR {funnel} = '')"
		belongs = f"{funnel} = %(funnel)s"
		if self.funnel.is_default:
			belongs = (
				f"({belongs} OR ({none} AND {manager} IN (SELECT e.user_id FROM `tabEmployee` e"
				" WHERE e.company = %(company)s AND e.user_id IS NOT NULL)))"
			)
		ranges = []
		for index, (start, end) in enumerate(runs):
			values[f"run_start_{index}"], values[f"run_end_{index}"] = start, end
			ranges.append(f"({day} >= %(run_start_{index})s AND {day} < %(run_end_{index})s)")
		slice_sql = slice_sql if self.filters.slice_by in CALL_SLICES else "NULL"
		scope = ""
		if self.scope.own_or_assigned_of is not None:  # a Sales User: their own calls
			values["scope_user"] = self.scope.own_or_assigned_of
			scope = f" AND {manager} = %(scope_user)s"
		count = "r.calls" if rollup else "1"
		table = f"`tab{FUNNEL_ROLLUP}` r" if rollup else "`tabCall Log` c"
		hint = (
			"FORCE INDEX (`sf_call_funnel`)"
			if not rollup and "sf_call_funnel" in _call_log_indexes(db)
			else ""
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

	def no_history_rows(self, db: Database, *, open_now: bool = False) -> pd.DataFrame:
		values = self._values()
		stage_keys = []
		for index, stage in enumerate(self.funnel.progress_stages):
			values[f"p{index}"] = stage.stage
			stage_keys.append(f"%(p{index})s")
		stage_list = ", ".join(stage_keys)
		position = f"GREATEST(FIELD(o.sales_stage, {stage_list}), 1)"  # not in the funnel: its first stage
		kind = "(CASE o.status WHEN 'Lost' THEN 'Lost' WHEN 'Converted' THEN 'Won' ELSE 'Open' END)"
		stale = self._stale(values, position, "o.creation")
		where = "o.sf_sales_funnel = %(funnel)s AND o.sf_stage_entered_at IS NULL"
		where += self.scope.deal_filter("o.name", values)
		slice_sql = OPPORTUNITY_SLICES[self.filters.slice_by] if self.filters.slice_by else "NULL"
		if open_now:
			rows = db.sql(
				f"SELECT {slice_sql} AS slice, {position} AS to_position, COUNT(*) AS n, SUM({stale}) AS stale "
				f"FROM `tabOpportunity` o WHERE {where} AND o.status NOT IN ('Lost', 'Converted', 'Closed') "
				"GROUP BY slice, to_position ORDER BY NULL",
				values,
				as_dict=True,
			)
			return _frame(rows, OPEN_NOW_COLUMNS, ["to_position", "n", "stale"])
		if self.filters.mode != "cohort":
			return _frame([], GROUPED_COLUMNS, GROUPED_NUMERIC)
		to_position = f"(CASE {kind} WHEN 'Won' THEN %(won)s WHEN 'Lost' THEN -1 ELSE {position} END)"
		rows = db.sql(
			f"SELECT (o.creation >= %(start)s) AS period, {slice_sql} AS slice, 0 AS progress_from, "
			f"IF({kind} = 'Won', %(won)s, {position}) AS progress_to, "
			f"IF({kind} = 'Lost', {position}, 0) AS from_position, {to_position} AS to_position, 1 AS is_latest, "
			f"IF({kind} = 'Lost', o.order_lost_reason, NULL) AS lost_reason, 1 AS legacy, COUNT(*) AS n, "
			f"SUM({kind} = 'Open' AND {stale}) AS stale, 0 AS won_seconds, "
			"SUM(o.base_opportunity_amount) AS amount, 0 AS days "
			f"FROM `tabOpportunity` o WHERE {where} AND o.creation >= %(prev_start)s AND o.creation < %(end)s "
			"GROUP BY period, slice, progress_to, from_position, to_position, lost_reason ORDER BY NULL",
			values,
			as_dict=True,
		)
		return _frame(rows, GROUPED_COLUMNS, GROUPED_NUMERIC)


# ---------------------------------------------------------------------------------------------- shaping
def weighted_median(values: np.ndarray, weights: np.ndarray) -> float | None:
	"""The median of a multiset given as distinct values and their counts (mean of the two middle ones)."""
	total = int(weights.sum())
	if total == 0:
		return None
	order = np.argsort(values)
	values, cumulative = values[order], np.cumsum(weights[order])
	low = values[np.searchsorted(cumulative, (total - 1) // 2 + 1)]
	high = values[np.searchsorted(cumulative, total // 2 + 1)]
	return float(low + high) / 2


def _normalise_slice(frame: pd.DataFrame) -> pd.DataFrame:
	frame = frame.copy()
	frame["slice"] = frame["slice"].map(lambda v: NOT_SET if v is None or v == "" else str(v))
	return frame


def _shape(
	funnel: Funnel,
	filters: ConversionFilters,
	grouped: pd.DataFrame,
	durations: pd.DataFrame,
	snapshot: pd.DataFrame | None,
	period: int,
	calls: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
	grouped = _normalise_slice(grouped)
	rows = grouped[grouped["period"] == period]
	stays = _normalise_slice(durations[durations["period"] == period])
	snap = _normalise_slice(snapshot) if snapshot is not None else None
	call_part = None if calls is None else _normalise_slice(calls[calls["period"] == period])
	sliced_calls = call_part is not None and filters.slice_by in CALL_SLICES
	keys = [WHOLE] + (
		sorted(
			set(grouped["slice"])
			| set(snap["slice"] if snap is not None else [])
			| set(call_part["slice"] if sliced_calls else [])
		)
		if filters.slice_by
		else []
	)
	stage_rows: list[dict[str, Any]] = []
	total_rows: list[dict[str, Any]] = []
	for key in keys:
		part = rows if key == WHOLE else rows[rows["slice"] == key]
		part_stays = stays if key == WHOLE else stays[stays["slice"] == key]
		part_snap = None if snap is None else (snap if key == WHOLE else snap[snap["slice"] == key])
		stages, totals = _shape_one(funnel, filters, part, part_stays, part_snap)
		if call_part is not None and (key == WHOLE or sliced_calls):
			call_row = _call_row(call_part if key == WHOLE else call_part[call_part["slice"] == key])
			stages = [call_row, *stages]
			totals["calls"] = call_row["entered"]
			totals["call_conversion"] = call_row["conversion_to_next"]
		stage_rows += [{**row, "slice": key} for row in stages]
		total_rows.append({**totals, "slice": key})
	return pd.DataFrame(stage_rows), pd.DataFrame(total_rows)


def _shape_one(
	funnel: Funnel,
	filters: ConversionFilters,
	rows: pd.DataFrame,
	stays: pd.DataFrame,
	snapshot: pd.DataFrame | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
	progress = funnel.progress_stages
	won = len(progress)
	p_from, p_to, n = (rows[c].to_numpy() for c in ("progress_from", "progress_to", "n"))
	entered = {k: int(n[(p_from < k) & (k <= p_to)].sum()) for k in range(1, won + 1)}
	lost_rows = rows[rows["to_position"] == -1]
	if filters.mode == "cohort":
		lost_rows = lost_rows[lost_rows["is_latest"] == 1]
	if snapshot is None:
		open_rows = rows[(rows["is_latest"] == 1) & (rows["to_position"] >= 1) & (rows["to_position"] < won)]
		open_by, stale_by = (open_rows.groupby("to_position")[c].sum() for c in ("n", "stale"))
	else:
		open_by, stale_by = (snapshot.groupby("to_position")[c].sum() for c in ("n", "stale"))
	recorded = rows[rows["legacy"] == 0]
	left = recorded[recorded["from_position"] > 0].groupby("from_position")[["days", "n"]].sum()
	stay_hist = stays[stays["what"] == "stay"]
	first = entered.get(1, 0)
	out = []
	for k, stage in enumerate(progress, start=1):
		is_won = k == won
		moved_on = None if is_won else entered.get(k + 1, 0)
		lost_here = lost_rows[lost_rows["from_position"] == k]
		reasons = (
			lost_here.groupby(lost_here["lost_reason"].fillna(NOT_SET))["n"]
			.sum()
			.sort_values(ascending=False)
		)
		days_total = float(left["days"].get(k, 0.0))
		stays_count = int(left["n"].get(k, 0))
		conversion = None if is_won else _pct(moved_on, entered[k])
		target = stage.target_conversion if (not is_won and stage.target_conversion) else None
		out.append(
			{
				"position": k,
				"stage": stage.stage,
				"kind": stage.kind,
				"entered": entered[k],
				"moved_on": moved_on,
				"conversion_to_next": conversion,
				"conversion_from_entry": _pct(entered[k], first),
				"target_conversion": target,
				"gap": None if conversion is None or target is None else round(conversion - target, 2),
				"lost": int(lost_here["n"].sum()),
				"top_lost_reasons": ", ".join(
					f"{r} ({int(c)})" for r, c in reasons.head(TOP_LOST_REASONS).items()
				),
				"open": int(open_by.get(k, 0)),
				"stale": int(stale_by.get(k, 0)),
				"time_limit_days": stage.time_limit_days or None,
				"avg_days": round(days_total / stays_count, 2) if stays_count else None,
				"median_days": _median_days(stay_hist[stay_hist["position"] == k]),
			}
		)
	# a deal's win is the row with which it entered Won, as the Won count has it: a deal reopened after its win (a
	# cancelled payment steps it back) and won again is one win, with one amount and one time to win
	won_rows = rows[(rows["to_position"] == won) & (rows["progress_from"] < won)]
	timed_wins = int(won_rows.loc[won_rows["legacy"] == 0, "n"].sum())
	entry_rows = rows[(rows["from_position"] == 0) & (rows["progress_from"] == 0) | (rows["legacy"] == 1)]
	entries = int(entry_rows["n"].sum()) if filters.mode == "cohort" else first
	totals = {
		"entered": entries,
		"won": entered.get(won, 0),
		"lost": int(lost_rows["n"].sum()),
		"open": int(open_by.sum()),
		"stale": int(stale_by.sum()),
		"overall_conversion": _pct(entered.get(won, 0), entries),
		"avg_funnel_days": (
			round(float(won_rows["won_seconds"].sum()) / timed_wins / 86400, 2) if timed_wins else None
		),
		"median_funnel_days": _median_days(stays[stays["what"] == "length"]),
		"won_amount": round(float(won_rows["amount"].sum()), 2),
	}
	return out, totals


def _call_row(calls: pd.DataFrame) -> dict[str, Any]:
	"""The Call Received row: calls that belong to the funnel, those that led to a deal of it (moved on) and
	those that led to none (lost). Open, stale and days do not apply to a call."""
	received, moved_on = int(calls["calls"].sum()), int(calls["moved_on"].sum())
	return {
		"position": 0,
		"stage": CALL_RECEIVED,
		"kind": CALL_KIND,
		"entered": received,
		"moved_on": moved_on,
		"conversion_to_next": _pct(moved_on, received),
		"conversion_from_entry": _pct(received, received),
		"target_conversion": None,
		"gap": None,
		"lost": received - moved_on,
		"top_lost_reasons": "",
		"open": None,
		"stale": None,
		"time_limit_days": None,
		"avg_days": None,
		"median_days": None,
	}


def _median_days(histogram: pd.DataFrame) -> float | None:
	if histogram.empty:
		return None
	median = weighted_median(histogram["seconds"].to_numpy(dtype=float), histogram["n"].to_numpy(dtype=float))
	return None if median is None else round(median / 86400, 2)


def _pct(part: float | None, whole: float | None) -> float | None:
	if part is None or not whole:
		return None
	return round(100.0 * part / whole, 2)


__all__ = [
	"CALL_KIND",
	"CALL_RECEIVED",
	"MODES",
	"SLICES",
	"SLICE_LABELS",
	"WHOLE",
	"ConversionFilters",
	"ConversionResult",
	"previous_period",
	"stage_conversion",
]
