# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The Frappe side of scheduled reassignment (thin): the engine plans (`sales_funnel.engine.reassignment`), this
module applies the plan with Frappe's document API, deal by deal. New Leads are routed by `services.lead_routing`.

Why not Frappe's own Assignment Rule: it runs when a document is saved and evaluates a condition on that
document; it has no time-based trigger (days in stage, overdue ToDo, no activity), no cooldown, no "never back to
the previous owner" and no ranking by conversion. Its ideas are reused: round robin continues after the last
user it gave a document to, load balancing counts open work, and a reassignment removes the old ToDo
(`assign_to.remove`) and adds the new one (`assign_to.add`) so Desk, notifications and `_assign` stay right.

- `reassign_stale_deals` (hourly, on the long queue): under a database-wide lock (MariaDB `GET_LOCK`, named after
  the site's database), so two runs never overlap, not even from two bench hosts sharing the database (a file
  lock would hold on one host only); a run that finds the lock taken stops at once and says so in the scheduler
  log. Each planned deal is applied and committed on its own; a deal whose `modified` changed since planning is
  skipped, not overwritten; a failing deal is rolled back, logged in the Error Log and as a Failed Reassignment
  Log, and the run goes on. The managers' notifications are queued when the deal's transaction commits
  (`frappe.db.after_commit`), so a rolled-back move notifies nobody.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification
from frappe.desk.form import assign_to
from frappe.utils import get_datetime, get_fullname, now_datetime

from sales_funnel.engine.reassignment.model import MAX_MOVES_PER_HOUR, PlanItem
from sales_funnel.engine.reassignment.plan import plan_reassignments
from sales_funnel.utils import translate

DEAL = "Opportunity"
LOG = "Reassignment Log"
RULE = "Reassignment Rule"
LOCK = "sales_funnel_reassignment"
# MariaDB lock names are server-wide (every database on the server shares them) and at most 64 characters
MAX_LOCK_NAME = 64
# a skipped or dry-run decision is logged once a day per deal and rule, not every hour
REPEAT_LOG_HOURS = 24


def reassign_stale_deals() -> None:
	"""Hourly: plan with the engine and apply the plan; a run still going (on this host or another one using the
	same database) holds the lock, and this one stops."""
	name = lock_name()
	if not acquire_lock(name):
		frappe.logger("scheduler").error(
			f"Skipped sales_funnel reassignment for {frappe.local.site}: another run holds the lock {name}"
		)
		return
	try:
		run(now_datetime())
	finally:
		release_lock(name)


def lock_name() -> str:
	"""The job's lock, one per site database (lock names are shared by every database of the server)."""
	name = f"{LOCK}:{frappe.conf.db_name}"
	if len(name) > MAX_LOCK_NAME:
		name = f"{LOCK}:{hashlib.sha1(frappe.conf.db_name.encode()).hexdigest()}"
	return name


def acquire_lock(name: str) -> bool:
	"""Take the lock now or not at all: held by this connection until released or the connection ends, whatever
	the transactions in between do."""
	return frappe.db.sql("SELECT GET_LOCK(%s, 0)", (name,))[0][0] == 1


def release_lock(name: str) -> None:
	frappe.db.sql("SELECT RELEASE_LOCK(%s)", (name,))


def run(now: datetime) -> dict[str, int]:
	plan = plan_reassignments(frappe.db, now, max_moves_per_hour=MAX_MOVES_PER_HOUR)
	counts = {"Applied": 0, "Skipped": 0, "Dry Run": 0, "Failed": 0}
	for item in plan.moves:
		try:
			status = apply_item(item, now)
			frappe.db.commit()  # each deal stands on its own
		except Exception:
			frappe.db.rollback()
			frappe.log_error(
				title=_("Reassignment of {0} failed").format(item.deal),
				reference_doctype=DEAL,
				reference_name=item.deal,
			)
			write_log(item, now, "Failed", error=frappe.get_traceback()[-2000:])
			frappe.db.commit()
			status = "Failed"
		counts[status] = counts.get(status, 0) + 1
	for item in plan.skipped:
		if item.skip_kind == "no_manager" and not logged_recently(item, now, "Skipped"):
			write_log(item, now, "Skipped")
			counts["Skipped"] += 1
	frappe.db.commit()
	return counts


