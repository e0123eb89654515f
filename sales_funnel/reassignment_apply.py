# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The Frappe side of scheduled reassignment (thin): the engine plans (`sales_funnel.engine.reassignment`), this
module applies the plan with Frappe's document API, deal by deal.

Why not Frappe's own Assignment Rule: it runs when a document is saved and evaluates a condition on that
document; it has no time-based trigger (days in stage, overdue ToDo, no activity), no cooldown, no "never back to
the previous owner" and no ranking by conversion. Its ideas are reused: round robin continues after the last
user it gave a document to, load balancing counts open work, and a reassignment removes the old ToDo
(`assign_to.remove`) and adds the new one (`assign_to.add`) so Desk, notifications and `_assign` stay right.

- `reassign_stale_deals` (hourly): under a file lock (`frappe.utils.synchronization.filelock`), so two runs never
  overlap; each planned deal is applied and committed on its own; a deal whose `modified` changed since planning
  is skipped, not overwritten; a failing deal is rolled back, logged in the Error Log and the run goes on.
- `refresh_manager_tiers` (daily): the managers' conversion ranking per lead-routing rule, cached for
  `route_new_lead` (Lead after_insert).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification
from frappe.desk.form import assign_to
from frappe.utils import get_datetime, get_fullname, now_datetime
from frappe.utils.file_lock import LockTimeoutError
from frappe.utils.synchronization import filelock

from sales_funnel.engine.reassignment import (
	PlanItem,
	manager_ranking,
	open_deal_load,
	plan_reassignments,
	route_lead,
)
from sales_funnel.engine.reassignment_rules import load_rules
from sales_funnel.permissions import is_funnel_manager
from sales_funnel.recording import translate

if TYPE_CHECKING:
	from frappe.model.document import Document

DEAL = "Opportunity"
LOG = "Reassignment Log"
RULE = "Reassignment Rule"
LOCK = "sales_funnel_reassignment"
LOCK_WAIT_SECONDS = 5
# a skipped or dry-run decision is logged once a day per deal and rule, not every hour
REPEAT_LOG_HOURS = 24
TIERS_CACHE_KEY = "sales_funnel:manager_tiers"
TIERS_CACHE_SECONDS = 2 * 86_400


def reassign_stale_deals() -> None:
	"""Hourly: plan with the engine and apply the plan; a run still going holds the lock and this one stops."""
	try:
		with filelock(LOCK, timeout=LOCK_WAIT_SECONDS):
			run(now_datetime())
	except LockTimeoutError:
		return


def run(now: datetime) -> dict[str, int]:
	plan = plan_reassignments(frappe.db, now)
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
	enqueue_create_notification(
		sorted(recipients),
		{
			"type": "Alert",
			"document_type": DEAL,
			"document_name": item.deal,
			"subject": _("Deal {0} was reassigned from {1} to {2}").format(
				item.deal, get_fullname(old_owner) if old_owner else _("nobody"), get_fullname(item.to_user)
			),
			"email_content": reason_text(item),
			"from_user": "Administrator",
		},
	)


# Lead routing
# ------------


def refresh_manager_tiers() -> None:
	"""Daily: rank the pool of every enabled lead-routing rule and cache the tiers."""
	now = now_datetime()
	tiers: dict[str, dict[str, str]] = {}
	for rule in load_rules(frappe.db):
		if rule.route_new_leads:
			ranking = manager_ranking(frappe.db, rule, now)
			tiers[rule.name] = dict(zip(ranking["user"], ranking["tier"], strict=True))
	frappe.cache.set_value(TIERS_CACHE_KEY, tiers, expires_in_sec=TIERS_CACHE_SECONDS)


def cached_tiers() -> dict[str, dict[str, str]]:
	tiers = frappe.cache.get_value(TIERS_CACHE_KEY)
	if tiers is None:
		refresh_manager_tiers()
		tiers = frappe.cache.get_value(TIERS_CACHE_KEY) or {}
	return tiers


def route_new_lead(doc: Document) -> None:
	"""Give a new Lead with a temperature to a manager of the matching tier of the first routing rule."""
	rules = [r for r in load_rules(frappe.db) if r.route_new_leads]
	if not rules:
		return
	rule = rules[0]
	tiers = cached_tiers().get(rule.name) or {}
	user, why = route_lead(tiers, open_deal_load(frappe.db), doc.get("sf_temperature"))
	if not user:
		return
	doc.db_set("lead_owner", user)
	assign_to.add(
		{
			"assign_to": [user],
			"doctype": doc.doctype,
			"name": doc.name,
			"description": translate(why),
			"assigned_by": "Administrator",
		},
		ignore_permissions=True,
	)


# Permissions: a Sales User sees the log rows of deals taken from or given to them; a manager sees all
# ------------------------------------------------------------------------------------------------------


def log_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if is_funnel_manager(user):
		return ""
	name = frappe.db.escape(user)
	return f"(`tabReassignment Log`.from_user = {name} OR `tabReassignment Log`.to_user = {name})"


def log_has_permission(
	doc: Document, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool:
	user = user or frappe.session.user
	return is_funnel_manager(user) or user in (doc.get("from_user"), doc.get("to_user"))
