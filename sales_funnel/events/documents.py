# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Submitted documents move deals forward; cancelled ones step them back.

Frappe runs these doc_events after the document controller's own `on_submit` / `on_cancel`, so ERPNext has
already updated what they read: the Opportunity's status (Quotation.update_opportunity), and for a Payment
Entry the invoices' `outstanding_amount` (PaymentEntry.make_gl_entries -> Payment Ledger Entry ->
update_voucher_outstanding).

The chain back to the deal, as ERPNext v15 links it:
	Quotation      items[].prevdoc_docname (prevdoc_doctype "Opportunity") and Quotation.opportunity
	Sales Order    items[].prevdoc_docname -> Quotation
	Sales Invoice  items[].sales_order -> Sales Order
	Payment Entry  references[] with reference_doctype "Sales Invoice" -> Sales Invoice

A move is made by saving the Opportunity with a new `sales_stage` and `flags.sf_move`, so the Opportunity's
own `on_update` records it once, with the document as its source. Bookkeeping never blocks the document:
a deal without a funnel or a broken link is skipped, and a failed move is rolled back to a savepoint and
written to the Error Log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

import frappe
from frappe import _
from frappe.utils import flt

from sales_funnel.engine.deal_links import deals_of_invoices, deals_of_orders, deals_of_quotations
from sales_funnel.engine.deal_rules import furthest, won_by_conversion
from sales_funnel.engine.history import (
	latest_transition,
	reconcile_target,
	step_back_target,
	transition_moved_by,
	trigger_target,
)
from sales_funnel.recording import TRANSITION_DOCTYPE, get_funnel, record_move

if TYPE_CHECKING:
	from frappe.model.document import Document

SUBMIT_TRIGGERS = {
	"Quotation": "Quotation Submitted",
	"Sales Order": "Sales Order Submitted",
	"Sales Invoice": "Sales Invoice Submitted",
}
PAID_TRIGGER = "Sales Invoice Paid"
SAVEPOINT = "sales_funnel_move"


def on_submit(doc: Document, method: str | None = None) -> None:
	if doc.doctype == "Payment Entry":
		invoices = [name for name in _referenced_invoices(doc) if _is_paid(name)]
		for opportunity in deals_of_invoices(frappe.db, invoices):
			_safely(doc, opportunity, partial(_advance, opportunity, (PAID_TRIGGER,), doc))
		return
	if doc.doctype not in SUBMIT_TRIGGERS or doc.get("is_return"):
		return  # a credit note moves no deal
	triggers = [SUBMIT_TRIGGERS[doc.doctype]]
	if doc.doctype == "Sales Invoice" and _is_paid(doc.name):
		triggers.append(PAID_TRIGGER)  # paid in full on submission (POS, allocated advances)
	won_if_converted = doc.doctype == "Sales Order"
	for opportunity in opportunities_of(doc):
		_safely(
			doc, opportunity, partial(_advance, opportunity, triggers, doc, won_if_converted=won_if_converted)
		)


def on_cancel(doc: Document, method: str | None = None) -> None:
	if doc.doctype not in (*SUBMIT_TRIGGERS, "Payment Entry"):
		return
	_ignore_transition_links(doc)
	if doc.get("is_return"):
		return
	for opportunity in opportunities_of(doc):
		_safely(doc, opportunity, partial(_step_back, opportunity, doc))


# Moves
# -----


def _advance(
	opportunity: str, triggers: Sequence[str], doc: Document, *, won_if_converted: bool = False
) -> None:
	deal = frappe.db.get_value("Opportunity", opportunity, ["sf_sales_funnel", "status"], as_dict=True)
	if not deal or not deal.sf_sales_funnel:
		return
	funnel = get_funnel(deal.sf_sales_funnel)
	latest = latest_transition(frappe.db, "Opportunity", opportunity)
	targets = [trigger_target(funnel, latest, trigger) for trigger in triggers]
	if won_if_converted and deal.status == "Converted":
		targets.append(won_by_conversion(funnel, latest))
	target = furthest(funnel, targets)
	if target:
		_move(opportunity, target, doc)


def on_update_after_submit(doc: Document, method: str | None = None) -> None:
	"""Quotation: `declare_enquiry_lost` marks its Opportunities Lost with db_set, unseen by their hooks, then saves
	the submitted quotation, which lands here: record the Lost move the deals' histories miss."""
	for opportunity in opportunities_of(doc):
		_safely(doc, opportunity, lambda name=opportunity: _reconcile(name, doc))


