# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The Frappe side of call outcomes (thin): check permissions, ask the engine for the plan
(`sales_funnel.engine.calls.outcome.plan_outcome_effect`) and apply it with Frappe's document API inside the request's
transaction, so hooks, versions and notifications fire and a user error (frappe.throw) rolls everything back.

Permissions, all checked before anything is written: the call's employee or a Sales / System Manager may set a
call's outcome (`check_call_permission`); what the outcome then does is the user's own act, so it needs what
the user would need to do it by hand (`check_plan_permissions`): create on Lead for a new Lead, create on
Opportunity for a new deal, write on the deal it moves. Only then are the documents written with
`ignore_permissions` (the Call Log itself, and its ToDos, which ERPNext gives to few roles).

The Call Log row is locked first (`for_update`), so two requests setting an outcome on the same call run one
after the other and the second one sees what the first created (the plan is idempotent).

A new Lead comes first: ERPNext makes the Lead's Contact, and the Contact's `after_insert`
(erpnext.telephony…call_log.link_existing_conversations) links every call from the Lead's number to it, saves
those Call Logs (this one included) and commits. The call is then read again, locked, before it is changed, so
the app's save neither overwrites ERPNext's link nor fails on the changed timestamp.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import frappe
from frappe import _
from frappe.desk.form import assign_to
from frappe.share import add_docshare
from frappe.utils import convert_utc_to_system_timezone, escape_html, now_datetime

from sales_funnel.engine.calls.outcome import (
	CallRecord,
	OutcomePlan,
	load_call,
	load_outcome,
	plan_outcome_effect,
)
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.engine.names import CALL_LOG_DOCTYPE as CALL_LOG
from sales_funnel.permissions import is_funnel_manager
from sales_funnel.utils import throw_invalid, translate

if TYPE_CHECKING:
	from frappe.model.document import Document

LOG_CALL_DOCTYPES = ("Lead", "Opportunity", "Customer")
CALL_TYPES = ("Incoming", "Outgoing")
MAX_CALL_MINUTES = 24 * 60  # a call logged by hand lasts at most a day


def parse_follow_up(value: str | date | datetime | None) -> date | datetime | None:
	"""A date ("2026-03-20") means that day; a datetime is kept; anything else is a user error."""
	if value in (None, ""):
		return None
	if isinstance(value, date):  # a datetime too
		return value
	text = str(value).strip()
	try:
		parsed = date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
	except ValueError:
		frappe.throw(
			_("Follow Up On {0} is not a date or a time.").format(frappe.bold(escape_html(text))),
			title=_("Call Outcome"),
		)
	if (
		isinstance(parsed, datetime) and parsed.tzinfo is not None
	):  # the system's time zone, as Frappe keeps it
		parsed = convert_utc_to_system_timezone(parsed).replace(tzinfo=None)
	return parsed


def parse_duration(value: Any) -> int:
	"""Minutes (a number from 0 to a day) as whole seconds; anything else is a user error."""
	if value in (None, ""):
		return 0
	try:
		minutes = float(value)
	except (TypeError, ValueError):
		minutes = math.nan
	if not (0 <= minutes <= MAX_CALL_MINUTES):  # NaN compares false
		frappe.throw(
			_("Duration {0} is not a number of minutes from 0 to {1}.").format(
				frappe.bold(escape_html(str(value))), MAX_CALL_MINUTES
			),
			title=_("Log a Call"),
		)
	return round(minutes * 60)


def check_call_permission(call: Document, user: str | None = None) -> None:
	"""The call's employee or a Sales Manager / System Manager may set its outcome."""
	user = user or frappe.session.user
	if call.get("employee_user_id") == user or is_funnel_manager(user):
		return
	frappe.throw(
		_("Only the employee who took call {0} or a Sales Manager may set its outcome.").format(call.name),
		frappe.PermissionError,
		title=_("Not Permitted"),
	)


