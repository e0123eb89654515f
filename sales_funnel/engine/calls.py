"""Call outcomes: the Call Outcomes report, the enforcement job's selection of calls without an outcome, and
the plan of what setting an outcome on a call does.

Reading (ERPNext's `Call Log` with the app's `sf_outcome*` custom fields, `Call Outcome`, the call's `links`
rows in `Dynamic Link`, `ToDo`, `Opportunity`, and the app's per-day rollup of past calls, `call_rollup.py`):

- a call belongs to its manager, `Call Log.employee_user_id` (calls without one are "(not set)"), and to the
  period bucket of its `start_time` (day; week starting Monday; month);
- *answered* is status Completed; *with outcome* has `sf_outcome` set; *negotiations* have an outcome that
  counts as negotiation started; *meetings booked* have an outcome of category Meeting Booked;
- *deals from calls* are the Opportunities created in the period that any Call Log links to (`links` rows with
  link_doctype Opportunity, kept on the deal as `sf_from_call`), each counted once, for its owner in the bucket
  of its creation; *won* are those whose status is Converted or whose sales stage is their funnel's Won stage
  (what the latest stage-history row records: the recorder moves the sales stage with every move).

Overdue calls (the hourly job): a call needs an outcome when its status is one of the configured statuses
(default Completed); it is overdue once its grace period has run out: `COALESCE(end_time, start_time) +
grace <= now`. Exactly at the limit counts as overdue (the grace period is "within 2 hours"; at 2:00:00 it is
over). A call is reminded about once: a call that already has any ToDo (Open, Closed or Cancelled) is never
selected again, so a reminder the employee closed or a manager cancelled is not recreated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from sales_funnel.engine.call_rollup import ROLLUP, as_date, sealed_days, sealed_ranges, unsealed_ranges
from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.funnels.stages import load_funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _

PERIODS = ("day", "week", "month")
CALL_TYPES = ("Incoming", "Outgoing")
NEGOTIATION_CATEGORY = "Negotiation Started"
MEETING_CATEGORY = "Meeting Booked"
ANSWERED_STATUS = "Completed"
NOT_SET = _("(not set)")
DEFAULT_GRACE_HOURS = 2.0
DEFAULT_STATUSES = ("Completed",)
DRILLDOWN_LIMIT = 500
CALL_LOG = "Call Log"
EFFECTS = ("None", "Create Lead", "Create or Move Opportunity", "Create Follow-up ToDo")
PARTY_DOCTYPES = ("Lead", "Customer", "Prospect")
# the report's dates: wide enough for any real history and plan, far enough from date.min / date.max that the
# day after To Date and the Monday of From Date's week exist
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)
MAX_FOLLOW_UP_HOURS = 8784  # a follow-up at most a (leap) year after the call
RECORDING_SCHEMES = ("http", "https")

REPORT_COLUMNS = [
	"manager", "period", "calls", "incoming", "outgoing", "answered", "with_outcome", "without_outcome",
	"outcome_pct", "negotiations", "negotiations_per_10", "meetings", "deals", "won",
]  # fmt: skip
COUNT_COLUMNS = ["calls", "incoming", "outgoing", "answered", "with_outcome", "negotiations", "meetings"]


# ------------------------------------------------------------------------------------------- filters
@dataclass(frozen=True)
class CallFilters:
	from_date: date
	to_date: date
	period: str = "week"
	company: str | None = None  # the managers' company (Employee.company of the employee user)
	manager: str | None = None  # an employee user
	call_type: str | None = None  # Incoming / Outgoing


@dataclass(frozen=True)
class CallScope:
	"""Which calls a user may see: a Sales Manager all (`own_of` None), anyone else their own calls."""

	own_of: str | None = None


def validate_filters(filters: CallFilters) -> None:
	if filters.from_date is None or filters.to_date is None:
		raise InvalidInput(Message(_("Choose both a From Date and a To Date.")))
	for label, value in ((_("From Date"), filters.from_date), (_("To Date"), filters.to_date)):
		if not FIRST_DATE <= value <= LAST_DATE:
			raise InvalidInput(
				Message(
					_("{0} {1} is out of range: use a date from {2} to {3}."),
					(label, value, FIRST_DATE, LAST_DATE),
				)
			)
	if filters.from_date > filters.to_date:
		raise InvalidInput(
			Message(_("From Date {0} is after To Date {1}."), (filters.from_date, filters.to_date))
		)
	if filters.period not in PERIODS:
		raise InvalidInput(
			Message(_("Unknown period {0}: use one of {1}."), (filters.period, ", ".join(PERIODS)))
		)
	if filters.call_type and filters.call_type not in CALL_TYPES:
		raise InvalidInput(
			Message(_("Unknown call type {0}: use Incoming or Outgoing."), (filters.call_type,))
		)


def _where(filters: CallFilters, scope: CallScope | None, values: dict[str, Any]) -> str:
	"""The calls of the filters, as a WHERE clause on `tabCall Log` c (values added to `values`)."""
	values["start"] = datetime.combine(filters.from_date, datetime.min.time())
	values["end"] = datetime.combine(filters.to_date + timedelta(days=1), datetime.min.time())
	where = "c.start_time >= %(start)s AND c.start_time < %(end)s"
	return where + _who(filters, scope, values, "c.employee_user_id", "c.`type`")


def _who(
	filters: CallFilters, scope: CallScope | None, values: dict[str, Any], manager: str, call_type: str
) -> str:
	"""The manager, call type, company and scope conditions on the given columns."""
	where = ""
	if filters.manager:
		values["manager"] = filters.manager
		where += f" AND {manager} = %(manager)s"
	if filters.call_type:
		values["call_type"] = filters.call_type
		where += f" AND {call_type} = %(call_type)s"
	if filters.company:
		values["company"] = filters.company
		where += (
			f" AND {manager} IN (SELECT e.user_id FROM `tabEmployee` e"
			" WHERE e.company = %(company)s AND e.user_id IS NOT NULL)"
		)
	if scope is not None and scope.own_of is not None:
		values["scope_user"] = scope.own_of
		where += f" AND {manager} = %(scope_user)s"
	return where


# -------------------------------------------------------------------------------------------- report
@dataclass
class CallOutcomeResult:
	filters: CallFilters
	rows: pd.DataFrame  # one row per (manager, period), REPORT_COLUMNS
	managers: pd.DataFrame  # one row per manager over the whole range (period = None)
	total: dict[str, Any] = field(default_factory=dict)


def load_outcomes(db: Database) -> pd.DataFrame:
	"""Every Call Outcome: name, category, counts_as_negotiation, enabled, effect, funnel, stage, hours."""
	rows = db.sql(
		"""SELECT name, category, counts_as_negotiation, enabled, effect, funnel, stage, follow_up_hours
		FROM `tabCall Outcome`""",
		as_dict=True,
	)
	return rows_frame(
		rows,
		[
			"name",
			"category",
			"counts_as_negotiation",
			"enabled",
			"effect",
			"funnel",
			"stage",
			"follow_up_hours",
		],
	)


def call_outcome_report(
	db: Database, filters: CallFilters, now: datetime | None = None, scope: CallScope | None = None
) -> CallOutcomeResult:
	"""The Call Outcomes report: per manager and period bucket, and per manager over the whole range.

	Calls: sealed past days from the daily rollup (`call_rollup`), every other day of the range from the Call Logs
	themselves, each one grouped pass per (manager, period). Deals: one grouped pass over the index of the
	Opportunities that calls led to. All three group on CRC32 of the user and an integer period key (day number,
	its week's Monday's, or year*100+month); the bucket's date is made in pandas."""
	validate_filters(filters)
	outcomes = load_outcomes(db)
	calls = call_counts(db, filters, scope, outcomes=outcomes)
	deals = deal_counts(db, filters, scope)
	return _shape(filters, calls, deals)


