"""Scheduled reassignment: which open deals go to which manager, and why. The engine plans; Frappe applies.

`plan_reassignments(db, now)` reads the database state and returns a `Plan`: one item per triggered deal,
either *planned* (from → to, with the reason and the figures that triggered it) or *skipped* (with the reason:
cooldown, max count, a future Event or ToDo, no eligible manager). The same state and `now` give the same plan.

Triggers (each fires exactly at its boundary, `>=`):

- Days Over Stage Limit: the deal's latest Funnel Stage Transition (`is_latest`) put it in an open stage with a
  time limit L > 0 at `transitioned_at`; it fires when `now - transitioned_at >= L + threshold` days. Stages
  without a limit never fire.
- Overdue ToDo: an Open ToDo on the deal (reference_type Opportunity) whose `date` (a day) is due by the end of
  that day, i.e. overdue from `date + 1 day 00:00`; it fires when `now - (date + 1 day) >= threshold` hours.
- No Activity: the last activity is the latest of the stage change, a Comment (comment_type Comment), a
  Communication, a Call Log linked through Dynamic Link, and an applied reassignment (the new owner gets the
  full period); it fires when `now - last activity >= threshold` days.

Limits (from the `Reassignment Log` rows with status Applied, whatever the rule): at most `max_reassignments`
per deal (0: no limit); none within `cooldown_hours` of the last one (`now - at < cooldown` skips); never back to
any earlier owner (every `from_user` of the deal's log) when the rule says so; skip deals with a future open Event
(Event Participants) or an Open ToDo not yet due (`date >= today`) when the rule says so. Rules run in name order;
a deal planned by one rule is not considered by the next.

Strategies choose among the enabled managers of the pool, never the current owner:

- Round Robin: the next manager, in name order, after the last one the rule gave a deal to (its latest Applied
  log), wrapping around; it continues within a run.
- Least Loaded: the fewest open deals (Opportunity status Open / Quotation / Replied by opportunity_owner, all
  funnels), ties by name; each planned move updates the counts.
- Best Converter: for the deal's stage k, per manager, of the deals that entered k with them as owner in the
  last `converter_window_days`, the share that reached k+1; managers below `converter_min_deals` entries are not
  ranked. Best rate, then more deals, then name.
- By Temperature: the same ranking over the whole funnel (entered → won) splits the ranked managers into
  thirds: Hot deals go to the top third, Warm to the middle, Cold (or unset) to the rest (with the unranked);
  within a tier, the least loaded. A tier nobody is in (a pool of one or two managers) hands its deals to the
  nearest tier with managers, the better one first (`TIER_FALLBACK`), so every temperature is moved.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from numbers import Integral
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.funnels.stages import Funnel, load_funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.reassignment_rules import (
	BEST_CONVERTER,
	BY_TEMPERATURE,
	LEAST_LOADED,
	ROUND_ROBIN,
	TRIGGER_NO_ACTIVITY,
	TRIGGER_OVERDUE_TODO,
	TRIGGER_STAGE_LIMIT,
	Rule,
	load_rules,
	pool_users,
)
from sales_funnel.engine.scope import DealScope

OPEN_STATUSES = ("Open", "Quotation", "Replied")
DEAL_DOCTYPE = "Opportunity"
PLANNED = "Planned"
SKIPPED = "Skipped"
TIERS = ("top", "middle", "rest")
TIER_LABELS = {"top": _("Top"), "middle": _("Middle"), "rest": _("Rest")}
TIER_OF_TEMPERATURE = {"Hot": "top", "Warm": "middle", "Cold": "rest"}
# A tier nobody is in (a pool of one or two managers, or nobody ranked yet) hands its deals and Leads to the
# nearest tier with managers, the better one first: a pool of any size takes every temperature.
TIER_FALLBACK = {
	"top": ("top", "middle", "rest"),
	"middle": ("middle", "top", "rest"),
	"rest": ("rest", "middle", "top"),
}
SKIP_KINDS = ("max_count", "cooldown", "future_event", "pending_todo", "no_manager")
# a capped rule reads its candidates in pages of twice what it may still move, at least this many
MIN_PAGE = 500
SECONDS_PER_DAY = 86_400.0
SECONDS_PER_HOUR = 3_600.0
# more candidates than this: read every pending ToDo at once rather than name them in an IN list
MAX_IN_LIST = 1000
# The most moves the job applies in any hour across all rules (Applied logs of the last hour count, as for a rule's
# own Max Reassignments per Hour). The hourly job runs on Frappe's `long` queue (hooks.py `hourly_long`), whose
# jobs are stopped after 1,500 s (frappe.utils.background_jobs get_queues_timeout), and it applies each move as a
# document save with an assignment, a comment, a log and notifications: a thousand moves is what one run can
# finish well within that, and within the hour. A backlog larger than that (a rule enabled on a site with a
# quarter of a million stale deals) drains over the next runs, the most overdue first, instead of a plan of every
# stale deal that no run could apply.
MAX_MOVES_PER_HOUR = 1000
EPOCH = datetime(1970, 1, 1)
_EPOCH_SQL = "'1970-01-01 00:00:00'"
_OPEN_STATUS_SQL = ", ".join(f"'{s}'" for s in OPEN_STATUSES)


@dataclass(slots=True)
class PlanItem:
	deal: str
	rule: str
	trigger: str
	status: str  # Planned / Skipped
	stage: str
	from_user: str | None
	to_user: str | None
	why: Message  # what triggered it, with the figures
	decision: Message  # why this manager, or why the deal is skipped
	modified: (
		datetime | None
	)  # the deal's `modified` when planned: the Frappe layer skips a deal changed since
	dry_run: bool = False
	skip_kind: str | None = None  # why skipped: one of SKIP_KINDS
	figures: dict[str, Any] = field(default_factory=dict, compare=False)

	@property
	def reason(self) -> str:
		return f"{self.why.english()} {self.decision.english()}"


@dataclass
class Plan:
	now: datetime
	items: list[PlanItem]

	@property
	def moves(self) -> list[PlanItem]:
		return [i for i in self.items if i.status == PLANNED]

	@property
	def skipped(self) -> list[PlanItem]:
		return [i for i in self.items if i.status == SKIPPED]

	def to_frame(self) -> pd.DataFrame:
		columns = [
			"deal",
			"rule",
			"trigger",
			"status",
			"stage",
			"from_user",
			"to_user",
			"reason",
			"dry_run",
			"skip_kind",
		]
		rows = [
			{
				"deal": i.deal,
				"rule": i.rule,
				"trigger": i.trigger,
				"status": i.status,
				"stage": i.stage,
				"from_user": i.from_user,
				"to_user": i.to_user,
				"reason": i.reason,
				"dry_run": i.dry_run,
				"skip_kind": i.skip_kind,
				**i.figures,
			}
			for i in self.items
		]
		return pd.DataFrame(rows, columns=None if rows else columns)


# Reading the state
# -----------------


def _in_list(prefix: str, values: Iterable[Any], params: dict[str, Any]) -> str:
	keys = []
	for index, value in enumerate(values):
		params[f"{prefix}{index}"] = value
		keys.append(f"%({prefix}{index})s")
	return ", ".join(keys) if keys else "NULL"


def last_activity_sql(deal: str, moved_at: str) -> str:
	"""SQL for a deal's last activity: the latest of `moved_at` (its stage change), a Comment, a Communication, a
	linked Call Log and an applied reassignment. `deal` and `moved_at` are column expressions."""
	return f"""GREATEST({moved_at},
		COALESCE((SELECT MAX(c.creation) FROM `tabComment` c WHERE c.reference_doctype = 'Opportunity'
			AND c.reference_name = {deal} AND c.comment_type = 'Comment'), {moved_at}),
		COALESCE((SELECT MAX(m.communication_date) FROM `tabCommunication` m
			WHERE m.reference_doctype = 'Opportunity' AND m.reference_name = {deal}), {moved_at}),
		COALESCE((SELECT MAX(COALESCE(cl.start_time, cl.creation)) FROM `tabDynamic Link` dl
			JOIN `tabCall Log` cl ON cl.name = dl.parent
			WHERE dl.link_doctype = 'Opportunity' AND dl.link_name = {deal} AND dl.parenttype = 'Call Log'), {moved_at}),
		COALESCE((SELECT MAX(r.at) FROM `tabReassignment Log` r WHERE r.deal = {deal} AND r.status = 'Applied'),
			{moved_at}))"""


def _oldest_per_stage(
	db: Database,
	funnel: str,
	cutoffs: Sequence[tuple[int, datetime]],
	count: int | None,
	outer_select: str = "",
	scope: DealScope | None = None,
) -> list[dict[str, Any]]:
	"""For each (position, cutoff): the deals whose latest row entered that position at or before the cutoff,
	oldest first, at most `count` each (of the deals `scope` sees). Each part reads the `sf_open_now` index in
	order (funnel, is_latest, to_position, transitioned_at; InnoDB orders equal keys by the primary key), so no
	part is sorted and no part reads past `count` (ordering by `name` as well would force a filesort of every stale
	row: 0.4 s instead of 4 ms per stage at 1M deals); only these rows are joined to their Opportunity. Python
	orders the union by (excess, deal)."""
	params: dict[str, Any] = {"funnel": funnel, "count": count}
	visible = scope.deal_filter("t.deal", params) if scope is not None else ""
	parts = []
	for index, (position, cutoff) in enumerate(cutoffs):
		params[f"p{index}"], params[f"c{index}"] = position, cutoff
		parts.append(
			f"""(SELECT t.deal, t.to_stage AS stage, t.to_position AS position, t.transitioned_at AS moved_at
			FROM `tabFunnel Stage Transition` t
			WHERE t.funnel = %(funnel)s AND t.is_latest = 1 AND t.to_position = %(p{index})s
				AND t.transitioned_at <= %(c{index})s AND t.deal_doctype = 'Opportunity'{visible}
			ORDER BY t.transitioned_at {"LIMIT %(count)s" if count is not None else ""})"""
		)
	if not parts:
		return []
	return db.sql(
		f"""SELECT c.*, NULLIF(o.opportunity_owner, '') AS owner, o.modified, o.sf_temperature AS temperature,
			o.status {outer_select}
		FROM ({" UNION ALL ".join(parts)}) c
		JOIN `tabOpportunity` o ON o.name = c.deal""",
		params,
		as_dict=True,
	)


def _slice(rows: list[dict[str, Any]], limit: int | None, offset: int) -> list[dict[str, Any]]:
	rows.sort(key=lambda r: (-r["excess"], r["deal"]))
	return rows[offset : offset + limit] if limit is not None else rows[offset:]


class Candidate(NamedTuple):
	"""A deal a rule's trigger fires on: what the planner needs, the figures and why the trigger fired."""

	deal: str
	stage: str
	position: int
	owner: str | None
	modified: datetime | None
	temperature: str | None
	excess: float  # how far past the trigger's boundary (days or hours); the most urgent first
	why: Message
	figures: dict[str, Any]