def check_plan_permissions(plan: OutcomePlan, user: str | None = None) -> None:
	"""What the outcome creates or moves, the user must be allowed to create or change (before any write)."""
	user = user or frappe.session.user
	refusals = []
	if plan.create_lead and not frappe.has_permission("Lead", "create", user=user):
		refusals.append(_("create a Lead"))
	deal = plan.opportunity
	if deal and deal.action == "create" and not frappe.has_permission("Opportunity", "create", user=user):
		refusals.append(_("create an Opportunity"))
	if (
		deal
		and deal.action == "move"
		and not frappe.has_permission("Opportunity", "write", doc=deal.name, user=user)
	):
		refusals.append(_("change Opportunity {0}").format(deal.name))
	if refusals:
		frappe.throw(
			_("Outcome {0} would {1}, which you are not permitted to do.").format(
				frappe.bold(plan.outcome), ", ".join(refusals)
			),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def set_outcome(
	call_log: str, outcome: str, note: str | None = None, follow_up_on: str | date | datetime | None = None
) -> dict[str, Any]:
	if not call_log or not frappe.db.exists(CALL_LOG, call_log):
		frappe.throw(_("There is no Call Log {0}.").format(call_log), frappe.DoesNotExistError)
	doc = frappe.get_doc(CALL_LOG, call_log, for_update=True)
	check_call_permission(doc)
	plan = _plan(load_call(frappe.db, doc.name), outcome, note, follow_up_on, title=_("Call Outcome"))
	check_plan_permissions(plan)
	return apply_plan(doc, plan)


def _plan(call: CallRecord, outcome: str, note: str | None, follow_up_on: Any, *, title: str) -> OutcomePlan:
	try:
		return plan_outcome_effect(
			frappe.db,
			call,
			outcome,
			now_datetime(),
			user=frappe.session.user,
			note=note,
			follow_up_on=parse_follow_up(follow_up_on),
		)
	except InvalidInput as error:
		throw_invalid(error, title=title)


def apply_plan(doc: Document, plan: OutcomePlan) -> dict[str, Any]:
	"""Carry out the plan on the locked Call Log `doc` (permissions already checked); return what was done."""
	done: dict[str, Any] = {"call_log": doc.name, "outcome": plan.outcome, "changed": not plan.is_noop}
	if plan.is_noop:
		return done
	lead = None
	if plan.create_lead:
		lead = _create_lead(doc, plan.lead_phone)
		doc = frappe.get_doc(CALL_LOG, doc.name, for_update=True)  # as ERPNext's Contact hook left it
		doc.append("links", {"link_doctype": "Lead", "link_name": lead.name})
		done["lead"] = lead.name
	for todo in plan.close_todos:
		assign_to.set_status(CALL_LOG, doc.name, todo=todo, status="Closed", ignore_permissions=True)
	if plan.opportunity:
		deal = plan.opportunity
		if deal.action == "move":
			opportunity = frappe.get_doc("Opportunity", deal.name)
			opportunity.sales_stage = deal.stage
			opportunity.save(ignore_permissions=True)
			done["moved_opportunity"] = opportunity.name
		else:
			party_from, party = deal.opportunity_from, deal.party_name or (lead.name if lead else None)
			opportunity = frappe.get_doc(
				{
					"doctype": "Opportunity",
					"opportunity_from": party_from,
					"party_name": party,
					"company": _company_of(doc.get("employee_user_id")),
					"opportunity_owner": doc.get("employee_user_id") or frappe.session.user,
					"sf_sales_funnel": deal.funnel,
					"sales_stage": deal.stage,
				}
			).insert(ignore_permissions=True)
			doc.append("links", {"link_doctype": "Opportunity", "link_name": opportunity.name})
			done["opportunity"] = opportunity.name
	doc.update(plan.set_fields)
	doc.flags.ignore_permissions = True
	doc.save()
	if plan.change_note:
		doc.add_comment("Info", translate(plan.change_note))
	if plan.todo:
		_assign(doc, plan.todo.allocated_to, translate(plan.todo.description), date=str(plan.todo.date))
		done["todo_date"] = str(plan.todo.date)
	return done


def _assign(doc: Document, user: str, description: str, **values: Any) -> None:
	"""A ToDo on the call for `user`, who is also given read on the call when their roles do not give it (ERPNext
	gives Call Log to System Manager and Employee only): the app has decided the assignment, so neither the
	session user's Call Log permissions nor their right to share it are asked for."""
	if not frappe.has_permission(CALL_LOG, "read", doc=doc.name, user=user):
		add_docshare(CALL_LOG, doc.name, user, read=1, flags={"ignore_share_permission": True})
	assign_to.add(
		{"assign_to": [user], "doctype": CALL_LOG, "name": doc.name, "description": description, **values},
		ignore_permissions=True,
	)


def _create_lead(call: Document, phone: str | None) -> Document:
	return frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": _("Caller {0}").format(phone or call.name),
			"mobile_no": phone,
			"lead_owner": call.get("employee_user_id") or frappe.session.user,
		}
	).insert(ignore_permissions=True)


def _company_of(user: str | None) -> str | None:
	company = (
		frappe.db.get_value("Employee", {"user_id": user, "status": "Active"}, "company") if user else None
	)
	return (
		company
		or frappe.defaults.get_user_default("Company")
		or frappe.db.get_single_value("Global Defaults", "default_company")
	)


