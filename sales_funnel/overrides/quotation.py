# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Quotation doc_events: a submitted quotation moves its deals forward (Quotation Submitted), a cancelled one steps
them back, and one declared lost records the Lost move ERPNext made behind the deals' hooks
(`sales_funnel.services.document_moves`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sales_funnel.services.document_moves import document_cancelled, document_submitted, reconcile_deals

if TYPE_CHECKING:
	from frappe.model.document import Document


def on_submit(doc: Document, method: str | None = None) -> None:
	document_submitted(doc)


def on_cancel(doc: Document, method: str | None = None) -> None:
	document_cancelled(doc)


def on_update_after_submit(doc: Document, method: str | None = None) -> None:
	# declare_enquiry_lost marks the deals Lost with db_set, then saves the submitted quotation
	reconcile_deals(doc)
