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
own `on_update` records it once, with the document as its source. Bookkeeping never blocks the document,
and no move is lost silently: a deal without a funnel or a broken link is skipped; a failed move is rolled back
to a savepoint and tried once more after a fresh read; if it fails again it is written to the Error Log and left
as a Pending Stage Move, which the hourly job (`apply_pending_moves`) applies later, recorded at the time it
first failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from sales_funnel.engine.funnels.deal_rules import furthest, move_time, won_by_conversion
from sales_funnel.engine.funnels.history import (
	Transition,
	latest_transition,
	reconcile_target,
	step_back_target,
	transition_moved_by,
	trigger_target,
)
from sales_funnel.engine.sales.deal_links import deals_of_invoices, deals_of_orders, deals_of_quotations
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
ATTEMPTS = 2  # a failed move is tried once more before it is left pending
PENDING_DOCTYPE = "Pending Stage Move"
PENDING_BATCH = 500  # pending moves applied in one run
ADVANCE, STEP_BACK, RECONCILE = "Advance", "Step Back", "Reconcile"
REALLOCATED_FLAG = "sf_reallocated_invoices"  # invoice -> the payment reconciliation just allocated to it


def on_submit(doc: Document, method: str | None = None) -> None:
	reference = (doc.doctype, doc.name)
	if doc.doctype == "Payment Entry":
		invoices = [name for name in _referenced_invoices(doc) if _is_paid(name)]
		for opportunity in deals_of_invoices(frappe.db, invoices):
			_safely(Move(ADVANCE, opportunity, reference, (PAID_TRIGGER,)))
		return
	if doc.doctype not in SUBMIT_TRIGGERS or doc.get("is_return"):
		return  # a credit note moves no deal
	triggers = [SUBMIT_TRIGGERS[doc.doctype]]
	if doc.doctype == "Sales Invoice" and _is_paid(doc.name):
		triggers.append(PAID_TRIGGER)  # paid in full on submission (POS, allocated advances)
	won_if_converted = doc.doctype == "Sales Order"
	for opportunity in opportunities_of(doc):
		_safely(Move(ADVANCE, opportunity, reference, tuple(triggers), won_if_converted))


def on_cancel(doc: Document, method: str | None = None) -> None:
	if doc.doctype not in (*SUBMIT_TRIGGERS, "Payment Entry"):
		return
	_ignore_transition_links(doc)
	if doc.get("is_return"):
		return
	for opportunity in opportunities_of(doc):
		_safely(Move(STEP_BACK, opportunity, (doc.doctype, doc.name)))


def on_update_after_submit(doc: Document, method: str | None = None) -> None:
	"""Quotation: `declare_enquiry_lost` marks its Opportunities Lost with db_set, unseen by their hooks, then saves
	the submitted quotation, which lands here: record the Lost move the deals' histories miss."""
	for opportunity in opportunities_of(doc):
		_safely(Move(RECONCILE, opportunity, (doc.doctype, doc.name)))


def payment_reallocated(doc: Document, method: str | None = None) -> None:
	"""Payment Entry on_update_after_submit: ERPNext's payment reconciliation (reconcile_against_document ->
	update_reference_in_payment_entry) allocated the submitted payment to more invoices and saved it. The invoices'
	outstanding amounts are updated only after this save (update_voucher_outstanding, which then sets each
	invoice's status with db_set, running its on_change): note the newly allocated invoices for `invoice_changed`."""
	before = doc.get_doc_before_save()
	already = set(_referenced_invoices(before)) if before is not None else set()
	pending = frappe.flags.setdefault(REALLOCATED_FLAG, {})
	for invoice in _referenced_invoices(doc):
		if invoice not in already:
			pending[invoice] = doc.name


def invoice_changed(doc: Document, method: str | None = None) -> None:
	"""Sales Invoice on_change: when a payment reconciled to it (`payment_reallocated`) leaves nothing to pay, the
	deal reaches the Sales Invoice Paid stage, the payment as its reference (as when a payment is submitted)."""
	payment = (frappe.flags.get(REALLOCATED_FLAG) or {}).pop(doc.name, None)
	if not payment or not _is_paid(doc.name):
		return
	for opportunity in deals_of_invoices(frappe.db, [doc.name]):
		_safely(Move(ADVANCE, opportunity, ("Payment Entry", payment), (PAID_TRIGGER,)))