# The columns every candidate query returns, in this order; the times come as microseconds (integers), which
# the driver reads far faster than DATETIME values, and are turned into figures (and `modified` back into
# datetimes) column by column.
_CANDIDATE_COLUMNS = f"""c.deal, c.stage, c.position, TIMESTAMPDIFF(MICROSECOND, c.moved_at, %(now)s) AS age,
	NULLIF(o.opportunity_owner, '') AS owner, TIMESTAMPDIFF(MICROSECOND, {_EPOCH_SQL}, o.modified) AS modified,
	o.sf_temperature AS temperature, o.status"""
_DEAL, _STAGE, _POSITION, _AGE, _OWNER, _MODIFIED, _TEMPERATURE, _STATUS, _EXTRA = range(9)
_OPEN = (OPEN_STATUSES[0],)  # the status of a deal of `open_deal_snapshot`: one of the open ones


def _page_sql(
	inner_select: str, inner_join: str, inner_where: str, order: str, outer_select: str = ""
) -> str:
	"""One page of candidates, most urgent first: the ordering and the LIMIT run on the transition rows (their
	`sf_open_now` index), and only the page is joined to the Opportunity and its activity."""
	return f"""SELECT {_CANDIDATE_COLUMNS} {outer_select}
		FROM (SELECT t.deal, t.to_stage AS stage, t.to_position AS position, t.transitioned_at AS moved_at
				{inner_select}
			FROM `tabFunnel Stage Transition` t {inner_join}
			WHERE t.funnel = %(funnel)s AND t.is_latest = 1 AND t.deal_doctype = 'Opportunity'
				AND t.to_position IN ({{positions}}) {inner_where}
			ORDER BY {order} {{limit}}) c
		JOIN `tabOpportunity` o ON o.name = c.deal
		{{where}}"""