# period -> an integer key of the bucket over a DATE or DATETIME column `{0}` (cheaper to compute and group on
# than a date; `_period_date` turns it back): TO_DAYS of the day or of its week's Monday, year*100 + month
_PERIOD_KEYS = {
	"day": "TO_DAYS({0})",
	"week": "TO_DAYS({0}) - WEEKDAY({0})",
	"month": "EXTRACT(YEAR_MONTH FROM {0})",
}


def _period_date(period: str, key: int) -> date:
	key = int(key)
	if period == "month":
		return date(key // 100, key % 100, 1)
	return date.fromordinal(key - 365)  # TO_DAYS('0001-01-01') is 366


def _outcome_lists(values: dict[str, Any], outcomes: pd.DataFrame) -> tuple[str, str]:
	negotiation = _names(
		values,
		"negotiation",
		[o.name for o in outcomes.itertuples() if int(o.counts_as_negotiation or 0) == 1],
	)
	meeting = _names(
		values, "meeting", [o.name for o in outcomes.itertuples() if o.category == MEETING_CATEGORY]
	)
	return negotiation, meeting


def _names(values: dict[str, Any], prefix: str, names: Sequence[str]) -> str:
	"""`(%(prefix_0)s, …)`, or `(NULL)`, which matches nothing, for an empty list."""
	keys = []
	for index, name in enumerate(names):
		values[f"{prefix}_{index}"] = name
		keys.append(f"%({prefix}_{index})s")
	return f"({', '.join(keys)})" if keys else "(NULL)"


def _grouped(db: Database, build: Any) -> list[dict[str, Any]]:
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
	frame["period"] = [_period_date(filters.period, key) for key in frame["period"]]
	# a bucket with sealed and live days comes from both queries
	return frame.groupby(["manager", "period"], as_index=False)[COUNT_COLUMNS].sum()


def _rollup_query(
	filters: CallFilters,
	scope: CallScope | None,
	outcomes: pd.DataFrame,
	runs: list[tuple[date, date]],
	exact: bool,
) -> tuple[str, dict[str, Any]]:
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
	who = _who(replace(filters, call_type=None), scope, values, "r.manager", "")
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
) -> tuple[str, dict[str, Any]]:
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
		WHERE ({days}){_who(filters, scope, values, "c.employee_user_id", "c.`type`")}
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