def _reconcile(opportunity: str, doc: Document) -> None:
	funnel_name = frappe.db.get_value("Opportunity", opportunity, "sf_sales_funnel")
	if not funnel_name:
		return
	deal = frappe.get_doc("Opportunity", opportunity)
	funnel = get_funnel(funnel_name)
	target = reconcile_target(funnel, latest_transition(frappe.db, "Opportunity", opportunity), deal.status)
	if target:
		record_move(
			deal, target, recorded_via="Document Trigger", reference=(doc.doctype, doc.name), funnel=funnel
		)


def _step_back(opportunity: str, doc: Document) -> None:
	if not frappe.db.get_value("Opportunity", opportunity, "sf_sales_funnel"):
		return
	latest = latest_transition(frappe.db, "Opportunity", opportunity)
	target = step_back_target(latest, transition_moved_by(frappe.db, doc.doctype, doc.name))
	if target:
		_move(opportunity, target, doc)


def _move(opportunity: str, to_stage: str, doc: Document) -> None:
	"""Save the Opportunity at `to_stage`; its on_update records the move with `doc` as the reference."""
	deal = frappe.get_doc("Opportunity", opportunity)
	deal.sales_stage = to_stage
	deal.flags.sf_move = {
		"to_stage": to_stage,
		"recorded_via": "Document Trigger",
		"reference": (doc.doctype, doc.name),
	}
	deal.flags.ignore_mandatory = True
	deal.save(ignore_permissions=True)


def _safely(doc: Document, opportunity: str, action: Callable[[], None]) -> None:
	"""Run one deal's bookkeeping so that it cannot fail the document: on any error, undo it (savepoint),
	drop the messages it queued and write the traceback to the Error Log."""
	messages = len(getattr(frappe.local, "message_log", None) or [])
	frappe.db.savepoint(SAVEPOINT)
	try:
		action()
	except Exception:
		frappe.db.rollback(save_point=SAVEPOINT)
		if getattr(frappe.local, "message_log", None):
			frappe.local.message_log = frappe.local.message_log[:messages]
		frappe.log_error(
			title=_("Sales Funnel: could not update the stage of Opportunity {0}").format(opportunity),
			reference_doctype=doc.doctype,
			reference_name=doc.name,
		)
	else:
		frappe.db.release_savepoint(SAVEPOINT)


def _ignore_transition_links(doc: Document) -> None:
	"""Stage history rows keep pointing at the document they came from; they must not block its cancellation
	(Document.check_no_back_links_exist runs after on_cancel and honours `ignore_linked_doctypes`)."""
	ignored = doc.get("ignore_linked_doctypes") or []
	if TRANSITION_DOCTYPE in ignored:
		return
	doc.ignore_linked_doctypes = (
		(*ignored, TRANSITION_DOCTYPE) if isinstance(ignored, tuple) else [*ignored, TRANSITION_DOCTYPE]
	)


# From a document to its deals
# ----------------------------


def opportunities_of(doc: Document) -> list[str]:
	"""The distinct Opportunities a Quotation, Sales Order, Sales Invoice or Payment Entry realises: a Quotation from
	itself (as it is in memory), the others through the chain (`engine.deal_links.deals_of_*`, the same steps
	that trace an invoice's `sf_opportunity`)."""
	if doc.doctype == "Quotation":
		names = [
			row.prevdoc_docname
			for row in doc.get("items") or []
			if row.get("prevdoc_docname") and row.get("prevdoc_doctype") in (None, "", "Opportunity")
		]
		return _distinct([*names, doc.get("opportunity")])
	if doc.doctype == "Sales Order":
		return deals_of_quotations(frappe.db, (row.get("prevdoc_docname") for row in doc.get("items") or []))
	if doc.doctype == "Sales Invoice":
		return deals_of_orders(frappe.db, (row.get("sales_order") for row in doc.get("items") or []))
	if doc.doctype == "Payment Entry":
		return deals_of_invoices(frappe.db, _referenced_invoices(doc))
	return []


def _referenced_invoices(payment: Document) -> list[str]:
	return _distinct(
		row.reference_name
		for row in payment.get("references") or []
		if row.get("reference_doctype") == "Sales Invoice" and flt(row.get("allocated_amount"))
	)


def _is_paid(invoice: str) -> bool:
	"""A submitted, non-return Sales Invoice with nothing left to pay, as stored now."""
	values = frappe.db.get_value(
		"Sales Invoice", invoice, ["docstatus", "is_return", "outstanding_amount"], as_dict=True
	)
	return (
		bool(values)
		and values.docstatus == 1
		and not values.is_return
		and flt(values.outstanding_amount) <= 0
	)


def _distinct(names: Iterable[str | None]) -> list[str]:
	return list(dict.fromkeys(name for name in names if name))