def _stale_rows(
	db: Database,
	funnel: str,
	cutoffs: Sequence[tuple[int, datetime]],
	now: datetime,
	count: int | None,
	outer_select: str = "",
	having: str = "",
	params: dict[str, Any] | None = None,
	open_deals: Mapping[str, tuple[Any, ...]] | None = None,
) -> list[tuple[Any, ...]]:
	"""Candidate rows (`_CANDIDATE_COLUMNS`, then `outer_select`) of the deals whose latest row entered each
	(position, cutoff) at or before the cutoff.

	With a `count`: at most `count` per stage, oldest first, each part reading the `sf_open_now` index in order
	(see `_oldest_per_stage`), joined to their Opportunity, closed deals included (the caller pages before it
	drops them). Without: every such deal still open, in no order. The stages' index ranges are read as one
	range union (no temporary table), `having` filtered in SQL, and the rows are joined in Python to
	`open_deals` (`open_deal_snapshot`): one scan of the Opportunity table per plan costs less than a lookup of
	its row for each of a quarter of a million deals."""
	params = {**(params or {}), "funnel": funnel, "now": now, "count": count}
	if not cutoffs:
		return []
	ranges = []
	for index, (position, cutoff) in enumerate(cutoffs):
		params[f"p{index}"], params[f"c{index}"] = position, cutoff
		ranges.append(f"(t.to_position = %(p{index})s AND t.transitioned_at <= %(c{index})s)")
	inner = """SELECT t.deal, t.to_stage AS stage, t.to_position AS position, t.transitioned_at AS moved_at
		FROM `tabFunnel Stage Transition` t
		WHERE t.funnel = %(funnel)s AND t.is_latest = 1 AND t.deal_doctype = 'Opportunity' AND {ranges}"""
	if count is None:
		if open_deals is None:
			open_deals = open_deal_snapshot(db)
		rows = db.sql(
			f"""SELECT c.deal, c.stage, c.position, TIMESTAMPDIFF(MICROSECOND, c.moved_at, %(now)s) AS age
				{outer_select}
			FROM ({inner.format(ranges=f"({' OR '.join(ranges)})")}) c {having}""",
			params,
		)
		if not outer_select:  # (deal, stage, position, age): the Opportunity's columns follow
			return [r + deal + _OPEN for r in rows if (deal := open_deals.get(r[0])) is not None]
		return [r[:4] + deal + _OPEN + r[4:] for r in rows if (deal := open_deals.get(r[0])) is not None]
	source = " UNION ALL ".join(
		f"({inner.format(ranges=r)} ORDER BY t.transitioned_at LIMIT %(count)s)" for r in ranges
	)
	return list(
		db.sql(
			f"""SELECT {_CANDIDATE_COLUMNS} {outer_select}
			FROM ({source}) c JOIN `tabOpportunity` o ON o.name = c.deal""",
			params,
		)
	)


def open_deal_snapshot(db: Database, temperature: bool = True) -> dict[str, tuple[Any, ...]]:
	"""Every open deal: name → (owner, `modified` in microseconds since 1970, temperature (None unless asked
	for)), the columns of `_CANDIDATE_COLUMNS` that come from the Opportunity but its (open) status; one
	sequential scan."""
	rows = db.sql(
		f"""SELECT name, NULLIF(opportunity_owner, ''), TIMESTAMPDIFF(MICROSECOND, {_EPOCH_SQL}, modified)
			{", sf_temperature" if temperature else ""}
		FROM `tabOpportunity` WHERE status IN ({_OPEN_STATUS_SQL})"""
	)
	if temperature:
		return {r[0]: r[1:] for r in rows}
	return {r[0]: (r[1], r[2], None) for r in rows}


def _load_of(open_deals: Mapping[str, tuple[Any, ...]]) -> dict[str, int]:
	"""`open_deal_load` from a snapshot of the open deals."""
	return dict(Counter(deal[0] for deal in open_deals.values() if deal[0]))


def _order(excess: np.ndarray, deals: Sequence[str]) -> np.ndarray:
	"""Row indices by (-excess, deal): the most urgent first, the deal's name breaking ties (code point order,
	as Python compares strings)."""
	if not len(deals):
		return np.zeros(0, dtype=np.int64)
	return np.lexsort((np.array(deals, dtype=str), -excess))


def _page(
	rows: Sequence[tuple[Any, ...]],
	excess: np.ndarray,
	limit: int | None,
	offset: int,
	stats: dict[str, int] | None,
) -> list[int]:
	"""The row indices of one page in (-excess, deal) order, then only the deals still open (`stats["rows"]`: how
	many the page held before that)."""
	order = _order(excess, [r[_DEAL] for r in rows]).tolist()
	if limit is not None:
		order = order[offset : offset + limit]
	elif offset:
		order = order[offset:]
	if stats is not None:
		stats["rows"] = len(order)
	return [i for i in order if rows[i][_STATUS] in OPEN_STATUSES]


def _rounded(values: np.ndarray, digits: int) -> list[float]:
	"""`[round(v, digits) for v in values]`, vectorised. Rounding `values * 10**digits` to the nearest integer is
	Python's correctly rounded result but within a hair of a half, where the product's own rounding error could
	tip it; those few are left to Python's `round`."""
	scale = 10.0**digits
	scaled = values * scale
	result = (np.rint(scaled) / scale).tolist()
	for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
		result[i] = round(float(values[i]), digits)
	return result


def _datetimes(microseconds: Sequence[int | None]) -> list[datetime | None]:
	"""Microseconds since 1970-01-01 (naive, as stored) back to datetimes."""
	if None in microseconds:
		return [None if m is None else EPOCH + timedelta(microseconds=m) for m in microseconds]
	return np.array(microseconds, dtype=np.int64).astype("datetime64[us]").tolist()


def _seconds(microseconds: Sequence[int]) -> np.ndarray:
	"""Exactly `timedelta.total_seconds()` of each duration, as floats."""
	return np.array(microseconds, dtype=np.float64) / 1e6


def _candidates(
	rows: Sequence[tuple[Any, ...]],
	picked: Sequence[int],
	excess: Sequence[float],
	whys: Iterable[Message],
	figures: Iterable[dict[str, Any]],
) -> list[Candidate]:
	"""Candidates of the picked rows (in that order), with their excess, reason and figures."""
	modified = _datetimes([rows[i][_MODIFIED] for i in picked])
	return [
		Candidate(r[_DEAL], r[_STAGE], r[_POSITION], r[_OWNER], m, r[_TEMPERATURE], e, w, f)
		for r, m, e, w, f in zip((rows[i] for i in picked), modified, excess, whys, figures, strict=True)
	]


def _sorted(candidates: list[Candidate]) -> list[Candidate]:
	order = _order(np.array([c.excess for c in candidates], dtype=np.float64), [c.deal for c in candidates])
	return [candidates[i] for i in order.tolist()]