def _deals_query(
	filters: CallFilters, scope: CallScope | None, won: list[tuple[str, str]], hint: str, exact: bool
) -> tuple[str, dict[str, Any]]:
	"""Opportunities created in the period that a Call Log links to (`sf_from_call`), by owner and the bucket of
	their creation; won when the status is Converted or the deal's sales stage is its funnel's Won stage (the
	stage its history's latest row records: the recorder moves the sales stage with every move)."""
	values: dict[str, Any] = {
		"start": datetime.combine(filters.from_date, datetime.min.time()),
		"end": datetime.combine(filters.to_date + timedelta(days=1), datetime.min.time()),
	}
	where = "o.sf_from_call = 1 AND o.creation >= %(start)s AND o.creation < %(end)s"
	# the owner's company, as for the calls (so a manager's row is whole or absent)
	where += _who(replace(filters, call_type=None), scope, values, "o.opportunity_owner", "")
	if filters.call_type:
		values["call_type"] = filters.call_type
		where += (
			" AND EXISTS (SELECT 1 FROM `tabDynamic Link` dl JOIN `tabCall Log` c ON c.name = dl.parent"
			" WHERE dl.link_doctype = 'Opportunity' AND dl.link_name = o.name AND dl.parenttype = 'Call Log'"
			" AND c.`type` = %(call_type)s)"
		)
	pairs = []
	for index, (funnel, stage) in enumerate(won):
		values[f"won_funnel_{index}"], values[f"won_stage_{index}"] = funnel, stage
		pairs.append(f"(%(won_funnel_{index})s, %(won_stage_{index})s)")
	# the stage name first: one cheap test rules out nearly every deal before the (funnel, stage) pair is built
	stage_names = _names(values, "won_name", sorted({stage for _funnel, stage in won}))
	in_won_stage = (
		f"(o.sales_stage IN {stage_names} AND (o.sf_sales_funnel, o.sales_stage) IN ({', '.join(pairs)}))"
		if pairs
		else "0"
	)
	owner = "IFNULL(o.opportunity_owner, '')"
	sql = f"""SELECT MIN({owner}) AS manager, MAX({owner}) AS manager_check,
			{_PERIOD_KEYS[filters.period].format("o.creation")} AS period, COUNT(*) AS deals,
			SUM(o.status = 'Converted' OR {in_won_stage}) AS won
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
	frame["period"] = [_period_date(filters.period, key) for key in frame["period"]]
	return frame.drop(columns="manager_check")


# ----------------------------------------------------------------------------- deals linked from calls
def from_call_changes(
	db: Database, opportunities: Iterable[str | None], *, without_call: str | None = None
) -> dict[str, int]:
	"""Opportunities whose `sf_from_call` flag is wrong after their calls changed: name -> the right value
	(1 when any Call Log other than `without_call`, a call being deleted, links to it). The Call Log hook
	passes the Opportunities in the call's links before and after the change and writes what this returns."""
	names = sorted({n for n in opportunities if n})
	if not names:
		return {}
	values: dict[str, Any] = {"without": without_call or ""}
	keys = []
	for index, name in enumerate(names):
		values[f"opp_{index}"] = name
		keys.append(f"%(opp_{index})s")
	rows = db.sql(
		f"""SELECT o.name, o.sf_from_call, EXISTS (SELECT 1 FROM `tabDynamic Link` dl
				WHERE dl.link_doctype = 'Opportunity' AND dl.link_name = o.name AND dl.parenttype = 'Call Log'
				AND dl.parent != %(without)s) AS linked
		FROM `tabOpportunity` o WHERE o.name IN ({", ".join(keys)})""",
		values,
		as_dict=True,
	)
	return {r["name"]: int(r["linked"]) for r in rows if int(r["sf_from_call"] or 0) != int(r["linked"])}


def backfill_from_call(db: Database) -> int:
	"""Set `sf_from_call` on every Opportunity a Call Log links to, clear it elsewhere (installation, and a
	site whose links were changed behind the hooks); returns the rows changed. One set-based UPDATE each way:
	the flag is derived data, and a save per deal would fire the Opportunity's hooks a million times."""
	linked = (
		"SELECT dl.link_name FROM `tabDynamic Link` dl"
		" WHERE dl.link_doctype = 'Opportunity' AND dl.parenttype = 'Call Log'"
	)
	db.sql(f"UPDATE `tabOpportunity` SET sf_from_call = 1 WHERE sf_from_call = 0 AND name IN ({linked})")
	set_count = db.sql("SELECT ROW_COUNT()")[0][0]
	db.sql(f"UPDATE `tabOpportunity` SET sf_from_call = 0 WHERE sf_from_call = 1 AND name NOT IN ({linked})")
	return int(set_count) + int(db.sql("SELECT ROW_COUNT()")[0][0])