def log_call(
	reference_doctype: str,
	reference_name: str,
	outcome: str,
	note: str | None = None,
	follow_up_on: str | date | datetime | None = None,
	call_type: str = "Outgoing",
	duration_minutes: int | float | str | None = None,
	phone: str | None = None,
) -> dict[str, Any]:
	"""A call made outside telephony: a Call Log with a generated id, linked to the document (and to the
	Opportunity's party), taken by the current user, with its outcome set in the same transaction.

	Everything is checked before the Call Log is written: the document, read on it, the outcome, the other
	input, and the permissions the outcome's effect needs (planned on the call as it will be inserted). The
	call's own plan is checked again once inserted (ERPNext links it to the Lead or Contact of its number); a
	refusal then rolls back to before the insert."""
	reference = _reference(reference_doctype, reference_name, call_type)
	seconds = parse_duration(duration_minutes)
	number = phone or _phone_of(reference) or ""
	links = [{"link_doctype": reference_doctype, "link_name": reference_name}]
	if reference_doctype == "Opportunity" and reference.get("party_name"):
		links.append({"link_doctype": reference.opportunity_from, "link_name": reference.party_name})
	customer = reference_name if reference_doctype == "Customer" else None
	planned = _planned_call(call_type, number, customer, links)
	check_plan_permissions(_plan(planned, outcome, note, follow_up_on, title=_("Log a Call")))
	doc = _new_call_log(call_type, number, seconds, customer, links)
	frappe.db.savepoint("sf_log_call")
	try:
		doc.insert(ignore_permissions=True)
		result = set_outcome(doc.name, outcome, note=note, follow_up_on=follow_up_on)
	except Exception:
		_rollback_to("sf_log_call")
		raise
	result["logged"] = True
	return result


def _planned_call(call_type: str, number: str, customer: str | None, links: list[dict]) -> CallRecord:
	"""The call `log_call` will insert, as the engine plans an outcome on it (before it exists)."""
	return CallRecord(
		name="new call",  # planned before it exists: the name is never shown
		employee=frappe.session.user,
		status="Completed",
		call_type=call_type,
		phone=number or None,
		customer=customer,
		outcome=None,
		note=None,
		follow_up_on=None,
		links=tuple((link["link_doctype"], link["link_name"]) for link in links),
		open_todos=(),
	)


def _new_call_log(
	call_type: str, number: str, seconds: int, customer: str | None, links: list[dict]
) -> Document:
	"""A completed call taken by the session user that ended now, with a generated id (not inserted)."""
	user = frappe.session.user
	end = now_datetime()
	return frappe.get_doc(
		{
			"doctype": CALL_LOG,
			"id": f"SF-{frappe.generate_hash(length=12)}",
			"type": call_type,
			"status": "Completed",
			"from": number if call_type == "Incoming" else "",
			"to": number if call_type == "Outgoing" else "",
			"medium": "",
			"start_time": frappe.utils.add_to_date(end, seconds=-seconds),
			"end_time": end,
			"duration": seconds,
			"employee_user_id": user,
			"call_received_by": frappe.db.get_value("Employee", {"user_id": user}, "name"),
			"customer": customer,
			"links": links,
		}
	)


def _reference(doctype: str, name: str, call_type: str) -> Document:
	"""The document a call is logged on, once the input is known good and the user may read it."""
	if doctype not in LOG_CALL_DOCTYPES:
		frappe.throw(
			_("Calls can be logged on {0} only.").format(", ".join(_(d) for d in LOG_CALL_DOCTYPES)),
			title=_("Log a Call"),
		)
	if call_type not in CALL_TYPES:
		frappe.throw(
			_("Unknown call type {0}: use Incoming or Outgoing.").format(escape_html(str(call_type))),
			title=_("Log a Call"),
		)
	if not name or not frappe.db.exists(doctype, name):
		frappe.throw(
			_("There is no {0} {1}.").format(_(doctype), escape_html(str(name))), frappe.DoesNotExistError
		)
	frappe.has_permission(doctype, "read", doc=name, throw=True)
	return frappe.get_doc(doctype, name)


def _rollback_to(savepoint: str) -> None:
	"""Undo what a failed log_call wrote; a commit in between (ERPNext's Contact hook) has removed the
	savepoint, and then what was committed stays."""
	try:
		frappe.db.rollback(save_point=savepoint)
	except Exception:
		frappe.log_error(title=_("Log a Call could not undo the call it inserted"))


def _phone_of(doc: Document) -> str | None:
	for field in ("mobile_no", "phone", "contact_mobile", "contact_phone"):
		if doc.get(field):
			return doc.get(field)
	return None


__all__ = ["apply_plan", "check_call_permission", "check_plan_permissions", "log_call", "set_outcome"]
