# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""What `bench --site … uninstall-app sales_funnel` must remove besides the app's modules and doctypes, which Frappe
deletes itself (frappe/installer.py `remove_app`): Frappe leaves the app's Scheduled Job Types (and their logs) behind
until the next migrate, and background jobs the app queued would still run against a site without its code.

Kept on purpose (documented in the README): nothing of the app's own data (its tables go with its doctypes), and the
`sf_` columns of ERPNext's tables, whose Custom Fields Frappe deletes without dropping their columns."""

from __future__ import annotations

import frappe

from sales_funnel.services.lead_routing import TIERS_CACHE_KEY

APP_PREFIX = "sales_funnel."
CACHE_KEYS = (TIERS_CACHE_KEY,)


def before_uninstall() -> None:
	remove_scheduled_jobs()
	cancel_queued_jobs()
	for key in CACHE_KEYS:
		frappe.cache.delete_value(key)


def remove_scheduled_jobs() -> None:
	jobs = frappe.get_all("Scheduled Job Type", filters={"method": ("like", f"{APP_PREFIX}%")}, pluck="name")
	if not jobs:
		return
	frappe.db.delete("Scheduled Job Log", {"scheduled_job_type": ("in", jobs)})
	for name in jobs:
		frappe.delete_doc("Scheduled Job Type", name, ignore_permissions=True, force=True)


def job_method(job) -> str:
	"""The dotted path a Frappe background job runs (`frappe.enqueue` puts it in the RQ job's kwargs)."""
	kwargs = job.kwargs or {}
	method = kwargs.get("method")
	if callable(method):
		return f"{method.__module__}.{method.__qualname__}"
	return str(method or kwargs.get("job_name") or "")


def cancel_queued_jobs() -> None:
	"""The app's jobs queued for this site (a long backfill or ledger rebuild) are cancelled."""
	from frappe.utils.background_jobs import get_queues

	site = frappe.local.site
	for queue in get_queues():
		for job in queue.get_jobs():
			if (job.kwargs or {}).get("site") == site and job_method(job).startswith(APP_PREFIX):
				job.cancel()
