# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Payment Entry doc_events, in the payment's own transaction: the deals of the invoices a submitted payment leaves
paid reach their Sales Invoice Paid stage and a cancelled one steps them back (`services.document_moves`, which never
fails the payment); the payment's credit is written (`services.credits`, which does). ERPNext's payment
reconciliation saves a submitted payment with new references (on_update_after_submit): the invoices it now pays are
noted for their on_change, and the credit follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sales_funnel.services.credits import write_document_credits
from sales_funnel.services.document_moves import (
	document_cancelled,
	document_submitted,
	note_reallocated_invoices,
)

if TYPE_CHECKING:
	from frappe.model.document import Document


def on_submit(doc: Document, method: str | None = None) -> None:
	document_submitted(doc)
	write_document_credits(doc)


def on_cancel(doc: Document, method: str | None = None) -> None:
	document_cancelled(doc)
	write_document_credits(doc)


def on_update_after_submit(doc: Document, method: str | None = None) -> None:
	note_reallocated_invoices(doc)
	write_document_credits(doc)
