"""The Stage Conversion report: per stage, how many deals entered, moved on, were lost, are still open or
stale, and how long they stayed; totals and the previous period; optionally per slice.

Counting works on the transition rows alone, in one grouped pass (see `history.py` for the columns):

- a deal *entered* stage k when one of its rows crossed k: `progress_from < k <= progress_to`, so reaching
  stage 4 counts as passing 2 and 3, and moving back and forth never counts a stage twice;
- it *moved on* from k when it entered k+1; *won* is entering the Won stage;
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

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels import Funnel, load_funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.scope import DealScope

MODES = ("cohort", "activity")
SLICES: dict[str, str] = {
	# slice key -> column of tabFunnel Stage Transition
	"manager": "manager",
	"department": "department",
	"territory": "territory",
	"customer_group": "customer_group",
	"channel": "channel",
	"item_group": "item_group",
	"customer_kind": "customer_kind",
	"temperature": "temperature",
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
}
NOT_SET = _("(not set)")
TOP_LOST_REASONS = 3
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
	if filters.from_date > filters.to_date:
		raise InvalidInput(
			Message(_("From Date {0} is after To Date {1}."), (filters.from_date, filters.to_date))
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
	scope = scope or DealScope()
	start, end = period_bounds(filters.from_date, filters.to_date)
	prev_start = (
		period_bounds(*previous_period(filters.from_date, filters.to_date))[0]
		if filters.compare_previous
		else start
	)
	grouped = pd.concat(
		[
			_grouped_rows(db, funnel, filters, scope, now, prev_start, start, end),
			_no_history_rows(db, funnel, filters, scope, now, prev_start, start, end),
		],
		ignore_index=True,
	)
	durations = _duration_rows(db, funnel, filters, scope, prev_start, start, end)
	snapshot = None
	if filters.mode == "activity":
		snapshot = pd.concat(
			[
				_snapshot_rows(db, funnel, filters, scope, now),
				_no_history_rows(db, funnel, filters, scope, now, prev_start, start, end, snapshot=True),
			],
			ignore_index=True,
		)
	current = _shape(funnel, filters, grouped, durations, snapshot, period=1)
	result = ConversionResult(funnel, filters, current[0], current[1])
	if filters.compare_previous:
		previous = _shape(funnel, filters, grouped, durations, snapshot, period=0)
		result.previous_stages, result.previous_totals = previous
	result.extra["period"] = (start, end)
	return result


# ------------------------------------------------------------------------------------------------- SQL
def _slice_sql(filters: ConversionFilters) -> str:
	return f"`{SLICES[filters.slice_by]}`" if filters.slice_by else "NULL"


def _where(
	funnel: Funnel,
	filters: ConversionFilters,
	scope: DealScope,
	prev_start: datetime,
	start: datetime,
	end: datetime,
) -> tuple[str, str, dict[str, Any]]:
	"""WHERE clause, the period expression (1 = this period, 0 = the previous one) and the values."""
	column = "funnel_entered_at" if filters.mode == "cohort" else "transitioned_at"
	values: dict[str, Any] = {"funnel": funnel.name, "prev_start": prev_start, "start": start, "end": end}
	where = f"funnel = %(funnel)s AND `{column}` >= %(prev_start)s AND `{column}` < %(end)s"
	if filters.company:
		values["company"] = filters.company
		where += " AND company = %(company)s"
	where += scope.deal_filter("deal", values)
	return where, f"(`{column}` >= %(start)s)", values


def _grouped_rows(
	db: Database,
	funnel: Funnel,
	filters: ConversionFilters,
	scope: DealScope,
	now: datetime,
	prev_start: datetime,
	start: datetime,
	end: datetime,
) -> pd.DataFrame:
	where, period, values = _where(funnel, filters, scope, prev_start, start, end)
	stale_cases = []
	for index, stage in enumerate(funnel.open_stages):
		if stage.time_limit_days and stage.time_limit_days > 0:
			values[f"stale_stage_{index}"] = stage.stage
			values[f"stale_cutoff_{index}"] = now - timedelta(days=float(stage.time_limit_days))
			stale_cases.append(
				f"WHEN to_stage = %(stale_stage_{index})s THEN transitioned_at < %(stale_cutoff_{index})s"
			)
	stale = f"(CASE {' '.join(stale_cases)} ELSE 0 END)" if stale_cases else "0"
	rows = db.sql(
		f"""
		SELECT {period} AS period, {_slice_sql(filters)} AS slice, progress_from, progress_to, to_kind, to_stage,
			from_stage, is_latest, IF(to_kind = 'Lost', lost_reason, NULL) AS lost_reason,
			COUNT(*) AS n,
			SUM(is_latest = 1 AND to_kind = 'Open' AND {stale}) AS stale,
			SUM(from_stage IS NULL) AS entries,
			SUM(IF(to_kind = 'Won', TIMESTAMPDIFF(SECOND, funnel_entered_at, transitioned_at), 0)) AS won_seconds,
			SUM(IF(to_kind = 'Won', amount, 0)) AS won_amount, SUM(to_kind = 'Won') AS timed_wins,
			SUM(days_in_from_stage) AS days, SUM(from_stage IS NOT NULL) AS stays
		FROM `tabFunnel Stage Transition`
		WHERE {where}
		GROUP BY period, slice, progress_from, progress_to, to_kind, to_stage, from_stage, is_latest,
			IF(to_kind = 'Lost', lost_reason, NULL)
		""",
		values,
		as_dict=True,
	)
	return _frame(rows, GROUPED_COLUMNS, GROUPED_NUMERIC)


GROUPED_COLUMNS = ["period", "slice", "progress_from", "progress_to", "to_kind", "to_stage", "from_stage",
	"is_latest", "lost_reason", "n", "stale", "entries", "won_seconds", "won_amount", "timed_wins", "days",
	"stays"]  # fmt: skip
GROUPED_NUMERIC = ["period", "progress_from", "progress_to", "is_latest", "n", "stale", "entries", "won_seconds",
	"won_amount", "timed_wins", "days", "stays"]  # fmt: skip


def _frame(rows: list[dict[str, Any]], columns: list[str], numeric: list[str]) -> pd.DataFrame:
	frame = pd.DataFrame(rows, columns=columns)
	frame[numeric] = frame[numeric].apply(pd.to_numeric).fillna(0)
	return frame


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
}


def _no_history_rows(
	db: Database,
	funnel: Funnel,
	filters: ConversionFilters,
	scope: DealScope,
	now: datetime,
	prev_start: datetime,
	start: datetime,
	end: datetime,
	*,
	snapshot: bool = False,
) -> pd.DataFrame:
	values: dict[str, Any] = {"funnel": funnel.name, "prev_start": prev_start, "start": start, "end": end}
	stage_keys = []
	for index, stage in enumerate(funnel.progress_stages):
		values[f"p{index}"] = stage.stage
		stage_keys.append(f"%(p{index})s")
	stage_list = ", ".join(stage_keys)
	values.update(
		{
			"won_stage": funnel.won_stage.stage,
			"lost_stage": funnel.lost_stages[0].stage if funnel.lost_stages else "",
			"first_open": funnel.open_stages[0].stage if funnel.open_stages else funnel.won_stage.stage,
			"won_position": len(funnel.progress_stages),
		}
	)
	position = f"GREATEST(FIELD(o.sales_stage, {stage_list}), 1)"
	kind = "(CASE o.status WHEN 'Lost' THEN 'Lost' WHEN 'Converted' THEN 'Won' ELSE 'Open' END)"
	open_stage = f"IF(FIELD(o.sales_stage, {stage_list}) > 0, o.sales_stage, %(first_open)s)"
	cases = []
	for index, stage in enumerate(funnel.open_stages):
		if stage.time_limit_days and stage.time_limit_days > 0:
			values[f"ns{index}"] = stage.stage
			values[f"nc{index}"] = now - timedelta(days=float(stage.time_limit_days))
			cases.append(f"WHEN {open_stage} = %(ns{index})s THEN o.creation < %(nc{index})s")
	stale = f"(CASE {' '.join(cases)} ELSE 0 END)" if cases else "0"
	where = "o.sf_sales_funnel = %(funnel)s AND o.sf_stage_entered_at IS NULL"
	if filters.company:
		values["company"] = filters.company
		where += " AND o.company = %(company)s"
	where += scope.deal_filter("o.name", values)
	slice_sql = OPPORTUNITY_SLICES[filters.slice_by] if filters.slice_by else "NULL"
	if snapshot:
		rows = db.sql(
			f"SELECT {slice_sql} AS slice, {open_stage} AS to_stage, COUNT(*) AS n, SUM({stale}) AS stale "
			f"FROM `tabOpportunity` o WHERE {where} AND o.status NOT IN ('Lost', 'Converted', 'Closed') "
			"GROUP BY slice, to_stage",
			values,
			as_dict=True,
		)
		return _frame(rows, ["slice", "to_stage", "n", "stale"], ["n", "stale"])
	if filters.mode != "cohort":
		return _frame([], GROUPED_COLUMNS, GROUPED_NUMERIC)
	to_stage = (
		f"(CASE {kind} WHEN 'Won' THEN %(won_stage)s WHEN 'Lost' THEN %(lost_stage)s ELSE {open_stage} END)"
	)
	rows = db.sql(
		f"SELECT (o.creation >= %(start)s) AS period, {slice_sql} AS slice, 0 AS progress_from, "
		f"IF({kind} = 'Won', %(won_position)s, {position}) AS progress_to, {kind} AS to_kind, "
		f"{to_stage} AS to_stage, IF({kind} = 'Lost', {open_stage}, NULL) AS from_stage, 1 AS is_latest, "
		f"IF({kind} = 'Lost', o.order_lost_reason, NULL) AS lost_reason, COUNT(*) AS n, "
		f"SUM({kind} = 'Open' AND {stale}) AS stale, COUNT(*) AS entries, 0 AS won_seconds, "
		f"SUM(IF({kind} = 'Won', o.base_opportunity_amount, 0)) AS won_amount, 0 AS timed_wins, 0 AS days, "
		"0 AS stays "
		f"FROM `tabOpportunity` o WHERE {where} AND o.creation >= %(prev_start)s AND o.creation < %(end)s "
		"GROUP BY period, slice, progress_to, to_kind, to_stage, from_stage, lost_reason",
		values,
		as_dict=True,
	)
	return _frame(rows, GROUPED_COLUMNS, GROUPED_NUMERIC)


# Histogram buckets: exact to the hour under 3 days, to 6 hours under 30 days, to the day beyond
_BUCKET = """(CASE WHEN {s} < 259200 THEN FLOOR({s} / 3600) * 3600
	WHEN {s} < 2592000 THEN FLOOR({s} / 21600) * 21600 ELSE FLOOR({s} / 86400) * 86400 END)"""


def _duration_rows(
	db: Database,
	funnel: Funnel,
	filters: ConversionFilters,
	scope: DealScope,
	prev_start: datetime,
	start: datetime,
	end: datetime,
) -> pd.DataFrame:
	"""Histograms of days in stage (per stage left) and of funnel length (entry to won), for medians."""
	where, period, values = _where(funnel, filters, scope, prev_start, start, end)
	stay = _BUCKET.format(s="ROUND(days_in_from_stage * 86400)")
	length = _BUCKET.format(s="TIMESTAMPDIFF(SECOND, funnel_entered_at, transitioned_at)")
	rows = db.sql(
		f"""
		SELECT {period} AS period, {_slice_sql(filters)} AS slice, from_stage AS stage,
			IF(from_stage IS NULL, NULL, {stay}) AS stay_seconds,
			IF(to_kind = 'Won', {length}, NULL) AS length_seconds, COUNT(*) AS n
		FROM `tabFunnel Stage Transition`
		WHERE {where} AND (from_stage IS NOT NULL OR to_kind = 'Won')
		GROUP BY period, slice, stage, stay_seconds, length_seconds
		""",
		values,
		as_dict=True,
	)
	frame = pd.DataFrame(rows, columns=["period", "slice", "stage", "stay_seconds", "length_seconds", "n"])
	numeric = ["period", "stay_seconds", "length_seconds", "n"]
	frame[numeric] = frame[numeric].apply(pd.to_numeric)
	columns = ["period", "slice", "stage", "what", "seconds", "n"]
	stays = (
		frame.dropna(subset=["stay_seconds"])
		.groupby(["period", "slice", "stage", "stay_seconds"], dropna=False)["n"].sum()
		.reset_index().rename(columns={"stay_seconds": "seconds"}).assign(what="stay")
	)  # fmt: skip
	lengths = (
		frame.dropna(subset=["length_seconds"])
		.groupby(["period", "slice", "length_seconds"], dropna=False)["n"].sum()
		.reset_index().rename(columns={"length_seconds": "seconds"}).assign(what="length", stage="")
	)  # fmt: skip
	return pd.concat([stays[columns], lengths[columns]], ignore_index=True)


def _snapshot_rows(
	db: Database, funnel: Funnel, filters: ConversionFilters, scope: DealScope, now: datetime
) -> pd.DataFrame:
	"""Activity mode: every deal of the funnel that is open now, by stage, and how many of them are stale."""
	values: dict[str, Any] = {"funnel": funnel.name}
	where = "funnel = %(funnel)s AND is_latest = 1 AND to_kind = 'Open'"
	if filters.company:
		values["company"] = filters.company
		where += " AND company = %(company)s"
	where += scope.deal_filter("deal", values)
	cases = []
	for index, stage in enumerate(funnel.open_stages):
		if stage.time_limit_days and stage.time_limit_days > 0:
			values[f"s{index}"] = stage.stage
			values[f"c{index}"] = now - timedelta(days=float(stage.time_limit_days))
			cases.append(f"WHEN to_stage = %(s{index})s THEN transitioned_at < %(c{index})s")
	stale = f"(CASE {' '.join(cases)} ELSE 0 END)" if cases else "0"
	rows = db.sql(
		f"""SELECT {_slice_sql(filters)} AS slice, to_stage, COUNT(*) AS n, SUM({stale}) AS stale
		FROM `tabFunnel Stage Transition` WHERE {where} GROUP BY slice, to_stage""",
		values,
		as_dict=True,
	)
	return _frame(rows, ["slice", "to_stage", "n", "stale"], ["n", "stale"])


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


def _slice_keys(frame: pd.DataFrame, filters: ConversionFilters) -> list[str]:
	if not filters.slice_by:
		return [WHOLE]
	keys = sorted({NOT_SET if v is None or v == "" else str(v) for v in frame["slice"]})
	return [WHOLE, *keys]


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
) -> tuple[pd.DataFrame, pd.DataFrame]:
	rows = _normalise_slice(grouped[grouped["period"] == period])
	stays = _normalise_slice(durations[durations["period"] == period])
	snap = _normalise_slice(snapshot) if snapshot is not None else None
	stage_rows: list[dict[str, Any]] = []
	total_rows: list[dict[str, Any]] = []
	for key in _slice_keys(_normalise_slice(grouped), filters):
		part = rows if key == WHOLE else rows[rows["slice"] == key]
		part_stays = stays if key == WHOLE else stays[stays["slice"] == key]
		part_snap = None if snap is None else (snap if key == WHOLE else snap[snap["slice"] == key])
		stages, totals = _shape_one(funnel, filters, part, part_stays, part_snap)
		for row in stages:
			row["slice"] = key
		totals["slice"] = key
		stage_rows += stages
		total_rows.append(totals)
	return pd.DataFrame(stage_rows), pd.DataFrame(total_rows)


def _shape_one(
	funnel: Funnel,
	filters: ConversionFilters,
	rows: pd.DataFrame,
	stays: pd.DataFrame,
	snapshot: pd.DataFrame | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
	progress = funnel.progress_stages
	won_position = len(progress)
	p_from = rows["progress_from"].to_numpy()
	p_to = rows["progress_to"].to_numpy()
	n = rows["n"].to_numpy()
	entered = {k: int(n[(p_from < k) & (k <= p_to)].sum()) for k in range(1, won_position + 1)}
	latest = rows[rows["is_latest"] == 1]
	lost_rows = rows[rows["to_kind"] == "Lost"]
	if filters.mode == "cohort":
		lost_rows = lost_rows[lost_rows["is_latest"] == 1]
	lost_position = lost_rows["from_stage"].map(funnel.position)
	if snapshot is None:
		open_rows = latest[latest["to_kind"] == "Open"]
		open_by_stage = open_rows.groupby("to_stage")["n"].sum()
		stale_by_stage = open_rows.groupby("to_stage")["stale"].sum()
	else:
		open_by_stage = snapshot.groupby("to_stage")["n"].sum()
		stale_by_stage = snapshot.groupby("to_stage")["stale"].sum()
	stay_rows = stays[stays["what"] == "stay"]
	first = entered.get(1, 0)
	out = []
	for k, stage in enumerate(progress, start=1):
		is_won = stage.kind == "Won"
		moved_on = None if is_won else entered.get(k + 1, 0)
		lost_here = lost_rows[lost_position == k]
		reasons = (
			lost_here.groupby(lost_here["lost_reason"].fillna(NOT_SET))["n"]
			.sum()
			.sort_values(ascending=False)
		)
		left = rows[rows["from_stage"] == stage.stage]
		stays_here = stay_rows[stay_rows["stage"] == stage.stage]
		days_total, stays_count = float(left["days"].sum()), int(left["stays"].sum())
		conversion = _pct(moved_on, entered[k]) if not is_won else None
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
				"open": int(open_by_stage.get(stage.stage, 0)),
				"stale": int(stale_by_stage.get(stage.stage, 0)),
				"time_limit_days": stage.time_limit_days or None,
				"avg_days": round(days_total / stays_count, 2) if stays_count else None,
				"median_days": _median_days(stays_here),
			}
		)
	won_rows = rows[rows["to_kind"] == "Won"]
	timed_wins = int(won_rows["timed_wins"].sum())
	lengths = stays[stays["what"] == "length"]
	entries = int(rows["entries"].sum()) if filters.mode == "cohort" else first
	totals = {
		"entered": entries,
		"won": entered.get(won_position, 0),
		"lost": int(lost_rows["n"].sum()),
		"open": int(sum(open_by_stage.values)) if len(open_by_stage) else 0,
		"stale": int(sum(stale_by_stage.values)) if len(stale_by_stage) else 0,
		"overall_conversion": _pct(entered.get(won_position, 0), entries),
		"avg_funnel_days": (
			round(float(won_rows["won_seconds"].sum()) / timed_wins / 86400, 2) if timed_wins else None
		),
		"median_funnel_days": _median_days(lengths),
		"won_amount": round(float(won_rows["won_amount"].sum()), 2),
	}
	return out, totals


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
	"MODES",
	"SLICES",
	"SLICE_LABELS",
	"WHOLE",
	"ConversionFilters",
	"ConversionResult",
	"previous_period",
	"stage_conversion",
]
