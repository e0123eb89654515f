"""The data of the Stale Deals and Reassignment Preview reports: the open deals beyond their stage's time limit
("hope clients") with the rule that will act on them, and the next run's plan as rows. `report` shapes both, and
the Manager Ranking, for the Desk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from numbers import Integral
from typing import Any

import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.funnels.stages import Funnel, load_funnel
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.names import DEAL_DOCTYPE, OPEN_DEAL_STATUSES
from sales_funnel.engine.reassignment.candidate_rows import latest_transitions
from sales_funnel.engine.reassignment.history import (
	DealHistory,
	activity_params,
	last_activity_sql,
	reassignment_history,
)
from sales_funnel.engine.reassignment.model import PLANNED, SECONDS_PER_DAY, TRIGGER_STAGE_LIMIT, Rule
from sales_funnel.engine.reassignment.plan import plan_reassignments
from sales_funnel.engine.reassignment.rules import load_rules
from sales_funnel.engine.scope import DealScope
from sales_funnel.engine.sql import in_list

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
	rows = _oldest_per_stage(db, f.name, cutoffs, limit, scope)
	for row in rows:
		row["excess"] = (now - row["moved_at"]).total_seconds() - f.stage(
			row["stage"]
		).time_limit_days * 86_400
	rows.sort(key=lambda r: (-r["excess"], r["deal"]))
	rows = [r for r in (rows[:limit] if limit is not None else rows) if r["status"] in OPEN_DEAL_STATUSES]
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


def _oldest_per_stage(
	db: Database,
	funnel: str,
	cutoffs: Sequence[tuple[int, datetime]],
	count: int | None,
	scope: DealScope | None,
) -> list[dict[str, Any]]:
	"""For each (position, cutoff): the deals whose latest row entered that position at or before the cutoff,
	oldest first, at most `count` each (of the deals `scope` sees), with their owner, status and last activity.
	Each part reads the `sf_open_now` index in order (funnel, is_latest, to_position, transitioned_at; InnoDB
	orders equal keys by the primary key), so no part is sorted and no part reads past `count` (ordering by `name`
	as well would force a filesort of every stale row: 0.4 s instead of 4 ms per stage at 1M deals); only these
	rows are joined to their Opportunity. The caller orders the union by (excess, deal)."""
	params: dict[str, Any] = {
		"funnel": funnel,
		"count": count,
		"deal_doctype": DEAL_DOCTYPE,
		**activity_params(),
	}
	visible = scope.deal_filter("t.deal", params) if scope is not None else ""
	parts = []
	for index, (position, cutoff) in enumerate(cutoffs):
		params[f"p{index}"], params[f"c{index}"] = position, cutoff
		where = f"t.to_position = %(p{index})s AND t.transitioned_at <= %(c{index})s{visible}"
		parts.append(
			f"""({latest_transitions(where)}
			ORDER BY t.transitioned_at {"LIMIT %(count)s" if count is not None else ""})"""
		)
	if not parts:
		return []
	return db.sql(
		f"""SELECT c.*, NULLIF(o.opportunity_owner, '') AS owner, o.modified, o.sf_temperature AS temperature,
			o.status, {last_activity_sql("c.deal", "c.moved_at")} AS last_activity
		FROM ({" UNION ALL ".join(parts)}) c
		JOIN `tabOpportunity` o ON o.name = c.deal""",
		params,
		as_dict=True,
	)


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
	names = in_list("d", deals, params)
	rows = db.sql(
		f"SELECT name FROM `tabOpportunity` WHERE name IN ({names}){scope.deal_filter('name', params)}",
		params,
	)
	return {r[0] for r in rows}
