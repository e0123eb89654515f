# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The Frappe side of call outcomes (thin): check permissions, ask the engine for the plan
(`sales_funnel.engine.calls.plan_outcome_effect`) and apply it with Frappe's document API inside the request's
transaction, so hooks, versions and notifications fire and a user error (frappe.throw) rolls everything back.

The Call Log row is locked first (`for_update`), so two requests setting an outcome on the same call run one
after the other and the second one sees what the first created (the plan is idempotent).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import frappe
from frappe import _
from frappe.desk.form import assign_to
from frappe.utils import cint, get_datetime, getdate, now_datetime

from sales_funnel.engine.calls import CALL_LOG, OutcomePlan, load_call, load_outcome, plan_outcome_effect
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.permissions import is_funnel_manager
from sales_funnel.recording import throw_invalid, translate

if TYPE_CHECKING:
	from frappe.model.document import Document

LOG_CALL_DOCTYPES = ("Lead", "Opportunity", "Customer")
CALL_TYPES = ("Incoming", "Outgoing")


def parse_follow_up(value: str | date | datetime | None) -> date | datetime | None:
	"""A date ("2026-03-20") means that day; a datetime is kept."""
	if value in (None, ""):
		return None
	if isinstance(value, datetime):
		return value
	if isinstance(value, date):
		return value
	text = str(value).strip()
	return getdate(text) if len(text) <= 10 else get_datetime(text)


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


def set_outcome(
	call_log: str, outcome: str, note: str | None = None, follow_up_on: str | date | datetime | None = None
) -> dict[str, Any]:
	if not frappe.db.exists(CALL_LOG, call_log):
		frappe.throw(_("There is no Call Log {0}.").format(call_log), frappe.DoesNotExistError)
	doc = frappe.get_doc(CALL_LOG, call_log, for_update=True)
	check_call_permission(doc)
	try:
		plan = plan_outcome_effect(
			frappe.db,
			load_call(frappe.db, doc.name),
			outcome,
			now_datetime(),
			user=frappe.session.user,
			note=note,
			follow_up_on=parse_follow_up(follow_up_on),
		)
	except InvalidInput as error:
		throw_invalid(error, title=_("Call Outcome"))
	return apply_plan(doc, plan)


def apply_plan(doc: Document, plan: OutcomePlan) -> dict[str, Any]:
	"""Carry out the plan on the locked Call Log `doc`; return what was done."""
	done: dict[str, Any] = {"call_log": doc.name, "outcome": plan.outcome, "changed": not plan.is_noop}
	if plan.is_noop:
		return done
	for todo in plan.close_todos:
		assign_to.set_status(CALL_LOG, doc.name, todo=todo, status="Closed")
	lead = None
	if plan.create_lead:
		lead = _create_lead(doc, plan.lead_phone)
		doc.append("links", {"link_doctype": "Lead", "link_name": lead.name})
		done["lead"] = lead.name
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
		assign_to.add(
			{
				"assign_to": [plan.todo.allocated_to],
				"doctype": CALL_LOG,
				"name": doc.name,
				"description": translate(plan.todo.description),
				"date": str(plan.todo.date),
			}
		)
		done["todo_date"] = str(plan.todo.date)
	return done


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
	duration_minutes: int | float | None = None,
	phone: str | None = None,
) -> dict[str, Any]:
	"""A call made outside telephony: a Call Log with a generated id, linked to the document (and to the
	Opportunity's party), taken by the current user, with its outcome set in the same transaction."""
	if reference_doctype not in LOG_CALL_DOCTYPES:
		frappe.throw(
			_("Calls can be logged on {0} only.").format(", ".join(_(d) for d in LOG_CALL_DOCTYPES)),
			title=_("Log a Call"),
		)
	if call_type not in CALL_TYPES:
		frappe.throw(
			_("Unknown call type {0}: use Incoming or Outgoing.").format(call_type), title=_("Log a Call")
		)
	frappe.has_permission(reference_doctype, "read", doc=reference_name, throw=True)
	try:  # fail before anything is written
		load_outcome(frappe.db, outcome)
	except InvalidInput as error:
		throw_invalid(error, title=_("Log a Call"))
	reference = frappe.get_doc(reference_doctype, reference_name)
	user = frappe.session.user
	number = phone or _phone_of(reference) or ""
	seconds = max(cint(float(duration_minutes or 0) * 60), 0)
	end = now_datetime()
	start = frappe.utils.add_to_date(end, seconds=-seconds)
	links = [{"link_doctype": reference_doctype, "link_name": reference_name}]
	if reference_doctype == "Opportunity" and reference.get("party_name"):
		links.append({"link_doctype": reference.opportunity_from, "link_name": reference.party_name})
	call_id = f"SF-{frappe.generate_hash(length=12)}"
	doc = frappe.get_doc(
		{
			"doctype": CALL_LOG,
			"id": call_id,
			"type": call_type,
			"status": "Completed",
			"from": number if call_type == "Incoming" else "",
			"to": number if call_type == "Outgoing" else "",
			"medium": "",
			"start_time": start,
			"end_time": end,
			"duration": seconds,
			"employee_user_id": user,
			"call_received_by": frappe.db.get_value("Employee", {"user_id": user}, "name"),
			"customer": reference_name if reference_doctype == "Customer" else None,
			"links": links,
		}
	)
	doc.insert(ignore_permissions=True)
	result = set_outcome(doc.name, outcome, note=note, follow_up_on=follow_up_on)
	result["logged"] = True
	return result


def _phone_of(doc: Document) -> str | None:
	for field in ("mobile_no", "phone", "contact_mobile", "contact_phone"):
		if doc.get(field):
			return doc.get(field)
	return None
