# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Apply the engine's backfill of stage history on a bench (`sales_funnel.engine.funnels.backfill.plan` plans it).

Shared by `after_sync` (sales_funnel/install.py), the whitelisted `sales_funnel.api.backfill_history` and
the `bench --site … sf-backfill-history` command (sales_funnel/commands.py). Each batch of deals is applied with
Frappe's document API: `sf_sales_funnel` is set where the engine chose a funnel, every planned row is inserted
with `frappe.get_doc(...).insert()`, and `sf_stage_entered_at` is set. A background job or the command commits
after each batch; inside a web request nothing is committed here (the request commits once at its end). Each run
shows its progress and keeps its state on the Sales Funnel Job "Stage History Backfill" (`services.jobs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime

from sales_funnel.engine.funnels.backfill.plan import (
	DEFAULT_BATCH_SIZE,
	BackfillPlan,
	claim_deal,
	iter_backfill,
)
from sales_funnel.engine.funnels.backfill.scan import CHANNEL_COLUMNS
from sales_funnel.engine.funnels.backfill.versions import status_aliases
from sales_funnel.engine.funnels.call_funnel import calls_linking
from sales_funnel.engine.names import DEAL_STATUSES
from sales_funnel.services.call_links import keep_call_funnels
from sales_funnel.services.jobs import BACKFILL, JobRun, job_run, queue_job

TRANSITION_DOCTYPE = "Funnel Stage Transition"
JOB_ID = "sales_funnel_backfill_history"
INLINE_LIMIT = 5000  # more deals than this go to a background job
JOB_TIMEOUT = 6 * 60 * 60
SKIPPED_SHOWN = 20
BATCH_SAVEPOINT = "sales_funnel_backfill_batch"


def opportunity_status_aliases() -> dict[str, str]:
	"""Each Opportunity status as Frappe may have written it into Version data: formatted in the saving user's
	language (`format_value` translates Select values with the doctype as context). Languages: English, the
	system's and every user's."""
	languages = {"en", frappe.db.get_single_value("System Settings", "language") or "en"}
	languages.update(
		frappe.db.sql_list("SELECT DISTINCT language FROM `tabUser` WHERE IFNULL(language, '') != ''")
	)
	pairs = []
	for language in sorted(languages):
		for status in DEAL_STATUSES:
			pairs.append((_(status, lang=language, context="Opportunity"), status))
			pairs.append((_(status, lang=language), status))
	return status_aliases(pairs)


def channel_columns() -> list[str]:
	"""The Opportunity columns that hold the deal's channel on this site (`source` on v15)."""
	meta = frappe.get_meta("Opportunity")
	return [column for column in CHANNEL_COLUMNS if meta.has_field(column)] or ["source"]


def deals_without_history() -> int:
	return frappe.db.sql(
		"""SELECT COUNT(*) FROM `tabOpportunity` o WHERE NOT EXISTS (
			SELECT 1 FROM `tabFunnel Stage Transition` t WHERE t.deal_doctype = 'Opportunity' AND t.deal = o.name)"""
	)[0][0]


def apply_plan(plan: BackfillPlan) -> int:
	"""Write one batch's plan; return how many deals got history. Each deal is claimed first
	(`engine.funnels.backfill.plan.claim_deal`: its Opportunity locked, then checked with a locking read): a deal that gained
	history since the plan was made (a user saved it meanwhile, so live recording started its history) is left as
	it is, its funnel included."""
	rows_of: dict[str, list] = {}
	for row in plan.transitions:
		rows_of.setdefault(row.deal, []).append(row)
	assigned: dict[str, str] = {}
	applied = 0
	for deal, rows in rows_of.items():
		if not claim_deal(frappe.db, deal):
			continue
		if deal in plan.funnel_assignments:
			assigned[deal] = plan.funnel_assignments[deal]
			frappe.db.set_value("Opportunity", deal, "sf_sales_funnel", assigned[deal], update_modified=False)
		for row in rows:
			# history rebuilt from old records: users, stages and reasons may have been renamed or deleted since
			frappe.get_doc({"doctype": TRANSITION_DOCTYPE, **row.as_dict()}).insert(
				ignore_permissions=True, ignore_links=True
			)
		frappe.db.set_value(
			"Opportunity", deal, "sf_stage_entered_at", plan.stage_entered_at[deal], update_modified=False
		)
		applied += 1
	if assigned:  # behind the Opportunity hook: its calls' funnel follows, as the hook does
		keep_call_funnels(calls_linking(frappe.db, assigned))
	return applied


def _apply_batch(plan: BackfillPlan, *, commit: bool) -> int:
	"""Write one batch inside a savepoint: when it fails, what it wrote is rolled back (every deal of a batch gets
	its whole history or none, also for a caller that goes on and commits) and the error is raised. `commit`
	after the batch."""
	frappe.db.savepoint(BATCH_SAVEPOINT)
	try:
		applied = apply_plan(plan)
	except Exception:
		frappe.db.rollback(save_point=BATCH_SAVEPOINT)
		raise
	frappe.db.release_savepoint(BATCH_SAVEPOINT)
	if commit:
		frappe.db.commit()
	return applied


def run_backfill(
	deals: Sequence[str] | None = None,
	*,
	commit: bool = True,
	dry_run: bool = False,
	batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, Any]:
	"""Backfill all Opportunities without history (or the given ones); return the counts. `commit` after each
	batch only in a background job or a bench command. A real run records its state and progress (Sales Funnel
	Job "Stage History Backfill", `services.jobs`); a dry run writes nothing."""
	deals = list(deals) if deals is not None else None
	if dry_run:
		return _backfill(deals, commit=False, dry_run=True, batch_size=batch_size)
	pending = len(deals) if deals is not None else deals_without_history()
	with job_run(BACKFILL, pending, commit=commit) as run:
		result = _backfill(deals, commit=commit, dry_run=False, batch_size=batch_size, run=run)
		run.finish({k: v for k, v in result.items() if k != "skipped"}, processed=result.get("deals_read", 0))
	return result


def _backfill(
	deals: list[str] | None, *, commit: bool, dry_run: bool, batch_size: int, run: JobRun | None = None
) -> dict[str, Any]:
	totals = BackfillPlan()
	applied = 0
	for plan in iter_backfill(
		frappe.db,
		now_datetime(),
		deals=deals,
		batch_size=batch_size,
		status_aliases=opportunity_status_aliases(),
		channel_columns=channel_columns(),
	):
		if not dry_run:
			applied += _apply_batch(plan, commit=commit)
		for key, value in plan.counts.items():
			totals.counts[key] = totals.counts.get(key, 0) + value
		for deal, reason in plan.skipped.items():
			if len(totals.skipped) < SKIPPED_SHOWN:
				totals.skipped[deal] = _(reason)
		if run is not None:
			run.advance(
				totals.counts.get("deals_read", 0),
				_("{0} deals read").format(totals.counts.get("deals_read", 0)),
			)
	return {**totals.counts, "deals_applied": applied, "dry_run": int(dry_run), "skipped": totals.skipped}


def start_backfill(deals: Sequence[str] | None = None, *, commit: bool = True) -> dict[str, Any]:
	"""Run the backfill inline when it is small, else enqueue it on the long queue (once: a job already queued
	or running is not queued again). Returns the counts, or `{"queued": 1, "deals": n}`."""
	pending = len(deals) if deals is not None else deals_without_history()
	if pending <= INLINE_LIMIT:
		return run_backfill(deals, commit=commit)
	queued = queue_job(
		BACKFILL,
		pending,
		"sales_funnel.services.backfill.run_backfill",
		job_id=JOB_ID,
		timeout=JOB_TIMEOUT,
		deals=list(deals) if deals is not None else None,
	)
	return {"queued": 1, "deals": pending, **({} if queued else {"already": 1})}