def _shape(filters: CallFilters, calls: pd.DataFrame, deals: pd.DataFrame) -> CallOutcomeResult:
	counts = [*COUNT_COLUMNS, "deals", "won"]
	keys = ["manager", "period"]
	rows = calls.merge(deals, on=keys, how="outer")
	rows[counts] = rows[counts].apply(pd.to_numeric).fillna(0)
	rows = rows.groupby(keys, as_index=False)[counts].sum()  # (a case-only difference in a user name)
	rows = _finish(rows)
	managers = _finish(rows.groupby("manager", as_index=False)[counts].sum().assign(period=None))
	total_frame = _finish(rows[counts].sum().to_frame().T.assign(manager=None, period=None))
	total = total_frame.iloc[0].to_dict() if len(rows) else dict.fromkeys(REPORT_COLUMNS, 0)
	return CallOutcomeResult(filters, rows, managers, total)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
	"""Integer counts, the derived ratios, (not set) for calls without a manager, sorted."""
	counts = [*COUNT_COLUMNS, "deals", "won"]
	frame = frame.copy()
	frame[counts] = frame[counts].astype(int)
	frame["without_outcome"] = frame["calls"] - frame["with_outcome"]
	calls = frame["calls"].where(frame["calls"] > 0)
	frame["outcome_pct"] = (100.0 * frame["with_outcome"] / calls).round(1).fillna(0.0)
	frame["negotiations_per_10"] = (10.0 * frame["negotiations"] / calls).round(2).fillna(0.0)
	frame["manager"] = frame["manager"].map(lambda m: m or NOT_SET if m is not None else None)
	if frame["period"].notna().any():
		frame["period"] = pd.to_datetime(frame["period"]).dt.date
	frame["nobody"] = frame["manager"] == NOT_SET  # calls without a manager come last
	frame = frame.sort_values(["nobody", "manager", "period"], na_position="last")
	return frame[REPORT_COLUMNS].reset_index(drop=True)


def calls_drilldown(
	db: Database,
	filters: CallFilters,
	scope: CallScope | None = None,
	*,
	manager: str | None = None,
	outcome: str | None = None,
	negotiations_only: bool = False,
	without_outcome: bool = False,
	limit: int = DRILLDOWN_LIMIT,
) -> list[dict[str, Any]]:
	"""The calls behind a report cell, newest first, with the recording link and the first linked deal.

	`manager` "" or NOT_SET picks the calls without an employee."""
	validate_filters(filters)
	if limit <= 0 or limit > 10 * DRILLDOWN_LIMIT:
		raise InvalidInput(Message(_("Show between 1 and {0} calls."), (10 * DRILLDOWN_LIMIT,)))
	values: dict[str, Any] = {"limit": int(limit)}
	where = _where(filters, scope, values)
	if manager is not None:
		if manager in ("", NOT_SET):
			where += " AND IFNULL(c.employee_user_id, '') = ''"
		else:
			values["drill_manager"] = manager
			where += " AND c.employee_user_id = %(drill_manager)s"
	if outcome:
		values["drill_outcome"] = outcome
		where += " AND c.sf_outcome = %(drill_outcome)s"
	if without_outcome:
		where += " AND IFNULL(c.sf_outcome, '') = ''"
	if negotiations_only:
		where += (
			" AND c.sf_outcome IN (SELECT o.name FROM `tabCall Outcome` o WHERE o.counts_as_negotiation = 1)"
		)
	rows = db.sql(
		f"""SELECT c.name, c.start_time, c.`type`, c.status, c.duration, c.employee_user_id AS manager,
			c.sf_outcome AS outcome, c.sf_outcome_note AS note, c.recording_url,
			(SELECT dl.link_name FROM `tabDynamic Link` dl WHERE dl.parent = c.name AND dl.parenttype = 'Call Log'
				AND dl.link_doctype = 'Opportunity' ORDER BY dl.idx LIMIT 1) AS opportunity
		FROM `tabCall Log` c WHERE {where}
		ORDER BY c.start_time DESC, c.name DESC LIMIT %(limit)s""",
		values,
		as_dict=True,
	)
	for row in rows:
		row["recording_url"] = safe_recording_url(row["recording_url"])
	return rows


def safe_recording_url(url: str | None) -> str | None:
	"""The recording link if it is an absolute http(s) URL, else None: `recording_url` is free text that a
	telephony integration or a user wrote, and a `javascript:` or `data:` URL in a link runs in the Desk."""
	text = (url or "").strip()
	if not text or any(ord(char) < 33 or char in "\"'<>`\\" for char in text):
		return None
	try:
		parts = urlsplit(text)
	except ValueError:
		return None
	if parts.scheme.lower() not in RECORDING_SCHEMES or not parts.hostname:
		return None
	return text


# --------------------------------------------------------------------------------------- enforcement
@dataclass(frozen=True)
class OverdueCall:
	call: str
	employee: str | None
	start_time: datetime
	due_at: datetime  # when the grace period ran out


@dataclass(frozen=True)
class OverdueCalls:
	with_employee: list[OverdueCall]  # one ToDo each, for the employee
	without_employee: list[OverdueCall]  # nobody to remind: reported to the managers


