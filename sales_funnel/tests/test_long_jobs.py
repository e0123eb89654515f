# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the long jobs' progress and state (`services.jobs`): the stage history backfill, the credit ledger
rebuild and the call rollup reseal each publish their progress to the user who started them (Frappe's `progress`
event, the Desk's progress bar) and keep their state on their Sales Funnel Job record: Queued when a background job
is queued, Running, then Finished with the counts or Failed with the error.

The progress is observed on the real `frappe.realtime.publish_realtime` (wrapped, so it still publishes). A queued
job is observed on `frappe.enqueue` (recorded, not queued: no worker runs the test's uncommitted data), and then run
as the worker would run it. Nothing here commits (`commit=False`), so the records are rolled back after each test.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

import frappe
import frappe.realtime
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from sales_funnel import api
from sales_funnel.engine.calls.rollup import DAYS
from sales_funnel.services import backfill, call_rollup, credits, jobs
from sales_funnel.tests import call_docs as calls
from sales_funnel.tests import erpnext_docs as docs
from sales_funnel.tests import history_docs as h


@contextmanager
def published():
	"""The `progress` events published meanwhile: (user room or None, message)."""
	events: list[tuple] = []
	real = frappe.realtime.publish_realtime

	def record(event=None, message=None, room=None, user=None, **kwargs):
		if event == "progress":
			events.append((user, dict(message)))
		return real(event, message, room=room, user=user, **kwargs)

	with patch.object(frappe.realtime, "publish_realtime", side_effect=record):
		yield events


@contextmanager
def queued():
	"""What `frappe.enqueue` is asked to queue meanwhile (method, kwargs); nothing is queued."""
	asked: list[tuple] = []
	with patch.object(frappe, "enqueue", side_effect=lambda method, **kw: asked.append((method, kw))):
		yield asked


def state(job: str) -> dict:
	return frappe.get_doc(jobs.JOB_DOCTYPE, job).as_dict()


class LongJobCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls) -> None:
		super().setUpClass()
		cls.company = docs.company()
		cls.manager = docs.user("sf-jobs-manager@example.com", "Sales User", "Sales Manager")
		cls.seller = docs.user("sf-jobs-seller@example.com", "Sales User")

	def tearDown(self) -> None:
		frappe.set_user("Administrator")

	def assert_progress(self, events: list[tuple], user: str, title: str) -> list[float]:
		"""Events to `user`, titled with the job, rising to 100; returns the percentages."""
		self.assertTrue(events, "no progress was published")
		self.assertEqual({room for room, _message in events}, {user})
		self.assertEqual({message["title"] for _room, message in events}, {title})
		percents = [message["percent"] for _room, message in events]
		self.assertEqual(percents, sorted(percents))
		self.assertEqual((percents[0], percents[-1]), (0.0, 100.0))
		return percents


class TestBackfillProgress(LongJobCase):
	def setUp(self) -> None:
		self.source = h.lead_source()
		h.funnel(self.company, source=self.source)

	def test_a_backfill_publishes_its_progress_and_finishes_with_its_counts(self) -> None:
		deals = h.deals_before_the_app(self.company, 4, source=self.source)
		frappe.set_user(self.manager)
		with published() as events:
			result = backfill.run_backfill(deals, commit=False, batch_size=1)
		percents = self.assert_progress(events, self.manager, "Stage History Backfill")
		self.assertEqual(percents, [0.0, 25.0, 50.0, 75.0, 100.0, 100.0])  # a batch each, then finished
		record = state(jobs.BACKFILL)
		self.assertEqual(
			(record.status, record.progress, record.processed, record.total), ("Finished", 100, 4, 4)
		)
		self.assertEqual(record.started_by, self.manager)
		self.assertTrue(record.started_at <= record.finished_at)
		counts = json.loads(record.counts)
		self.assertEqual((counts["deals_applied"], counts["deals_read"]), (result["deals_applied"], 4))
		self.assertEqual(result["deals_applied"], 4)

	def test_a_dry_run_records_nothing(self) -> None:
		deals = h.deals_before_the_app(self.company, 1, source=self.source)
		frappe.db.delete(jobs.JOB_DOCTYPE, {"name": jobs.BACKFILL})
		with published() as events:
			backfill.run_backfill(deals, commit=False, dry_run=True)
		self.assertEqual(events, [])
		self.assertFalse(frappe.db.exists(jobs.JOB_DOCTYPE, jobs.BACKFILL))

	def test_a_failed_backfill_is_recorded_as_failed_with_its_error(self) -> None:
		deals = h.deals_before_the_app(self.company, 2, source=self.source)
		with patch("sales_funnel.services.backfill.claim_deal", side_effect=RuntimeError("lost connection")):
			with self.assertRaises(RuntimeError):
				backfill.run_backfill(deals, commit=False)
		record = state(jobs.BACKFILL)
		self.assertEqual(record.status, "Failed")
		self.assertIn("RuntimeError: lost connection", record.error)
		self.assertIsNotNone(record.finished_at)

	def test_a_large_backfill_is_queued_once_and_the_worker_keeps_who_queued_it(self) -> None:
		deals = h.deals_before_the_app(self.company, 3, source=self.source)
		frappe.set_user(self.manager)
		with patch.object(backfill, "INLINE_LIMIT", 1), queued() as asked:
			result = api.backfill_history(json.dumps(deals))
		self.assertEqual(result, {"queued": 1, "deals": 3})
		((method, kwargs),) = asked
		self.assertEqual(
			(method, kwargs["queue"], kwargs["job_id"]),
			("sales_funnel.services.backfill.run_backfill", "long", backfill.JOB_ID),
		)
		record = state(jobs.BACKFILL)
		self.assertEqual((record.status, record.total, record.started_by), ("Queued", 3, self.manager))
		self.assertIsNotNone(record.queued_at)
		# the worker runs the job as the user who queued it (frappe.enqueue keeps the session user)
		with published() as events:
			backfill.run_backfill(kwargs["deals"], commit=False)
		self.assert_progress(events, self.manager, "Stage History Backfill")
		record = state(jobs.BACKFILL)
		self.assertEqual((record.status, record.processed, record.started_by), ("Finished", 3, self.manager))

	def test_a_job_queued_or_running_already_is_not_queued_again(self) -> None:
		deals = h.deals_before_the_app(self.company, 2, source=self.source)
		jobs.mark_queued(jobs.BACKFILL, 7)
		with (
			patch.object(backfill, "INLINE_LIMIT", 1),
			patch.object(jobs, "is_job_enqueued", return_value=True),
		):
			with queued() as asked:
				result = backfill.start_backfill(deals, commit=False)
		self.assertEqual((result["already"], asked), (1, []))
		self.assertEqual(state(jobs.BACKFILL).total, 7, "the running job's state was overwritten")


class TestCreditLedgerProgress(LongJobCase):
	def test_a_rebuild_publishes_its_progress_by_company_year_and_records_its_rows(self) -> None:
		docs.deal_chain(self.company, source=h.lead_source())
		with published() as events:
			result = credits.rebuild_credit_ledger(commit=False)
		self.assert_progress(events, "Administrator", "Credit Ledger Rebuild")
		record = state(jobs.CREDIT_LEDGER)
		# one step a company-year: at least the chain's
		self.assertEqual((record.status, record.processed), ("Finished", record.total))
		self.assertGreaterEqual(record.total, 1)
		self.assertEqual(json.loads(record.counts)["rows"], result["rows"])
		self.assertGreaterEqual(result["rows"], 2)


class TestCallRollupReseal(LongJobCase):
	def test_a_sales_manager_reseals_the_rollup_and_sees_its_progress(self) -> None:
		start = add_to_date(now_datetime(), days=-5)
		calls.call(self.seller, start=start)
		calls.call(self.seller, start=start + timedelta(days=1))
		frappe.set_user(self.manager)
		with patch.object(call_rollup, "INLINE_LIMIT", 10_000), published() as events:
			result = api.reseal_call_rollup()
		self.assert_progress(events, self.manager, "Call Rollup Reseal")
		self.assertGreaterEqual(result["days"], 2)  # from the first call on, up to the day before yesterday
		self.assertEqual(result["sealed"] + result["changed_meanwhile"], result["days"])
		record = state(jobs.CALL_ROLLUP)
		self.assertEqual(
			(record.status, record.processed, record.total), ("Finished", result["days"], result["days"])
		)
		unsealed = frappe.db.sql(
			f"SELECT COUNT(*) FROM `tab{DAYS}` WHERE sealed = 0 AND day <= %s",
			(start.date() + timedelta(days=1),),
		)[0][0]
		self.assertEqual(unsealed, 0)

	def test_many_days_go_to_a_background_job(self) -> None:
		calls.call(self.seller, start=add_to_date(now_datetime(), days=-40))
		frappe.set_user(self.manager)
		with patch.object(call_rollup, "INLINE_LIMIT", 1), queued() as asked:
			result = api.reseal_call_rollup()
		self.assertEqual(result["queued"], 1)
		self.assertEqual(
			[method for method, _kw in asked], ["sales_funnel.services.call_rollup.reseal_call_rollup"]
		)
		self.assertEqual(state(jobs.CALL_ROLLUP).status, "Queued")

	def test_a_sales_user_may_not_reseal(self) -> None:
		frappe.set_user(self.seller)
		with self.assertRaises(frappe.PermissionError):
			api.reseal_call_rollup()


class TestJobRecords(LongJobCase):
	def test_the_job_records_are_read_by_the_managers_only(self) -> None:
		jobs.mark_queued(jobs.CALL_ROLLUP, 1)
		self.assertTrue(frappe.has_permission(jobs.JOB_DOCTYPE, "read", user=self.manager))
		self.assertFalse(frappe.has_permission(jobs.JOB_DOCTYPE, "read", user=self.seller))
		self.assertFalse(frappe.has_permission(jobs.JOB_DOCTYPE, "write", user=self.manager))
