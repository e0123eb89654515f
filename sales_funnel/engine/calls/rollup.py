"""The per-day rollup of Call Logs that the Call Outcomes report reads for past days.

Counting every Call Log of a long range is a scan of millions of rows (the 5M-call benchmark: a bare GROUP BY
over them alone takes about 2 s), so past days are counted once and kept:

- `Call Rollup`: one row per (day, manager, outcome) with `calls`, `incoming`, `outgoing`, `answered` (status
  Completed), `answered_incoming` and `answered_outgoing` (the call type in columns, so a call-type filter picks
  columns and the rows stay few), named by the MD5 of its key.
  Manager is `Call Log.employee_user_id`, outcome `sf_outcome`, both '' when empty. Outcomes are kept by name,
  so changing which outcomes count as a negotiation or a meeting needs no rebuild.
- `Call Funnel Rollup`: one row per (day, funnel, manager) with `calls`, for the Stage Conversion report's Call
  Received row (`conversion/call_received.py`). Funnel is `Call Log.sf_funnel` (the call's first deal's funnel,
  `engine/funnels/call_funnel.py`), '' when empty; sealed and unsealed together with `Call Rollup`.
- `Call Rollup Day`: which days the rollup holds in full (`sealed`), and `changes`, a counter of Call Log
  changes on that day.

A day is *sealed* by `seal_days` (the hourly job) once it is at least `LIVE_DAYS` old: its rollup rows are
rebuilt from the Call Logs and the day is marked sealed. The report reads sealed days from the rollup and every
other day (today, yesterday, a changed day, a day never sealed) from the Call Logs, so it is exact whatever the
job has done: the rollup only makes it faster.

Late edits: the Call Log hook (`mark_changed`, in the same transaction as the change) unseals the day the call
was on and the day it is on now, and counts the change; so does whoever changes a call's `sf_funnel` (the Call
Log and Opportunity hooks, `call_funnel.backfill_call_funnels`). Today is skipped (it is never sealed, so there is
nothing to unseal, and skipping it keeps the busiest day's row from being locked by every new call).

Concurrency: sealing reads `changes`, rebuilds the rows, and seals the day only if `changes` is still what it
read (`sealed = IF(changes = read, 1, 0)`, evaluated on the current row). A change committed while the day was
being rebuilt has bumped the counter, and one still running holds the row lock until it commits and then has
bumped it; either way the day stays unsealed and the next run rebuilds it. A change can only be missed by a
transaction that stays open from before midnight until the job seals that day, at least a day later.

The tables go together: a change to the columns of `Call Rollup` or `Call Funnel Rollup` (or a new rollup table)
needs a patch that unseals every day (`unseal_all`: read from the Call Logs until the job seals it again), or
sealed days would read rows without the new counts.

Writing these two tables with SQL is deliberate: they are a cache of counts derived from Call Log, no user
edits them, and there is no document behaviour (hooks, versions) to keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sales_funnel.engine.db import Database

ROLLUP = "Call Rollup"
FUNNEL_ROLLUP = "Call Funnel Rollup"
DAYS = "Call Rollup Day"
LIVE_DAYS = 2  # today and yesterday are always read from the Call Logs; older days may be sealed
ANSWERED_STATUS = "Completed"
SEALS_PER_RUN = 400  # days sealed by one run of the job (a fresh install catches up a year per hour)


def as_date(value: date | datetime | str | None) -> date | None:
	"""A DATE or DATETIME column's value (or its text) as a date; None for NULL or ''."""
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return datetime.fromisoformat(str(value)).date()


def last_sealable_day(now: datetime) -> date:
	"""The newest day the job may seal: `LIVE_DAYS` before today."""
	return now.date() - timedelta(days=LIVE_DAYS)


# the Call Log fields the rollup counts by; a change to any other field leaves the counts as they are
COUNTED_FIELDS = ("start_time", "employee_user_id", "sf_outcome", "type", "status")


