# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""The Frappe-side recorder of deal stage history.

The engine (`sales_funnel.engine.funnels.history`) decides which `Funnel Stage Transition` row a move records; this
module reads the Opportunity into a `DealSnapshot`, asks the engine, and writes the row inside the current
request's transaction (no commit): the deal's previous latest row loses `is_latest`, the new row is inserted,
and `Opportunity.sf_stage_entered_at` is set.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from sales_funnel.engine.funnels.deal_rules import (
	deal_amount,
	largest_item_group,
	move_time,
	stage_probability,
)
from sales_funnel.engine.funnels.history import DealSnapshot, Transition, latest_transition, plan_transition
from sales_funnel.engine.funnels.stages import Funnel
from sales_funnel.engine.i18n import InvalidInput
from sales_funnel.services.funnels import get_funnel
from sales_funnel.utils import throw_invalid

if TYPE_CHECKING:
	from frappe.model.document import Document

TRANSITION_DOCTYPE = "Funnel Stage Transition"
NEW_CUSTOMER_SOURCES = ("Lead", "Prospect")


# The deal as the engine sees it
# ------------------------------


def customer_kind(doc: Document) -> str:
	"""New for a deal from a Lead or Prospect, Existing for one from a Customer."""
	return "New" if doc.get("opportunity_from") in NEW_CUSTOMER_SOURCES else "Existing"


def channel(doc: Document) -> str | None:
	"""Opportunity.source (Link Lead Source, ERPNext v15); `utm_source` where a version has that instead."""
	return doc.get("source") or doc.get("utm_source") or None


def deal_owner(doc: Document) -> str | None:
	return doc.get("opportunity_owner") or doc.get("owner") or None


def department_of(user: str | None) -> str | None:
	"""The Sales Person group of the user's Sales Person (Sales Person.employee -> Employee.user_id)."""
	if not user:
		return None
	employee = frappe.db.get_value("Employee", {"user_id": user}, "name")
	if not employee:
		return None
	return frappe.db.get_value("Sales Person", {"employee": employee}, "parent_sales_person") or None


def lost_reason_of(doc: Document) -> str | None:
	"""The first Opportunity Lost Reason of the deal; else `order_lost_reason` when it names one."""
	for row in doc.get("lost_reasons") or []:
		if row.get("lost_reason"):
			return row.get("lost_reason")
	detailed = (doc.get("order_lost_reason") or "").strip()
	if detailed and frappe.db.exists("Opportunity Lost Reason", detailed):
		return detailed
	return None


def deal_snapshot(doc: Document, *, with_slices: bool = True) -> DealSnapshot:
	"""The Opportunity as it is now. The slices (department, channel, …) only matter on the row with which
	the deal enters a funnel; later rows carry the entry row's, so `with_slices=False` skips their reads."""
	snapshot = DealSnapshot(
		doctype=doc.doctype,
		name=doc.name,
		company=doc.get("company"),
		owner=deal_owner(doc),
		amount=deal_amount(doc),
	)
	if not with_slices:
		return snapshot
	return replace(
		snapshot,
		department=department_of(snapshot.owner),
		territory=doc.get("territory") or None,
		customer_group=doc.get("customer_group") or None,
		channel=channel(doc),
		item_group=largest_item_group(doc.get("items") or []),
		customer_kind=customer_kind(doc),
		temperature=doc.get("sf_temperature") or None,
	)


# Recording
# ---------


def record_move(
	opportunity_doc: Document,
	to_stage: str,
	*,
	by_user: str | None = None,
	at: datetime | None = None,
	lost_reason: str | None = None,
	recorded_via: str = "Manual",
	reference: tuple[str, str] | None = None,
	funnel: Funnel | None = None,
) -> Transition | None:
	"""Record the deal's move to `to_stage` of its funnel; return the row written, or None when the move
	changes nothing (or the deal is in no funnel). Runs in the caller's transaction."""
	doc = opportunity_doc
	funnel_name = doc.get("sf_sales_funnel")
	if not funnel_name:
		return None
	funnel = funnel if funnel is not None and funnel.name == funnel_name else get_funnel(funnel_name)
	previous = latest_transition(frappe.db, doc.doctype, doc.name, for_update=True)
	if at is None:
		at = move_time(now_datetime(), previous)  # never before the last recorded move
	if lost_reason is None and funnel.kind(to_stage) == "Lost":
		lost_reason = lost_reason_of(doc)
	entering = previous is None or previous.funnel != funnel.name
	try:
		row = plan_transition(
			funnel,
			previous,
			deal_snapshot(doc, with_slices=entering),
			to_stage,
			at,
			by_user or frappe.session.user,
			lost_reason=lost_reason,
			recorded_via=recorded_via,
			reference=tuple(reference) if reference else None,
		)
	except InvalidInput as error:
		throw_invalid(error, _("Cannot Record the Stage Move"))
	if row is None:
		return None
	frappe.db.set_value(
		TRANSITION_DOCTYPE,
		{"deal_doctype": row.deal_doctype, "deal": row.deal, "is_latest": 1},
		"is_latest",
		0,
		update_modified=False,
	)
	# A log row written by the system: link values are the deal's as they are now, so skip re-checking them
	frappe.get_doc({"doctype": TRANSITION_DOCTYPE, **row.as_dict()}).insert(
		ignore_permissions=True, ignore_links=True
	)
	doc.db_set("sf_stage_entered_at", row.transitioned_at, update_modified=False)
	# the stage's probability is the deal's; a save set it already (overrides.opportunity.validate), a move made
	# behind the Opportunity's hooks (a quotation declared lost, a reconciled status) gets it here
	probability = stage_probability(funnel, row.to_stage)
	if probability is not None and flt(doc.get("probability")) != probability:
		doc.db_set("probability", probability, update_modified=False)
	return row
