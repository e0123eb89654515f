"""The Stage Conversion report's SQL over the stage history (`tabFunnel Stage Transition`, see `history.py` for
its columns), and over the Opportunities that have no history yet.

Counting works on the transition rows alone, in one grouped pass:

- a deal *entered* stage k when one of its rows crossed k: `progress_from < k <= progress_to`, so reaching
  stage 4 counts as passing 2 and 3, and moving back and forth never counts a stage twice;
- *lost at k*, *open at k* and *stale at k* look at each deal's latest row (`is_latest`);
- days in a stage come from `days_in_from_stage` of the rows that left it, won or lost (every stay counts).

The pandas side (`stages.py`) derives every figure from these grouped rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from sales_funnel.engine.conversion.filters import ConversionFilters, period_bounds, previous_period
from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.funnels.history import SLICE_COLUMNS
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.i18n import _
from sales_funnel.engine.scope import DealScope
from sales_funnel.engine.sql import in_list

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


def existing_indexes(db: Database) -> set[str]:
	"""The indexes of `tabFunnel Stage Transition` (a covering index is forced only where it exists)."""
	rows = db.sql(
		"""SELECT DISTINCT index_name FROM information_schema.statistics
		WHERE table_schema = DATABASE() AND table_name = 'tabFunnel Stage Transition'"""
	)
	return {row[0] for row in rows}


def numeric_frame(rows: list[dict[str, Any]], columns: list[str], numeric: list[str]) -> pd.DataFrame:
	"""The rows as a frame of `columns`, the `numeric` ones as numbers (NULL sums as 0)."""
	frame = rows_frame(rows, columns)
	frame[numeric] = frame[numeric].apply(pd.to_numeric).fillna(0)
	return frame


class StageQuery:
	"""The SQL of one report call (the Call Received row's is in `call_received.py`). Every value is a parameter; only column names and the CASE skeletons that
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

	def params(self) -> dict[str, Any]:
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

	def stale_sql(self, values: dict[str, Any], position: str, since: str) -> str:
		"""1 when an open deal at `position` has been there since before its stage's cutoff."""
		cases = [
			f"WHEN {k.removeprefix('cutoff_')} THEN {since} < %({k})s"
			for k in values
			if k.startswith("cutoff_")
		]
		return f"(CASE {position} {' '.join(cases)} ELSE 0 END)" if cases else "0"

	def period_where(self, values: dict[str, Any]) -> tuple[str, str]:
		"""The rows of the period (and the previous one), and the expression telling them apart (1 = this)."""
		column = "funnel_entered_at" if self.filters.mode == "cohort" else "transitioned_at"
		where = f"funnel = %(funnel)s AND `{column}` >= %(prev_start)s AND `{column}` < %(end)s"
		period = f"(`{column}` >= %(start)s)" if self.filters.compare_previous else "1"
		return where + self.scope.deal_filter("deal", values), period

	def grouped_rows(self, db: Database) -> pd.DataFrame:
		"""One pass over the period's rows, grouped by what they did. Only raw columns are summed: counts that
		follow from the group keys (entries, stays, wins) are derived in pandas."""
		values = self.params()
		where, period = self.period_where(values)
		stale = self.stale_sql(values, "to_position", "transitioned_at")
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
		return numeric_frame(rows, GROUPED_COLUMNS, GROUPED_NUMERIC)

	def duration_rows(self, db: Database) -> pd.DataFrame:
		"""Histograms, by whole hours, of the time spent in each stage (rows that left it) and of the funnel
		length of won deals (their latest row, through the small `sf_open_now` index)."""
		values = self.params()
		where, period = self.period_where(values)
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
		values = self.params()
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
				numeric_frame(stays, columns, ["period", "position", "bucket", "n"]).assign(what="stay"),
				numeric_frame(lengths, columns, ["period", "position", "bucket", "n"]).assign(what="length"),
			],
			ignore_index=True,
		)
		frame["seconds"] = frame["bucket"] * self.bucket_hours * 3600
		return frame[["period", "slice", "position", "what", "seconds", "n"]]

	def open_now_rows(self, db: Database) -> pd.DataFrame:
		"""Activity mode: every deal of the funnel open now, by position, and how many of them are stale."""
		values = self.params()
		values["last_open"] = self.won - 1
		stale = self.stale_sql(values, "to_position", "transitioned_at")
		where = "funnel = %(funnel)s AND is_latest = 1 AND to_position BETWEEN 1 AND %(last_open)s"
		where += self.scope.deal_filter("deal", values)
		rows = db.sql(
			f"""SELECT {self.slice} AS slice, to_position, COUNT(*) AS n, SUM({stale}) AS stale
			FROM `tabFunnel Stage Transition` {self.open_hint} WHERE {where} GROUP BY slice, to_position ORDER BY NULL""",
			values,
			as_dict=True,
		)
		return numeric_frame(rows, OPEN_NOW_COLUMNS, ["to_position", "n", "stale"])

	def no_history_rows(self, db: Database, *, open_now: bool = False) -> pd.DataFrame:
		values = self.params()
		stage_list = in_list("p", [stage.stage for stage in self.funnel.progress_stages], values)
		position = f"GREATEST(FIELD(o.sales_stage, {stage_list}), 1)"  # not in the funnel: its first stage
		kind = "(CASE o.status WHEN 'Lost' THEN 'Lost' WHEN 'Converted' THEN 'Won' ELSE 'Open' END)"
		stale = self.stale_sql(values, position, "o.creation")
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
			return numeric_frame(rows, OPEN_NOW_COLUMNS, ["to_position", "n", "stale"])
		if self.filters.mode != "cohort":
			return numeric_frame([], GROUPED_COLUMNS, GROUPED_NUMERIC)
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
		return numeric_frame(rows, GROUPED_COLUMNS, GROUPED_NUMERIC)
