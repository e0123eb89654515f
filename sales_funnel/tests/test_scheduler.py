# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Bench tests of the app's scheduler entries, each run the way Frappe's scheduler runs it: through its
Scheduled Job Type (`execute()`, which calls the method, commits and writes a Scheduled Job Log). The jobs that
can run for minutes are on the long queue (`hourly_long`, `daily_long`), and every entry's name says what it
does; Frappe's `sync_jobs` (install, migrate) removes the Scheduled Job Types of names no longer in hooks.py, so a
site migrated from the earlier names keeps none of them."""

from __future__ import annotations

import frappe
from frappe.utils import add_to_date, now_datetime

from sales_funnel import hooks
from sales_funnel.engine.calls.rollup import DAYS, ROLLUP
from sales_funnel.sales_funnel.doctype.sales_funnel_settings.sales_funnel_settings import (
	SETTINGS,
	call_settings,
)
from sales_funnel.services.lead_routing import TIERS_CACHE_KEY
from sales_funnel.tests import erpnext_docs
from sales_funnel.tests.reassignment_fixtures import ReassignmentCase, converted, owner_of

JOBS = {
	"sales_funnel.tasks.remind_calls_without_outcome": "Hourly Long",
	"sales_funnel.tasks.reassign_stale_deals": "Hourly Long",
	"sales_funnel.tasks.seal_call_days": "Hourly Long",
	"sales_funnel.tasks.apply_pending_stage_moves": "Hourly Long",
	"sales_funnel.tasks.send_outcome_digest": "Daily",
	"sales_funnel.tasks.refresh_manager_tiers": "Daily Long",
}
# entries of earlier layouts, as a site that had them keeps their Scheduled Job Types until its next migrate
RENAMED = {
	"sales_funnel.tasks.hourly": "Hourly Long",
	"sales_funnel.tasks.daily": "Daily",
	"sales_funnel.events.documents.apply_pending_moves": "Hourly Long",
}


def execute(method: str) -> frappe._dict:
	"""Run `method`'s Scheduled Job Type as the scheduler does; returns its Scheduled Job Log."""
	frappe.db.commit()
	job = frappe.get_doc("Scheduled Job Type", {"method": method})
	job.execute()
	return frappe.get_doc("Scheduled Job Log", job.scheduler_log.name)


