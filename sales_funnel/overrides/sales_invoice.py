# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sales Invoice doc_events.

The deal the invoice realises (`sf_opportunity`) is filled before submit from ERPNext's document chain.

Rules in `sales_funnel.engine.sales.deal_links` (tested off a bench): items -> Sales Order -> Quotation -> Opportunity;
items of several deals -> the larger share, flagged `sf_deal_ambiguous` for the Invoices Without Deal report. A
deal an accountant set on the draft is kept. Both fields are allowed on submit: an accountant may correct the deal
later; Frappe records the change in the invoice's Version history (track changes is on for Sales Invoice), and
setting it by hand clears the ambiguity flag.

Submitted, the invoice moves its deals forward (Sales Invoice Submitted, and Sales Invoice Paid when nothing is left
to pay); cancelled, it steps them back (`services.document_moves`, which never fails the invoice); a payment
reconciled to it that leaves nothing to pay sets its status with db_set, which runs `on_change`: the deal reaches its
Paid stage. Its credit, and its payments', is written on submit, cancel and every change after submit
(`services.credits`, which fails the invoice when it cannot).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import frappe

from sales_funnel.engine.sales.deal_links import deal_of_items
from sales_funnel.services.credits import write_document_credits
from sales_funnel.services.document_moves import advance_paid_invoice, document_cancelled, document_submitted

if TYPE_CHECKING:
	from frappe.model.document import Document


def before_submit(doc: Document, method: str | None = None) -> None:
	if doc.get("sf_opportunity"):
		doc.sf_deal_ambiguous = 0
		return
	link = deal_of_items(
		frappe.db,
		[
			{
				"sales_order": row.sales_order,
				"so_detail": row.so_detail,
				"base_net_amount": row.base_net_amount,
			}
			for row in doc.get("items")
		],
		return_against=doc.get("return_against") if doc.get("is_return") else None,
	)
	doc.sf_opportunity = link.opportunity
	doc.sf_deal_ambiguous = int(link.ambiguous)


def before_update_after_submit(doc: Document, method: str | None = None) -> None:
	"""An accountant chose the deal: the invoice no longer waits for a decision."""
	if doc.has_value_changed("sf_opportunity"):
		doc.sf_deal_ambiguous = 0


def on_submit(doc: Document, method: str | None = None) -> None:
	document_submitted(doc)
	write_document_credits(doc)


def on_cancel(doc: Document, method: str | None = None) -> None:
	document_cancelled(doc)
	write_document_credits(doc)


def on_update_after_submit(doc: Document, method: str | None = None) -> None:
	"""An accountant corrected the deal: the invoice's credit (and its payments') follows."""
	write_document_credits(doc)


def on_change(doc: Document, method: str | None = None) -> None:
	advance_paid_invoice(doc)