def changed_days(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[date]:
	"""The days whose counts a Call Log change touches: the new call's day, a deleted call's day, and for an
	update that changes a counted field both its old and its new day (none when no counted field changed)."""
	if before is None and after is None:
		return []
	if before is None or after is None:
		days = [as_date((after or before or {}).get("start_time"))]
	elif any(_norm(before.get(f)) != _norm(after.get(f)) for f in COUNTED_FIELDS):
		days = [as_date(before.get("start_time")), as_date(after.get("start_time"))]
	else:
		days = []
	return sorted({d for d in days if d is not None})


def _norm(value: Any) -> Any:
	if value in (None, ""):
		return None
	if isinstance(value, datetime):
		return value.replace(microsecond=0)
	if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
		return datetime.fromisoformat(value).replace(microsecond=0)
	return value


def mark_changed(db: Database, days: Iterable[date | datetime | str | None], now: datetime) -> list[date]:
	"""A Call Log on these days (its start time before and after the change) was inserted, changed or deleted:
	unseal each day before today and count the change. Runs in the change's own transaction."""
	marked = sorted({d for d in (as_date(v) for v in days) if d is not None and d < now.date()})
	for day in marked:
		db.sql(
			f"""INSERT INTO `tab{DAYS}` (name, day, sealed, changes, creation, modified, owner, modified_by)
			VALUES (%(name)s, %(day)s, 0, 1, %(now)s, %(now)s, 'Administrator', 'Administrator')
			ON DUPLICATE KEY UPDATE changes = changes + 1, sealed = 0, modified = %(now)s""",
			{"name": day.isoformat(), "day": day, "now": now},
		)
	return marked


def unseal_all(db: Database) -> int:
	"""Unseal every day (and count a change on it, so a seal running now does not seal it): after a change of
	the rollup's columns or a set-based rewrite of counted Call Log fields. Returns the days unsealed."""
	db.sql(f"UPDATE `tab{DAYS}` SET sealed = 0, changes = changes + 1 WHERE sealed = 1")
	return int(db.sql("SELECT ROW_COUNT()")[0][0])


def sealed_days(db: Database, first: date, last: date) -> set[date]:
	rows = db.sql(
		f"SELECT day FROM `tab{DAYS}` WHERE sealed = 1 AND day >= %(first)s AND day <= %(last)s",
		{"first": first, "last": last},
	)
	return {as_date(row[0]) for row in rows}


def days_to_seal(db: Database, now: datetime, limit: int | None = SEALS_PER_RUN) -> list[date]:
	"""Days up to `last_sealable_day` that are not sealed: from the first call on, plus any unsealed day
	(a changed day, or one whose calls were all deleted); oldest first."""
	last = last_sealable_day(now)
	first_call = db.sql("SELECT MIN(start_time) FROM `tabCall Log`")[0][0]
	unsealed = {
		as_date(row[0])
		for row in db.sql(f"SELECT day FROM `tab{DAYS}` WHERE sealed = 0 AND day <= %(last)s", {"last": last})
	}
	candidates = set(unsealed)
	if first_call is not None and as_date(first_call) <= last:
		start = as_date(first_call)
		done = sealed_days(db, start, last)
		candidates |= {start + timedelta(days=i) for i in range((last - start).days + 1)} - done
	ordered = sorted(candidates)
	return ordered if limit is None else ordered[:limit]


@dataclass(frozen=True)
class Sealed:
	day: date
	sealed: bool  # False: a change came in while the day was rebuilt; it stays unsealed for the next run
	rows: int


def seal_day(db: Database, day: date, now: datetime) -> Sealed:
	"""Rebuild one day's rollup rows from its Call Logs and seal it unless it changed meanwhile. The caller
	commits (one day per transaction keeps the locks short)."""
	found = db.sql(f"SELECT changes FROM `tab{DAYS}` WHERE name = %(name)s", {"name": day.isoformat()})
	changes = int(found[0][0]) if found else 0
	start = datetime.combine(day, datetime.min.time())
	values = {"day": day, "name": day.isoformat(), "start": start, "end": start + timedelta(days=1),
		"now": now, "changes": changes, "answered": ANSWERED_STATUS}  # fmt: skip
	db.sql(f"DELETE FROM `tab{ROLLUP}` WHERE day = %(day)s", values)
	db.sql(
		f"""INSERT INTO `tab{ROLLUP}` (name, day, manager, outcome, calls, incoming, outgoing, answered,
			answered_incoming, answered_outgoing, creation, modified, owner, modified_by)
		SELECT MD5(CONCAT_WS('|', %(name)s, IFNULL(c.employee_user_id, ''), IFNULL(c.sf_outcome, ''))),
			%(day)s, IFNULL(c.employee_user_id, ''), IFNULL(c.sf_outcome, ''), COUNT(*),
			SUM(c.`type` = 'Incoming'), SUM(c.`type` = 'Outgoing'), SUM(c.status = %(answered)s),
			SUM(c.`type` = 'Incoming' AND c.status = %(answered)s), SUM(c.`type` = 'Outgoing' AND c.status = %(answered)s),
			%(now)s, %(now)s, 'Administrator', 'Administrator'
		FROM `tabCall Log` c WHERE c.start_time >= %(start)s AND c.start_time < %(end)s
		GROUP BY IFNULL(c.employee_user_id, ''), IFNULL(c.sf_outcome, '')""",
		values,
	)
	db.sql(f"DELETE FROM `tab{FUNNEL_ROLLUP}` WHERE day = %(day)s", values)
	db.sql(
		f"""INSERT INTO `tab{FUNNEL_ROLLUP}` (name, day, funnel, manager, calls, creation, modified, owner, modified_by)
		SELECT MD5(CONCAT_WS('|', %(name)s, IFNULL(c.sf_funnel, ''), IFNULL(c.employee_user_id, ''))), %(day)s,
			IFNULL(c.sf_funnel, ''), IFNULL(c.employee_user_id, ''), COUNT(*),
			%(now)s, %(now)s, 'Administrator', 'Administrator'
		FROM `tabCall Log` c WHERE c.start_time >= %(start)s AND c.start_time < %(end)s
		GROUP BY IFNULL(c.sf_funnel, ''), IFNULL(c.employee_user_id, '')""",
		values,
	)
	rows = db.sql(f"SELECT COUNT(*) FROM `tab{ROLLUP}` WHERE day = %(day)s", values)[0][0]
	db.sql(
		f"""INSERT INTO `tab{DAYS}` (name, day, sealed, changes, sealed_at, creation, modified, owner, modified_by)
		VALUES (%(name)s, %(day)s, 1, %(changes)s, %(now)s, %(now)s, %(now)s, 'Administrator', 'Administrator')
		ON DUPLICATE KEY UPDATE sealed = IF(changes = %(changes)s, 1, 0),
			sealed_at = IF(changes = %(changes)s, %(now)s, sealed_at), modified = %(now)s""",
		values,
	)
	state = db.sql(f"SELECT sealed FROM `tab{DAYS}` WHERE name = %(name)s", values)[0][0]
	return Sealed(day, bool(state), int(rows))


def seal_days(
	db: Database, now: datetime, limit: int | None = SEALS_PER_RUN, commit: Any = None
) -> list[Sealed]:
	"""Seal the days `days_to_seal` finds, oldest first; `commit` (e.g. frappe.db.commit) runs after each."""
	done = []
	for day in days_to_seal(db, now, limit):
		done.append(seal_day(db, day, now))
		if commit is not None:
			commit()
	return done


def unsealed_ranges(first: date, last: date, sealed: set[date]) -> list[tuple[date, date]]:
	"""The runs of days in [first, last] that are not sealed, as [start, end) pairs of days (walks the sealed
	days, not every day of the range, so a range of centuries costs what its sealed days cost)."""
	ranges: list[tuple[date, date]] = []
	start = first
	for day in sorted(d for d in sealed if first <= d <= last):
		if day > start:
			ranges.append((start, day))
		start = day + timedelta(days=1)
	if start <= last:
		ranges.append((start, last + timedelta(days=1)))
	return ranges


def sealed_ranges(first: date, last: date, sealed: set[date]) -> list[tuple[date, date]]:
	"""The runs of sealed days in [first, last], as [start, end) pairs of days."""
	ranges: list[tuple[date, date]] = []
	for day in sorted(d for d in sealed if first <= d <= last):
		if ranges and ranges[-1][1] == day:
			ranges[-1] = (ranges[-1][0], day + timedelta(days=1))
		else:
			ranges.append((day, day + timedelta(days=1)))
	return ranges


__all__ = [
	"COUNTED_FIELDS",
	"DAYS",
	"FUNNEL_ROLLUP",
	"LIVE_DAYS",
	"ROLLUP",
	"Sealed",
	"as_date",
	"changed_days",
	"days_to_seal",
	"last_sealable_day",
	"mark_changed",
	"seal_day",
	"seal_days",
	"sealed_days",
	"sealed_ranges",
	"unseal_all",
	"unsealed_ranges",
]