class TestScheduler(ReassignmentCase):
	def assertCompleted(self, log) -> None:
		self.assertEqual(log.status, "Complete", log.details)

	def test_every_entry_has_a_scheduled_job_type_and_long_jobs_use_the_long_queue(self) -> None:
		entries = {method: event for event, methods in hooks.scheduler_events.items() for method in methods}
		self.assertEqual(set(entries), set(JOBS))
		for method, frequency in JOBS.items():
			job = frappe.get_doc("Scheduled Job Type", {"method": method})
			self.assertEqual(job.frequency, frequency, method)
			self.assertEqual(job.get_queue_name(), "long" if "Long" in frequency else "default", method)
			self.assertTrue(callable(frappe.get_attr(method)), method)
		for method in RENAMED:  # the old names: no longer scheduled
			self.assertFalse(frappe.db.exists("Scheduled Job Type", {"method": method}), method)

	def test_a_migrate_from_the_old_entry_names_leaves_no_stale_job(self) -> None:
		"""A site that ran the app before its entries were renamed has their Scheduled Job Types; the migrate's
		`sync_jobs` deletes them (with their logs) and leaves one job of every current entry."""
		from frappe.core.doctype.scheduled_job_type.scheduled_job_type import sync_jobs

		for method, frequency in RENAMED.items():
			job = frappe.get_doc({"doctype": "Scheduled Job Type", "method": method, "frequency": frequency})
			job.insert(ignore_permissions=True)
			frappe.get_doc(
				{"doctype": "Scheduled Job Log", "scheduled_job_type": job.name, "status": "Complete"}
			).insert(ignore_permissions=True)
		self.assertEqual(
			frappe.db.count("Scheduled Job Type", {"method": ("in", list(RENAMED))}), len(RENAMED)
		)

		sync_jobs()

		app_jobs = frappe.get_all(
			"Scheduled Job Type",
			filters={"method": ("like", "sales_funnel.%")},
			fields=["name", "method", "frequency"],
		)
		self.assertEqual({job.method: job.frequency for job in app_jobs}, JOBS)
		self.assertEqual(len(app_jobs), len(JOBS))
		old_names = [".".join(method.split(".")[-2:]) for method in RENAMED]
		self.assertEqual(frappe.db.count("Scheduled Job Log", {"scheduled_job_type": ("in", old_names)}), 0)

	def test_reassign_stale_deals_moves_a_stale_deal(self) -> None:
		new, owner = self.manager("new"), self.manager("owner")
		stale = self.deal(owner, days_in_stage=10)
		self.rule([new, owner])

		self.assertCompleted(execute("sales_funnel.tasks.reassign_stale_deals"))

		self.assertEqual(owner_of(stale), new)

	def test_refresh_manager_tiers_caches_the_tiers_of_each_routing_rule(self) -> None:
		best, middle, rest = self.manager("best"), self.manager("middle"), self.manager("rest")
		for user, won in ((best, 3), (middle, 2), (rest, 1)):
			converted(self.company, self.funnel, user, count=3, moved_on=won, to_stage="_Test RA Won")
		rule = self.rule(
			[best, middle, rest], strategy="By Temperature", route_new_leads=1, converter_min_deals=3
		)
		frappe.cache.delete_value(TIERS_CACHE_KEY)

		self.assertCompleted(execute("sales_funnel.tasks.refresh_manager_tiers"))

		tiers = frappe.cache.get_value(TIERS_CACHE_KEY, expires=True)
		self.assertEqual(tiers[rule], {best: "top", middle: "middle", rest: "rest"})

	def test_remind_calls_without_outcome_gives_the_employee_a_todo(self) -> None:
		employee = self.manager("caller")
		settings = call_settings()
		ended = add_to_date(now_datetime(), hours=-(settings.grace_period_hours + 1))
		call = erpnext_docs.call_log(
			employee,
			status=settings.statuses[0],
			start_time=add_to_date(ended, minutes=-5),
			end_time=ended,
		)

		self.assertCompleted(execute("sales_funnel.tasks.remind_calls_without_outcome"))

		todos = frappe.get_all(
			"ToDo", filters={"reference_type": "Call Log", "reference_name": call.name}, pluck="allocated_to"
		)
		self.assertEqual(todos, [employee])

	def test_send_outcome_digest_notifies_the_sales_managers(self) -> None:
		previous = frappe.db.get_single_value(SETTINGS, "send_daily_digest")
		self.addCleanup(self.restore_digest_setting, previous)
		frappe.db.set_single_value(SETTINGS, "send_daily_digest", 1)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		# the digest is mailed too: a site that sends it has an outgoing Email Account
		account = erpnext_docs.outgoing_email_account()
		if account:
			self.addCleanup(self.delete_email_account, account)
		sales_manager = self.manager("digest", "Sales Manager")
		settings = call_settings()
		ended = add_to_date(now_datetime(), hours=-(settings.grace_period_hours + 1))
		erpnext_docs.call_log(
			self.manager("caller"),
			status=settings.statuses[0],
			start_time=add_to_date(ended, minutes=-5),
			end_time=ended,
		)
		started = now_datetime()

		self.assertCompleted(execute("sales_funnel.tasks.send_outcome_digest"))

		subjects = frappe.get_all(
			"Notification Log",
			filters={"for_user": sales_manager, "document_type": "Call Log", "creation": (">=", started)},
			pluck="subject",
		)
		self.assertEqual(len(subjects), 1, subjects)
		self.assertIn("calls of the last day have no outcome", subjects[0])
		self.assertTrue(
			frappe.db.exists(
				"Email Queue Recipient", {"recipient": sales_manager, "creation": (">=", started)}
			)
		)

	def delete_email_account(self, name: str) -> None:
		frappe.delete_doc("Email Account", name, ignore_permissions=True, force=True)
		frappe.db.commit()

	def restore_digest_setting(self, value) -> None:
		frappe.db.set_single_value(SETTINGS, "send_daily_digest", value)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
		frappe.db.commit()

	def test_seal_call_days_counts_a_past_day_into_the_rollup(self) -> None:
		employee = self.manager("sealed")
		start = add_to_date(now_datetime(), days=-5)
		erpnext_docs.call_log(employee, start_time=start, end_time=add_to_date(start, minutes=5))

		self.assertCompleted(execute("sales_funnel.tasks.seal_call_days"))

		day = start.date()
		self.assertEqual(frappe.db.get_value(DAYS, {"day": day}, "sealed"), 1)
		calls = frappe.db.count(
			"Call Log",
			{
				"employee_user_id": employee,
				"start_time": ("between", (f"{day} 00:00:00", f"{day} 23:59:59.999999")),
			},
		)
		self.assertGreaterEqual(calls, 1)
		self.assertEqual(frappe.db.get_value(ROLLUP, {"day": day, "manager": employee}, "calls"), calls)
