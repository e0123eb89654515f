"""Which deals a rule's trigger fires on at `now`: `triggered_deals`, the most urgent first.

Triggers (each fires exactly at its boundary, `>=`):

- Days Over Stage Limit: the deal's latest Funnel Stage Transition (`is_latest`) put it in an open stage with a
  time limit L > 0 at `transitioned_at`; it fires when `now - transitioned_at >= L + threshold` days. Stages
  without a limit never fire.
- Overdue ToDo: an Open ToDo on the deal (reference_type Opportunity) whose `date` (a day) is due by the end of
  that day, i.e. overdue from `date + 1 day 00:00`; it fires when `now - (date + 1 day) >= threshold` hours.
- No Activity: the last activity (`history.last_activity_sql`) is the latest of the stage change, a Comment, a
  Communication, a linked Call Log and an applied reassignment (the new owner gets the full period); it fires
  when `now - last activity >= threshold` days.

The rows come from `candidate_rows` (the SQL); the figures are computed here per column with numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np

from sales_funnel.engine.db import Database
from sales_funnel.engine.funnels.stages import Funnel, Stage
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.names import OPEN_DEAL_STATUSES
from sales_funnel.engine.reassignment.candidate_rows import (
	AGE,
	DEAL,
	EXTRA,
	MODIFIED,
	OWNER,
	POSITION,
	STAGE,
	STATUS,
	TEMPERATURE,
	idle_select,
	overdue_todo_rows,
	stale_rows,
)
from sales_funnel.engine.reassignment.model import (
	SECONDS_PER_DAY,
	SECONDS_PER_HOUR,
	TRIGGER_NO_ACTIVITY,
	TRIGGER_OVERDUE_TODO,
	TRIGGER_STAGE_LIMIT,
	Rule,
)

STAGE_LIMIT_WHY = _("{0} days in stage {1}, {2} days over its limit of {3} days.")
OVERDUE_TODO_WHY = _("A ToDo due on {0} is {1} hours overdue (threshold {2} hours).")
NO_ACTIVITY_WHY = _("No activity for {0} days, since {1} (threshold {2} days).")


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


@dataclass(frozen=True)
class _Read:
	"""One read of a rule's candidates: the page (`limit` from `offset`; no limit: every candidate at once, joined to
	`open_deals`) and where to say how many rows the page held (`stats["rows"]`)."""

	db: Database
	funnel: Funnel
	now: datetime
	threshold: float
	limit: int | None
	offset: int
	stats: dict[str, int] | None
	open_deals: Mapping[str, tuple[Any, ...]] | None

	@property
	def count(self) -> int | None:
		"""How many rows per stage a page needs (its offset and itself), None for all."""
		return self.offset + self.limit if self.limit is not None else None


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
	read = _Read(db, funnel, now, float(rule.threshold or 0), limit, offset, stats, open_deals)
	if rule.trigger == TRIGGER_STAGE_LIMIT:
		return _over_stage_limit(read, stages)
	if not stages:
		return []
	if rule.trigger == TRIGGER_OVERDUE_TODO:
		return _overdue_todo(read, stages)
	if rule.trigger == TRIGGER_NO_ACTIVITY:
		return _no_activity(read, stages)
	raise InvalidInput(Message(_("Unknown trigger {0}."), (rule.trigger,)))


def _over_stage_limit(read: _Read, stages: Sequence[Stage]) -> list[Candidate]:
	limited = [s for s in stages if s.time_limit_days > 0]
	if not limited:
		return []
	funnel, now, threshold = read.funnel, read.now, read.threshold
	cutoffs = [
		(funnel.position(s.stage), now - timedelta(days=s.time_limit_days + threshold)) for s in limited
	]
	rows = stale_rows(read.db, funnel.name, cutoffs, now, read.count, open_deals=read.open_deals)
	limit_of = {s.stage: s.time_limit_days for s in limited}
	days_in = _seconds([r[AGE] for r in rows]) / SECONDS_PER_DAY
	over = days_in - np.array([limit_of[r[STAGE]] for r in rows], dtype=np.float64)
	excess = over - threshold
	picked = _page(rows, excess, read)
	days_in_stage, days_over = _rounded(days_in[picked], 2), _rounded(over[picked], 2)
	figures = [{"days_in_stage": a, "days_over": b} for a, b in zip(days_in_stage, days_over, strict=True)]
	whys = [
		Message(STAGE_LIMIT_WHY, (a, rows[i][STAGE], b, limit_of[rows[i][STAGE]]))
		for i, a, b in zip(
			picked,
			_rounded(np.array(days_in_stage, dtype=np.float64), 1),
			_rounded(np.array(days_over, dtype=np.float64), 1),
			strict=True,
		)
	]
	return _candidates(rows, picked, excess[picked].tolist(), whys, figures)


def _overdue_todo(read: _Read, stages: Sequence[Stage]) -> list[Candidate]:
	positions = [read.funnel.position(s.stage) for s in stages]
	rows = overdue_todo_rows(
		read.db, read.funnel.name, positions, read.now, read.threshold, read.limit, read.offset
	)
	if read.stats is not None:
		read.stats["rows"] = len(rows)
	rows = [r for r in rows if r[STATUS] in OPEN_DEAL_STATUSES]
	hours = (_seconds([r[EXTRA + 1] for r in rows]) / SECONDS_PER_HOUR).tolist()
	figures = [{"overdue_hours": round(h, 1)} for h in hours]
	whys = [
		Message(OVERDUE_TODO_WHY, (r[EXTRA], f["overdue_hours"], read.threshold))
		for r, f in zip(rows, figures, strict=True)
	]
	excess = [h - read.threshold for h in hours]
	return _sorted(_candidates(rows, range(len(rows)), excess, whys, figures))


def _no_activity(read: _Read, stages: Sequence[Stage]) -> list[Candidate]:
	now, threshold = read.now, read.threshold
	cutoff = now - timedelta(days=threshold)
	idle_min = timedelta(days=threshold) // timedelta(microseconds=1)  # idle when last activity <= cutoff
	select, having, params = idle_select(idle_min)
	rows = stale_rows(
		read.db,
		read.funnel.name,
		[(read.funnel.position(s.stage), cutoff) for s in stages],
		now,
		read.count,
		outer_select=select,
		having=having,
		params=params,
		open_deals=read.open_deals,
	)
	# paged by the stage change (what the index orders by); the activity only decides whether it fires
	moved_excess = _seconds([r[AGE] for r in rows]) / SECONDS_PER_DAY - threshold
	picked = [i for i in _page(rows, moved_excess, read) if rows[i][EXTRA] >= idle_min]
	idle = (_seconds([rows[i][EXTRA] for i in picked]) / SECONDS_PER_DAY).tolist()
	figures = [{"idle_days": round(d, 2)} for d in idle]
	whys = [
		Message(
			NO_ACTIVITY_WHY,
			(round(d, 1), str(now - timedelta(microseconds=rows[i][EXTRA]))[:16], threshold),
		)
		for i, d in zip(picked, idle, strict=True)
	]
	return _sorted(_candidates(rows, picked, [d - threshold for d in idle], whys, figures))


# Figures, per column
# -------------------


def _order(excess: np.ndarray, deals: Sequence[str]) -> np.ndarray:
	"""Row indices by (-excess, deal): the most urgent first, the deal's name breaking ties (code point order,
	as Python compares strings)."""
	if not len(deals):
		return np.zeros(0, dtype=np.int64)
	return np.lexsort((np.array(deals, dtype=str), -excess))


def _page(rows: Sequence[tuple[Any, ...]], excess: np.ndarray, read: _Read) -> list[int]:
	"""The row indices of one page in (-excess, deal) order, then only the deals still open (`stats["rows"]`: how
	many the page held before that)."""
	order = _order(excess, [r[DEAL] for r in rows]).tolist()
	if read.limit is not None:
		order = order[read.offset : read.offset + read.limit]
	elif read.offset:
		order = order[read.offset :]
	if read.stats is not None:
		read.stats["rows"] = len(order)
	return [i for i in order if rows[i][STATUS] in OPEN_DEAL_STATUSES]


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


EPOCH = datetime(1970, 1, 1)


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
	modified = _datetimes([rows[i][MODIFIED] for i in picked])
	return [
		Candidate(r[DEAL], r[STAGE], r[POSITION], r[OWNER], m, r[TEMPERATURE], e, w, f)
		for r, m, e, w, f in zip((rows[i] for i in picked), modified, excess, whys, figures, strict=True)
	]


def _sorted(candidates: list[Candidate]) -> list[Candidate]:
	order = _order(np.array([c.excess for c in candidates], dtype=np.float64), [c.deal for c in candidates])
	return [candidates[i] for i in order.tolist()]