def _check_enforcement(grace_hours: float, statuses: Sequence[str]) -> None:
	if grace_hours is None or grace_hours < 0:
		raise InvalidInput(
			Message(_("The grace period must be zero or more hours, not {0}."), (grace_hours,))
		)
	if not statuses:
		raise InvalidInput(Message(_("Choose at least one call status that needs an outcome.")))


def _status_list(statuses: Sequence[str], values: dict[str, Any]) -> str:
	names = []
	for index, status in enumerate(statuses):
		values[f"status_{index}"] = status
		names.append(f"%(status_{index})s")
	return ", ".join(names)


def overdue_calls(
	db: Database,
	now: datetime,
	grace_hours: float = DEFAULT_GRACE_HOURS,
	statuses: Sequence[str] = DEFAULT_STATUSES,
	since: datetime | None = None,
	limit: int | None = None,
) -> OverdueCalls:
	"""Calls past their grace period without an outcome and never reminded about (no ToDo on the call).

	Due at `COALESCE(end_time, start_time) + grace`; overdue when due <= now (the limit itself counts).
	`since` skips calls that started before it (so installing the app does not remind about years of history).
	"""
	_check_enforcement(grace_hours, statuses)
	values: dict[str, Any] = {"cutoff": now - timedelta(hours=float(grace_hours)), "since": since}
	status_list = _status_list(statuses, values)
	limit_sql = ""
	if limit is not None:
		values["limit"] = int(limit)
		limit_sql = " LIMIT %(limit)s"
	rows = db.sql(
		f"""SELECT c.name, IFNULL(c.employee_user_id, '') AS employee, c.start_time,
			COALESCE(c.end_time, c.start_time) AS ended_at
		FROM `tabCall Log` c
		WHERE c.status IN ({status_list}) AND IFNULL(c.sf_outcome, '') = ''
			AND c.start_time IS NOT NULL AND COALESCE(c.end_time, c.start_time) <= %(cutoff)s
			AND (%(since)s IS NULL OR c.start_time >= %(since)s)
			AND NOT EXISTS (SELECT 1 FROM `tabToDo` td
				WHERE td.reference_type = 'Call Log' AND td.reference_name = c.name)
		ORDER BY c.start_time, c.name{limit_sql}""",
		values,
		as_dict=True,
	)
	grace = timedelta(hours=float(grace_hours))
	calls = [
		OverdueCall(r["name"], r["employee"] or None, r["start_time"], r["ended_at"] + grace) for r in rows
	]
	return OverdueCalls(
		with_employee=[c for c in calls if c.employee], without_employee=[c for c in calls if not c.employee]
	)


def missing_outcome_digest(
	db: Database,
	now: datetime,
	grace_hours: float = DEFAULT_GRACE_HOURS,
	statuses: Sequence[str] = DEFAULT_STATUSES,
	since: datetime | None = None,
) -> pd.DataFrame:
	"""Per employee ("" for calls without one): calls that needed an outcome by now (since `since`), how many
	still have none, and the oldest of those; worst first. Reminded or not, every overdue call counts."""
	_check_enforcement(grace_hours, statuses)
	values: dict[str, Any] = {"cutoff": now - timedelta(hours=float(grace_hours)), "since": since}
	status_list = _status_list(statuses, values)
	rows = db.sql(
		f"""SELECT IFNULL(c.employee_user_id, '') AS employee, COUNT(*) AS due,
			SUM(IFNULL(c.sf_outcome, '') = '') AS missing,
			MIN(IF(IFNULL(c.sf_outcome, '') = '', c.start_time, NULL)) AS oldest_missing
		FROM `tabCall Log` c
		WHERE c.status IN ({status_list}) AND c.start_time IS NOT NULL
			AND COALESCE(c.end_time, c.start_time) <= %(cutoff)s
			AND (%(since)s IS NULL OR c.start_time >= %(since)s)
		GROUP BY employee""",
		values,
		as_dict=True,
	)
	frame = rows_frame(rows, ["employee", "due", "missing", "oldest_missing"])
	frame[["due", "missing"]] = frame[["due", "missing"]].apply(pd.to_numeric).fillna(0).astype(int)
	frame = frame[frame["missing"] > 0]
	return frame.sort_values(["missing", "employee"], ascending=[False, True]).reset_index(drop=True)


# ----------------------------------------------------------------------------------- effect planning
@dataclass(frozen=True)
class CallRecord:
	name: str
	employee: str | None
	status: str | None
	call_type: str | None
	phone: str | None  # the other party's number
	customer: str | None
	outcome: str | None
	note: str | None
	follow_up_on: datetime | None
	links: tuple[tuple[str, str], ...]  # (link_doctype, link_name) in idx order
	open_todos: tuple[tuple[str, str | None, date | None], ...]  # (name, allocated_to, date) of Open ToDos

	def linked(self, *doctypes: str) -> list[tuple[str, str]]:
		return [link for link in self.links if link[0] in doctypes]


@dataclass(frozen=True)
class Outcome:
	name: str
	category: str
	counts_as_negotiation: bool
	enabled: bool
	effect: str
	funnel: str | None
	stage: str | None
	follow_up_hours: int