def triggered_deals(
	db: Database,
	rule: Rule,
	funnel: Funnel,
	now: datetime,
	limit: int | None = None,
	offset: int = 0,
	stats: dict[str, int] | None = None,
	open_deals: Mapping[str, tuple[Any, ...]] | None = None,
) -> list[Candidate]:
	"""Open deals of the rule's funnel and stages on which its trigger fires at `now`, with the figures; the most
	urgent first (most days over the stage limit, hours past the ToDo's due day, days idle), deal name breaking
	ties. `limit` / `offset` page through the candidates in the order the indexes give them (stage limit and no
	activity: oldest stage change; ToDo: oldest due day), and a page returns those that are still open and, for No
	Activity, idle (`stats["rows"]`: how many candidates the page held before that). Without a `limit` every
	candidate is read in one set-based query (and joined to `open_deals`, read when not given)."""
	stages = [s for s in funnel.open_stages if rule.watches(funnel, s.stage)]
	threshold = float(rule.threshold or 0)
	count = offset + limit if limit is not None else None
	if rule.trigger == TRIGGER_STAGE_LIMIT:
		limited = [s for s in stages if s.time_limit_days > 0]
		if not limited:
			return []
		cutoffs = [
			(funnel.position(s.stage), now - timedelta(days=s.time_limit_days + threshold)) for s in limited
		]
		rows = _stale_rows(db, funnel.name, cutoffs, now, count, open_deals=open_deals)
		limit_of = {s.stage: s.time_limit_days for s in limited}
		days_in = _seconds([r[_AGE] for r in rows]) / SECONDS_PER_DAY
		over = days_in - np.array([limit_of[r[_STAGE]] for r in rows], dtype=np.float64)
		excess = over - threshold
		picked = _page(rows, excess, limit, offset, stats)
		days_in_stage, days_over = _rounded(days_in[picked], 2), _rounded(over[picked], 2)
		figures = [
			{"days_in_stage": a, "days_over": b} for a, b in zip(days_in_stage, days_over, strict=True)
		]
		whys = [
			Message(_STAGE_LIMIT_WHY, (a, rows[i][_STAGE], b, limit_of[rows[i][_STAGE]]))
			for i, a, b in zip(
				picked,
				_rounded(np.array(days_in_stage, dtype=np.float64), 1),
				_rounded(np.array(days_over, dtype=np.float64), 1),
				strict=True,
			)
		]
		return _candidates(rows, picked, excess[picked].tolist(), whys, figures)
	if not stages:
		return []
	if rule.trigger == TRIGGER_OVERDUE_TODO:
		params: dict[str, Any] = {"funnel": funnel.name, "now": now, "limit": limit, "offset": offset}
		positions = _in_list("q", [funnel.position(s.stage) for s in stages], params)
		# due by the end of `date`: overdue by >= threshold hours when date + 1 day <= now - threshold hours
		params["due_cutoff"] = (now - timedelta(hours=threshold) - timedelta(days=1)).date()
		sql = _page_sql(
			inner_select=", td.due",
			inner_join="""JOIN (SELECT reference_name, MIN(`date`) AS due FROM `tabToDo`
				WHERE reference_type = 'Opportunity' AND status = 'Open' AND `date` <= %(due_cutoff)s
				GROUP BY reference_name) td ON td.reference_name = t.deal""",
			inner_where="",
			order="due, t.deal",
			outer_select=""", CAST(DATE(c.due) AS CHAR) AS due,
				TIMESTAMPDIFF(MICROSECOND, DATE(c.due) + INTERVAL 1 DAY, %(now)s) AS overdue""",
		).format(
			positions=positions,
			limit="LIMIT %(limit)s OFFSET %(offset)s" if limit is not None else "",
			where="" if limit is not None else f"WHERE o.status IN ({_OPEN_STATUS_SQL})",
		)
		rows = db.sql(sql, params)
		if stats is not None:
			stats["rows"] = len(rows)
		rows = [r for r in rows if r[_STATUS] in OPEN_STATUSES]
		hours = (_seconds([r[_EXTRA + 1] for r in rows]) / SECONDS_PER_HOUR).tolist()
		figures = [{"overdue_hours": round(h, 1)} for h in hours]
		whys = [
			Message(_OVERDUE_TODO_WHY, (r[_EXTRA], f["overdue_hours"], threshold))
			for r, f in zip(rows, figures, strict=True)
		]
		excess = [h - threshold for h in hours]
		return _sorted(_candidates(rows, range(len(rows)), excess, whys, figures))
	if rule.trigger == TRIGGER_NO_ACTIVITY:
		cutoff = now - timedelta(days=threshold)
		idle_min = timedelta(days=threshold) // timedelta(microseconds=1)  # idle when last activity <= cutoff
		rows = _stale_rows(
			db,
			funnel.name,
			[(funnel.position(s.stage), cutoff) for s in stages],
			now,
			count,
			outer_select=f", TIMESTAMPDIFF(MICROSECOND, {last_activity_sql('c.deal', 'c.moved_at')}, %(now)s) AS idle",
			having="HAVING idle >= %(idle_min)s",
			params={"idle_min": idle_min},
			open_deals=open_deals,
		)
		# paged by the stage change (what the index orders by); the activity only decides whether it fires
		moved_excess = _seconds([r[_AGE] for r in rows]) / SECONDS_PER_DAY - threshold
		picked = [i for i in _page(rows, moved_excess, limit, offset, stats) if rows[i][_EXTRA] >= idle_min]
		idle = (_seconds([rows[i][_EXTRA] for i in picked]) / SECONDS_PER_DAY).tolist()
		figures = [{"idle_days": round(d, 2)} for d in idle]
		whys = [
			Message(
				_NO_ACTIVITY_WHY,
				(round(d, 1), str(now - timedelta(microseconds=rows[i][_EXTRA]))[:16], threshold),
			)
			for i, d in zip(picked, idle, strict=True)
		]
		return _sorted(_candidates(rows, picked, [d - threshold for d in idle], whys, figures))
	raise InvalidInput(Message(_("Unknown trigger {0}."), (rule.trigger,)))


_STAGE_LIMIT_WHY = _("{0} days in stage {1}, {2} days over its limit of {3} days.")
_OVERDUE_TODO_WHY = _("A ToDo due on {0} is {1} hours overdue (threshold {2} hours).")
_NO_ACTIVITY_WHY = _("No activity for {0} days, since {1} (threshold {2} days).")


def _open_only(rows: Sequence[dict[str, Any]], stats: dict[str, int] | None) -> list[dict[str, Any]]:
	if stats is not None:
		stats["rows"] = len(rows)
	return [r for r in rows if r["status"] in OPEN_STATUSES]


def applied_in_last_hour(db: Database, rule: str | None, now: datetime) -> int:
	"""Applied reassignments of the hour before `now`: of one rule, or of every rule (`rule` None)."""
	rows = db.sql(
		"""SELECT COUNT(*) FROM `tabReassignment Log` WHERE (%(rule)s IS NULL OR rule = %(rule)s)
		AND status = 'Applied' AND at > %(since)s AND at <= %(now)s""",
		{"rule": rule, "since": now - timedelta(hours=1), "now": now},
	)
	return int(rows[0][0])


def _as_date(value: Any) -> date:
	return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class DealHistory:
	count: int
	last_at: datetime | None
	previous_owners: frozenset[str]


def reassignment_history(db: Database, now: datetime) -> dict[str, DealHistory]:
	"""Per deal, its applied reassignments up to `now`: how many, the latest, and every owner it was taken from."""
	rows = db.sql(
		"""SELECT deal, COUNT(*) AS n, MAX(at) AS last_at,
			GROUP_CONCAT(DISTINCT from_user ORDER BY from_user SEPARATOR '\n') AS owners
		FROM `tabReassignment Log` WHERE status = 'Applied' AND at <= %(now)s GROUP BY deal""",
		{"now": now},
		as_dict=True,
	)
	return {
		r["deal"]: DealHistory(
			int(r["n"]), r["last_at"], frozenset(o for o in (r["owners"] or "").split("\n") if o)
		)
		for r in rows
	}


def deals_with_future_event(db: Database, now: datetime) -> set[str]:
	rows = db.sql(
		"""SELECT DISTINCT ep.reference_docname FROM `tabEvent Participants` ep
		JOIN `tabEvent` e ON e.name = ep.parent
		WHERE ep.reference_doctype = 'Opportunity' AND ep.parenttype = 'Event' AND e.status = 'Open'
			AND e.starts_on > %(now)s""",
		{"now": now},
	)
	return {r[0] for r in rows}


