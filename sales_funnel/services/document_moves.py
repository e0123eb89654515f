# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Which deals a document moves: submitted documents move deals forward, cancelled ones step them back.

The doc_events of Quotation, Sales Order, Sales Invoice and Payment Entry (`sales_funnel.overrides.*`) call these.
Frappe runs them after the document controller's own `on_submit` / `on_cancel`, so ERPNext has already updated
what they read: the Opportunity's status (Quotation.update_opportunity), and for a Payment Entry the invoices'
`outstanding_amount` (PaymentEntry.make_gl_entries -> Payment Ledger Entry -> update_voucher_outstanding).

The chain back to the deal, as ERPNext v15 links it:
	Quotation      items[].prevdoc_docname (prevdoc_doctype "Opportunity") and Quotation.opportunity
	Sales Order    items[].prevdoc_docname -> Quotation
	Sales Invoice  items[].sales_order -> Sales Order
	Payment Entry  references[] with reference_doctype "Sales Invoice" -> Sales Invoice

Each deal's move (`services.stage_moves.Move`) is made by `services.pending_moves.move_safely`: bookkeeping never
blocks the document, and no move is lost silently (a deal without a funnel or a broken link is skipped; a move that
fails twice is left as a Pending Stage Move for the hourly job).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import frappe
from frappe.utils import flt

from sales_funnel.engine.sales.deal_links import deals_of_invoices, deals_of_orders, deals_of_quotations
from sales_funnel.services.history import TRANSITION_DOCTYPE
from sales_funnel.services.pending_moves import move_safely
from sales_funnel.services.stage_moves import ADVANCE, RECONCILE, STEP_BACK, Move

if TYPE_CHECKING:
	from frappe.model.document import Document

SUBMIT_TRIGGERS = {
	"Quotation": "Quotation Submitted",
	"Sales Order": "Sales Order Submitted",
	"Sales Invoice": "Sales Invoice Submitted",
}
PAID_TRIGGER = "Sales Invoice Paid"
REALLOCATED_FLAG = "sf_reallocated_invoices"  # invoice -> the payment reconciliation just allocated to it


def document_submitted(doc: Document) -> None:
	"""A Quotation, Sales Order or Sales Invoice fires its trigger on its deals (an invoice paid in full on
	submission also Sales Invoice Paid); a Payment Entry moves the deals of the invoices it leaves paid."""
	reference = (doc.doctype, doc.name)
	if doc.doctype == "Payment Entry":
		invoices = [name for name in _referenced_invoices(doc) if _is_paid(name)]
		for opportunity in deals_of_invoices(frappe.db, invoices):
			move_safely(Move(ADVANCE, opportunity, reference, (PAID_TRIGGER,)))
		return
	if doc.doctype not in SUBMIT_TRIGGERS or doc.get("is_return"):
		return  # a credit note moves no deal
	triggers = [SUBMIT_TRIGGERS[doc.doctype]]
	if doc.doctype == "Sales Invoice" and _is_paid(doc.name):
		triggers.append(PAID_TRIGGER)  # paid in full on submission (POS, allocated advances)
	won_if_converted = doc.doctype == "Sales Order"
	for opportunity in opportunities_of(doc):
		move_safely(Move(ADVANCE, opportunity, reference, tuple(triggers), won_if_converted))


def document_cancelled(doc: Document) -> None:
	"""The deals the document moved step back; the history rows naming it never block its cancellation."""
	if doc.doctype not in (*SUBMIT_TRIGGERS, "Payment Entry"):
		return
	_ignore_transition_links(doc)
	if doc.get("is_return"):
		return
	for opportunity in opportunities_of(doc):
		move_safely(Move(STEP_BACK, opportunity, (doc.doctype, doc.name)))


def reconcile_deals(doc: Document) -> None:
	"""Quotation on_update_after_submit: `declare_enquiry_lost` marks its Opportunities Lost with db_set, unseen by
	their hooks, then saves the submitted quotation, which lands here: record the Lost move the deals' histories
	miss."""
	for opportunity in opportunities_of(doc):
		move_safely(Move(RECONCILE, opportunity, (doc.doctype, doc.name)))


def note_reallocated_invoices(doc: Document) -> None:
	"""Payment Entry on_update_after_submit: ERPNext's payment reconciliation (reconcile_against_document ->
	update_reference_in_payment_entry) allocated the submitted payment to more invoices and saved it. The invoices'
	outstanding amounts are updated only after this save (update_voucher_outstanding, which then sets each
	invoice's status with db_set, running its on_change): note the newly allocated invoices for
	`advance_paid_invoice`."""
	before = doc.get_doc_before_save()
	already = set(_referenced_invoices(before)) if before is not None else set()
	pending = frappe.flags.setdefault(REALLOCATED_FLAG, {})
	for invoice in _referenced_invoices(doc):
		if invoice not in already:
			pending[invoice] = doc.name


def advance_paid_invoice(doc: Document) -> None:
	"""Sales Invoice on_change: when a payment reconciled to it (`note_reallocated_invoices`) leaves nothing to pay,
	the deal reaches the Sales Invoice Paid stage, the payment as its reference (as when a payment is submitted)."""
	payment = (frappe.flags.get(REALLOCATED_FLAG) or {}).pop(doc.name, None)
	if not payment or not _is_paid(doc.name):
		return
	for opportunity in deals_of_invoices(frappe.db, [doc.name]):
		move_safely(Move(ADVANCE, opportunity, ("Payment Entry", payment), (PAID_TRIGGER,)))


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
	itself (as it is in memory), the others through the chain (`engine.sales.deal_links.deals_of_*`, the same steps
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
	"""The Sales Invoices a Payment Entry allocates an amount to."""
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