def apply_item(item: PlanItem, now: datetime) -> str:
	"""Apply one planned move; returns the Reassignment Log status written."""
	doc = frappe.get_doc(DEAL, item.deal)
	if item.modified and get_datetime(doc.modified) != get_datetime(item.modified):
		write_log(
			item,
			now,
			"Skipped",
			error=_("The deal was changed after the plan was made; it was left as it is."),
		)
		return "Skipped"
	if item.dry_run:
		if not logged_recently(item, now, "Dry Run"):
			write_log(item, now, "Dry Run")
		return "Dry Run"
	old_owner = doc.opportunity_owner
	doc.opportunity_owner = item.to_user
	doc.flags.sf_reassigned_by_rule = item.rule
	doc.save(ignore_permissions=True)
	if old_owner and old_owner in assigned_users(item.deal):
		assign_to.remove(DEAL, item.deal, old_owner, ignore_permissions=True)
	if item.to_user not in assigned_users(item.deal):
		assign_to.add(
			{
				"assign_to": [item.to_user],
				"doctype": DEAL,
				"name": item.deal,
				"description": reason_text(item),
				"assigned_by": "Administrator",
			},
			ignore_permissions=True,
		)
	doc.add_comment(
		"Info",
		_("Reassigned from {0} to {1} by rule {2}: {3}").format(
			get_fullname(old_owner) if old_owner else _("nobody"),
			get_fullname(item.to_user),
			item.rule,
			reason_text(item),
		),
	)
	write_log(item, now, "Applied")
	notify(item, old_owner)
	return "Applied"


def assigned_users(deal: str) -> list[str]:
	return frappe.get_all(
		"ToDo",
		filters={"reference_type": DEAL, "reference_name": deal, "status": "Open"},
		pluck="allocated_to",
	)


def reason_text(item: PlanItem) -> str:
	return f"{translate(item.why)} {translate(item.decision)}"


def write_log(item: PlanItem, now: datetime, status: str, error: str | None = None) -> None:
	frappe.get_doc(
		{
			"doctype": LOG,
			"deal": item.deal,
			"rule": item.rule,
			"status": status,
			"at": now,
			"from_user": item.from_user,
			"to_user": item.to_user if status in ("Applied", "Dry Run") else None,
			"trigger": item.trigger,
			"reason": reason_text(item),
			"error": error,
		}
	).insert(ignore_permissions=True)


def logged_recently(item: PlanItem, now: datetime, status: str) -> bool:
	return bool(
		frappe.db.exists(
			LOG,
			{
				"deal": item.deal,
				"rule": item.rule,
				"status": status,
				"at": (">", now - timedelta(hours=REPEAT_LOG_HOURS)),
			},
		)
	)


def notify(item: PlanItem, old_owner: str | None) -> None:
	rule = frappe.get_cached_doc(RULE, item.rule)
	recipients = set()
	if rule.notify_old_owner and old_owner:
		recipients.add(old_owner)
	if rule.notify_new_owner and item.to_user:
		recipients.add(item.to_user)
	if rule.notify_sales_manager and rule.sales_manager:
		recipients.add(rule.sales_manager)
	if not recipients:
		return
	notification = {
		"type": "Alert",
		"document_type": DEAL,
		"document_name": item.deal,
		"subject": _("Deal {0} was reassigned from {1} to {2}").format(
			item.deal, get_fullname(old_owner) if old_owner else _("nobody"), get_fullname(item.to_user)
		),
		"email_content": reason_text(item),
		"from_user": "Administrator",
	}
	# queued when the move commits; a rollback (a later step of the deal failed) drops it with the move
	frappe.db.after_commit.add(lambda: enqueue_create_notification(sorted(recipients), notification))