def deals_with_pending_todo(db: Database, now: datetime, deals: Sequence[str] | None = None) -> set[str]:
	"""Deals (of `deals`, or all) with an Open ToDo not yet overdue (due today or later)."""
	params: dict[str, Any] = {"today": now.date()}
	among = ""
	if deals is not None:
		if not deals:
			return set()
		among = f"AND reference_name IN ({_in_list('d', deals, params)})"
	rows = db.sql(
		f"""SELECT DISTINCT reference_name FROM `tabToDo`
		WHERE reference_type = 'Opportunity' AND status = 'Open' AND `date` >= %(today)s {among}""",
		params,
	)
	return {r[0] for r in rows}


def open_deal_load(db: Database) -> dict[str, int]:
	"""Open deals per owner (opportunity_owner), every funnel."""
	rows = db.sql(
		f"""SELECT opportunity_owner, COUNT(*) FROM `tabOpportunity`
		WHERE status IN ({_OPEN_STATUS_SQL}) AND opportunity_owner IS NOT NULL AND opportunity_owner != ''
		GROUP BY opportunity_owner"""
	)
	return {user: int(n) for user, n in rows}


def converter_ranking(
	db: Database,
	funnel: Funnel,
	from_position: int,
	to_position: int,
	now: datetime,
	window_days: int,
	users: Sequence[str] | None = None,
	min_deals: int = 1,
) -> pd.DataFrame:
	"""Per owner: deals that entered `from_position` with them in the last `window_days` (to `now`), how many of
	those reached `to_position` by `now`, the rate, and the rank among those with at least `min_deals` entries
	(best rate, then more deals, then name; unranked: rank NaN)."""
	params: dict[str, Any] = {
		"funnel": funnel.name,
		"k": from_position,
		"k2": to_position,
		"since": now - timedelta(days=window_days),
		"now": now,
	}
	user_filter = ""
	if users is not None:
		user_filter = f"AND e.deal_owner IN ({_in_list('u', users, params)})"
	rows = db.sql(
		f"""SELECT e.deal_owner AS user, COUNT(DISTINCT e.deal) AS entered, COUNT(DISTINCT m.deal) AS moved_on
		FROM `tabFunnel Stage Transition` e
		LEFT JOIN `tabFunnel Stage Transition` m ON m.deal_doctype = e.deal_doctype AND m.deal = e.deal
			AND m.funnel = e.funnel AND m.progress_from < %(k2)s AND m.progress_to >= %(k2)s
			AND m.transitioned_at <= %(now)s
		WHERE e.funnel = %(funnel)s AND e.progress_from < %(k)s AND e.progress_to >= %(k)s
			AND e.transitioned_at >= %(since)s AND e.transitioned_at <= %(now)s AND e.deal_owner IS NOT NULL
			{user_filter}
		GROUP BY e.deal_owner""",
		params,
		as_dict=True,
	)
	frame = rows_frame(rows, ["user", "entered", "moved_on"])
	if users is not None:
		frame = frame.set_index("user").reindex(sorted(users)).fillna(0).reset_index()
		frame = frame.rename(columns={"index": "user"})
	frame["entered"] = frame["entered"].astype(int)
	frame["moved_on"] = frame["moved_on"].astype(int)
	frame["rate"] = (frame["moved_on"] / frame["entered"].where(frame["entered"] > 0)).round(4)
	frame["ranked"] = frame["entered"] >= max(int(min_deals), 1)
	frame = frame.sort_values(
		["ranked", "rate", "entered", "user"], ascending=[False, False, False, True], na_position="last"
	).reset_index(drop=True)
	frame["rank"] = [float(i + 1) if ranked else math.nan for i, ranked in enumerate(frame["ranked"])]
	return frame


def temperature_tiers(ranking: pd.DataFrame, users: Sequence[str]) -> dict[str, str]:
	"""Manager → tier: the ranked managers split into thirds (top, middle, rest); the unranked go to the rest."""
	ranked = list(ranking.loc[ranking["ranked"], "user"])
	third = math.ceil(len(ranked) / 3)
	tiers = {user: "rest" for user in users}
	for index, user in enumerate(ranked):
		tiers[user] = "top" if index < third else "middle" if index < 2 * third else "rest"
	return tiers


def serving_tier(tiers: Mapping[str, str], tier: str) -> str | None:
	"""The tier that takes the deals and Leads of `tier` (`TIER_FALLBACK`): `tier` itself when anybody is in it,
	else the nearest tier with managers; None for an empty pool."""
	present = set(tiers.values())
	return next((t for t in TIER_FALLBACK[tier] if t in present), None)


def _tier_why(subject: str, temperature: str, tier: str, serving: str, load: int) -> Message:
	"""Why a deal (`subject` "deal") or a Lead ("Lead") of `temperature` went to a manager of `serving`."""
	if serving == tier:
		template = (
			_("{0} deal to the {1} tier; least loaded there ({2} open deals).")
			if subject == "deal"
			else _("{0} Lead to the {1} tier; least loaded there ({2} open deals).")
		)
		return Message(template, (temperature, TIER_LABELS[tier], load))
	template = (
		_(
			"{0} deal to the {1} tier, the nearest with managers (nobody is in the {2} tier); least loaded there ({3} open deals)."
		)
		if subject == "deal"
		else _(
			"{0} Lead to the {1} tier, the nearest with managers (nobody is in the {2} tier); least loaded there ({3} open deals)."
		)
	)
	return Message(template, (temperature, TIER_LABELS[serving], TIER_LABELS[tier], load))


def won_position(funnel: Funnel) -> int:
	return funnel.position(funnel.won_stage.stage)


# Choosing the new owner
# ----------------------

_NOBODY_ELIGIBLE = Message(
	_("No eligible manager: every enabled manager in the pool is the owner or a previous owner.")
)
_ROUND_ROBIN_WHY = Message(_("Round robin: the next manager in the pool."))


class _LoadQueue:
	"""Managers by (open deals, name), cheapest first, under changing loads: a heap with lazy deletion (an entry
	whose load is no longer the manager's current load is dropped when it surfaces)."""

	def __init__(self, users: Iterable[str], load: dict[str, int]):
		self.load = load
		self.members = set(users)
		self.heap = [(load.get(u, 0), u) for u in self.members]
		heapq.heapify(self.heap)

	def best(self, excluded: set[str]) -> str | None:
		heap, load = self.heap, self.load
		while heap:  # mostly the top is current and eligible: take it without popping
			load_now, user = heap[0]
			if load_now != load.get(user, 0):
				heapq.heappop(heap)
			elif user not in excluded:
				return user
			else:
				break
		popped: list[tuple[int, str]] = []
		found = None
		while self.heap:
			entry = heapq.heappop(self.heap)
			if entry[0] != self.load.get(entry[1], 0):
				continue
			popped.append(entry)
			if entry[1] not in excluded:
				found = entry[1]
				break
		for entry in popped:
			heapq.heappush(self.heap, entry)
		return found

	def changed(self, user: str) -> None:
		if user in self.members:
			heapq.heappush(self.heap, (self.load.get(user, 0), user))


