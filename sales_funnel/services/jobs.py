# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The state and progress of the app's long jobs, where people look: the stage history backfill
(`services.backfill`), the credit ledger rebuild (`services.credits`) and the call rollup reseal
(`services.call_rollup`), whether started from the Desk, a bench command or the installation.

- State: one Sales Funnel Job record per job (named by the job), its last run: Queued (with who queued it and when),
  Running (processed of total, progress), Finished (the counts) or Failed (the error). Saved through the document API,
  so Frappe tells the list view, an open form and the Sales Funnel Settings form (`list_update` / `doc_update`).
- Progress: `frappe.publish_progress` to the user who started the job (a background job runs as that user), which the
  Desk shows as its progress bar (`socketio_client.js`, the `progress` event), closed when the job finishes.

A run that commits (a background job, a bench command) commits its state with each step, so others see it while it
runs; a failure is rolled back, then recorded as Failed and committed. A run inside a request (`commit=False`) writes
its state in the request's transaction: seen when the request commits, gone with it when it fails (the user sees the
error then).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import frappe
from frappe import _
from frappe.utils import now_datetime
from frappe.utils.background_jobs import is_job_enqueued

JOB_DOCTYPE = "Sales Funnel Job"
# the record names, the Select options of Sales Funnel Job's `job` (translated from there)
BACKFILL = "Stage History Backfill"
CREDIT_LEDGER = "Credit Ledger Rebuild"
CALL_ROLLUP = "Call Rollup Reseal"
ERROR_SHOWN = 2000  # characters of a failure's message kept on the record


def job_state(job: str) -> Any:
	"""The job's record (a new, unsaved one when the job never ran)."""
	if frappe.db.exists(JOB_DOCTYPE, job):
		return frappe.get_doc(JOB_DOCTYPE, job)
	return frappe.new_doc(JOB_DOCTYPE).update({"job": job, "status": "Queued"})


def _save(state: Any) -> None:
	state.flags.ignore_permissions = True
	state.save() if not state.is_new() else state.insert()


def queue_job(job: str, total: int, method: str, *, job_id: str, timeout: int, **kwargs: Any) -> bool:
	"""Queue `method` on the long queue once, recording the job as Queued; False when it is queued or running
	already (Frappe's own deduplication would drop it silently, and the record keeps the running job's state)."""
	if is_job_enqueued(job_id):
		return False
	mark_queued(job, total)
	frappe.enqueue(method, queue="long", timeout=timeout, job_id=job_id, deduplicate=True,
		enqueue_after_commit=True, **kwargs)  # fmt: skip
	return True


def mark_queued(job: str, total: int) -> None:
	"""A background job was queued (in the request that queues it: committed with it)."""
	state = job_state(job)
	state.update({"status": "Queued", "progress": 0, "processed": 0, "total": total, "error": None,
		"counts": None, "started_by": frappe.session.user, "queued_at": now_datetime(), "started_at": None,
		"finished_at": None})  # fmt: skip
	_save(state)


class JobRun:
	"""One run of a job: `advance` after each step, then `finish` with the counts or `fail` with the error."""

	def __init__(self, job: str, total: int, *, commit: bool) -> None:
		self.job, self.total, self.commit = job, max(int(total), 0), commit
		self.shown = -1.0  # the last percentage published
		self.state = job_state(job)
		queued_by = self.state.started_by if self.state.status == "Queued" else None
		self.state.update({"status": "Running", "progress": 0, "processed": 0, "total": self.total,
			"error": None, "counts": None, "started_by": queued_by or frappe.session.user,
			"started_at": now_datetime(), "finished_at": None})  # fmt: skip
		self._store()
		self._publish(0.0, _("Starting"))

	def set_total(self, total: int) -> None:
		"""The total, when the job learns it after it started (e.g. the company-years of the ledger)."""
		self.total = self.state.total = max(int(total), 0)

	def percent(self, processed: int) -> float:
		return 100.0 if not self.total else round(min(100.0, 100.0 * processed / self.total), 1)

	def advance(self, processed: int, description: str | None = None) -> None:
		"""`processed` of the total done: the record and the user's progress bar follow, once per percent."""
		percent = self.percent(processed)
		if percent < 100.0 and percent - self.shown < 1.0:
			return
		self.state.update({"processed": processed, "progress": percent})
		self._store()
		self._publish(percent, description or _("{0} of {1}").format(processed, self.total))

	def finish(self, counts: dict[str, Any], processed: int | None = None) -> None:
		self.state.update({"status": "Finished", "progress": 100, "finished_at": now_datetime(),
			"processed": self.total if processed is None else processed,
			"counts": json.dumps(counts, indent=1, sort_keys=True, default=str)})  # fmt: skip
		self._store()
		self._publish(100.0, _("Finished"))

	def fail(self, error: BaseException) -> None:
		if self.commit:  # what the failed step wrote goes; the failure stays
			frappe.db.rollback()
			self.state = job_state(self.job)
		self.state.update({"status": "Failed", "finished_at": now_datetime(),
			"error": f"{type(error).__name__}: {error}"[:ERROR_SHOWN]})  # fmt: skip
		self._store()
		self._publish(100.0, _("Failed"))

	def _store(self) -> None:
		_save(self.state)
		if self.commit:
			frappe.db.commit()

	def _publish(self, percent: float, description: str) -> None:
		self.shown = percent
		frappe.publish_progress(percent, title=_(self.job), description=description)


@contextmanager
def job_run(job: str, total: int, *, commit: bool) -> Iterator[JobRun]:
	"""A `JobRun` that records a failure of the block (and raises it on)."""
	run = JobRun(job, total, commit=commit)
	try:
		yield run
	except Exception as error:
		try:
			run.fail(error)
		except Exception:  # the transaction may be gone with the error: the error itself is what matters
			frappe.log_error(title=_("Could not record the failure of {0}").format(job))
		raise
