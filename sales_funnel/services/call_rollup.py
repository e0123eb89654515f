# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Reseal the Call Outcomes rollup on demand (`sales_funnel.api.reseal_call_rollup`, the Sales Funnel Settings form):
every past day's calls counted again now, instead of the hourly job's 400 days a run (`tasks.seal_call_days`).

The days are unsealed first, in the request (`engine.calls.rollup.unseal_all`): from then on the report counts them
from the Call Logs, so it is right while the days are counted again. Up to `INLINE_LIMIT` days are counted in the
request; more go to a background job on the long queue, which commits each day. Either way the run shows its
progress and keeps its state on the Sales Funnel Job "Call Rollup Reseal" (`services.jobs`).
"""

from __future__ import annotations

from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.background_jobs import is_job_enqueued

from sales_funnel.engine.calls.rollup import days_to_seal, seal_day, unseal_all
from sales_funnel.engine.names import MANAGER_ROLES
from sales_funnel.permissions import require_any_role
from sales_funnel.services.jobs import CALL_ROLLUP, job_run, queue_job

JOB_ID = "sales_funnel_reseal_call_rollup"
INLINE_LIMIT = 31  # more days than this are counted by a background job
JOB_TIMEOUT = 6 * 60 * 60


def check_reseal_permission(user: str | None = None) -> None:
	"""A Sales Manager or a System Manager (or Administrator) reseals the rollup."""
	require_any_role(
		MANAGER_ROLES, _("Only a Sales Manager or a System Manager can reseal the call rollup."), user
	)


def reseal_call_rollup(*, commit: bool = True) -> dict[str, Any]:
	"""Count and seal every unsealed past day, oldest first; `commit` after each day only in a background job."""
	now = now_datetime()
	days = days_to_seal(frappe.db, now, limit=None)
	counts = {"days": len(days), "sealed": 0, "changed_meanwhile": 0, "rows": 0}
	with job_run(CALL_ROLLUP, len(days), commit=commit) as run:
		for done, day in enumerate(days, start=1):
			result = seal_day(frappe.db, day, now)
			counts["sealed" if result.sealed else "changed_meanwhile"] += 1
			counts["rows"] += result.rows
			if commit:
				frappe.db.commit()
			run.advance(done, _("{0} of {1} days counted").format(done, len(days)))
		run.finish(counts)
	return counts


def start_reseal(*, commit: bool = False) -> dict[str, Any]:
	"""Unseal every day, then count them again: in the request when few, else in a background job (once)."""
	if is_job_enqueued(JOB_ID):  # the job queued or running goes on as it is
		return {"queued": 1, "already": 1}
	unsealed = unseal_all(frappe.db)
	days = len(days_to_seal(frappe.db, now_datetime(), limit=None))
	if days <= INLINE_LIMIT:
		return {**reseal_call_rollup(commit=commit), "unsealed": unsealed}
	queued = queue_job(
		CALL_ROLLUP,
		days,
		"sales_funnel.services.call_rollup.reseal_call_rollup",
		job_id=JOB_ID,
		timeout=JOB_TIMEOUT,
	)
	return {"queued": 1, "days": days, "unsealed": unsealed, **({} if queued else {"already": 1})}