class _Chooser:
	"""One rule's strategy during one planning run (keeps the round-robin pointer and the loads)."""

	def __init__(
		self, db: Database, rule: Rule, funnel: Funnel, pool: list[str], now: datetime, load: dict[str, int]
	):
		self.db, self.rule, self.funnel, self.pool, self.now, self.load = db, rule, funnel, pool, now, load
		self.pool_set = set(pool)
		self.last: str | None = None
		self.rankings: dict[int, list[tuple[str, float, int]]] = {}
		self.queues: dict[str, _LoadQueue] = {}
		self.tiers: dict[str, str] | None = None
		self.least_loaded_whys: dict[int, Message] = {}
		if rule.strategy == ROUND_ROBIN:
			rows = db.sql(
				"""SELECT to_user FROM `tabReassignment Log` WHERE rule = %(rule)s AND status = 'Applied'
				AND at <= %(now)s ORDER BY at DESC, name DESC LIMIT 1""",
				{"rule": rule.name, "now": now},
			)
			self.last = rows[0][0] if rows else None

	def moved(self, to_user: str, from_user: str | None) -> None:
		"""Loads changed: tell the queues (`_LoadQueue.changed`, inline)."""
		load = self.load
		for queue in self.queues.values():
			if to_user in queue.members:
				heapq.heappush(queue.heap, (load.get(to_user, 0), to_user))
			if from_user and from_user in queue.members:
				heapq.heappush(queue.heap, (load.get(from_user, 0), from_user))

	def choose(
		self, stage: str, position: int, temperature: str | None, excluded: set[str]
	) -> tuple[str | None, Message]:
		"""The new owner of a deal in `stage` (at `position`) with `temperature`, never one of `excluded`, and
		why; (None, why not) when nobody is eligible."""
		if self.pool_set <= excluded:
			return None, _NOBODY_ELIGIBLE
		strategy = self.rule.strategy
		if strategy == LEAST_LOADED:
			user = self._queue("all", self.pool).best(excluded)
			return user, self._least_loaded_why(self.load.get(user, 0))
		if strategy == ROUND_ROBIN:
			start = bisect.bisect_right(self.pool, self.last) if self.last is not None else 0
			count = len(self.pool)
			user = next(
				u for u in (self.pool[(start + i) % count] for i in range(count)) if u not in excluded
			)
			self.last = user
			return user, _ROUND_ROBIN_WHY
		if strategy == BEST_CONVERTER:
			k = int(position)
			best = next((r for r in self._ranking(k, k + 1) if r[0] not in excluded), None)
			if best is None:
				return None, Message(
					_(
						"No eligible manager: nobody else in the pool had at least {0} deals in stage {1} in the last {2} days."
					),
					(self.rule.converter_min_deals, stage, self.rule.converter_window_days),
				)
			return best[0], Message(
				_("Best converter in stage {0}: {1}% of {2} deals moved on in the last {3} days."),
				(stage, round(best[1] * 100, 1), best[2], self.rule.converter_window_days),
			)
		if strategy == BY_TEMPERATURE:
			tiers = self._tiers()
			temperature = temperature or "Cold"
			tier = TIER_OF_TEMPERATURE.get(temperature, "rest")
			serving = serving_tier(tiers, tier) or tier
			user = self._queue(serving, [u for u in self.pool if tiers.get(u) == serving]).best(excluded)
			if user is None:
				return None, Message(
					_("No eligible manager in the {0} tier for a {1} deal."),
					(TIER_LABELS[serving], temperature),
				)
			return user, _tier_why("deal", temperature, tier, serving, self.load.get(user, 0))
		raise InvalidInput(Message(_("Unknown strategy {0}."), (strategy,)))

	def _least_loaded_why(self, load: int) -> Message:
		"""One message per load figure (a quarter of a million planned moves share a few hundred)."""
		message = self.least_loaded_whys.get(load)
		if message is None:
			message = self.least_loaded_whys[load] = Message(_("Least loaded: {0} open deals."), (load,))
		return message

	def _queue(self, key: str, users: list[str]) -> _LoadQueue:
		if key not in self.queues:
			self.queues[key] = _LoadQueue(users, self.load)
		return self.queues[key]

	def _ranking(self, k: int, k2: int) -> list[tuple[str, float, int]]:
		"""The ranked managers of stage k, best first: (user, rate, deals entered)."""
		if k not in self.rankings:
			frame = converter_ranking(
				self.db,
				self.funnel,
				k,
				k2,
				self.now,
				self.rule.converter_window_days,
				self.pool,
				self.rule.converter_min_deals,
			)
			ranked = frame[frame["ranked"]]
			self.rankings[k] = [
				(u, float(r), int(e))
				for u, r, e in zip(ranked["user"], ranked["rate"], ranked["entered"], strict=True)
			]
		return self.rankings[k]

	def _tiers(self) -> dict[str, str]:
		if self.tiers is None:
			ranking = converter_ranking(
				self.db,
				self.funnel,
				1,
				won_position(self.funnel),
				self.now,
				self.rule.converter_window_days,
				self.pool,
				self.rule.converter_min_deals,
			)
			self.tiers = temperature_tiers(ranking, self.pool)
		return self.tiers


# The plan
# --------


def plan_reassignments(
	db: Database,
	now: datetime,
	rules: Sequence[Rule] | None = None,
	*,
	max_moves_per_hour: int | None = MAX_MOVES_PER_HOUR,
) -> Plan:
	"""What the next run does at `now`: every enabled rule (name order), every deal its trigger fires on, the most
	overdue first, up to each rule's Max Reassignments per Hour and `max_moves_per_hour` moves in all (None: no
	bound; for measuring, never for the job)."""
	with _collector_paused():
		return _plan(db, now, rules, max_moves_per_hour)


@contextmanager
def _collector_paused() -> Iterator[None]:
	"""Planning allocates a few small objects per deal and keeps them all until it returns (the plan's items),
	with no reference cycles among them. Python's cyclic collector would walk every one of them again at each
	full pass as they pile up: about a fifth of the time of an uncapped plan over 250,000 deals (measured with a
	previous plan alive, as in the benchmark: 6.5-6.9 s with it, 5.2-5.3 s without). It is paused meanwhile and
	re-enabled after, as it was."""
	enabled = gc.isenabled()
	gc.disable()
	try:
		yield
	finally:
		if enabled:
			gc.enable()