# Moves
# -----


@dataclass(frozen=True)
class Move:
	"""One deal's bookkeeping for one document: what a Pending Stage Move stores when it fails."""

	action: str  # ADVANCE, STEP_BACK or RECONCILE
	opportunity: str
	reference: tuple[str, str]  # the document (doctype, name)
	triggers: tuple[str, ...] = ()  # ADVANCE: the document triggers it fires
	won_if_converted: bool = False  # ADVANCE of a Sales Order: a Converted deal is Won


@dataclass(frozen=True)
class Repair:
	"""A pending move applied later is recorded as made when it first failed, by the user whose document made it."""

	at: datetime
	by_user: str | None


def _run(move: Move, repair: Repair | None = None) -> None:
	"""Make the move now, as it would have been made when the document was submitted or cancelled."""
	if move.action == ADVANCE:
		_advance(move, repair)
	elif move.action == STEP_BACK:
		_step_back(move, repair)
	elif move.action == RECONCILE:
		_reconcile(move, repair)


def _advance(move: Move, repair: Repair | None) -> None:
	deal = frappe.db.get_value("Opportunity", move.opportunity, ["sf_sales_funnel", "status"], as_dict=True)
	if not deal or not deal.sf_sales_funnel:
		return
	funnel = get_funnel(deal.sf_sales_funnel)
	latest = latest_transition(frappe.db, "Opportunity", move.opportunity)
	targets = [trigger_target(funnel, latest, trigger) for trigger in move.triggers]
	if move.won_if_converted and deal.status == "Converted":
		targets.append(won_by_conversion(funnel, latest))
	target = furthest(funnel, targets)
	if target:
		_move(move, target, latest, repair)


def _reconcile(move: Move, repair: Repair | None) -> None:
	funnel_name = frappe.db.get_value("Opportunity", move.opportunity, "sf_sales_funnel")
	if not funnel_name:
		return
	deal = frappe.get_doc("Opportunity", move.opportunity)
	funnel = get_funnel(funnel_name)
	latest = latest_transition(frappe.db, "Opportunity", move.opportunity)
	target = reconcile_target(funnel, latest, deal.status)
	if target:
		record_move(
			deal,
			target,
			at=move_time(repair.at, latest) if repair else None,
			by_user=repair.by_user if repair else None,
			recorded_via="Document Trigger",
			reference=move.reference,
			funnel=funnel,
		)


def _step_back(move: Move, repair: Repair | None) -> None:
	if not frappe.db.get_value("Opportunity", move.opportunity, "sf_sales_funnel"):
		return
	latest = latest_transition(frappe.db, "Opportunity", move.opportunity)
	target = step_back_target(latest, transition_moved_by(frappe.db, *move.reference))
	if target:
		_move(move, target, latest, repair)


def _move(move: Move, to_stage: str, latest: Transition | None, repair: Repair | None) -> None:
	"""Save the Opportunity at `to_stage`; its on_update records the move with the document as the reference."""
	deal = frappe.get_doc("Opportunity", move.opportunity)
	deal.sales_stage = to_stage
	deal.flags.sf_move = {
		"to_stage": to_stage,
		"recorded_via": "Document Trigger",
		"reference": move.reference,
		"at": move_time(repair.at, latest) if repair else None,
		"by_user": repair.by_user if repair else None,
	}
	deal.flags.ignore_mandatory = True
	deal.save(ignore_permissions=True)


