"""Calls without an outcome past their grace period: the hourly reminder job's selection and the daily digest.

A call needs an outcome when its status is one of the configured statuses (default Completed); it is overdue once
its grace period has run out: `COALESCE(end_time, start_time) + grace <= now`. Exactly at the limit counts as
overdue (the grace period is "within 2 hours"; at 2:00:00 it is over). A call is reminded about once: a call that
already has any ToDo (Open, Closed or Cancelled) is never selected again, so a reminder the employee closed or a
manager cancelled is not recreated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from sales_funnel.engine.db import Database
from sales_funnel.engine.frames import rows_frame
from sales_funnel.engine.i18n import InvalidInput, Message, _
from sales_funnel.engine.sql import in_list

DEFAULT_GRACE_HOURS = 2.0
DEFAULT_STATUSES = ("Completed",)


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


def _due(
	now: datetime, grace_hours: float, statuses: Sequence[str], since: datetime | None
) -> tuple[dict[str, Any], str]:
	"""The parameters of a query of calls due by `now` (cutoff, since, the statuses) and the statuses' IN list;
	a negative grace period or no status is a user error."""
	if grace_hours is None or grace_hours < 0:
		raise InvalidInput(
			Message(_("The grace period must be zero or more hours, not {0}."), (grace_hours,))
		)
	if not statuses:
		raise InvalidInput(Message(_("Choose at least one call status that needs an outcome.")))
	values: dict[str, Any] = {"cutoff": now - timedelta(hours=float(grace_hours)), "since": since}
	return values, in_list("status_", statuses, values)


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
	values, status_list = _due(now, grace_hours, statuses, since)
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
	values, status_list = _due(now, grace_hours, statuses, since)
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