def _plan(db: Database, now: datetime, rules: Sequence[Rule] | None, max_moves: int | None) -> Plan:
	rules = sorted(
		(r for r in (load_rules(db) if rules is None else rules) if r.enabled), key=lambda r: r.name
	)
	items: list[PlanItem] = []
	if not rules:
		return Plan(now, items)
	history = reassignment_history(db, now)
	load: dict[str, int] = {}  # open deals per owner, read when a strategy first needs it
	moved: list[tuple[str, str | None]] = []  # the moves planned before that
	future_events: set[str] | None = None
	all_pending_todos: set[str] | None = None
	open_deals: dict[str, tuple[Any, ...]] | None = None  # read once when a rule reads every candidate
	claimed: set[str] = set()
	funnels: dict[str, Funnel] = {}
	budget = None if max_moves is None else max_moves - applied_in_last_hour(db, None, now)
	for rule in rules:
		if budget is not None and budget <= 0:
			break
		if rule.funnel not in funnels:
			funnels[rule.funnel] = load_funnel(db, rule.funnel)
		funnel = funnels[rule.funnel]
		quota = None
		if rule.max_per_hour:
			quota = rule.max_per_hour - applied_in_last_hour(db, rule.name, now)
			if quota <= 0:
				continue
		if budget is not None:
			quota = budget if quota is None else min(quota, budget)
		page_size = max(2 * quota, MIN_PAGE) if quota is not None else None
		offset, planned = 0, 0
		chooser: _Chooser | None = None
		if page_size is None and rule.trigger != TRIGGER_OVERDUE_TODO and open_deals is None:
			# temperatures only when a rule that reads every candidate sends deals by temperature
			open_deals = open_deal_snapshot(
				db,
				temperature=any(
					r.strategy == BY_TEMPERATURE and not r.max_per_hour and r.trigger != TRIGGER_OVERDUE_TODO
					for r in rules
				),
			)
		while True:
			stats: dict[str, int] = {}
			page = triggered_deals(
				db, rule, funnel, now, limit=page_size, offset=offset, stats=stats, open_deals=open_deals
			)
			candidates = [c for c in page if c.deal not in claimed] if claimed else page
			if candidates and chooser is None:
				if rule.skip_if_future_event and future_events is None:
					future_events = deals_with_future_event(db, now)
				if rule.strategy in (LEAST_LOADED, BY_TEMPERATURE) and not load:
					load.update(open_deal_load(db) if open_deals is None else _load_of(open_deals))
					for to_user, from_user in moved:
						load[to_user] = load.get(to_user, 0) + 1
						if from_user:
							load[from_user] = max(load.get(from_user, 0) - 1, 0)
					load.setdefault("", 0)  # read: an empty company stays read
				chooser = _Chooser(db, rule, funnel, pool_users(db, rule), now, load)
			pending_todos: set[str] | None = None
			if rule.skip_if_future_todo and candidates:
				if len(candidates) > MAX_IN_LIST:  # every pending ToDo at once rather than a long IN list
					if all_pending_todos is None:
						all_pending_todos = deals_with_pending_todo(db, now)
					pending_todos = all_pending_todos
				else:
					pending_todos = deals_with_pending_todo(db, now, [c.deal for c in candidates])
			events = future_events if rule.skip_if_future_event else None
			for deal, stage, position, owner, modified, temperature, _excess, why, figures in candidates:
				if quota is not None and planned >= quota:
					break
				past = history.get(deal)
				if (
					past is None
					and not (events and deal in events)
					and not (pending_todos and deal in pending_todos)
				):
					skip_kind = decision = (
						None  # no limit holds the deal (what `_limit` says, without the call)
					)
				else:
					skip_kind, decision = _limit(rule, deal, past, now, events, pending_todos)
				to_user = None
				if skip_kind is None:
					excluded = {owner} if owner else set()
					if past is not None and rule.never_to_previous_owner:
						excluded |= past.previous_owners
					to_user, decision = chooser.choose(stage, position, temperature, excluded)
					if to_user is None:
						skip_kind = "no_manager"
				figures["reassigned_before"] = past.count if past is not None else 0
				items.append(
					PlanItem(
						deal,
						rule.name,
						rule.trigger,
						PLANNED if to_user else SKIPPED,
						stage,
						owner,
						to_user,
						why,
						decision,
						modified,
						rule.dry_run,
						skip_kind,
						figures,
					)
				)
				if to_user:
					planned += 1
					claimed.add(deal)
					moved.append((to_user, owner))
					if load:
						load[to_user] = load.get(to_user, 0) + 1
						if owner:
							load[owner] = max(load.get(owner, 0) - 1, 0)
					chooser.moved(to_user, owner)
			if page_size is None or planned >= quota or stats.get("rows", 0) < page_size:
				break
			offset += page_size
		if budget is not None:
			budget -= planned
	return Plan(now, items)


def _limit(
	rule: Rule,
	deal: str,
	past: DealHistory | None,
	now: datetime,
	future_events: set[str] | None,
	pending_todos: set[str] | None,
) -> tuple[str | None, Message | None]:
	"""Why the rule's limits keep the deal where it is (kind, message), or (None, None)."""
	if past is not None:
		if rule.max_reassignments and past.count >= rule.max_reassignments:
			return "max_count", Message(
				_("Skipped: already reassigned {0} times; the limit is {1}."),
				(past.count, rule.max_reassignments),
			)
		if past.last_at is not None:
			hours = (now - past.last_at).total_seconds() / SECONDS_PER_HOUR
			if hours < rule.cooldown_hours:
				return "cooldown", Message(
					_("Skipped: reassigned {0} hours ago; the cooldown is {1} hours."),
					(round(hours, 1), rule.cooldown_hours),
				)
	if future_events and deal in future_events:
		return "future_event", _FUTURE_EVENT
	if pending_todos and deal in pending_todos:
		return "pending_todo", _PENDING_TODO
	return None, None


_FUTURE_EVENT = Message(_("Skipped: an Event is planned on the deal."))
_PENDING_TODO = Message(_("Skipped: a ToDo on the deal is not yet due."))


# Lead routing and the manager ranking
# ------------------------------------


def manager_ranking(db: Database, rule: Rule, now: datetime) -> pd.DataFrame:
	"""The rule's pool ranked over its funnel (entered → won in the conversion window), with each manager's tier
	and open deals: what the daily job stores for lead routing and the Manager Ranking report shows."""
	funnel = load_funnel(db, rule.funnel)
	pool = pool_users(db, rule)
	ranking = converter_ranking(
		db, funnel, 1, won_position(funnel), now, rule.converter_window_days, pool, rule.converter_min_deals
	)
	tiers = temperature_tiers(ranking, pool)
	load = open_deal_load(db)
	ranking["tier"] = ranking["user"].map(tiers)
	ranking["open_deals"] = ranking["user"].map(lambda u: load.get(u, 0)).astype(int)
	return ranking


def route_lead(
	tiers: dict[str, str], load: dict[str, int], temperature: str | None
) -> tuple[str | None, Message]:
	"""The manager a new Lead goes to: the least loaded manager (ties by name) of the tier its temperature
	maps to (Hot → top, Warm → middle, Cold → rest), or of the nearest tier with managers when nobody is in that
	one (`serving_tier`: a pool of one or two managers routes every temperature); None for an empty pool."""
	tier = TIER_OF_TEMPERATURE.get(temperature or "", None)
	if tier is None:
		return None, Message(_("The Lead has no temperature; it is not routed."))
	serving = serving_tier(tiers, tier)
	if serving is None:
		return None, Message(_("Nobody is in the pool; the Lead is not routed."))
	in_tier = sorted(u for u, t in tiers.items() if t == serving)
	user = min(in_tier, key=lambda u: (load.get(u, 0), u))
	return user, _tier_why("Lead", temperature, tier, serving, load.get(user, 0))


