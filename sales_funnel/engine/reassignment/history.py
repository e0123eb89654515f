"""What the database says about each deal's past and what is planned on it, as the planner's limits and the
strategies need it: the applied reassignments (per deal, per hour, a rule's last one), the last activity, future
Events and ToDos not yet due, and the open deals per manager."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sales_funnel.engine.db import Database
from sales_funnel.engine.names import CALL_LOG_DOCTYPE, DEAL_DOCTYPE, OPEN_DEAL_STATUSES
from sales_funnel.engine.sql import in_list


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


def applied_in_last_hour(db: Database, rule: str | None, now: datetime) -> int:
	"""Applied reassignments of the hour before `now`: of one rule, or of every rule (`rule` None)."""
	rows = db.sql(
		"""SELECT COUNT(*) FROM `tabReassignment Log` WHERE (%(rule)s IS NULL OR rule = %(rule)s)
		AND status = 'Applied' AND at > %(since)s AND at <= %(now)s""",
		{"rule": rule, "since": now - timedelta(hours=1), "now": now},
	)
	return int(rows[0][0])


def last_given_to(db: Database, rule: str, now: datetime) -> str | None:
	"""The manager the rule's latest applied reassignment (up to `now`) gave a deal to; None before its first."""
	rows = db.sql(
		"""SELECT to_user FROM `tabReassignment Log` WHERE rule = %(rule)s AND status = 'Applied'
		AND at <= %(now)s ORDER BY at DESC, name DESC LIMIT 1""",
		{"rule": rule, "now": now},
	)
	return rows[0][0] if rows else None


def last_activity_sql(deal: str, moved_at: str) -> str:
	"""SQL for a deal's last activity: the latest of `moved_at` (its stage change), a Comment, a Communication, a
	linked Call Log and an applied reassignment. `deal` and `moved_at` are column expressions; the query's
	parameters must hold `activity_params()`."""
	return f"""GREATEST({moved_at},
		COALESCE((SELECT MAX(c.creation) FROM `tabComment` c WHERE c.reference_doctype = %(deal_doctype)s
			AND c.reference_name = {deal} AND c.comment_type = 'Comment'), {moved_at}),
		COALESCE((SELECT MAX(m.communication_date) FROM `tabCommunication` m
			WHERE m.reference_doctype = %(deal_doctype)s AND m.reference_name = {deal}), {moved_at}),
		COALESCE((SELECT MAX(COALESCE(cl.start_time, cl.creation)) FROM `tabDynamic Link` dl
			JOIN `tabCall Log` cl ON cl.name = dl.parent
			WHERE dl.link_doctype = %(deal_doctype)s AND dl.link_name = {deal} AND dl.parenttype = %(call_log_doctype)s),
			{moved_at}),
		COALESCE((SELECT MAX(r.at) FROM `tabReassignment Log` r WHERE r.deal = {deal} AND r.status = 'Applied'),
			{moved_at}))"""


def activity_params() -> dict[str, str]:
	"""The parameters `last_activity_sql` refers to."""
	return {"deal_doctype": DEAL_DOCTYPE, "call_log_doctype": CALL_LOG_DOCTYPE}


def deals_with_future_event(db: Database, now: datetime) -> set[str]:
	"""Deals that an open Event after `now` has as a participant."""
	rows = db.sql(
		"""SELECT DISTINCT ep.reference_docname FROM `tabEvent Participants` ep
		JOIN `tabEvent` e ON e.name = ep.parent
		WHERE ep.reference_doctype = %(deal_doctype)s AND ep.parenttype = 'Event' AND e.status = 'Open'
			AND e.starts_on > %(now)s""",
		{"now": now, "deal_doctype": DEAL_DOCTYPE},
	)
	return {r[0] for r in rows}


def deals_with_pending_todo(db: Database, now: datetime, deals: Sequence[str] | None = None) -> set[str]:
	"""Deals (of `deals`, or all) with an Open ToDo not yet overdue (due today or later)."""
	params: dict[str, Any] = {"today": now.date(), "deal_doctype": DEAL_DOCTYPE}
	among = ""
	if deals is not None:
		if not deals:
			return set()
		among = f"AND reference_name IN ({in_list('d', deals, params)})"
	rows = db.sql(
		f"""SELECT DISTINCT reference_name FROM `tabToDo`
		WHERE reference_type = %(deal_doctype)s AND status = 'Open' AND `date` >= %(today)s {among}""",
		params,
	)
	return {r[0] for r in rows}


def open_deal_load(db: Database) -> dict[str, int]:
	"""Open deals per owner (opportunity_owner), every funnel."""
	params: dict[str, Any] = {}
	rows = db.sql(
		f"""SELECT opportunity_owner, COUNT(*) FROM `tabOpportunity`
		WHERE status IN ({in_list("status", OPEN_DEAL_STATUSES, params)})
			AND opportunity_owner IS NOT NULL AND opportunity_owner != ''
		GROUP BY opportunity_owner""",
		params,
	)
	return {user: int(n) for user, n in rows}