@dataclass(frozen=True)
class OpportunityPlan:
	action: str  # "create" or "move"
	name: str | None  # the Opportunity moved (None when created)
	opportunity_from: str | None  # the party of a created one; "Lead" with party None = the planned Lead
	party_name: str | None
	funnel: str | None
	stage: str | None


@dataclass(frozen=True)
class TodoPlan:
	allocated_to: str
	date: date
	description: Message


@dataclass(frozen=True)
class OutcomePlan:
	call: str
	outcome: str
	previous_outcome: str | None
	set_fields: dict[str, Any]  # Call Log fields to write; empty when nothing changes
	create_lead: bool = False
	lead_phone: str | None = None
	opportunity: OpportunityPlan | None = None
	todo: TodoPlan | None = None
	close_todos: tuple[str, ...] = ()
	change_note: Message | None = None  # recorded on the call (a comment) when an outcome is replaced

	@property
	def is_noop(self) -> bool:
		return not (self.set_fields or self.create_lead or self.opportunity or self.todo or self.close_todos)


def load_call(db: Database, name: str, for_update: bool = False) -> CallRecord:
	"""A Call Log with its links and its open ToDos; `for_update` locks the row until the transaction ends,
	so two requests setting an outcome on the same call run one after the other."""
	lock = " FOR UPDATE" if for_update else ""
	rows = db.sql(
		f"""SELECT name, employee_user_id, status, `type`, `from`, `to`, customer, sf_outcome, sf_outcome_note,
			sf_follow_up_on FROM `tabCall Log` WHERE name = %(name)s{lock}""",
		{"name": name},
		as_dict=True,
	)
	if not rows:
		raise InvalidInput(Message(_("There is no Call Log {0}."), (name,)))
	row = rows[0]
	links = db.sql(
		"""SELECT link_doctype, link_name FROM `tabDynamic Link`
		WHERE parent = %(name)s AND parenttype = 'Call Log' AND parentfield = 'links' ORDER BY idx""",
		{"name": name},
	)
	todos = db.sql(
		"""SELECT name, allocated_to, `date` FROM `tabToDo`
		WHERE reference_type = 'Call Log' AND reference_name = %(name)s AND status = 'Open' ORDER BY creation, name""",
		{"name": name},
	)
	phone = row["from"] if row["type"] == "Incoming" else row["to"]
	return CallRecord(
		name=row["name"],
		employee=row["employee_user_id"] or None,
		status=row["status"],
		call_type=row["type"],
		phone=phone or None,
		customer=row["customer"] or None,
		outcome=row["sf_outcome"] or None,
		note=row["sf_outcome_note"] or None,
		follow_up_on=row["sf_follow_up_on"] or None,
		links=tuple((d, n) for d, n in links if d and n),
		open_todos=tuple((n, a, as_date(d)) for n, a, d in todos),
	)


def load_outcome(db: Database, name: str | None) -> Outcome:
	"""An enabled Call Outcome; unknown or disabled is a user error."""
	rows = (
		db.sql(
			"""SELECT name, category, counts_as_negotiation, enabled, effect, funnel, stage, follow_up_hours
			FROM `tabCall Outcome` WHERE name = %(name)s""",
			{"name": name},
			as_dict=True,
		)
		if name
		else []
	)
	if not rows:
		raise InvalidInput(Message(_("There is no Call Outcome {0}."), (name or "",)))
	row = rows[0]
	if not row["enabled"]:
		raise InvalidInput(Message(_("Call Outcome {0} is disabled."), (name,)))
	return Outcome(
		name=row["name"],
		category=row["category"],
		counts_as_negotiation=bool(row["counts_as_negotiation"]),
		enabled=True,
		effect=row["effect"] or "None",
		funnel=row["funnel"] or None,
		stage=row["stage"] or None,
		follow_up_hours=int(row["follow_up_hours"] or 0),
	)


def check_outcome_setup(
	effect: str | None, funnel: str | None, stage: str | None, follow_up_hours: int | None
) -> None:
	"""What a Call Outcome needs for its effect (the doctype controller's validate)."""
	if (effect or "None") not in EFFECTS:
		raise InvalidInput(Message(_("Unknown effect {0}."), (effect,)))
	if effect == "Create Follow-up ToDo" and (follow_up_hours is None or follow_up_hours <= 0):
		raise InvalidInput(Message(_("Set after how many hours the follow-up is due (more than zero).")))
	if follow_up_hours is not None and follow_up_hours > MAX_FOLLOW_UP_HOURS:
		raise InvalidInput(
			Message(
				_("The follow-up is due at most {0} hours after the call, not {1}."),
				(MAX_FOLLOW_UP_HOURS, follow_up_hours),
			)
		)
	if stage and not funnel:
		raise InvalidInput(Message(_("Choose the Funnel of stage {0}."), (stage,)))


