# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""What the bench tests of call outcomes share: a funnel of their own, Call Outcomes of every effect, users
with exactly the roles a test names, calls of a given day, and the scheduler jobs of `hooks.py` run as the
scheduler runs them (`Scheduled Job Type.execute`). Names are unique per call (a hash), so tests never collide
and never depend on what another test left behind.

The funnel has no rule and is not its company's default, so it never catches another test's new deals; only the
outcomes that name it put deals in it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import frappe
from frappe.model.document import Document
from frappe.utils import add_to_date

from sales_funnel.tests import erpnext_docs as docs

STAGES = ("SF Calls Qualified", "SF Calls Meeting", "SF Calls Proposal", "SF Calls Won", "SF Calls Lost")


def tag() -> str:
	return frappe.generate_hash(length=8)


def funnel(company: str) -> Document:
	"""A funnel of open stages Qualified → Meeting → Proposal, then Won and Lost."""
	stages = [docs.sales_stage(stage) for stage in STAGES]
	kinds = ("Open", "Open", "Open", "Won", "Lost")
	probabilities = (10, 30, 60, 100, 0)
	return frappe.get_doc(
		{
			"doctype": "Sales Funnel",
			"title": f"SF Calls Funnel {tag()}",
			"company": company,
			"deal_doctype": "Opportunity",
			"enabled": 1,
			"priority": 0,
			"stages": [
				{"stage": stage, "kind": kind, "probability": probability}
				for stage, kind, probability in zip(stages, kinds, probabilities, strict=True)
			],
		}
	).insert(ignore_permissions=True)


def outcome(effect: str = "None", **values: Any) -> str:
	"""A Call Outcome with this effect (category Information Only unless given)."""
	return (
		frappe.get_doc(
			{
				"doctype": "Call Outcome",
				"title": f"SF Outcome {tag()}",
				"category": "Information Only",
				"effect": effect,
				"enabled": 1,
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def user(*roles: str) -> str:
	"""A new enabled System User with exactly these roles, for a test that counts what one user has (their calls
	in a report, a day's rollup). Frappe refuses more than 60 new users a minute (`throttle_user_creation`), so
	tests that only look at their own documents use `named_user`."""
	return docs.user(f"sf-calls-{tag()}@example.com", *roles)


def named_user(key: str, *roles: str) -> str:
	"""The user `key` of the call tests, created once and given exactly these roles on every call."""
	return docs.user(f"sf-calls-{key}@example.com", *roles)


def call(employee: str | None, *, start: datetime | None = None, phone: str | None = None, **values: Any):
	"""A completed incoming call from `phone` (a new number unless given), ended five minutes after `start`."""
	values.setdefault("from", phone or new_phone())
	if start is not None:
		values.setdefault("start_time", start)
		values.setdefault("end_time", add_to_date(start, minutes=5))
	return docs.call_log(employee, **values)


def new_phone() -> str:
	return "+4860" + str(int(frappe.generate_hash(length=7), 16))[-7:].rjust(7, "0")


def scheduled_job(method: str) -> Document:
	"""The Scheduled Job Type of `method`, which hooks.py must schedule."""
	scheduled = {
		entry
		for events in frappe.get_hooks("scheduler_events").values()
		for entry in (events if isinstance(events, list) else [m for ms in events.values() for m in ms])
	}
	if method not in scheduled:
		raise AssertionError(f"{method} is not a scheduler event of hooks.py")
	return frappe.get_doc("Scheduled Job Type", {"method": method})


def run_job(method: str) -> str:
	"""Run the job as the scheduler's worker does (`execute`: commits, or rolls back and logs the failure);
	returns the status of the Scheduled Job Log it wrote."""
	job = scheduled_job(method)
	job.execute()
	return frappe.db.get_value(
		"Scheduled Job Log", {"scheduled_job_type": job.name}, "status", order_by="creation desc"
	)


REMINDER_JOB = "sales_funnel.tasks.remind_calls_without_outcome"
DIGEST_JOB = "sales_funnel.tasks.send_outcome_digest"
SEAL_JOB = "sales_funnel.tasks.seal_call_days"


def todos(call_name: str, status: str | None = None) -> list[dict]:
	filters = {"reference_type": "Call Log", "reference_name": call_name}
	if status:
		filters["status"] = status
	return frappe.get_all("ToDo", filters=filters, fields=["name", "allocated_to", "status", "date"])


def links(call_name: str) -> list[tuple[str, str]]:
	return [
		(row.link_doctype, row.link_name)
		for row in frappe.get_all(
			"Dynamic Link",
			filters={"parenttype": "Call Log", "parent": call_name},
			fields=["link_doctype", "link_name"],
			order_by="idx asc",
		)
	]