def _safely(move: Move) -> None:
	"""Make one deal's move so that it cannot fail the document: on an error, undo it (savepoint), drop the
	messages it queued and try once more after a fresh read (a stale document, a lock wait); if that fails
	too, write the traceback to the Error Log and leave a Pending Stage Move that the hourly job applies."""
	for attempt in range(1, ATTEMPTS + 1):
		messages = len(getattr(frappe.local, "message_log", None) or [])
		frappe.db.savepoint(SAVEPOINT)
		try:
			_run(move)
		except Exception as error:
			frappe.db.rollback(save_point=SAVEPOINT)
			if getattr(frappe.local, "message_log", None):
				frappe.local.message_log = frappe.local.message_log[:messages]
			if attempt == ATTEMPTS:
				frappe.log_error(
					title=_("Sales Funnel: could not update the stage of Opportunity {0}").format(
						move.opportunity
					),
					reference_doctype=move.reference[0],
					reference_name=move.reference[1],
				)
				_leave_pending(move, attempt, error)
		else:
			frappe.db.release_savepoint(SAVEPOINT)
			return


# Pending moves: a failed move is never lost
# ------------------------------------------


def _leave_pending(move: Move, attempts: int, error: Exception) -> None:
	"""Record the move for a later run (one row per deal, action and document)."""
	values = {
		"deal": move.opportunity,
		"action": move.action,
		"reference_doctype": move.reference[0],
		"reference_name": move.reference[1],
	}
	try:
		name = frappe.db.get_value(PENDING_DOCTYPE, values, "name")
		if name:
			frappe.db.set_value(
				PENDING_DOCTYPE,
				name,
				{"attempts": attempts, "error": _error_text(error)},
				update_modified=False,
			)
			return
		frappe.get_doc(
			{
				"doctype": PENDING_DOCTYPE,
				**values,
				"triggers": "\n".join(move.triggers),
				"won_if_converted": int(move.won_if_converted),
				"failed_at": now_datetime(),
				"attempts": attempts,
				"error": _error_text(error),
			}
		).insert(ignore_permissions=True, ignore_links=True)
	except Exception:
		frappe.log_error(title=_("Sales Funnel: could not keep the failed stage move for a later run"))


def _error_text(error: Exception) -> str:
	return f"{type(error).__name__}: {error}"[:1000]


def apply_pending_moves(deals: Sequence[str] | None = None, limit: int = PENDING_BATCH) -> dict[str, int]:
	"""Apply the moves left pending (oldest first; all, or those of `deals`), each recorded at the time it first
	failed (never before the deal's last recorded move), by the user whose document made it. A move whose
	document has since been cancelled (or, for a step back, submitted again) is dropped; one that fails again
	stays pending with one more attempt. The hourly job runs this; the history backfill may call it too (after
	its own run, with the deals it touched or none). Nothing is committed here."""
	filters = {"deal": ("in", list(deals))} if deals is not None else {}
	counts = {"applied": 0, "dropped": 0, "failed": 0}
	for row in frappe.get_all(
		PENDING_DOCTYPE, filters=filters, fields=["*"], order_by="failed_at asc, name asc", limit=limit
	):
		move = Move(
			row.action,
			row.deal,
			(row.reference_doctype, row.reference_name),
			tuple(t for t in (row.triggers or "").splitlines() if t),
			bool(row.won_if_converted),
		)
		status = _docstatus(move.reference)
		if status != (2 if move.action == STEP_BACK else 1) or not frappe.db.exists(
			"Opportunity", move.opportunity
		):
			frappe.delete_doc(PENDING_DOCTYPE, row.name, ignore_permissions=True, force=True)
			counts["dropped"] += 1
			continue
		frappe.db.savepoint(SAVEPOINT)
		try:
			_run(move, Repair(row.failed_at, row.owner))
		except Exception as error:
			frappe.db.rollback(save_point=SAVEPOINT)
			frappe.db.set_value(
				PENDING_DOCTYPE,
				row.name,
				{"attempts": (row.attempts or 0) + 1, "error": _error_text(error)},
				update_modified=False,
			)
			counts["failed"] += 1
		else:
			frappe.db.release_savepoint(SAVEPOINT)
			frappe.delete_doc(PENDING_DOCTYPE, row.name, ignore_permissions=True, force=True)
			counts["applied"] += 1
	return counts


def _docstatus(reference: tuple[str, str]) -> int | None:
	doctype, name = reference
	if not doctype or not name or not frappe.db.exists("DocType", doctype):
		return None
	status = frappe.db.get_value(doctype, name, "docstatus")
	return None if status is None else int(status)


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
