# Copyright (c) 2026, Sales Funnel contributors
# For license information, please see license.txt
"""A document-driven stage move that failed twice (`sales_funnel.services.pending_moves`) and waits to be applied again
by the hourly job (`sales_funnel.tasks.apply_pending_stage_moves`)."""

from frappe.model.document import Document


class PendingStageMove(Document):
	pass
