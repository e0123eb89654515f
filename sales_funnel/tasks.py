# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The scheduler entries (hooks.py `scheduler_events`), each named by what it does; the work is in `services/` and
the engine. Frappe's scheduler runs each through its Scheduled Job Type, which commits when the entry returns (or
rolls back and logs the failure); the entries that commit more often say so.

Frappe's `sync_jobs` (install and every migrate) makes a Scheduled Job Type for every entry listed in hooks.py and
deletes those of entries no longer listed, so renaming an entry here and in hooks.py leaves no stale job behind.
"""

from __future__ import annotations

import frappe
from frappe.utils import now_datetime

from sales_funnel.engine.calls.rollup import seal_days
from sales_funnel.services import call_reminders, lead_routing, pending_moves, reassignment


def remind_calls_without_outcome() -> None:
	"""Hourly (long queue): a ToDo for the employee of every call past its grace period without an outcome; each
	reminder is committed on its own."""
	call_reminders.remind_calls_without_outcome()


def send_outcome_digest() -> None:
	"""Daily: the Sales Managers' digest of the last day's calls left without an outcome."""
	call_reminders.send_outcome_digest()


def seal_call_days() -> None:
	"""Hourly (long queue): count the past days' calls once, so the Call Outcomes report reads them from the rollup;
	each day is committed on its own, and a day changed meanwhile stays unsealed for the next run."""
	seal_days(frappe.db, now_datetime(), commit=frappe.db.commit)


def reassign_stale_deals() -> None:
	"""Hourly (long queue): reassign deals stuck past their stage limit, with overdue tasks or idle (Reassignment
	Rules); each deal is committed on its own."""
	reassignment.reassign_stale_deals()


def refresh_manager_tiers() -> None:
	"""Daily (long queue): recompute the managers' conversion ranking and tiers that route new Leads."""
	lead_routing.refresh_manager_tiers()


def apply_pending_stage_moves() -> None:
	"""Hourly (long queue): make again the document-driven stage moves that failed twice (Pending Stage Move)."""
	pending_moves.apply_pending_moves()