def check_outcome_stage(db: Database, funnel: str, stage: str | None) -> None:
	"""The stage must be an open stage of the funnel."""
	loaded = load_funnel(db, funnel)
	if stage and loaded.kind(stage) != "Open":
		raise InvalidInput(Message(_("Stage {0} is not an open stage of funnel {1}."), (stage, funnel)))


def plan_outcome_effect(
	db: Database,
	call: CallRecord,
	outcome_name: str | None,
	now: datetime,
	*,
	user: str,
	note: str | None = None,
	follow_up_on: datetime | date | None = None,
) -> OutcomePlan:
	"""What setting `outcome_name` on `call` changes, idempotently.

	- the call's outcome fields, unless outcome, note and follow-up date are what they already are;
	- Create Lead: a Lead for the caller's number, unless the call is linked to a Lead, Customer or Prospect or
	  names a customer;
	- Create or Move Opportunity: a linked Opportunity is moved forward to the outcome's stage (never back, never
	  out of Won/Lost); without one an Opportunity is created for the linked party (a new Lead when there is none);
	- Create Follow-up ToDo: one ToDo for the employee due `follow_up_on` or after N hours, unless an open one
	  for this call with that date exists;
	- open ToDos on the call other than the kept follow-up are closed (the call has its outcome now);
	- setting the same outcome again plans nothing; replacing an outcome records the change and never undoes
	  (or repeats) what the previous one created."""
	outcome = load_outcome(db, outcome_name)
	follow_up_on = _follow_up(follow_up_on, now)
	note = (note or "").strip() or None
	same = call.outcome == outcome.name
	changes: dict[str, Any] = {}
	if not same:
		changes = {"sf_outcome": outcome.name, "sf_outcome_note": note, "sf_follow_up_on": follow_up_on}
	else:
		if note is not None and note != call.note:
			changes["sf_outcome_note"] = note
		if follow_up_on is not None and follow_up_on != call.follow_up_on:
			changes["sf_follow_up_on"] = follow_up_on
	set_fields = {**changes, "sf_outcome_set_by": user, "sf_outcome_set_at": now} if changes else {}
	if same and "sf_follow_up_on" not in changes:
		# the effect ran when this outcome was set: setting it again changes at most the note
		return OutcomePlan(call.name, outcome.name, call.outcome, set_fields)
	if same:
		todo, close = _plan_todo(call, outcome, follow_up_on, now)
		return OutcomePlan(call.name, outcome.name, call.outcome, set_fields, todo=todo, close_todos=close)

	change_note = (
		Message(_("Call outcome changed from {0} to {1}."), (call.outcome, outcome.name))
		if call.outcome
		else None
	)
	create_lead, opportunity, todo = False, None, None
	party = call.linked(*PARTY_DOCTYPES)
	if outcome.effect == "Create Lead":
		create_lead = not party and not call.customer
	elif outcome.effect == "Create or Move Opportunity":
		opportunity, create_lead = _plan_opportunity(db, call, outcome, party)
	todo, close = _plan_todo(call, outcome, follow_up_on, now)
	return OutcomePlan(
		call=call.name,
		outcome=outcome.name,
		previous_outcome=call.outcome,
		set_fields=set_fields,
		create_lead=create_lead,
		lead_phone=call.phone if create_lead else None,
		opportunity=opportunity,
		todo=todo,
		close_todos=close,
		change_note=change_note,
	)


def _follow_up(value: datetime | date | None, now: datetime) -> datetime | None:
	"""The follow-up moment (`sf_follow_up_on` is a Datetime; a bare date means the start of that day); a
	moment in the past is a user error (a bare date only when the day is over)."""
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		if value < now:
			raise InvalidInput(Message(_("The follow-up time {0} is in the past."), (value,)))
		return value
	if value < now.date():
		raise InvalidInput(
			Message(_("The follow-up date {0} is in the past (today is {1})."), (value, now.date()))
		)
	return datetime.combine(value, datetime.min.time())


def _plan_todo(
	call: CallRecord, outcome: Outcome, follow_up_on: datetime | None, now: datetime
) -> tuple[TodoPlan | None, tuple[str, ...]]:
	"""The follow-up ToDo (unless an open one for the employee with that date exists) and the open ToDos on
	the call to close (every other one: the call has its outcome now)."""
	due = follow_up_on.date() if follow_up_on else None
	if due is None and outcome.effect == "Create Follow-up ToDo":
		due = (now + timedelta(hours=outcome.follow_up_hours)).date()
	keep = {t[0] for t in call.open_todos if due is not None and t[1] == call.employee and t[2] == due}
	todo = None
	if due is not None and call.employee and not keep:
		todo = TodoPlan(
			call.employee, due, Message(_("Follow up on call {0} ({1})."), (call.name, outcome.name))
		)
	return todo, tuple(t[0] for t in call.open_todos if t[0] not in keep)


