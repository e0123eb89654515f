# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""A document-driven stage move that failed twice (events/documents.py) and waits to be applied again by the hourly
job (`sales_funnel.services.document_moves.apply_pending_moves`)."""

from frappe.model.document import Document


class PendingStageMove(Document):
	pass
