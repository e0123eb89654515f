"""The SQL behind `candidates.triggered_deals`: the rows of the deals whose latest stage change (or oldest overdue
ToDo) is past a trigger's boundary, read in `sf_open_now` index order, and the snapshot of the open deals an
unbounded plan joins them to.

Every candidate row has the columns `CANDIDATE_COLUMNS` names (indexed by `DEAL` … `STATUS`), then the
trigger's own (`EXTRA` on). Times come as microseconds (integers), which the driver reads far faster than
DATETIME values; `candidates` turns them into figures (and `modified` back into datetimes) column by column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.names import DEAL_DOCTYPE, OPEN_DEAL_STATUSES
from sales_funnel.engine.reassignment.history import activity_params, last_activity_sql
from sales_funnel.engine.sql import in_list

EPOCH_SQL = "'1970-01-01 00:00:00'"
CANDIDATE_COLUMNS = f"""c.deal, c.stage, c.position, TIMESTAMPDIFF(MICROSECOND, c.moved_at, %(now)s) AS age,
	NULLIF(o.opportunity_owner, '') AS owner, TIMESTAMPDIFF(MICROSECOND, {EPOCH_SQL}, o.modified) AS modified,
	o.sf_temperature AS temperature, o.status"""
DEAL, STAGE, POSITION, AGE, OWNER, MODIFIED, TEMPERATURE, STATUS, EXTRA = range(9)
_OPEN = (OPEN_DEAL_STATUSES[0],)  # the status of a deal of `open_deal_snapshot`: one of the open ones


def latest_transitions(where: str, select: str = "", join: str = "") -> str:
	"""SQL for the latest transition rows of the deals of funnel `%(funnel)s` (`sf_open_now`: funnel, is_latest,
	to_position, transitioned_at) that match `where`: deal, stage, position, moved_at, then `select`. Its
	parameters hold `funnel` and `deal_doctype`."""
	return f"""SELECT t.deal, t.to_stage AS stage, t.to_position AS position, t.transitioned_at AS moved_at
		{select}
		FROM `tabFunnel Stage Transition` t {join}
		WHERE t.funnel = %(funnel)s AND t.is_latest = 1 AND t.deal_doctype = %(deal_doctype)s AND {where}"""


def stale_rows(
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
	"""Candidate rows (`CANDIDATE_COLUMNS`, then `outer_select`) of the deals whose latest row entered each
	(position, cutoff) at or before the cutoff.

	With a `count`: at most `count` per stage, oldest first, each part reading the `sf_open_now` index in order
	(InnoDB orders equal keys by the primary key, so no part is sorted and none reads past `count`), joined to their
	Opportunity, closed deals included (the caller pages before it drops them). Without: every such deal still
	open, in no order. The stages' index ranges are read as one range union (no temporary table), `having`
	filtered in SQL, and the rows are joined in Python to `open_deals` (`open_deal_snapshot`): one scan of the
	Opportunity table per plan costs less than a lookup of its row for each of a quarter of a million deals."""
	params = {**(params or {}), "funnel": funnel, "now": now, "count": count, "deal_doctype": DEAL_DOCTYPE}
	if not cutoffs:
		return []
	ranges = []
	for index, (position, cutoff) in enumerate(cutoffs):
		params[f"p{index}"], params[f"c{index}"] = position, cutoff
		ranges.append(f"(t.to_position = %(p{index})s AND t.transitioned_at <= %(c{index})s)")
	if count is None:
		return _every_stale_row(db, ranges, params, outer_select, having, open_deals)
	source = " UNION ALL ".join(
		f"({latest_transitions(r)} ORDER BY t.transitioned_at LIMIT %(count)s)" for r in ranges
	)
	return list(
		db.sql(
			f"""SELECT {CANDIDATE_COLUMNS} {outer_select}
			FROM ({source}) c JOIN `tabOpportunity` o ON o.name = c.deal""",
			params,
		)
	)


def _every_stale_row(
	db: Database,
	ranges: Sequence[str],
	params: dict[str, Any],
	outer_select: str,
	having: str,
	open_deals: Mapping[str, tuple[Any, ...]] | None,
) -> list[tuple[Any, ...]]:
	"""`stale_rows` without a count: one range union, joined in Python to the open deals."""
	if open_deals is None:
		open_deals = open_deal_snapshot(db)
	inner = latest_transitions(f"({' OR '.join(ranges)})")
	rows = db.sql(
		f"""SELECT c.deal, c.stage, c.position, TIMESTAMPDIFF(MICROSECOND, c.moved_at, %(now)s) AS age
			{outer_select}
		FROM ({inner}) c {having}""",
		params,
	)
	if not outer_select:  # (deal, stage, position, age): the Opportunity's columns follow
		return [r + deal + _OPEN for r in rows if (deal := open_deals.get(r[0])) is not None]
	return [r[:4] + deal + _OPEN + r[4:] for r in rows if (deal := open_deals.get(r[0])) is not None]


def idle_select(idle_min: int) -> tuple[str, str, dict[str, Any]]:
	"""For No Activity: the extra column (`idle`, microseconds since the last activity), the HAVING that keeps the
	deals idle for at least `idle_min` microseconds, and their parameters."""
	select = f", TIMESTAMPDIFF(MICROSECOND, {last_activity_sql('c.deal', 'c.moved_at')}, %(now)s) AS idle"
	return select, "HAVING idle >= %(idle_min)s", {"idle_min": idle_min, **activity_params()}


def overdue_todo_rows(
	db: Database,
	funnel: str,
	positions: Sequence[int],
	now: datetime,
	threshold: float,
	limit: int | None,
	offset: int,
) -> list[tuple[Any, ...]]:
	"""Candidate rows, then the due day (`EXTRA`) and the microseconds since it ended, of the deals at `positions`
	with an Open ToDo overdue by `threshold` hours, oldest due day first. A page (`limit` from `offset`) is ordered
	and cut on the transition rows and only then joined to the Opportunity, closed deals included; without a
	`limit`, every such deal still open."""
	params: dict[str, Any] = {
		"funnel": funnel, "now": now, "limit": limit, "offset": offset, "deal_doctype": DEAL_DOCTYPE,
	}  # fmt: skip
	# due by the end of `date`: overdue by >= threshold hours when date + 1 day <= now - threshold hours
	params["due_cutoff"] = (now - timedelta(hours=threshold) - timedelta(days=1)).date()
	inner = latest_transitions(
		select=", td.due",
		join="""JOIN (SELECT reference_name, MIN(`date`) AS due FROM `tabToDo`
			WHERE reference_type = %(deal_doctype)s AND status = 'Open' AND `date` <= %(due_cutoff)s
			GROUP BY reference_name) td ON td.reference_name = t.deal""",
		where=f"t.to_position IN ({in_list('q', positions, params)})",
	)
	page = "LIMIT %(limit)s OFFSET %(offset)s" if limit is not None else ""
	still_open = (
		"" if limit is not None else f"WHERE o.status IN ({in_list('status', OPEN_DEAL_STATUSES, params)})"
	)
	return db.sql(
		f"""SELECT {CANDIDATE_COLUMNS}, CAST(DATE(c.due) AS CHAR) AS due,
			TIMESTAMPDIFF(MICROSECOND, DATE(c.due) + INTERVAL 1 DAY, %(now)s) AS overdue
		FROM ({inner} ORDER BY due, t.deal {page}) c
		JOIN `tabOpportunity` o ON o.name = c.deal
		{still_open}""",
		params,
	)


def open_deal_snapshot(db: Database, temperature: bool = True) -> dict[str, tuple[Any, ...]]:
	"""Every open deal: name → (owner, `modified` in microseconds since 1970, temperature (None unless asked
	for)), the columns of `CANDIDATE_COLUMNS` that come from the Opportunity but its (open) status; one
	sequential scan."""
	params: dict[str, Any] = {}
	rows = db.sql(
		f"""SELECT name, NULLIF(opportunity_owner, ''), TIMESTAMPDIFF(MICROSECOND, {EPOCH_SQL}, modified)
			{", sf_temperature" if temperature else ""}
		FROM `tabOpportunity` WHERE status IN ({in_list("status", OPEN_DEAL_STATUSES, params)})""",
		params,
	)
	if temperature:
		return {r[0]: r[1:] for r in rows}
	return {r[0]: (r[1], r[2], None) for r in rows}


def load_of(open_deals: Mapping[str, tuple[Any, ...]]) -> dict[str, int]:
	"""`history.open_deal_load` from a snapshot of the open deals."""
	return dict(Counter(deal[0] for deal in open_deals.values() if deal[0]))