# Reports
# -------

STALE_COLUMNS = [
	"deal", "funnel", "stage", "owner", "moved_at", "days_in_stage", "time_limit_days", "days_over", "last_activity",
	"reassigned", "rule", "acts_at", "suggested_action",
]  # fmt: skip
STALE_LIMIT = 2000  # per funnel: a longer list is not read, and the rest is as stale
REASSIGN = _("Reassign")
CLOSE_AS_LOST = _("Close as Lost")
# a deal this many times over its limit, or already reassigned as often as allowed, is a "hope client"
HOPELESS_LIMIT_MULTIPLE = 3.0


def stale_deals(
	db: Database,
	now: datetime,
	funnel: str | None = None,
	company: str | None = None,
	limit: int | None = STALE_LIMIT,
	scope: DealScope | None = None,
) -> pd.DataFrame:
	"""Open deals beyond their stage's time limit: days over, owner, last activity, the first enabled rule with a
	stage-limit trigger that will act on the deal and when, and a suggested action (close as lost when the deal is
	three times over the limit or already reassigned as often as the rule allows; else reassign). At most `limit`
	deals per funnel, the most days over first (`limit` a whole number of at least 1, or None for all), of the
	deals `scope` sees (None: every deal)."""
	if limit is not None and (isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 1):
		raise InvalidInput(Message(_("The limit must be a whole number of at least 1.")))
	params: dict[str, Any] = {"funnel": funnel, "company": company}
	names = [
		r[0]
		for r in db.sql(
			"""SELECT name FROM `tabSales Funnel` WHERE enabled = 1 AND (%(funnel)s IS NULL OR name = %(funnel)s)
			AND (%(company)s IS NULL OR company = %(company)s) ORDER BY name""",
			params,
		)
	]
	rules = load_rules(db)
	history = reassignment_history(db, now)
	frames = []
	for name in names:
		frame = _stale_frame(db, load_funnel(db, name), now, limit, scope, rules, history)
		if frame is not None:
			frames.append(frame)
	if not frames:
		return pd.DataFrame(columns=STALE_COLUMNS)
	result = pd.concat(frames, ignore_index=True)
	return result.sort_values(["days_over", "deal"], ascending=[False, True])[STALE_COLUMNS].reset_index(
		drop=True
	)


def _stale_frame(
	db: Database,
	f: Funnel,
	now: datetime,
	limit: int | None,
	scope: DealScope | None,
	rules: Sequence[Rule],
	history: Mapping[str, DealHistory],
) -> pd.DataFrame | None:
	"""`stale_deals` of one funnel (None when it has no stage with a limit or no stale deal)."""
	limited = [s for s in f.open_stages if s.time_limit_days > 0]
	if not limited:
		return None
	cutoffs = [(f.position(s.stage), now - timedelta(days=s.time_limit_days)) for s in limited]
	rows = _oldest_per_stage(
		db,
		f.name,
		cutoffs,
		limit,
		outer_select=f", {last_activity_sql('c.deal', 'c.moved_at')} AS last_activity",
		scope=scope,
	)
	for row in rows:
		row["excess"] = (now - row["moved_at"]).total_seconds() - f.stage(
			row["stage"]
		).time_limit_days * 86_400
	rows = _open_only(_slice(rows, limit, 0), None)
	if not rows:
		return None
	frame = rows_frame(rows).drop(columns=["excess", "status", "temperature", "modified"])
	frame["funnel"] = f.name
	limit_of = {s.stage: s.time_limit_days for s in limited}
	frame["time_limit_days"] = frame["stage"].map(limit_of)
	frame["days_in_stage"] = ((now - frame["moved_at"]).dt.total_seconds() / SECONDS_PER_DAY).round(2)
	frame["days_over"] = (frame["days_in_stage"] - frame["time_limit_days"]).round(2)
	frame["reassigned"] = frame["deal"].map(lambda d: history[d].count if d in history else 0).astype(int)
	acting = [r for r in rules if r.funnel == f.name and r.trigger == TRIGGER_STAGE_LIMIT]
	frame[["rule", "acts_at", "max_reassignments"]] = [
		_acting_rule(acting, f, row, history.get(row.deal), now) for row in frame.itertuples()
	]
	hopeless = (frame["days_over"] >= HOPELESS_LIMIT_MULTIPLE * frame["time_limit_days"]) | (
		(frame["max_reassignments"] > 0) & (frame["reassigned"] >= frame["max_reassignments"])
	)
	frame["suggested_action"] = [CLOSE_AS_LOST if h else REASSIGN for h in hopeless]
	return frame


def _acting_rule(
	rules: Sequence[Rule], funnel: Funnel, row: Any, past: DealHistory | None, now: datetime
) -> tuple[str | None, datetime | None, int]:
	"""The first rule (name order) that watches the deal's stage and has not used up its reassignments, and the
	moment it can act: the trigger's boundary, no earlier than the end of the cooldown nor than `now`."""
	for rule in rules:
		if not rule.watches(funnel, row.stage):
			continue
		if past and rule.max_reassignments and past.count >= rule.max_reassignments:
			continue
		limit = funnel.stage(row.stage).time_limit_days
		at = row.moved_at + timedelta(days=limit + (rule.threshold or 0))
		if past and past.last_at is not None:
			at = max(at, past.last_at + timedelta(hours=rule.cooldown_hours))
		return rule.name, max(at, now), rule.max_reassignments
	return None, None, 0


def reassignment_preview(db: Database, now: datetime, scope: DealScope | None = None) -> pd.DataFrame:
	"""What the next run would do and why: the plan as rows, planned moves first; with a `scope`, the rows of
	the deals it sees (the plan is the whole site's, so each deal keeps the move the job would make)."""
	frame = plan_reassignments(db, now).to_frame()
	if frame.empty:
		return frame
	if scope is not None and not scope.is_everything:
		frame = frame[frame["deal"].isin(visible_deals(db, scope, frame["deal"].unique().tolist()))]
		if frame.empty:
			return frame.reset_index(drop=True)
	frame["order"] = (frame["status"] != PLANNED).astype(int)
	return frame.sort_values(["order", "rule", "deal"]).drop(columns="order").reset_index(drop=True)


def visible_deals(db: Database, scope: DealScope, deals: Sequence[str]) -> set[str]:
	"""The deals of `deals` that `scope` sees."""
	if not deals:
		return set()
	params: dict[str, Any] = {}
	names = _in_list("d", deals, params)
	rows = db.sql(
		f"SELECT name FROM `tabOpportunity` WHERE name IN ({names}){scope.deal_filter('name', params)}",
		params,
	)
	return {r[0] for r in rows}