def _plan_opportunity(
	db: Database, call: CallRecord, outcome: Outcome, party: list[tuple[str, str]]
) -> tuple[OpportunityPlan | None, bool]:
	funnel = load_funnel(db, outcome.funnel) if outcome.funnel else None
	stage = outcome.stage or (funnel.open_stages[0].stage if funnel and funnel.open_stages else None)
	linked = [name for doctype, name in call.links if doctype == "Opportunity"]
	if linked:
		rows = db.sql(
			"SELECT name, status, sales_stage, sf_sales_funnel FROM `tabOpportunity` WHERE name = %(name)s",
			{"name": linked[0]},
			as_dict=True,
		)
		if not rows:
			linked = []
		else:
			deal = rows[0]
			if deal["status"] in ("Converted", "Lost", "Closed") or not stage or not funnel:
				return None, False
			same_funnel = (deal["sf_sales_funnel"] or funnel.name) == funnel.name
			if same_funnel and funnel.position(stage) > funnel.position(deal["sales_stage"]):
				return OpportunityPlan("move", deal["name"], None, None, funnel.name, stage), False
			return None, False
	if call.customer and not party:
		party = [("Customer", call.customer)]
	if party:
		doctype, name = party[0]
		return OpportunityPlan("create", None, doctype, name, funnel.name if funnel else None, stage), False
	return OpportunityPlan("create", None, "Lead", None, funnel.name if funnel else None, stage), True


# ------------------------------------------------------------------------------------ report output
@dataclass
class CallReportOutput:
	columns: list[dict[str, Any]]
	data: list[dict[str, Any]]
	chart: dict[str, Any] | None
	summary: list[dict[str, Any]]


COLUMN_LABELS = {
	"calls": _("Calls"),
	"incoming": _("Incoming"),
	"outgoing": _("Outgoing"),
	"answered": _("Answered"),
	"with_outcome": _("With Outcome"),
	"without_outcome": _("Without Outcome"),
	"outcome_pct": _("With Outcome %"),
	"negotiations": _("Negotiations Started"),
	"negotiations_per_10": _("Negotiations per 10 Calls"),
	"meetings": _("Meetings Booked"),
	"deals": _("Deals from Calls"),
	"won": _("Deals Won"),
}


def report_output(result: CallOutcomeResult, translate: Any, full_name: Any = None) -> CallReportOutput:
	"""Columns, rows (a tree: each manager's totals, then the manager's periods), a chart comparing managers and
	a summary, for Frappe's query report. `translate` is `frappe._`; `full_name(user)` names a manager."""
	name_of = full_name or (lambda user: user)
	columns: list[dict[str, Any]] = [
		{"fieldname": "label", "label": translate("Manager / Period"), "fieldtype": "Data", "width": 200},
		{
			"fieldname": "manager",
			"label": translate("Manager"),
			"fieldtype": "Link",
			"options": "User",
			"hidden": 1,
		},
		{"fieldname": "period", "label": translate("Period"), "fieldtype": "Date", "hidden": 1},
	]
	for key, label in COLUMN_LABELS.items():
		fieldtype = "Percent" if key == "outcome_pct" else "Float" if key == "negotiations_per_10" else "Int"
		columns.append({"fieldname": key, "label": translate(label), "fieldtype": fieldtype, "width": 110})
	data: list[dict[str, Any]] = []
	for manager in result.managers.itertuples(index=False):
		manager_row = manager._asdict()
		is_nobody = manager_row["manager"] == NOT_SET
		label = translate(NOT_SET) if is_nobody else name_of(manager_row["manager"]) or manager_row["manager"]
		data.append({**manager_row, "manager": "" if is_nobody else manager_row["manager"], "label": label,
			"indent": 0, "is_group": 1})  # fmt: skip
		periods = result.rows[result.rows["manager"] == manager_row["manager"]]
		for row in periods.itertuples(index=False):
			values = row._asdict()
			data.append({**values, "manager": "" if is_nobody else values["manager"],
				"label": str(values["period"]), "parent_label": label, "indent": 1})  # fmt: skip
	chart = None
	if len(result.managers):
		labels = [row["label"] for row in data if row.get("indent") == 0]
		chart = {
			"data": {
				"labels": labels,
				"datasets": [
					{"name": translate("Calls"), "values": [int(v) for v in result.managers["calls"]]},
					{"name": translate("Negotiations Started"), "values": [int(v) for v in result.managers["negotiations"]]},
					{"name": translate("Without Outcome"), "values": [int(v) for v in result.managers["without_outcome"]]},
				],
			},
			"type": "bar",
		}  # fmt: skip
	total = result.total
	summary = [
		{"label": translate("Calls"), "value": int(total.get("calls") or 0), "datatype": "Int"},
		{"label": translate("With Outcome %"), "value": float(total.get("outcome_pct") or 0), "datatype": "Percent",
			"indicator": "Green" if float(total.get("outcome_pct") or 0) >= 90 else "Red"},
		{"label": translate("Negotiations per 10 Calls"), "value": float(total.get("negotiations_per_10") or 0),
			"datatype": "Float"},
		{"label": translate("Deals from Calls"), "value": int(total.get("deals") or 0), "datatype": "Int"},
		{"label": translate("Deals Won"), "value": int(total.get("won") or 0), "datatype": "Int"},
	]  # fmt: skip
	return CallReportOutput(columns, data, chart, summary)
