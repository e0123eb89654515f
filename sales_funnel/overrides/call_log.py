# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""Call Log doc_events: a changed or deleted call keeps what follows from its links right (its day in the Call
Outcomes rollup, its deals' `sf_from_call`, its own `sf_funnel`: `sales_funnel.services.call_links`), in the
change's own transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sales_funnel.services.call_links import call_changed, call_deleted

if TYPE_CHECKING:
	from frappe.model.document import Document


def on_update(doc: Document, method: str | None = None) -> None:
	call_changed(doc)


def on_trash(doc: Document, method: str | None = None) -> None:
	call_deleted(doc)
