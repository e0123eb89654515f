# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Sales Order doc_events: a submitted order moves its deals forward (Sales Order Submitted, or Won for a deal ERPNext
marked Converted), a cancelled one steps them back (`sales_funnel.services.document_moves`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sales_funnel.services.document_moves import document_cancelled, document_submitted

if TYPE_CHECKING:
	from frappe.model.document import Document


def on_submit(doc: Document, method: str | None = None) -> None:
	document_submitted(doc)


def on_cancel(doc: Document, method: str | None = None) -> None:
	document_cancelled(doc)
